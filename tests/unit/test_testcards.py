"""The test-card table is consistent: every number is Luhn-valid and of its brand,
every outcome is a known decline, every shorthand names a card in the table, and the
tokenizer treats them as Stripe's documentation says."""
from __future__ import annotations

import pytest

from connect_sandbox.domain import testcards, tokenize
from connect_sandbox.domain.cards import brand_of, luhn_ok
from connect_sandbox.errors import CardError

NOW = 1_760_000_000  # 2025-10-09


@pytest.mark.parametrize("card", list(testcards.BY_NUMBER.values()), ids=lambda c: c.number)
def test_every_card_is_valid(card):
    assert luhn_ok(card.number)
    assert brand_of(card.number) == card.brand
    assert card.charge == "ok" or card.charge in testcards.DECLINES
    assert card.attach == "ok" or card.attach in testcards.DECLINES
    assert card.funding in ("credit", "debit", "prepaid")
    assert card.three_d_secure in ("no", "one_off", "always", "on_session")


def test_shorthands_name_cards_in_the_table():
    for name, number in {**testcards.TEST_TOKENS, **testcards.TEST_PAYMENT_METHODS}.items():
        assert number in testcards.BY_NUMBER, name
    assert set(testcards.TEST_PAYMENT_METHODS) == {
        "pm_card_" + n[len("tok_"):] for n in testcards.TEST_TOKENS}


@pytest.mark.parametrize("number,charge,attach", [
    ("4242424242424242", "ok", "ok"),
    ("4000000000000002", "generic_decline", "generic_decline"),
    ("4000000000009995", "insufficient_funds", "insufficient_funds"),
    ("4000000000000069", "expired_card", "expired_card"),
    ("4000000000000127", "incorrect_cvc", "incorrect_cvc"),
    ("4000000000000119", "processing_error", "processing_error"),
    ("4000000000000341", "generic_decline", "ok"),
])
def test_documented_outcomes(number, charge, attach):
    card = testcards.lookup(number)
    assert (card.charge, card.attach) == (charge, attach)


@pytest.mark.parametrize("name,number", [
    ("tok_visa", "4242424242424242"), ("tok_mastercard", "5555555555554444"),
    ("tok_amex", "378282246310005"), ("tok_chargeDeclined", "4000000000000002"),
    ("tok_chargeDeclinedInsufficientFunds", "4000000000009995"),
    ("tok_chargeCustomerFail", "4000000000000341"),
])
def test_documented_tokens(name, number):
    assert testcards.TEST_TOKENS[name] == number


def test_declines_look_like_stripe():
    for name, d in testcards.DECLINES.items():
        assert d.code.replace("_", "").isalpha() and d.code.islower(), name
        assert d.message.endswith(".") and d.seller_message
    assert testcards.DECLINES["expired_card"].param == "exp_month"
    assert testcards.DECLINES["incorrect_cvc"].param == "cvc"


def test_bank_account_table():
    assert testcards.BANK_ACCOUNTS["000123456789"] == "ok"
    for outcome in testcards.BANK_ACCOUNTS.values():
        assert outcome == "ok" or outcome in testcards.BANK_FAILURES
    assert sorted(testcards.MICRODEPOSIT_AMOUNTS) == [32, 45]


# -- the tokenizer --------------------------------------------------------------------

def _card(**kw):
    raw = {"number": "4242424242424242", "exp_month": "12", "exp_year": "2030", "cvc": "123"}
    raw.update(kw)
    return tokenize.card_from_params(raw, "acct_scope", NOW)


def test_tokenized_card_keeps_no_number():
    card = _card()
    assert card["last4"] == "4242" and card["brand"] == "Visa"
    assert "4242424242424242" not in repr(card)
    assert card["_behaviour"]["charge"] == "ok"


def test_tokenized_card_carries_its_outcome():
    assert _card(number="4000000000000002")["_behaviour"] == {
        "charge": "generic_decline", "attach": "generic_decline", "three_d_secure": "no",
        "cvc_check": "pass", "address_check": "pass", "available_now": False}


@pytest.mark.parametrize("kw,code,param", [
    ({"number": "4242424242424241"}, "incorrect_number", "number"),
    ({"number": "4242-4242-4242-424x"}, "invalid_number", "number"),
    ({"number": "4012888888881881"}, "card_declined", "number"),
    ({"exp_month": "13"}, "invalid_expiry_month", "exp_month"),
    ({"exp_month": "ab"}, "invalid_expiry_month", "exp_month"),
    ({"exp_year": "2024"}, "invalid_expiry_year", "exp_year"),
    ({"exp_year": "2099"}, "invalid_expiry_year", "exp_year"),
    ({"exp_year": "2025", "exp_month": "9"}, "invalid_expiry_month", "exp_month"),
    ({"cvc": "1"}, "invalid_cvc", "cvc"),
    ({"cvc": "12345"}, "invalid_cvc", "cvc"),
])
def test_tokenizer_refusals(kw, code, param):
    with pytest.raises(CardError) as info:
        _card(**kw)
    assert info.value.code == code and info.value.param == param
    assert info.value.persist is False


def test_generic_test_numbers_act_like_visa():
    # 4000 00.. numbers Stripe documents that are not in the table still tokenize
    assert _card(number="4000000000000036")["_behaviour"]["charge"] == "ok"


def test_test_card_object_is_fresh_each_time():
    a = tokenize.test_card_object("4242424242424242", "acct_scope", NOW)
    b = tokenize.test_card_object("4242424242424242", "acct_scope", NOW)
    assert a["id"] != b["id"] and a["fingerprint"] == b["fingerprint"]
    assert a["exp_year"] == 2026


def test_bank_account_from_params():
    ba = tokenize.bank_account_from_params({"country": "us", "routing_number": "110000000",
                                            "account_number": "000222222227"}, "acct_scope")
    assert ba["country"] == "US" and ba["last4"] == "2227" and ba["status"] == "new"
    assert ba["_behaviour"] == {"charge": "insufficient_funds"}
    assert "000222222227" not in repr({k: v for k, v in ba.items() if k != "_behaviour"})
