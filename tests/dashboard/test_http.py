"""The dashboard over plain HTTP (httpx, no browser): sign-in, the cookie, isolation
between platforms, CSRF, pagination, lineage of PaymentMethod and Source clones, and a
cookie that a second server process on the same database accepts."""
from __future__ import annotations

import contextlib
import re
import secrets
from typing import Iterator

import httpx
import pytest

from tests.conftest import start_server

from . import seed


@contextlib.contextmanager
def signed_in(base: str, key: str) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=base, timeout=10) as http:
        resp = http.post("/dashboard/login", data={"key": key})
        assert resp.status_code == 303 and resp.headers["location"] == "/dashboard"
        yield http


@pytest.fixture
def market(client) -> seed.Marketplace:
    return seed.build(client)


@pytest.fixture
def dash(server, api_key):
    with signed_in(server.base, api_key) as http:
        yield http


def get_with_cookie(url: str, value: str) -> httpx.Response:
    with httpx.Client(timeout=10, cookies={"cs_dashboard": value}) as http:
        return http.get(url)


def csrf(html: str) -> str:
    return re.search(r'name="csrf" value="([0-9a-f]+)"', html).group(1)


def test_without_a_cookie_there_is_no_data(server, market):
    with httpx.Client(base_url=server.base, timeout=10) as anon:
        for path in ("/dashboard", f"/dashboard/customers/{market.customer}",
                     f"/dashboard/charges/{market.direct_charge}", "/dashboard/events"):
            resp = anon.get(path)
            assert resp.status_code == 303
            assert resp.headers["location"].startswith("/dashboard/login?next=")
        forged = get_with_cookie(server.base + f"/dashboard/customers/{market.customer}",
                                 "v1.acct_x.1.eA.deadbeef")
        assert forged.status_code == 303
        assert market.customer not in forged.text


@pytest.mark.parametrize("key, message", [
    ("", "Enter a secret key"), ("pk_test_abc", "publishable key"),
    ("sk_live_abc", "Live keys"), ("sk_test_", "not a valid test secret key"),
    ("sk_test_a b", "not a valid test secret key")])
def test_login_refuses_bad_keys(server, key, message):
    resp = httpx.post(server.base + "/dashboard/login", data={"key": key}, timeout=10)
    assert resp.status_code == 400 and message in resp.text
    assert "set-cookie" not in resp.headers


def test_cookie_is_signed_httponly_and_names_no_key(server, api_key):
    resp = httpx.post(server.base + "/dashboard/login", data={"key": api_key}, timeout=10)
    cookie = resp.headers["set-cookie"]
    assert "HttpOnly" in cookie and "SameSite=strict" in cookie.replace("Strict", "strict")
    assert "Path=/dashboard" in cookie and api_key not in cookie
    value = resp.cookies["cs_dashboard"]
    tampered = value[:-1] + ("0" if value[-1] != "0" else "1")
    again = get_with_cookie(server.base + "/dashboard", tampered)
    assert again.status_code == 303


def test_another_platforms_cookie_gets_404(server, dash, market):
    own = dash.get(f"/dashboard/customers/{market.customer}")
    assert own.status_code == 200 and market.seller_cards[0] in own.text
    with signed_in(server.base, "sk_test_" + secrets.token_hex(12)) as other:
        for path in (f"/dashboard/customers/{market.customer}",
                     f"/dashboard/customers/{market.seller_customers[0]}",
                     f"/dashboard/accounts/{market.sellers[0]}",
                     f"/dashboard/accounts/{market.sellers[0]}/charges",
                     f"/dashboard/charges/{market.direct_charge}",
                     f"/dashboard/objects/{market.seller_cards[0]}",
                     f"/dashboard/objects/{market.tokens[1]}",
                     f"/dashboard/events?account={market.sellers[1]}"):
            resp = other.get(path)
            assert resp.status_code == 404, path
            assert market.customer not in resp.text and market.sellers[0] not in resp.text
        for path in ("/dashboard", "/dashboard/charges", "/dashboard/sellers",
                     "/dashboard/events", "/dashboard/webhooks"):
            resp = other.get(path)
            assert resp.status_code == 200
            assert market.sellers[0] not in resp.text and market.direct_charge not in resp.text


def test_pages_are_self_contained_and_script_free(dash, market):
    for path in ("/dashboard", f"/dashboard/customers/{market.customer}",
                 f"/dashboard/charges/{market.direct_charge}", "/dashboard/events"):
        resp = dash.get(path)
        assert resp.status_code == 200 and resp.headers["content-type"].startswith("text/html")
        assert "<script" not in resp.text
        assert not re.search(r'(src|href)="(https?:)?//', resp.text)  # nothing off-site
        assert "default-src 'none'" in resp.headers["content-security-policy"]
        assert resp.headers["cache-control"] == "no-store"
    css = dash.get("/dashboard/static/dashboard.css")
    assert css.status_code == 200 and "user-select: all" in css.text
    assert dash.get("/dashboard/nothing/here").status_code == 404


def test_money_and_times_on_the_charge_page(dash, market):
    page = dash.get(f"/dashboard/charges/{market.direct_charge}").text
    assert "$43.21" in page and "$5.00" in page and "$10.00" in page
    assert re.search(r'<time datetime="\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ">'
                     r'\d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC</time>', page)
    assert f'<code class="id">{market.direct_charge}</code>' in page


def test_logout_and_resend_need_the_csrf_token(server, dash, market, client):
    event = client.v1.events.list(params={"limit": 1}).data[0]
    page = dash.get(f"/dashboard/events/{event.id}")
    assert page.status_code == 200
    token = csrf(page.text)
    assert dash.post(f"/dashboard/events/{event.id}/resend",
                     data={"endpoint": "we_x"}).status_code == 403
    with signed_in(server.base, "sk_test_" + secrets.token_hex(12)) as other:
        other_token = csrf(other.get("/dashboard").text)
        resp = other.post(f"/dashboard/events/{event.id}/resend",
                          data={"endpoint": "we_x", "csrf": other_token})
        assert resp.status_code == 404
    assert dash.post("/dashboard/logout", data={}).status_code == 403
    out = dash.post("/dashboard/logout", data={"csrf": token})
    assert out.status_code == 303
    assert dash.get("/dashboard").status_code == 303


def test_long_lists_are_paginated(dash, client, seller):
    made = [client.v1.customers.create(params={"email": f"c{i}@example.com"},
                                       options={"stripe_account": seller}).id
            for i in range(25)]
    first = dash.get(f"/dashboard/accounts/{seller}/customers").text
    shown = re.findall(r'<code class="id">(cus_\w+)</code>', first)
    assert shown == made[::-1][:20]
    older = re.search(r'href="([^"]+)" rel="next"', first).group(1).replace("&amp;", "&")
    second = dash.get(older).text
    assert re.findall(r'<code class="id">(cus_\w+)</code>', second) == made[::-1][20:]
    assert 'rel="next"' not in second
    newer = re.search(r'href="([^"]+)" rel="prev"', second).group(1).replace("&amp;", "&")
    back = dash.get(newer).text
    assert re.findall(r'<code class="id">(cus_\w+)</code>', back) == made[::-1][:20]
    # a cursor of another list (or platform) starts from the newest
    odd = dash.get(f"/dashboard/accounts/{seller}/customers?after=cus_nope")
    assert odd.status_code == 200


def test_payment_method_and_source_clones_appear_in_the_lineage(dash, client, seller):
    pm = client.v1.payment_methods.create(params={"type": "card",
                                                  "card": {"token": "tok_visa"}})
    cus = client.v1.customers.create(params={"payment_method": pm.id, "source": "tok_amex"})
    opts = {"stripe_account": seller}
    pm_clone = client.v1.payment_methods.create(
        params={"customer": cus.id, "payment_method": pm.id}, options=opts)
    src_clone = client.v1.sources.create(params={
        "customer": cus.id, "original_source": cus.default_source, "usage": "reusable"},
        options=opts)
    page = dash.get(f"/dashboard/customers/{cus.id}").text
    assert "Clones across sellers <span class=\"count\">(2)</span>" in page
    for clone_id in (pm_clone.id, src_clone.id):
        assert f'href="/dashboard/objects/{clone_id}"' in page
    assert "payment method" in page and "American Express •••• 0005" in page
    card = dash.get(f"/dashboard/objects/{pm_clone.id}").text
    assert f"Cloned from <a href=\"/dashboard/objects/{pm.id}\">" in card
    original = dash.get(f"/dashboard/objects/{pm.id}").text
    assert "1 clone on sellers" in original and pm_clone.id in original


def test_a_second_server_process_accepts_the_cookie(server, dash, market):
    other = start_server(server.database)
    try:
        cookie = dash.cookies["cs_dashboard"]
        resp = get_with_cookie(other.base + f"/dashboard/customers/{market.customer}",
                               cookie)
        assert resp.status_code == 200 and market.seller_cards[1] in resp.text
    finally:
        other.stop()


def test_a_deleted_platform_customer_keeps_its_lineage(dash, client, market):
    client.v1.customers.delete(market.customer)
    page = dash.get(f"/dashboard/customers/{market.customer}")
    assert page.status_code == 200 and "deleted</span>" in page.text
    for card in market.seller_cards:
        assert f'href="/dashboard/objects/{card}"' in page.text
    assert "no longer attached" in page.text


def test_the_platforms_own_account_page(dash, client, market):
    platform = client.v1.accounts.retrieve_current().id
    page = dash.get(f"/dashboard/accounts/{platform}").text
    assert "Platform account" in page and market.customer in page
    assert "Transfers" in page and "Application fees" in page
    fees = dash.get(f"/dashboard/accounts/{platform}/application_fees").text
    assert fees.count('href="/dashboard/objects/fee_') == 2
