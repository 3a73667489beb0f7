"""PaymentIntents and SetupIntents as a Connect platform drives them on a connected
account (Stripe-Account header, direct charges with a cloned PaymentMethod), through
both the StripeClient and the legacy module-level API with stripe_account=.

- A decline's error body carries the network's advice_code and network_decline_code, as
  last_payment_error / last_setup_error do (docs.stripe.com/declines/codes: "an error can
  contain an advice_code"; changelog 2024-12-18 adds network_decline_code to StripeError,
  PaymentIntent.last_payment_error, SetupIntent.last_setup_error and
  SetupAttempt.setup_error).
- The testing guide's velocity-limit card (4000000000006975,
  pm_card_visa_chargeDeclinedVelocityLimitExceeded) declines with card_velocity_exceeded.
- POST /v1/payment_intents/{intent}/increment_authorization exists; an authorization
  that did not request incremental support is refused with Stripe's (recorded) 400.
"""
from __future__ import annotations

import pytest
import stripe

from .payment_support import charge, platform_customer_with_pm
from .support import as_, stripe_error

NOT_ELIGIBLE = ("This PaymentIntent is not eligible for incremental authorization because "
                "you did not request support using `request_incremental_authorization` when "
                "you created or confirmed it.")


def _clone(client, seller, shorthand):
    """A platform customer's saved card, cloned onto `seller` for a direct charge."""
    cus, pm = platform_customer_with_pm(client, shorthand)
    return client.v1.payment_methods.create(
        params={"customer": cus.id, "payment_method": pm.id}, options=as_(seller))


def _clone_unsaved(client, seller, shorthand):
    """A decline card cannot be saved to a customer: the platform's unattached
    PaymentMethod is cloned (once) instead."""
    pm = client.v1.payment_methods.create(params={
        "type": "card", "card": {"token": shorthand.replace("pm_card_", "tok_")}})
    return client.v1.payment_methods.create(params={"payment_method": pm.id},
                                            options=as_(seller))


@pytest.mark.parametrize("shorthand,code,decline_code,advice,network", [
    ("pm_card_chargeDeclinedInsufficientFunds", "card_declined", "insufficient_funds",
     "try_again_later", "51"),
    ("pm_card_chargeDeclinedLostCard", "card_declined", "lost_card", "do_not_try_again", "41"),
    ("pm_card_chargeDeclinedExpiredCard", "expired_card", "expired_card",
     "confirm_card_data", "54"),
    ("pm_card_chargeDeclinedProcessingError", "processing_error", "processing_error",
     "try_again_later", "96"),
    ("pm_card_radarBlock", "card_declined", "fraudulent", None, None),
])
def test_direct_charge_decline_carries_the_network_codes(client, seller, shorthand, code,
                                                         decline_code, advice, network):
    clone = _clone_unsaved(client, seller, shorthand)
    with stripe_error(stripe.CardError, status=402, code=code) as info:
        charge(client, clone.id, options=as_(seller), application_fee_amount=100)
    err = info.value.json_body["error"]
    assert err["type"] == "card_error" and err["decline_code"] == decline_code
    assert err.get("advice_code") == advice and err.get("network_decline_code") == network
    assert info.value.error.advice_code == advice  # the SDK's StripeError reads them
    assert err["payment_method"]["id"] == clone.id
    pi = client.v1.payment_intents.retrieve(err["payment_intent"]["id"], options=as_(seller))
    assert pi.status == "requires_payment_method" and pi.payment_method is None
    last = pi.last_payment_error.to_dict()
    assert (last["code"], last["decline_code"]) == (code, decline_code)
    assert last.get("advice_code") == advice and last.get("network_decline_code") == network
    ch = client.v1.charges.retrieve(err["charge"], options=as_(seller))
    assert ch.status == "failed" and ch.failure_code == code and ch.application_fee is None
    assert ch.outcome.advice_code == advice and ch.outcome.network_decline_code == network
    assert client.v1.application_fees.list().data == []  # nothing collected on a decline


def test_velocity_limit_test_card(client, seller):
    message = ("Your card was declined for making repeated attempts too frequently or "
               "exceeding its amount limit.")
    with stripe_error(stripe.CardError, status=402, code="card_declined",
                      message=message) as info:
        charge(client, "pm_card_visa_chargeDeclinedVelocityLimitExceeded", options=as_(seller))
    err = info.value.json_body["error"]
    assert err["decline_code"] == "card_velocity_exceeded"
    assert err["payment_intent"]["last_payment_error"]["decline_code"] == \
        "card_velocity_exceeded"
    ch = client.v1.charges.retrieve(err["charge"], options=as_(seller))
    assert ch.status == "failed" and ch.outcome.reason == "card_velocity_exceeded"
    assert ch.payment_method_details.card.last4 == "6975"
    with stripe_error(stripe.CardError, status=402, code="card_declined") as info:
        client.v1.charges.create(params={
            "amount": 1000, "currency": "usd",
            "source": "tok_visa_chargeDeclinedVelocityLimitExceeded"})
    assert info.value.json_body["error"]["decline_code"] == "card_velocity_exceeded"


def test_setup_intent_decline_carries_the_network_codes(client, seller):
    cus = client.v1.customers.create(options=as_(seller))
    with stripe_error(stripe.CardError, status=402, code="incorrect_cvc", param="cvc") as info:
        client.v1.setup_intents.create(params={
            "customer": cus.id, "payment_method": "pm_card_chargeDeclinedIncorrectCvc",
            "confirm": True}, options=as_(seller))
    err = info.value.json_body["error"]
    assert (err["advice_code"], err["network_decline_code"]) == ("confirm_card_data", "N7")
    si = client.v1.setup_intents.retrieve(err["setup_intent"]["id"], options=as_(seller))
    assert si.status == "requires_payment_method"
    last = si.last_setup_error
    assert (last.code, last.decline_code, last.param) == ("incorrect_cvc", "incorrect_cvc",
                                                          "cvc")
    assert (last.advice_code, last.network_decline_code) == ("confirm_card_data", "N7")
    (attempt,) = client.v1.setup_attempts.list(params={"setup_intent": si.id},
                                               options=as_(seller)).data
    assert attempt.status == "failed"
    assert attempt.setup_error.network_decline_code == "N7"


def test_increment_authorization_is_refused(client, seller):
    held = charge(client, _clone(client, seller, "pm_card_visa").id, options=as_(seller),
                  capture_method="manual", application_fee_amount=100)
    assert held.status == "requires_capture" and held.amount_capturable == 2000
    with stripe_error(stripe.InvalidRequestError, status=400, message=NOT_ELIGIBLE) as info:
        client.v1.payment_intents.increment_authorization(
            held.id, params={"amount": 3000}, options=as_(seller))
    assert info.value.json_body["error"]["payment_intent"]["id"] == held.id
    # nothing changed: the hold is still capturable for the authorized amount
    held = client.v1.payment_intents.retrieve(held.id, options=as_(seller))
    assert (held.amount, held.amount_capturable) == (2000, 2000)
    ch = client.v1.charges.retrieve(held.latest_charge, options=as_(seller))
    assert ch.payment_method_details.card.incremental_authorization.status == "unavailable"
    assert client.v1.payment_intents.capture(held.id, options=as_(seller)).status == \
        "succeeded"
    # not awaiting capture: the unexpected-state error
    for pi in (held, client.v1.payment_intents.create(
            params={"amount": 2000, "currency": "usd"}, options=as_(seller))):
        with stripe_error(stripe.InvalidRequestError, status=400,
                          code="payment_intent_unexpected_state", message="requires_capture"):
            client.v1.payment_intents.increment_authorization(
                pi.id, params={"amount": 3000}, options=as_(seller))
    with stripe_error(stripe.InvalidRequestError, status=400, param="amount"):
        client.v1.payment_intents.increment_authorization(held.id, params={},
                                                          options=as_(seller))
    with stripe_error(stripe.InvalidRequestError, status=404, code="resource_missing"):
        client.v1.payment_intents.increment_authorization(held.id, params={"amount": 3000})


def test_legacy_module_api_with_stripe_account(client, legacy, seller):
    cus, pm = platform_customer_with_pm(client)
    clone = legacy.PaymentMethod.create(customer=cus.id, payment_method=pm.id,
                                        stripe_account=seller)
    assert clone.customer is None and clone.card.fingerprint == pm.card.fingerprint
    held = legacy.PaymentIntent.create(amount=2000, currency="usd", payment_method=clone.id,
                                       confirm=True, capture_method="manual",
                                       stripe_account=seller)
    with pytest.raises(legacy.InvalidRequestError) as info:
        legacy.PaymentIntent.increment_authorization(held.id, amount=2500,
                                                     stripe_account=seller)
    assert info.value.user_message == NOT_ELIGIBLE
    held = legacy.PaymentIntent.capture(held.id, amount_to_capture=1500, stripe_account=seller)
    assert held.status == "succeeded" and held.amount_received == 1500
    with pytest.raises(legacy.CardError) as info:
        legacy.PaymentIntent.create(amount=2000, currency="usd", confirm=True,
                                    payment_method="pm_card_chargeDeclinedInsufficientFunds",
                                    stripe_account=seller)
    error = info.value.error
    assert (error.decline_code, error.advice_code, error.network_decline_code) == \
        ("insufficient_funds", "try_again_later", "51")
    assert error.payment_intent.status == "requires_payment_method"
    assert legacy.Charge.retrieve(error.charge, stripe_account=seller).status == "failed"


@pytest.mark.parametrize("token,decline_code,advice,network", [
    ("tok_chargeDeclinedInsufficientFunds", "insufficient_funds", "try_again_later", "51"),
    ("tok_radarBlock", "fraudulent", None, None),
])
def test_legacy_charge_decline_carries_the_network_codes(client, token, decline_code, advice,
                                                         network):
    """The Charges API's 402 carries the same network codes as a PaymentIntent's."""
    with stripe_error(stripe.CardError, status=402, code="card_declined") as info:
        client.v1.charges.create(params={"amount": 2000, "currency": "usd", "source": token})
    err = info.value.json_body["error"]
    assert err["decline_code"] == decline_code and err["charge"].startswith("ch_")
    assert err.get("advice_code") == advice and err.get("network_decline_code") == network
    ch = client.v1.charges.retrieve(err["charge"])
    assert ch.outcome.advice_code == advice and ch.outcome.network_decline_code == network
