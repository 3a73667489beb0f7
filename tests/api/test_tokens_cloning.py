"""Tokens: raw card and bank account tokens (with Stripe's checks), single use (also
under concurrency), and the legacy cloning flow: a platform customer's card or bank
account cloned into a token on a connected account, then charged there."""
from __future__ import annotations

import datetime as dt
import threading

import pytest
import stripe

from .support import BANK, CARD, as_, card_token, stripe_error, verified_bank_customer


# -- raw card tokens ------------------------------------------------------------------

def test_card_token_shape(client):
    tok = client.v1.tokens.create(params={"card": dict(CARD, name="Jenny Rosen",
                                                       address_line1="1 Main St")})
    assert tok.id.startswith("tok_") and tok.object == "token" and tok.type == "card"
    assert tok.used is False and tok.livemode is False and isinstance(tok.created, int)
    card = tok.card
    assert card.id.startswith("card_") and card.object == "card"
    assert card.brand == "Visa" and card.last4 == "4242" and card.funding == "credit"
    assert card.exp_month == 12 and card.exp_year == 2034 and card.country == "US"
    assert card.name == "Jenny Rosen" and card.cvc_check == "unchecked"
    assert card.address_line1_check == "unchecked"
    assert len(card.fingerprint) == 16
    assert "number" not in card and "cvc" not in card
    got = client.v1.tokens.retrieve(tok.id)
    assert got.id == tok.id and got.card.id == card.id


@pytest.mark.parametrize("number,brand", [
    ("5555555555554444", "MasterCard"), ("2223003122003222", "MasterCard"),
    ("378282246310005", "American Express"), ("6011111111111117", "Discover"),
    ("3056930009020004", "Diners Club"), ("3566002020360505", "JCB"),
    ("6200000000000005", "UnionPay"), ("4242 4242 4242 4242", "Visa"),
])
def test_card_token_brands(client, number, brand):
    tok = client.v1.tokens.create(params={"card": dict(CARD, number=number)})
    assert tok.card.brand == brand and tok.card.last4 == number[-4:]


def test_same_number_same_fingerprint_within_a_platform(client, other):
    a = client.v1.tokens.create(params={"card": dict(CARD)}).card.fingerprint
    b = client.v1.tokens.create(params={"card": dict(CARD, exp_year=2035)}).card.fingerprint
    c = client.v1.tokens.create(params={"card": dict(CARD, number="5555555555554444")})
    assert a == b and c.card.fingerprint != a
    assert other.v1.tokens.create(params={"card": dict(CARD)}).card.fingerprint != a


def _bad_card(client, code, param, **card):
    with stripe_error(stripe.CardError, status=402, code=code, param=param):
        client.v1.tokens.create(params={"card": dict(CARD, **card)})


def test_card_checks(client):
    year = dt.datetime.now(dt.timezone.utc).year
    _bad_card(client, "incorrect_number", "number", number="4242424242424241")
    _bad_card(client, "invalid_number", "number", number="4242abcd42424242")
    _bad_card(client, "invalid_expiry_month", "exp_month", exp_month=13)
    _bad_card(client, "invalid_expiry_month", "exp_month", exp_month=0)
    _bad_card(client, "invalid_expiry_year", "exp_year", exp_year=year - 1)
    _bad_card(client, "invalid_expiry_year", "exp_year", exp_year="20x5")
    _bad_card(client, "invalid_cvc", "cvc", cvc="12")
    _bad_card(client, "invalid_cvc", "cvc", cvc="12a")
    if dt.datetime.now(dt.timezone.utc).month > 1:
        _bad_card(client, "invalid_expiry_month", "exp_month", exp_month=1, exp_year=year)


def test_two_digit_year_is_accepted(client):
    assert client.v1.tokens.create(params={"card": dict(CARD, exp_year=34)}).card.exp_year == 2034


def test_missing_card_fields(client):
    for field in ("number", "exp_month", "exp_year"):
        card = {k: v for k, v in CARD.items() if k != field}
        with stripe_error(stripe.InvalidRequestError, status=400, param=f"card[{field}]",
                          code="parameter_missing"):
            client.v1.tokens.create(params={"card": card})


def test_live_card_refused_in_test_mode(client):
    # Luhn-valid, not a test number
    with stripe_error(stripe.CardError, status=402, code="card_declined",
                      message="non test") as info:
        client.v1.tokens.create(params={"card": dict(CARD, number="4012888888881881")})
    assert info.value.json_body["error"]["decline_code"] == "test_mode_live_card"


def test_nothing_to_tokenize(client):
    with stripe_error(stripe.InvalidRequestError, status=400, message="You must supply"):
        client.v1.tokens.create()


def test_source_ids_without_customer(client):
    with stripe_error(stripe.InvalidRequestError, status=400, param="card"):
        client.v1.tokens.create(params={"card": "card_123"})
    with stripe_error(stripe.InvalidRequestError, status=400, param="bank_account"):
        client.v1.tokens.create(params={"bank_account": "ba_123"})


def test_unknown_token_is_404(client):
    with stripe_error(stripe.InvalidRequestError, status=404, code="resource_missing",
                      message="No such token: 'tok_nope'"):
        client.v1.tokens.retrieve("tok_nope")


# -- single use -----------------------------------------------------------------------

def test_token_single_use(client):
    tok = card_token(client)
    client.v1.customers.create(params={"source": tok})
    assert client.v1.tokens.retrieve(tok).used is True
    with stripe_error(stripe.InvalidRequestError, status=400, code="token_already_used",
                      param="source", message=tok):
        client.v1.charges.create(params={"amount": 500, "currency": "usd", "source": tok})
    assert client.v1.charges.list().data == []


def test_token_single_use_as_a_charge_source(client):
    tok = card_token(client)
    ch = client.v1.charges.create(params={"amount": 500, "currency": "usd", "source": tok})
    assert ch.status == "succeeded"
    with stripe_error(stripe.InvalidRequestError, status=400, code="token_already_used"):
        client.v1.customers.create(params={"source": tok})


def test_token_single_use_under_concurrency(client):
    tokens = [card_token(client) for _ in range(3)]
    results: list = []
    lock = threading.Lock()

    def use(tok: str, n: int) -> None:
        try:
            if n % 2:
                obj = client.v1.charges.create(params={"amount": 500, "currency": "usd",
                                                       "source": tok})
            else:
                obj = client.v1.customers.create(params={"source": tok})
            outcome = ("ok", obj.id)
        except stripe.InvalidRequestError as e:
            outcome = ("err", e.code)
        with lock:
            results.append((tok, outcome))

    threads = [threading.Thread(target=use, args=(tok, n)) for tok in tokens for n in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    for tok in tokens:
        mine = [o for t, o in results if t == tok]
        assert len(mine) == 6
        assert sum(1 for kind, _ in mine if kind == "ok") == 1, mine
        assert all(o == ("err", "token_already_used") for o in mine if o[0] == "err")


def test_token_of_another_platform_is_404(client, other):
    tok = card_token(other)
    with stripe_error(stripe.InvalidRequestError, status=404, code="resource_missing"):
        client.v1.customers.create(params={"source": tok})
    assert other.v1.tokens.retrieve(tok).used is False


# -- cloning --------------------------------------------------------------------------

def test_seed_flow_cards(client, seller):
    """Platform customer -> token on the connected account -> customer there -> charge."""
    original = client.v1.customers.create(params={"email": "buyer@example.com",
                                                  "source": "tok_visa"})
    card = client.v1.customers.payment_sources.retrieve(original.id, original.default_source)
    tok = client.v1.tokens.create(params={"customer": original.id}, options=as_(seller))
    assert tok.id.startswith("tok_") and tok.type == "card" and tok.used is False
    assert tok.card.id != card.id and tok.card.id.startswith("card_")
    assert tok.card.fingerprint == card.fingerprint
    assert tok.card.last4 == card.last4 and tok.card.brand == card.brand
    assert tok.card.exp_month == card.exp_month and tok.card.exp_year == card.exp_year
    assert "customer" not in tok.card  # a token's card belongs to no customer yet
    with stripe_error(stripe.InvalidRequestError, status=404):
        client.v1.tokens.retrieve(tok.id)  # the token lives on the connected account

    clone = client.v1.customers.create(params={"email": "buyer@example.com",
                                               "source": tok.id}, options=as_(seller))
    assert clone.default_source == tok.card.id
    cloned_card = client.v1.customers.payment_sources.retrieve(clone.id, tok.card.id,
                                                               options=as_(seller))
    assert cloned_card.fingerprint == card.fingerprint and cloned_card.customer == clone.id
    ch = client.v1.charges.create(params={"amount": 2000, "currency": "usd",
                                          "customer": clone.id, "source": tok.card.id},
                                  options=as_(seller))
    assert ch.status == "succeeded" and ch.paid and ch.captured
    assert ch.customer == clone.id and ch.source.id == tok.card.id
    assert client.v1.tokens.retrieve(tok.id, options=as_(seller)).used is True

    # charges on the clone are not reflected on the original
    assert client.v1.charges.list(params={"customer": original.id}).data == []
    assert client.v1.charges.list().data == []
    assert [c.id for c in client.v1.charges.list(options=as_(seller)).data] == [ch.id]
    with stripe_error(stripe.InvalidRequestError, status=404):
        client.v1.charges.retrieve(ch.id)
    # and the original is untouched
    assert client.v1.customers.payment_sources.list(original.id).data[0].id == card.id


def test_clone_a_named_card_and_charge_the_token_once(client, seller):
    original = client.v1.customers.create(params={"source": "tok_visa"})
    mc = client.v1.customers.payment_sources.create(original.id,
                                                    params={"source": "tok_mastercard"})
    tok = client.v1.tokens.create(params={"customer": original.id, "card": mc.id},
                                  options=as_(seller))
    assert tok.card.brand == "MasterCard" and tok.card.fingerprint == mc.fingerprint
    ch = client.v1.charges.create(params={"amount": 700, "currency": "usd", "source": tok.id},
                                  options=as_(seller))
    assert ch.status == "succeeded" and ch.customer is None and ch.source.last4 == "4444"
    with stripe_error(stripe.InvalidRequestError, status=400, code="token_already_used"):
        client.v1.charges.create(params={"amount": 700, "currency": "usd", "source": tok.id},
                                 options=as_(seller))


def test_clones_are_new_cards_each_time(client, seller):
    original = client.v1.customers.create(params={"source": "tok_visa"})
    second_seller = client.v1.accounts.create(params={"type": "express"}).id
    a = client.v1.tokens.create(params={"customer": original.id}, options=as_(seller))
    b = client.v1.tokens.create(params={"customer": original.id}, options=as_(seller))
    c = client.v1.tokens.create(params={"customer": original.id}, options=as_(second_seller))
    assert len({a.card.id, b.card.id, c.card.id}) == 3
    assert a.card.fingerprint == b.card.fingerprint == c.card.fingerprint


def test_seed_flow_bank_accounts(client, seller):
    original, ba = verified_bank_customer(client)
    tok = client.v1.tokens.create(params={"customer": original.id, "bank_account": ba.id},
                                  options=as_(seller))
    assert tok.id.startswith("btok_") and tok.type == "bank_account"
    clone_ba = tok.bank_account
    assert clone_ba.id != ba.id and clone_ba.id.startswith("ba_")
    assert clone_ba.fingerprint == ba.fingerprint and clone_ba.last4 == "6789"
    assert clone_ba.routing_number == "110000000"
    clone = client.v1.customers.create(params={"source": tok.id}, options=as_(seller))
    assert clone.default_source == clone_ba.id
    ch = client.v1.charges.create(params={"amount": 2500, "currency": "usd",
                                          "customer": clone.id}, options=as_(seller))
    assert ch.status == "pending" and ch.source.id == clone_ba.id
    assert client.v1.charges.list(params={"customer": original.id}).data == []


def test_clone_default_bank_account(client, seller):
    original, ba = verified_bank_customer(client)
    tok = client.v1.tokens.create(params={"customer": original.id}, options=as_(seller))
    assert tok.type == "bank_account" and tok.bank_account.fingerprint == ba.fingerprint


def test_cloning_errors(client, seller):
    cus = client.v1.customers.create(params={"source": "tok_visa"})
    stranger = client.v1.customers.create(params={"source": "tok_amex"})
    # customer without the Stripe-Account header
    with stripe_error(stripe.InvalidRequestError, status=400, param="customer"):
        client.v1.tokens.create(params={"customer": cus.id})
    # a card that does not belong to the customer
    with stripe_error(stripe.InvalidRequestError, status=404, param="card", code="missing",
                      message=f"Customer {cus.id} does not have a linked source with ID "
                              f"{stranger.default_source}."):
        client.v1.tokens.create(params={"customer": cus.id, "card": stranger.default_source},
                                options=as_(seller))
    with stripe_error(stripe.InvalidRequestError, status=404, param="card", code="missing"):
        client.v1.tokens.create(params={"customer": cus.id, "card": "card_nope"},
                                options=as_(seller))
    # a bank account id that is the customer's card
    with stripe_error(stripe.InvalidRequestError, status=404, param="bank_account",
                      code="missing"):
        client.v1.tokens.create(params={"customer": cus.id,
                                        "bank_account": cus.default_source},
                                options=as_(seller))
    # a customer without a default source
    bare = client.v1.customers.create()
    with stripe_error(stripe.InvalidRequestError, status=400, param="customer",
                      message="does not have a default source"):
        client.v1.tokens.create(params={"customer": bare.id}, options=as_(seller))
    # an unknown customer
    with stripe_error(stripe.InvalidRequestError, status=404, code="resource_missing",
                      param="customer", message="No such customer: 'cus_nope'"):
        client.v1.tokens.create(params={"customer": "cus_nope"}, options=as_(seller))
    # the connected account's own customer is not a platform customer
    local = client.v1.customers.create(params={"source": "tok_visa"}, options=as_(seller))
    with stripe_error(stripe.InvalidRequestError, status=404, param="customer"):
        client.v1.tokens.create(params={"customer": local.id}, options=as_(seller))
    # raw card details together with customer
    with stripe_error(stripe.InvalidRequestError, status=400, param="card"):
        client.v1.tokens.create(params={"customer": cus.id, "card": dict(CARD)},
                                options=as_(seller))


def test_cannot_clone_another_platforms_customer(client, other, seller):
    theirs = other.v1.customers.create(params={"source": "tok_visa"})
    with stripe_error(stripe.InvalidRequestError, status=404, param="customer"):
        client.v1.tokens.create(params={"customer": theirs.id}, options=as_(seller))


def test_cloned_token_cannot_be_used_by_the_platform(client, seller):
    cus = client.v1.customers.create(params={"source": "tok_visa"})
    tok = client.v1.tokens.create(params={"customer": cus.id}, options=as_(seller))
    with stripe_error(stripe.InvalidRequestError, status=404):
        client.v1.customers.create(params={"source": tok.id})
    assert client.v1.tokens.retrieve(tok.id, options=as_(seller)).used is False


def test_clone_of_a_decline_card_declines_on_the_connected_account(client, seller):
    cus = client.v1.customers.create(params={"source": "tok_chargeCustomerFail"})
    tok = client.v1.tokens.create(params={"customer": cus.id}, options=as_(seller))
    clone = client.v1.customers.create(params={"source": tok.id}, options=as_(seller))
    with stripe_error(stripe.CardError, status=402, code="card_declined"):
        client.v1.charges.create(params={"amount": 500, "currency": "usd",
                                         "customer": clone.id}, options=as_(seller))


def test_bank_account_token_with_publishable_key(publishable, client):
    btok = publishable.v1.tokens.create(params={"bank_account": dict(BANK)})
    assert btok.id.startswith("btok_")
    assert client.v1.tokens.retrieve(btok.id).bank_account.last4 == "6789"
