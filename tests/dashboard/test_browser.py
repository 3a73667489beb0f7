"""The dashboard in a real headless Chromium: sign in through the form, open a seller, a
cloned customer and a charge, follow the clone lineage from the platform customer to the
seller's card, and check that another platform's key sees none of it."""
from __future__ import annotations

import re

import pytest

from . import seed
from .conftest import PHONE, region, sign_in

try:
    from playwright.sync_api import expect
except ImportError:  # the `browser` fixture skips (fails under CI=true) and says why
    expect = None


@pytest.fixture
def market(client) -> seed.Marketplace:
    return seed.build(client)


def test_login_form_refuses_bad_keys_then_signs_in(page, server, api_key, market):
    page.goto(server.base + f"/dashboard/customers/{market.customer}")
    expect(page).to_have_url(re.compile(r"/dashboard/login\?next="))
    expect(page.get_by_role("heading", level=1)).to_have_text("Sign in to the dashboard")
    key = page.get_by_label("Platform secret key")
    expect(key).to_have_attribute("type", "password")
    key.fill("pk_test_" + api_key[len("sk_test_"):])
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("alert")).to_contain_text("publishable key")
    page.get_by_label("Platform secret key").fill(api_key)
    page.get_by_role("button", name="Sign in").click()
    # back where we wanted to go
    expect(page).to_have_url(re.compile(f"/dashboard/customers/{market.customer}$"))
    cookie = next(c for c in page.context.cookies() if c["name"] == "cs_dashboard")
    assert cookie["httpOnly"] and cookie["sameSite"] == "Strict"
    assert api_key not in cookie["value"] and api_key[-12:] not in cookie["value"]


def test_overview_seller_and_charge(page, server, api_key, market, screenshots):
    sign_in(page, server.base, api_key)
    sellers = region(page, "Sellers (connected accounts)")
    for seller in market.sellers:
        expect(sellers).to_contain_text(seller)
    charges = region(page, "Recent charges")
    expect(charges).to_contain_text("$43.21")
    expect(charges).to_contain_text("$120.00")
    page.screenshot(path=str(screenshots / "overview.png"))

    # open the first seller from the overview
    sellers.get_by_role("link", name=market.sellers[0]).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Bob's Bikes")
    expect(page.get_by_text("Seller (connected account)")).to_be_visible()
    expect(region(page, "Customers")).to_contain_text(
        market.seller_customers[0])
    expect(region(page, "Charges")).to_contain_text("$43.21")
    balance = region(page, "Balance")
    expect(balance).to_contain_text("USD")
    page.screenshot(path=str(screenshots / "seller.png"), full_page=True)

    # and its charge: amount, fee, refund and the timeline
    region(page, "Charges").get_by_role(
        "link", name=market.direct_charge).click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("$43.21")
    flow = page.locator("section", has=page.get_by_role("heading", name="Money flow"))
    expect(flow).to_contain_text("Application fee")
    expect(flow).to_contain_text("$5.00")
    expect(flow).to_contain_text("direct charge on a seller")
    refunds = region(page, "Refunds")
    expect(refunds).to_contain_text(market.refund)
    expect(refunds).to_contain_text("$10.00")
    timeline = page.locator("ol.timeline")
    expect(timeline).to_contain_text("charge.succeeded")
    expect(timeline).to_contain_text("charge.refunded")
    expect(page.locator("h1 code.id, .sub code.id").first).to_have_css("user-select", "all")
    page.screenshot(path=str(screenshots / "charge.png"), full_page=True)


def test_destination_charge_shows_the_transfer(page, server, api_key, market):
    sign_in(page, server.base, api_key)
    page.goto(server.base + f"/dashboard/charges/{market.destination_charge}")
    flow = page.locator("section", has=page.get_by_role("heading", name="Money flow"))
    expect(flow).to_contain_text("destination charge to")
    expect(flow).to_contain_text(market.sellers[1])
    expect(flow).to_contain_text("$12.00")  # the application fee
    transfer = flow.get_by_role("link", name=re.compile(r"^tr_"))
    expect(transfer).to_be_visible()


def test_clone_lineage_from_platform_customer_to_seller_card(page, server, api_key, market,
                                                             screenshots):
    sign_in(page, server.base, api_key)
    page.goto(server.base + f"/dashboard/customers/{market.customer}")
    expect(page.get_by_text("Platform customer")).to_be_visible()
    expect(page.get_by_role("heading", level=1)).to_have_text("Jenny Rosen")
    clones = page.locator("section", has=page.get_by_role(
        "heading", name=re.compile("Clones across sellers")))
    expect(clones.get_by_role("heading", level=2)).to_contain_text("(2)")
    for seller, card, scus, tok in zip(market.sellers, market.seller_cards,
                                       market.seller_customers, market.tokens):
        row = clones.locator("tr", has=page.get_by_role("link", name=card))
        expect(row).to_contain_text(seller)
        expect(row).to_contain_text(scus)
        expect(row).to_contain_text(tok)
    page.screenshot(path=str(screenshots / "customer-clones.png"), full_page=True)

    # follow the lineage to the first seller's card ...
    clones.get_by_role("link", name=market.seller_cards[0]).click()
    expect(page).to_have_url(re.compile(f"/dashboard/objects/{market.seller_cards[0]}$"))
    expect(page.get_by_text(f"Card on seller {market.sellers[0]}")).to_be_visible()
    lineage = page.locator("section", has=page.get_by_role("heading", name="Clone lineage"))
    expect(lineage).to_contain_text(f"Cloned from {market.card}")
    expect(lineage).to_contain_text(market.customer)
    expect(lineage).to_contain_text(market.tokens[0])
    # ... to the seller's customer, which says where its card came from ...
    page.get_by_role("link", name=market.seller_customers[0]).first.click()
    expect(page.get_by_text(f"Customer of seller {market.sellers[0]}")).to_be_visible()
    origins = page.locator("section", has=page.get_by_role(
        "heading", name="Cloned from the platform"))
    expect(origins).to_contain_text(market.card)
    expect(origins).to_contain_text("Visa •••• 4242")
    expect(region(page, f"Charges of {market.seller_customers[0]}")
           ).to_contain_text("$43.21")
    # ... and back to the platform customer.
    origins.get_by_role("link", name=market.customer).click()
    expect(page).to_have_url(re.compile(f"/dashboard/customers/{market.customer}$"))


def test_another_platform_sees_none_of_it(new_page, server, api_key, market):
    other = new_page()
    sign_in(other, server.base, "sk_test_other_" + api_key[-10:])
    body = other.locator("main")
    expect(body).not_to_contain_text(market.sellers[0])
    for path in (f"/dashboard/customers/{market.customer}",
                 f"/dashboard/accounts/{market.sellers[0]}",
                 f"/dashboard/charges/{market.direct_charge}",
                 f"/dashboard/objects/{market.seller_cards[0]}",
                 f"/dashboard/customers/{market.seller_customers[1]}"):
        response = other.goto(server.base + path)
        assert response.status == 404, path
        expect(other.get_by_role("heading", level=1)).to_have_text("Not found")
    other.goto(server.base + f"/dashboard/events?account={market.sellers[0]}")
    expect(other.get_by_role("heading", level=1)).to_have_text("Not found")
    other.goto(server.base + "/dashboard/events")
    expect(other.locator("main")).not_to_contain_text(market.customer)
    other.goto(server.base + "/dashboard/charges")
    expect(other.locator("main")).not_to_contain_text("$43.21")


def test_keyboard_and_landmarks(page, server, api_key, market):
    sign_in(page, server.base, api_key)
    page.goto(server.base + f"/dashboard/customers/{market.customer}")
    page.keyboard.press("Tab")
    skip = page.get_by_role("link", name="Skip to content")
    expect(skip).to_be_focused()
    expect(skip).to_be_visible()
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile("#main$"))
    for role in ("banner", "navigation", "main", "contentinfo"):
        expect(page.get_by_role(role).first).to_be_attached()
    # every visible form control has a label
    unlabeled = page.evaluate("""() => [...document.querySelectorAll(
        'input:not([type=hidden]), select, textarea')].filter(e => !e.labels.length).length""")
    assert unlabeled == 0
    # tab to a clone link and follow it with Enter
    link = page.get_by_role("link", name=market.seller_cards[1])
    link.focus()
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(f"/dashboard/objects/{market.seller_cards[1]}$"))


def test_readable_on_a_phone(new_page, server, api_key, market, screenshots):
    phone = new_page(PHONE)
    sign_in(phone, server.base, api_key)
    for path in ("/dashboard", f"/dashboard/customers/{market.customer}",
                 f"/dashboard/charges/{market.direct_charge}"):
        phone.goto(server.base + path)
        overflow = phone.evaluate("document.documentElement.scrollWidth")
        assert overflow <= PHONE["width"], (path, overflow)
    phone.goto(server.base + f"/dashboard/customers/{market.customer}")
    phone.screenshot(path=str(screenshots / "customer-phone.png"))
