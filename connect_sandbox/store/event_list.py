"""Listing an account's events: by exact types (`types[]`), by a `*` pattern (`type`),
by creation time and by delivery success, newest first, with cursors. The event type is
the `lookup` column of its row, so every filter is indexed by (account, type, lookup)."""
from __future__ import annotations

from typing import Any

from sqlalchemy import and_, not_, select

from .outbox import undelivered_condition
from .schema import objects
from .sql import Page, Tx, _load

O = objects


def _like(pattern: str) -> str:
    escaped = pattern.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return escaped.replace("*", "%")


def list_events(tx: Tx, account: str, *, types: list[str] | None = None,
                pattern: str | None = None, created: dict[str, int] | None = None,
                delivery_success: bool | None = None, limit: int = 10,
                starting_after: int | None = None, ending_before: int | None = None) -> Page:
    """`starting_after` / `ending_before` are the cursor events' seq (see seq_of)."""
    cond: list[Any] = [O.c.account == account, O.c.type == "event"]
    if types:
        cond.append(O.c.lookup.in_(types))
    if pattern is not None:
        if "*" in pattern:
            cond.append(O.c.lookup.like(_like(pattern), escape="\\"))
        else:
            cond.append(O.c.lookup == pattern)
    for op, value in (created or {}).items():
        col = O.c.created
        cond.append({"gt": col > value, "gte": col >= value, "lt": col < value,
                     "lte": col <= value, "eq": col == value}[op])
    if delivery_success is not None:
        undelivered = undelivered_condition(O.c.id)
        cond.append(not_(undelivered) if delivery_success else undelivered)
    ascending = False
    if starting_after is not None:
        cond.append(O.c.seq < starting_after)
    elif ending_before is not None:
        cond.append(O.c.seq > ending_before)
        ascending = True
    order = O.c.seq.asc() if ascending else O.c.seq.desc()
    rows = tx.conn.execute(select(O.c.body).where(and_(*cond)).order_by(order)
                           .limit(limit + 1)).all()
    has_more = len(rows) > limit
    rows = rows[:limit]
    if ascending:
        rows.reverse()
    return Page([_load(r[0]) for r in rows], has_more)


def seq_of(tx: Tx, account: str, event_id: str) -> int | None:
    row = tx.conn.execute(select(O.c.seq).where(and_(
        O.c.id == event_id, O.c.account == account, O.c.type == "event"))).first()
    return row[0] if row else None

