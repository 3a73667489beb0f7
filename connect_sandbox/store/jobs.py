"""Scheduled transitions: changes the sandbox makes later by itself (an ACH charge
settling a few seconds after it was created). A job row is written in the same
transaction as the change that schedules it, so it exists iff that change does.

Applying a job is exactly-once, also with several server processes on one database:
the runner (jobs/runner.py) takes one due job per transaction, locked (PostgreSQL:
FOR UPDATE SKIP LOCKED, so two runners never take the same row and never wait on each
other; SQLite: the write transaction, BEGIN IMMEDIATE, holds the database's only write
lock), applies it and marks it done before committing. Something that applies a job
out of turn (the settle test helper) takes the same row lock first, waiting for it
(take()), so it and a runner are serialised and the loser finds the job done.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import and_, func, insert, select, update

from .schema import jobs
from .sql import Tx, _check

J = jobs

PENDING, DONE, FAILED = "pending", "done", "failed"


@dataclass(frozen=True)
class Job:
    seq: int
    kind: str
    account: str
    platform: str
    object_id: str
    due_at: int
    attempts: int


def _job(row: Any) -> Job:
    return Job(row.seq, row.kind, row.account, row.platform, row.object_id, row.due_at,
               row.attempts)


def schedule(tx: Tx, *, kind: str, account: str, platform: str, object_id: str,
             due_ms: int, now: int) -> None:
    """Schedule `kind` for `object_id` at `due_ms` (unix ms), in the caller's transaction."""
    tx.conn.execute(insert(J).values(_check(J, dict(
        kind=kind, account=account, platform=platform, object_id=object_id, due_at=due_ms,
        state=PENDING, attempts=0, created=now))))


def next_due(tx: Tx) -> int | None:
    """When the earliest pending job is due (unix ms), or None: one indexed read."""
    return tx.conn.execute(select(func.min(J.c.due_at)).where(J.c.state == PENDING)).scalar()


def claim_one(tx: Tx, now_ms: int) -> Job | None:
    """Lock and return one due job, oldest first, or None. The lock lasts until the
    transaction ends; finish() it in the same transaction."""
    stmt = select(J).where(and_(J.c.state == PENDING, J.c.due_at <= now_ms)) \
        .order_by(J.c.due_at, J.c.seq).limit(1)
    if tx.dialect == "postgresql":
        stmt = stmt.with_for_update(skip_locked=True)
    row = tx.conn.execute(stmt).first()
    return _job(row) if row is not None else None


def take(tx: Tx, kind: str, object_id: str, *, account: str) -> Job | None:
    """Lock the pending job of `kind` for `account`'s `object_id` (waiting for a runner
    that holds it), or None when there is none left to apply."""
    stmt = select(J).where(and_(J.c.object_id == object_id, J.c.kind == kind,
                                J.c.account == account, J.c.state == PENDING)) \
        .order_by(J.c.seq).limit(1)
    if tx.dialect == "postgresql":
        stmt = stmt.with_for_update()
    # Locked after waiting, PostgreSQL (READ COMMITTED) re-checks the WHERE clause on the
    # row's latest version: a job a runner has just finished is not returned.
    row = tx.conn.execute(stmt).first()
    return _job(row) if row is not None else None


def finish(tx: Tx, job: Job) -> None:
    tx.conn.execute(update(J).where(J.c.seq == job.seq).values(
        state=DONE, attempts=job.attempts + 1))


def failed(tx: Tx, job: Job, *, error: str, retry_at: int | None) -> None:
    """Record a failed attempt: due again at `retry_at`, or given up (None)."""
    values: dict[str, Any] = {"attempts": job.attempts + 1, "error": error[:1000]}
    if retry_at is None:
        values["state"] = FAILED
    else:
        values["due_at"] = retry_at
    tx.conn.execute(update(J).where(and_(J.c.seq == job.seq, J.c.state == PENDING))
                    .values(**values))


def of_object(tx: Tx, object_id: str) -> list[dict[str, Any]]:
    """Every job of an object, oldest first (for tests and the dashboard)."""
    rows = tx.conn.execute(select(J).where(J.c.object_id == object_id).order_by(J.c.seq))
    return [{str(k): v for k, v in r._asdict().items()} for r in rows]
