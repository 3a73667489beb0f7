"""PaymentMethods: create from raw card details, card[token] and pm_card_* shorthands,
retrieve, update, list, attach / detach, a customer's payment methods, and
invoice_settings.default_payment_method."""
from __future__ import annotations

import pytest
import stripe

from .support import CARD, as_, stripe_error


def _raw(client, **card):
    return client.v1.payment_methods.create(params={"type": "card", "card": {**CARD, **card}})


def test_create_from_raw_card(client):
    pm = client.v1.payment_methods.create(params={
        "type": "card", "card": dict(CARD),
        "billing_details": {"name": "Jenny Rosen", "address": {"postal_code": "94107"}},
        "metadata": {"order": "42"}})
    assert pm.id.startswith("pm_") and pm.object == "payment_method" and pm.type == "card"
    assert pm.customer is None and pm.livemode is False
    assert pm.card.brand == "visa" and pm.card.last4 == "4242"
    assert (pm.card.exp_month, pm.card.exp_year) == (12, 2034)
    assert pm.card.funding == "credit" and pm.card.country == "US"
    assert pm.card.networks.available == ["visa"] and len(pm.card.fingerprint) == 16
    assert pm.card.checks.cvc_check == "unchecked"
    assert pm.billing_details.name == "Jenny Rosen"
    assert pm.billing_details.address.postal_code == "94107"
    assert pm.metadata.to_dict() == {"order": "42"}
    assert "sepa_debit" not in pm  # only the type's own hash
    assert client.v1.payment_methods.retrieve(pm.id).card.last4 == "4242"
    # the same number has the same fingerprint
    assert _raw(client).card.fingerprint == pm.card.fingerprint
    assert _raw(client, number="5555555555554444").card.brand == "mastercard"


def test_create_from_card_token_uses_the_token(client):
    tok = client.v1.tokens.create(params={"card": dict(CARD)})
    pm = client.v1.payment_methods.create(params={"type": "card", "card": {"token": tok.id}})
    assert pm.card.last4 == "4242" and pm.card.fingerprint == tok.card.fingerprint
    with stripe_error(stripe.InvalidRequestError, status=400, code="token_already_used",
                      param="card[token]"):
        client.v1.payment_methods.create(params={"type": "card", "card": {"token": tok.id}})
    amex = client.v1.payment_methods.create(params={"type": "card",
                                                    "card": {"token": "tok_amex"}})
    assert amex.card.brand == "amex"


def test_bad_card_details_name_the_param(client):
    with stripe_error(stripe.CardError, status=402, code="incorrect_number",
                      param="card[number]"):
        _raw(client, number="4242424242424241")
    with stripe_error(stripe.CardError, code="invalid_expiry_month", param="card[exp_month]"):
        _raw(client, exp_month=13)
    with stripe_error(stripe.InvalidRequestError, status=400, param="card[exp_year]"):
        client.v1.payment_methods.create(params={"type": "card", "card": {
            "number": "4242424242424242", "exp_month": 1}})
    with stripe_error(stripe.InvalidRequestError, status=400, param="type"):
        client.v1.payment_methods.create(params={"card": dict(CARD)})
    with stripe_error(stripe.InvalidRequestError, status=400, param="type"):
        client.v1.payment_methods.create(params={"type": "sepa_debit",
                                                 "sepa_debit": {"iban": "DE89"}})


def test_shorthand_mints_a_new_payment_method_each_use(client):
    cus = client.v1.customers.create()
    a = client.v1.payment_methods.attach("pm_card_visa", params={"customer": cus.id})
    b = client.v1.payment_methods.attach("pm_card_visa", params={"customer": cus.id})
    assert a.id != b.id and a.id.startswith("pm_") and a.id != "pm_card_visa"
    assert a.card.fingerprint == b.card.fingerprint and a.customer == cus.id
    mc = client.v1.payment_methods.attach("pm_card_mastercard", params={"customer": cus.id})
    assert mc.card.brand == "mastercard"


def test_attach_detach_and_customer_listing(client):
    cus = client.v1.customers.create()
    pm = _raw(client)
    attached = client.v1.payment_methods.attach(pm.id, params={"customer": cus.id})
    assert attached.customer == cus.id and attached.card.checks.cvc_check == "pass"
    # attaching again to the same customer is harmless; to another is refused
    assert client.v1.payment_methods.attach(pm.id, params={"customer": cus.id}).id == pm.id
    other = client.v1.customers.create()
    with stripe_error(stripe.InvalidRequestError, status=400,
                      message="already been attached to a customer"):
        client.v1.payment_methods.attach(pm.id, params={"customer": other.id})
    mc = client.v1.payment_methods.attach("pm_card_mastercard", params={"customer": cus.id})
    listed = client.v1.customers.payment_methods.list(cus.id, params={"type": "card"})
    assert [p.id for p in listed.data] == [mc.id, pm.id]
    assert listed.url == f"/v1/customers/{cus.id}/payment_methods"
    assert client.v1.customers.payment_methods.retrieve(cus.id, pm.id).id == pm.id
    with stripe_error(stripe.InvalidRequestError, status=404, code="resource_missing"):
        client.v1.customers.payment_methods.retrieve(other.id, pm.id)
    by_customer = client.v1.payment_methods.list(params={"customer": cus.id, "type": "card"})
    assert [p.id for p in by_customer.data] == [mc.id, pm.id]

    detached = client.v1.payment_methods.detach(pm.id)
    assert detached.customer is None
    assert [p.id for p in client.v1.customers.payment_methods.list(cus.id).data] == [mc.id]
    with stripe_error(stripe.InvalidRequestError, status=400, message="may not be used again"):
        client.v1.payment_methods.attach(pm.id, params={"customer": cus.id})
    with stripe_error(stripe.InvalidRequestError, status=400, message="not attached"):
        client.v1.payment_methods.detach(pm.id)
    types = [e.type for e in client.v1.events.list(params={"type": "payment_method.*"}).data]
    assert types.count("payment_method.attached") == 2
    assert types.count("payment_method.detached") == 1


def test_attach_to_unknown_customer(client):
    with stripe_error(stripe.InvalidRequestError, status=404, code="resource_missing",
                      param="customer"):
        client.v1.payment_methods.attach(_raw(client).id, params={"customer": "cus_nope"})
    with stripe_error(stripe.InvalidRequestError, status=404, code="resource_missing"):
        client.v1.payment_methods.retrieve("pm_nope")


@pytest.mark.parametrize("shorthand,code,decline_code", [
    ("pm_card_chargeDeclined", "card_declined", "generic_decline"),
    ("pm_card_chargeDeclinedInsufficientFunds", "card_declined", "insufficient_funds"),
    ("pm_card_chargeDeclinedExpiredCard", "expired_card", "expired_card"),
    ("pm_card_chargeDeclinedIncorrectCvc", "incorrect_cvc", "incorrect_cvc"),
    ("pm_card_chargeDeclinedProcessingError", "processing_error", "processing_error"),
    ("pm_card_chargeDeclinedFraudulent", "card_declined", "fraudulent"),
])
def test_decline_cards_fail_on_attach(client, shorthand, code, decline_code):
    cus = client.v1.customers.create()
    with stripe_error(stripe.CardError, status=402, code=code) as info:
        client.v1.payment_methods.attach(shorthand, params={"customer": cus.id})
    assert info.value.json_body["error"]["decline_code"] == decline_code
    assert client.v1.customers.payment_methods.list(cus.id).data == []


def test_charge_customer_fail_card_attaches(client):
    cus = client.v1.customers.create()
    pm = client.v1.payment_methods.attach("pm_card_chargeCustomerFail",
                                          params={"customer": cus.id})
    assert pm.customer == cus.id and pm.card.last4 == "0341"


def test_update(client):
    pm = _raw(client)
    with stripe_error(stripe.InvalidRequestError, status=400, message="save this PaymentMethod"):
        client.v1.payment_methods.update(pm.id, params={"metadata": {"a": "b"}})
    cus = client.v1.customers.create()
    client.v1.payment_methods.attach(pm.id, params={"customer": cus.id})
    updated = client.v1.payment_methods.update(pm.id, params={
        "billing_details": {"name": "Jenny", "email": "jenny@example.com",
                            "address": {"city": "Paris"}},
        "metadata": {"a": "b"}, "card": {"exp_month": 3, "exp_year": 2031}})
    assert updated.billing_details.name == "Jenny"
    assert updated.billing_details.address.city == "Paris"
    assert updated.metadata.to_dict() == {"a": "b"}
    assert (updated.card.exp_month, updated.card.exp_year) == (3, 2031)
    with stripe_error(stripe.CardError, code="invalid_expiry_month", param="card[exp_month]"):
        client.v1.payment_methods.update(pm.id, params={"card": {"exp_month": 13}})
    cleared = client.v1.payment_methods.update(pm.id, params={"metadata": {"a": ""},
                                                              "billing_details": {"name": ""}})
    assert cleared.metadata.to_dict() == {} and cleared.billing_details.name is None
    events = client.v1.events.list(params={"type": "payment_method.updated"}).data
    assert events[0].data.previous_attributes["metadata"].to_dict() == {"a": "b"}


def test_list_payment_methods(client):
    a, b = _raw(client), _raw(client)
    listed = client.v1.payment_methods.list(params={"type": "card", "limit": 1})
    assert [p.id for p in listed.data] == [b.id] and listed.has_more
    assert [p.id for p in listed.auto_paging_iter()] == [b.id, a.id]
    with stripe_error(stripe.InvalidRequestError, status=404, param="customer"):
        client.v1.payment_methods.list(params={"customer": "cus_nope"})


def test_customer_create_with_payment_method_and_default(client):
    pm = _raw(client)
    cus = client.v1.customers.create(params={
        "payment_method": pm.id, "invoice_settings": {"default_payment_method": pm.id}})
    assert client.v1.payment_methods.retrieve(pm.id).customer == cus.id
    assert cus.invoice_settings.default_payment_method == pm.id
    expanded = client.v1.customers.retrieve(
        cus.id, params={"expand": ["invoice_settings.default_payment_method"]})
    assert expanded.invoice_settings.default_payment_method.card.last4 == "4242"
    cus2 = client.v1.customers.create(params={"payment_method": "pm_card_visa"})
    assert len(client.v1.customers.payment_methods.list(cus2.id).data) == 1
    with stripe_error(stripe.InvalidRequestError, status=400,
                      param="invoice_settings[default_payment_method]"):
        client.v1.customers.update(cus2.id, params={
            "invoice_settings": {"default_payment_method": _raw(client).id}})
    # detaching the default payment method clears it
    client.v1.payment_methods.detach(pm.id)
    assert client.v1.customers.retrieve(cus.id).invoice_settings.default_payment_method is None
    # deleting a customer detaches its payment methods
    pm2 = client.v1.payment_methods.list(params={"customer": cus2.id}).data[0]
    client.v1.customers.delete(cus2.id)
    assert client.v1.payment_methods.retrieve(pm2.id).customer is None


def test_isolation_between_platform_and_connected_account(client, seller):
    mine = _raw(client)
    with stripe_error(stripe.InvalidRequestError, status=404, code="resource_missing",
                      message=f"No such PaymentMethod: '{mine.id}'"):
        client.v1.payment_methods.retrieve(mine.id, options=as_(seller))
    theirs = client.v1.payment_methods.create(
        params={"type": "card", "card": dict(CARD)}, options=as_(seller))
    assert client.v1.payment_methods.retrieve(theirs.id, options=as_(seller)).id == theirs.id
    with stripe_error(stripe.InvalidRequestError, status=404, code="resource_missing"):
        client.v1.payment_methods.retrieve(theirs.id)
    cus = client.v1.customers.create()
    with stripe_error(stripe.InvalidRequestError, status=404, code="resource_missing"):
        client.v1.payment_methods.attach(theirs.id, params={"customer": cus.id})


def test_publishable_key_creates_payment_methods_only(client, publishable):
    pm = publishable.v1.payment_methods.create(params={"type": "card", "card": dict(CARD)})
    assert client.v1.payment_methods.retrieve(pm.id).card.last4 == "4242"
    with pytest.raises(stripe.PermissionError):
        publishable.v1.payment_methods.retrieve(pm.id)
    with pytest.raises(stripe.PermissionError):
        publishable.v1.payment_methods.create(params={"customer": "cus_x",
                                                      "payment_method": pm.id})
