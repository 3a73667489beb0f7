"""Payouts and what they need on the dashboard, over plain HTTP (no browser): a seller's
external accounts, capabilities, account links and payouts, a payout's own page (its
balance transactions, failure and timeline), a rejected seller, the overview's recent
payouts with the platform's own, pagination, and isolation between platforms."""
from __future__ import annotations

import html
import re
import secrets
import time

import httpx
import pytest

from connect_sandbox.dashboard.pages.payouts import account_state

from . import seed
from .test_http import signed_in

TIME = re.compile(r'<time datetime="\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ">'
                  r'\d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC</time>')


@pytest.fixture
def world(client) -> seed.Payouts:
    return seed.build_payouts(client)


@pytest.fixture
def dash(server, api_key):
    with signed_in(server.base, api_key) as http:
        yield http


def text(page: str) -> str:
    """The page as a person reads it: tags gone, entities decoded, spaces collapsed."""
    return re.sub(r"\s+", " ", html.unescape(re.sub(r"<[^>]+>", " ", page)))


def section(page: str, heading: str) -> str:
    """The HTML of the <section> whose h2 reads `heading`."""
    for part in re.findall(r"<section\b.*?</section>", page, flags=re.S):
        h2 = re.search(r"<h2[^>]*>(.*?)</h2>", part, flags=re.S)
        if h2 and text(h2.group(1)).strip() == heading:
            return part
    raise AssertionError(f"no section {heading!r}")


def row(part: str, obj_id: str) -> str:
    """The text of the table row that holds `obj_id`."""
    for tr in re.findall(r"<tr>.*?</tr>", part, flags=re.S):
        if f'<code class="id">{obj_id}</code>' in tr:
            return text(tr)
    raise AssertionError(f"no row for {obj_id}")


def test_seller_page_shows_external_accounts_capabilities_and_payouts(dash, client, world):
    page = dash.get(f"/dashboard/accounts/{world.seller}")
    assert page.status_code == 200
    body = page.text
    externals = section(body, "External accounts")
    bank = row(externals, world.bank)
    assert "bank account" in bank and "STRIPE TEST BANK •••• 6789" in bank
    assert "USD" in bank and "default for USD" in bank
    assert "STRIPE TEST BANK •••• 1116" in row(externals, world.failing_bank)
    assert "default for" not in row(externals, world.failing_bank)
    card = row(externals, world.debit_card)
    assert "debit card" in card and "Visa •••• 5556" in card and "instant" in card
    assert f'href="/dashboard/objects/{world.bank}"' in externals

    caps = section(body, "Capabilities")
    for name in ("card_payments", "transfers"):
        assert re.search(name + r'</td>\s*<td data-label="Status"><span class="badge ok">'
                         r'active</span>', caps), name

    payouts = section(body, "Payouts")
    paid, failed = row(payouts, world.paid), row(payouts, world.failed)
    assert "$10.00" in paid and "paid" in paid and "STRIPE TEST BANK •••• 6789" in paid
    assert "$20.00" in failed and "failed" in failed and "•••• 1116" in failed
    assert "No bank account could be located with those details." in failed
    assert f'href="/dashboard/payouts/{world.paid}"' in payouts
    assert f'href="/dashboard/accounts/{world.seller}/payouts"' in payouts  # View all
    arrival = client.v1.payouts.retrieve(world.paid,
                                         options={"stripe_account": world.seller}).arrival_date
    iso = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(arrival))
    assert f'<td data-label="Arrival date (UTC)"><time datetime="{iso}">' \
        f'{iso[:10]}</time>' in payouts
    # the payout's balance transactions link to the payout page
    txns = section(body, "Balance transactions")
    assert "payout_failure" in text(txns) and "−$20.00" in text(txns)
    assert f'href="/dashboard/payouts/{world.failed}"' in txns
    # an account that can charge and pay out has no warning
    assert "Rejected" not in text(body) and "badge bad\">charges disabled" not in body


def test_the_payout_page(dash, client, world):
    page = dash.get(f"/dashboard/payouts/{world.failed}")
    assert page.status_code == 200
    body, words = page.text, text(page.text)
    head = text(re.search(r"<h1>.*?</h1>", body, flags=re.S).group(0))
    assert "$20.00" in head and "failed" in head
    assert f"Payout on seller {world.seller}" in words
    failure = section(body, "Payout failed")
    assert "no_account" in text(failure)
    assert "No bank account could be located with those details." in text(failure)
    po = client.v1.payouts.retrieve(world.failed, options={"stripe_account": world.seller})
    assert f'href="/dashboard/objects/{po.failure_balance_transaction}"' in failure
    assert "Returned to the balance $20.00" in text(failure)
    details = text(section(body, "Details"))
    assert "Arrival date" in details and "Weekly takings" in details
    assert "standard" in details
    assert TIME.search(section(body, "Details"))
    dest = section(body, "Destination")
    assert f'href="/dashboard/objects/{world.failing_bank}"' in dest
    assert "STRIPE TEST BANK •••• 1116" in text(dest) and "bank account" in text(dest)
    txns = section(body, "Balance transactions of this payout")
    assert row(txns, po.balance_transaction).startswith(f" {po.balance_transaction} payout")
    assert "−$20.00" in row(txns, po.balance_transaction)
    assert "payout_failure" in row(txns, po.failure_balance_transaction)
    timeline = section(body, "Timeline")
    types = re.findall(r'class="etype">([a-z_.]+)<', timeline)
    assert types == ["payout.created", "payout.failed"]

    paid = dash.get(f"/dashboard/payouts/{world.paid}").text
    assert "Payout failed" not in paid and 'badge ok">paid</span>' in paid
    assert re.findall(r'class="etype">([a-z_.]+)<', section(paid, "Timeline")) == [
        "payout.created", "payout.paid"]
    # the generic object URL of a payout leads to its page
    moved = dash.get(f"/dashboard/objects/{world.paid}")
    assert moved.status_code == 303
    assert moved.headers["location"] == f"/dashboard/payouts/{world.paid}"


def test_an_external_accounts_page_lists_its_payouts(dash, world):
    body = dash.get(f"/dashboard/objects/{world.failing_bank}").text
    payouts = section(body, "Payouts to this external account")
    assert "$20.00" in row(payouts, world.failed)
    assert world.paid not in payouts
    details = text(section(body, "Details"))
    assert "Default for its currency no" in details and "Currency USD" in details
    assert "Clone lineage" not in text(body)  # payout destinations are never clones


def test_a_payout_whose_external_account_was_deleted(dash, client, world):
    client.v1.accounts.external_accounts.delete(world.seller, world.failing_bank)
    body = dash.get(f"/dashboard/payouts/{world.failed}").text
    dest = text(section(body, "Destination"))
    assert world.failing_bank in dest and "no longer exists" in dest
    listed = row(section(dash.get(f"/dashboard/accounts/{world.seller}").text, "Payouts"),
                 world.failed)
    assert world.failing_bank in listed and "•••• 1116" not in listed
    assert world.failing_bank not in section(
        dash.get(f"/dashboard/accounts/{world.seller}").text, "External accounts")


def test_a_rejected_seller_says_so(dash, client, world):
    client.v1.accounts.reject(world.seller, params={"reason": "terms_of_service"})
    body = dash.get(f"/dashboard/accounts/{world.seller}").text
    head = re.search(r"<h1>.*?</h1>", body, flags=re.S).group(0)
    for badge in ("rejected", "charges disabled", "payouts disabled"):
        assert f'<span class="badge bad">{badge}</span>' in head
    state = text(section(body, "Rejected"))
    assert "reason: terms of service" in state
    assert "rejected.terms_of_service" in state
    assert "Inactive capabilities card_payments, transfers" in state
    caps = section(body, "Capabilities")
    assert caps.count('<span class="badge bad">inactive</span>') == 2
    sellers = dash.get("/dashboard/sellers").text
    listed = row(sellers, world.seller)
    assert "rejected: terms of service" in listed and listed.count("disabled") == 2
    assert 'badge bad">rejected: terms of service' in sellers
    # the seller's payouts stay readable
    assert dash.get(f"/dashboard/payouts/{world.paid}").status_code == 200


@pytest.mark.parametrize("charges, payouts, title", [
    (False, True, "Charges disabled"), (True, False, "Payouts disabled"),
    (False, False, "Charges and payouts disabled")])
def test_a_restricted_account_that_was_not_rejected(charges, payouts, title):
    acct = {"charges_enabled": charges, "payouts_enabled": payouts,
            "requirements": {"disabled_reason": "requirements.past_due"},
            "capabilities": {"card_payments": "inactive", "transfers": "active"}}
    state = account_state(acct, is_platform=False)
    assert state["title"] == title and "rejected" not in state["badges"]
    assert state["reason"] == "requirements.past_due"
    assert state["inactive"] == ["card_payments"]
    assert ("charges disabled" in state["badges"]) is not charges
    assert ("payouts disabled" in state["badges"]) is not payouts
    enabled = {**acct, "charges_enabled": True, "payouts_enabled": True,
               "requirements": {"disabled_reason": None}}
    assert account_state(enabled, is_platform=False) is None
    assert account_state({"id": "acct_x"}, is_platform=True) is None  # no flags: no alarm


def test_overview_and_platform_page_show_payouts(dash, world):
    body = dash.get("/dashboard").text
    recent = section(body, "Recent payouts")
    for po in (world.paid, world.failed, world.platform_payout):
        assert f'href="/dashboard/payouts/{po}"' in recent
    own = row(recent, world.platform_payout)
    assert "$7.00" in own and "the platform" in own and "paid" in own
    assert "the platform" not in row(recent, world.paid)
    assert 'href="/dashboard/payouts"' in recent
    assert '<a href="/dashboard/payouts">Payouts</a>' in body  # in the main navigation

    platform = dash.get(f"/dashboard/accounts/{world.platform}").text
    payouts = section(platform, "Payouts")
    assert "$7.00" in row(payouts, world.platform_payout)
    assert world.paid not in payouts
    assert "default for USD" in row(section(platform, "External accounts"),
                                    world.platform_bank)
    assert "Account and login links" not in text(platform)
    page = dash.get(f"/dashboard/payouts/{world.platform_payout}").text
    assert "Payout on the platform" in text(page)


def test_payout_lists_are_paginated(dash, client):
    custom = client.v1.accounts.create(params={"type": "custom", "country": "US"}).id
    client.v1.accounts.external_accounts.create(custom, params={"external_account": seed.BANK})
    seed.fund(client, custom)
    opts = {"stripe_account": custom}
    made = [client.v1.payouts.create(params={"amount": 100 + i, "currency": "usd"},
                                     options=opts).id for i in range(23)]
    newest_first = made[::-1]
    first = dash.get(f"/dashboard/accounts/{custom}/payouts").text
    assert re.findall(r'<code class="id">(po_\w+)</code>', first) == newest_first[:20]
    older = re.search(r'href="([^"]+)" rel="next"', first).group(1).replace("&amp;", "&")
    second = dash.get(older).text
    assert re.findall(r'<code class="id">(po_\w+)</code>', second) == newest_first[20:]
    assert "$1.00" in second and 'rel="next"' not in second
    across = dash.get("/dashboard/payouts").text
    assert re.findall(r'<code class="id">(po_\w+)</code>', across) == newest_first[:20]
    assert 'rel="next"' in across
    seller_page = dash.get(f"/dashboard/accounts/{custom}").text
    assert re.findall(r'<code class="id">(po_\w+)</code>',
                      section(seller_page, "Payouts")) == newest_first[:5]


def test_account_links_and_whether_they_were_used(dash, client, world):
    link = client.v1.account_links.create(params={
        "account": world.seller, "type": "account_onboarding",
        "refresh_url": "https://example.com/refresh", "return_url": "https://example.com/back"})
    links = section(dash.get(f"/dashboard/accounts/{world.seller}").text,
                    "Account and login links")
    assert "Account link (account_onboarding)" in text(links)
    assert 'badge ok">valid</span>' in links
    assert link.url not in links  # the single-use URL is not repeated on the page
    used = httpx.post(link.url, timeout=10)  # "Continue" on the onboarding page
    assert used.status_code == 303
    links = section(dash.get(f"/dashboard/accounts/{world.seller}").text,
                    "Account and login links")
    assert 'badge neutral">used</span>' in links
    listed = dash.get(f"/dashboard/accounts/{world.seller}/account_links").text
    assert "Account link (account_onboarding)" in text(listed)
    express = client.v1.accounts.create(params={"type": "express"}).id
    client.v1.accounts.login_links.create(express)
    links = section(dash.get(f"/dashboard/accounts/{express}").text,
                    "Account and login links")
    assert "Login link" in text(links) and 'badge ok">valid</span>' in links


def test_another_platform_sees_no_payouts(server, world):
    with signed_in(server.base, "sk_test_" + secrets.token_hex(12)) as other:
        for path in (f"/dashboard/payouts/{world.paid}",
                     f"/dashboard/payouts/{world.platform_payout}",
                     f"/dashboard/objects/{world.failing_bank}",
                     f"/dashboard/accounts/{world.seller}/payouts",
                     f"/dashboard/accounts/{world.seller}/account_links"):
            resp = other.get(path)
            assert resp.status_code == 404, path
            assert world.seller not in resp.text
        for path in ("/dashboard", "/dashboard/payouts"):
            resp = other.get(path)
            assert resp.status_code == 200
            assert world.paid not in resp.text and world.platform_payout not in resp.text


def test_new_pages_are_self_contained(dash, world):
    for path in (f"/dashboard/payouts/{world.failed}", "/dashboard/payouts",
                 f"/dashboard/accounts/{world.seller}",
                 f"/dashboard/objects/{world.debit_card}"):
        resp = dash.get(path)
        assert resp.status_code == 200, path
        assert "<script" not in resp.text
        assert not re.search(r'(src|href)="(https?:)?//', resp.text), path
        ids = re.findall(r'\bid="([^"]+)"', resp.text)
        assert len(ids) == len(set(ids)), path  # aria-labelledby needs unique ids
        for labelled in re.findall(r'aria-labelledby="([^"]+)"', resp.text):
            assert labelled in ids, (path, labelled)


def test_pending_and_canceled_payouts(slow_server):
    import stripe
    key = "sk_test_" + secrets.token_hex(12)
    client = stripe.StripeClient(key, base_addresses={"api": slow_server.base},
                                 max_network_retries=0)
    seller = client.v1.accounts.create(params={"type": "custom", "country": "US"}).id
    client.v1.accounts.external_accounts.create(seller, params={"external_account": seed.BANK})
    seed.fund(client, seller)
    opts = {"stripe_account": seller}
    pending = client.v1.payouts.create(params={"amount": 1500, "currency": "usd"},
                                       options=opts)
    canceled = client.v1.payouts.create(params={"amount": 2500, "currency": "usd"},
                                        options=opts)
    client.v1.payouts.cancel(canceled.id, options=opts)
    with signed_in(slow_server.base, key) as dash:
        body = dash.get(f"/dashboard/payouts/{pending.id}").text
        assert 'badge wait">pending</span>' in body
        assert "Expected arrival" in text(section(body, "Details"))
        assert "Payout failed" not in body and "Payout canceled" not in body
        body = dash.get(f"/dashboard/payouts/{canceled.id}").text
        assert 'badge bad">canceled</span>' in body
        gone = section(body, "Payout canceled")
        assert "Returned to the balance $25.00" in text(gone)
        txns = section(body, "Balance transactions of this payout")
        assert "payout_cancel" in text(txns) and "−$25.00" in text(txns)
        assert re.findall(r'class="etype">([a-z_.]+)<', section(body, "Timeline")) == [
            "payout.created", "payout.canceled"]
        listed = section(dash.get(f"/dashboard/accounts/{seller}").text, "Payouts")
        assert "pending" in row(listed, pending.id) and "canceled" in row(listed, canceled.id)
