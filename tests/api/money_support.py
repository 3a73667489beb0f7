"""Helpers for the money-movement tests: balances and ledgers read through the SDK,
Stripe's fee computed independently of the server, and the sandbox's make-available
test helper."""
from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

import stripe

from .support import as_

DAY = 24 * 3600


def stripe_fee(amount: int) -> int:
    """2.9% + 30 cents, the percentage rounded half up to the cent."""
    pct = (Decimal(amount) * Decimal("0.029")).quantize(Decimal(1), rounding=ROUND_HALF_UP)
    return int(pct) + 30


def opts(account: str | None) -> dict:
    return as_(account) if account else {}


def balance(client: stripe.StripeClient, account: str | None = None,
            currency: str = "usd") -> tuple[int, int]:
    """(available, pending) in one currency."""
    bal = client.v1.balance.retrieve(options=opts(account))
    avail = sum(b.amount for b in bal.available if b.currency == currency)
    pend = sum(b.amount for b in bal.pending if b.currency == currency)
    return avail, pend


def txns(client: stripe.StripeClient, account: str | None = None, **params) -> list:
    """Every balance transaction of an account (auto-paginated), newest first."""
    page = client.v1.balance_transactions.list(params={"limit": 100, **params},
                                               options=opts(account))
    return list(page.auto_paging_iter())


def by_type(rows: list, type_: str) -> list:
    return [t for t in rows if t.type == type_]


def make_available(client: stripe.StripeClient, account: str | None = None):
    """POST /v1/test_helpers/balance/make_available (sandbox only)."""
    resp = client.raw_request("post", "/v1/test_helpers/balance/make_available",
                              **({"stripe_account": account} if account else {}))
    return client.deserialize(resp, api_mode="V1")


def charge(client: stripe.StripeClient, amount: int, *, account: str | None = None,
           source: str = "tok_visa", **params) -> stripe.Charge:
    return client.v1.charges.create(
        params={"amount": amount, "currency": "usd", "source": source, **params},
        options=opts(account))
