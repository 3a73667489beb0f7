"""One writer at a time on a SQLite file, across threads and processes, without polling.

SQLite itself serialises writers (BEGIN IMMEDIATE), but a writer that finds the lock
taken is told SQLITE_BUSY and its busy handler sleeps 1, 2, 5, 10 ... 100 ms before
trying again: with two server processes on one file, the waiting one slept far past the
moment the lock came free (p99 126 ms at 16 connections, benchmarks/README.md). Taking
an flock on a side file first makes the waiter sleep in the kernel and wake as soon as
the holder releases it; BEGIN IMMEDIATE then finds the database free. SQLite's own lock
stays the authority: a process that does not take this lock (an older version, the
sqlite3 shell) is still excluded by it, it just waits the slow way.

A nested write transaction in the same thread (none exists today) would skip the lock
rather than deadlock on itself.

The group commit (store/group_commit.py) never blocks its event loop on this lock: it
tries it without waiting, and if another process holds it, a helper thread waits in the
kernel and hands the lock over to the loop's thread (`acquire_for`), while the loop goes
on serving requests (which join the batch that will run once the lock is in hand).
"""
from __future__ import annotations

import fcntl
import os
import threading
from contextlib import contextmanager
from typing import Iterator


class WriteLock:
    def __init__(self, db_path: str):
        self._fd = os.open(db_path + "-writer", os.O_RDWR | os.O_CREAT, 0o600)
        self._threads = threading.Lock()  # flock does not exclude threads sharing the fd
        self._owner: int | None = None

    @contextmanager
    def held(self) -> Iterator[None]:
        me = threading.get_ident()
        if self._owner == me:
            yield
            return
        # Polls its own thread's ownership while waiting: a helper thread may be taking
        # the lock on this thread's behalf (acquire_for), and hands it over here.
        while not self._threads.acquire(timeout=0.005):
            if self._owner == me:
                yield
                return
        fcntl.flock(self._fd, fcntl.LOCK_EX)
        self._owner = me
        try:
            yield
        finally:
            self.release()

    def try_acquire(self) -> bool:
        """Take the lock for this thread if it is free right now; never waits."""
        if not self._threads.acquire(blocking=False):
            return False
        try:
            fcntl.flock(self._fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            self._threads.release()
            return False
        self._owner = threading.get_ident()
        return True

    def acquire_for(self, owner: int) -> None:
        """Wait for the lock (in a helper thread) and hand it to thread `owner`, which
        releases it."""
        self._threads.acquire()
        try:
            fcntl.flock(self._fd, fcntl.LOCK_EX)
        except BaseException:
            self._threads.release()
            raise
        self._owner = owner

    def release(self) -> None:
        self._owner = None
        fcntl.flock(self._fd, fcntl.LOCK_UN)
        self._threads.release()

    def close(self) -> None:
        if self._fd >= 0:
            os.close(self._fd)
            self._fd = -1
