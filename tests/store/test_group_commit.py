"""Group commit (SQLite): the writes ready together share one transaction, each in its
own savepoint, and every one is answered only after that transaction committed.
And the side-file write lock that lets writers of several processes wait without
polling."""
from __future__ import annotations

import asyncio
import fcntl
import os
import threading
from pathlib import Path

import pytest
from sqlalchemy import event

from connect_sandbox.store import open_store
from connect_sandbox.store.group_commit import MAX_BATCH, GroupCommit
from connect_sandbox.store.writelock import WriteLock

from .helpers import A, cus, ids


@pytest.fixture
def sqlite_store(tmp_path: Path):
    store = open_store(f"sqlite:///{tmp_path / 'gc.db'}")
    yield store
    store.close()


def _run(main):
    """asyncio.run(main()) on a thread of its own: the session's browser tests keep an
    event loop running on the main thread (Playwright's sync API)."""
    out: list = []
    thread = threading.Thread(target=lambda: out.append(asyncio.run(main())))
    thread.start()
    thread.join(timeout=30)
    assert out, "the event loop did not finish"
    return out[0]


def _count_commits(store) -> list[int]:
    commits = [0]

    @event.listens_for(store.engine, "commit")
    def _on_commit(conn):  # noqa: ANN001
        commits[0] += 1
    return commits


def test_ready_writes_share_one_commit_and_a_failure_stays_its_own(sqlite_store) -> None:
    commits = _count_commits(sqlite_store)
    group = GroupCommit(sqlite_store)

    def insert(n: int):
        def work(tx):
            tx.insert(A, cus(n))
            return n
        return work

    def fail(tx):
        tx.insert(A, cus(99))
        raise RuntimeError("this request failed")

    def sees_earlier(tx):  # runs after insert(1) in the same transaction
        return tx.get(A, "cus_1") is not None

    async def main():
        futures = [group.run(insert(1)), group.run(fail), group.run(insert(2)),
                   group.run(sees_earlier)]
        return await asyncio.gather(*futures, return_exceptions=True)

    one, failed, two, saw = _run(main)
    assert (one, two, saw) == (1, 2, True)
    assert isinstance(failed, RuntimeError)
    assert commits[0] == 1
    with sqlite_store.transaction(write=False) as tx:
        assert ids(tx.list(A, "customer").data) == ["cus_2", "cus_1"]  # not cus_99


def test_a_failed_commit_fails_every_request_of_the_batch(sqlite_store) -> None:
    group = GroupCommit(sqlite_store)

    @event.listens_for(sqlite_store.engine, "commit")
    def _boom(conn):  # noqa: ANN001
        raise OSError("disk full")

    def insert(n: int):
        return lambda tx: tx.insert(A, cus(n))

    async def main():
        return await asyncio.gather(group.run(insert(1)), group.run(insert(2)),
                                    return_exceptions=True)

    results = _run(main)
    assert all(isinstance(r, OSError) for r in results)
    event.remove(sqlite_store.engine, "commit", _boom)
    with sqlite_store.transaction(write=False) as tx:
        assert tx.list(A, "customer").data == []


def test_batches_are_bounded(sqlite_store) -> None:
    commits = _count_commits(sqlite_store)
    group = GroupCommit(sqlite_store)
    n = MAX_BATCH * 2 + 3

    async def main():
        return await asyncio.gather(*[group.run(lambda tx, i=i: tx.insert(A, cus(i)))
                                      for i in range(n)])

    _run(main)
    assert commits[0] == 3
    with sqlite_store.transaction(write=False) as tx:
        assert len(tx.list(A, "customer", limit=100).data) == n


def test_write_lock_excludes_other_holders_until_released(tmp_path: Path) -> None:
    db = str(tmp_path / "x.db")
    lock = WriteLock(db)
    other = os.open(db + "-writer", os.O_RDWR)
    try:
        with lock.held():
            with lock.held():  # the same thread again: no self-deadlock
                pass
            with pytest.raises(BlockingIOError):
                fcntl.flock(other, fcntl.LOCK_EX | fcntl.LOCK_NB)
        fcntl.flock(other, fcntl.LOCK_EX | fcntl.LOCK_NB)  # free again
        fcntl.flock(other, fcntl.LOCK_UN)
    finally:
        os.close(other)
        lock.close()
