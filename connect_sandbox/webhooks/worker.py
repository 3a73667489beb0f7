"""The delivery worker: an asyncio task (started in the app's lifespan) that drains the
webhook outbox. Each round it claims due deliveries in one short transaction, posts them
concurrently (outside any transaction), then records each outcome in another: the
attempt, and the delivery's next state (succeeded, retried later with exponential
backoff, or failed once the attempts are used up), and the event's pending_webhooks.

The database calls are short and run on the event loop, like the API's own; the HTTP
calls are awaited, so a slow receiver never holds up a request.
"""
from __future__ import annotations

import asyncio
import logging
import time
from collections import Counter
from typing import AsyncContextManager
from urllib.parse import urlsplit

import httpx

from ..background import supervised
from ..http.render import dumps, public
from ..services import events
from ..store import Store, outbox
from . import sender, signing, wake
from .resolver import Resolver

log = logging.getLogger("connect_sandbox.webhooks")


def _now_ms() -> int:
    return int(time.time() * 1000)


class DeliveryWorker:
    def __init__(self, store: Store, *, retry_base: float, max_attempts: int,
                 timeout: float, poll_interval: float, concurrency: int = 64,
                 per_endpoint: int = 4, per_owner: int = 16):
        self.store = store
        # At most this many requests in flight (per process) to one endpoint: a burst of
        # events must not open dozens of connections to a development server at once; and
        # for one account's endpoints: slow endpoints of one platform must not hold up
        # every other platform's deliveries.
        self.per_endpoint = per_endpoint
        self.per_owner = per_owner
        self._busy: Counter[str] = Counter()   # endpoint id, and "owner:" + account id
        self.resolver = Resolver()
        self.retry_base = retry_base
        self.max_attempts = max(1, max_attempts)
        self.timeout = timeout
        self.poll_interval = poll_interval
        self.concurrency = concurrency
        # A claimed delivery is someone else's to retry once its lease runs out.
        self.lease_ms = int((timeout + 30) * 1000)
        self._wake = asyncio.Event()
        self._inflight: dict[asyncio.Task, outbox.Delivery] = {}
        self.stopping = False

    def delay(self, attempts: int) -> float:
        """Seconds to wait after the attempts-th failed attempt."""
        return self.retry_base * (2 ** (attempts - 1))

    async def run(self) -> None:
        wake.register(asyncio.get_running_loop(), self._wake)
        http = sender.client()
        try:
            while not self.stopping:
                self._wake.clear()
                try:
                    self._claim_round(http)
                except Exception:
                    log.exception("webhook worker: claiming deliveries failed")
                # asyncio.timeout, not wait_for: on Python 3.11 wait_for can swallow a
                # cancellation that races with the wake-up, and shutdown would hang.
                try:
                    async with asyncio.timeout(self.poll_interval):
                        await self._wake.wait()
                except TimeoutError:
                    pass
        finally:
            wake.unregister(self._wake)
            for task in list(self._inflight):
                task.cancel()
            if self._inflight:
                await asyncio.gather(*self._inflight, return_exceptions=True)
            await http.aclose()
            self.resolver.close()

    def _claim_round(self, http: httpx.AsyncClient) -> None:
        free = self.concurrency - len(self._inflight)
        if free <= 0:
            return
        now = _now_ms()
        with self.store.transaction(write=False) as tx:
            if not outbox.has_due(tx, now):
                return
        busy = self._busy

        def take(d: outbox.Delivery) -> bool:
            owner = "owner:" + d.platform
            if busy[d.endpoint] >= self.per_endpoint or busy[owner] >= self.per_owner:
                return False
            busy[d.endpoint] += 1
            busy[owner] += 1
            return True
        full = [e for e, n in busy.items() if not e.startswith("owner:")
                and n >= self.per_endpoint]
        full_owners = [e[6:] for e, n in busy.items() if e.startswith("owner:")
                       and n >= self.per_owner]
        try:
            with self.store.transaction() as tx:
                claimed = outbox.claim(tx, now, self.lease_ms, free, skip=full,
                                       skip_owners=full_owners, take=take)
        except BaseException:
            self._recount()
            raise
        for delivery in claimed:
            task = asyncio.create_task(self._deliver(http, delivery))
            self._inflight[task] = delivery
            task.add_done_callback(self._done)

    def _recount(self) -> None:
        """Rebuild the in-flight counts from the tasks (after a claim that failed)."""
        self._busy.clear()
        for d in self._inflight.values():
            self._busy[d.endpoint] += 1
            self._busy["owner:" + d.platform] += 1

    def _done(self, task: asyncio.Task) -> None:
        d = self._inflight.pop(task, None)
        if d is not None:
            for key in (d.endpoint, "owner:" + d.platform):
                self._busy[key] -= 1
                if self._busy[key] <= 0:
                    del self._busy[key]
        if not task.cancelled() and task.exception() is not None:
            log.error("webhook delivery failed unexpectedly", exc_info=task.exception())
        self._wake.set()  # a slot is free: look for more work

    async def _deliver(self, http: httpx.AsyncClient, d: outbox.Delivery) -> None:
        with self.store.transaction(write=False) as tx:
            endpoint = tx.get(d.platform, d.endpoint, "webhook_endpoint")
            event = tx.get(d.event_account, d.event, "event")
        if endpoint is None or event is None or endpoint.get("status") != "enabled":
            with self.store.transaction() as tx:
                outbox.finish(tx, d, state=outbox.CANCELED, next_at=None, at_ms=_now_ms(),
                              attempted=False)
                events.refresh_pending(tx, d.event_account, d.event)
            return
        payload = public(event)
        if endpoint.get("api_version"):  # Stripe renders the endpoint's events at its version
            payload["api_version"] = endpoint["api_version"]
        body = dumps(payload)
        signature = signing.header(body, endpoint["_secret"])
        try:
            url = urlsplit(endpoint["url"])
            port = url.port or (443 if url.scheme == "https" else 80)
            start = time.perf_counter()
            problem = await self.resolver.check(url.hostname, port, self.timeout)
            if problem is not None:
                result = sender.Outcome(None, int((time.perf_counter() - start) * 1000),
                                        error=problem)
            else:
                result = await sender.post(http, endpoint["url"], body, signature,
                                           self.timeout)
        except asyncio.CancelledError:
            self._release(d)
            raise
        self._record(d, result)

    def _record(self, d: outbox.Delivery, result: sender.Outcome) -> None:
        now = _now_ms()
        attempts = d.attempts + 1
        next_at = None
        if result.ok:
            state = outbox.SUCCEEDED
        elif attempts >= self.max_attempts:
            state = outbox.FAILED
        else:
            state = outbox.PENDING
            next_at = now + int(self.delay(attempts) * 1000)
        with self.store.transaction() as tx:
            outbox.finish(tx, d, state=state, next_at=next_at, at_ms=now, status=result.status,
                          duration_ms=result.duration_ms, response=result.response,
                          error=result.error)
            if state != outbox.PENDING:
                events.refresh_pending(tx, d.event_account, d.event)

    def _release(self, d: outbox.Delivery) -> None:
        """Shutting down mid-delivery: make the delivery due again at once, unattempted."""
        try:
            with self.store.transaction() as tx:
                outbox.finish(tx, d, state=outbox.PENDING, next_at=_now_ms(), at_ms=_now_ms(),
                              attempted=False)
        except Exception:  # the store may already be closing; the lease covers it
            log.debug("could not release delivery %s", d.seq, exc_info=True)


def running(store: Store, settings) -> AsyncContextManager[DeliveryWorker]:
    """Run a DeliveryWorker for the app's lifetime (used by app.py's lifespan)."""
    worker = DeliveryWorker(store, retry_base=settings.webhook_retry_base,
                            max_attempts=settings.webhook_max_attempts,
                            timeout=settings.webhook_timeout,
                            poll_interval=settings.webhook_poll_interval)
    return supervised(worker, "webhook worker", log)
