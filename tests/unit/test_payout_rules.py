"""The pure payout rules (domain/payouts.py): arrival dates, the list filter on a
timestamp, Stripe's failure codes and error wording."""
from __future__ import annotations

from datetime import datetime, timezone

import pytest

from connect_sandbox.domain import payouts, testcards


def ts(text: str) -> int:
    return int(datetime.fromisoformat(text).replace(tzinfo=timezone.utc).timestamp())


def test_standard_payout_arrives_at_midnight_utc_of_the_next_day():
    # the API reference's example payout: created 2023-04-04 22:51:31 UTC, arrival
    # 2023-04-05 00:00 UTC
    assert payouts.arrival_date(1680648691, "standard") == 1680652800
    assert payouts.arrival_date(ts("2026-11-26T00:00:00"), "standard") == \
        ts("2026-11-27T00:00:00")
    assert payouts.arrival_date(ts("2026-12-31T23:59:59"), "standard") == \
        ts("2027-01-01T00:00:00")


def test_instant_payout_arrives_at_once():
    assert payouts.arrival_date(1680648691, "instant") == 1680648691


@pytest.mark.parametrize("bounds,expected", [
    ({"eq": 100}, True), ({"eq": 99}, False), ({"gt": 99}, True), ({"gt": 100}, False),
    ({"gte": 100}, True), ({"lt": 100}, False), ({"lte": 100}, True),
    ({"gt": 50, "lt": 150}, True), ({"gte": 101, "lte": 200}, False), ({}, True),
])
def test_in_range(bounds, expected):
    assert payouts.in_range(100, bounds) is expected


def test_every_failing_test_bank_account_has_a_payout_failure():
    codes = {code for code in testcards.BANK_ACCOUNTS.values() if code != "ok"}
    assert codes == set(payouts.FAILURES)


def test_error_wording():
    assert payouts.no_external_account("eur") == \
        "Sorry, you don't have any external accounts in that currency (eur)."
    assert "Your card balance is too low.  You can use" in payouts.insufficient("card")
    assert "Your bank account balance is too low." in payouts.insufficient("bank_account")
