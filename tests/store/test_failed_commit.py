"""A COMMIT that fails (SQLITE_BUSY, a deferred constraint) ends SQLAlchemy's transaction
but can leave SQLite's open, with the database's write lock held. The store must not put
such a connection back in its pool: the next transaction on it would fail ("cannot start
a transaction within a transaction") and every other connection, in this process or
another, would wait on the lock until its busy timeout."""
from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from sqlalchemy import event

from connect_sandbox.store import open_store

from .helpers import A, cus


def test_a_failed_commit_leaves_no_open_transaction_behind(tmp_path: Path) -> None:
    path = tmp_path / "failed_commit.db"
    store = open_store(f"sqlite:///{path}")
    fail = [True]

    @event.listens_for(store.engine, "commit")
    def _commit(conn):  # noqa: ANN001  (raised before the DB-API commit, as a failed COMMIT)
        if fail[0]:
            fail[0] = False
            raise sqlite3.OperationalError("database is locked")

    try:
        with pytest.raises(Exception, match="database is locked"):
            with store.transaction(write=True) as tx:
                tx.insert(A, cus(1))
        # the write lock is free for another process at once
        other = sqlite3.connect(path, timeout=0.5)
        try:
            other.execute("BEGIN IMMEDIATE")
            other.rollback()
        finally:
            other.close()
        # the failed transaction's write did not land; the next one works and lands
        with store.transaction(write=True) as tx:
            assert tx.get(A, "cus_1") is None
            tx.insert(A, cus(2))
        with store.transaction(write=False) as tx:
            assert tx.get(A, "cus_2") is not None and tx.get(A, "cus_1") is None
    finally:
        store.close()
