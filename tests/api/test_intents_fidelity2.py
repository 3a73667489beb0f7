"""Fidelity audit, second round: PaymentMethods, PaymentIntents and SetupIntents driven
as Stripe's guides drive them, compared with Stripe's documented or reported answers.

- The testing guide's decline PaymentMethods are named pm_card_visa_chargeDeclined...
  (pm_card_radarBlock for 4100000000000019); the older pm_card_chargeDeclined... names
  keep working.
- setup_future_usage without a Customer: "you can still attach the payment method to a
  Customer after the transaction completes" (API reference).
- Capturing an intent that was captured in full: "This PaymentIntent could not be
  captured because it has already been captured."
- automatic_payment_methods is on by default only since API version 2023-08-16.
"""
from __future__ import annotations

import pytest
import stripe

from .intent_support import authenticate
from .payment_support import USED, charge
from .support import stripe_error

OLD_VERSION = {"stripe_version": "2023-02-16"}


@pytest.mark.parametrize("shorthand,code,decline_code", [
    ("pm_card_visa_chargeDeclined", "card_declined", "generic_decline"),
    ("pm_card_visa_chargeDeclinedInsufficientFunds", "card_declined", "insufficient_funds"),
    ("pm_card_visa_chargeDeclinedLostCard", "card_declined", "lost_card"),
    ("pm_card_visa_chargeDeclinedStolenCard", "card_declined", "stolen_card"),
    ("pm_card_radarBlock", "card_declined", "fraudulent"),
])
def test_testing_guide_decline_payment_methods(client, shorthand, code, decline_code):
    with stripe_error(stripe.CardError, status=402, code=code) as info:
        charge(client, shorthand)
    body = info.value.json_body["error"]
    assert body["decline_code"] == decline_code
    pi = client.v1.payment_intents.retrieve(body["payment_intent"]["id"])
    assert pi.status == "requires_payment_method"
    assert pi.last_payment_error.decline_code == decline_code
    assert pi.last_payment_error.payment_method.id == body["payment_method"]["id"]
    assert client.v1.charges.retrieve(body["charge"]).status == "failed"


def test_testing_guide_decline_tokens(client):
    with stripe_error(stripe.CardError, code="card_declined") as info:
        client.v1.charges.create(params={"amount": 1000, "currency": "usd",
                                         "source": "tok_visa_chargeDeclinedInsufficientFunds"})
    assert info.value.json_body["error"]["decline_code"] == "insufficient_funds"


def test_setup_future_usage_without_customer_can_be_attached_afterwards(client):
    pi = charge(client, "pm_card_visa", setup_future_usage="off_session")
    assert pi.status == "succeeded" and pi.setup_future_usage == "off_session"
    pm = client.v1.payment_methods.retrieve(pi.payment_method)
    assert pm.customer is None
    # not reusable as it is ...
    with stripe_error(stripe.InvalidRequestError, status=400, param="payment_method",
                      message=USED):
        charge(client, pm.id)
    # ... but it may be saved to a customer after the payment, and then reused
    cus = client.v1.customers.create()
    attached = client.v1.payment_methods.attach(pm.id, params={"customer": cus.id})
    assert attached.customer == cus.id
    again = charge(client, pm.id, customer=cus.id, off_session=True)
    assert again.status == "succeeded"
    events = client.v1.events.list(params={"type": "payment_method.attached"}).data
    assert any(e.data.object.id == pm.id for e in events)
    # detached, it is used up for good
    client.v1.payment_methods.detach(pm.id)
    with stripe_error(stripe.InvalidRequestError, status=400,
                      message="may not be used again"):
        client.v1.payment_methods.attach(pm.id, params={"customer": cus.id})


def test_without_setup_future_usage_an_unattached_method_is_used_up(client):
    pi = charge(client, "pm_card_visa")
    cus = client.v1.customers.create()
    with stripe_error(stripe.InvalidRequestError, status=400,
                      message="This PaymentMethod was previously used without being attached "
                              "to a Customer"):
        client.v1.payment_methods.attach(pi.payment_method, params={"customer": cus.id})


def test_capture_after_a_full_capture_says_already_captured(client):
    automatic = charge(client, "pm_card_visa")
    with stripe_error(stripe.InvalidRequestError, status=400,
                      code="payment_intent_unexpected_state",
                      message="This PaymentIntent could not be captured because it has "
                              "already been captured.") as info:
        client.v1.payment_intents.capture(automatic.id)
    assert info.value.json_body["error"]["payment_intent"]["id"] == automatic.id
    manual = charge(client, "pm_card_visa", capture_method="manual")
    captured = client.v1.payment_intents.capture(manual.id)
    assert captured.status == "succeeded" and captured.amount_received == 2000
    with stripe_error(stripe.InvalidRequestError, code="payment_intent_unexpected_state",
                      message="because it has already been captured."):
        client.v1.payment_intents.capture(manual.id)
    partial = charge(client, "pm_card_visa", capture_method="manual")
    client.v1.payment_intents.capture(partial.id, params={"amount_to_capture": 500})
    with stripe_error(stripe.InvalidRequestError, code="payment_intent_unexpected_state",
                      message="the remainder of the authorized amount has been released"):
        client.v1.payment_intents.capture(partial.id)


def test_automatic_payment_methods_default_follows_the_api_version(client):
    old = client.v1.payment_intents.create(
        params={"amount": 1000, "currency": "usd"}, options=OLD_VERSION)
    assert old.automatic_payment_methods is None
    assert old.payment_method_types == ["card"]
    current = client.v1.payment_intents.create(params={"amount": 1000, "currency": "usd"})
    assert current.automatic_payment_methods.enabled is True
    asked = client.v1.payment_intents.create(params={
        "amount": 1000, "currency": "usd", "automatic_payment_methods": {"enabled": True}},
        options=OLD_VERSION)
    assert asked.automatic_payment_methods.enabled is True
    old_si = client.v1.setup_intents.create(options=OLD_VERSION)
    assert old_si.automatic_payment_methods is None
    assert old_si.payment_method_types == ["card"]
    assert client.v1.setup_intents.create().automatic_payment_methods.enabled is True


def _attempts(client, si_id):
    return client.v1.setup_attempts.list(params={"setup_intent": si_id}).data


def test_setup_attempt_exists_while_3ds_waits_and_then_finishes(client):
    cus = client.v1.customers.create()
    si = client.v1.setup_intents.create(params={
        "customer": cus.id, "confirm": True,
        "payment_method": "pm_card_authenticationRequiredOnSetup"})
    assert si.status == "requires_action"
    (waiting,) = _attempts(client, si.id)
    assert si.latest_attempt == waiting.id and waiting.status == "requires_action"
    assert waiting.setup_error is None and waiting.payment_method == si.payment_method
    assert waiting.payment_method_details.card.three_d_secure is None
    authenticate(si)
    si = client.v1.setup_intents.retrieve(si.id, params={"expand": ["latest_attempt"]})
    assert si.status == "succeeded" and si.latest_attempt.id == waiting.id
    assert si.latest_attempt.status == "succeeded"
    assert si.latest_attempt.payment_method_details.card.three_d_secure.result == \
        "authenticated"
    assert [a.id for a in _attempts(client, si.id)] == [waiting.id]  # the same attempt


def test_failed_authentication_fails_the_waiting_attempt(client):
    si = client.v1.setup_intents.create(params={
        "confirm": True, "payment_method": "pm_card_authenticationRequired"})
    authenticate(si, "fail")
    si = client.v1.setup_intents.retrieve(si.id)
    assert si.status == "requires_payment_method"
    (att,) = _attempts(client, si.id)
    assert att.id == si.latest_attempt and att.status == "failed"
    assert att.setup_error.code == "setup_intent_authentication_failure"


def test_waiting_attempt_is_abandoned_by_cancel_or_another_method(client):
    si = client.v1.setup_intents.create(params={
        "confirm": True, "payment_method": "pm_card_authenticationRequired"})
    first = si.latest_attempt
    si = client.v1.setup_intents.confirm(si.id, params={"payment_method": "pm_card_visa"})
    assert si.status == "succeeded" and si.latest_attempt != first
    statuses = {a.id: a.status for a in _attempts(client, si.id)}
    assert statuses == {first: "abandoned", si.latest_attempt: "succeeded"}

    other = client.v1.setup_intents.create(params={
        "confirm": True, "payment_method": "pm_card_authenticationRequired"})
    client.v1.setup_intents.cancel(other.id)
    assert [a.status for a in _attempts(client, other.id)] == ["abandoned"]

    updated = client.v1.setup_intents.create(params={
        "confirm": True, "payment_method": "pm_card_authenticationRequired"})
    updated = client.v1.setup_intents.update(updated.id, params={"payment_method": "pm_card_visa"})
    assert updated.status == "requires_confirmation"
    assert [a.status for a in _attempts(client, updated.id)] == ["abandoned"]


def test_card_capture_method_option_places_a_hold(client):
    pi = charge(client, "pm_card_visa", payment_method_options={
        "card": {"capture_method": "manual"}})
    assert pi.capture_method != "manual"  # the top-level value is left as it was
    assert pi.payment_method_options.card.capture_method == "manual"
    assert pi.status == "requires_capture" and pi.amount_capturable == 2000
    assert client.v1.charges.retrieve(pi.latest_charge).captured is False
    types = [e.type for e in client.v1.events.list(params={"type": "payment_intent.*"}).data]
    assert "payment_intent.amount_capturable_updated" in types
    pi = client.v1.payment_intents.capture(pi.id, params={"amount_to_capture": 1500})
    assert pi.status == "succeeded" and pi.amount_received == 1500
    with stripe_error(stripe.InvalidRequestError, code="payment_intent_unexpected_state",
                      message="the remainder of the authorized amount has been released"):
        client.v1.payment_intents.capture(pi.id)


def test_setup_future_usage_on_session_does_not_set_up_for_off_session(client):
    """4000002500003155 pays off-session without authentication only once set up for
    off-session use; setup_future_usage=on_session saves it for on-session payments."""
    cus = client.v1.customers.create()
    pi = charge(client, "pm_card_authenticationRequiredOnSetup", customer=cus.id,
                setup_future_usage="on_session")
    assert pi.status == "requires_action"
    authenticate(pi)
    pi = client.v1.payment_intents.retrieve(pi.id)
    assert pi.status == "succeeded"
    pm = client.v1.payment_methods.retrieve(pi.payment_method)
    assert pm.customer == cus.id  # saved to the customer
    with stripe_error(stripe.CardError, status=402, code="authentication_required"):
        charge(client, pm.id, customer=cus.id, off_session=True)

    off = charge(client, "pm_card_authenticationRequiredOnSetup", customer=cus.id,
                 setup_future_usage="off_session")
    authenticate(off)
    off = client.v1.payment_intents.retrieve(off.id)
    again = charge(client, off.payment_method, customer=cus.id, off_session=True)
    assert again.status == "succeeded"


def test_allow_redisplay_is_set_updated_and_filters_a_customers_methods(client):
    cus = client.v1.customers.create()
    shown = client.v1.payment_methods.create(params={
        "type": "card", "card": {"token": "tok_visa"}, "allow_redisplay": "always"})
    assert shown.allow_redisplay == "always"
    client.v1.payment_methods.attach(shown.id, params={"customer": cus.id})
    hidden = client.v1.payment_methods.attach("pm_card_mastercard", params={"customer": cus.id})
    assert hidden.allow_redisplay == "unspecified"
    listed = client.v1.customers.payment_methods.list(cus.id, params={
        "allow_redisplay": "always"})
    assert [pm.id for pm in listed.data] == [shown.id]
    assert len(client.v1.customers.payment_methods.list(cus.id).data) == 2
    limited = client.v1.payment_methods.update(hidden.id, params={"allow_redisplay": "limited"})
    assert limited.allow_redisplay == "limited"
    (event,) = [e for e in client.v1.events.list(params={"type": "payment_method.updated"}).data
                if e.data.object.id == hidden.id]
    assert event.data.previous_attributes.allow_redisplay == "unspecified"
    with stripe_error(stripe.InvalidRequestError, status=400, param="allow_redisplay"):
        client.v1.payment_methods.update(hidden.id, params={"allow_redisplay": "sometimes"})


def test_payment_method_paid_with_setup_future_usage_can_be_saved_by_a_setup_intent(client):
    pi = charge(client, "pm_card_visa", setup_future_usage="off_session")
    cus = client.v1.customers.create()
    si = client.v1.setup_intents.create(params={
        "customer": cus.id, "payment_method": pi.payment_method, "confirm": True})
    assert si.status == "succeeded"
    assert client.v1.payment_methods.retrieve(pi.payment_method).customer == cus.id
    # without a customer it is still used up
    other = charge(client, "pm_card_visa", setup_future_usage="off_session")
    with stripe_error(stripe.InvalidRequestError, status=400, param="payment_method"):
        client.v1.setup_intents.create(params={
            "payment_method": other.payment_method, "confirm": True})


def test_manual_confirmation_needs_the_secret_key(client, publishable):
    pi = client.v1.payment_intents.create(params={
        "amount": 1000, "currency": "usd", "confirmation_method": "manual",
        "payment_method": "pm_card_visa"})
    with stripe_error(stripe.InvalidRequestError, status=400,
                      message=f"This PaymentIntent {pi.id} cannot be confirmed using your "
                              "publishable key because its `confirmation_method` is set to "
                              "`manual`."):
        publishable.v1.payment_intents.confirm(pi.id, params={"client_secret": pi.client_secret})
    assert client.v1.payment_intents.retrieve(pi.id).status == "requires_confirmation"
    assert client.v1.payment_intents.confirm(pi.id).status == "succeeded"
    auto = client.v1.payment_intents.create(params={
        "amount": 1000, "currency": "usd", "payment_method": "pm_card_visa"})
    done = publishable.v1.payment_intents.confirm(auto.id, params={
        "client_secret": auto.client_secret})
    assert done.status == "succeeded"


def test_recovering_an_off_session_authentication_failure_on_session(client, publishable):
    """Save and reuse: an off-session payment that needs authentication fails with
    authentication_required; the customer comes back and confirms the same intent with
    the payment method named in the error, authenticates, and the payment succeeds."""
    cus = client.v1.customers.create()
    pm = client.v1.payment_methods.attach("pm_card_authenticationRequired",
                                          params={"customer": cus.id})
    with stripe_error(stripe.CardError, status=402, code="authentication_required") as info:
        charge(client, pm.id, customer=cus.id, off_session=True)
    body = info.value.json_body["error"]
    assert body["payment_method"]["id"] == pm.id
    failed = body["payment_intent"]
    assert failed["status"] == "requires_payment_method" and failed["payment_method"] is None
    assert failed["last_payment_error"]["payment_method"]["id"] == pm.id
    pi = publishable.v1.payment_intents.confirm(failed["id"], params={
        "client_secret": failed["client_secret"], "payment_method": pm.id,
        "return_url": "https://shop.example/back"})
    assert pi.status == "requires_action" and pi.last_payment_error is None
    assert pi.next_action.redirect_to_url.return_url == "https://shop.example/back"
    assert authenticate(pi).status_code == 303
    pi = client.v1.payment_intents.retrieve(pi.id)
    assert pi.status == "succeeded" and pi.amount_received == 2000
    charges = client.v1.charges.list(params={"payment_intent": pi.id}).data
    assert sorted(ch.status for ch in charges) == ["failed", "succeeded"]
    assert pi.latest_charge == next(ch.id for ch in charges if ch.status == "succeeded")
    types = [e.type for e in client.v1.events.list(params={"type": "payment_intent.*"}).data
             if e.data.object.id == pi.id]
    assert sorted(types) == ["payment_intent.created", "payment_intent.payment_failed",
                             "payment_intent.requires_action", "payment_intent.succeeded"]


@pytest.mark.parametrize("shorthand,code,decline_code", [
    ("pm_card_authenticationRequiredChargeDeclinedInsufficientFunds", "card_declined",
     "insufficient_funds"),
    ("pm_card_threeDSecureRequiredChargeDeclined", "card_declined", "generic_decline"),
    ("pm_card_threeDSecureRequiredProcessingError", "processing_error", "processing_error"),
])
def test_cards_that_decline_after_authentication(client, shorthand, code, decline_code):
    pi = charge(client, shorthand, return_url="https://shop.example/back")
    assert pi.status == "requires_action" and pi.latest_charge is None
    response = authenticate(pi)
    assert response.status_code == 303
    assert "redirect_status=failed" in response.headers["location"]
    pi = client.v1.payment_intents.retrieve(pi.id)
    assert pi.status == "requires_payment_method" and pi.payment_method is None
    assert pi.last_payment_error.code == code
    assert pi.last_payment_error.decline_code == decline_code
    ch = client.v1.charges.retrieve(pi.latest_charge)
    assert ch.status == "failed" and ch.failure_code == code
    # the card attaches (it declines payments, not setups)
    cus = client.v1.customers.create()
    assert client.v1.payment_methods.attach(shorthand, params={"customer": cus.id}).customer


def test_card_set_up_for_off_session_payments(client):
    """4000003800000446: authentication on session, none needed off session."""
    cus = client.v1.customers.create()
    pm = client.v1.payment_methods.attach("pm_card_authenticationRequiredSetupForOffSession",
                                          params={"customer": cus.id})
    assert charge(client, pm.id, customer=cus.id, off_session=True).status == "succeeded"
    on_session = charge(client, pm.id, customer=cus.id)
    assert on_session.status == "requires_action"
    si = client.v1.setup_intents.create(params={
        "customer": cus.id, "payment_method": "pm_card_authenticationRequiredSetupForOffSession",
        "confirm": True})
    assert si.status == "requires_action"


def test_card_with_optional_three_d_secure_pays_without_authentication(client):
    pi = charge(client, "pm_card_threeDSecureOptional")
    assert pi.status == "succeeded" and pi.next_action is None
    ch = client.v1.charges.retrieve(pi.latest_charge)
    assert ch.payment_method_details.card.last4 == "3055"
