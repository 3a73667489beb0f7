"""A customer's sources: attach, list, retrieve, update, delete (the default moves to
the most recent remaining source), and bank accounts from btok_ tokens, verified with
micro-deposit amounts before they can be charged."""
from __future__ import annotations

import pytest
import stripe

from .ach_support import wait_settled
from .support import BANK, CARD, card_token, stripe_error, verified_bank_customer


def _sources(client, cus_id, **params):
    return client.v1.customers.payment_sources.list(cus_id, params=params)


def test_attach_list_retrieve(client):
    cus = client.v1.customers.create()
    visa = client.v1.customers.payment_sources.create(cus.id, params={"source": "tok_visa"})
    assert visa.object == "card" and visa.customer == cus.id
    assert client.v1.customers.retrieve(cus.id).default_source == visa.id  # first is default
    mc = client.v1.customers.payment_sources.create(
        cus.id, params={"source": card_token(client, number="5555555555554444"),
                        "metadata": {"label": "work"}})
    assert mc.brand == "MasterCard" and mc.metadata.to_dict() == {"label": "work"}
    assert client.v1.customers.retrieve(cus.id).default_source == visa.id
    listed = _sources(client, cus.id)
    assert [s.id for s in listed.data] == [mc.id, visa.id]
    assert listed.url == f"/v1/customers/{cus.id}/sources" and listed.has_more is False
    assert client.v1.customers.payment_sources.retrieve(cus.id, mc.id).last4 == "4444"


def test_attach_with_card_param_and_card_hash(client):
    cus = client.v1.customers.create()
    by_hash = client.v1.customers.payment_sources.create(
        cus.id, params={"source": {"object": "card", **CARD}})
    assert by_hash.last4 == "4242"
    # an unknown field inside the hash names its bracket path
    with stripe_error(stripe.InvalidRequestError, status=400,
                      param="source[colour]"):
        client.v1.customers.payment_sources.create(
            cus.id, params={"source": {"object": "card", **CARD, "colour": "red"}})


def test_list_filters_by_object_and_paginates(client):
    cus, ba = verified_bank_customer(client)
    cards = [client.v1.customers.payment_sources.create(cus.id, params={"source": "tok_visa"})
             for _ in range(3)]
    assert [s.id for s in _sources(client, cus.id, object="card").data] == \
        [c.id for c in reversed(cards)]
    assert [s.id for s in _sources(client, cus.id, object="bank_account").data] == [ba.id]
    page1 = _sources(client, cus.id, limit=2)
    assert page1.has_more is True and len(page1.data) == 2
    every = [s.id for s in page1.auto_paging_iter()]
    assert every == [cards[2].id, cards[1].id, cards[0].id, ba.id]
    before = _sources(client, cus.id, ending_before=ba.id, limit=2)
    assert [s.id for s in before.data] == [cards[1].id, cards[0].id] and before.has_more


def test_list_limit_bounds(client):
    cus = client.v1.customers.create(params={"source": "tok_visa"})
    for bad in (0, 101):
        with stripe_error(stripe.InvalidRequestError, status=400, param="limit"):
            _sources(client, cus.id, limit=bad)
    with stripe_error(stripe.InvalidRequestError, status=404, param="starting_after"):
        _sources(client, cus.id, starting_after="card_nope")


def test_source_of_another_customer_is_404(client):
    a = client.v1.customers.create(params={"source": "tok_visa"})
    b = client.v1.customers.create(params={"source": "tok_visa"})
    with stripe_error(stripe.InvalidRequestError, status=404, code="resource_missing"):
        client.v1.customers.payment_sources.retrieve(b.id, a.default_source)
    with stripe_error(stripe.InvalidRequestError, status=404):
        client.v1.customers.payment_sources.delete(b.id, a.default_source)
    with stripe_error(stripe.InvalidRequestError, status=404, message="No such customer"):
        client.v1.customers.payment_sources.list("cus_nope")


def test_update_card(client):
    cus = client.v1.customers.create(params={"source": "tok_visa"})
    card = client.v1.customers.payment_sources.update(cus.id, cus.default_source, params={
        "name": "Jenny Rosen", "exp_month": "3", "exp_year": "2039",
        "address_zip": "12345", "metadata": {"a": "1"}})
    assert card.name == "Jenny Rosen" and card.exp_month == 3 and card.exp_year == 2039
    assert card.address_zip == "12345" and card.metadata.to_dict() == {"a": "1"}
    again = client.v1.customers.payment_sources.retrieve(cus.id, card.id)
    assert again.exp_month == 3 and again.name == "Jenny Rosen"
    with stripe_error(stripe.CardError, status=402, code="invalid_expiry_month",
                      param="exp_month"):
        client.v1.customers.payment_sources.update(cus.id, card.id, params={"exp_month": "13"})
    with stripe_error(stripe.CardError, status=402, code="invalid_expiry_year",
                      param="exp_year"):
        client.v1.customers.payment_sources.update(cus.id, card.id, params={"exp_year": "1999"})
    assert client.v1.customers.payment_sources.update(
        cus.id, card.id, params={"exp_year": "38"}).exp_year == 2038
    with stripe_error(stripe.InvalidRequestError, status=400,
                      param="account_holder_name"):
        client.v1.customers.payment_sources.update(
            cus.id, card.id, params={"account_holder_name": "x"})


def test_delete_default_moves_default_to_most_recent(client):
    cus = client.v1.customers.create(params={"source": "tok_visa"})
    first = cus.default_source
    second = client.v1.customers.payment_sources.create(cus.id, params={"source": "tok_amex"}).id
    third = client.v1.customers.payment_sources.create(
        cus.id, params={"source": "tok_mastercard"}).id
    deleted = client.v1.customers.payment_sources.delete(cus.id, first)
    assert deleted.id == first and deleted.deleted is True
    assert client.v1.customers.retrieve(cus.id).default_source == third
    client.v1.customers.payment_sources.delete(cus.id, second)  # not the default
    assert client.v1.customers.retrieve(cus.id).default_source == third
    client.v1.customers.payment_sources.delete(cus.id, third)
    assert client.v1.customers.retrieve(cus.id).default_source is None
    assert _sources(client, cus.id).data == []
    with stripe_error(stripe.InvalidRequestError, status=404):
        client.v1.customers.payment_sources.retrieve(cus.id, third)


def test_delete_default_prefers_latest_across_kinds(client):
    """A bank account added after the cards becomes the default when the default goes."""
    cus = client.v1.customers.create(params={"source": "tok_visa"})
    client.v1.customers.payment_sources.create(cus.id, params={"source": "tok_amex"})
    btok = client.v1.tokens.create(params={"bank_account": dict(BANK)})
    client.v1.customers.payment_sources.create(cus.id, params={"source": btok.id})
    client.v1.customers.payment_sources.delete(cus.id, cus.default_source)
    assert client.v1.customers.retrieve(cus.id).default_source == btok.bank_account.id


def test_declined_card_is_not_attached(client):
    cus = client.v1.customers.create()
    with stripe_error(stripe.CardError, status=402, code="card_declined"):
        client.v1.customers.payment_sources.create(
            cus.id, params={"source": card_token(client, number="4000000000000002")})
    assert _sources(client, cus.id).data == []
    assert client.v1.customers.retrieve(cus.id).default_source is None


# -- bank accounts ------------------------------------------------------------------

def test_bank_account_token_and_attach(client):
    btok = client.v1.tokens.create(params={"bank_account": dict(BANK)})
    assert btok.id.startswith("btok_") and btok.type == "bank_account" and btok.used is False
    ba = btok.bank_account
    assert ba.id.startswith("ba_") and ba.last4 == "6789" and ba.status == "new"
    assert ba.routing_number == "110000000" and ba.bank_name == "STRIPE TEST BANK"
    assert ba.country == "US" and ba.currency == "usd" and ba.fingerprint
    assert ba.account_holder_name == "Jenny Rosen" and ba.account_holder_type == "individual"
    cus = client.v1.customers.create(params={"source": btok.id})
    assert cus.default_source == ba.id
    got = client.v1.customers.payment_sources.retrieve(cus.id, ba.id)
    assert got.object == "bank_account" and got.customer == cus.id and got.status == "new"
    assert client.v1.tokens.retrieve(btok.id).used is True


def test_bank_account_params_directly_on_sources(client):
    cus = client.v1.customers.create()
    ba = client.v1.customers.payment_sources.create(
        cus.id, params={"bank_account": {"object": "bank_account", **BANK}})
    assert ba.object == "bank_account" and ba.last4 == "6789"


def test_unverified_bank_account_cannot_be_charged(client):
    btok = client.v1.tokens.create(params={"bank_account": dict(BANK)})
    cus = client.v1.customers.create(params={"source": btok.id})
    with stripe_error(stripe.InvalidRequestError, status=400, message="must be verified"):
        client.v1.charges.create(params={"amount": 1000, "currency": "usd",
                                         "customer": cus.id})
    assert client.v1.charges.list().data == []


def test_verify_then_charge(client):
    cus, ba = verified_bank_customer(client)
    ch = client.v1.charges.create(params={"amount": 1500, "currency": "usd",
                                          "customer": cus.id})
    assert ch.status == "pending" and ch.paid is True and ch.source.id == ba.id
    assert ch.payment_method_details.type == "ach_debit"
    assert ch.payment_method_details.ach_debit.last4 == "6789"


def test_verify_errors(client):
    btok = client.v1.tokens.create(params={"bank_account": dict(BANK)})
    cus = client.v1.customers.create(params={"source": btok.id})
    ba_id = cus.default_source
    verify = client.v1.customers.payment_sources.verify
    with stripe_error(stripe.InvalidRequestError, status=400,
                      code="bank_account_verification_failed", param="amounts"):
        verify(cus.id, ba_id, params={"amounts": [1, 2]})
    with stripe_error(stripe.InvalidRequestError, status=400, param="amounts[0]"):
        verify(cus.id, ba_id, params={"amounts": ["x", "45"]})
    with stripe_error(stripe.InvalidRequestError, status=400, param="amounts"):
        verify(cus.id, ba_id)
    assert verify(cus.id, ba_id, params={"amounts": [45, 32]}).status == "verified"
    with stripe_error(stripe.InvalidRequestError, status=400, message="already been verified"):
        verify(cus.id, ba_id, params={"amounts": [32, 45]})
    card = client.v1.customers.payment_sources.create(cus.id, params={"source": "tok_visa"})
    with stripe_error(stripe.InvalidRequestError, status=404):
        verify(cus.id, card.id, params={"amounts": [32, 45]})


@pytest.mark.parametrize("number,code", [("000111111116", "no_account"),
                                         ("000111111113", "account_closed"),
                                         ("000222222227", "insufficient_funds")])
def test_failing_test_bank_accounts(client, number, code):
    btok = client.v1.tokens.create(params={"bank_account": dict(BANK, account_number=number)})
    cus = client.v1.customers.create(params={"source": btok.id})
    client.v1.customers.payment_sources.verify(cus.id, cus.default_source,
                                               params={"amounts": [32, 45]})
    ch = client.v1.charges.create(params={"amount": 1000, "currency": "usd",
                                          "customer": cus.id})
    # created pending; it fails later, as in Stripe (tests/api/test_ach_settlement.py)
    assert ch.status == "pending" and ch.paid is True and ch.failure_code is None
    ch = wait_settled(client, ch.id)
    assert ch.status == "failed" and ch.failure_code == code and ch.paid is False


def test_bank_account_validation(client):
    with stripe_error(stripe.InvalidRequestError, status=400,
                      param="bank_account[routing_number]"):
        client.v1.tokens.create(params={"bank_account": dict(BANK, routing_number="12")})
    with stripe_error(stripe.InvalidRequestError, status=400,
                      param="bank_account[account_number]"):
        client.v1.tokens.create(params={"bank_account": dict(BANK, account_number="12x")})
    with stripe_error(stripe.InvalidRequestError, status=400,
                      param="bank_account[country]"):
        client.v1.tokens.create(params={"bank_account": {"account_number": "000123456789"}})


def test_bank_account_holder_update(client):
    cus, ba = verified_bank_customer(client)
    upd = client.v1.customers.payment_sources.update(
        cus.id, ba.id, params={"account_holder_name": "Jane Doe",
                               "account_holder_type": "company"})
    assert upd.account_holder_name == "Jane Doe" and upd.account_holder_type == "company"
