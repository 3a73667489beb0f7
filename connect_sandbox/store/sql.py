"""The one SQL implementation of the store (SQLAlchemy Core), for SQLite and PostgreSQL.

A Tx is one database transaction. Its methods always take the account whose data they
touch, so a query without a tenant cannot be written by accident. Dialect specifics
(pragmas, ON CONFLICT, FOR UPDATE, locks) stay in this file and in dialects.py.

Both databases behave the same through this API: `seq` (INTEGER PRIMARY KEY on SQLite,
BIGSERIAL on PostgreSQL) orders lists newest first; a value too long for its indexed
column, or holding a NUL, is refused with ValueError before it reaches either database
(SQLite would store it, PostgreSQL would fail with its own error).
"""
from __future__ import annotations

import time
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any, Callable, Iterator

import orjson
from sqlalchemy import and_, delete, event, select
from sqlalchemy.engine import Connection, Engine

from . import dialects
from .checkpointer import Checkpointer
from .hot import IDEM_LIMITS, OBJECT_LIMITS, Raw, Savepoint, check
from .schema import idempotency, meta, objects, platforms
from .writelock import WriteLock

_cols = (objects.c.seq, objects.c.body)


def _check(table: Any, values: dict[str, Any]) -> dict[str, Any]:
    for name, value in values.items():
        if isinstance(value, str) and name != "body":
            limit = table.c[name].type.length
            if (limit is not None and len(value) > limit) or "\x00" in value:
                raise ValueError(f"{table.name}.{name}: value too long (max {limit}) "
                                 f"or contains NUL: {value[:40]!r}")
    return values


_SHORTEST = min(OBJECT_LIMITS[c] for c in ("id", "account", "type", "parent", "lookup"))


def _fits(values: tuple[Any, ...]) -> bool:
    """True when every indexed value is None or a string shorter than the narrowest of
    their columns and without NUL: what insert() checks, the common case in one pass
    (measured: check() per column was 16 calls a request)."""
    for value in values:
        if value is not None and (type(value) is not str or len(value) > _SHORTEST
                                  or "\x00" in value):
            return False
    return True


def _load(body: str | bytes) -> dict[str, Any]:
    return orjson.loads(body)


def _dump(obj: dict[str, Any]) -> str:
    return orjson.dumps(obj).decode()


@dataclass
class Page:
    data: list[dict[str, Any]]
    has_more: bool


class Tx:
    """One transaction. New objects are written behind: insert() keeps the row in
    `_pending` (id -> [account, type, created, parent, lookup, body]) and a save() of a
    pending object only replaces its body, so an object that a request creates and then
    changes (a customer and its default source, an event whose snapshot is re-taken)
    costs one INSERT instead of an INSERT and UPDATEs; get() and owner_of() answer from
    it. Every other statement on the transaction (through `conn`, `raw.execute`,
    `raw.run_text`, a savepoint's RELEASE) first writes the pending rows, in their
    order, with one executemany; a savepoint's rollback drops them. So no query can
    see the database without them. Measured: benchmarks/README.md."""

    def __init__(self, conn: Connection, dialect: str, cache: dict[str, Any]):
        self._conn = conn
        self.dialect = dialect
        self.cache = cache  # the store's process-local cache (immutable facts, versioned data)
        self.local: dict[str, Any] = {}  # this transaction's own memo (store/outbox.py)
        self._raw: Raw | None = None
        self._pending: dict[str, list[Any]] = {}
        conn.info["cs.tx"] = self  # for a Core savepoint's rollback (Store: _on_rollback_to)

    @property
    def conn(self) -> Connection:
        """The SQLAlchemy connection, for statements of their own: pending rows first."""
        if self._pending:
            self.flush()
        return self._conn

    @property
    def raw(self) -> Raw:
        """The per-request statements in plain SQL on this transaction (store/hot.py)."""
        if self._raw is None:
            self._raw = Raw(self._conn, self.dialect, self.flush)
        return self._raw

    def flush(self) -> None:
        """Write the pending new objects (see the class)."""
        if self._pending:
            rows = [(obj_id, *row) for obj_id, row in self._pending.items()]
            self._pending = {}
            self.raw.run_many("insert", rows)

    def discard(self) -> None:
        """Forget the pending new objects (their savepoint is rolled back)."""
        self._pending = {}

    def savepoint(self) -> Savepoint:
        """A savepoint with commit()/rollback(), like conn.begin_nested() but cheap."""
        return self.raw.savepoint(self)

    # -- objects -------------------------------------------------------------------
    def get(self, account: str, obj_id: str, type_: str | None = None, *,
            for_update: bool = False) -> dict[str, Any] | None:
        pending = self._pending.get(obj_id) if self._pending else None
        if pending is not None:
            if pending[0] != account or (type_ is not None and pending[1] != type_):
                return None
            return _load(pending[5])
        # FOR UPDATE on PostgreSQL only; SQLite: the writer already holds the lock.
        if type_ is None:
            row = self.raw.run("get_for_update" if for_update else "get",
                               (obj_id, account)).fetchone()
        else:
            row = self.raw.run("get_typed_for_update" if for_update else "get_typed",
                               (obj_id, account, type_)).fetchone()
        return _load(row[0]) if row else None

    def exists(self, account: str, obj_id: str, type_: str) -> bool:
        """get() is not None, without reading the body (an Account's is ~4 KB of JSON)."""
        pending = self._pending.get(obj_id) if self._pending else None
        if pending is not None:
            return pending[0] == account and pending[1] == type_
        return self.raw.run("exists_typed", (obj_id, account, type_)).fetchone() is not None

    def owner_of(self, obj_id: str) -> str | None:
        """The account that owns an id; for telling 'exists elsewhere' from 'missing'."""
        pending = self._pending.get(obj_id) if self._pending else None
        if pending is not None:
            return pending[0]
        row = self.raw.run("owner_of", (obj_id,)).fetchone()
        return row[0] if row else None

    def insert(self, account: str, obj: dict[str, Any], *, parent: str | None = None,
               lookup: str | None = None) -> dict[str, Any]:
        values = (obj["id"], account, obj["object"], parent, lookup)
        if not _fits(values):
            for name, value in zip(("id", "account", "type", "parent", "lookup"), values):
                check(objects.name, OBJECT_LIMITS, name, value)
        row = [account, values[2], obj.get("created") or int(time.time()), parent, lookup,
               _dump(obj)]
        if values[2] == "webhook_endpoint" or values[0] in self._pending:
            # Written now (an endpoint: its cache version changes with it; the same id
            # twice: the database refuses it, as it would have), after the pending ones.
            self.flush()
            self.raw.run("insert", (values[0], *row))
            if values[2] == "webhook_endpoint":
                self.webhook_endpoints_changed()
        else:
            self._pending[values[0]] = row
        return obj

    def save(self, account: str, obj: dict[str, Any], *, parent: str | None = None,
             lookup: str | None = None, keep_index: bool = True) -> dict[str, Any]:
        """Replace a stored object's body (and, unless keep_index, its indexed columns)."""
        pending = self._pending.get(obj["id"]) if self._pending else None
        if pending is not None and pending[0] == account:
            if not keep_index:
                check(objects.name, OBJECT_LIMITS, "parent", parent)
                check(objects.name, OBJECT_LIMITS, "lookup", lookup)
                pending[3], pending[4] = parent, lookup
            pending[5] = _dump(obj)
            return obj
        if keep_index:
            res = self.raw.run("save", (_dump(obj), obj["id"], account))
        else:
            check(objects.name, OBJECT_LIMITS, "parent", parent)
            check(objects.name, OBJECT_LIMITS, "lookup", lookup)
            res = self.raw.run("save_index", (_dump(obj), parent, lookup, obj["id"], account))
        if res.rowcount != 1:
            raise LookupError(obj["id"])
        if obj.get("object") == "webhook_endpoint":
            self.webhook_endpoints_changed()
        return obj

    def tombstone(self, account: str, obj: dict[str, Any]) -> None:
        """Keep a deleted object retrievable as its stub ({"id", "object", "deleted"}),
        out of every list."""
        self.flush()
        self.raw.run("tombstone", (_dump(obj), obj["id"], account))
        if obj["id"].startswith("we_"):
            self.webhook_endpoints_changed()

    def delete(self, account: str, obj_id: str) -> None:
        self.flush()
        self.raw.run("delete", (obj_id, account))
        if obj_id.startswith("we_"):
            self.webhook_endpoints_changed()

    def select(self, sql: str, params: tuple[Any, ...]) -> list[tuple[Any, ...]]:
        """The rows of a fixed SELECT ("?" placeholders) of another store module, one
        that reads no object this transaction may hold back (pending rows stay pending).
        A speculation (store/speculation.py) records its answer."""
        return [tuple(r) for r in self.raw.run_text(sql, params, flush=False).fetchall()]

    def execute(self, sql: str, params: tuple[Any, ...]) -> None:
        """A fixed write ("?" placeholders) of another store module that touches no
        object (a lineage row, a webhook delivery); a speculation keeps it for later."""
        self.raw.run_text(sql, params, flush=False)

    def on_commit(self, fn: Callable[[], None]) -> None:
        """Call fn once this transaction's writes are on their way to commit: at once
        here (the caller is on the event loop, and whoever fn wakes runs after this
        transaction); a speculation calls it when its writes are replayed."""
        fn()

    def webhook_endpoints_changed(self) -> None:
        """Every write to a webhook endpoint calls this: processes cache which accounts
        have endpoints under a version that this changes (store/outbox.py)."""
        from . import outbox
        outbox.endpoints_changed(self)

    def list(self, account: str, type_: str, *, parent: str | None = None,
             lookup: str | None = None, created: dict[str, int] | None = None,
             limit: int = 10, starting_after: str | None = None,
             ending_before: str | None = None) -> Page:
        cond = [objects.c.account == account, objects.c.type == type_]
        if parent is not None:
            cond.append(objects.c.parent == parent)
        if lookup is not None:
            cond.append(objects.c.lookup == lookup)
        for op, value in (created or {}).items():
            col = objects.c.created
            cond.append({"gt": col > value, "gte": col >= value, "lt": col < value,
                         "lte": col <= value, "eq": col == value}[op])
        ascending = False
        if starting_after is not None:
            cond.append(objects.c.seq < self._seq(account, starting_after, "starting_after"))
        elif ending_before is not None:
            cond.append(objects.c.seq > self._seq(account, ending_before, "ending_before"))
            ascending = True
        order = objects.c.seq.asc() if ascending else objects.c.seq.desc()
        rows = self.conn.execute(
            select(*_cols).where(and_(*cond)).order_by(order).limit(limit + 1)).all()
        has_more = len(rows) > limit
        rows = rows[:limit]
        if ascending:
            rows.reverse()
        return Page([_load(r[1]) for r in rows], has_more)

    def children(self, account: str, type_: str | tuple[str, ...],
                 parent: str) -> list[dict[str, Any]]:
        """The objects of `type_` (one type or several) hanging from `parent`, newest first."""
        kind = objects.c.type == type_ if isinstance(type_, str) else objects.c.type.in_(type_)
        rows = self.conn.execute(select(objects.c.body).where(and_(
            objects.c.account == account, kind, objects.c.parent == parent,
        )).order_by(objects.c.seq.desc())).all()
        return [_load(r[0]) for r in rows]

    def _seq(self, account: str, obj_id: str, param: str) -> int:
        row = self.conn.execute(select(objects.c.seq).where(
            and_(objects.c.id == obj_id, objects.c.account == account))).first()
        if row is None:
            from ..errors import InvalidRequestError
            raise InvalidRequestError(f"No such object: '{obj_id}'", param=param,
                                      code="resource_missing")
        return row[0]

    # -- platforms -----------------------------------------------------------------
    def platform_account(self, key_suffix: str, account_id: str, now: int) -> str:
        """The platform's account id: `account_id` if this call created it, else the one
        stored first (concurrent callers all get the same answer)."""
        self.conn.execute(dialects.insert_ignore(self.dialect, platforms).values(_check(
            platforms, dict(key_suffix=key_suffix, account_id=account_id, created=now))))
        row = self.conn.execute(select(platforms.c.account_id).where(
            platforms.c.key_suffix == key_suffix)).first()
        return row[0]

    # -- idempotency ---------------------------------------------------------------
    def idem_lock(self, account: str, key: str) -> None:
        """Serialise requests that share an idempotency key until this transaction ends.
        Call before idem_get: on PostgreSQL two concurrent retries would otherwise both
        miss, both execute and the second idem_put would fail. No-op on SQLite."""
        if self.dialect == "postgresql":
            dialects.xact_lock(self.conn, f"idem:{account}:{key}")

    def idem_try_lock(self, account: str, key: str) -> bool:
        """Claim an idempotency key for this transaction; False when another request
        holds it right now (PostgreSQL; on SQLite writers never overlap)."""
        if self.dialect != "postgresql":
            return True  # SQLite: no statement (and none for a speculation to record)
        return dialects.try_xact_lock(self.conn, f"idem:{account}:{key}")

    def idem_get(self, account: str, key: str) -> tuple[str, int | None, str | None] | None:
        row = self.raw.run("idem_get", (account, key)).fetchone()
        return (row[0], row[1], row[2]) if row else None

    def idem_put(self, account: str, key: str, fingerprint: str, status: int, body: str,
                 now: int) -> None:
        for name, value in (("account", account), ("key", key), ("fingerprint", fingerprint)):
            check(idempotency.name, IDEM_LIMITS, name, value)
        self.raw.run("idem_put", (account, key, fingerprint, status, body, now))

    def idem_expire(self, before: int) -> int:
        """Forget keys created before `before`, for every account (housekeeping)."""
        return self.conn.execute(delete(idempotency).where(idempotency.c.created < before)).rowcount


class Store:
    def __init__(self, engine: Engine, url: str):
        self.engine = engine
        self.url = url
        self.dialect = engine.dialect.name
        self.cache: dict[str, Any] = {}
        # SQLite: connections kept between transactions, per kind (write, read). Measured:
        # engine.connect() + execution_options() + the pool's check-in cost about 25 us
        # of every request (benchmarks/README.md). PostgreSQL keeps the pool (pre-ping).
        self._idle: dict[bool, list[Connection]] = {True: [], False: []}
        self._closed = False
        self._checkpointer: Checkpointer | None = None
        self._writelock: WriteLock | None = None
        db = engine.url.database if self.dialect == "sqlite" else None
        if db and db != ":memory:" and not db.startswith("file:"):
            self._checkpointer = Checkpointer(db).start()  # WAL checkpoints off the loop
            self._writelock = WriteLock(db)  # writers wait in the kernel, not in sleeps

        event.listen(engine, "rollback_savepoint", _on_rollback_to)

    @contextmanager
    def transaction(self, *, write: bool = True) -> Iterator[Tx]:
        if self.dialect != "sqlite":
            conn = self.engine.connect()
            try:
                with conn.begin():
                    tx = Tx(conn, self.dialect, self.cache)
                    yield tx
                    tx.flush()
            finally:
                conn.close()
            return
        if write and self._writelock is not None:
            with self._writelock.held():
                yield from self._sqlite_transaction(write)
        else:
            yield from self._sqlite_transaction(write)

    def _sqlite_transaction(self, write: bool) -> Iterator[Tx]:
        conn = self.checkout(write)
        try:
            with conn.begin():
                tx = Tx(conn, self.dialect, self.cache)
                yield tx
                tx.flush()
        finally:
            if not conn.invalidated and conn.connection.dbapi_connection.in_transaction:
                # A COMMIT that failed (SQLITE_BUSY, a deferred constraint) ends
                # SQLAlchemy's transaction but leaves SQLite's open, holding the write
                # lock: pooled, every later BEGIN on it would fail and other processes
                # would wait on the lock for good. Closing the connection rolls it back.
                conn.invalidate()
            self.checkin(conn, write)

    def checkout(self, write: bool) -> Connection:
        """An idle SQLite connection of that kind (write: BEGIN IMMEDIATE), or a new one."""
        idle = self._idle[write]
        return idle.pop() if idle else \
            self.engine.connect().execution_options(sqlite_write=write)

    def checkin(self, conn: Connection, write: bool) -> None:
        """Keep a connection for the next transaction of its kind, or close it."""
        idle = self._idle[write]
        if self._closed or conn.invalidated or conn.in_transaction() or len(idle) >= 8:
            conn.close()
        else:
            idle.append(conn)

    @property
    def writelock(self) -> WriteLock | None:
        """The side-file lock writers take first (file databases on SQLite only)."""
        return self._writelock

    def close(self) -> None:
        self._closed = True
        if self._checkpointer is not None:
            self._checkpointer.stop()
        if self._writelock is not None:
            self._writelock.close()
        for idle in self._idle.values():
            while idle:
                idle.pop().close()
        self.engine.dispose()

    def schema_version(self) -> int:
        with self.engine.connect() as conn:
            conn.execution_options(sqlite_write=False)
            row = conn.execute(select(meta.c.value).where(meta.c.key == "schema_version")).first()
            return int(row[0]) if row else 0


def _on_rollback_to(conn: Connection, name: str, context: Any) -> None:
    """A Core savepoint (conn.begin_nested()) rolled back: the transaction's pending rows
    are newer than it (creating it wrote them), so they go too."""
    tx = conn.info.get("cs.tx")
    if tx is not None:
        tx.discard()


def open_store(url: str) -> Store:
    engine = dialects.make_engine(url)
    from .migrations import migrate
    try:
        migrate(engine)
    except BaseException:
        engine.dispose()
        raise
    return Store(engine, url)
