"""The fee model's arithmetic: Stripe's 2.9% + 30 cents rounded half up, proportional
shares of a fee or transfer that always add up to the whole."""
from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

from hypothesis import given, settings
from hypothesis import strategies as st

from connect_sandbox.domain import fees


def reference_fee(amount: int) -> int:
    pct = (Decimal(amount) * Decimal("0.029")).quantize(Decimal(1), rounding=ROUND_HALF_UP)
    return int(pct) + 30


def test_worked_examples():
    assert fees.stripe_fee(1000) == 59      # 29.0 + 30
    assert fees.stripe_fee(2000) == 88      # 58.0 + 30
    assert fees.stripe_fee(10000) == 320    # 290.0 + 30
    assert fees.stripe_fee(50) == 31        # 1.45 -> 1, + 30
    assert fees.stripe_fee(500) == 45       # 14.5 -> 15 (half up), + 30
    assert fees.stripe_fee(1500) == 74      # 43.5 -> 44, + 30
    assert fees.stripe_fee(1550) == 75      # 44.95 -> 45, + 30
    assert fees.stripe_fee(0) == 0


@given(st.integers(min_value=1, max_value=99_999_999))
def test_fee_matches_decimal_rounding(amount):
    assert fees.stripe_fee(amount) == reference_fee(amount)


def test_round_half_up():
    assert fees.round_half_up(5, 10) == 1 and fees.round_half_up(4, 10) == 0
    assert fees.round_half_up(15, 10) == 2 and fees.round_half_up(25, 10) == 3


def test_proportional_examples():
    assert fees.proportional(123, 500, 1000) == 62   # 61.5
    assert fees.proportional(200, 333, 1000) == 67   # 66.6
    assert fees.proportional(877, 500, 1000) == 439  # 438.5
    assert fees.proportional(877, 1000, 1000) == 877
    assert fees.proportional(877, 2000, 1000) == 877
    assert fees.proportional(10, 0, 1000) == 0


@settings(max_examples=300)
@given(total=st.integers(min_value=0, max_value=10**6),
       whole=st.integers(min_value=1, max_value=10**6),
       cuts=st.lists(st.integers(min_value=1, max_value=10**6), max_size=8))
def test_shares_add_up_to_the_whole(total, whole, cuts):
    """Refunding a charge in any number of parts gives back exactly `total` at the end,
    and never more than `total` on the way."""
    done, given_back = 0, 0
    for cut in cuts:
        done = min(whole, done + cut)
        part = fees.share(total, done, whole, given_back)
        assert part >= 0
        given_back += part
        assert given_back == fees.proportional(total, done, whole) <= total
    given_back += fees.share(total, whole, whole, given_back)
    assert given_back == total


def test_fee_detail_shape():
    d = fees.fee_detail(59, "usd", "stripe_fee")
    assert d == {"amount": 59, "application": None, "currency": "usd",
                 "description": "Stripe processing fees", "type": "stripe_fee"}
    a = fees.fee_detail(100, "usd", "application_fee", application="ca_1")
    assert a["application"] == "ca_1" and a["type"] == "application_fee"
