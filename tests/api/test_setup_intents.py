"""SetupIntents: create, update, confirm, cancel, list; confirming saves the
PaymentMethod to the customer; cards set up for off_session usage then pay off-session
without authentication; decline cards fail the setup."""
from __future__ import annotations

import pytest
import stripe

from .intent_support import authenticate
from .payment_support import charge
from .support import as_, stripe_error


def test_create_confirm_saves_the_card(client):
    cus = client.v1.customers.create()
    si = client.v1.setup_intents.create(params={"customer": cus.id, "confirm": True,
                                                "payment_method": "pm_card_visa",
                                                "metadata": {"k": "v"}})
    assert si.id.startswith("seti_") and si.object == "setup_intent"
    assert si.status == "succeeded" and si.usage == "off_session"
    assert si.client_secret.startswith(si.id + "_secret_")
    assert si.payment_method_types == ["card"] and si.metadata.to_dict() == {"k": "v"}
    pm = client.v1.payment_methods.retrieve(si.payment_method)
    assert pm.customer == cus.id and pm.card.checks.cvc_check == "pass"
    assert si.latest_attempt.startswith("setatt_")
    attempts = client.v1.setup_attempts.list(params={"setup_intent": si.id})
    assert [a.id for a in attempts.data] == [si.latest_attempt]
    assert attempts.data[0].status == "succeeded"
    assert attempts.data[0].payment_method_details.card.last4 == "4242"
    expanded = client.v1.setup_intents.retrieve(si.id, params={
        "expand": ["payment_method", "latest_attempt"]})
    assert expanded.payment_method.id == pm.id and expanded.latest_attempt.id == \
        si.latest_attempt
    types = [e.type for e in client.v1.events.list().data]
    for t in ("setup_intent.created", "setup_intent.succeeded", "payment_method.attached"):
        assert t in types
    # saved for off-session use: charges work without the customer present
    for _ in range(2):
        assert charge(client, pm.id, customer=cus.id, off_session=True).status == "succeeded"


def test_step_by_step_and_list(client):
    cus = client.v1.customers.create()
    si = client.v1.setup_intents.create(params={"customer": cus.id, "usage": "on_session"})
    assert si.status == "requires_payment_method" and si.usage == "on_session"
    with stripe_error(stripe.InvalidRequestError, status=400,
                      code="setup_intent_unexpected_state", message="missing a payment"):
        client.v1.setup_intents.confirm(si.id)
    pm = client.v1.payment_methods.create(params={"type": "card",
                                                  "card": {"token": "tok_mastercard"}})
    si = client.v1.setup_intents.update(si.id, params={"payment_method": pm.id,
                                                       "description": "save"})
    assert si.status == "requires_confirmation" and si.description == "save"
    si = client.v1.setup_intents.confirm(si.id)
    assert si.status == "succeeded"
    assert client.v1.payment_methods.retrieve(pm.id).customer == cus.id
    other = client.v1.setup_intents.create()
    listed = client.v1.setup_intents.list(params={"customer": cus.id})
    assert [s.id for s in listed.data] == [si.id]
    assert {s.id for s in client.v1.setup_intents.list().data} == {si.id, other.id}
    by_pm = client.v1.setup_intents.list(params={"payment_method": pm.id})
    assert [s.id for s in by_pm.data] == [si.id]
    with stripe_error(stripe.InvalidRequestError, code="setup_intent_unexpected_state"):
        client.v1.setup_intents.update(si.id, params={"payment_method": "pm_card_visa"})
    with stripe_error(stripe.InvalidRequestError, status=404, code="resource_missing"):
        client.v1.setup_intents.retrieve("seti_nope")


def test_cancel(client):
    si = client.v1.setup_intents.create()
    si = client.v1.setup_intents.cancel(si.id, params={"cancellation_reason": "abandoned"})
    assert si.status == "canceled" and si.cancellation_reason == "abandoned"
    done = client.v1.setup_intents.create(params={"payment_method": "pm_card_visa",
                                                  "confirm": True})
    with stripe_error(stripe.InvalidRequestError, status=400,
                      code="setup_intent_unexpected_state",
                      message="You cannot cancel this SetupIntent") as info:
        client.v1.setup_intents.cancel(done.id)
    assert info.value.json_body["error"]["setup_intent"]["status"] == "succeeded"
    assert "setup_intent.canceled" in [e.type for e in client.v1.events.list().data]


@pytest.mark.parametrize("shorthand,code,decline_code", [
    ("pm_card_chargeDeclined", "card_declined", "generic_decline"),
    ("pm_card_chargeDeclinedInsufficientFunds", "card_declined", "insufficient_funds"),
    ("pm_card_chargeDeclinedExpiredCard", "expired_card", "expired_card"),
    ("pm_card_chargeDeclinedIncorrectCvc", "incorrect_cvc", "incorrect_cvc"),
])
def test_decline_cards_fail_setup(client, shorthand, code, decline_code):
    cus = client.v1.customers.create()
    with stripe_error(stripe.CardError, status=402, code=code) as info:
        client.v1.setup_intents.create(params={"customer": cus.id, "confirm": True,
                                               "payment_method": shorthand})
    err = info.value.json_body["error"]
    assert err["decline_code"] == decline_code
    si = client.v1.setup_intents.retrieve(err["setup_intent"]["id"])
    assert si.status == "requires_payment_method" and si.payment_method is None
    assert si.last_setup_error.code == code
    assert client.v1.customers.payment_methods.list(cus.id).data == []
    assert "setup_intent.setup_failed" in [e.type for e in client.v1.events.list().data]
    # try again with a good card
    si = client.v1.setup_intents.confirm(si.id, params={"payment_method": "pm_card_visa"})
    assert si.status == "succeeded"


def test_charge_customer_fail_sets_up_then_declines(client):
    cus = client.v1.customers.create()
    si = client.v1.setup_intents.create(params={
        "customer": cus.id, "confirm": True, "payment_method": "pm_card_chargeCustomerFail"})
    assert si.status == "succeeded"
    with stripe_error(stripe.CardError, status=402, code="card_declined"):
        charge(client, si.payment_method, customer=cus.id, off_session=True)


def test_authentication_on_setup_then_off_session(client):
    cus = client.v1.customers.create()
    si = client.v1.setup_intents.create(params={
        "customer": cus.id, "confirm": True,
        "payment_method": "pm_card_authenticationRequiredOnSetup"})
    assert si.status == "requires_action"
    assert si.next_action.type == "use_stripe_sdk"  # no return_url
    assert "setup_intent.requires_action" in [e.type for e in client.v1.events.list().data]
    authenticate(si)
    si = client.v1.setup_intents.retrieve(si.id)
    assert si.status == "succeeded"
    pm = si.payment_method
    assert charge(client, pm, customer=cus.id, off_session=True).status == "succeeded"
    # on-session one-off payments with this card still ask for authentication
    assert charge(client, pm, customer=cus.id).status == "requires_action"
    # the same card without a setup cannot pay off-session
    with stripe_error(stripe.CardError, code="authentication_required"):
        charge(client, "pm_card_authenticationRequiredOnSetup", off_session=True)


def test_always_authenticate_card_fails_off_session_even_when_set_up(client):
    cus = client.v1.customers.create()
    si = client.v1.setup_intents.create(params={
        "customer": cus.id, "confirm": True, "payment_method": "pm_card_authenticationRequired"})
    authenticate(si)
    pm = client.v1.setup_intents.retrieve(si.id).payment_method
    with stripe_error(stripe.CardError, status=402, code="authentication_required"):
        charge(client, pm, customer=cus.id, off_session=True)


def test_publishable_confirm_and_connected_account(client, publishable, seller):
    si = client.v1.setup_intents.create(params={"payment_method": "pm_card_visa"})
    with stripe_error(stripe.InvalidRequestError, status=400, param="client_secret"):
        publishable.v1.setup_intents.confirm(si.id, params={"client_secret": "seti_x_secret"})
    done = publishable.v1.setup_intents.confirm(si.id, params={
        "client_secret": si.client_secret})
    assert done.status == "succeeded"
    assert publishable.v1.setup_intents.retrieve(
        si.id, params={"client_secret": si.client_secret}).status == "succeeded"
    theirs = client.v1.setup_intents.create(params={"payment_method": "pm_card_visa",
                                                    "confirm": True}, options=as_(seller))
    with stripe_error(stripe.InvalidRequestError, status=404, code="resource_missing"):
        client.v1.setup_intents.retrieve(theirs.id)
    assert client.v1.setup_intents.retrieve(theirs.id, options=as_(seller)).status == \
        "succeeded"
