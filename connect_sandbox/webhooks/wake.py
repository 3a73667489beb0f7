"""Wake the delivery workers of this process when an event with deliveries is recorded.

record() runs inside the request's transaction, synchronously on the event loop, so by
the time a woken worker runs the transaction has committed (or rolled back: the worker
then finds nothing). Workers also poll, so a missed wake-up only costs latency; wake-ups
cannot cross processes, polling does.
"""
from __future__ import annotations

import asyncio

_waiters: list[tuple[asyncio.AbstractEventLoop, asyncio.Event]] = []


def register(loop: asyncio.AbstractEventLoop, event: asyncio.Event) -> None:
    _waiters.append((loop, event))


def unregister(event: asyncio.Event) -> None:
    _waiters[:] = [(lp, ev) for lp, ev in _waiters if ev is not event]


def poke() -> None:
    if not _waiters:
        return
    try:
        running = asyncio.get_running_loop()
    except RuntimeError:
        running = None
    for loop, event in list(_waiters):
        if loop is running:
            event.set()
        else:
            try:
                loop.call_soon_threadsafe(event.set)
            except RuntimeError:  # that loop is closed
                unregister(event)
