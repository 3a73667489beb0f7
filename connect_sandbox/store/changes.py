"""Which objects each committed write transaction changed (SQLite), so that a speculated
request (store/speculation.py) reads again, under the write lock, only what may have
changed since its snapshot, instead of everything it read.

Why: with several workers, reading a speculation's reads again under the lock was ~3%
of a flow request's instructions, on a page cache the other worker's commits keep
emptying (benchmarks/README.md, "Change-log round").

How it stays exact:
- Every write transaction on SQLite appends one row to cs_changes in that transaction:
  a batch of replayed speculations lists the ids of the objects it inserted or saved;
  any other write (a request run under the lock, the webhook worker, the job runner,
  the CLI, a migration) leaves a row with no list, which means "anything may have
  changed". The engine's commit event adds that row to every transaction that changed
  rows without logging itself, so no code path has to remember it.
- A speculation carries a mark: the row (gen, random nonce) of its process's last
  batch, committed before its snapshot began, so every change the snapshot lacks is
  in a later row.
- Under the lock, a batch reads the rows from the oldest such mark. A request's object
  reads are known unchanged if its mark row is still there with its nonce (so the log
  was neither pruned nor reset past it), no row after it is a "may have changed" row,
  and no row after it, nor an earlier request of this batch, lists the object. So are
  the fixed SELECTs registered in UNLISTED_ONLY (what they read is written under the
  lock only). Any doubt, and the read is checked again as before.
- A process prunes the rows older than the last KEEP now and then; a mark that old is
  checked the old way.
Writers outside this program (a sqlite3 shell changing rows while a server runs) are
not seen; nor were they by the webhook-endpoint cache (store/outbox.py).
"""
from __future__ import annotations

import random
from typing import Any

import orjson

TABLE = "cs_changes"
KEEP = 4096          # rows kept: a speculation older than that many commits re-reads all
PRUNE_EVERY = 512    # rows a process appends between two prunes

_SINCE = f"SELECT gen, nonce, ids FROM {TABLE} WHERE gen >= ? ORDER BY gen"
_ADD = f"INSERT INTO {TABLE} (nonce, ids) VALUES (?, ?)"
_PRUNE = f"DELETE FROM {TABLE} WHERE gen < ?"

# The engine's connection info key a batch sets when it logged its own row.
LOGGED = "cs_changes_logged"

# Fixed SELECTs of other store modules whose answers no replayed speculation can change
# (what they read is written under the lock only, which logs "may have changed").
UNLISTED_ONLY: set[str] = set()
# Tables a replayed speculation's own statements must not touch for its row to list all
# it changed: the objects, and the webhook endpoints' cache version (store/outbox.py).
_UNLISTED_TABLES = ("cs_objects", "cs_meta")

_rand = random.Random()
_rows_added = 0  # by this process


def unlisted_only(*sqls: str) -> None:
    UNLISTED_ONLY.update(sqls)


def log_unknown(db: Any) -> None:
    """This transaction changed rows it cannot list (the engine's commit event)."""
    _added(db, db.execute(_ADD, (_rand.getrandbits(62), None)).lastrowid)


def _added(db: Any, gen: int | None) -> None:
    """A row was appended: now and then, drop those older than KEEP rows."""
    global _rows_added
    _rows_added += 1
    if _rows_added % PRUNE_EVERY == 0 and gen:
        db.execute(_PRUNE, (gen - KEEP,))


class Changed:
    """The changes a batch's speculations may have missed: the committed ones since the
    oldest mark, and those of the batch's own earlier requests."""

    __slots__ = ("_db", "_marks", "_by_id", "_unknown_after", "_ids", "unknown",
                 "row", "vouched")

    def __init__(self, db: Any):
        self._db = db
        self._marks: dict[int, int] = {}    # gen -> nonce, of the rows read
        self._by_id: dict[str, int] = {}    # object id -> gen of its last listed change
        self._unknown_after = 0             # gen of the last "may have changed" row
        self._ids: dict[str, None] = {}     # objects this batch wrote so far, in order
        self.unknown = False                # this batch wrote something it cannot list
        self.row: tuple[int, int] | None = None  # (gen, nonce) of the row record() added
        self.vouched = 0                    # reads not made again, thanks to the log

    def load(self, oldest: int) -> None:
        expected = oldest
        for gen, nonce, ids in self._db.execute(_SINCE, (oldest,)):
            if gen != expected:  # a gap: pruned or reset under us; trust only what follows
                self._marks.clear()
            expected = gen + 1
            self._marks[gen] = nonce
            if gen == oldest:
                continue  # the mark row itself: its changes are in the snapshot
            if ids is None:
                self._unknown_after = gen
            else:
                for obj_id in orjson.loads(ids):
                    self._by_id[obj_id] = gen

    def fresh(self, mark: tuple[int, int] | None) -> bool:
        """Are the changes since `mark` all listed (so unlisted objects are unchanged)?"""
        if mark is None or self.unknown:
            return False
        gen, nonce = mark
        return self._marks.get(gen) == nonce and self._unknown_after <= gen

    def unchanged(self, obj_id: str, gen: int) -> bool:
        """For a fresh mark at `gen`: did nothing change `obj_id` since?"""
        return self._by_id.get(obj_id, 0) <= gen and obj_id not in self._ids

    def add(self, spec: Any) -> None:
        """A replayed speculation (store/speculation.py SpecTx) was written: the objects
        it inserted and saved. Its other statements touch other tables (clone lineage,
        the webhook outbox); one that names the objects or the meta table makes the
        batch unknown."""
        ids = self._ids
        for obj_id in spec._pending:
            ids[obj_id] = None
        for write in spec.writes:
            kind = write[0]
            if kind == "save":
                ids[write[2]] = None
            elif kind == "sql" and any(t in write[1] for t in _UNLISTED_TABLES):
                self.unknown = True

    def record(self, db: Any) -> None:
        """Append this batch's row (before its COMMIT), and prune now and then."""
        nonce = _rand.getrandbits(62)
        gen = db.execute(_ADD, (nonce, None if self.unknown
                                else orjson.dumps(list(self._ids)).decode())).lastrowid
        self.row = (gen, nonce)
        _added(db, gen)
