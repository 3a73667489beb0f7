"""Customers: CRUD, list with the email filter, metadata semantics, default_source,
and `source=` as a token id, a test token name or a card hash."""
from __future__ import annotations

import pytest
import stripe

from .support import CARD, card_token, stripe_error


def test_create_retrieve_update_delete(client):
    cus = client.v1.customers.create(params={
        "email": "jenny@example.com", "name": "Jenny Rosen", "description": "first",
        "phone": "+15555550100", "address": {"line1": "1 Main St", "city": "Springfield",
                                             "country": "US"},
        "metadata": {"order": "42"}})
    assert cus.id.startswith("cus_") and cus.object == "customer"
    assert cus.livemode is False and isinstance(cus.created, int)
    assert cus.email == "jenny@example.com" and cus.name == "Jenny Rosen"
    assert cus.address.city == "Springfield" and cus.address.line1 == "1 Main St"
    assert cus.metadata.to_dict() == {"order": "42"}
    assert cus.default_source is None and cus.balance == 0 and cus.delinquent is False
    assert "sources" not in cus  # only when expanded, in current API versions

    got = client.v1.customers.retrieve(cus.id)
    assert got.to_dict() == cus.to_dict()

    upd = client.v1.customers.update(cus.id, params={"name": "J. Rosen", "description": ""})
    assert upd.name == "J. Rosen" and upd.description is None
    assert upd.email == "jenny@example.com"

    deleted = client.v1.customers.delete(cus.id)
    assert deleted.id == cus.id and deleted.deleted is True
    again = client.v1.customers.retrieve(cus.id)
    assert again.deleted is True and again.id == cus.id
    assert cus.id not in [c.id for c in client.v1.customers.list().data]
    with stripe_error(stripe.InvalidRequestError, status=404, code="resource_missing"):
        client.v1.customers.update(cus.id, params={"name": "x"})


def test_missing_customer_is_404_naming_id(client):
    with stripe_error(stripe.InvalidRequestError, status=404, code="resource_missing",
                      param="id", message="No such customer: 'cus_nope'"):
        client.v1.customers.retrieve("cus_nope")
    with stripe_error(stripe.InvalidRequestError, status=404, code="resource_missing"):
        client.v1.customers.delete("cus_nope")


def test_list_newest_first_and_email_filter(client):
    a = client.v1.customers.create(params={"email": "a@example.com"})
    b = client.v1.customers.create(params={"email": "b@example.com"})
    c = client.v1.customers.create(params={"email": "a@example.com"})
    listed = client.v1.customers.list()
    assert [x.id for x in listed.data] == [c.id, b.id, a.id]
    assert listed.object == "list" and listed.url == "/v1/customers"
    by_email = client.v1.customers.list(params={"email": "a@example.com"})
    assert [x.id for x in by_email.data] == [c.id, a.id]
    assert client.v1.customers.list(params={"email": "zzz@example.com"}).data == []
    # changing the email moves the customer between filters
    client.v1.customers.update(a.id, params={"email": "b@example.com"})
    assert {x.id for x in client.v1.customers.list(
        params={"email": "b@example.com"}).data} == {a.id, b.id}
    assert [x.id for x in client.v1.customers.list(
        params={"email": "a@example.com"}).data] == [c.id]


def test_metadata_semantics(client):
    cus = client.v1.customers.create(params={"metadata": {"a": "1", "b": "2", "c": "3"}})
    cus = client.v1.customers.update(cus.id, params={"metadata": {"a": "", "d": "4"}})
    assert cus.metadata.to_dict() == {"b": "2", "c": "3", "d": "4"}
    cus = client.v1.customers.update(cus.id, params={"metadata": ""})
    assert cus.metadata.to_dict() == {}
    cus = client.v1.customers.update(cus.id, params={"metadata": {"0": "zero", "1": "one"}})
    assert cus.metadata.to_dict() == {"0": "zero", "1": "one"}
    assert client.v1.customers.retrieve(cus.id).metadata.to_dict() == {"0": "zero", "1": "one"}


def test_metadata_limits(client):
    full = {f"key{i}": "v" for i in range(50)}
    cus = client.v1.customers.create(params={"metadata": full})
    assert len(cus.metadata.to_dict()) == 50
    with stripe_error(stripe.InvalidRequestError, status=400, param="metadata"):
        client.v1.customers.update(cus.id, params={"metadata": {"one_more": "x"}})
    # unsetting one makes room again
    cus = client.v1.customers.update(cus.id, params={"metadata": {"key0": "", "new": "y"}})
    assert len(cus.metadata.to_dict()) == 50 and "new" in cus.metadata

    ok = client.v1.customers.create(params={"metadata": {"k" * 40: "v" * 500}})
    assert ok.metadata["k" * 40] == "v" * 500
    with stripe_error(stripe.InvalidRequestError, status=400, message="40"):
        client.v1.customers.create(params={"metadata": {"k" * 41: "v"}})
    with stripe_error(stripe.InvalidRequestError, status=400, param="metadata[k]",
                      message="500"):
        client.v1.customers.create(params={"metadata": {"k": "v" * 501}})
    with stripe_error(stripe.InvalidRequestError, status=400):
        client.v1.customers.create(params={"metadata": {f"k{i}": "v" for i in range(51)}})


def test_metadata_must_be_a_hash(http):
    r = http.post("/v1/customers", data={"metadata": "notahash"})
    assert r.status_code == 400 and r.json()["error"]["param"] == "metadata"


@pytest.mark.parametrize("name,brand,last4", [
    ("tok_visa", "Visa", "4242"), ("tok_mastercard", "MasterCard", "4444"),
    ("tok_amex", "American Express", "0005"), ("tok_discover", "Discover", "1117"),
    ("tok_chargeCustomerFail", "Visa", "0341"),
])
def test_source_test_token_names(client, name, brand, last4):
    cus = client.v1.customers.create(params={"source": name})
    card = client.v1.customers.payment_sources.retrieve(cus.id, cus.default_source)
    assert card.object == "card" and card.brand == brand and card.last4 == last4
    assert card.customer == cus.id and card.id.startswith("card_")
    assert card.fingerprint and card.cvc_check == "pass"
    # each use of a test token mints a new card
    other = client.v1.customers.create(params={"source": name})
    assert other.default_source != cus.default_source


def test_source_declining_test_token_fails_to_attach(client):
    with stripe_error(stripe.CardError, status=402, code="card_declined") as info:
        client.v1.customers.create(params={"source": "tok_chargeDeclined"})
    assert info.value.json_body["error"]["decline_code"] == "generic_decline"
    assert client.v1.customers.list().data == []  # nothing was stored


def test_source_token_id(client):
    tok = client.v1.tokens.create(params={"card": dict(CARD, name="Jenny Rosen",
                                                       address_zip="94107")})
    cus = client.v1.customers.create(params={"source": tok.id})
    assert cus.default_source == tok.card.id
    card = client.v1.customers.payment_sources.retrieve(cus.id, tok.card.id)
    assert card.name == "Jenny Rosen" and card.address_zip_check == "pass"
    assert card.exp_month == 12 and card.exp_year == 2034 and card.last4 == "4242"


def test_source_card_hash(client):
    cus = client.v1.customers.create(params={"source": {"object": "card", **CARD,
                                                        "exp_month": "7"}})
    card = client.v1.customers.payment_sources.retrieve(cus.id, cus.default_source)
    assert card.last4 == "4242" and card.exp_month == 7 and card.brand == "Visa"


def test_source_unknown_token_is_404(client):
    with stripe_error(stripe.InvalidRequestError, status=404, code="resource_missing",
                      param="source"):
        client.v1.customers.create(params={"source": "tok_doesnotexist"})
    assert client.v1.customers.list().data == []


def test_update_with_source_replaces_the_default(client):
    cus = client.v1.customers.create(params={"source": "tok_visa"})
    first = cus.default_source
    cus = client.v1.customers.update(cus.id, params={"source": "tok_mastercard"})
    assert cus.default_source != first
    cards = client.v1.customers.payment_sources.list(cus.id).data
    assert [c.id for c in cards] == [cus.default_source]  # the old default is deleted
    assert cards[0].brand == "MasterCard"


def test_default_source_can_be_chosen(client):
    cus = client.v1.customers.create(params={"source": "tok_visa"})
    mc = client.v1.customers.payment_sources.create(cus.id, params={"source": "tok_mastercard"})
    assert client.v1.customers.retrieve(cus.id).default_source == cus.default_source
    upd = client.v1.customers.update(cus.id, params={"default_source": mc.id})
    assert upd.default_source == mc.id
    with stripe_error(stripe.InvalidRequestError, status=404, param="default_source"):
        client.v1.customers.update(cus.id, params={"default_source": "card_nope"})


def test_default_source_of_another_customer_is_refused(client):
    a = client.v1.customers.create(params={"source": "tok_visa"})
    b = client.v1.customers.create(params={"source": "tok_visa"})
    with stripe_error(stripe.InvalidRequestError, status=404, param="default_source"):
        client.v1.customers.update(b.id, params={"default_source": a.default_source})


def test_expand_sources(client):
    cus = client.v1.customers.create(params={"source": "tok_visa"})
    got = client.v1.customers.retrieve(cus.id, params={"expand": ["sources"]})
    assert got.sources.object == "list"
    assert [s.id for s in got.sources.data] == [cus.default_source]


def test_deleting_a_customer_deletes_its_cards(client):
    cus = client.v1.customers.create(params={"source": "tok_visa"})
    client.v1.customers.delete(cus.id)
    with stripe_error(stripe.InvalidRequestError, status=404):
        client.v1.charges.create(params={"amount": 500, "currency": "usd",
                                         "customer": cus.id})


def test_card_id_cannot_be_attached_to_another_customer(client):
    a = client.v1.customers.create(params={"source": "tok_visa"})
    with stripe_error(stripe.InvalidRequestError, status=400, param="source"):
        client.v1.customers.create(params={"source": a.default_source})


def test_token_attached_twice_is_refused(client):
    tok = card_token(client)
    client.v1.customers.create(params={"source": tok})
    with stripe_error(stripe.InvalidRequestError, status=400, code="token_already_used",
                      param="source"):
        client.v1.customers.create(params={"source": tok})


def test_legacy_interface(legacy):
    cus = legacy.Customer.create(email="legacy@example.com", source="tok_visa")
    assert legacy.Customer.retrieve(cus.id).default_source == cus.default_source
    cus = legacy.Customer.modify(cus.id, metadata={"k": "v"})
    assert cus.metadata.to_dict() == {"k": "v"}
    assert [c.id for c in legacy.Customer.list(email="legacy@example.com").data] == [cus.id]
