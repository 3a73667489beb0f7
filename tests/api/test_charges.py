"""Charges: on a customer's source, on a one-time source (token, test token, card hash),
authorize then capture (also partially), retrieve, update, list with filters."""
from __future__ import annotations

import time

import pytest
import stripe

from .support import CARD, as_, card_token, stripe_error


def _charge(client, options=None, **params):
    return client.v1.charges.create(params={"amount": 2000, "currency": "usd", **params},
                                    options=options or {})


def test_charge_a_customers_default_source(client):
    cus = client.v1.customers.create(params={"source": "tok_visa"})
    ch = _charge(client, customer=cus.id, description="order 1", metadata={"order": "1"},
                 receipt_email="r@example.com", statement_descriptor_suffix="ORDER1")
    assert ch.id.startswith("ch_") and ch.object == "charge" and ch.livemode is False
    assert ch.amount == 2000 and ch.currency == "usd" and ch.customer == cus.id
    assert ch.status == "succeeded" and ch.paid is True and ch.captured is True
    assert ch.amount_captured == 2000 and ch.amount_refunded == 0 and ch.refunded is False
    assert ch.source.id == cus.default_source and ch.source.object == "card"
    assert ch.payment_method == cus.default_source
    assert ch.payment_method_details.type == "card"
    assert ch.payment_method_details.card.brand == "visa"
    assert ch.payment_method_details.card.last4 == "4242"
    assert ch.outcome.type == "authorized" and ch.outcome.network_status == "approved_by_network"
    assert ch.failure_code is None and ch.failure_message is None
    assert ch.description == "order 1" and ch.metadata.to_dict() == {"order": "1"}
    assert ch.receipt_email == "r@example.com"
    assert ch.statement_descriptor_suffix == "ORDER1"
    assert client.v1.charges.retrieve(ch.id).to_dict() == ch.to_dict()


def test_charge_a_named_source_of_the_customer(client):
    cus = client.v1.customers.create(params={"source": "tok_visa"})
    amex = client.v1.customers.payment_sources.create(cus.id, params={"source": "tok_amex"})
    ch = _charge(client, customer=cus.id, source=amex.id)
    assert ch.source.id == amex.id and ch.payment_method_details.card.brand == "amex"


def test_source_not_belonging_to_the_customer(client):
    a = client.v1.customers.create(params={"source": "tok_visa"})
    b = client.v1.customers.create(params={"source": "tok_visa"})
    with stripe_error(stripe.InvalidRequestError, status=404, code="missing", param="source",
                      message=f"Customer {b.id} does not have a linked source with ID "
                              f"{a.default_source}."):
        _charge(client, customer=b.id, source=a.default_source)


def test_customer_without_source(client):
    cus = client.v1.customers.create()
    # Stripe answers 402 card_error (code missing, param card), not a 400.
    with stripe_error(stripe.CardError, status=402, code="missing", param="card",
                      message="This Customer doesn't have any saved payment details."):
        _charge(client, customer=cus.id)


def test_unknown_customer(client):
    with stripe_error(stripe.InvalidRequestError, status=404, code="resource_missing",
                      param="customer", message="No such customer: 'cus_nope'"):
        _charge(client, customer="cus_nope")


def test_customer_card_without_customer(client):
    cus = client.v1.customers.create(params={"source": "tok_visa"})
    with stripe_error(stripe.InvalidRequestError, status=400, param="customer"):
        _charge(client, source=cus.default_source)


@pytest.mark.parametrize("source", ["tok_visa", "tok_mastercard", "token", "hash"])
def test_one_time_sources(client, source):
    if source == "token":
        source = card_token(client)
    elif source == "hash":
        source = {"object": "card", **CARD}
    ch = _charge(client, source=source)
    assert ch.status == "succeeded" and ch.customer is None
    assert ch.source.object == "card" and ch.source.customer is None
    assert ch.source.id.startswith("card_")
    assert ch.source.cvc_check == "pass"  # checked when charged
    assert ch.payment_method_details.card.checks.cvc_check == "pass"


def test_missing_source_and_customer(client):
    with stripe_error(stripe.InvalidRequestError, status=400, param="source"):
        _charge(client)


def test_unknown_source(client):
    with stripe_error(stripe.InvalidRequestError, status=404, param="source"):
        _charge(client, source="card_nope")
    with stripe_error(stripe.InvalidRequestError, status=404, param="source"):
        _charge(client, source="tok_nope")


@pytest.mark.parametrize("amount,currency,code", [
    (49, "usd", "amount_too_small"), (100_000_000, "usd", "amount_too_large"),
    (29, "gbp", "amount_too_small")])
def test_amount_limits(client, amount, currency, code):
    with stripe_error(stripe.InvalidRequestError, status=400, code=code, param="amount"):
        client.v1.charges.create(params={"amount": amount, "currency": currency,
                                         "source": "tok_visa"})


def test_currency_checks(client):
    with stripe_error(stripe.InvalidRequestError, status=400, param="currency"):
        _charge(client, currency="xyz", source="tok_visa")
    ch = client.v1.charges.create(params={"amount": 500, "currency": "JPY", "source": "tok_visa"})
    assert ch.currency == "jpy" and ch.amount == 500


def test_required_amount_and_currency(client):
    with stripe_error(stripe.InvalidRequestError, status=400, code="parameter_missing",
                      param="amount"):
        client.v1.charges.create(params={"currency": "usd", "source": "tok_visa"})
    with stripe_error(stripe.InvalidRequestError, status=400, code="parameter_missing",
                      param="currency"):
        client.v1.charges.create(params={"amount": 500, "source": "tok_visa"})


# -- capture --------------------------------------------------------------------------

def test_authorize_then_capture_in_full(client):
    cus = client.v1.customers.create(params={"source": "tok_visa"})
    ch = _charge(client, customer=cus.id, capture=False)
    assert ch.status == "succeeded" and ch.paid is True and ch.captured is False
    assert ch.amount_captured == 0
    cap = client.v1.charges.capture(ch.id)
    assert cap.id == ch.id and cap.captured is True and cap.amount_captured == 2000
    assert cap.amount_refunded == 0
    assert client.v1.charges.retrieve(ch.id).captured is True
    with stripe_error(stripe.InvalidRequestError, status=400, code="charge_already_captured"):
        client.v1.charges.capture(ch.id)


def test_partial_capture_releases_the_rest(client):
    """Since API version 2025-03-31 (the SDK's) the released rest is no refund:
    amount_refunded stays 0 and only the captured amount can be refunded."""
    ch = _charge(client, source="tok_visa", capture=False)
    cap = client.v1.charges.capture(ch.id, params={"amount": 1500,
                                                   "statement_descriptor": "PARTIAL"})
    assert cap.captured is True and cap.amount_captured == 1500
    assert cap.amount_refunded == 0 and cap.amount == 2000 and cap.refunded is False
    assert cap.statement_descriptor == "PARTIAL"
    assert client.v1.refunds.list(params={"charge": ch.id}).data == []
    with stripe_error(stripe.InvalidRequestError, param="amount", message="($15.00)"):
        client.v1.refunds.create(params={"charge": ch.id, "amount": 1501})
    assert client.v1.refunds.create(params={"charge": ch.id}).amount == 1500
    done = client.v1.charges.retrieve(ch.id)
    assert done.amount_refunded == 1500 and done.refunded is True


def test_partial_capture_before_2025_03_31_counts_the_rest_as_refunded(client):
    old = {"stripe_version": "2024-06-20"}
    ch = _charge(client, source="tok_visa", capture=False)
    cap = client.v1.charges.capture(ch.id, params={"amount": 1500}, options=old)
    assert cap.amount_captured == 1500 and cap.amount_refunded == 500
    assert cap.refunded is False
    # what is left to refund is the captured amount, whichever version asks
    with stripe_error(stripe.InvalidRequestError, param="amount", message="($15.00)"):
        client.v1.refunds.create(params={"charge": ch.id, "amount": 1501})
    assert client.v1.refunds.create(params={"charge": ch.id}).amount == 1500
    done = client.v1.charges.retrieve(ch.id, options=old)
    assert done.amount_refunded == 2000 and done.refunded is True


def test_capture_errors(client):
    ch = _charge(client, source="tok_visa", capture=False)
    with stripe_error(stripe.InvalidRequestError, status=400, param="amount"):
        client.v1.charges.capture(ch.id, params={"amount": 2001})
    with stripe_error(stripe.InvalidRequestError, status=400, param="amount",
                      code="amount_too_small"):
        client.v1.charges.capture(ch.id, params={"amount": 10})
    with stripe_error(stripe.InvalidRequestError, status=404, code="resource_missing"):
        client.v1.charges.capture("ch_nope")
    assert client.v1.charges.retrieve(ch.id).captured is False


def test_capture_on_the_connected_account(client, seller):
    cus = client.v1.customers.create(params={"source": "tok_visa"}, options=as_(seller))
    ch = _charge(client, options=as_(seller), customer=cus.id, capture=False)
    with stripe_error(stripe.InvalidRequestError, status=404):
        client.v1.charges.capture(ch.id)  # not the platform's charge
    assert client.v1.charges.capture(ch.id, options=as_(seller)).captured is True


# -- retrieve / update ----------------------------------------------------------------

def test_update_description_and_metadata(client):
    ch = _charge(client, source="tok_visa", metadata={"a": "1", "b": "2"})
    upd = client.v1.charges.update(ch.id, params={"description": "updated",
                                                  "metadata": {"a": "", "c": "3"}})
    assert upd.description == "updated" and upd.metadata.to_dict() == {"b": "2", "c": "3"}
    got = client.v1.charges.retrieve(ch.id)
    assert got.description == "updated" and got.metadata.to_dict() == {"b": "2", "c": "3"}
    upd = client.v1.charges.update(ch.id, params={"description": "", "metadata": ""})
    assert upd.description is None and upd.metadata.to_dict() == {}
    with stripe_error(stripe.InvalidRequestError, status=400, param="amount",
                      message="Received unknown parameter: amount"):
        client.v1.charges.update(ch.id, params={"amount": 5})


def test_update_attaches_a_customer_once(client):
    ch = _charge(client, source="tok_visa")
    cus = client.v1.customers.create()
    upd = client.v1.charges.update(ch.id, params={"customer": cus.id})
    assert upd.customer == cus.id
    assert [c.id for c in client.v1.charges.list(params={"customer": cus.id}).data] == [ch.id]
    other = client.v1.customers.create()
    with stripe_error(stripe.InvalidRequestError, status=400, param="customer"):
        client.v1.charges.update(ch.id, params={"customer": other.id})


def test_missing_charge(client):
    with stripe_error(stripe.InvalidRequestError, status=404, code="resource_missing",
                      param="id", message="No such charge: 'ch_nope'"):
        client.v1.charges.retrieve("ch_nope")


# -- list -----------------------------------------------------------------------------

def test_list_by_customer_and_created(client):
    a = client.v1.customers.create(params={"source": "tok_visa"})
    b = client.v1.customers.create(params={"source": "tok_visa"})
    a1 = _charge(client, customer=a.id)
    b1 = _charge(client, customer=b.id)
    a2 = _charge(client, customer=a.id)
    assert [c.id for c in client.v1.charges.list().data] == [a2.id, b1.id, a1.id]
    assert [c.id for c in client.v1.charges.list(params={"customer": a.id}).data] == \
        [a2.id, a1.id]
    assert [c.id for c in client.v1.charges.list(params={"customer": b.id}).data] == [b1.id]
    now = int(time.time())
    assert len(client.v1.charges.list(params={"created": {"gte": a1.created}}).data) == 3
    assert client.v1.charges.list(params={"created": {"gt": now + 5}}).data == []
    assert client.v1.charges.list(params={"created": {"lt": a1.created}}).data == []
    assert len(client.v1.charges.list(params={"created": a1.created,
                                              "customer": a.id}).data) >= 1
    assert len(client.v1.charges.list(params={"created": {"lte": now + 5}}).data) == 3
    with stripe_error(stripe.InvalidRequestError, status=400, param="created[gte]"):
        client.v1.charges.list(params={"created": {"gte": "yesterday"}})


def test_list_includes_failed_charges(client):
    ok = _charge(client, source="tok_visa")
    with pytest.raises(stripe.CardError) as info:
        _charge(client, source="tok_chargeDeclined")
    failed = info.value.json_body["error"]["charge"]
    assert [c.id for c in client.v1.charges.list().data] == [failed, ok.id]
