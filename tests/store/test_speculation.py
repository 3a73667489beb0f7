"""Speculation (store/speculation.py): a write runs first on a snapshot, outside the write
lock; under it, its reads are checked and its writes replayed, or, if anything it read
has changed, it runs again under the lock. These drive GroupCommit on a real SQLite file,
with a second Store on the same file standing for another server process."""
from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from connect_sandbox.errors import InvalidRequestError
from connect_sandbox.store import open_store
from connect_sandbox.store.group_commit import GroupCommit

from .helpers import A, cus
from .test_group_commit import _run


@pytest.fixture
def db(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'spec.db'}"


@pytest.fixture
def store(db):
    s = open_store(db)
    yield s
    s.close()


def _counter(store, value: int = 0) -> None:
    with store.transaction() as tx:
        tx.insert(A, cus("counter", count=value))


def _read_counter(store) -> int:
    with store.transaction(write=False) as tx:
        return tx.get(A, "cus_counter", "customer")["count"]


def bump(seen: list | None = None, calls: list | None = None):
    """A read-then-write: the kind of request whose outcome depends on what it read
    (a single-use token, a capture, a balance)."""
    def work(tx):
        obj = tx.get(A, "cus_counter", "customer")
        if seen is not None:
            seen.append(obj["count"])
        obj["count"] += 1
        tx.save(A, obj)
        tx.insert(A, cus(f"after_{obj['count']}"))
        if calls is not None:
            tx.on_commit(lambda n=obj["count"]: calls.append(n))
        return obj["count"]
    return work


def test_a_speculated_write_is_replayed_and_answers_what_it_computed(store) -> None:
    _counter(store)
    group = GroupCommit(store, speculate=True)
    calls: list[int] = []

    async def main():
        return await group.run(bump(calls=calls))

    assert _run(main) == 1
    assert _read_counter(store) == 1
    assert calls == [1]  # after the replay, once
    assert group.stats["replayed"] == 1 and group.stats["conflicts"] == 0
    with store.transaction(write=False) as tx:
        assert tx.get(A, "cus_after_1", "customer") is not None


def test_two_writes_that_read_the_same_row_are_serialised(store) -> None:
    """Both speculate on one snapshot (n=0); the second's read no longer holds when it
    is replayed, so it runs again under the lock and sees the first's write."""
    _counter(store)
    group = GroupCommit(store, speculate=True)
    seen: list[int] = []
    calls: list[int] = []

    async def main():
        return await asyncio.gather(group.run(bump(seen, calls)), group.run(bump(seen, calls)))

    assert sorted(_run(main)) == [1, 2]
    assert _read_counter(store) == 2
    assert seen == [0, 0, 1]  # two speculations, one run again under the lock
    assert sorted(calls) == [1, 2]  # the failed speculation's callback never ran
    assert group.stats["conflicts"] == 1 and group.stats["replayed"] == 1


def test_a_write_by_another_process_between_snapshot_and_lock_is_seen(db, store) -> None:
    _counter(store)
    other = open_store(db)  # another server process on the same file
    group = GroupCommit(store, speculate=True)

    async def main():
        pending = group.run(bump())
        with other.transaction() as tx:  # commits before the batch takes the lock
            obj = tx.get(A, "cus_counter", "customer")
            obj["count"] = 41
            tx.save(A, obj)
        return await pending

    try:
        assert _run(main) == 42
    finally:
        other.close()
    assert _read_counter(store) == 42
    assert group.stats["conflicts"] == 1


def test_an_object_created_meanwhile_is_not_missed(db, store) -> None:
    """A read that found nothing is checked too: the object's absence was the answer."""
    other = open_store(db)
    group = GroupCommit(store, speculate=True)

    def create_once(tx):
        if tx.get(A, "cus_once", "customer") is not None:
            return "existed"
        tx.insert(A, cus("once"))
        return "created"

    async def main():
        pending = group.run(create_once)
        with other.transaction() as tx:
            tx.insert(A, cus("once"))
        return await pending

    try:
        assert _run(main) == "existed"
    finally:
        other.close()


def test_an_idempotency_key_taken_meanwhile_replays_the_first_answer(db, store) -> None:
    other = open_store(db)
    group = GroupCommit(store, speculate=True)

    def keyed(tx):
        found = tx.idem_get(A, "key-1")
        if found is not None:
            return ("replayed", found[2])
        tx.insert(A, cus("keyed_second"))
        tx.idem_put(A, "key-1", "fp", 200, "second", 1)
        return ("ran", "second")

    async def main():
        pending = group.run(keyed)
        with other.transaction() as tx:
            tx.idem_put(A, "key-1", "fp", 200, "first", 1)
        return await pending

    try:
        assert _run(main) == ("replayed", "first")
    finally:
        other.close()
    with store.transaction(write=False) as tx:
        assert tx.get(A, "cus_keyed_second", "customer") is None  # its rows never landed
        assert tx.idem_get(A, "key-1")[2] == "first"


def test_an_error_is_answered_from_the_snapshot_and_writes_nothing(store) -> None:
    group = GroupCommit(store, speculate=True)

    def fails(tx):
        tx.insert(A, cus("never"))
        raise InvalidRequestError("No such customer: 'cus_x'", param="customer")

    async def main():
        with pytest.raises(InvalidRequestError):
            await group.run(fails)

    _run(main)
    assert group.stats["answered"] == 1
    with store.transaction(write=False) as tx:
        assert tx.get(A, "cus_never", "customer") is None


def test_what_a_snapshot_cannot_answer_runs_under_the_lock(store) -> None:
    _counter(store)
    group = GroupCommit(store, speculate=True)

    def lists_then_writes(tx):
        page = tx.list(A, "customer", limit=5)  # a query: not recorded, so not speculated
        tx.insert(A, cus("listed"))
        return len(page.data)

    async def main():
        return await group.run(lists_then_writes)

    assert _run(main) == 1
    assert group.stats["locked"] == 1 and group.stats["replayed"] == 0
    with store.transaction(write=False) as tx:
        assert tx.get(A, "cus_listed", "customer") is not None


def test_a_savepoint_rolled_back_in_a_speculation_drops_its_writes_only(store) -> None:
    _counter(store)
    group = GroupCommit(store, speculate=True)

    def partial(tx):
        tx.insert(A, cus("kept"))
        obj = tx.get(A, "cus_counter", "customer")
        obj["count"] = 5
        tx.save(A, obj)
        savepoint = tx.savepoint()
        tx.insert(A, cus("dropped"))
        obj["count"] = 9
        tx.save(A, obj)
        assert tx.get(A, "cus_counter", "customer")["count"] == 9  # its own writes, read back
        savepoint.rollback()
        return tx.get(A, "cus_counter", "customer")["count"]

    async def main():
        return await group.run(partial)

    assert _run(main) == 5
    assert _read_counter(store) == 5
    with store.transaction(write=False) as tx:
        assert tx.get(A, "cus_kept", "customer") is not None
        assert tx.get(A, "cus_dropped", "customer") is None
    assert group.stats["replayed"] == 1


def test_an_unexpected_error_in_a_speculation_is_met_again_under_the_lock(store) -> None:
    """The speculation is not trusted with anything but a Stripe error: the request runs
    under the lock, where a lasting failure fails it and a passing one does not."""
    group = GroupCommit(store, speculate=True)
    runs: list[str] = []

    def flaky(tx):
        runs.append(type(tx).__name__)
        if len(runs) == 1:
            raise RuntimeError("once")
        tx.insert(A, cus("flaky"))
        return "ok"

    def broken(tx):
        raise RuntimeError("always")

    async def main():
        assert await group.run(flaky) == "ok"
        with pytest.raises(RuntimeError, match="always"):
            await group.run(broken)

    _run(main)
    assert runs == ["SpecTx", "Tx"]
    assert group.stats["locked"] == 2
    with store.transaction(write=False) as tx:
        assert tx.get(A, "cus_flaky", "customer") is not None
