"""Group commit: the write requests that are ready at the same moment share one SQLite
transaction, each in its own savepoint, and are answered once it has committed.

Why: on SQLite the requests of a process already run one after the other on the event
loop, so each paid for its own BEGIN IMMEDIATE and COMMIT, and each COMMIT appended to
the WAL every page the request touched, including the index pages the next request
touches again. Under concurrent load a few requests are ready in the same loop
iteration; running them in one transaction writes the shared pages once
(benchmarks/README.md has the before/after figures).

What a request sees does not change: the requests of a batch run in arrival order, each
sees the ones before it (as it would after their commits), a request that fails is
rolled back to its savepoint alone, and no request is answered before the transaction
that holds its writes has committed. If the COMMIT itself fails, every request of the
batch gets that error (none of their writes landed). Only SQLite writes are batched:
PostgreSQL runs a transaction per request (and may retry one chosen as a deadlock
victim), reads never take the write lock.
"""
from __future__ import annotations

import asyncio
import concurrent.futures
import logging
import threading
from typing import Any, Callable

from ..errors import StripeError
from . import changes, speculation
from .changes import Changed
from .speculation import NeedsWriteLock, replay
from .sql import Store, Tx

log = logging.getLogger("connect_sandbox")

MAX_BATCH = 32  # requests per transaction: bounds how long the write lock is held


class GroupCommit:
    def __init__(self, store: Store, *, speculate: bool = False):
        self.store = store
        self._pending: list[tuple[Callable[[Tx], Any], Any, asyncio.Future]] = []
        self.speculate = speculate and store.dialect == "sqlite"
        self.stats = {"replayed": 0, "conflicts": 0, "locked": 0, "answered": 0, "vouched": 0}
        self._scheduled = False
        self._waiting = False  # a helper thread is waiting for the write lock
        self._waiter: concurrent.futures.ThreadPoolExecutor | None = None
        self._mark: tuple[int, int] | None = None  # the change log row of the last batch

    def run(self, work: Callable[[Tx], Any]) -> "asyncio.Future[Any]":
        """Schedule work(tx) in the next batch; the future resolves after its COMMIT.
        Speculating, work runs now on a snapshot and the batch only checks and writes
        its outcome (store/speculation.py)."""
        loop = asyncio.get_running_loop()
        future = loop.create_future()
        spec = self._speculate(work) if self.speculate else None
        if spec is not None and spec[0] is None:  # nothing to write: answered now
            self.stats["answered"] += 1
            if spec[1]:
                future.set_result(spec[2])
            else:
                future.set_exception(spec[2])
            return future
        self._pending.append((work, spec, future))
        if not self._scheduled:
            self._scheduled = True
            # Two loop steps later, not one: the requests whose bytes arrive in the
            # next step join this batch too (batches of ~7.6 grew larger; measured
            # 170 -> 162 us of CPU a request, benchmarks/README.md).
            loop.call_soon(loop.call_soon, self._flush)
        return future

    def _speculate(self, work: Callable[[Tx], Any]) -> tuple[Any, bool, Any] | None:
        """(SpecTx or None when it wrote nothing, ok, result or StripeError), or None when
        the request must run under the lock."""
        try:
            spec = speculation.begin(self.store)
            try:
                result = work(spec)
                # The row of this process's last batch: committed before this snapshot
                # began, so every change the snapshot lacks comes after it in the log.
                spec.mark = self._mark
            except StripeError as error:  # its savepoint would be rolled back
                return None, False, error
            finally:
                speculation.end(self.store, spec)
        except NeedsWriteLock:
            self.stats["locked"] += 1
            return None
        except Exception:  # whatever it is, the locked run meets it again and answers it
            log.debug("speculation failed; running under the lock", exc_info=True)
            self.stats["locked"] += 1
            return None
        return (spec if spec.wrote else None), True, result

    def _flush(self) -> None:
        lock = self.store.writelock
        if self._waiting:
            return  # the waiting helper thread runs the batch once it has the lock
        if lock is None or lock.try_acquire():
            self._run_batch(lock)
            return
        # Another process writes: wait for it in a helper thread, not on the event loop,
        # which goes on reading requests and sending answers (measured with two workers:
        # benchmarks/README.md); the requests that arrive meanwhile join this batch.
        self._waiting = True
        if self._waiter is None:
            self._waiter = concurrent.futures.ThreadPoolExecutor(
                1, thread_name_prefix="cs-writelock")
        loop = asyncio.get_running_loop()
        waited = loop.run_in_executor(self._waiter, lock.acquire_for, threading.get_ident())
        waited.add_done_callback(lambda f: self._lock_arrived(f, lock))

    def _lock_arrived(self, waited: "asyncio.Future[None]", lock) -> None:
        self._waiting = False
        if waited.cancelled() or waited.exception() is not None:
            self._run_batch(None)  # SQLite's own lock still serialises the writers
        else:
            self._run_batch(lock)

    def _run_batch(self, lock) -> None:
        """One batch under the write lock (already held by this thread, or None)."""
        batch, rest = self._pending[:MAX_BATCH], self._pending[MAX_BATCH:]
        self._pending = rest
        if rest:
            asyncio.get_running_loop().call_soon(self._flush)
        else:
            self._scheduled = False
        try:
            self._commit(batch)
        finally:
            if lock is not None:
                lock.release()

    def _changed(self, tx: Tx, live: list[tuple[Any, Any, Any]]) -> Changed | None:
        """The change log since the oldest speculation of the batch (store/changes.py);
        None when this process does not speculate (the commit event logs the batch)."""
        if not self.speculate:
            return None
        changed = Changed(tx.raw.dbapi)
        marks = [spec[0].mark[0] for _w, spec, _f in live
                 if spec is not None and spec[0].mark is not None]
        if marks:
            changed.load(min(marks))
        return changed

    def _commit(self, batch: list[tuple[Callable[[Tx], Any], Any, asyncio.Future]]) -> None:
        live = [entry for entry in batch if not entry[2].cancelled()]
        if not live:
            return
        outcomes: list[tuple[asyncio.Future, bool, Any]] = []
        try:
            with self.store.transaction(write=True) as tx:
                changed = self._changed(tx, live)
                for work, spec, fut in live:
                    savepoint = tx.savepoint()
                    try:
                        if spec is None:
                            if changed is not None:
                                changed.unknown = True
                            result = work(tx)
                        elif replay(tx, spec[0], changed):
                            self.stats["replayed"] += 1
                            if changed is not None:
                                changed.add(spec[0])
                            result = spec[2]
                        else:  # it read something that has changed since: run it again
                            self.stats["conflicts"] += 1
                            savepoint.rollback()
                            savepoint = tx.savepoint()
                            if changed is not None:
                                changed.unknown = True
                            result = work(tx)
                    except Exception as exc:  # this request's error; the others go on
                        savepoint.rollback()
                        outcomes.append((fut, False, exc))
                    else:
                        savepoint.commit()
                        outcomes.append((fut, True, result))
                if changed is not None:
                    changed.record(tx.raw.dbapi)
                    tx._conn.info[changes.LOGGED] = True
                    self.stats["vouched"] += changed.vouched
        except Exception as exc:  # BEGIN, a savepoint or the COMMIT failed: nothing landed
            if len(live) > 1:
                log.warning("a batch of %d writes failed to commit: %s", len(live), exc)
            for _work, _spec, fut in live:
                if not fut.done():
                    fut.set_exception(exc)
            return
        if changed is not None:
            self._mark = changed.row
        for fut, ok, value in outcomes:
            if fut.done():  # the client went away; its writes stand, as they would alone
                continue
            if ok:
                fut.set_result(value)
            else:
                fut.set_exception(value)
