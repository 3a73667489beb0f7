"""The dashboard's working parts in a real headless Chromium: an event's webhook
deliveries with every attempt and the resend button, and a PaymentIntent that waits for
3-D Secure, authenticated through the sandbox's page reached from the dashboard."""
from __future__ import annotations

import re
import time

import pytest

from tests.api.webhook_support import make_receiver  # noqa: F401  (a fixture)

from .conftest import sign_in

try:
    from playwright.sync_api import expect
except ImportError:  # the `browser` fixture skips (fails under CI=true) and says why
    expect = None


def reload_until(page, check, timeout: float = 10.0) -> None:
    """Reload until check() is true (deliveries are recorded by a background worker)."""
    deadline = time.monotonic() + timeout
    while not check():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting on {page.url}")
        time.sleep(0.1)
        page.reload()


def test_event_deliveries_and_resend(page, server, api_key, client, make_receiver,  # noqa: F811
                                     screenshots):
    receiver = make_receiver()
    endpoint = client.v1.webhook_endpoints.create(params={
        "url": receiver.url, "enabled_events": ["customer.created", "charge.succeeded"]})
    cus = client.v1.customers.create(params={"email": "hooks@example.com",
                                             "source": "tok_visa"})
    client.v1.charges.create(params={"amount": 4321, "currency": "usd", "customer": cus.id})
    event_id = receiver.wait_type("customer.created")[0]["id"]

    sign_in(page, server.base, api_key)
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Events").click()
    page.get_by_label("Event type").fill("customer.created")
    page.get_by_role("button", name="Filter").click()
    events = page.get_by_role("region", name="Events", exact=True)
    expect(events).not_to_contain_text("charge.succeeded")
    events.get_by_role("link", name=event_id).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("customer.created")
    deliveries = page.get_by_role("region", name="Webhook deliveries", exact=True)
    reload_until(page, lambda: deliveries.get_by_text("succeeded").count() == 1)
    expect(deliveries).to_contain_text(endpoint.id)
    expect(deliveries.get_by_role("cell", name="200", exact=True)).to_have_count(1)

    page.get_by_label("Resend to endpoint").select_option(endpoint.id)
    page.get_by_role("button", name="Resend").click()
    expect(page.get_by_role("status")).to_contain_text("queued for delivery again")
    resent = receiver.wait_type("customer.created", count=2)
    assert [e["id"] for e in resent] == [event_id, event_id]
    reload_until(page, lambda: deliveries.get_by_text("succeeded").count() == 2)
    page.screenshot(path=str(screenshots / "event-deliveries.png"), full_page=True)

    page.get_by_role("navigation", name="Main").get_by_role("link", name="Webhooks").click()
    section = page.get_by_role("region", name=receiver.url, exact=True)
    expect(section).to_contain_text(endpoint.id)
    expect(section.get_by_role("link", name=event_id)).to_have_count(2)


def test_three_d_secure_page_from_the_dashboard(page, server, api_key, client, screenshots):
    pi = client.v1.payment_intents.create(params={
        "amount": 2500, "currency": "usd", "confirm": True,
        "payment_method": "pm_card_authenticationRequiredOnSetup",
        "return_url": server.base + "/dashboard/payment_intents"})
    assert pi.status == "requires_action"
    sign_in(page, server.base, api_key)
    page.goto(server.base + f"/dashboard/payment_intents/{pi.id}")
    expect(page.get_by_role("heading", level=1)).to_contain_text("$25.00")
    expect(page.get_by_role("heading", level=1)).to_contain_text("requires_action")
    page.screenshot(path=str(screenshots / "payment-intent-3ds.png"))
    page.get_by_role("link", name="Open the 3-D Secure page").click()
    expect(page).to_have_url(re.compile(f"/sandbox/3ds/{pi.id}"))
    page.get_by_role("button", name="Complete authentication").click()
    # the intent's return_url brings the browser back to the dashboard
    expect(page).to_have_url(re.compile(r"/dashboard/payment_intents\?.*redirect_status="
                                        r"succeeded"))
    row = page.locator("tr", has=page.get_by_role("link", name=pi.id))
    expect(row).to_contain_text("succeeded")
    row.get_by_role("link", name=pi.id).click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("succeeded")
    timeline = page.locator("ol.timeline")
    for type_ in ("payment_intent.created", "payment_intent.requires_action",
                  "payment_intent.succeeded", "charge.succeeded"):
        expect(timeline).to_contain_text(type_)
    expect(page.get_by_role("region", name="Charges", exact=True)).to_contain_text("$25.00")
