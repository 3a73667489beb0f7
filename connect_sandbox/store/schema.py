"""The schema, versioned. Every Stripe object is one row of `objects`: its id, the
account that owns it, its type, a few indexed columns for what is queried, and its
body as JSON. Card numbers are never stored (only last4, fingerprint and the test
outcome the number stands for)."""
from __future__ import annotations

from sqlalchemy import (BigInteger, Column, Index, Integer, MetaData, String, Table, Text,
                        UniqueConstraint)

SCHEMA_VERSION = 1

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
Index("ix_cs_objects_parent", objects.c.account, objects.c.type, objects.c.parent, objects.c.seq)
Index("ix_cs_objects_lookup", objects.c.account, objects.c.type, objects.c.lookup, objects.c.seq)

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
