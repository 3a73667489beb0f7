"""Read-only queries the dashboard needs beyond the Tx API: one type of object across a
set of accounts (a platform and its sellers), newest first, and the dashboard's
per-database signing secret in cs_meta (so several server processes agree on it).

Every query is bounded by the accounts it names and by an index (account, type, seq).
"""
from __future__ import annotations

import secrets
from typing import Iterable

from sqlalchemy import and_, or_, select

from . import dialects
from .schema import meta, objects
from .sql import Page, Tx, _load

MAX_ACCOUNTS = 1000  # a platform with more sellers than this is listed by its first 1000


def recent_in(tx: Tx, accounts: Iterable[str], type_: str, *, limit: int = 20,
              starting_after: str | None = None, ending_before: str | None = None,
              lookup: str | None = None) -> Page:
    """Objects of `type_` owned by any of `accounts`, newest first, paged by object id.
    A cursor that is not one of these accounts' objects starts from the newest."""
    owners = list(dict.fromkeys(a for a in accounts if a))[:MAX_ACCOUNTS]
    if not owners:
        return Page([], False)
    cond = [objects.c.account.in_(owners), objects.c.type == type_]
    if lookup is not None:
        cond.append(objects.c.lookup == lookup)
    ascending = False
    cursor = starting_after or ending_before
    if cursor:
        row = tx.conn.execute(select(objects.c.seq).where(and_(
            objects.c.id == cursor, objects.c.account.in_(owners)))).first()
        if row is not None:
            if starting_after:
                cond.append(objects.c.seq < row[0])
            else:
                cond.append(objects.c.seq > row[0])
                ascending = True
    order = objects.c.seq.asc() if ascending else objects.c.seq.desc()
    rows = tx.conn.execute(select(objects.c.account, objects.c.body).where(and_(*cond))
                           .order_by(order).limit(limit + 1)).all()
    has_more = len(rows) > limit
    rows = rows[:limit]
    if ascending:
        rows.reverse()
    data = []
    for account, body in rows:
        obj = _load(body)
        obj["_owner"] = account
        data.append(obj)
    return Page(data, has_more)


def secret(tx: Tx, name: str = "dashboard_secret") -> str:
    """A random secret stored once per database (the first process to ask creates it)."""
    cached = tx.cache.get("meta:" + name)
    if cached:
        return cached
    tx.conn.execute(dialects.insert_ignore(tx.dialect, meta).values(
        key=name, value=secrets.token_hex(32)))
    value = tx.conn.execute(select(meta.c.value).where(meta.c.key == name)).scalar_one()
    tx.cache["meta:" + name] = value
    return value


def deliveries_of_event(tx: Tx, event_id: str, limit: int = 50) -> list[dict]:
    """The webhook deliveries of one event (one per endpoint, and one per resend), each
    with its attempts, oldest first. Empty when this build has no webhook outbox."""
    from . import schema
    D = getattr(schema, "webhook_deliveries", None)
    A = getattr(schema, "webhook_attempts", None)
    if D is None or A is None:
        return []
    rows = tx.conn.execute(select(D).where(D.c.event == event_id).order_by(D.c.seq)
                           .limit(limit)).all()
    out = []
    for r in rows:
        attempts = tx.conn.execute(select(A).where(and_(
            A.c.platform == r.platform, A.c.endpoint == r.endpoint, A.c.event == event_id,
            A.c.delivery == r.seq)).order_by(A.c.seq)).all()
        out.append({"seq": r.seq, "endpoint": r.endpoint, "owner": r.platform,
                    "state": r.state, "attempt_count": r.attempts,
                    "next_at": r.next_at // 1000 if r.state == "pending" else None,
                    "created": r.created,
                    "attempts": [{"attempt": a.attempt, "created": a.at // 1000,
                                  "status": a.status, "duration_ms": a.duration_ms,
                                  "response": a.response, "error": a.error}
                                 for a in attempts]})
    return out


def events_about(tx: Tx, refs: Iterable[tuple[str, str]], *, recent: int = 300) -> list[dict]:
    """Events about each (account, object id) in refs, in the order they were written.
    An event's `parent` is the id of the object it describes (index account, type,
    parent); ids with no event found that way are looked for among their account's
    `recent` newest events (events written before parent was filled in)."""
    by_account: dict[str, set[str]] = {}
    for account, obj_id in refs:
        if account and obj_id:
            by_account.setdefault(account, set()).add(obj_id)
    if not by_account:
        return []
    cond = or_(*[and_(objects.c.account == a, objects.c.type == "event",
                      objects.c.parent.in_(sorted(ids))) for a, ids in by_account.items()])
    rows = tx.conn.execute(select(objects.c.seq, objects.c.account, objects.c.parent,
                                  objects.c.body).where(cond)).all()
    found = {r[0]: (r[1], r[3]) for r in rows}
    seen = {(r[1], r[2]) for r in rows}
    for account, ids in by_account.items():
        if all((account, i) in seen for i in ids):
            continue
        missing = {i for i in ids if (account, i) not in seen}
        latest = tx.conn.execute(select(objects.c.seq, objects.c.body).where(and_(
            objects.c.account == account, objects.c.type == "event"))
            .order_by(objects.c.seq.desc()).limit(recent)).all()
        for seq, body in latest:
            if seq not in found:
                event = _load(body)
                if ((event.get("data") or {}).get("object") or {}).get("id") in missing:
                    found[seq] = (account, body)
    out = []
    for seq in sorted(found):
        account, body = found[seq]
        event = body if isinstance(body, dict) else _load(body)
        event["_owner"] = account
        out.append(event)
    return out
