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


def test_a_batch_waits_for_another_process_without_blocking_the_loop(sqlite_store) -> None:
    """Another process holds the write lock: the batch waits for it in a helper thread
    while the event loop goes on (here: ticks), then runs, with the requests that came
    meanwhile in the same transaction, once the lock is released."""
    commits = _count_commits(sqlite_store)
    group = GroupCommit(sqlite_store)
    other = os.open(sqlite_store.engine.url.database + "-writer", os.O_RDWR)
    fcntl.flock(other, fcntl.LOCK_EX)  # another process's holder (its own open file)

    async def main():
        first = group.run(lambda tx: tx.insert(A, cus(1)) and 1)
        ticks = 0
        for _ in range(20):  # 0.2 s: the loop is never blocked by the wait
            await asyncio.sleep(0.01)
            ticks += 1
        assert not first.done()
        second = group.run(lambda tx: tx.insert(A, cus(2)) and 2)
        await asyncio.sleep(0.01)
        fcntl.flock(other, fcntl.LOCK_UN)
        return ticks, await asyncio.wait_for(asyncio.gather(first, second), 10)

    try:
        ticks, results = _run(main)
    finally:
        os.close(other)
    assert ticks == 20 and results == [1, 2]
    assert commits[0] == 1  # both in the batch that waited
    with sqlite_store.transaction(write=False) as tx:
        assert ids(tx.list(A, "customer").data) == ["cus_2", "cus_1"]
    # The lock was handed back: a blocking writer gets it at once.
    with sqlite_store.transaction() as tx:
        tx.insert(A, cus(3))


def test_pending_rows_follow_savepoints_and_reads(sqlite_store) -> None:
    """New objects are written behind (Tx._pending): a read by id sees them, a save folds
    into them, a list (any other statement) writes them first, and a savepoint's rollback
    drops only those made after it."""
    with sqlite_store.transaction() as tx:
        tx.insert(A, cus(1))
        assert tx.get(A, "cus_1")["id"] == "cus_1" and tx.owner_of("cus_1") == A
        assert tx.get("acct_other", "cus_1") is None and tx.get(A, "cus_1", "charge") is None
        changed = dict(cus(1), name="Jenny")
        tx.save(A, changed)
        assert tx.get(A, "cus_1")["name"] == "Jenny"
        savepoint = tx.savepoint()
        tx.insert(A, cus(2))
        savepoint.rollback()
        assert tx.get(A, "cus_2") is None
        savepoint = tx.savepoint()
        tx.insert(A, cus(3))
        assert ids(tx.list(A, "customer").data) == ["cus_3", "cus_1"]  # flushed first
        savepoint.commit()
        tx.insert(A, cus(4))
    with sqlite_store.transaction(write=False) as tx:
        assert ids(tx.list(A, "customer").data) == ["cus_4", "cus_3", "cus_1"]
        assert tx.get(A, "cus_1")["name"] == "Jenny"
