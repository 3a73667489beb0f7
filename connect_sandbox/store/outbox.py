"""The webhook outbox: deliveries to make (one row per event and endpoint, written in the
event's own transaction) and the attempts made. The delivery worker claims due rows,
posts them outside any transaction, and records the outcome in a second transaction.

Claiming is safe with several processes: SQLite serialises writers (BEGIN IMMEDIATE);
PostgreSQL takes the due rows with FOR UPDATE SKIP LOCKED. A claimed row's next_at is
pushed forward by a lease, so a worker that dies mid-delivery leaves the row to be
claimed again once the lease runs out.
"""
from __future__ import annotations

import secrets
from dataclasses import dataclass
from typing import Any, Callable, Iterable

from sqlalchemy import and_, func, insert, select, update

from . import changes
from .schema import meta, objects, webhook_attempts, webhook_deliveries
from .sql import Tx, _load

D = webhook_deliveries
A = webhook_attempts

PENDING, SUCCEEDED, FAILED, CANCELED = "pending", "succeeded", "failed", "canceled"


@dataclass(frozen=True)
class Delivery:
    seq: int
    platform: str
    endpoint: str
    event: str
    event_account: str
    attempts: int


def _delivery(row: Any) -> Delivery:
    return Delivery(row.seq, row.platform, row.endpoint, row.event, row.event_account,
                    row.attempts)


# Every event recorded looks up its account's endpoints, so these statements are plain SQL
# through Tx.select/Tx.execute (a Core statement costs ~25 times more to build; see
# store/hot.py), which a speculation records or keeps (store/speculation.py). They never
# read an object the transaction may still hold back: endpoints are written at once.
# Ids here are the sandbox's own, well within the column widths.
_SQL = {
    "endpoints": f"SELECT body FROM {objects.name} WHERE account = ? "
                 "AND type = 'webhook_endpoint' ORDER BY seq DESC LIMIT 100",
    "enqueue": f"INSERT INTO {D.name} (platform, endpoint, event, event_account, state, "
               "attempts, next_at, created) VALUES (?, ?, ?, ?, 'pending', 0, ?, ?)",
    "version": f'SELECT value FROM {meta.name} WHERE "key" = ?',
    "bump": f'INSERT INTO {meta.name} ("key", value) VALUES (?, ?) '
            'ON CONFLICT ("key") DO UPDATE SET value = excluded.value',
}
# Only a write under the lock changes what these read (a speculation that would write an
# endpoint runs under the lock: store/speculation.py), so the change log vouches for them.
changes.unlisted_only(_SQL["endpoints"], _SQL["version"])
_VERSION_KEY = "webhook_endpoints_version"
_CACHED_ACCOUNTS = 20_000  # accounts whose answers a process keeps (a few MB at most)


def endpoints(tx: Tx, account: str) -> list[dict[str, Any]]:
    """The webhook endpoints an account owns, newest first (shared: read only).

    Every event recorded asks this of its account and, for a connected account, of its
    platform; most accounts have none. So each process keeps the answers under a version
    stored in the database (cs_meta) that every write to an endpoint replaces with a new
    random value, in the writer's transaction (Tx.webhook_endpoints_changed): a
    transaction reads the version once and the cache answers as long as it is the one
    the answers were read under, in any process. A transaction that changed an endpoint
    reads the table itself until it ends (what it saw may yet be rolled back). Measured:
    the lookups were 8 of a token flow's ~70 statements (benchmarks/README.md)."""
    local = tx.local
    if local.get("endpoints_dirty"):
        return _endpoints(tx, account)
    version = local.get("endpoints_version")
    if version is None:
        rows = tx.select(_SQL["version"], (_VERSION_KEY,))
        version = local["endpoints_version"] = rows[0][0] if rows else ""
    cached = tx.cache.get("endpoints")
    if cached is None or cached[0] != version:
        cached = tx.cache["endpoints"] = (version, {})
    by_account = cached[1]
    found = by_account.get(account)
    if found is None:
        if len(by_account) >= _CACHED_ACCOUNTS:
            by_account.clear()
        found = by_account[account] = _endpoints(tx, account)
    return found


def _endpoints(tx: Tx, account: str) -> list[dict[str, Any]]:
    return [_load(r[0]) for r in tx.select(_SQL["endpoints"], (account,))]


def endpoints_changed(tx: Tx) -> None:
    """A new version for the endpoint cache, written in tx (see endpoints())."""
    tx.execute(_SQL["bump"], (_VERSION_KEY, secrets.token_hex(8)))
    tx.local["endpoints_dirty"] = True


def enqueue(tx: Tx, *, platform: str, endpoint: str, event: str, event_account: str,
            now_ms: int) -> None:
    tx.execute(_SQL["enqueue"], (platform, endpoint, event, event_account, now_ms,
                                 now_ms // 1000))


def has_due(tx: Tx, now_ms: int) -> bool:
    """A cheap read: is anything due? (lets an idle worker skip the write lock)."""
    row = tx.conn.execute(select(D.c.seq).where(
        and_(D.c.state == PENDING, D.c.next_at <= now_ms)).limit(1)).first()
    return row is not None


def claim(tx: Tx, now_ms: int, lease_ms: int, limit: int, *, skip: Iterable[str] = (),
          skip_owners: Iterable[str] = (),
          take: Callable[[Delivery], bool] = lambda d: True) -> list[Delivery]:
    """Lease up to `limit` due deliveries, oldest first, except to the endpoints in `skip`,
    the endpoints of the accounts in `skip_owners`, and those `take` refuses (a worker's
    per-endpoint and per-account limits); the rest stay due."""
    cond = [D.c.state == PENDING, D.c.next_at <= now_ms]
    skip, skip_owners = list(skip), list(skip_owners)
    if skip:
        cond.append(D.c.endpoint.not_in(skip))
    if skip_owners:
        cond.append(D.c.platform.not_in(skip_owners))
    stmt = select(D).where(and_(*cond)).order_by(D.c.next_at, D.c.seq).limit(limit)
    if tx.dialect == "postgresql":
        stmt = stmt.with_for_update(skip_locked=True)
    rows = [d for d in (_delivery(r) for r in tx.conn.execute(stmt).all()) if take(d)]
    if rows:
        tx.conn.execute(update(D).where(D.c.seq.in_([r.seq for r in rows]))
                        .values(next_at=now_ms + lease_ms))
    return rows


def finish(tx: Tx, delivery: Delivery, *, state: str, next_at: int | None, at_ms: int,
           status: int | None = None, duration_ms: int = 0, response: str | None = None,
           error: str | None = None, attempted: bool = True) -> None:
    """Record an attempt (when one was made) and move the delivery to `state`."""
    attempt = delivery.attempts + (1 if attempted else 0)
    if attempted:
        tx.conn.execute(insert(A).values(
            delivery=delivery.seq, platform=delivery.platform, endpoint=delivery.endpoint,
            event=delivery.event, attempt=attempt, at=at_ms, status=status,
            duration_ms=duration_ms, response=response, error=error,
            next_at=next_at if state == PENDING else None))
    values: dict[str, Any] = {"state": state, "attempts": attempt}
    if next_at is not None:
        values["next_at"] = next_at
    tx.conn.execute(update(D).where(D.c.seq == delivery.seq).values(**values))


def pending_count(tx: Tx, event: str) -> int:
    return tx.conn.execute(select(func.count()).select_from(D).where(
        and_(D.c.event == event, D.c.state == PENDING))).scalar_one()


def cancel_endpoint(tx: Tx, platform: str, endpoint: str) -> list[tuple[str, str]]:
    """Cancel an endpoint's pending deliveries; returns the (event_account, event) pairs
    whose pending_webhooks changed."""
    cond = and_(D.c.platform == platform, D.c.endpoint == endpoint, D.c.state == PENDING)
    touched = [(r.event_account, r.event) for r in tx.conn.execute(
        select(D.c.event_account, D.c.event).where(cond)).all()]
    if touched:
        tx.conn.execute(update(D).where(cond).values(state=CANCELED))
    return touched


def attempts(tx: Tx, platform: str, endpoint: str, *, event: str | None = None,
             limit: int = 10) -> tuple[list[dict[str, Any]], bool]:
    """An endpoint's attempts, newest first, and whether there are more."""
    cond = [A.c.platform == platform, A.c.endpoint == endpoint]
    if event is not None:
        cond.append(A.c.event == event)
    rows = tx.conn.execute(select(A, D.c.state).join(D, D.c.seq == A.c.delivery)
                           .where(and_(*cond)).order_by(A.c.seq.desc())
                           .limit(limit + 1)).all()
    out = [{"event": r.event, "attempt": r.attempt, "created": r.at // 1000,
            "created_ms": r.at, "status": r.status, "duration_ms": r.duration_ms,
            "response_excerpt": r.response, "error": r.error,
            "next_retry_at": r.next_at // 1000 if r.next_at is not None else None,
            "delivery_state": r.state} for r in rows[:limit]]
    return out, len(rows) > limit


def undelivered_condition(event_id_column: Any) -> Any:
    """SQL: the event has a delivery that has not succeeded (still pending, or failed)."""
    return select(D.c.seq).where(and_(D.c.event == event_id_column,
                                      D.c.state.in_([PENDING, FAILED]))).exists()
