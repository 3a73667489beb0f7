"""SQLite WAL checkpoints on a background thread, off the request path.

In WAL mode a commit appends pages to the -wal file; a checkpoint copies them back into
the database file and fsyncs both. SQLite's default runs that checkpoint inside the
commit that pushes the WAL past 1,000 pages, i.e. on the event loop: measured on the
benchmark machine (benchmarks/README.md) those commits took 5-25 ms instead of ~50 us,
were ~1% of all commits and ~85% of the time spent committing, and set the p99 latency.

Here the request connections checkpoint only as a safety net (past AUTOCHECKPOINT_PAGES,
if this thread is stalled), and this thread runs a PASSIVE checkpoint every INTERVAL
seconds on its own connection. sqlite3 releases the GIL while it works, so the copy and
the fsyncs overlap request handling. PASSIVE never blocks readers or writers. Durability
is unchanged: a commit is durable once it is in the WAL (synchronous=NORMAL), whoever
checkpoints it later. Several server processes may each run one; SQLite serialises them.
"""
from __future__ import annotations

import logging
import os
import sqlite3
import threading

log = logging.getLogger("connect_sandbox")

INTERVAL = 0.1                 # seconds between PASSIVE checkpoints
AUTOCHECKPOINT_PAGES = 20000   # request connections: only if the WAL grows past ~80 MB


class Checkpointer:
    def __init__(self, path: str, interval: float = INTERVAL):
        self.path = path
        self.interval = interval
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="sqlite-checkpointer",
                                        daemon=True)

    def start(self) -> "Checkpointer":
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stop.set()
        if self._thread.is_alive() and self._thread is not threading.current_thread():
            self._thread.join(timeout=5)

    def _run(self) -> None:
        try:
            conn = sqlite3.connect(self.path, isolation_level=None, check_same_thread=False)
        except sqlite3.Error:
            log.exception("checkpointer: cannot open %s; SQLite's own checkpoints apply",
                          self.path)
            return
        try:
            while not self._stop.wait(self.interval):
                if not os.path.exists(self.path):  # the database was deleted under us
                    break
                try:
                    conn.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchall()
                except sqlite3.Error as exc:  # busy or locked: try again next time
                    log.debug("checkpointer: %s", exc)
        finally:
            conn.close()
