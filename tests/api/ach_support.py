"""Helpers for legacy ACH charges, which settle later (services/ach.py): wait for the
job runner with a bounded poll, or settle now with the sandbox's test helper."""
from __future__ import annotations

import time

import stripe

from .support import BANK, as_


def opts(account: str | None) -> dict:
    return as_(account) if account else {}


def wait_settled(client: stripe.StripeClient, charge_id: str, account: str | None = None,
                 timeout: float = 10.0) -> stripe.Charge:
    """Poll the charge until it is no longer pending (the job runner settled it)."""
    deadline = time.monotonic() + timeout
    while True:
        ch = client.v1.charges.retrieve(charge_id, options=opts(account))
        if ch.status != "pending":
            return ch
        assert time.monotonic() < deadline, f"{charge_id} still pending after {timeout} s"
        time.sleep(0.05)


def settle_now(client: stripe.StripeClient, charge_id: str,
               account: str | None = None) -> stripe.Charge:
    """POST /v1/test_helpers/charges/{charge}/settle (sandbox only)."""
    resp = client.raw_request("post", f"/v1/test_helpers/charges/{charge_id}/settle",
                              **({"stripe_account": account} if account else {}))
    return client.deserialize(resp, api_mode="V1")


def bank_customer(client: stripe.StripeClient, number: str = "000123456789",
                  account: str | None = None):
    """A customer whose default source is a verified test bank account `number`."""
    o = opts(account)
    btok = client.v1.tokens.create(params={"bank_account": dict(BANK, account_number=number)},
                                   options=o)
    cus = client.v1.customers.create(params={"source": btok.id}, options=o)
    ba = client.v1.customers.payment_sources.verify(cus.id, cus.default_source,
                                                    params={"amounts": [32, 45]}, options=o)
    assert ba.status == "verified"
    return cus, ba
