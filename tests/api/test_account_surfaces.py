"""What a Connect platform calls around its connected accounts: account links and their
page, login links, capabilities, external accounts, and rejecting an account."""
from __future__ import annotations

import httpx
import pytest
import stripe

from connect_sandbox.http import connect_pages

from .support import BANK, as_, stripe_error

URLS = {"refresh_url": "https://platform.example/reauth",
        "return_url": "https://platform.example/return"}


def _events(client, account: str, type_: str) -> list:
    return client.v1.events.list(params={"type": type_}, options=as_(account)).data


# -- account links ------------------------------------------------------------------

def test_account_link_object_and_page_flow(client, server):
    acct = client.v1.accounts.create(params={"type": "custom"})
    link = client.v1.account_links.create(params={
        "account": acct.id, "type": "account_onboarding", **URLS})
    assert link.object == "account_link"
    assert link.expires_at == link.created + 300
    assert link.url.startswith(f"{server.base}/sandbox/connect/{acct.id}/")
    with httpx.Client(timeout=10) as browser:
        page = browser.get(link.url)
        assert page.status_code == 200 and acct.id in page.text
        assert "<form method=post" in page.text
        done = browser.post(link.url)
        assert done.status_code == 303 and done.headers["location"] == URLS["return_url"]
        # single use: visiting it again goes to the refresh_url, as Stripe's does
        again = browser.get(link.url)
        assert again.status_code == 303 and again.headers["location"] == URLS["refresh_url"]
        assert browser.post(link.url).headers["location"] == URLS["refresh_url"]


def test_account_link_collection_options(client):
    acct = client.v1.accounts.create(params={"type": "custom"})
    link = client.v1.account_links.create(params={
        "account": acct.id, "type": "account_onboarding", **URLS,
        "collection_options": {"fields": "eventually_due", "future_requirements": "include"}})
    assert link.object == "account_link"
    with stripe_error(stripe.InvalidRequestError, status=400,
                      param="collection_options[fields]"):
        client.v1.account_links.create(params={
            "account": acct.id, "type": "account_onboarding", **URLS,
            "collection_options": {"fields": "everything"}})


def test_expired_account_link_sends_to_refresh_url(client, monkeypatch):
    acct = client.v1.accounts.create(params={"type": "express"})
    link = client.v1.account_links.create(params={
        "account": acct.id, "type": "account_onboarding", **URLS})
    monkeypatch.setattr(connect_pages, "_now", lambda: link.expires_at)
    r = httpx.get(link.url, timeout=10)
    assert r.status_code == 303 and r.headers["location"] == URLS["refresh_url"]
    r = httpx.post(link.url, timeout=10)
    assert r.status_code == 303 and r.headers["location"] == URLS["refresh_url"]


def test_account_link_page_for_unknown_link_or_wrong_account(client, server):
    acct = client.v1.accounts.create(params={"type": "custom"})
    other = client.v1.accounts.create(params={"type": "custom"})
    link = client.v1.account_links.create(params={
        "account": acct.id, "type": "account_update", **URLS})
    wrong = link.url.replace(acct.id, other.id)
    assert httpx.get(wrong, timeout=10).status_code == 404
    assert httpx.post(wrong, timeout=10).status_code == 404
    missing = f"{server.base}/sandbox/connect/{acct.id}/alink_nope"
    assert httpx.get(missing, timeout=10).status_code == 404


@pytest.mark.parametrize("missing", ["refresh_url", "return_url"])
def test_account_link_needs_both_urls(client, missing):
    acct = client.v1.accounts.create(params={"type": "custom"})
    params = {"account": acct.id, "type": "account_onboarding", **URLS}
    del params[missing]
    with stripe_error(stripe.InvalidRequestError, status=400, code="parameter_missing",
                      param=missing):
        client.v1.account_links.create(params=params)


@pytest.mark.parametrize("bad", ["not a url", "ftp://platform.example/x", "https://",
                                 "javascript:alert(1)"])
def test_account_link_refuses_invalid_urls(client, bad):
    acct = client.v1.accounts.create(params={"type": "custom"})
    with stripe_error(stripe.InvalidRequestError, status=400, param="return_url",
                      message="Not a valid URL"):
        client.v1.account_links.create(params={
            "account": acct.id, "type": "account_onboarding", **URLS, "return_url": bad})


def test_account_link_errors(client, other):
    acct = client.v1.accounts.create(params={"type": "express"})
    with stripe_error(stripe.InvalidRequestError, status=400, code="parameter_missing",
                      param="account"):
        client.v1.account_links.create(params={"type": "account_onboarding", **URLS})
    with stripe_error(stripe.InvalidRequestError, status=400, param="type"):
        client.v1.account_links.create(params={"account": acct.id, "type": "bogus", **URLS})
    # account_update only for accounts without a Stripe-hosted Dashboard
    with stripe_error(stripe.InvalidRequestError, status=400, param="type"):
        client.v1.account_links.create(params={
            "account": acct.id, "type": "account_update", **URLS})
    # another platform's account, or one that does not exist
    for target in (acct.id, "acct_doesnotexist"):
        with stripe_error(stripe.PermissionError, status=403, code="account_invalid"):
            other.v1.account_links.create(params={
                "account": target, "type": "account_onboarding", **URLS})
    # the platform's own account
    me = client.v1.accounts.retrieve_current()
    with stripe_error(stripe.InvalidRequestError, status=400, param="account"):
        client.v1.account_links.create(params={
            "account": me.id, "type": "account_onboarding", **URLS})
    # acting as the connected account
    with stripe_error(stripe.PermissionError, status=403):
        client.v1.account_links.create(params={
            "account": acct.id, "type": "account_onboarding", **URLS}, options=as_(acct.id))


# -- login links --------------------------------------------------------------------

def test_login_link_for_express_account(client, server):
    acct = client.v1.accounts.create(params={"type": "express"})
    link = client.v1.accounts.login_links.create(acct.id)
    assert link.object == "login_link" and isinstance(link.created, int)
    assert link.url.startswith(f"{server.base}/sandbox/connect/{acct.id}/")
    page = httpx.get(link.url, timeout=10)
    assert page.status_code == 200 and acct.id in page.text
    assert "Express Dashboard" in page.text


@pytest.mark.parametrize("type_", ["standard", "custom"])
def test_login_link_only_for_express(client, type_):
    acct = client.v1.accounts.create(params={"type": type_})
    with stripe_error(stripe.InvalidRequestError, status=400, message="Express Dashboard"):
        client.v1.accounts.login_links.create(acct.id)


def test_login_link_access(client, other):
    acct = client.v1.accounts.create(params={"type": "express"})
    with stripe_error(stripe.PermissionError, status=403, code="account_invalid"):
        other.v1.accounts.login_links.create(acct.id)
    with stripe_error(stripe.PermissionError, status=403):
        client.v1.accounts.login_links.create(acct.id, options=as_(acct.id))


# -- capabilities -------------------------------------------------------------------

def test_capabilities_follow_the_account_hash(client):
    acct = client.v1.accounts.create(params={"type": "custom"})
    caps = client.v1.accounts.capabilities.list(acct.id)
    assert caps.object == "list" and caps.url == f"/v1/accounts/{acct.id}/capabilities"
    assert {c.id for c in caps.data} == set(acct.capabilities.to_dict())
    for cap in caps.data:
        assert cap.object == "capability" and cap.account == acct.id
        assert cap.requested is True and cap.status == "active"
        assert cap.requested_at == acct.created
    one = client.v1.accounts.capabilities.retrieve(acct.id, "card_payments")
    assert one.id == "card_payments" and one.status == "active"
    # as the connected account itself
    mine = client.v1.accounts.capabilities.retrieve(acct.id, "transfers",
                                                    options=as_(acct.id))
    assert mine.status == "active"


def test_request_and_unrequest_a_capability(client):
    acct = client.v1.accounts.create(params={"type": "custom"})
    before = client.v1.accounts.capabilities.retrieve(acct.id, "us_bank_account_ach_payments")
    assert before.requested is False and before.status == "unrequested"
    assert before.requested_at is None
    cap = client.v1.accounts.capabilities.update(
        acct.id, "us_bank_account_ach_payments", params={"requested": True})
    assert cap.requested is True and cap.status == "active" and cap.requested_at
    assert client.v1.accounts.retrieve(acct.id).capabilities.us_bank_account_ach_payments \
        == "active"
    updated = _events(client, acct.id, "capability.updated")
    assert updated and updated[0].data.object.id == "us_bank_account_ach_payments"
    assert updated[0].account == acct.id
    account_updated = _events(client, acct.id, "account.updated")
    previous = account_updated[0].data.previous_attributes.capabilities.to_dict()
    assert previous.get("us_bank_account_ach_payments") is None  # not requested before
    off = client.v1.accounts.capabilities.update(
        acct.id, "us_bank_account_ach_payments", params={"requested": False})
    assert off.requested is False and off.status == "unrequested"
    assert "us_bank_account_ach_payments" not in \
        client.v1.accounts.retrieve(acct.id).capabilities.to_dict()
    # no change, no event
    client.v1.accounts.capabilities.update(acct.id, "card_payments", params={"requested": True})
    assert len(_events(client, acct.id, "capability.updated")) == 2


def test_capability_errors(client, other):
    acct = client.v1.accounts.create(params={"type": "custom"})
    with stripe_error(stripe.InvalidRequestError, status=404, code="resource_missing"):
        client.v1.accounts.capabilities.retrieve(acct.id, "teleport_payments")
    with stripe_error(stripe.InvalidRequestError, status=404, code="resource_missing"):
        client.v1.accounts.capabilities.update(acct.id, "teleport_payments",
                                               params={"requested": True})
    with stripe_error(stripe.InvalidRequestError, status=400, param="requested"):
        client.v1.accounts.capabilities.update(acct.id, "card_payments",
                                               params={"requested": "maybe"})
    with stripe_error(stripe.PermissionError, status=403, code="account_invalid"):
        other.v1.accounts.capabilities.list(acct.id)


# -- external accounts --------------------------------------------------------------

def test_external_bank_account_from_token(client):
    acct = client.v1.accounts.create(params={"type": "custom"})
    btok = client.v1.tokens.create(params={"bank_account": dict(BANK)})
    ba = client.v1.accounts.external_accounts.create(acct.id,
                                                      params={"external_account": btok.id})
    assert ba.object == "bank_account" and ba.id.startswith("ba_")
    assert ba.account == acct.id and "customer" not in ba
    assert ba.default_for_currency is True and ba.currency == "usd"
    assert ba.last4 == "6789" and ba.status == "new"
    assert ba.available_payout_methods == ["standard"]
    got = client.v1.accounts.external_accounts.retrieve(acct.id, ba.id)
    assert got.id == ba.id
    embedded = client.v1.accounts.retrieve(acct.id).external_accounts
    assert [o.id for o in embedded.data] == [ba.id] and embedded.total_count == 1
    created = _events(client, acct.id, "account.external_account.created")
    assert created[0].data.object.id == ba.id
    # the token was used
    with stripe_error(stripe.InvalidRequestError, status=400, code="token_already_used",
                      param="external_account"):
        client.v1.accounts.external_accounts.create(acct.id,
                                                    params={"external_account": btok.id})


def test_external_accounts_from_details_and_debit_card(client):
    acct = client.v1.accounts.create(params={"type": "custom"})
    ba = client.v1.accounts.external_accounts.create(acct.id, params={
        "external_account": {"object": "bank_account", **BANK}, "metadata": {"k": "v"}})
    assert ba.default_for_currency is True and ba.metadata.to_dict() == {"k": "v"}
    card = client.v1.accounts.external_accounts.create(
        acct.id, params={"external_account": "tok_visa_debit"})
    assert card.object == "card" and card.account == acct.id and card.funding == "debit"
    assert card.currency == "usd" and card.default_for_currency is False
    assert card.customer is None and card.status == "new"
    assert card.available_payout_methods == ["standard", "instant"]
    cards = client.v1.accounts.external_accounts.list(acct.id, params={"object": "card"})
    assert [o.id for o in cards.data] == [card.id]
    banks = client.v1.accounts.external_accounts.list(acct.id,
                                                      params={"object": "bank_account"})
    assert [o.id for o in banks.data] == [ba.id]
    both = client.v1.accounts.external_accounts.list(acct.id, params={"limit": 1})
    assert [o.id for o in both.data] == [card.id] and both.has_more
    rest = client.v1.accounts.external_accounts.list(
        acct.id, params={"limit": 1, "starting_after": card.id})
    assert [o.id for o in rest.data] == [ba.id] and not rest.has_more
    back = client.v1.accounts.external_accounts.list(
        acct.id, params={"limit": 1, "ending_before": ba.id})
    assert [o.id for o in back.data] == [card.id] and not back.has_more
    with stripe_error(stripe.InvalidRequestError, status=404, param="starting_after"):
        client.v1.accounts.external_accounts.list(acct.id,
                                                  params={"starting_after": "ba_nope"})
    with stripe_error(stripe.InvalidRequestError, status=400, param="object"):
        client.v1.accounts.external_accounts.list(acct.id, params={"object": "source"})


def test_credit_card_is_not_an_external_account(client):
    acct = client.v1.accounts.create(params={"type": "custom"})
    with stripe_error(stripe.InvalidRequestError, status=400, code="invalid_card_type",
                      param="external_account"):
        client.v1.accounts.external_accounts.create(acct.id,
                                                    params={"external_account": "tok_visa"})
    assert client.v1.accounts.external_accounts.list(acct.id).data == []


def test_default_for_currency_moves_and_guards_delete(client):
    acct = client.v1.accounts.create(params={"type": "custom"})
    first = client.v1.accounts.external_accounts.create(acct.id, params={
        "external_account": {"object": "bank_account", **BANK}})
    second = client.v1.accounts.external_accounts.create(acct.id, params={
        "external_account": {"object": "bank_account", **BANK,
                             "account_number": "000111111116"}})
    assert first.default_for_currency and not second.default_for_currency
    with stripe_error(stripe.InvalidRequestError, status=400,
                      message="You cannot delete the default external account"):
        client.v1.accounts.external_accounts.delete(acct.id, first.id)
    moved = client.v1.accounts.external_accounts.update(acct.id, second.id, params={
        "default_for_currency": True, "metadata": {"payouts": "here"},
        "account_holder_name": "Jenny Rosen Ltd"})
    assert moved.default_for_currency is True and moved.metadata.payouts == "here"
    assert moved.account_holder_name == "Jenny Rosen Ltd"
    assert client.v1.accounts.external_accounts.retrieve(acct.id, first.id) \
        .default_for_currency is False
    gone = client.v1.accounts.external_accounts.delete(acct.id, first.id)
    assert gone.deleted is True and gone.id == first.id
    with stripe_error(stripe.InvalidRequestError, status=404, code="resource_missing"):
        client.v1.accounts.external_accounts.retrieve(acct.id, first.id)
    embedded = client.v1.accounts.retrieve(acct.id).external_accounts
    assert [o.id for o in embedded.data] == [second.id]
    assert embedded.data[0].default_for_currency is True
    assert _events(client, acct.id, "account.external_account.deleted")[0] \
        .data.object.id == first.id


def test_external_account_on_account_create_and_update(client):
    btok = client.v1.tokens.create(params={"bank_account": dict(BANK)})
    acct = client.v1.accounts.create(params={"type": "custom", "external_account": btok.id})
    first = acct.external_accounts.data[0]
    assert acct.external_accounts.total_count == 1
    assert first.object == "bank_account" and first.account == acct.id
    assert first.default_for_currency is True
    assert [o.id for o in client.v1.accounts.external_accounts.list(acct.id).data] == \
        [first.id]
    # on update, the new one becomes the default and replaces the old default
    updated = client.v1.accounts.update(acct.id, params={"external_account": {
        "object": "bank_account", **BANK, "account_number": "000999999991"}})
    assert updated.external_accounts.total_count == 1
    second = updated.external_accounts.data[0]
    assert second.id != first.id and second.last4 == "9991"
    assert second.default_for_currency is True
    with stripe_error(stripe.InvalidRequestError, status=404, code="resource_missing"):
        client.v1.accounts.external_accounts.retrieve(acct.id, first.id)
    assert client.v1.accounts.retrieve(acct.id).external_accounts.data[0].id == second.id
    # a debit card token on create
    with_card = client.v1.accounts.create(params={"type": "custom",
                                                  "external_account": "tok_mastercard_debit"})
    assert with_card.external_accounts.data[0].object == "card"
    with stripe_error(stripe.InvalidRequestError, status=400, code="invalid_card_type",
                      param="external_account"):
        client.v1.accounts.create(params={"type": "custom", "external_account": "tok_visa"})


def test_external_account_errors_and_isolation(client, other):
    acct = client.v1.accounts.create(params={"type": "custom"})
    acct2 = client.v1.accounts.create(params={"type": "custom"})
    ba = client.v1.accounts.external_accounts.create(acct.id, params={
        "external_account": {"object": "bank_account", **BANK}})
    with stripe_error(stripe.InvalidRequestError, status=400, code="parameter_missing",
                      param="external_account"):
        client.v1.accounts.external_accounts.create(acct.id, params={})
    with stripe_error(stripe.InvalidRequestError, status=404, param="external_account"):
        client.v1.accounts.external_accounts.create(acct.id,
                                                    params={"external_account": "btok_nope"})
    with stripe_error(stripe.InvalidRequestError, status=400,
                      param="external_account[routing_number]"):
        client.v1.accounts.external_accounts.create(acct.id, params={"external_account": {
            "object": "bank_account", **BANK, "routing_number": "12"}})
    # the id belongs to another connected account
    with stripe_error(stripe.InvalidRequestError, status=404, code="resource_missing"):
        client.v1.accounts.external_accounts.retrieve(acct2.id, ba.id)
    # a bank account has no card fields
    with stripe_error(stripe.InvalidRequestError, status=400, param="exp_month"):
        client.v1.accounts.external_accounts.update(acct.id, ba.id,
                                                    params={"exp_month": "12"})
    with stripe_error(stripe.PermissionError, status=403, code="account_invalid"):
        other.v1.accounts.external_accounts.list(acct.id)
    # a connected account reaches its own external accounts, not another's
    mine = client.v1.accounts.external_accounts.list(acct.id, options=as_(acct.id))
    assert [o.id for o in mine.data] == [ba.id]
    with stripe_error(stripe.PermissionError, status=403, code="account_invalid"):
        client.v1.accounts.external_accounts.list(acct.id, options=as_(acct2.id))


# -- reject -------------------------------------------------------------------------

def test_reject_an_account(client):
    acct = client.v1.accounts.create(params={"type": "custom"})
    rejected = client.v1.accounts.reject(acct.id, params={"reason": "fraud"})
    assert rejected.id == acct.id
    assert rejected.charges_enabled is False and rejected.payouts_enabled is False
    assert rejected.requirements.disabled_reason == "rejected.fraud"
    assert set(rejected.capabilities.to_dict().values()) == {"inactive"}
    again = client.v1.accounts.retrieve(acct.id)
    assert again.charges_enabled is False
    assert again.requirements.disabled_reason == "rejected.fraud"
    event = _events(client, acct.id, "account.updated")[0]
    assert event.data.object.charges_enabled is False
    assert event.data.previous_attributes.charges_enabled is True
    cap = client.v1.accounts.capabilities.retrieve(acct.id, "card_payments")
    assert cap.status == "inactive" and cap.requirements.disabled_reason == "rejected.fraud"


@pytest.mark.parametrize("reason", ["terms_of_service", "other"])
def test_reject_reasons(client, reason):
    acct = client.v1.accounts.create(params={"type": "express"})
    assert client.v1.accounts.reject(acct.id, params={"reason": reason}) \
        .requirements.disabled_reason == f"rejected.{reason}"


def test_reject_errors(client, other):
    acct = client.v1.accounts.create(params={"type": "custom"})
    with stripe_error(stripe.InvalidRequestError, status=400, code="parameter_missing",
                      param="reason"):
        client.v1.accounts.reject(acct.id, params={})
    with stripe_error(stripe.InvalidRequestError, status=400, param="reason"):
        client.v1.accounts.reject(acct.id, params={"reason": "boredom"})
    standard = client.v1.accounts.create(params={"type": "standard"})
    with stripe_error(stripe.InvalidRequestError, status=400,
                      message="responsible for negative balances"):
        client.v1.accounts.reject(standard.id, params={"reason": "fraud"})
    with stripe_error(stripe.PermissionError, status=403, code="account_invalid"):
        other.v1.accounts.reject(acct.id, params={"reason": "fraud"})
    with stripe_error(stripe.PermissionError, status=403):
        client.v1.accounts.reject(acct.id, params={"reason": "fraud"}, options=as_(acct.id))
    assert client.v1.accounts.retrieve(acct.id).charges_enabled is True
