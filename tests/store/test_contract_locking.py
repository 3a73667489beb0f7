"""The store contract, part two: transactions, locking and migrations, on SQLite and
PostgreSQL. Writers on SQLite are serialised by BEGIN IMMEDIATE; on PostgreSQL by row and
advisory locks. Every wait here is bounded."""
from __future__ import annotations

import threading
import time
from typing import Any, Callable

import pytest
from sqlalchemy import func, select, text

from connect_sandbox.store import Store, open_store
from connect_sandbox.store.migrations import migrate
from connect_sandbox.store.schema import SCHEMA_VERSION, meta

from .helpers import A, cus, fill, ids, run_threads


def test_platform_account_concurrent(store: Store) -> None:
    def claim(i: int) -> str:
        with store.transaction() as tx:
            return tx.platform_account("race", f"acct_{i}", 1)
    results = run_threads(4, claim)
    assert len(set(results)) == 1 and results[0].startswith("acct_")


# -- transactions and locking ----------------------------------------------------------

def test_rollback_leaves_nothing(store: Store) -> None:
    with pytest.raises(RuntimeError), store.transaction() as tx:
        tx.insert(A, cus(1))
        tx.idem_put(A, "k", "fp", 200, "{}", now=1)
        tx.platform_account("p", "acct_p", 1)
        raise RuntimeError("boom")
    with store.transaction(write=False) as tx:
        assert tx.get(A, "cus_1") is None and tx.owner_of("cus_1") is None
        assert tx.idem_get(A, "k") is None
        assert tx.list(A, "customer").data == []
    with store.transaction() as tx:
        assert tx.platform_account("p", "acct_second", 2) == "acct_second"


def test_savepoint_rollback_keeps_outer_writes(store: Store) -> None:
    with store.transaction() as tx:
        tx.insert(A, cus(1))
        savepoint = tx.conn.begin_nested()
        tx.insert(A, cus(2))
        savepoint.rollback()
        tx.insert(A, cus(3))
    with store.transaction(write=False) as tx:
        assert ids(tx.list(A, "customer").data) == ["cus_3", "cus_1"]


def _wait_until_blocked(store: Store, done: threading.Event) -> None:
    """Give the second transaction time to reach its lock; on PostgreSQL, wait until
    the server reports a backend waiting on a lock."""
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline and not done.is_set():
        if store.dialect != "postgresql":
            time.sleep(0.3)
            return
        with store.engine.connect() as conn:
            waiting = conn.execute(text(
                "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
                "AND wait_event_type = 'Lock'")).scalar()
        if waiting:
            return
        time.sleep(0.02)
    raise AssertionError("the second transaction never blocked")


def _second_writer(store: Store, body: Callable[[Any], Any], out: list[Any],
                   done: threading.Event) -> threading.Thread:
    def run() -> None:
        try:
            with store.transaction() as tx:
                if store.dialect == "postgresql":  # bound the wait if the test goes wrong
                    tx.conn.execute(text("SET LOCAL lock_timeout = '10s'"))
                out.append(body(tx))
        except BaseException as exc:  # noqa: BLE001 - checked by the test thread
            out.append(exc)
        finally:
            done.set()
    thread = threading.Thread(target=run)
    thread.start()
    return thread


def test_get_for_update_serialises_writers(store: Store) -> None:
    with store.transaction() as tx:
        tx.insert(A, cus(1, count=0))

    def increment(tx: Any) -> int:
        obj = tx.get(A, "cus_1", for_update=True)
        obj["count"] += 1
        tx.save(A, obj)
        return obj["count"]

    out: list[Any] = []
    done = threading.Event()
    with store.transaction() as tx:
        obj = tx.get(A, "cus_1", for_update=True)
        thread = _second_writer(store, increment, out, done)
        _wait_until_blocked(store, done)
        assert not done.is_set(), f"second writer did not wait: {out}"
        obj["count"] += 1
        tx.save(A, obj)
    thread.join(15)
    assert not thread.is_alive()
    assert out == [2]
    with store.transaction(write=False) as tx:
        assert tx.get(A, "cus_1")["count"] == 2


def test_idem_lock_serialises_same_key(store: Store) -> None:
    def claim(tx: Any) -> Any:
        tx.idem_lock(A, "k")
        return tx.idem_get(A, "k")

    out: list[Any] = []
    done = threading.Event()
    with store.transaction() as tx:
        tx.idem_lock(A, "k")
        assert tx.idem_get(A, "k") is None
        thread = _second_writer(store, claim, out, done)
        _wait_until_blocked(store, done)
        assert not done.is_set(), f"second request did not wait: {out}"
        tx.idem_put(A, "k", "fp", 200, "{}", now=1)
    thread.join(15)
    assert not thread.is_alive()
    assert out == [("fp", 200, "{}")]


# -- migrations ------------------------------------------------------------------------

def _meta_rows(store: Store) -> list[tuple[str, str]]:
    with store.engine.connect() as conn:
        return [tuple(r) for r in conn.execute(select(meta.c.key, meta.c.value))]


def test_schema_version_recorded(store: Store) -> None:
    assert store.schema_version() == SCHEMA_VERSION
    assert _meta_rows(store) == [("schema_version", str(SCHEMA_VERSION))]


def test_migrate_twice_is_harmless(store: Store, store_url: str) -> None:
    fill(store, 2)
    migrate(store.engine)
    migrate(store.engine)
    again = open_store(store_url)
    try:
        assert again.schema_version() == SCHEMA_VERSION
        with again.transaction(write=False) as tx:
            assert ids(tx.list(A, "customer").data) == ["cus_2", "cus_1"]
    finally:
        again.close()
    assert _meta_rows(store) == [("schema_version", str(SCHEMA_VERSION))]


def test_concurrent_migrate_on_fresh_database(store_url: str) -> None:
    stores = run_threads(4, lambda _i: open_store(store_url))
    try:
        assert [s.schema_version() for s in stores] == [SCHEMA_VERSION] * 4
        assert _meta_rows(stores[0]) == [("schema_version", str(SCHEMA_VERSION))]
        fill(stores[1], 1)
        with stores[2].transaction(write=False) as tx:
            assert ids(tx.list(A, "customer").data) == ["cus_1"]
        with stores[3].engine.connect() as conn:
            assert conn.execute(select(func.count()).select_from(meta)).scalar() == 1
    finally:
        for s in stores:
            if s is not None:
                s.close()


def test_newer_schema_refused(store: Store, store_url: str) -> None:
    with store.engine.connect() as conn, conn.begin():
        conn.execute(meta.update().values(value=str(SCHEMA_VERSION + 1)))
    with pytest.raises(RuntimeError, match="newer"):
        open_store(store_url).close()


def _index_sql(store: Store, name: str) -> str:
    with store.engine.connect() as conn:
        if store.dialect == "sqlite":
            return conn.execute(text("SELECT sql FROM sqlite_master WHERE name = :n"),
                                {"n": name}).scalar()
        return conn.execute(text("SELECT indexdef FROM pg_indexes WHERE indexname = :n "
                                 "AND schemaname = current_schema()"), {"n": name}).scalar()


def test_version_1_database_migrates_to_partial_indexes(store: Store, store_url: str) -> None:
    # A version-1 database: the parent and lookup indexes over every row.
    with store.engine.connect() as conn, conn.begin():
        for col in ("parent", "lookup"):
            conn.execute(text(f"DROP INDEX ix_cs_objects_{col}"))
            conn.execute(text(f"CREATE INDEX ix_cs_objects_{col} ON cs_objects "
                              f"(account, type, {col}, seq)"))
        conn.execute(meta.update().values(value="1"))
    assert "WHERE" not in _index_sql(store, "ix_cs_objects_parent").upper()
    with store.transaction() as tx:
        tx.insert(A, cus(1), lookup="jenny@example.com")
        tx.insert(A, {"id": "card_1", "object": "card"}, parent="cus_1")
        tx.insert(A, {"id": "card_2", "object": "card"})
    again = open_store(store_url)  # migrates at start-up
    try:
        assert again.schema_version() == 2 == SCHEMA_VERSION
        for col in ("parent", "lookup"):
            assert f"{col} IS NOT NULL" in _index_sql(again, f"ix_cs_objects_{col}")
        with again.transaction(write=False) as tx:
            assert ids(tx.children(A, "card", "cus_1")) == ["card_1"]
            assert ids(tx.list(A, "customer", lookup="jenny@example.com").data) == ["cus_1"]
            assert ids(tx.list(A, "card").data) == ["card_2", "card_1"]
    finally:
        again.close()
