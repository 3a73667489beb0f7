"""The statements every request runs, hand-written: a measured hot path.

Measured on the 2-core benchmark machine (benchmarks/README.md): building a SQLAlchemy
Core statement and its cache key costs about 125 us per call, executing the same SQL as
a plain string on the DB-API connection about 5 us, and a POST /v1/customers runs five
of them (idempotency lookup and row, the customer, its event, plus the savepoint). So the
per-request statements of Tx (get, insert, save, tombstone, delete, owner_of, the
idempotency row) are fixed SQL strings, written once per dialect, executed on the
transaction's own DB-API connection (the same connection and transaction Core uses) and
prepared once by the driver (sqlite3's statement cache, psycopg's automatic prepare).
Driver errors are re-raised as SQLAlchemy's exception types, as Core would raise them.
Everything that builds its SQL from options (lists, filters) stays on Core.
"""
from __future__ import annotations

from functools import lru_cache
from typing import Any, Callable

from sqlalchemy import exc
from sqlalchemy.engine import Connection

from .schema import idempotency, objects

_O, _I = objects.name, idempotency.name

# Written with "?" placeholders; PostgreSQL's driver (psycopg) spells them "%s".
_SQL = {
    "get": f"SELECT body FROM {_O} WHERE id = ? AND account = ?",
    "get_typed": f"SELECT body FROM {_O} WHERE id = ? AND account = ? AND type = ?",
    "exists_typed": f"SELECT 1 FROM {_O} WHERE id = ? AND account = ? AND type = ?",
    "owner_of": f"SELECT account FROM {_O} WHERE id = ?",
    "insert": f"INSERT INTO {_O} (id, account, type, created, parent, lookup, body) "
              "VALUES (?, ?, ?, ?, ?, ?, ?)",
    "save": f"UPDATE {_O} SET body = ? WHERE id = ? AND account = ?",
    "save_index": f"UPDATE {_O} SET body = ?, parent = ?, lookup = ? WHERE id = ? AND account = ?",
    "tombstone": f"UPDATE {_O} SET type = 'deleted', parent = NULL, lookup = NULL, body = ? "
                 "WHERE id = ? AND account = ?",
    "delete": f"DELETE FROM {_O} WHERE id = ? AND account = ?",
    "idem_get": f'SELECT fingerprint, status, body FROM {_I} WHERE account = ? AND "key" = ?',
    "idem_put": f'INSERT INTO {_I} (account, "key", fingerprint, status, body, created) '
                "VALUES (?, ?, ?, ?, ?, ?)",
}
_PG_ONLY = {
    # SQLite needs no row lock: a write transaction already holds the database's lock.
    "get_for_update": _SQL["get"] + " FOR UPDATE",
    "get_typed_for_update": _SQL["get_typed"] + " FOR UPDATE",
}
STATEMENTS = {
    "sqlite": {**_SQL, "get_for_update": _SQL["get"],
               "get_typed_for_update": _SQL["get_typed"]},
    "postgresql": {k: v.replace("?", "%s") for k, v in {**_SQL, **_PG_ONLY}.items()},
}

# Column widths, checked before a value reaches either database (see store/sql.py).
OBJECT_LIMITS = {c.name: c.type.length for c in objects.c if c.name != "body"
                 and getattr(c.type, "length", None)}
IDEM_LIMITS = {c.name: c.type.length for c in idempotency.c if c.name != "body"
               and getattr(c.type, "length", None)}


def check(table: str, limits: dict[str, int], name: str, value: Any) -> None:
    if isinstance(value, str) and (len(value) > limits[name] or "\x00" in value):
        raise ValueError(f"{table}.{name}: value too long (max {limits[name]}) "
                         f"or contains NUL: {value[:40]!r}")


class Raw:
    """Executes the named statements on one SQLAlchemy Connection's DB-API connection."""

    __slots__ = ("dbapi", "sql", "error", "_savepoints", "_pg", "_flush")

    def __init__(self, conn: Connection, dialect: str,
                 flush: Callable[[], None] = lambda: None):
        self.dbapi = conn.connection.dbapi_connection
        self.sql = STATEMENTS[dialect]
        self._pg = dialect == "postgresql"
        self.error = conn.dialect.loaded_dbapi.Error
        self._savepoints = 0
        self._flush = flush  # the transaction's pending rows (store/sql.py Tx)

    def run(self, name: str, params: tuple[Any, ...]) -> Any:
        """A named statement of Tx's own (which knows what it has pending)."""
        sql = self.sql[name]
        try:
            return self.dbapi.execute(sql, params)
        except self.error as e:
            raise exc.DBAPIError.instance(sql, params, e, self.error) from e

    def run_many(self, name: str, rows: list[tuple[Any, ...]]) -> None:
        sql = self.sql[name]
        try:
            if self._pg:
                with self.dbapi.cursor() as cur:
                    cur.executemany(sql, rows)
            else:
                self.dbapi.executemany(sql, rows)
        except self.error as e:
            raise exc.DBAPIError.instance(sql, rows, e, self.error) from e

    def run_text(self, sql: str, params: tuple[Any, ...], *, flush: bool = True) -> Any:
        """A hand-written statement of another store module, "?" placeholders, written
        so that it means the same on both databases. flush=False: it touches no object
        the transaction may hold back (store/sql.py Tx)."""
        if flush:
            self._flush()
        if self._pg:
            sql = _pg_placeholders(sql)
        try:
            return self.dbapi.execute(sql, params)
        except self.error as e:
            raise exc.DBAPIError.instance(sql, params, e, self.error) from e

    def execute(self, sql: str, *, flush: bool = True) -> None:
        if flush:
            self._flush()
        try:
            self.dbapi.execute(sql)
        except self.error as e:
            raise exc.DBAPIError.instance(sql, (), e, self.error) from e

    def savepoint(self, tx: Any = None) -> "Savepoint":
        self._savepoints += 1
        return Savepoint(self, f"cs_sp_{self._savepoints}", tx)


@lru_cache(maxsize=256)
def _pg_placeholders(sql: str) -> str:
    return sql.replace("?", "%s")


class Savepoint:
    """SAVEPOINT / RELEASE / ROLLBACK TO in plain SQL (Core's begin_nested() costs about
    75 us a request here; this costs about 2)."""

    __slots__ = ("raw", "name", "tx")

    def __init__(self, raw: Raw, name: str, tx: Any = None):
        self.raw, self.name, self.tx = raw, name, tx
        raw.execute(f"SAVEPOINT {name}")  # the rows pending before it belong outside it

    def commit(self) -> None:
        self.raw.execute(f"RELEASE SAVEPOINT {self.name}")

    def rollback(self) -> None:
        if self.tx is not None:
            self.tx.discard()  # all pending rows are newer than this savepoint
        self.raw.execute(f"ROLLBACK TO SAVEPOINT {self.name}", flush=False)
        self.raw.execute(f"RELEASE SAVEPOINT {self.name}", flush=False)
