"""One SQLite writer at a time across server processes, without SQLite's sleeps.

SQLite lets one write transaction run at a time (BEGIN IMMEDIATE). A second process that
asks meanwhile gets SQLITE_BUSY, and the busy handler retries after sleeping 1, 2, 5, 10,
15, 20, 25 ... ms: with `--workers 2`, where the other worker holds the lock for a few
hundred microseconds at a time, each collision blocked a worker's event loop for at
least a millisecond and the two workers served fewer requests than one (measured,
benchmarks/README.md). Taking an flock(2) on a lock file beside the database first puts
the waiting writer in the kernel's queue instead: it wakes the moment the other one
commits. SQLite's own locking is untouched and still guarantees correctness; this only
decides who asks first. Threads of one process queue on a mutex (they share the lock).
"""
from __future__ import annotations

import fcntl
import os
import threading
from contextlib import contextmanager
from typing import Iterator

MUTEX_TIMEOUT = 30  # seconds, as SQLite's busy_timeout


class WriterLock:
    def __init__(self, database_path: str):
        self.path = database_path + "-writer.lock"
        self._fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
        self._mutex = threading.Lock()
        self._owner: int | None = None

    @contextmanager
    def hold(self) -> Iterator[None]:
        if self._owner == threading.get_ident():  # a nested write transaction
            yield
            return
        if not self._mutex.acquire(timeout=MUTEX_TIMEOUT):
            yield  # never expected: leave the waiting to SQLite's busy timeout, as before
            return
        try:
            fcntl.flock(self._fd, fcntl.LOCK_EX)
            self._owner = threading.get_ident()
            try:
                yield
            finally:
                self._owner = None
                fcntl.flock(self._fd, fcntl.LOCK_UN)
        finally:
            self._mutex.release()

    def close(self) -> None:
        with self._mutex:
            if self._fd >= 0:
                os.close(self._fd)
                self._fd = -1
