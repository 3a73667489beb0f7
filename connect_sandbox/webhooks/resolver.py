"""Host-name checks before a delivery, in a small thread pool of their own, cached.

httpx resolves names with the event loop's default executor (a handful of threads). A
host whose lookups hang for seconds (a made-up name, no DNS in a container) would fill
those threads and hold up every other delivery, to localhost too. So the worker looks a
name up here first: one lookup per name at a time, failures remembered for a while
(the delivery fails at once, and is retried on schedule), successes too. IP addresses
need no lookup.
"""
from __future__ import annotations

import asyncio
import ipaddress
import socket
import time
from concurrent.futures import ThreadPoolExecutor

OK_TTL = 60.0
FAIL_TTL = 30.0


class Resolver:
    def __init__(self, threads: int = 4):
        self._pool = ThreadPoolExecutor(threads, thread_name_prefix="webhook-dns")
        self._cache: dict[str, tuple[float, str | None]] = {}  # host -> (until, error)
        self._lookups: dict[str, asyncio.Future] = {}

    async def check(self, host: str | None, port: int, timeout: float) -> str | None:
        """None when `host` resolves (or is an address), else why it does not."""
        if not host:
            return "no host in the URL"
        try:
            ipaddress.ip_address(host)
            return None
        except ValueError:
            pass
        hit = self._cache.get(host)
        if hit is not None and hit[0] > time.monotonic():
            return hit[1]
        lookup = self._lookups.get(host)
        if lookup is None:
            loop = asyncio.get_running_loop()
            lookup = loop.run_in_executor(self._pool, _resolve, host, port)
            self._lookups[host] = lookup
            lookup.add_done_callback(lambda f, h=host: self._remember(h, f))
        try:
            async with asyncio.timeout(timeout):
                return await asyncio.shield(lookup)
        except TimeoutError:
            return f"looking up {host} timed out after {timeout:g} s"

    def _remember(self, host: str, lookup: asyncio.Future) -> None:
        self._lookups.pop(host, None)
        error = lookup.result() if not lookup.cancelled() else "lookup cancelled"
        ttl = OK_TTL if error is None else FAIL_TTL
        self._cache[host] = (time.monotonic() + ttl, error)

    def close(self) -> None:
        self._pool.shutdown(wait=False, cancel_futures=True)


def _resolve(host: str, port: int) -> str | None:
    try:
        socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
        return None
    except (OSError, UnicodeError) as exc:
        return f"could not resolve {host}: {exc}"
