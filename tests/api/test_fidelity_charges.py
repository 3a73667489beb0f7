"""Fidelity audit, Charges: answers compared with Stripe's recorded or documented ones.

- Charging a customer with nothing saved is a 402 card_error (code `missing`, param
  `card`), worded by whether it has PaymentMethods.
- A charge's `refunds` list is absent unless expanded (API versions since 2022-11-15).
- An authorized card charge carries amount_authorized, the overcapture ceiling and, while
  uncaptured, capture_before (created + 7 days).
- Capturing a PaymentIntent's charge directly names the PaymentIntent to capture.
- A declined charge has no receipt_url; metadata limit messages use Stripe's wording;
  an application fee names its fee_source.
"""
from __future__ import annotations

import stripe

from .payment_support import charge as pi_charge
from .support import customer_with_card, stripe_error


def _charge(client, **params):
    return client.v1.charges.create(params={"amount": 1500, "currency": "usd", **params})


def test_customer_without_saved_details_is_a_card_error(client):
    cus = client.v1.customers.create()
    with stripe_error(stripe.CardError, status=402, code="missing", param="card",
                      message="This Customer doesn't have any saved payment details. Attach a "
                              "legacy Token, Card, Bank Account, or Source"):
        _charge(client, customer=cus.id)
    client.v1.payment_methods.attach("pm_card_visa", params={"customer": cus.id})
    with stripe_error(stripe.CardError, status=402, code="missing", param="card",
                      message="doesn't have any legacy saved payment details, but does have a "
                              "Payment Method attached"):
        _charge(client, customer=cus.id)
    assert client.v1.charges.list(params={"customer": cus.id}).data == []


def test_refunds_are_expand_only(client):
    ch = _charge(client, source="tok_visa")
    assert "refunds" not in ch.to_dict()
    client.v1.refunds.create(params={"charge": ch.id, "amount": 500})
    assert "refunds" not in client.v1.charges.retrieve(ch.id).to_dict()
    expanded = client.v1.charges.retrieve(ch.id, params={"expand": ["refunds"]})
    assert expanded.refunds.object == "list"
    assert expanded.refunds.url == f"/v1/charges/{ch.id}/refunds"
    assert [r.amount for r in expanded.refunds.data] == [500]


def test_authorization_details(client):
    held = _charge(client, source="tok_visa", capture=False)
    card = held.payment_method_details.card
    assert card.amount_authorized == 1500
    assert card.capture_before == held.created + 7 * 24 * 3600
    assert card.overcapture.maximum_amount_capturable == 1500
    paid = _charge(client, source="tok_visa")
    assert paid.payment_method_details.card.amount_authorized == 1500
    assert "capture_before" not in paid.payment_method_details.card.to_dict()
    with stripe_error(stripe.CardError):
        _charge(client, source="tok_chargeDeclined")
    failed = client.v1.charges.list(params={"limit": 1}).data[0]
    assert failed.status == "failed"
    assert failed.payment_method_details.card.amount_authorized is None


def test_capturing_a_payment_intents_charge(client):
    pi = pi_charge(client, "pm_card_visa", capture_method="manual")
    with stripe_error(stripe.InvalidRequestError, status=400,
                      message=f"This uncaptured Charge was created by a PaymentIntent "
                              f"({pi.id}). You must capture the PaymentIntent instead."):
        client.v1.charges.capture(pi.latest_charge)
    client.v1.payment_intents.capture(pi.id)
    with stripe_error(stripe.InvalidRequestError, code="charge_already_captured"):
        client.v1.charges.capture(pi.latest_charge)


def test_legacy_interface_charges_the_default_source(client, legacy):
    cus = customer_with_card(client)
    ch = legacy.Charge.create(amount=1000, currency="usd", customer=cus.id, capture=False)
    assert isinstance(ch.source, stripe.Card) and ch.source.id == cus.default_source
    ch = legacy.Charge.capture(ch.id)
    assert ch.captured and ch.amount_captured == 1000


def test_declined_charge_has_no_receipt(client):
    with stripe_error(stripe.CardError) as info:
        _charge(client, source="tok_chargeDeclined")
    failed = client.v1.charges.retrieve(info.value.json_body["error"]["charge"])
    assert failed.receipt_url is None
    assert failed.outcome.type == "issuer_declined" and failed.outcome.reason == "generic_decline"
    assert failed.outcome.seller_message == \
        "The bank did not return any further details with this decline."


def test_metadata_limit_messages(client):
    with stripe_error(stripe.InvalidRequestError, status=400,
                      message="Metadata keys can have up to 40 characters, but you passed in a "
                              f"key that is 41 characters. Invalid key: {'k' * 41}"):
        client.v1.customers.create(params={"metadata": {"k" * 41: "v"}})
    with stripe_error(stripe.InvalidRequestError, status=400, param="metadata[note]",
                      message="Metadata values can have up to 500 characters, but you passed "
                              "in a value that is 501 characters. Invalid value: "):
        client.v1.customers.create(params={"metadata": {"note": "v" * 501}})


def test_application_fee_names_its_source(client, seller):
    ch = client.v1.charges.create(params={"amount": 1500, "currency": "usd",
                                          "source": "tok_visa", "application_fee_amount": 150},
                                  options={"stripe_account": seller})
    fee = client.v1.application_fees.retrieve(ch.application_fee)
    assert fee.fee_source.type == "charge" and fee.fee_source.charge == ch.id
    assert fee.account == seller and fee.amount == 150
