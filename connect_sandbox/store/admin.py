"""Whole-platform operations for the command line (connect_sandbox/snapshot.py): the
accounts of a platform, deleting their data, and reading or writing every row of it.

A platform's data is every row owned by the platform or one of its connected accounts:
the objects (cs_objects.account), idempotency keys, and the rows of any other table that
names its tenant in an `account` or `platform` column (clone lineage, webhook outbox,
and tables added later), always through that column's index. The platform's own Account
object and its key (cs_platforms) are kept: running servers cache them.
"""
from __future__ import annotations

from typing import Any, Iterable, Iterator

from sqlalchemy import Table, and_, delete, insert, not_, select, update

from .schema import meta, metadata, objects, platforms
from .sql import Tx, _check, _dump, _load

O = objects
BATCH = 500
TENANT_COLUMNS = ("account", "platform")  # first one a table has is its tenant
KEEP_TABLES = {meta.name, platforms.name}
# Exported with the objects: clone lineage, and scheduled transitions (an ACH charge
# still to settle). Others, such as the webhook outbox, are operational state.
SNAPSHOT_TABLES = tuple(n for n in ("cs_clones", "cs_jobs") if n in metadata.tables)
# Columns naming an account; every one must be the platform's or a connected account's.
ACCOUNT_COLUMNS = ("account", "platform", "clone_account", "event_account")


def _batches(items: list[str]) -> Iterator[list[str]]:
    for i in range(0, len(items), BATCH):
        yield items[i:i + BATCH]


def platform_of_key(tx: Tx, key_suffix: str) -> str | None:
    """The platform account of sk_test_<key_suffix>, if that key was ever used."""
    return tx.conn.execute(select(platforms.c.account_id).where(
        platforms.c.key_suffix == key_suffix)).scalar()


def accounts_of(tx: Tx, platform: str) -> list[str]:
    """The platform, then its connected accounts (their Account objects live under it)."""
    rows = tx.conn.execute(select(O.c.id).where(and_(
        O.c.account == platform, O.c.type == "account", O.c.id != platform)).order_by(O.c.seq))
    return [platform] + [r[0] for r in rows]


def _tenant(table: Table):  # noqa: ANN202
    return next((table.c[name] for name in TENANT_COLUMNS if name in table.c), None)


def _other_tables() -> list[Table]:
    return [t for t in metadata.sorted_tables
            if t.name not in KEEP_TABLES and t is not O and _tenant(t) is not None]


def delete_data(tx: Tx, platform: str, accounts: list[str]) -> dict[str, int]:
    """Delete every row of `accounts` (the platform's own Account object excepted).
    Returns the rows deleted per table."""
    counts: dict[str, int] = {}
    keep = and_(O.c.account == platform, O.c.id == platform)
    for batch in _batches(accounts):
        n = tx.conn.execute(delete(O).where(and_(O.c.account.in_(batch), not_(keep)))).rowcount
        counts[O.name] = counts.get(O.name, 0) + n
        for table in _other_tables():
            n = tx.conn.execute(delete(table).where(_tenant(table).in_(batch))).rowcount
            counts[table.name] = counts.get(table.name, 0) + n
    tx.webhook_endpoints_changed()  # some may have gone: running servers cache them
    return counts


def object_rows(tx: Tx, accounts: list[str]) -> Iterator[dict[str, Any]]:
    """Every object of `accounts`, oldest first, with its indexed columns."""
    for batch in _batches(accounts):
        last = 0
        while True:
            rows = tx.conn.execute(
                select(O.c.seq, O.c.account, O.c.id, O.c.type, O.c.created, O.c.parent,
                       O.c.lookup, O.c.body)
                .where(and_(O.c.account.in_(batch), O.c.seq > last))
                .order_by(O.c.seq).limit(1000)).all()
            if not rows:
                break
            for r in rows:
                yield {"account": r.account, "id": r.id, "type": r.type, "created": r.created,
                       "parent": r.parent, "lookup": r.lookup, "body": _load(r.body)}
            last = rows[-1].seq


def table_rows(tx: Tx, name: str, accounts: list[str]) -> list[dict[str, Any]]:
    table = metadata.tables[name]
    tenant = _tenant(table)
    out = []
    for batch in _batches(accounts):
        stmt = select(table).where(tenant.in_(batch))
        if "seq" in table.c:
            stmt = stmt.order_by(table.c.seq)
        # str(): column names are a str subclass, which orjson refuses as keys
        out.extend({str(k): v for k, v in row._asdict().items() if k != "seq"}
                   for row in tx.conn.execute(stmt))
    return out


def existing_ids(tx: Tx, ids: Iterable[str]) -> list[str]:
    found: list[str] = []
    for batch in _batches(list(ids)):
        found.extend(r[0] for r in tx.conn.execute(select(O.c.id).where(O.c.id.in_(batch))))
    return found


def insert_object(tx: Tx, row: dict[str, Any]) -> None:
    """Insert an object row as it was exported (its type kept, tombstones included)."""
    tx.conn.execute(insert(O).values(_check(O, dict(
        id=row["id"], account=row["account"], type=row["type"], created=row["created"],
        parent=row.get("parent"), lookup=row.get("lookup"), body=_dump(row["body"])))))
    if row["id"].startswith("we_"):
        tx.webhook_endpoints_changed()  # running servers cache them (store/outbox.py)


def replace_object(tx: Tx, account: str, row: dict[str, Any]) -> None:
    tx.conn.execute(update(O).where(and_(O.c.id == row["id"], O.c.account == account))
                    .values(body=_dump(row["body"])))
    if row["id"].startswith("we_"):
        tx.webhook_endpoints_changed()


def insert_rows(tx: Tx, name: str, rows: list[dict[str, Any]]) -> None:
    table = metadata.tables[name]
    for row in rows:
        tx.conn.execute(insert(table).values(_check(table, {
            k: v for k, v in row.items() if k in table.c and k != "seq"})))

