"""Scheduled jobs (store/jobs.py) on SQLite and PostgreSQL: due order, and exactly-once
application when several runners (threads with their own connections, as several
server processes would be) claim at once, and when a take() races a runner."""
from __future__ import annotations

import threading
import time

from connect_sandbox.jobs.runner import JobRunner
from connect_sandbox.store import Store, jobs

from .helpers import A, B, run_threads


def _schedule(store: Store, n: int, due_ms: int, account: str = A, kind: str = "k") -> None:
    with store.transaction() as tx:
        for i in range(n):
            jobs.schedule(tx, kind=kind, account=account, platform=A, object_id=f"obj_{i}",
                          due_ms=due_ms + i, now=1)


def test_next_due_and_claim_order(store: Store) -> None:
    with store.transaction(write=False) as tx:
        assert jobs.next_due(tx) is None
    _schedule(store, 3, 1000)
    with store.transaction() as tx:
        jobs.schedule(tx, kind="k", account=A, platform=A, object_id="later",
                      due_ms=5000, now=1)
    with store.transaction(write=False) as tx:
        assert jobs.next_due(tx) == 1000
    with store.transaction() as tx:
        assert jobs.claim_one(tx, 999) is None
        job = jobs.claim_one(tx, 1001)
        assert job is not None and job.object_id == "obj_0" and job.attempts == 0
        jobs.finish(tx, job)
    with store.transaction() as tx:
        job = jobs.claim_one(tx, 10_000)
        assert job.object_id == "obj_1"
        jobs.failed(tx, job, error="boom", retry_at=20_000)
    with store.transaction() as tx:
        assert jobs.claim_one(tx, 10_000).object_id == "obj_2"  # obj_1 was pushed back
    with store.transaction(write=False) as tx:
        rows = jobs.of_object(tx, "obj_1")
        assert rows[0]["due_at"] == 20_000 and rows[0]["attempts"] == 1
        assert rows[0]["error"] == "boom" and rows[0]["state"] == jobs.PENDING
        assert jobs.of_object(tx, "obj_0")[0]["state"] == jobs.DONE


def test_take_is_scoped_to_the_account(store: Store) -> None:
    _schedule(store, 1, 1000, account=B)
    with store.transaction() as tx:
        assert jobs.take(tx, "k", "obj_0", account=A) is None
        assert jobs.take(tx, "other", "obj_0", account=B) is None
        job = jobs.take(tx, "k", "obj_0", account=B)
        assert job is not None
        jobs.finish(tx, job)
    with store.transaction() as tx:
        assert jobs.take(tx, "k", "obj_0", account=B) is None


def test_each_job_is_applied_once_by_concurrent_runners(store: Store) -> None:
    n = 40
    _schedule(store, n, 1000)
    applied: list[str] = []
    lock = threading.Lock()

    def handler(tx, ctx, job) -> None:
        assert ctx.account == A and ctx.request_id is None
        time.sleep(0.002)  # hold the claim for a moment, as a real settlement does
        with lock:
            applied.append(job.object_id)

    def runner(i: int) -> int:
        r = JobRunner(store, poll_interval=0.01)
        r.handlers = {"k": handler}
        done = 0
        while r.apply_one():
            done += 1
        return done

    counts = run_threads(4, runner)
    assert sorted(applied) == sorted(f"obj_{i}" for i in range(n))
    assert sum(counts) == n
    with store.transaction(write=False) as tx:
        assert jobs.next_due(tx) is None


def test_a_failing_job_is_retried_then_given_up(store: Store) -> None:
    _schedule(store, 1, 1000)
    calls: list[int] = []

    def handler(tx, ctx, job) -> None:
        calls.append(job.attempts)
        raise RuntimeError("handler failed")

    r = JobRunner(store, poll_interval=0.01, retry_base=0.0, max_attempts=3)
    r.handlers = {"k": handler}
    for _ in range(5):
        r.apply_one()
    assert calls == [0, 1, 2]
    with store.transaction(write=False) as tx:
        row = jobs.of_object(tx, "obj_0")[0]
        assert row["state"] == jobs.FAILED and "handler failed" in row["error"]
        assert jobs.next_due(tx) is None


def test_unknown_kind_is_given_up(store: Store) -> None:
    _schedule(store, 1, 1000, kind="nobody_handles_this")
    r = JobRunner(store, poll_interval=0.01)
    assert r.apply_one() is True
    with store.transaction(write=False) as tx:
        assert jobs.of_object(tx, "obj_0")[0]["state"] == jobs.FAILED


def test_take_waits_for_a_runner_holding_the_job(store: Store) -> None:
    """A runner holds the job's lock while it applies it; take() (the settle helper)
    waits, then finds the job done. On SQLite the write lock serialises them."""
    _schedule(store, 1, 1000)
    inside, release = threading.Event(), threading.Event()

    def handler(tx, ctx, job) -> None:
        inside.set()
        assert release.wait(10)

    def run_runner() -> None:
        r = JobRunner(store, poll_interval=0.01)
        r.handlers = {"k": handler}
        assert r.apply_one()

    t = threading.Thread(target=run_runner)
    t.start()
    assert inside.wait(10)
    got: list[object] = []

    def take() -> None:
        with store.transaction() as tx:
            got.append(jobs.take(tx, "k", "obj_0", account=A))

    t2 = threading.Thread(target=take)
    t2.start()
    time.sleep(0.2)
    assert got == []  # still waiting for the runner's transaction
    release.set()
    t.join(10)
    t2.join(10)
    assert got == [None]
