"""What differs between SQLite and PostgreSQL: engine set-up, pragmas, ON CONFLICT, locks.

SQLite serialises writers with BEGIN IMMEDIATE, so row and advisory locks are no-ops there.
PostgreSQL runs at READ COMMITTED (set explicitly, whatever the server default): every
statement sees the latest committed rows, and SELECT ... FOR UPDATE or an advisory lock
serialises a read-modify-write across processes and hosts."""
from __future__ import annotations

import os
import sqlite3
import time
from pathlib import Path

from sqlalchemy import Table, create_engine, event, exc, text
from sqlalchemy.engine import Connection, Engine

from . import changes
from .checkpointer import AUTOCHECKPOINT_PAGES

_CHANGES_AT_BEGIN = "cs_total_changes_at_begin"


def normalise_url(url: str) -> str:
    if url.startswith("postgresql://") or url.startswith("postgres://"):
        return "postgresql+psycopg://" + url.split("://", 1)[1]
    return url


def make_engine(url: str) -> Engine:
    url = normalise_url(url)
    if url.startswith("sqlite"):
        path = url.split("///", 1)[1] if "///" in url else ""
        if path and path != ":memory:":
            Path(os.path.dirname(os.path.abspath(path))).mkdir(parents=True, exist_ok=True)
        engine = create_engine(url, connect_args={"check_same_thread": False, "timeout": 30},
                               pool_size=4, max_overflow=8)
        _sqlite_events(engine)
        return engine
    if url.startswith("postgresql"):
        return create_engine(url, pool_size=8, max_overflow=8, pool_pre_ping=True,
                             isolation_level="READ COMMITTED")
    raise ValueError(f"unsupported database URL: {url!r} (use sqlite:///path or postgresql://...)")


def _enable_wal(cur: sqlite3.Cursor, attempts: int = 200) -> None:
    """Switch the file to WAL. Once a file is in WAL mode the setting sticks, so the
    common case is one unlocked read. On a fresh file several processes (or pool
    connections) may race to switch it; SQLite can answer that race with SQLITE_BUSY at
    once, without calling the busy handler, so the switch is retried for up to ~10 s."""
    for attempt in range(attempts):
        try:
            if cur.execute("PRAGMA journal_mode").fetchone()[0].lower() == "wal":
                return
            cur.execute("PRAGMA journal_mode=WAL")
            return
        except sqlite3.OperationalError as e:
            if "locked" not in str(e) and "busy" not in str(e):
                raise
            if attempt == attempts - 1:
                raise
            time.sleep(0.05)


def _sqlite_events(engine: Engine) -> None:
    @event.listens_for(engine, "connect")
    def _connect(dbapi_conn, _record):  # noqa: ANN001
        dbapi_conn.isolation_level = None  # we issue BEGIN ourselves
        cur = dbapi_conn.cursor()
        _enable_wal(cur)
        # NORMAL in WAL mode: a committed transaction survives a process crash (kill -9);
        # only an OS crash or power loss can lose the last few commits.
        cur.execute("PRAGMA synchronous=NORMAL")
        cur.execute("PRAGMA busy_timeout=30000")
        # Checkpoints run on the store's background thread (store/checkpointer.py); a
        # connection checkpoints by itself only if the WAL grows far past SQLite's 1,000.
        cur.execute(f"PRAGMA wal_autocheckpoint={AUTOCHECKPOINT_PAGES}")
        # The savepoint every API request opens needs a sub-journal; on disk SQLite made
        # it a temp file in /var/tmp (open + unlink) every few requests (strace, see
        # benchmarks/README.md). In memory it costs no syscalls; every query is indexed,
        # so no large sort or temp table lands there.
        cur.execute("PRAGMA temp_store=MEMORY")
        cur.close()

    @event.listens_for(engine, "begin")
    def _begin(conn):  # noqa: ANN001
        # Writers take the write lock up front so that read-then-write is serialised
        # across processes and never fails half way with SQLITE_BUSY on upgrade.
        write = conn.get_execution_options().get("sqlite_write", True)
        sql = "BEGIN IMMEDIATE" if write else "BEGIN"
        # On the DB-API connection: exec_driver_sql measured ~15 us of the ~25 us a
        # request's BEGIN cost (benchmarks/README.md); errors keep SQLAlchemy's types.
        dbapi = conn.connection.dbapi_connection
        try:
            dbapi.execute(sql)
        except sqlite3.Error as e:
            raise exc.DBAPIError.instance(sql, (), e, sqlite3.Error) from e
        info = conn.info
        info[_CHANGES_AT_BEGIN] = dbapi.total_changes
        info.pop(changes.LOGGED, None)  # a batch's mark, left by a batch that failed late

    @event.listens_for(engine, "commit")
    def _commit(conn):  # noqa: ANN001
        # Before the COMMIT: a transaction that changed rows and did not list them in
        # the change log (store/changes.py) says there that anything may have changed.
        info = conn.info
        if info.pop(changes.LOGGED, False):
            return
        dbapi = conn.connection.dbapi_connection
        if dbapi.total_changes != info.get(_CHANGES_AT_BEGIN):
            try:
                changes.log_unknown(dbapi)
            except sqlite3.OperationalError as e:  # before migrate() has created it
                if "no such table" not in str(e):
                    raise


def insert_ignore(dialect: str, table: Table):
    if dialect == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    else:
        from sqlalchemy.dialects.sqlite import insert
    return insert(table).on_conflict_do_nothing()


def xact_lock(conn: Connection, name: str) -> None:
    """Hold a lock named `name` until the current transaction ends (PostgreSQL); a no-op on
    SQLite, where a write transaction already holds the database's only write lock."""
    if conn.dialect.name == "postgresql":
        conn.execute(text("SELECT pg_advisory_xact_lock(hashtextextended(:name, 0))"),
                     {"name": name})


def try_xact_lock(conn: Connection, name: str) -> bool:
    """Like xact_lock, but answer False at once instead of waiting when another
    transaction holds the lock (PostgreSQL). Always True on SQLite."""
    if conn.dialect.name != "postgresql":
        return True
    return bool(conn.execute(text("SELECT pg_try_advisory_xact_lock(hashtextextended(:name, 0))"),
                             {"name": name}).scalar())
