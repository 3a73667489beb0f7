"""The schema, versioned. Every Stripe object is one row of `objects`: its id, the
account that owns it, its type, a few indexed columns for what is queried, and its
body as JSON. Card numbers are never stored (only last4, fingerprint and the test
outcome the number stands for)."""
from __future__ import annotations

from sqlalchemy import (BigInteger, Column, Index, Integer, MetaData, String, Table, Text,
                        UniqueConstraint)

SCHEMA_VERSION = 2

metadata = MetaData()

# PostgreSQL: BIGSERIAL (a 64-bit sequence). SQLite: it must be spelled INTEGER to become
# the rowid alias that autoincrements (a BIGINT primary key would stay NULL); rowids are
# 64-bit there too. Either way a new row gets a seq above every existing row, so `seq`
# orders lists newest first (SQLite may reuse the seq of a deleted newest row).
_seq_type = BigInteger().with_variant(Integer, "sqlite")

meta = Table(
    "cs_meta", metadata,
    Column("key", String(64), primary_key=True),
    Column("value", Text, nullable=False),
)

# sk_test_<x> and pk_test_<x> name the platform <x>; its account id is derived from x.
platforms = Table(
    "cs_platforms", metadata,
    Column("key_suffix", String(255), primary_key=True),
    Column("account_id", String(64), nullable=False, unique=True),
    Column("created", BigInteger, nullable=False),
)

objects = Table(
    "cs_objects", metadata,
    Column("seq", _seq_type, primary_key=True, autoincrement=True),
    Column("id", String(255), nullable=False),
    Column("account", String(64), nullable=False),
    Column("type", String(40), nullable=False),
    Column("created", BigInteger, nullable=False),
    # The object this one hangs from (a card's customer, a refund's charge), if any.
    Column("parent", String(255)),
    # One more indexed filter per type (a customer's email, a charge's customer).
    Column("lookup", String(512)),
    Column("body", Text, nullable=False),
    UniqueConstraint("id", name="uq_cs_objects_id"),
)
Index("ix_cs_objects_list", objects.c.account, objects.c.type, objects.c.seq)
# Partial: only the rows that have a parent (a lookup) are in the index. Most objects
# lack one of the two (a charge or a customer has no parent, a card or a token no
# lookup), and every query of these columns asks for a value (=, IN, LIKE), which no
# NULL matches. Each insert then maintains fewer index entries: -2.5% instructions and
# -6% bytes written to the WAL a token-flow request (benchmarks/README.md). Version 2.
_HAS_PARENT = objects.c.parent.isnot(None)
_HAS_LOOKUP = objects.c.lookup.isnot(None)
Index("ix_cs_objects_parent", objects.c.account, objects.c.type, objects.c.parent, objects.c.seq,
      sqlite_where=_HAS_PARENT, postgresql_where=_HAS_PARENT)
Index("ix_cs_objects_lookup", objects.c.account, objects.c.type, objects.c.lookup, objects.c.seq,
      sqlite_where=_HAS_LOOKUP, postgresql_where=_HAS_LOOKUP)

idempotency = Table(
    "cs_idempotency", metadata,
    Column("account", String(64), primary_key=True),
    Column("key", String(255), primary_key=True),
    Column("fingerprint", String(64), nullable=False),
    Column("status", Integer),
    Column("body", Text),
    Column("created", BigInteger, nullable=False),
)
Index("ix_cs_idempotency_created", idempotency.c.created)

# Clone lineage: one row per object cloned from a platform customer's payment details
# (a token, the card or bank account attached from it, a Source, a PaymentMethod), so the
# dashboard finds every clone of an original without scanning. New tables need no
# migration step: migrate() runs create_all(checkfirst=True) at every start.
clones = Table(
    "cs_clones", metadata,
    Column("seq", _seq_type, primary_key=True, autoincrement=True),
    Column("platform", String(64), nullable=False),
    Column("original_id", String(255), nullable=False),
    Column("clone_account", String(64), nullable=False),
    Column("clone_id", String(255), nullable=False),
    Column("kind", String(40), nullable=False),   # token | card | bank_account | source | ...
    Column("via", String(255)),                   # the token a card was attached from
    Column("customer", String(255)),              # the platform customer cloned from
    Column("created", BigInteger, nullable=False),
    UniqueConstraint("clone_id", name="uq_cs_clones_clone_id"),
)
Index("ix_cs_clones_original", clones.c.platform, clones.c.original_id, clones.c.seq)
Index("ix_cs_clones_customer", clones.c.platform, clones.c.customer, clones.c.seq)

# What each committed write transaction changed (store/changes.py, SQLite): the ids of
# the objects a batch of speculated requests inserted or saved, or NULL when it cannot
# say (anything may have changed). nonce: random, so that a row seen before a prune or a
# reset is not mistaken for a later row with the same gen.
changes = Table(
    "cs_changes", metadata,
    Column("gen", _seq_type, primary_key=True, autoincrement=True),
    Column("nonce", BigInteger, nullable=False),
    Column("ids", Text),
)

# -- webhooks (the delivery outbox; see store/outbox.py) --------------------------------
# One row per (event, endpoint) to deliver, written in the event's own transaction.
# state: pending | succeeded | failed (retries exhausted) | canceled (endpoint gone).
# next_at (unix ms) is when a worker may take it next; a worker that claims a row pushes
# next_at forward by a lease, so a crashed worker's deliveries are retried after it.
webhook_deliveries = Table(
    "cs_webhook_deliveries", metadata,
    Column("seq", _seq_type, primary_key=True, autoincrement=True),
    Column("platform", String(64), nullable=False),      # the account owning the endpoint
    Column("endpoint", String(255), nullable=False),
    Column("event", String(255), nullable=False),
    Column("event_account", String(64), nullable=False),  # the account owning the event
    Column("state", String(16), nullable=False),
    Column("attempts", Integer, nullable=False),
    Column("next_at", BigInteger, nullable=False),
    Column("created", BigInteger, nullable=False),
)
Index("ix_cs_webhook_deliveries_due", webhook_deliveries.c.state, webhook_deliveries.c.next_at)
Index("ix_cs_webhook_deliveries_event", webhook_deliveries.c.event)
Index("ix_cs_webhook_deliveries_endpoint", webhook_deliveries.c.platform,
      webhook_deliveries.c.endpoint, webhook_deliveries.c.state)

# One row per HTTP attempt: what the endpoint answered, and how fast.
webhook_attempts = Table(
    "cs_webhook_attempts", metadata,
    Column("seq", _seq_type, primary_key=True, autoincrement=True),
    Column("delivery", BigInteger, nullable=False),
    Column("platform", String(64), nullable=False),
    Column("endpoint", String(255), nullable=False),
    Column("event", String(255), nullable=False),
    Column("attempt", Integer, nullable=False),
    Column("at", BigInteger, nullable=False),             # unix ms
    Column("status", Integer),                            # HTTP status; null: no answer
    Column("duration_ms", Integer, nullable=False),
    Column("response", Text),                             # the first 1000 characters
    Column("error", Text),
    Column("next_at", BigInteger),                        # the retry it scheduled, if any
)
Index("ix_cs_webhook_attempts_endpoint", webhook_attempts.c.platform,
      webhook_attempts.c.endpoint, webhook_attempts.c.seq)

# -- scheduled transitions (see store/jobs.py) ------------------------------------------
# One row per change the sandbox makes later by itself (an ACH charge settling), written
# in the transaction of the change that schedules it and applied once by a job runner
# (jobs/runner.py). state: pending | done | failed (gave up after repeated errors).
jobs = Table(
    "cs_jobs", metadata,
    Column("seq", _seq_type, primary_key=True, autoincrement=True),
    Column("kind", String(40), nullable=False),
    Column("account", String(64), nullable=False),   # the account owning the object
    Column("platform", String(64), nullable=False),  # that account's platform
    Column("object_id", String(255), nullable=False),
    Column("due_at", BigInteger, nullable=False),     # unix ms
    Column("state", String(16), nullable=False),
    Column("attempts", Integer, nullable=False),
    Column("created", BigInteger, nullable=False),    # unix seconds
    Column("error", Text),
)
Index("ix_cs_jobs_due", jobs.c.state, jobs.c.due_at)
Index("ix_cs_jobs_object", jobs.c.object_id, jobs.c.kind)
Index("ix_cs_jobs_account", jobs.c.account, jobs.c.seq)
