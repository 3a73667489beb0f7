"""Source objects (src_): POST /v1/sources from a token or raw card details, retrieve,
update, attach / detach through /v1/customers/{id}/sources, charging through Charges and
PaymentIntents, single-use consumption, and cloning flow 2 (a platform customer's card
or Source shared with a connected account as a new Source)."""
from __future__ import annotations

import pytest
import stripe

from .payment_support import charge as pay
from .support import CARD, as_, customer_with_card, stripe_error


def _source(client, token="tok_visa", options=None, **params):
    return client.v1.sources.create(params={"type": "card", "token": token, **params},
                                    options=options or {})


def _charge(client, options=None, **params):
    return client.v1.charges.create(params={"amount": 1500, "currency": "usd", **params},
                                    options=options or {})


def test_create_retrieve_update(client):
    src = _source(client, owner={"email": "jenny@example.com"}, metadata={"k": "v"})
    assert src.id.startswith("src_") and src.object == "source" and src.type == "card"
    assert src.status == "chargeable" and src.usage == "reusable" and src.flow == "none"
    assert "customer" not in src and src.client_secret.startswith("src_client_secret_")
    assert src.card.last4 == "4242" and src.card.brand == "Visa"
    assert src.card.three_d_secure == "optional"
    assert src.owner.email == "jenny@example.com" and src.metadata.to_dict() == {"k": "v"}
    assert "sepa_debit" not in src
    got = client.v1.sources.retrieve(src.id)
    assert got.card.fingerprint == src.card.fingerprint
    updated = client.v1.sources.update(src.id, params={"metadata": {"k": ""},
                                                       "owner": {"name": "Jenny"}})
    assert updated.metadata.to_dict() == {} and updated.owner.name == "Jenny"
    assert updated.owner.email == "jenny@example.com"
    assert _source(client, "tok_threeDSecureRequired").card.three_d_secure == "required"
    with stripe_error(stripe.InvalidRequestError, status=404, code="resource_missing"):
        client.v1.sources.retrieve("src_nope")


def test_create_from_raw_card_with_publishable_key(client, publishable):
    src = publishable.v1.sources.create(params={"type": "card", "card": dict(CARD)})
    assert src.card.last4 == "4242" and src.card.exp_year == 2034
    got = publishable.v1.sources.retrieve(src.id, params={"client_secret": src.client_secret})
    assert got.id == src.id
    with stripe_error(stripe.InvalidRequestError, status=400, param="client_secret"):
        publishable.v1.sources.retrieve(src.id, params={"client_secret": "nope"})
    with stripe_error(stripe.CardError, status=402, code="incorrect_number"):
        publishable.v1.sources.create(params={"type": "card", "card": {
            **CARD, "number": "4242424242424241"}})
    with stripe_error(stripe.InvalidRequestError, status=400, param="type"):
        client.v1.sources.create(params={"type": "ideal", "amount": 100, "currency": "eur"})


def test_attach_charge_detach(client):
    cus = client.v1.customers.create()
    src = _source(client)
    attached = client.v1.customers.payment_sources.create(cus.id, params={"source": src.id})
    assert attached.id == src.id and attached.customer == cus.id
    assert client.v1.customers.retrieve(cus.id).default_source == src.id
    listed = client.v1.customers.payment_sources.list(cus.id, params={"object": "source"})
    assert [s.id for s in listed.data] == [src.id]
    # a reusable attached source charges repeatedly
    for _ in range(2):
        ch = _charge(client, customer=cus.id)
        assert ch.paid and ch.source.id == src.id and ch.payment_method == src.id
        assert ch.source.object == "source"
    assert client.v1.sources.retrieve(src.id).status == "chargeable"
    # charging it without its customer is refused
    with stripe_error(stripe.InvalidRequestError, status=400, param="customer"):
        _charge(client, source=src.id)
    # detaching consumes it
    detached = client.v1.customers.payment_sources.delete(cus.id, src.id)
    assert detached.id == src.id and detached.status == "consumed"
    assert client.v1.customers.retrieve(cus.id).default_source is None
    with stripe_error(stripe.InvalidRequestError, status=400, code="source_unavailable"):
        _charge(client, source=src.id)
    with stripe_error(stripe.InvalidRequestError, status=400, code="source_unavailable"):
        client.v1.customers.payment_sources.create(cus.id, params={"source": src.id})


def test_single_use_and_unattached_sources_are_consumed(client):
    once = _source(client, usage="single_use")
    assert _charge(client, source=once.id).paid
    assert client.v1.sources.retrieve(once.id).status == "consumed"
    with stripe_error(stripe.InvalidRequestError, status=400, code="source_unavailable"):
        _charge(client, source=once.id)
    loose = _source(client)
    assert _charge(client, source=loose.id).paid
    with stripe_error(stripe.InvalidRequestError, status=400, code="source_unavailable"):
        _charge(client, source=loose.id)


def test_decline_cards(client):
    cus = client.v1.customers.create()
    with stripe_error(stripe.CardError, status=402, code="card_declined"):
        client.v1.customers.payment_sources.create(
            cus.id, params={"source": _source(client, "tok_chargeDeclined").id})
    fail_later = _source(client, "tok_chargeCustomerFail")
    client.v1.customers.payment_sources.create(cus.id, params={"source": fail_later.id})
    with stripe_error(stripe.CardError, status=402, code="card_declined") as info:
        _charge(client, customer=cus.id)
    failed = client.v1.charges.retrieve(info.value.json_body["error"]["charge"])
    assert failed.status == "failed" and failed.source.id == fail_later.id


def test_source_through_payment_intents(client):
    src = _source(client, usage="single_use")
    pi = pay(client, src.id)
    assert pi.status == "succeeded" and pi.payment_method == src.id
    ch = client.v1.charges.retrieve(pi.latest_charge)
    assert ch.payment_method == src.id and ch.payment_intent == pi.id
    assert ch.payment_method_details.card.last4 == "4242"
    with stripe_error(stripe.InvalidRequestError, status=400, code="source_unavailable"):
        pay(client, src.id)
    cus = client.v1.customers.create()
    kept = _source(client)
    client.v1.customers.payment_sources.create(cus.id, params={"source": kept.id})
    for _ in range(2):
        assert pay(client, kept.id, customer=cus.id).status == "succeeded"


@pytest.mark.parametrize("original", ["card", "source"])
def test_clone_flow(client, seller, original):
    """docs.stripe.com/connect/cloning-saved-payment-methods, Sources variant."""
    if original == "card":
        cus = customer_with_card(client)
        original_id = cus.default_source
        fingerprint = client.v1.customers.payment_sources.retrieve(cus.id, original_id) \
            .fingerprint
    else:
        cus = client.v1.customers.create()
        src = _source(client)
        client.v1.customers.payment_sources.create(cus.id, params={"source": src.id})
        original_id, fingerprint = src.id, src.card.fingerprint
    clone = client.v1.sources.create(params={
        "customer": cus.id, "original_source": original_id, "usage": "reusable"},
        options=as_(seller))
    assert clone.id.startswith("src_") and clone.id != original_id
    assert clone.type == "card" and clone.status == "chargeable" and clone.usage == "reusable"
    assert "customer" not in clone and clone.card.fingerprint == fingerprint
    assert clone.card.last4 == "4242"
    with stripe_error(stripe.InvalidRequestError, status=404, code="resource_missing"):
        client.v1.sources.retrieve(clone.id)  # lives on the connected account only
    # reusable: attach it to a connected customer and charge it repeatedly
    seller_cus = client.v1.customers.create(params={"source": clone.id}, options=as_(seller))
    assert seller_cus.default_source == clone.id
    for _ in range(2):
        assert _charge(client, customer=seller_cus.id, options=as_(seller)).paid
    # single use: one direct charge
    once = client.v1.sources.create(params={
        "customer": cus.id, "original_source": original_id, "usage": "single_use"},
        options=as_(seller))
    assert _charge(client, source=once.id, options=as_(seller)).paid
    with stripe_error(stripe.InvalidRequestError, status=400, code="source_unavailable"):
        _charge(client, source=once.id, options=as_(seller))
    # nothing was charged on the platform
    assert client.v1.charges.list().data == []


def test_clone_errors(client, seller):
    cus = customer_with_card(client)
    with stripe_error(stripe.InvalidRequestError, status=400, param="original_source"):
        client.v1.sources.create(params={"customer": cus.id,
                                         "original_source": cus.default_source})
    with stripe_error(stripe.InvalidRequestError, status=404, param="original_source",
                      code="missing", message="does not have a linked source"):
        client.v1.sources.create(params={"customer": cus.id, "original_source": "card_nope"},
                                 options=as_(seller))
    with stripe_error(stripe.InvalidRequestError, status=404, code="resource_missing",
                      param="customer"):
        client.v1.sources.create(params={"customer": "cus_nope",
                                         "original_source": cus.default_source},
                                 options=as_(seller))
    with stripe_error(stripe.InvalidRequestError, status=400, param="original_source"):
        client.v1.sources.create(params={"customer": cus.id}, options=as_(seller))
