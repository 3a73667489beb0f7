"""Fidelity audit, PaymentIntents and SetupIntents: answers compared with Stripe's
recorded or documented ones.

- confirm=true without a payment method uses the customer's default_source (the API
  reference's migration aid for Charges users; the legacy clone flow relies on it).
- capture_method defaults to automatic_async since API version 2024-04-10.
- Ownership refusals, missing-payment-method and wrong-state messages use Stripe's
  wording (and param/code); a missing SetupIntent is "No such setupintent".
- Without a return_url, 3-D Secure answers next_action use_stripe_sdk.
"""
from __future__ import annotations

import stripe

from .payment_support import charge
from .support import as_, customer_with_card, stripe_error

STALE_VERSION = {"stripe_version": "2023-10-16"}


def test_confirm_falls_back_to_the_default_source(client):
    cus = customer_with_card(client)
    pi = client.v1.payment_intents.create(params={
        "amount": 1000, "currency": "usd", "customer": cus.id, "confirm": True})
    assert pi.status == "succeeded" and pi.payment_method == cus.default_source
    ch = client.v1.charges.retrieve(pi.latest_charge)
    assert ch.payment_method == cus.default_source and ch.customer == cus.id
    later = client.v1.payment_intents.create(params={
        "amount": 700, "currency": "usd", "customer": cus.id})
    assert client.v1.payment_intents.confirm(later.id).status == "succeeded"


def test_cloned_card_customer_pays_with_a_payment_intent(client, seller):
    platform_cus = customer_with_card(client)
    tok = client.v1.tokens.create(params={"customer": platform_cus.id}, options=as_(seller))
    cus = client.v1.customers.create(params={"source": tok.id}, options=as_(seller))
    pi = client.v1.payment_intents.create(params={
        "amount": 2000, "currency": "usd", "customer": cus.id, "confirm": True,
        "application_fee_amount": 200}, options=as_(seller))
    assert pi.status == "succeeded" and pi.payment_method == cus.default_source


def test_missing_payment_method_messages(client):
    cus = client.v1.customers.create()
    pi = client.v1.payment_intents.create(params={
        "amount": 1000, "currency": "usd", "customer": cus.id})
    with stripe_error(stripe.InvalidRequestError, code="payment_intent_unexpected_state",
                      message=f"To confirm the PaymentIntent with {cus.id}, specify a payment "
                              "method attached to this customer along with the customer ID."):
        client.v1.payment_intents.confirm(pi.id)
    bare = client.v1.payment_intents.create(params={"amount": 1000, "currency": "usd"})
    with stripe_error(stripe.InvalidRequestError, code="payment_intent_unexpected_state",
                      message="confirm it again directly with a payment method or "
                              "ConfirmationToken."):
        client.v1.payment_intents.confirm(bare.id)
    si = client.v1.setup_intents.create()
    with stripe_error(stripe.InvalidRequestError, code="setup_intent_unexpected_state",
                      message="confirm it again directly with a payment method or "
                              "ConfirmationToken.") as info:
        client.v1.setup_intents.confirm(si.id)
    assert info.value.json_body["error"]["setup_intent"]["id"] == si.id


def test_ownership_messages(client):
    owner = client.v1.customers.create()
    other = client.v1.customers.create()
    pm = client.v1.payment_methods.attach("pm_card_visa", params={"customer": owner.id})
    with stripe_error(stripe.InvalidRequestError, status=400, param="payment_method",
                      message=f"The PaymentMethod {pm.id} does not belong to the Customer you "
                              f"supplied {other.id}. Please use this PaymentMethod with the "
                              "Customer that it belongs to instead."):
        charge(client, pm.id, customer=other.id)
    with stripe_error(stripe.InvalidRequestError, status=400, param="source",
                      code="parameter_missing",
                      message=f"The `payment_method` parameter supplied {pm.id} belongs to the "
                              f"Customer {owner.id}. Please include the Customer in the "
                              "`customer` parameter on the PaymentIntent."):
        charge(client, pm.id)
    with stripe_error(stripe.InvalidRequestError, param="payment_method",
                      message=f"The payment method supplied ({pm.id}) belongs to the Customer "
                              f"{owner.id}. Please include the Customer in the `customer` "
                              "parameter on the SetupIntent."):
        client.v1.setup_intents.create(params={"payment_method": pm.id})
    with stripe_error(stripe.InvalidRequestError, param="payment_method",
                      message="does not belong to the Customer you supplied"):
        client.v1.setup_intents.create(params={"payment_method": pm.id,
                                               "customer": other.id})


def test_capture_and_cancel_refusals(client):
    pi = charge(client, "pm_card_visa", capture_method="manual")
    with stripe_error(stripe.InvalidRequestError, status=400, code="amount_too_large",
                      message="the requested capture amount is greater than the amount you "
                              "can capture for this charge") as info:
        client.v1.payment_intents.capture(pi.id, params={"amount_to_capture": 2001})
    assert info.value.json_body["error"]["payment_intent"]["id"] == pi.id
    with stripe_error(stripe.InvalidRequestError, param="amount",
                      code="parameter_invalid_integer",
                      message="This value must be greater than or equal to 1."):
        client.v1.payment_intents.capture(pi.id, params={"amount_to_capture": 0})
    client.v1.payment_intents.capture(pi.id)
    with stripe_error(stripe.InvalidRequestError, code="payment_intent_unexpected_state",
                      message="requires_payment_method, requires_capture, "
                              "requires_reauthorization, requires_confirmation, "
                              "requires_action, expired, processing."):
        client.v1.payment_intents.cancel(pi.id)
    with stripe_error(stripe.InvalidRequestError, param="amount",
                      code="payment_intent_unexpected_state",
                      message="This PaymentIntent's amount could not be updated because it "
                              "has a status of succeeded."):
        client.v1.payment_intents.update(pi.id, params={"amount": 3000})


def test_setup_intent_wording(client):
    with stripe_error(stripe.InvalidRequestError, status=404, param="intent",
                      message="No such setupintent: 'seti_nope'"):
        client.v1.setup_intents.retrieve("seti_nope")
    done = client.v1.setup_intents.create(params={"payment_method": "pm_card_visa",
                                                  "confirm": True})
    with stripe_error(stripe.InvalidRequestError, code="setup_intent_unexpected_state",
                      message="You cannot confirm this SetupIntent because it has already "
                              "succeeded."):
        client.v1.setup_intents.confirm(done.id)
    with stripe_error(stripe.InvalidRequestError, code="setup_intent_unexpected_state",
                      message="may be canceled: `requires_payment_method`, "
                              "`requires_confirmation`, or `requires_action`."):
        client.v1.setup_intents.cancel(done.id)
    with stripe_error(stripe.InvalidRequestError, code="setup_intent_unexpected_state",
                      message="You cannot update this SetupIntent because it has already "
                              "succeeded."):
        client.v1.setup_intents.update(done.id, params={"payment_method": "pm_card_visa"})
    open_ = client.v1.setup_intents.create()
    client.v1.setup_intents.cancel(open_.id)
    with stripe_error(stripe.InvalidRequestError,
                      message="You cannot cancel this SetupIntent because it is already "
                              "canceled."):
        client.v1.setup_intents.cancel(open_.id)
    with stripe_error(stripe.InvalidRequestError,
                      message="You cannot confirm this SetupIntent because it has been "
                              "canceled."):
        client.v1.setup_intents.confirm(open_.id, params={"payment_method": "pm_card_visa"})


def test_capture_method_default_follows_the_api_version(client):
    pi = client.v1.payment_intents.create(params={"amount": 1000, "currency": "usd"})
    assert pi.capture_method == "automatic_async"
    old = client.v1.payment_intents.create(params={"amount": 1000, "currency": "usd"},
                                           options=STALE_VERSION)
    assert old.capture_method == "automatic"
    paid = charge(client, "pm_card_visa")
    assert paid.status == "succeeded" and paid.amount_received == 2000


def test_three_d_secure_next_action_kinds(client):
    sdk = charge(client, "pm_card_threeDSecure2Required")
    assert sdk.status == "requires_action" and sdk.next_action.type == "use_stripe_sdk"
    assert sdk.next_action.use_stripe_sdk.type == "three_d_secure_redirect"
    assert sdk.next_action.use_stripe_sdk.stripe_js.startswith("http")
    redirect = charge(client, "pm_card_threeDSecure2Required",
                      return_url="https://shop.example/back")
    assert redirect.next_action.type == "redirect_to_url"
    assert redirect.next_action.redirect_to_url.return_url == "https://shop.example/back"


def test_last_payment_error_names_the_method_type(client):
    with stripe_error(stripe.CardError, code="card_declined") as info:
        charge(client, "pm_card_chargeDeclined")
    pi = client.v1.payment_intents.retrieve(info.value.json_body["error"]["payment_intent"]["id"])
    assert pi.last_payment_error.payment_method_type == "card"
    assert pi.last_payment_error.payment_method.object == "payment_method"
