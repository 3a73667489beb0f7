"""Cloning flow 3: a platform customer's PaymentMethod cloned onto connected accounts
(POST /v1/payment_methods with customer + payment_method and the Stripe-Account
header), one-time direct charges with the clone, refused reuse, attaching a clone to a
connected customer for repeated off-session charges, and the current guide's
SetupIntent-then-clone flow."""
from __future__ import annotations

import stripe

from .intent_support import authenticate
from .payment_support import USED, charge, platform_customer_with_pm
from .support import CARD, as_, stripe_error


def _clone(client, seller, cus_id, pm_id, **extra):
    return client.v1.payment_methods.create(
        params={"customer": cus_id, "payment_method": pm_id, **extra}, options=as_(seller))


def test_clone_flow_end_to_end(client, seller):
    cus, pm = platform_customer_with_pm(client)
    clone = _clone(client, seller, cus.id, pm.id)
    assert clone.id.startswith("pm_") and clone.id != pm.id and clone.customer is None
    assert clone.card.fingerprint == pm.card.fingerprint
    assert (clone.card.last4, clone.card.brand, clone.card.exp_year) == \
        (pm.card.last4, pm.card.brand, pm.card.exp_year)
    assert clone.billing_details.name == "Jenny Rosen"
    # a one-time direct charge on the connected account
    pi = charge(client, clone.id, options=as_(seller))
    assert pi.status == "succeeded" and pi.amount_received == 2000
    ch = client.v1.charges.retrieve(pi.latest_charge, options=as_(seller))
    assert ch.payment_intent == pi.id and ch.payment_method == clone.id and ch.paid
    assert ch.payment_method_details.card.fingerprint == pm.card.fingerprint
    assert pi.latest_charge in [c.id for c in client.v1.charges.list(options=as_(seller)).data]
    assert client.v1.charges.list().data == []  # nothing on the platform
    # the unattached clone is single use
    with stripe_error(stripe.InvalidRequestError, status=400, param="payment_method",
                      message=USED):
        charge(client, clone.id, options=as_(seller))
    # clone again (the platform PM is attached, so it can be cloned any number of times)
    again = _clone(client, seller, cus.id, pm.id)
    assert again.id != clone.id
    # attached to a connected customer, a clone is reusable off-session
    seller_cus = client.v1.customers.create(params={"email": "jenny@example.com"},
                                            options=as_(seller))
    client.v1.payment_methods.attach(again.id, params={"customer": seller_cus.id},
                                     options=as_(seller))
    for _ in range(3):
        pi = charge(client, again.id, customer=seller_cus.id, off_session=True,
                    options=as_(seller))
        assert pi.status == "succeeded" and pi.customer == seller_cus.id
    charges = client.v1.charges.list(params={"customer": seller_cus.id}, options=as_(seller))
    assert len(charges.data) == 3
    # the platform PaymentMethod itself is untouched and still usable on the platform
    assert client.v1.payment_methods.retrieve(pm.id).customer == cus.id
    assert charge(client, pm.id, customer=cus.id).status == "succeeded"


def test_clones_for_two_sellers_are_independent(client):
    a = client.v1.accounts.create(params={"type": "standard"}).id
    b = client.v1.accounts.create(params={"type": "express"}).id
    cus, pm = platform_customer_with_pm(client)
    clone_a, clone_b = _clone(client, a, cus.id, pm.id), _clone(client, b, cus.id, pm.id)
    assert clone_a.id != clone_b.id
    assert clone_a.card.fingerprint == clone_b.card.fingerprint == pm.card.fingerprint
    assert charge(client, clone_a.id, options=as_(a)).status == "succeeded"
    # b's clone is not used up by a's charge, and not visible from a
    assert charge(client, clone_b.id, options=as_(b)).status == "succeeded"
    with stripe_error(stripe.InvalidRequestError, status=404, code="resource_missing"):
        client.v1.payment_methods.retrieve(clone_b.id, options=as_(a))
    with stripe_error(stripe.InvalidRequestError, status=404, code="resource_missing",
                      param="payment_method"):
        charge(client, clone_a.id, options=as_(b))


def test_customer_is_required_for_an_attached_payment_method(client, seller):
    cus, pm = platform_customer_with_pm(client)
    with stripe_error(stripe.InvalidRequestError, status=400, param="customer"):
        client.v1.payment_methods.create(params={"payment_method": pm.id},
                                         options=as_(seller))
    other = client.v1.customers.create()
    with stripe_error(stripe.InvalidRequestError, status=400, param="payment_method",
                      message="does not have a payment method with the ID"):
        _clone(client, seller, other.id, pm.id)
    with stripe_error(stripe.InvalidRequestError, status=404, code="resource_missing",
                      param="customer"):
        _clone(client, seller, "cus_nope", pm.id)
    with stripe_error(stripe.InvalidRequestError, status=404, code="resource_missing",
                      param="payment_method"):
        _clone(client, seller, cus.id, "pm_nope")


def test_clone_needs_the_stripe_account_header(client):
    cus, pm = platform_customer_with_pm(client)
    with stripe_error(stripe.InvalidRequestError, status=400, param="payment_method"):
        client.v1.payment_methods.create(params={"customer": cus.id, "payment_method": pm.id})


def test_unattached_platform_payment_method_is_consumed_when_cloned(client, seller):
    pm = client.v1.payment_methods.create(params={"type": "card", "card": dict(CARD)})
    clone = client.v1.payment_methods.create(params={"payment_method": pm.id},
                                             options=as_(seller))
    assert clone.card.fingerprint == pm.card.fingerprint
    with stripe_error(stripe.InvalidRequestError, status=400, message=USED):
        client.v1.payment_methods.create(params={"payment_method": pm.id},
                                         options=as_(seller))
    with stripe_error(stripe.InvalidRequestError, status=400, message=USED):
        charge(client, pm.id)
    assert charge(client, clone.id, options=as_(seller)).status == "succeeded"


def test_isolation_of_payment_method_ids(client, seller, other):
    cus, pm = platform_customer_with_pm(client)
    # the platform's id under the Stripe-Account header is unknown there
    with stripe_error(stripe.InvalidRequestError, status=404, code="resource_missing",
                      param="payment_method", message=f"No such PaymentMethod: '{pm.id}'"):
        charge(client, pm.id, options=as_(seller))
    # and a clone's id on the platform
    clone = _clone(client, seller, cus.id, pm.id)
    with stripe_error(stripe.InvalidRequestError, status=404, code="resource_missing",
                      param="payment_method"):
        charge(client, clone.id)
    # another platform cannot clone this platform's customer's payment method
    other_seller = other.v1.accounts.create(params={"type": "standard"}).id
    with stripe_error(stripe.InvalidRequestError, status=404, code="resource_missing"):
        other.v1.payment_methods.create(params={"payment_method": pm.id},
                                        options=as_(other_seller))
    with stripe_error(stripe.InvalidRequestError, status=404, code="resource_missing",
                      param="customer"):
        _clone(other, other_seller, cus.id, pm.id)


def test_decline_card_clone_declines_on_the_connected_account(client, seller):
    cus = client.v1.customers.create()
    pm = client.v1.payment_methods.attach("pm_card_chargeCustomerFail",
                                          params={"customer": cus.id})
    clone = _clone(client, seller, cus.id, pm.id)
    with stripe_error(stripe.CardError, status=402, code="card_declined") as info:
        charge(client, clone.id, options=as_(seller))
    body = info.value.json_body["error"]
    assert body["payment_intent"]["status"] == "requires_payment_method"
    assert body["charge"].startswith("ch_")


def test_setup_intent_then_clone_flow(client, seller):
    """docs.stripe.com/connect/direct-charges-multiple-accounts: save the card on the
    platform with a SetupIntent, clone it per direct charge."""
    cus = client.v1.customers.create(params={"name": "Jenny Rosen"})
    si = client.v1.setup_intents.create(params={"customer": cus.id})
    assert si.status == "requires_payment_method" and si.usage == "off_session"
    si = client.v1.setup_intents.confirm(
        si.id, params={"payment_method": "pm_card_authenticationRequiredOnSetup"})
    assert si.status == "requires_action"
    assert authenticate(si).status_code == 200
    si = client.v1.setup_intents.retrieve(si.id)
    assert si.status == "succeeded"
    saved = client.v1.payment_methods.retrieve(si.payment_method)
    assert saved.customer == cus.id
    # clone per direct charge; the card was set up, so off-session needs no authentication
    for account in (seller, client.v1.accounts.create(params={"type": "standard"}).id):
        clone = _clone(client, account, cus.id, saved.id)
        pi = charge(client, clone.id, off_session=True, options=as_(account))
        assert pi.status == "succeeded"
    # for recurring payments the clone is attached to a connected customer
    seller_cus = client.v1.customers.create(options=as_(seller))
    clone = _clone(client, seller, cus.id, saved.id)
    client.v1.payment_methods.attach(clone.id, params={"customer": seller_cus.id},
                                     options=as_(seller))
    for _ in range(2):
        assert charge(client, clone.id, customer=seller_cus.id, off_session=True,
                      options=as_(seller)).status == "succeeded"
    # an on-session one-off payment with this card still asks for authentication
    clone = _clone(client, seller, cus.id, saved.id)
    pi = charge(client, clone.id, options=as_(seller))
    assert pi.status == "requires_action"
