"""Card numbers: Luhn, brand detection, fingerprints."""
from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from connect_sandbox.domain.cards import brand_of, fingerprint, luhn_ok, normalise_number


def _luhn_digit(partial: str) -> str:
    for d in "0123456789":
        if luhn_ok(partial + d):
            return d
    raise AssertionError(partial)


@pytest.mark.parametrize("number", ["4242424242424242", "4000056655665556",
                                    "5555555555554444", "378282246310005",
                                    "6011111111111117", "3056930009020004",
                                    "36227206271667", "3566002020360505",
                                    "6200000000000005", "4012888888881881"])
def test_luhn_accepts_valid_numbers(number):
    assert luhn_ok(number)


@pytest.mark.parametrize("number", ["4242424242424241", "4242424242424243", "1234567812345678",
                                    "", "abcd", "42424242424242a2", "4242", "0" * 11,
                                    "4" + "0" * 19])
def test_luhn_rejects_invalid_numbers(number):
    assert not luhn_ok(number)


@given(st.text("0123456789", min_size=11, max_size=18))
def test_exactly_one_check_digit_completes_a_number(partial):
    digits = [d for d in "0123456789" if luhn_ok(partial + d)]
    assert len(digits) == 1


@given(st.text("0123456789", min_size=11, max_size=18), st.integers(1, 9))
def test_changing_one_digit_breaks_luhn(partial, delta):
    number = partial + _luhn_digit(partial)
    i = len(number) // 2
    broken = number[:i] + str((int(number[i]) + delta) % 10) + number[i + 1:]
    assert not luhn_ok(broken)


@pytest.mark.parametrize("number,brand", [
    ("4242424242424242", "Visa"), ("4000056655665556", "Visa"),
    ("5555555555554444", "MasterCard"), ("5105105105105100", "MasterCard"),
    ("2223003122003222", "MasterCard"), ("2720990000000007", "MasterCard"),
    ("378282246310005", "American Express"), ("341111111111111", "American Express"),
    ("6011111111111117", "Discover"), ("6445644564456445", "Discover"),
    ("6500000000000002", "Discover"),
    ("3056930009020004", "Diners Club"), ("36227206271667", "Diners Club"),
    ("3566002020360505", "JCB"), ("6200000000000005", "UnionPay"),
    ("9999999999999995", "Unknown"), ("2721000000000000", "Unknown"),
])
def test_brand_of(number, brand):
    assert brand_of(number) == brand


def test_fingerprint_is_stable_scoped_and_opaque():
    a = fingerprint("acct_1", "4242424242424242")
    assert a == fingerprint("acct_1", "4242424242424242")
    assert a != fingerprint("acct_2", "4242424242424242")
    assert a != fingerprint("acct_1", "5555555555554444")
    assert len(a) == 16 and a.isalnum()
    assert "4242424242424242" not in a


def test_fingerprint_values_are_pinned():
    # Stored cards and PaymentMethods keep their fingerprints: the function may be made
    # faster, never different (HMAC-SHA256 of the number keyed by the scope, base62).
    assert fingerprint("acct_1", "4242424242424242") == "oZ9AY9TWfGEvh3ge"
    assert fingerprint("acct_Platform9", "5555555555554444") == "eODvpbnWi2iugwdw"


@given(st.text("0123456789", min_size=12, max_size=19),
       st.text("0123456789", min_size=12, max_size=19))
def test_distinct_numbers_have_distinct_fingerprints(a, b):
    if a != b:
        assert fingerprint("scope", a) != fingerprint("scope", b)


def test_normalise_number():
    assert normalise_number("4242 4242-4242 4242") == "4242424242424242"
