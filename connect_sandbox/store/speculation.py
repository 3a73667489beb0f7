"""Speculation (SQLite): a write request runs first on a read snapshot, outside the write
lock, and only its outcome is written under the lock, after checking that what it read
has not changed.

Why: on SQLite one transaction writes at a time, across every process sharing the file.
With the service logic inside the write transaction, two workers took the lock in turns
and one of them was inside a batch 88% of the time: the second core had little to do
(benchmarks/README.md, "Flow round"). Run speculatively, the logic of a request runs in
parallel with the other process's batch, and the locked part is only checking its reads
and writing its rows.

How it stays exact:
- SpecTx reads from a snapshot (a read transaction begun when the request arrived, so
  it sees every write answered before) and records each read with its answer: an
  object's stored body (or its absence), an existence check, an owner, an idempotency
  row, or the rows of a fixed SELECT.
- Its writes are kept, never executed: new objects pending as in Tx, saves of stored
  objects in an overlay that its own later reads see, other statements in a log, and
  what must happen after the commit (waking the webhook workers) with them.
- Under the write lock, replay() reads every recorded read again, in the batch's
  transaction (which sees the writes of the batch's earlier requests), and compares the
  answers; except those the change log (store/changes.py) shows nothing has changed
  since the snapshot, neither a commit since nor an earlier request of the batch. The
  request's behaviour is a function of those answers (and of the clock and random ids,
  which it already drew), so if all are the same, its writes are the ones it would
  make now: they are written, and its answer is sent. If any differs, or a
  write is refused, its savepoint is rolled back and the request runs again under the
  lock, as it did before speculation existed.
- Anything SpecTx cannot record or defer (a list query, a statement through the raw
  connection, a delete, a webhook endpoint write, a job) raises NeedsWriteLock, a
  BaseException that no service code catches: the request then simply runs under the
  lock. So a rare path costs one wasted speculation, never a wrong answer.
- A request that ends in an error has written nothing (its savepoint would be rolled
  back), so its answer is sent at once, as read on its snapshot.
"""
from __future__ import annotations

from typing import Any, Callable

from sqlalchemy import exc
from sqlalchemy.engine import Connection

from .changes import UNLISTED_ONLY, Changed
from .hot import OBJECT_LIMITS, STATEMENTS, IDEM_LIMITS, check
from .schema import idempotency, objects
from .sql import Store, Tx, _dump, _load

_SQL = STATEMENTS["sqlite"]


class NeedsWriteLock(BaseException):
    """This request does something a snapshot cannot answer: run it under the lock.
    A BaseException, so that no `except Exception` in a service swallows it."""


class SpecTx(Tx):
    """A Tx on a read snapshot that records its reads and keeps its writes (see the
    module). Only the methods a request's hot path uses are answered; every other way to
    the database (`conn`, `raw`) raises NeedsWriteLock."""

    def __init__(self, conn: Connection, cache: dict[str, Any]):
        # Tx's own fields, without registering for Core savepoint events (never used
        # here: `conn` raises).
        self._conn = conn
        self.dialect = "sqlite"
        self.cache = cache
        self.local: dict[str, Any] = {}
        self._raw = None
        self._pending: dict[str, list[Any]] = {}
        self._db = conn.connection.dbapi_connection
        self.reads: list[tuple[Any, ...]] = []
        self.writes: list[tuple[Any, ...]] = []
        self.saved: dict[str, list[Any]] = {}  # id -> [account, type, body] saved here
        self.mark: tuple[int, int] | None = None  # the change log's newest row (changes.py)

    # -- what is not answered on a snapshot ----------------------------------------
    @property
    def conn(self) -> Connection:
        raise NeedsWriteLock("a statement of its own")

    @property
    def raw(self):  # noqa: ANN201
        raise NeedsWriteLock("a raw statement")

    def flush(self) -> None:
        pass  # nothing is written here; replay() hands the pending rows over

    def tombstone(self, account: str, obj: dict[str, Any]) -> None:
        raise NeedsWriteLock("delete")

    def delete(self, account: str, obj_id: str) -> None:
        raise NeedsWriteLock("delete")

    def webhook_endpoints_changed(self) -> None:
        raise NeedsWriteLock("webhook endpoint")

    # -- reads ---------------------------------------------------------------------
    def _fetch(self, name: str, params: tuple[Any, ...]) -> Any:
        row = self._db.execute(_SQL[name], params).fetchone()
        return row[0] if row else None

    def _own(self, obj_id: str) -> list[Any] | None:
        """[account, type, body] of an object this request created or saved."""
        pending = self._pending.get(obj_id)
        if pending is not None:
            return [pending[0], pending[1], pending[5]]
        return self.saved.get(obj_id)

    def get(self, account: str, obj_id: str, type_: str | None = None, *,
            for_update: bool = False) -> dict[str, Any] | None:
        own = self._own(obj_id) if (self._pending or self.saved) else None
        if own is not None:
            if own[0] != account or (type_ is not None and own[1] != type_):
                return None
            return _load(own[2])
        if type_ is None:
            body = self._fetch("get", (obj_id, account))
        else:
            body = self._fetch("get_typed", (obj_id, account, type_))
        self.reads.append(("body", account, obj_id, type_, body))
        return _load(body) if body is not None else None

    def exists(self, account: str, obj_id: str, type_: str) -> bool:
        own = self._own(obj_id) if (self._pending or self.saved) else None
        if own is not None:
            return own[0] == account and own[1] == type_
        found = self._fetch("exists_typed", (obj_id, account, type_)) is not None
        self.reads.append(("exists", account, obj_id, type_, found))
        return found

    def owner_of(self, obj_id: str) -> str | None:
        own = self._own(obj_id) if (self._pending or self.saved) else None
        if own is not None:
            return own[0]
        owner = self._fetch("owner_of", (obj_id,))
        self.reads.append(("owner", obj_id, owner))
        return owner

    def select(self, sql: str, params: tuple[Any, ...]) -> list[tuple[Any, ...]]:
        rows = [tuple(r) for r in self._db.execute(sql, params).fetchall()]
        self.reads.append(("rows", sql, params, rows))
        return rows

    def idem_get(self, account: str, key: str) -> tuple[str, int | None, str | None] | None:
        row = self._db.execute(_SQL["idem_get"], (account, key)).fetchone()
        found = (row[0], row[1], row[2]) if row else None
        self.reads.append(("idem", account, key, found))
        return found

    # -- writes (kept) -------------------------------------------------------------
    def insert(self, account: str, obj: dict[str, Any], *, parent: str | None = None,
               lookup: str | None = None) -> dict[str, Any]:
        if obj["object"] == "webhook_endpoint" or obj["id"] in self._pending \
                or obj["id"] in self.saved:
            raise NeedsWriteLock("insert")
        return super().insert(account, obj, parent=parent, lookup=lookup)

    def save(self, account: str, obj: dict[str, Any], *, parent: str | None = None,
             lookup: str | None = None, keep_index: bool = True) -> dict[str, Any]:
        obj_id = obj["id"]
        pending = self._pending.get(obj_id) if self._pending else None
        if pending is not None and pending[0] == account:
            return super().save(account, obj, parent=parent, lookup=lookup,
                                keep_index=keep_index)
        if obj.get("object") == "webhook_endpoint" or pending is not None:
            raise NeedsWriteLock("save")
        if not keep_index:
            check(objects.name, OBJECT_LIMITS, "parent", parent)
            check(objects.name, OBJECT_LIMITS, "lookup", lookup)
        body = _dump(obj)
        saved = self.saved.get(obj_id)
        if saved is not None and saved[0] != account:
            raise NeedsWriteLock("save")
        self.saved[obj_id] = [account, obj.get("object"), body]
        self.writes.append(("save", account, obj_id, body, keep_index, parent, lookup))
        return obj

    def execute(self, sql: str, params: tuple[Any, ...]) -> None:
        self.writes.append(("sql", sql, params))

    def idem_put(self, account: str, key: str, fingerprint: str, status: int, body: str,
                 now: int) -> None:
        for name, value in (("account", account), ("key", key), ("fingerprint", fingerprint)):
            check(idempotency.name, IDEM_LIMITS, name, value)
        self.writes.append(("idem_put", (account, key, fingerprint, status, body, now)))

    def on_commit(self, fn: Callable[[], None]) -> None:
        self.writes.append(("call", fn))

    def savepoint(self) -> "SpecSavepoint":
        return SpecSavepoint(self)

    @property
    def wrote(self) -> bool:
        return bool(self._pending or self.writes)


class SpecSavepoint:
    """A savepoint of a SpecTx: its state, put back on rollback."""

    __slots__ = ("tx", "pending", "saved", "writes")

    def __init__(self, tx: SpecTx):
        self.tx = tx
        self.pending = {k: list(v) for k, v in tx._pending.items()} if tx._pending else {}
        self.saved = {k: list(v) for k, v in tx.saved.items()} if tx.saved else {}
        self.writes = len(tx.writes)

    def commit(self) -> None:
        pass

    def rollback(self) -> None:
        tx = self.tx
        tx._pending, tx.saved = self.pending, self.saved
        del tx.writes[self.writes:]


def begin(store: Store) -> SpecTx:
    """A SpecTx on a read transaction begun now; end it with end() (not a context
    manager: a measured hot path). On a connection that writes, when idle: its page
    cache stays valid across this process's own commits (another connection's cache is
    dropped at each of them)."""
    conn = store.checkout(True)
    # On the DB-API connection, as the begin event does: the SpecTx makes its reads
    # itself, without SQLAlchemy's transaction object.
    try:
        conn.connection.dbapi_connection.execute("BEGIN")
    except BaseException:
        conn.invalidate()
        conn.close()
        raise
    return SpecTx(conn, store.cache)


def end(store: Store, tx: SpecTx) -> None:
    conn = tx._conn
    try:
        conn.connection.dbapi_connection.execute("ROLLBACK")
    except Exception:
        conn.invalidate()
    store.checkin(conn, True)


def _still(tx: Tx, read: tuple[Any, ...]) -> bool:
    """Does `read` get the same answer in tx (the batch's write transaction)?"""
    kind = read[0]
    if kind == "body":
        _, account, obj_id, type_, body = read
        pending = tx._pending.get(obj_id) if tx._pending else None
        if pending is not None:
            now = pending[5] if pending[0] == account and type_ in (None, pending[1]) else None
        elif type_ is None:
            row = tx.raw.run("get", (obj_id, account)).fetchone()
            now = row[0] if row else None
        else:
            row = tx.raw.run("get_typed", (obj_id, account, type_)).fetchone()
            now = row[0] if row else None
        return now == body
    if kind == "exists":
        return tx.exists(read[1], read[2], read[3]) == read[4]
    if kind == "owner":
        return tx.owner_of(read[1]) == read[2]
    if kind == "idem":
        # A key that was free: if it is taken now, the replayed INSERT of its row fails
        # (primary key), which is a conflict too. One statement less under the lock.
        return read[3] is None or tx.idem_get(read[1], read[2]) == read[3]
    return tx.select(read[1], read[2]) == read[3]  # "rows"


# Where a read of an object keeps the object's id (the others are always read again).
_OBJECT_ID = {"body": 2, "exists": 2, "owner": 1}


def replay(tx: Tx, spec: SpecTx, changed: Changed | None = None) -> bool:
    """Write what `spec` kept into tx if everything it read still reads the same; False
    (with some of it possibly written: the caller rolls its savepoint back) if not.
    With `changed` (the change log since the batch's speculations began), an object read
    is not read again when the log shows that nothing has changed the object since."""
    calls = []
    try:
        gen = spec.mark[0] if changed is not None and changed.fresh(spec.mark) else None
        for read in spec.reads:
            if gen is not None:
                kind = read[0]
                if kind == "rows":
                    if read[1] in UNLISTED_ONLY:
                        changed.vouched += 1
                        continue
                else:
                    at = _OBJECT_ID.get(kind)
                    if at is not None and changed.unchanged(read[at], gen):
                        changed.vouched += 1
                        continue
            if not _still(tx, read):
                return False
        raw = tx.raw
        for write in spec.writes:
            kind = write[0]
            if kind == "save":
                _, account, obj_id, body, keep_index, parent, lookup = write
                if keep_index:
                    res = raw.run("save", (body, obj_id, account))
                else:
                    res = raw.run("save_index", (body, parent, lookup, obj_id, account))
                if res.rowcount != 1:
                    return False
            elif kind == "sql":
                tx.execute(write[1], write[2])
            elif kind == "idem_put":
                raw.run("idem_put", write[1])
            else:  # "call"
                calls.append(write[1])
        for obj_id, row in spec._pending.items():
            if obj_id in tx._pending:
                return False
            tx._pending[obj_id] = row
        tx.flush()  # here, so that a refused row fails this request alone
    except exc.DBAPIError:
        return False
    for fn in calls:
        fn()
    return True
