"""Payouts on the dashboard in a real headless Chromium: from the overview's recent payouts
to a failed payout's page (why it failed, where it went, its balance transactions and
timeline), to its seller (external accounts, capabilities, payouts and "View all"), a
rejected seller, and the new pages with the keyboard, at 1280 px and on a phone."""
from __future__ import annotations

import re

import pytest

from . import seed
from .conftest import DESKTOP, PHONE, region, sign_in

try:
    from playwright.sync_api import expect
except ImportError:  # the `browser` fixture skips (fails under CI=true) and says why
    expect = None


@pytest.fixture
def world(client) -> seed.Payouts:
    return seed.build_payouts(client)


def new_pages(world: seed.Payouts) -> list[str]:
    return ["/dashboard", f"/dashboard/accounts/{world.seller}",
            f"/dashboard/payouts/{world.failed}", "/dashboard/payouts",
            f"/dashboard/accounts/{world.seller}/payouts",
            f"/dashboard/objects/{world.failing_bank}",
            f"/dashboard/accounts/{world.platform}"]


def test_from_the_overview_to_a_failed_payout_and_its_seller(page, server, api_key, world,
                                                             screenshots):
    sign_in(page, server.base, api_key)
    recent = region(page, "Recent payouts")
    failed_row = recent.locator("tr", has=page.get_by_role("link", name=world.failed))
    expect(failed_row).to_contain_text("$20.00")
    expect(failed_row).to_contain_text("failed")
    expect(failed_row).to_contain_text("STRIPE TEST BANK •••• 1116")
    own = recent.locator("tr", has=page.get_by_role("link", name=world.platform_payout))
    expect(own).to_contain_text("the platform")
    expect(own).to_contain_text("$7.00")

    failed_row.get_by_role("link", name=world.failed).click()
    expect(page).to_have_url(re.compile(f"/dashboard/payouts/{world.failed}$"))
    heading = page.get_by_role("heading", level=1)
    expect(heading).to_contain_text("$20.00")
    expect(heading).to_contain_text("failed")
    failure = region(page, "Payout failed")
    expect(failure).to_contain_text("no_account")
    expect(failure).to_contain_text("No bank account could be located")
    expect(region(page, "Destination")).to_contain_text("STRIPE TEST BANK •••• 1116")
    txns = region(page, "Balance transactions of this payout")
    expect(txns).to_contain_text("payout_failure")
    expect(txns).to_contain_text("−$20.00")
    timeline = page.locator("ol.timeline")
    expect(timeline).to_contain_text("payout.created")
    expect(timeline).to_contain_text("payout.failed")
    expect(page.locator(".sub code.id").first).to_have_css("user-select", "all")
    page.screenshot(path=str(screenshots / "payout-failed.png"), full_page=True)

    # the destination's page lists the payouts sent to it
    region(page, "Destination").get_by_role("link", name=world.failing_bank).click()
    expect(region(page, "Payouts to this external account")).to_contain_text(world.failed)
    page.go_back()

    # on to the seller
    page.get_by_role("link", name=world.seller).first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Dora's Donuts")
    externals = region(page, "External accounts")
    bank = externals.locator("tr", has=page.get_by_role("link", name=world.bank))
    expect(bank).to_contain_text("default for USD")
    expect(externals).to_contain_text("Visa •••• 5556")
    caps = region(page, "Capabilities")
    expect(caps.locator("tr", has_text="card_payments")).to_contain_text("active")
    payouts = region(page, "Payouts")
    expect(payouts.locator("tr", has=page.get_by_role("link", name=world.paid))
           ).to_contain_text("paid")
    page.screenshot(path=str(screenshots / "seller-payouts.png"), full_page=True)
    # "View all" with the keyboard
    view_all = page.get_by_role("link", name="View all payouts", exact=True)
    view_all.focus()
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(f"/dashboard/accounts/{world.seller}/payouts$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Payouts")
    expect(region(page, "Payouts")).to_contain_text(world.failed)


def test_a_rejected_seller(page, server, api_key, client, world, screenshots):
    client.v1.accounts.reject(world.seller, params={"reason": "fraud"})
    sign_in(page, server.base, api_key)
    sellers = region(page, "Sellers (connected accounts)")
    expect(sellers.locator("tr", has=page.get_by_role("link", name=world.seller))
           ).to_contain_text("rejected: fraud")
    sellers.get_by_role("link", name=world.seller).click()
    heading = page.get_by_role("heading", level=1)
    for badge in ("rejected", "charges disabled", "payouts disabled"):
        expect(heading).to_contain_text(badge)
    state = region(page, "Rejected")
    expect(state).to_contain_text("rejected.fraud")
    expect(state).to_contain_text("card_payments, transfers")
    # the warning is coloured as one, not only told in words
    expect(heading.locator(".badge").first).to_have_css("color", "rgb(163, 20, 44)")
    expect(region(page, "Capabilities")).to_contain_text("inactive")
    page.screenshot(path=str(screenshots / "seller-rejected.png"))


def test_new_pages_with_keyboard_and_screen_reader(page, server, api_key, world):
    sign_in(page, server.base, api_key)
    for path in new_pages(world):
        page.goto(server.base + path)
        page.keyboard.press("Tab")
        expect(page.get_by_role("link", name="Skip to content")).to_be_focused()
        problems = page.evaluate("""() => {
            const out = [];
            for (const s of document.querySelectorAll('section[aria-labelledby]')) {
                const h = document.getElementById(s.getAttribute('aria-labelledby'));
                if (!h || !h.textContent.trim()) out.push('unnamed section');
            }
            for (const t of document.querySelectorAll('table'))
                if (!t.querySelector('caption')) out.push('table without caption');
            for (const w of document.querySelectorAll('.table-wrap'))
                if (!w.getAttribute('aria-label') || w.tabIndex !== 0)
                    out.push('table region not focusable or unnamed');
            for (const th of document.querySelectorAll('thead th'))
                if (th.getAttribute('scope') !== 'col') out.push('header without scope');
            let last = 0;
            for (const h of document.querySelectorAll('main h1, main h2, main h3')) {
                const level = Number(h.tagName[1]);
                if (level > last + 1) out.push('heading skips a level: ' + h.textContent);
                last = level;
            }
            const ids = [...document.querySelectorAll('[id]')].map(e => e.id);
            if (new Set(ids).size !== ids.length) out.push('duplicate ids');
            for (const e of document.querySelectorAll('input:not([type=hidden]), select'))
                if (!e.labels.length) out.push('unlabeled control');
            return out;
        }""")
        assert problems == [], (path, problems)
        expect(page.get_by_role("navigation", name="Main").get_by_role(
            "link", name="Payouts")).to_be_visible()


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["1280px", "phone"])
def test_new_pages_fit_the_screen(new_page, server, api_key, world, viewport, screenshots):
    tab = new_page(viewport)
    sign_in(tab, server.base, api_key)
    for path in new_pages(world):
        tab.goto(server.base + path)
        width = tab.evaluate("document.documentElement.scrollWidth")
        assert width <= viewport["width"], (path, width)
        # nothing spills out of its box into the next fact or table cell
        spilled = tab.evaluate("""() => [...document.querySelectorAll('.facts dd, td')]
            .flatMap(box => {
                const edge = box.getBoundingClientRect().right + 1;
                return [...box.querySelectorAll('*')]
                    .filter(e => e.getBoundingClientRect().right > edge)
                    .map(e => box.tagName + ': ' + e.textContent.trim().slice(0, 40));
            })""")
        assert spilled == [], (path, spilled)
    if viewport is PHONE:
        tab.goto(server.base + f"/dashboard/payouts/{world.failed}")
        expect(tab.get_by_role("heading", level=1)).to_contain_text("$20.00")
        tab.screenshot(path=str(screenshots / "payout-phone.png"))
