"""Claims of the reliability requirements that the other files here do not already pin
down, on SQLite and PostgreSQL: bracket indexes of any length (Python refuses int() on
more than 4300 digits) are a 4xx and write nothing, and a hash parameter whose keys are
all numbers keeps those keys (metadata[5]=x is metadata {"5": "x"}, as on Stripe)."""
from __future__ import annotations

import pytest

from .test_hostile import check_refused

HUGE = "9" * 5000

HUGE_INDEXES = {
    "array of hashes": f"invoice_settings[custom_fields][{HUGE}][name]=a",
    "hash": f"metadata[{HUGE}]=a",
    "expand": f"expand[{HUGE}]=sources&expand[0]=sources&email=" + "x" * 600,
    "array of strings": f"preferred_locales[{HUGE}]=en&preferred_locales[0]=fr&name=" + "x" * 300,
}


@pytest.mark.parametrize("body", HUGE_INDEXES.values(), ids=HUGE_INDEXES.keys())
def test_bracket_indexes_of_any_length_are_a_4xx(world, body):
    check_refused(world, lambda: world.http().post(
        "/v1/customers", content=body.encode(),
        headers={"Content-Type": "application/x-www-form-urlencoded"}), 400)


def test_huge_index_in_a_query_is_not_a_5xx(world):
    r = world.http().get("/v1/customers", params={f"expand[{HUGE}]": "data.sources",
                                                 "limit": "1"})
    assert r.status_code == 200, r.text[:300]
    assert r.json()["object"] == "list"


def test_numeric_metadata_keys_are_kept(world):
    client = world.sdk()
    cus = client.v1.customers.create(params={"metadata": {"5": "x", "12": "y"}})
    assert cus.metadata.to_dict() == {"5": "x", "12": "y"}
    again = client.v1.customers.retrieve(cus.id)
    assert again.metadata.to_dict() == {"5": "x", "12": "y"}
    updated = client.v1.customers.update(cus.id, params={"metadata": {"007": "z", "5": ""}})
    assert updated.metadata.to_dict() == {"12": "y", "007": "z"}
    # a list parameter given with sparse indexes keeps their order
    r = world.http().post("/v1/customers", data={"preferred_locales[10]": "fr",
                                                 "preferred_locales[2]": "en"})
    assert r.status_code == 200 and r.json()["preferred_locales"] == ["en", "fr"]


NUL_PAGES = ["/dashboard/customers/cus_%00", "/dashboard/objects/%00",
             "/dashboard/events?account=%00", "/dashboard/events?type=%00",
             "/dashboard/charges/ch_%00x", "/dashboard/accounts/acct_%00/charges",
             "/dashboard/charges?starting_after=%00"]


def test_dashboard_pages_with_a_nul_are_404(world):
    import httpx
    with httpx.Client(base_url=world.base, timeout=30) as browser:
        refused = browser.post("/dashboard/login", data={"key": world.key + "\x00"})
        assert refused.status_code == 400, refused.text[:300]
        assert browser.post("/dashboard/login", data={"key": world.key}).status_code == 303
        assert browser.get("/dashboard").status_code == 200
        for path in NUL_PAGES:
            r = browser.get(path)
            assert r.status_code == 404, (path, r.status_code, r.text[:300])
            assert "text/html" in r.headers["content-type"]
        r = browser.post("/dashboard/events/evt_%00/resend", data={"endpoint": "we_1"})
        assert r.status_code == 404, r.text[:300]
        customer = world.objs[world.platform]["customer"]
        assert browser.get(f"/dashboard/customers/{customer}").status_code == 200


def test_sandbox_pages_with_a_nul_are_404(world):
    """The 3-D Secure page and the account-link page, reached with a NUL in an id, the
    account or the client secret: 404, never a 500 (PostgreSQL refuses NUL in text)."""
    import httpx
    from urllib.parse import parse_qs, urlsplit
    client = world.sdk()
    pi = client.v1.payment_intents.create(params={
        "amount": 1000, "currency": "usd", "payment_method": "pm_card_threeDSecure2Required",
        "confirm": True, "return_url": "https://example.com/back"})
    url = urlsplit(pi.next_action.redirect_to_url.url)
    query = {k: v[0] for k, v in parse_qs(url.query).items()}
    acct = client.v1.accounts.create(params={"type": "express"})
    link = urlsplit(client.v1.account_links.create(params={
        "account": acct.id, "refresh_url": "https://example.com/a",
        "return_url": "https://example.com/b", "type": "account_onboarding"}).url)
    with httpx.Client(base_url=world.base, timeout=30) as browser:
        for params in ({**query, "account": "\x00" + query["account"]},
                       {**query, "client_secret": query["client_secret"] + "\x00"}):
            r = browser.get(url.path, params=params)
            assert r.status_code == 404, r.text[:300]
            r = browser.post(url.path, data={**params, "action": "complete"})
            assert r.status_code == 404, r.text[:300]
        assert browser.get(url.path + "%00", params=query).status_code == 404
        assert browser.get(link.path + "%00").status_code == 404
        assert browser.post(link.path + "%00").status_code == 404
        # the real addresses still work, and the intent still waits
        assert browser.get(url.path, params=query).status_code == 200
        assert browser.get(link.path).status_code == 200
    assert client.v1.payment_intents.retrieve(pi.id).status == "requires_action"
