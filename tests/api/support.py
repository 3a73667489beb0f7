"""Small helpers shared by the API tests: the seed flows, written once."""
from __future__ import annotations

import contextlib
from typing import Iterator

import pytest
import stripe

CARD = {"number": "4242424242424242", "exp_month": 12, "exp_year": 2034, "cvc": "123"}
BANK = {"country": "US", "currency": "usd", "routing_number": "110000000",
        "account_number": "000123456789", "account_holder_name": "Jenny Rosen",
        "account_holder_type": "individual"}


def as_(account: str) -> dict:
    """Request options acting as a connected account (the Stripe-Account header)."""
    return {"stripe_account": account}


def event_log(client, account=None) -> list:
    """The account's events (the platform's, or `account`'s), oldest first."""
    evs = client.v1.events.list(params={"limit": 100},
                                options=as_(account) if account else {}).data
    return list(reversed(evs))


def events_after(client, mark, account=None) -> list:
    """The account's events recorded after the event id `mark` (None: all)."""
    evs = event_log(client, account)
    ids = [e.id for e in evs]
    return evs[ids.index(mark) + 1:] if mark else evs


def last_event_id(client, account=None):
    """The account's newest event id (None: no event yet), a mark for events_after."""
    evs = client.v1.events.list(params={"limit": 1},
                                options=as_(account) if account else {}).data
    return evs[0].id if evs else None


@contextlib.contextmanager
def stripe_error(cls: type[stripe.StripeError], *, status: int | None = None,
                 code: str | None = None, param: str | None = None,
                 message: str | None = None) -> Iterator[pytest.ExceptionInfo]:
    """Expect the SDK to raise `cls` with the given HTTP status, code, param and a message
    containing `message`."""
    with pytest.raises(cls) as info:
        yield info
    err = info.value
    if status is not None:
        assert err.http_status == status, err.json_body
    body = (err.json_body or {}).get("error", {})
    if code is not None:
        assert body.get("code") == code, body
    if param is not None:
        assert body.get("param") == param, body
    if message is not None:
        assert message in body.get("message", ""), body


def card_token(client: stripe.StripeClient, **card) -> str:
    return client.v1.tokens.create(params={"card": {**CARD, **card}}).id


def customer_with_card(client: stripe.StripeClient, source: str = "tok_visa",
                       options: dict | None = None, **params) -> stripe.Customer:
    return client.v1.customers.create(params={"source": source, **params},
                                      options=options or {})


def verified_bank_customer(client: stripe.StripeClient, options: dict | None = None):
    """A customer whose default source is a verified test bank account."""
    options = options or {}
    btok = client.v1.tokens.create(params={"bank_account": dict(BANK)}, options=options)
    cus = client.v1.customers.create(params={"source": btok.id}, options=options)
    ba = client.v1.customers.payment_sources.verify(cus.id, cus.default_source,
                                            params={"amounts": [32, 45]}, options=options)
    assert ba.status == "verified"
    return cus, ba
