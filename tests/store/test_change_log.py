"""The change log (store/changes.py): a batch re-reads only what a speculation read and
the log cannot vouch for. Each test first commits one batch, so that the speculations
that follow carry a mark, then has another writer (a second Store on the same file, as
another server process) change things between a speculation and its batch."""
from __future__ import annotations

import asyncio
import json
from pathlib import Path

import pytest

from connect_sandbox.store import open_store
from connect_sandbox.store.changes import Changed
from connect_sandbox.store.group_commit import GroupCommit

from .helpers import A, cus
from .test_group_commit import _run
from .test_speculation import _counter, _read_counter, bump, db, store  # noqa: F401


def _rows(store) -> list[tuple]:
    with store.transaction(write=False) as tx:
        return tx.select("SELECT gen, ids FROM cs_changes ORDER BY gen", ())


def _warm(group: GroupCommit) -> None:
    """One batch, so that the group has a mark for its next speculations."""
    async def main():
        return await group.run(lambda tx: tx.insert(A, cus("warm")))
    _run(main)


def _meanwhile(group: GroupCommit, work, between) -> object:
    """Run work through the group; between() runs after its speculation and before its
    batch takes the lock (what another process commits then)."""
    async def main():
        pending = group.run(work)
        between()
        return await pending
    return _run(main)


def _other_writes(db: str, how: str, work) -> None:
    """Commit work(tx) from another process: a plain transaction (logged as "may have
    changed anything"), or a speculated batch (logged with the ids it wrote)."""
    other = open_store(db)
    try:
        if how == "plain":
            with other.transaction() as tx:
                work(tx)
        else:  # its own event loop, on a thread of its own (_run)
            group = GroupCommit(other, speculate=True)

            async def main():
                await group.run(lambda tx: tx.insert(A, cus("other_warm")))
                return await group.run(work)
            _run(main)
            assert group.stats["replayed"] >= 1
    finally:
        other.close()


def test_every_write_transaction_leaves_a_row_and_a_read_leaves_none(store) -> None:
    before = _rows(store)
    with store.transaction() as tx:
        tx.insert(A, cus("plain"))
    with store.transaction(write=False) as tx:
        tx.get(A, "cus_plain", "customer")
    with store.transaction() as tx:  # a write transaction that changed nothing
        tx.get(A, "cus_plain", "customer")
    after = _rows(store)
    assert len(after) == len(before) + 1
    assert after[-1][1] is None  # a plain write cannot list what it changed

    group = GroupCommit(store, speculate=True)
    _warm(group)
    _counter(store, 5)
    async def main():
        return await group.run(bump())
    assert _run(main) == 6
    last = _rows(store)[-1]
    assert last[1] is not None and set(json.loads(last[1])) == {"cus_counter", "cus_after_6"}


def test_reads_of_unchanged_objects_are_vouched_for(db, store) -> None:
    _counter(store)
    group = GroupCommit(store, speculate=True)
    _warm(group)

    def between():
        # another process's speculated batch, writing other objects meanwhile
        _other_writes(db, "speculated", lambda tx: tx.insert(A, cus("elsewhere")))

    assert _meanwhile(group, bump(), between) == 1
    assert group.stats["conflicts"] == 0
    assert group.stats["vouched"] >= 1  # cus_counter was not read again
    assert _read_counter(store) == 1


@pytest.mark.parametrize("how", ["plain", "speculated"])
def test_a_change_by_another_process_after_the_mark_is_seen(db, store, how) -> None:
    _counter(store)
    group = GroupCommit(store, speculate=True)
    _warm(group)

    def set_41(tx):
        obj = tx.get(A, "cus_counter", "customer")
        obj["count"] = 41
        tx.save(A, obj)

    assert _meanwhile(group, bump(), lambda: _other_writes(db, how, set_41)) == 42
    assert _read_counter(store) == 42
    assert group.stats["conflicts"] == 1


@pytest.mark.parametrize("how", ["plain", "speculated"])
def test_an_object_created_by_another_process_after_the_mark_is_seen(db, store, how) -> None:
    group = GroupCommit(store, speculate=True)
    _warm(group)

    def create_once(tx):
        if tx.get(A, "cus_once", "customer") is not None:
            return "existed"
        tx.insert(A, cus("once"))
        return "created"

    assert _meanwhile(group, create_once, lambda: _other_writes(db, how, create_once)) == "existed"
    assert group.stats["conflicts"] == 1


def test_an_earlier_request_of_the_same_batch_is_seen(store) -> None:
    _counter(store)
    group = GroupCommit(store, speculate=True)
    _warm(group)
    seen: list[int] = []

    async def main():
        return await asyncio.gather(group.run(bump(seen)), group.run(bump(seen)))

    assert sorted(_run(main)) == [1, 2]
    assert seen == [0, 0, 1]
    assert group.stats["conflicts"] == 1 and _read_counter(store) == 2


def test_a_pruned_or_reset_log_makes_the_batch_read_everything_again(db, store) -> None:
    _counter(store)
    group = GroupCommit(store, speculate=True)
    _warm(group)

    def between():
        with store.transaction() as tx:  # the log emptied under the mark, then a change
            tx.execute("DELETE FROM cs_changes", ())
            obj = tx.get(A, "cus_counter", "customer")
            obj["count"] = 10
            tx.save(A, obj)

    assert _meanwhile(group, bump(), between) == 11
    assert group.stats["conflicts"] == 1


def test_the_webhook_endpoint_cache_is_read_again_after_a_write_under_the_lock(db, store):
    """The endpoints query is vouched for only while no "may have changed" row follows
    the mark: an endpoint written meanwhile (under the lock, elsewhere) is seen."""
    from connect_sandbox.store import outbox
    group = GroupCommit(store, speculate=True)
    _warm(group)

    def count_endpoints(tx):
        found = outbox.endpoints(tx, A)
        tx.insert(A, cus(f"after_{len(found)}"))
        return len(found)

    def add_endpoint(tx):
        tx.insert(A, {"id": "we_1", "object": "webhook_endpoint", "created": 1,
                      "url": "http://127.0.0.1:9/", "enabled_events": ["*"],
                      "status": "enabled"})
        tx.webhook_endpoints_changed()

    assert _meanwhile(group, count_endpoints, lambda: _other_writes(db, "plain", add_endpoint)) == 1
    assert group.stats["conflicts"] == 1


def test_changed_rules_in_isolation() -> None:
    """fresh/unchanged on a log read by hand (a fake cursor)."""
    class DB:
        def __init__(self, rows):
            self.rows = rows

        def execute(self, sql, params):
            return iter([r for r in self.rows if r[0] >= params[0]])

    rows = [(5, 55, '["cus_a"]'), (6, 66, '["cus_b"]'), (7, 77, None), (8, 88, '["cus_c"]')]
    c = Changed(DB(rows))
    c.load(5)
    assert c.fresh((5, 55)) is False          # a "may have changed" row (7) follows
    assert c.fresh((7, 77)) is True
    assert c.fresh((7, 78)) is False          # not the row the speculation saw
    assert c.fresh(None) is False
    assert c.unchanged("cus_b", 7) and not c.unchanged("cus_c", 7)
    c._ids["cus_d"] = None                    # written by an earlier request of the batch
    assert not c.unchanged("cus_d", 8)
    gap = Changed(DB([(5, 55, "[]"), (7, 77, "[]")]))
    gap.load(5)
    assert gap.fresh((5, 55)) is False and gap.fresh((7, 77)) is True
    c.unknown = True
    assert c.fresh((8, 88)) is False


def test_a_mark_left_by_a_batch_that_failed_before_commit_is_not_inherited(store) -> None:
    """The flag a batch sets once it has logged its row is cleared at the next BEGIN: if
    the batch rolled back after setting it, the next writer on that connection still
    logs what it changed."""
    from connect_sandbox.store import changes
    conn = store.checkout(True)
    conn.info[changes.LOGGED] = True  # as a batch that failed after record()
    store.checkin(conn, True)
    before = len(_rows(store))
    with store.transaction() as tx:
        tx.insert(A, cus("after_failed_batch"))
    rows = _rows(store)
    assert len(rows) == before + 1 and rows[-1][1] is None


def test_the_log_is_pruned_to_its_last_rows(store, monkeypatch) -> None:
    from connect_sandbox.store import changes
    monkeypatch.setattr(changes, "KEEP", 10)
    monkeypatch.setattr(changes, "PRUNE_EVERY", 4)
    for i in range(40):  # plain writes (the commit event's rows)
        with store.transaction() as tx:
            tx.insert(A, cus(f"p{i}"))
    group = GroupCommit(store, speculate=True)
    for i in range(8):  # speculated batches (their own rows)
        async def main(i=i):
            return await group.run(lambda tx: tx.insert(A, cus(f"s{i}")))
        _run(main)
    rows = _rows(store)
    assert len(rows) <= 10 + 4 and rows[-1][0] - rows[0][0] == len(rows) - 1
