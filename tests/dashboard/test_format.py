"""The dashboard's formatting: money as money, times as UTC times, ids as copyable code."""
from __future__ import annotations

import pytest

from connect_sandbox.dashboard.format import (day, href, ident, money, payment_label,
                                              status_class, utc, when)


@pytest.mark.parametrize("amount, currency, shown", [
    (4321, "usd", "$43.21"), (5, "usd", "$0.05"), (123456789, "usd", "$1,234,567.89"),
    (-1000, "usd", "−$10.00"), (0, "eur", "€0.00"), (500, "jpy", "¥500"),
    (1234, "sek", "12.34 SEK"), (12345, "kwd", "12.345 KWD"), (99, "cad", "CA$0.99"),
    (None, "usd", "—"), (True, "usd", "—")])
def test_money(amount, currency, shown):
    assert money(amount, currency) == shown


def test_times_are_utc():
    assert utc(0) == "1970-01-01 00:00:00 UTC"
    assert utc(1795695909) == "2026-11-26 12:25:09 UTC"
    assert str(when(1795695909)) == ('<time datetime="2026-11-26T12:25:09Z">'
                                     '2026-11-26 12:25:09 UTC</time>')
    assert utc(None) == "—"


def test_ids_are_linked_copyable_code():
    assert str(ident("cus_123")) == \
        '<a href="/dashboard/customers/cus_123"><code class="id">cus_123</code></a>'
    assert str(ident("card_1")) == \
        '<a href="/dashboard/objects/card_1"><code class="id">card_1</code></a>'
    assert str(ident("ch_1", link=False)) == '<code class="id">ch_1</code>'
    assert str(ident('<b>"x"</b>')) == \
        '<a href="/dashboard/objects/&lt;b&gt;&#34;x&#34;&lt;/b&gt;"><code class="id">' \
        '&lt;b&gt;&#34;x&#34;&lt;/b&gt;</code></a>'


def test_payment_labels():
    assert payment_label({"object": "card", "brand": "Visa", "last4": "4242"}) == \
        "Visa •••• 4242"
    assert payment_label({"object": "payment_method", "type": "card",
                          "card": {"brand": "mastercard", "last4": "4444"}}) == \
        "Mastercard •••• 4444"
    assert payment_label({"object": "bank_account", "bank_name": "STRIPE TEST BANK",
                          "last4": "6789"}) == "STRIPE TEST BANK •••• 6789"


def test_dates_payout_links_and_statuses():
    assert str(day(1795737600)) == '<time datetime="2026-11-27T00:00:00Z">2026-11-27</time>'
    assert str(day(None)) == "—"
    assert href("po_123") == "/dashboard/payouts/po_123"
    assert href("ba_1") == "/dashboard/objects/ba_1"
    for status, tone in (("paid", "ok"), ("pending", "wait"), ("in_transit", "wait"),
                         ("failed", "bad"), ("canceled", "bad"), ("inactive", "bad"),
                         ("rejected: fraud", "bad"), ("active", "ok"),
                         ("unrequested", "neutral"), ("used", "neutral")):
        assert status_class(status) == tone, status
