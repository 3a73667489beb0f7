"""PaymentIntents: the lifecycle (create, update, confirm, capture, cancel), the
payment method ids they accept (pm_, pm_card_*, card_, src_), declines for every test
card, off-session payments, client secrets and publishable keys, and the charges they
make."""
from __future__ import annotations

import pytest
import stripe

from .payment_support import charge
from .support import as_, customer_with_card, stripe_error


def _create(client, options=None, **params):
    return client.v1.payment_intents.create(
        params={"amount": 2000, "currency": "usd", **params}, options=options or {})


def test_lifecycle_create_update_confirm(client):
    cus = client.v1.customers.create()
    pi = _create(client, currency="USD", customer=cus.id, description="order 1",
                 metadata={"order": "1"})
    assert pi.id.startswith("pi_") and pi.object == "payment_intent"
    assert pi.status == "requires_payment_method" and pi.currency == "usd"
    assert pi.client_secret.startswith(pi.id + "_secret_")
    assert (pi.amount, pi.amount_received, pi.amount_capturable) == (2000, 0, 0)
    # automatic_async is the default since API version 2024-04-10 (the SDK pins a newer one)
    assert pi.capture_method == "automatic_async" and pi.confirmation_method == "automatic"
    assert pi.payment_method_types == ["card"] and pi.automatic_payment_methods.enabled
    assert pi.latest_charge is None and pi.last_payment_error is None
    pi = client.v1.payment_intents.update(pi.id, params={"amount": 2500,
                                                         "metadata": {"step": "2"}})
    assert pi.amount == 2500 and pi.metadata.to_dict() == {"order": "1", "step": "2"}
    pi = client.v1.payment_intents.update(pi.id, params={"payment_method": "pm_card_visa"})
    assert pi.status == "requires_confirmation" and pi.payment_method.startswith("pm_")
    pi = client.v1.payment_intents.confirm(pi.id)
    assert pi.status == "succeeded" and pi.amount_received == 2500
    ch = client.v1.charges.retrieve(pi.latest_charge)
    assert ch.payment_intent == pi.id and ch.payment_method == pi.payment_method
    assert ch.amount == 2500 and ch.captured and ch.customer == cus.id
    assert ch.metadata.to_dict() == {"order": "1", "step": "2"}
    assert ch.description == "order 1" and ch.source is None
    assert ch.payment_method_details.type == "card"
    assert ch.payment_method_details.card.last4 == "4242"
    assert [c.id for c in client.v1.charges.list(params={"payment_intent": pi.id}).data] == \
        [ch.id]
    assert ch.id in [c.id for c in client.v1.charges.list().data]
    got = client.v1.payment_intents.retrieve(pi.id, params={
        "expand": ["latest_charge", "payment_method", "customer"]})
    assert got.status == "succeeded" and got.latest_charge.id == ch.id
    assert got.payment_method.card.last4 == "4242" and got.customer.id == cus.id
    listed = client.v1.payment_intents.list(params={"customer": cus.id})
    assert [p.id for p in listed.data] == [pi.id]
    types = [e.type for e in client.v1.events.list().data]
    for t in ("payment_intent.created", "payment_intent.succeeded", "charge.succeeded"):
        assert t in types
    # a succeeded intent cannot change
    with stripe_error(stripe.InvalidRequestError, status=400,
                      code="payment_intent_unexpected_state") as info:
        client.v1.payment_intents.update(pi.id, params={"amount": 100})
    assert info.value.json_body["error"]["payment_intent"]["id"] == pi.id
    with stripe_error(stripe.InvalidRequestError, code="payment_intent_unexpected_state",
                      message="already succeeded"):
        client.v1.payment_intents.confirm(pi.id)
    assert client.v1.payment_intents.update(pi.id, params={"description": "x"}).description \
        == "x"


def test_validation(client):
    with stripe_error(stripe.InvalidRequestError, status=400, code="amount_too_small",
                      param="amount"):
        _create(client, amount=10)
    with stripe_error(stripe.InvalidRequestError, status=400, param="currency"):
        _create(client, currency="zzz")
    with stripe_error(stripe.InvalidRequestError, status=404, param="customer"):
        _create(client, customer="cus_nope")
    with stripe_error(stripe.InvalidRequestError, status=404, param="payment_method"):
        _create(client, payment_method="pm_nope")
    with stripe_error(stripe.InvalidRequestError, status=400, param="off_session"):
        _create(client, payment_method="pm_card_visa", off_session=True)
    with stripe_error(stripe.InvalidRequestError, param="payment_method_types[0]"):
        _create(client, payment_method_types=["sepa_debit"])
    pi = _create(client)
    with stripe_error(stripe.InvalidRequestError, status=400,
                      code="payment_intent_unexpected_state", message="missing a payment"):
        client.v1.payment_intents.confirm(pi.id)
    with stripe_error(stripe.InvalidRequestError, status=404, code="resource_missing"):
        client.v1.payment_intents.retrieve("pi_nope")


def test_accepts_card_and_source_ids(client):
    cus = customer_with_card(client)
    pi = charge(client, cus.default_source, customer=cus.id)
    assert pi.status == "succeeded" and pi.payment_method == cus.default_source
    ch = client.v1.charges.retrieve(pi.latest_charge)
    assert ch.payment_method == cus.default_source and ch.payment_method_details.card.brand \
        == "visa"
    # Stripe's (recorded) answer names `source`, code parameter_missing.
    with stripe_error(stripe.InvalidRequestError, status=400, param="source",
                      code="parameter_missing", message="Please include the Customer"):
        charge(client, cus.default_source)  # the card belongs to a customer
    src = client.v1.sources.create(params={"type": "card", "token": "tok_mastercard"})
    assert charge(client, src.id).status == "succeeded"


def test_manual_capture(client):
    pi = charge(client, "pm_card_visa", capture_method="manual")
    assert pi.status == "requires_capture" and pi.amount_capturable == 2000
    assert pi.amount_received == 0
    ch = client.v1.charges.retrieve(pi.latest_charge)
    assert ch.captured is False and ch.paid
    with stripe_error(stripe.InvalidRequestError, status=400, code="amount_too_large"):
        client.v1.payment_intents.capture(pi.id, params={"amount_to_capture": 2001})
    with stripe_error(stripe.InvalidRequestError,
                      message="You must capture the PaymentIntent instead"):
        client.v1.charges.capture(ch.id)  # capture the intent, not its charge
    pi = client.v1.payment_intents.capture(pi.id, params={"amount_to_capture": 1500})
    assert pi.status == "succeeded" and pi.amount_received == 1500
    assert pi.amount_capturable == 0
    ch = client.v1.charges.retrieve(pi.latest_charge)
    # the rest is released, not refunded (API version 2025-03-31 and later)
    assert ch.captured and ch.amount_captured == 1500 and ch.amount_refunded == 0
    assert client.v1.refunds.list(params={"payment_intent": pi.id}).data == []
    with stripe_error(stripe.InvalidRequestError, status=400,
                      code="payment_intent_unexpected_state",
                      message="the remainder of the authorized amount has been released"
                      ) as info:  # Stripe's (recorded) answer for a captured manual intent
        client.v1.payment_intents.capture(pi.id)
    assert info.value.json_body["error"]["payment_intent"]["status"] == "succeeded"
    types = [e.type for e in client.v1.events.list(params={"type": "payment_intent.*"}).data]
    assert "payment_intent.amount_capturable_updated" in types


def test_cancel(client):
    pi = _create(client)
    pi = client.v1.payment_intents.cancel(pi.id, params={
        "cancellation_reason": "requested_by_customer"})
    assert pi.status == "canceled" and pi.canceled_at is not None
    assert pi.cancellation_reason == "requested_by_customer"
    with stripe_error(stripe.InvalidRequestError, code="payment_intent_unexpected_state"):
        client.v1.payment_intents.cancel(pi.id)
    with stripe_error(stripe.InvalidRequestError, code="payment_intent_unexpected_state"):
        client.v1.payment_intents.confirm(pi.id, params={"payment_method": "pm_card_visa"})
    # canceling an authorized intent releases its charge: no Refund since 2025-03-31
    held = charge(client, "pm_card_visa", capture_method="manual")
    held = client.v1.payment_intents.cancel(held.id)
    assert held.status == "canceled" and held.amount_capturable == 0
    ch = client.v1.charges.retrieve(held.latest_charge)
    assert (ch.captured, ch.refunded, ch.amount_captured, ch.amount_refunded) == \
        (False, False, 0, 0)
    assert client.v1.refunds.list(params={"payment_intent": held.id}).data == []
    with stripe_error(stripe.InvalidRequestError, code="charge_already_refunded"):
        client.v1.refunds.create(params={"charge": ch.id})
    types = [e.type for e in client.v1.events.list().data]
    assert "charge.refunded" not in types and "refund.created" not in types
    # at an older version, the release is a full Refund
    old = {"stripe_version": "2024-06-20"}
    held = charge(client, "pm_card_visa", capture_method="manual")
    client.v1.payment_intents.cancel(held.id, options=old)
    ch = client.v1.charges.retrieve(held.latest_charge, options=old)
    assert ch.refunded and ch.amount_refunded == 2000
    assert [r.amount for r in client.v1.refunds.list(
        params={"payment_intent": held.id}).data] == [2000]
    done = charge(client, "pm_card_visa")
    with stripe_error(stripe.InvalidRequestError, code="payment_intent_unexpected_state",
                      message="You cannot cancel this PaymentIntent"):
        client.v1.payment_intents.cancel(done.id)
    assert "payment_intent.canceled" in [e.type for e in client.v1.events.list().data]


DECLINES = [
    ("pm_card_chargeDeclined", "card_declined", "generic_decline"),
    ("pm_card_chargeDeclinedInsufficientFunds", "card_declined", "insufficient_funds"),
    ("pm_card_chargeDeclinedLostCard", "card_declined", "lost_card"),
    ("pm_card_chargeDeclinedStolenCard", "card_declined", "stolen_card"),
    ("pm_card_chargeDeclinedExpiredCard", "expired_card", "expired_card"),
    ("pm_card_chargeDeclinedIncorrectCvc", "incorrect_cvc", "incorrect_cvc"),
    ("pm_card_chargeDeclinedProcessingError", "processing_error", "processing_error"),
    ("pm_card_chargeDeclinedFraudulent", "card_declined", "fraudulent"),
    ("pm_card_chargeCustomerFail", "card_declined", "generic_decline"),
]


@pytest.mark.parametrize("shorthand,code,decline_code", DECLINES)
def test_declines(client, shorthand, code, decline_code):
    with stripe_error(stripe.CardError, status=402, code=code) as info:
        charge(client, shorthand)
    err = info.value.json_body["error"]
    assert err["type"] == "card_error" and err["decline_code"] == decline_code
    assert err["payment_method"]["object"] == "payment_method"
    pi = err["payment_intent"]
    assert pi["status"] == "requires_payment_method" and pi["payment_method"] is None
    assert pi["last_payment_error"]["decline_code"] == decline_code
    assert pi["latest_charge"] == err["charge"]
    ch = client.v1.charges.retrieve(err["charge"])
    assert ch.status == "failed" and ch.payment_intent == pi["id"]
    assert ch.failure_code == code
    stored = client.v1.payment_intents.retrieve(pi["id"])
    assert stored.status == "requires_payment_method"
    assert stored.last_payment_error.code == code
    # the same intent succeeds with another card
    retried = client.v1.payment_intents.confirm(pi["id"], params={
        "payment_method": "pm_card_visa"})
    assert retried.status == "succeeded" and retried.last_payment_error is None
    types = [e.type for e in client.v1.events.list().data]
    assert "payment_intent.payment_failed" in types and "charge.failed" in types


def test_charge_customer_fail_on_saved_card(client):
    cus = client.v1.customers.create(params={"payment_method": "pm_card_chargeCustomerFail"})
    pm = client.v1.customers.payment_methods.list(cus.id).data[0]
    with stripe_error(stripe.CardError, status=402, code="card_declined"):
        charge(client, pm.id, customer=cus.id, off_session=True)


def test_off_session_authentication_required(client):
    with stripe_error(stripe.CardError, status=402, code="authentication_required") as info:
        charge(client, "pm_card_authenticationRequired", off_session=True)
    err = info.value.json_body["error"]
    assert err["decline_code"] == "authentication_required"
    assert err["payment_intent"]["status"] == "requires_payment_method"
    with stripe_error(stripe.CardError, code="authentication_required"):
        charge(client, "pm_card_authenticationRequiredOnSetup", error_on_requires_action=True)


def test_setup_future_usage_saves_the_card(client):
    cus = client.v1.customers.create()
    pi = charge(client, "pm_card_visa", customer=cus.id, setup_future_usage="off_session")
    assert pi.status == "succeeded" and pi.setup_future_usage == "off_session"
    pm = client.v1.payment_methods.retrieve(pi.payment_method)
    assert pm.customer == cus.id
    again = charge(client, pm.id, customer=cus.id, off_session=True)
    assert again.status == "succeeded"
    # without a customer the payment method is used up
    loose = client.v1.payment_methods.create(params={"type": "card",
                                                     "card": {"token": "tok_visa"}})
    charge(client, loose.id)
    with stripe_error(stripe.InvalidRequestError, status=400, message="previously used"):
        charge(client, loose.id)


def test_client_secret_and_publishable_key(client, publishable):
    pi = _create(client, payment_method="pm_card_visa")
    got = publishable.v1.payment_intents.retrieve(pi.id,
                                                  params={"client_secret": pi.client_secret})
    assert got.id == pi.id
    with stripe_error(stripe.InvalidRequestError, status=400, param="client_secret"):
        publishable.v1.payment_intents.retrieve(pi.id, params={"client_secret": "pi_x_secret"})
    with stripe_error(stripe.InvalidRequestError, status=400, param="client_secret"):
        publishable.v1.payment_intents.retrieve(pi.id)
    confirmed = publishable.v1.payment_intents.confirm(
        pi.id, params={"client_secret": pi.client_secret})
    assert confirmed.status == "succeeded"
    with pytest.raises(stripe.PermissionError):
        publishable.v1.payment_intents.create(params={"amount": 2000, "currency": "usd"})
    with pytest.raises(stripe.PermissionError):
        publishable.v1.payment_intents.capture(pi.id)


def test_direct_charge_on_connected_account(client, seller):
    pi = charge(client, "pm_card_visa", options=as_(seller), application_fee_amount=100)
    assert pi.status == "succeeded" and pi.application_fee_amount == 100
    ch = client.v1.charges.retrieve(pi.latest_charge, options=as_(seller))
    assert ch.payment_intent == pi.id
    assert [c.id for c in client.v1.charges.list(options=as_(seller)).data] == [ch.id]
    assert client.v1.charges.list().data == []
    with stripe_error(stripe.InvalidRequestError, status=404, code="resource_missing"):
        client.v1.payment_intents.retrieve(pi.id)
    assert client.v1.payment_intents.list(options=as_(seller)).data[0].id == pi.id
    assert client.v1.payment_intents.list().data == []
    events = client.v1.events.list(params={"type": "payment_intent.succeeded"},
                                   options=as_(seller)).data
    assert events and events[0].account == seller


def test_confirmation_method_manual(client):
    pi = _create(client, payment_method="pm_card_visa", confirmation_method="manual")
    assert pi.status == "requires_confirmation"
    assert client.v1.payment_intents.confirm(pi.id).status == "succeeded"
