"""The clone-lineage index (table cs_clones): which object on which connected account was
cloned from which platform customer's card, bank account, Source or PaymentMethod.

Written in the cloning transaction (services/lineage.record_clone), read by the dashboard.
Every query names the platform, so one platform never sees another's clones.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Iterable

from sqlalchemy import and_, select

from .schema import clones
from .sql import Tx, _check


@dataclass(frozen=True)
class Clone:
    platform: str
    original_id: str
    clone_account: str
    clone_id: str
    kind: str
    via: str | None
    customer: str | None
    created: int


def add(tx: Tx, *, platform: str, original_id: str, clone_account: str, clone_id: str,
        kind: str, created: int, via: str | None = None, customer: str | None = None) -> None:
    """Record one clone; recording the same clone id twice is a no-op."""
    values = _check(clones, dict(
        platform=platform, original_id=original_id, clone_account=clone_account,
        clone_id=clone_id, kind=kind, via=via, customer=customer, created=created))
    # Plain SQL (store/hot.py): Core's insert().on_conflict_do_nothing() measured ~60 us
    # of every cloning request; this is the statement it compiles to on both databases.
    # It reads no object, so the transaction's pending objects may stay pending.
    tx.execute(_ADD, tuple(values.values()))


_ADD = (f"INSERT INTO {clones.name} (platform, original_id, clone_account, clone_id, kind, "
        "via, customer, created) VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING")


def _rows(tx: Tx, cond) -> list[Clone]:  # noqa: ANN001
    stmt = select(clones.c.platform, clones.c.original_id, clones.c.clone_account,
                  clones.c.clone_id, clones.c.kind, clones.c.via, clones.c.customer,
                  clones.c.created).where(cond).order_by(clones.c.seq.desc()).limit(1000)
    return [Clone(*row) for row in tx.conn.execute(stmt).all()]


def of_original(tx: Tx, platform: str, original_ids: Iterable[str]) -> list[Clone]:
    """Clones made by `platform` from any of `original_ids`, newest first (at most 1000)."""
    wanted = [i for i in original_ids if i]
    if not wanted:
        return []
    return _rows(tx, and_(clones.c.platform == platform, clones.c.original_id.in_(wanted)))


def of_customer(tx: Tx, platform: str, customer: str) -> list[Clone]:
    """Clones made by `platform` from any payment details of its customer `customer`."""
    return _rows(tx, and_(clones.c.platform == platform, clones.c.customer == customer))


def of_clone(tx: Tx, platform: str, clone_id: str) -> Clone | None:
    found = _rows(tx, and_(clones.c.platform == platform, clones.c.clone_id == clone_id))
    return found[0] if found else None
