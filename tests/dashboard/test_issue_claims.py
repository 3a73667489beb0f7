"""The seller page shows what the dashboard requirements list for a seller: its
customers, PaymentMethods, charges, the platform's application fees from it and
transfers to it, and its balance; over plain HTTP (the browser tests open it too)."""
from __future__ import annotations

import re

from .test_http import dash, market  # noqa: F401  (fixtures)


def section(html: str, heading_text: str) -> str:
    """The HTML of the <section> whose heading contains heading_text."""
    for part in re.findall(r"<section\b.*?</section>", html, flags=re.S):
        heading = re.search(r"<h2[^>]*>(.*?)</h2>", part, flags=re.S)
        if heading and heading_text in heading.group(1):
            return part
    raise AssertionError(f"no section {heading_text!r}")


def test_seller_page_shows_payment_methods_fees_transfers_and_balance(dash, client, market):
    direct_seller, destination_seller = market.sellers
    pm = client.v1.payment_methods.create(
        params={"type": "card", "card": {"token": "tok_visa"}},
        options={"stripe_account": direct_seller})
    client.v1.payment_methods.attach(pm.id, params={"customer": market.seller_customers[0]},
                                     options={"stripe_account": direct_seller})
    fee = client.v1.charges.retrieve(market.direct_charge,
                                      options={"stripe_account": direct_seller}).application_fee

    page = dash.get(f"/dashboard/accounts/{direct_seller}")
    assert page.status_code == 200
    html = page.text
    assert market.seller_customers[0] in section(html, "Customers")
    assert pm.id in section(html, "PaymentMethods")
    assert market.direct_charge in section(html, "Charges")
    fees = section(html, "Application fees")
    assert fee in fees and "$5.00" in fees
    assert "USD" in section(html, "Balance")

    other = dash.get(f"/dashboard/accounts/{destination_seller}").text
    transfer = client.v1.charges.retrieve(market.destination_charge).transfer
    assert transfer in section(other, "Transfers") and "$120.00" in section(other, "Transfers")
    assert fee not in other  # the fee is the first seller's
