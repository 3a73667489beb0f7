"""The job runner: an asyncio task (started in the app's lifespan, next to the webhook
delivery worker) that applies scheduled jobs (store/jobs.py) once they are due.

Each round it reads when the next job is due (one indexed read, no write lock, so an
idle runner costs SQLite's writers nothing), then applies due jobs one per transaction:
claim (locked), apply the job's handler (jobs/kinds.py), mark it done, commit. A job
whose handler raises is rolled back and retried later with backoff, and given up
(state `failed`) after max_attempts. The database calls are short and run on the event
loop, like the API's own.
"""
from __future__ import annotations

import asyncio
import logging
import time
from typing import AsyncContextManager

from ..background import supervised
from ..context import RequestContext
from ..store import Store, jobs
from .kinds import handlers

log = logging.getLogger("connect_sandbox.jobs")


def _now_ms() -> int:
    return int(time.time() * 1000)


def context_for(job: jobs.Job) -> RequestContext:
    """Act as the account owning the job's object, at the current time, outside any
    request (events recorded get request.id null)."""
    return RequestContext(platform=job.platform, account=job.account, publishable=False,
                          masked_key="", request_id=None,  # type: ignore[arg-type]
                          now=int(time.time()))


class JobRunner:
    def __init__(self, store: Store, *, poll_interval: float, batch: int = 50,
                 retry_base: float = 1.0, max_attempts: int = 5):
        self.store = store
        self.poll_interval = poll_interval
        self.batch = batch
        self.retry_base = retry_base
        self.max_attempts = max_attempts
        self.handlers = handlers()
        self.stopping = False

    async def run(self) -> None:
        while not self.stopping:
            try:
                wait = self.round()
            except Exception:
                log.exception("job runner: a round failed")
                wait = self.poll_interval
            await asyncio.sleep(wait)

    def round(self) -> float:
        """Apply what is due; return how long to sleep before the next round."""
        now = _now_ms()
        with self.store.transaction(write=False) as tx:
            due = jobs.next_due(tx)
        if due is None:
            return self.poll_interval
        if due > now:
            return min(self.poll_interval, (due - now) / 1000)
        applied = 0
        while applied < self.batch and self.apply_one():
            applied += 1
        # Something applied: look again at once. Nothing (the due jobs are locked by
        # another process, or failed and were pushed back): wait for the next poll.
        return 0.0 if applied else self.poll_interval

    def apply_one(self) -> bool:
        """Apply one due job; False when none could be claimed."""
        job = None
        try:
            with self.store.transaction() as tx:
                job = jobs.claim_one(tx, _now_ms())
                if job is None:
                    return False
                handler = self.handlers.get(job.kind)
                if handler is None:
                    jobs.failed(tx, job, error=f"unknown job kind {job.kind!r}", retry_at=None)
                    return True
                handler(tx, context_for(job), job)
                jobs.finish(tx, job)
            return True
        except Exception as exc:
            if job is None:
                raise
            log.exception("job %s (%s %s) failed", job.seq, job.kind, job.object_id)
            attempts = job.attempts + 1
            retry_at = None if attempts >= self.max_attempts else \
                _now_ms() + int(self.retry_base * 2 ** (attempts - 1) * 1000)
            with self.store.transaction() as tx:
                jobs.failed(tx, job, error=repr(exc), retry_at=retry_at)
            return True


def running(store: Store, settings) -> AsyncContextManager[JobRunner]:
    """Run a JobRunner for the app's lifetime (used by app.py's lifespan)."""
    from ..services import ach, payouts
    store.cache[ach.SETTING] = settings.ach_settle_seconds
    store.cache[payouts.SETTING] = settings.payout_seconds
    return supervised(JobRunner(store, poll_interval=settings.jobs_poll_interval),
                      "job runner", log)
