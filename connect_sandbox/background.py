"""Background tasks that live as long as the app (the webhook worker, the job runner):
started in the lifespan, stopped cleanly at shutdown, failures logged, never raised."""
from __future__ import annotations

import asyncio
import contextlib
import logging
from typing import AsyncIterator, Protocol, TypeVar


class Loop(Protocol):
    stopping: bool

    async def run(self) -> None: ...


L = TypeVar("L", bound=Loop)


@contextlib.asynccontextmanager
async def supervised(loop: L, name: str, log: logging.Logger) -> AsyncIterator[L]:
    """Run `loop.run()` as a task until the context exits; then ask it to stop, cancel
    it, and wait up to 10 s for it to finish."""
    task = asyncio.create_task(loop.run(), name=f"connect-sandbox {name}")
    try:
        yield loop
    finally:
        loop.stopping = True
        task.cancel()
        done, _ = await asyncio.wait({task}, timeout=10)
        if not done:
            log.warning("%s did not stop within 10 s", name)
        elif not task.cancelled() and task.exception() is not None:
            log.error("%s failed", name, exc_info=task.exception())
