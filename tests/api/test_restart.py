"""Durability: data written before a restart is all there after it (same SQLite file)."""
from __future__ import annotations

import secrets

import stripe

from tests.conftest import start_server

from .support import as_, verified_bank_customer


def _client(base: str, key: str) -> stripe.StripeClient:
    return stripe.StripeClient(key, base_addresses={"api": base}, max_network_retries=0)


def test_everything_survives_a_restart(tmp_path):
    db = f"sqlite:///{tmp_path / 'restart.db'}"
    key = "sk_test_" + secrets.token_hex(12)
    first = start_server(db)
    try:
        c = _client(first.base, key)
        platform = c.v1.accounts.retrieve_current().id
        seller = c.v1.accounts.create(params={"type": "express",
                                              "metadata": {"n": "1"}}).id
        cus = c.v1.customers.create(params={"email": "r@example.com", "source": "tok_visa",
                                            "metadata": {"k": "v"}})
        bank_cus, ba = verified_bank_customer(c)
        tok = c.v1.tokens.create(params={"customer": cus.id}, options=as_(seller))
        clone = c.v1.customers.create(params={"source": tok.id}, options=as_(seller))
        ch = c.v1.charges.create(params={"amount": 1200, "currency": "usd",
                                         "customer": clone.id, "capture": False},
                                 options={**as_(seller), "idempotency_key": "restart-key"})
        deleted = c.v1.customers.create()
        c.v1.customers.delete(deleted.id)
    finally:
        first.stop()

    second = start_server(db)
    try:
        c = _client(second.base, key)
        assert c.v1.accounts.retrieve_current().id == platform
        assert c.v1.accounts.retrieve(seller).metadata.to_dict() == {"n": "1"}
        got = c.v1.customers.retrieve(cus.id)
        assert got.email == "r@example.com" and got.default_source == cus.default_source
        assert got.metadata.to_dict() == {"k": "v"}
        assert c.v1.customers.payment_sources.retrieve(bank_cus.id, ba.id).status == "verified"
        assert c.v1.tokens.retrieve(tok.id, options=as_(seller)).used is True
        assert c.v1.customers.retrieve(clone.id, options=as_(seller)).default_source == \
            tok.card.id
        assert c.v1.customers.retrieve(deleted.id).deleted is True
        # the idempotency key is remembered
        again = c.v1.charges.create(params={"amount": 1200, "currency": "usd",
                                            "customer": clone.id, "capture": False},
                                    options={**as_(seller), "idempotency_key": "restart-key"})
        assert again.id == ch.id
        # and work continues where it stopped
        cap = c.v1.charges.capture(ch.id, options=as_(seller))
        assert cap.captured is True and cap.amount_captured == 1200
        assert [x.id for x in c.v1.charges.list(options=as_(seller)).data] == [ch.id]
        newer = c.v1.customers.create()
        assert [x.id for x in c.v1.customers.list(params={"limit": 2}).data] == \
            [newer.id, bank_cus.id]
    finally:
        second.stop()
