"""Reset, export and import one platform's data, for test suites that want a known
starting state (`connect-sandbox reset | export | import`; cli.py only parses flags).

A platform is named by its secret test key (sk_test_<x>; the key's platform account id
is derived from <x>). Its data is everything owned by the platform account or by one of
its connected accounts (store/admin.py). A snapshot is JSON:

    {"format": "connect-sandbox-snapshot", "version": 1, "platform": "acct_...",
     "exported_at": <unix>, "accounts": ["acct_platform", "acct_connected", ...],
     "objects": [{"account", "id", "type", "created", "parent", "lookup", "body"}, ...],
     "tables": {"cs_clones": [...], "cs_jobs": [...]}}

Objects keep their ids and their order; bodies include the sandbox's private fields
(a test card's behaviour, a webhook endpoint's secret), never a card number. Importing
replaces the target platform's data (a reset, then the snapshot) in one transaction.
Importing into another key's platform rewrites the platform account id; the other ids
stay, so they must not exist in the database already (import into a fresh database, or
reset the platform the snapshot came from first).
"""
from __future__ import annotations

import re
import time
from typing import Any

import orjson

from .domain.ids import stable_id
from .store import Store, admin

FORMAT = "connect-sandbox-snapshot"
VERSION = 1
_KEY = re.compile(r"(sk|rk)_test_([A-Za-z0-9_]{1,200})\Z")


class SnapshotError(Exception):
    """A bad key, an unknown platform, or a snapshot that cannot be imported."""


def key_suffix(api_key: str) -> str:
    m = _KEY.match(api_key or "")
    if m is None:
        raise SnapshotError("give the platform's secret test key (sk_test_...)")
    return m.group(2)


def _platform(tx, api_key: str, *, create: bool = False) -> str | None:  # noqa: ANN001
    suffix = key_suffix(api_key)
    platform = admin.platform_of_key(tx, suffix)
    if platform is None and create:
        from .services import accounts
        accounts.ensure_platform(tx, suffix, stable_id("acct", "platform:" + suffix),
                                 int(time.time()))
        platform = admin.platform_of_key(tx, suffix)
    return platform


def reset(store: Store, api_key: str) -> dict[str, Any]:
    """Delete the platform's data and its connected accounts' (the platform's own
    account stays, empty). Returns what was deleted."""
    with store.transaction() as tx:
        platform = _platform(tx, api_key)
        if platform is None:
            return {"platform": None, "accounts": 0, "deleted": {}}
        accounts = admin.accounts_of(tx, platform)
        deleted = admin.delete_data(tx, platform, accounts)
    return {"platform": platform, "accounts": len(accounts), "deleted": deleted}


def export(store: Store, api_key: str) -> dict[str, Any]:
    """The platform's snapshot, read in one consistent transaction."""
    with store.transaction(write=False) as tx:
        if tx.dialect == "postgresql":  # one snapshot of the database for every query
            tx.conn.exec_driver_sql("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ")
        platform = _platform(tx, api_key)
        if platform is None:
            raise SnapshotError("this key has no data in the database (it was never used)")
        accounts = admin.accounts_of(tx, platform)
        return {"format": FORMAT, "version": VERSION, "platform": platform,
                "exported_at": int(time.time()), "accounts": accounts,
                "objects": list(admin.object_rows(tx, accounts)),
                "tables": {name: admin.table_rows(tx, name, accounts)
                           for name in admin.SNAPSHOT_TABLES}}


def import_(store: Store, api_key: str, snapshot: Any) -> dict[str, Any]:
    """Replace the platform's data with `snapshot` (all or nothing)."""
    old, rows, tables = _check(snapshot)
    with store.transaction() as tx:
        platform = _platform(tx, api_key, create=True)
        remap = (lambda v: v) if old == platform else _remapper(old, platform)
        admin.delete_data(tx, platform, admin.accounts_of(tx, platform))
        rows = [remap(r) for r in rows]
        own = [r for r in rows if r["account"] == platform and r["id"] == platform]
        rest = [r for r in rows if not (r["account"] == platform and r["id"] == platform)]
        taken = admin.existing_ids(tx, (r["id"] for r in rest))
        if taken:
            raise SnapshotError(
                f"{len(taken)} ids of the snapshot already exist in this database, e.g. "
                f"{', '.join(taken[:3])}: reset the platform they belong to, or import into "
                "a fresh database")
        for row in own:
            admin.replace_object(tx, platform, row)
        for row in rest:
            admin.insert_object(tx, row)
        for name, table_rows in tables.items():
            admin.insert_rows(tx, name, [remap(r) for r in table_rows])
    return {"platform": platform, "objects": len(rows),
            "tables": {name: len(t) for name, t in tables.items()}}


def dumps(snapshot: dict[str, Any]) -> bytes:
    return orjson.dumps(snapshot, option=orjson.OPT_INDENT_2) + b"\n"


def loads(raw: bytes) -> Any:
    try:
        return orjson.loads(raw)
    except orjson.JSONDecodeError as exc:
        raise SnapshotError(f"the snapshot is not JSON: {exc}") from None


def _check(snapshot: Any) -> tuple[str, list[dict[str, Any]], dict[str, list]]:
    if not isinstance(snapshot, dict) or snapshot.get("format") != FORMAT:
        raise SnapshotError(f"not a {FORMAT} file")
    if snapshot.get("version") != VERSION:
        raise SnapshotError(f"snapshot version {snapshot.get('version')!r} is not {VERSION}")
    old, rows = snapshot.get("platform"), snapshot.get("objects")
    if not isinstance(old, str) or not isinstance(rows, list):
        raise SnapshotError("a snapshot names its platform and lists its objects")
    need = {"account", "id", "type", "created", "body"}
    for row in rows:
        if not isinstance(row, dict) or not need <= row.keys() or \
                not isinstance(row["body"], dict):
            raise SnapshotError(f"malformed object row: {str(row)[:200]}")
    # Only the platform and the connected accounts it lists may own rows.
    owners = {old} | {r["id"] for r in rows if r["account"] == old and r["type"] == "account"}
    strangers = sorted({r["account"] for r in rows} - owners)
    if strangers:
        raise SnapshotError(f"objects of accounts that are not this platform's: {strangers[:3]}")
    tables = snapshot.get("tables") or {}
    if not isinstance(tables, dict) or not set(tables) <= set(admin.SNAPSHOT_TABLES):
        raise SnapshotError(f"unknown tables in the snapshot: {sorted(tables)[:5]}")
    for name, table_rows in tables.items():
        if not isinstance(table_rows, list) or any(
                not isinstance(r, dict) or
                any(r.get(col, old) not in owners for col in admin.ACCOUNT_COLUMNS)
                for r in table_rows):
            raise SnapshotError(f"malformed rows of {name}, or rows of accounts that are "
                                "not this platform's")
    return old, rows, tables


def _remapper(old: str, new: str):  # noqa: ANN202
    """Rewrite every string equal to the old platform id, anywhere in a row."""
    def remap(value: Any) -> Any:
        if isinstance(value, str):
            return new if value == old else value
        if isinstance(value, dict):
            return {k: remap(v) for k, v in value.items()}
        if isinstance(value, list):
            return [remap(v) for v in value]
        return value
    return remap
