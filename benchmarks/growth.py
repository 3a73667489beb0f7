"""Grow a sandbox database to N stored objects quickly, for the growth benchmark.

Going through the API would take hours; instead rows are bulk-inserted straight into the
SQLite file (while no server has it open), copied from rows the API itself wrote: the
customer and the customer.created event of one POST /v1/customers, with fresh ids, in
the bench platform's own account (the worst case: every list and index lookup of the
measured requests runs over the grown account). Half customers, half events, as the
API writes them, plus one idempotency row per customer (keys are kept for 24 hours).
"""
from __future__ import annotations

import os
import sqlite3
import time

BATCH = 50_000


def _rid(prefix: str, n: int) -> str:
    return prefix + "_" + os.urandom(n).hex()[:n * 2 - 2]


def count_objects(path: str) -> int:
    with sqlite3.connect(path) as db:
        return db.execute("SELECT count(*) FROM cs_objects").fetchone()[0]


def grow(path: str, target: int, *, account_type: str = "customer") -> tuple[int, float]:
    """Add rows until cs_objects holds `target` rows. Returns (rows added, seconds)."""
    start = time.monotonic()
    db = sqlite3.connect(path, isolation_level=None)
    try:
        db.execute("PRAGMA journal_mode=WAL")
        db.execute("PRAGMA synchronous=OFF")   # a set-up step, not a measured write
        db.execute("PRAGMA cache_size=-262144")  # 256 MiB while loading
        cus = db.execute("SELECT id, account, created, lookup, body FROM cs_objects "
                         "WHERE type = ? ORDER BY seq DESC LIMIT 1", (account_type,)).fetchone()
        evt = db.execute("SELECT id, account, created, lookup, parent, body FROM cs_objects "
                         "WHERE type = 'event' AND parent = ? LIMIT 1", (cus[0],)).fetchone()
        idem = db.execute('SELECT account, fingerprint, status, body, created FROM '
                          'cs_idempotency ORDER BY created DESC LIMIT 1').fetchone()
        if cus is None or evt is None or idem is None:
            raise RuntimeError("grow() needs one POST /v1/customers made through the API first")
        have = db.execute("SELECT count(*) FROM cs_objects").fetchone()[0]
        pairs = max(0, (target - have) // 2)
        added = 0
        while added < pairs:
            n = min(BATCH, pairs - added)
            objs, keys = [], []
            for _ in range(n):
                cid, eid = _rid("cus", 14), _rid("evt", 24)
                objs.append((cid, cus[1], "customer", cus[2], None, cus[3],
                             cus[4].replace(cus[0], cid)))
                objs.append((eid, evt[1], "event", evt[2], cid, evt[3],
                             evt[5].replace(evt[0], eid).replace(cus[0], cid)))
                keys.append((idem[0], _rid("bulk", 16), idem[1], idem[2],
                             idem[3].replace(cus[0], cid), idem[4]))
            db.execute("BEGIN")
            db.executemany("INSERT INTO cs_objects (id, account, type, created, parent, "
                           "lookup, body) VALUES (?, ?, ?, ?, ?, ?, ?)", objs)
            db.executemany('INSERT INTO cs_idempotency (account, "key", fingerprint, status, '
                           "body, created) VALUES (?, ?, ?, ?, ?, ?)", keys)
            db.execute("COMMIT")
            added += n
        db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    finally:
        db.close()
    return added * 2, time.monotonic() - start
