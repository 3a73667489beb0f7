"""Connect accounts: create (type or controller), retrieve, list, update, delete, and
GET /v1/account for the platform and for a connected account."""
from __future__ import annotations

import pytest
import stripe

from .support import as_, stripe_error


@pytest.mark.parametrize("type_", ["standard", "express", "custom"])
def test_create_and_retrieve_by_type(client, type_):
    acct = client.v1.accounts.create(params={"type": type_, "country": "US",
                                             "email": "shop@example.com",
                                             "metadata": {"shop": "1"}})
    assert acct.id.startswith("acct_") and acct.object == "account"
    assert acct.type == type_ and acct.country == "US"
    assert acct.email == "shop@example.com" and acct.metadata.to_dict() == {"shop": "1"}
    assert acct.charges_enabled and acct.payouts_enabled and acct.details_submitted
    assert acct.default_currency == "usd"
    got = client.v1.accounts.retrieve(acct.id)
    assert got.id == acct.id and got.type == type_


def test_create_with_controller(client):
    acct = client.v1.accounts.create(params={"controller": {
        "stripe_dashboard": {"type": "none"}, "fees": {"payer": "application"},
        "losses": {"payments": "application"}, "requirement_collection": "application"}})
    assert acct.type == "custom"
    assert acct.controller.stripe_dashboard.type == "none"
    assert acct.controller.fees.payer == "application"
    full = client.v1.accounts.create(params={"controller": {"stripe_dashboard": {"type": "full"}}})
    assert full.type == "standard"


@pytest.mark.parametrize("type_,payer,losses,collection,dashboard", [
    ("standard", "account", "stripe", "stripe", "full"),
    ("express", "application_express", "application", "stripe", "express"),
    ("custom", "application_custom", "application", "application", "none"),
])
def test_controller_by_type_is_stripes(client, type_, payer, losses, collection, dashboard):
    ctl = client.v1.accounts.create(params={"type": type_}).controller
    assert (ctl.fees.payer, ctl.losses.payments, ctl.requirement_collection,
            ctl.stripe_dashboard.type) == (payer, losses, collection, dashboard)


def test_controller_properties_left_out_take_stripes_defaults(client):
    ctl = client.v1.accounts.create(params={"controller": {
        "stripe_dashboard": {"type": "express"}, "fees": {"payer": "application"},
        "losses": {"payments": "application"}}}).controller
    assert ctl.requirement_collection == "stripe"  # the documented default
    ctl = client.v1.accounts.create(params={"controller": {
        "requirement_collection": "application", "fees": {"payer": "application"},
        "losses": {"payments": "application"}}}).controller
    assert ctl.stripe_dashboard.type == "none"  # the platform collects: no Stripe Dashboard


@pytest.mark.parametrize("token,last4", [("btok_us_verified", "6789"),
                                         ("btok_us_verified_noAccount", "1116")])
def test_connect_testing_bank_tokens_are_external_accounts(client, seller, token, last4):
    ba = client.v1.accounts.external_accounts.create(seller, params={"external_account": token})
    assert ba.object == "bank_account" and ba.last4 == last4 and ba.account == seller
    with stripe_error(stripe.InvalidRequestError, status=404, param="external_account"):
        client.v1.accounts.external_accounts.create(seller, params={
            "external_account": "btok_us_verified_noSuchOne"})


def test_create_without_type_is_standard(client):
    assert client.v1.accounts.create().type == "standard"


def test_bad_type_names_the_param(client):
    with stripe_error(stripe.InvalidRequestError, status=400, param="type"):
        client.v1.accounts.create(params={"type": "premium"})


def test_list_newest_first_and_paginated(client):
    ids = [client.v1.accounts.create(params={"type": "express"}).id for _ in range(3)]
    listed = client.v1.accounts.list()
    assert [a.id for a in listed.data] == ids[::-1]
    assert listed.url == "/v1/accounts" and listed.has_more is False
    first = client.v1.accounts.list(params={"limit": 2})
    assert [a.id for a in first.data] == ids[:0:-1] and first.has_more
    assert [a.id for a in first.auto_paging_iter()] == ids[::-1]


def test_list_excludes_the_platform_and_other_platforms_accounts(client, other):
    mine = client.v1.accounts.create().id
    other.v1.accounts.create()
    assert [a.id for a in client.v1.accounts.list().data] == [mine]


def test_update(client, seller):
    acct = client.v1.accounts.update(seller, params={
        "email": "new@example.com", "metadata": {"a": "1", "b": "2"},
        "business_profile": {"name": "Shop", "url": "https://shop.example.com"}})
    assert acct.email == "new@example.com" and acct.metadata.to_dict() == {"a": "1", "b": "2"}
    assert acct.business_profile.name == "Shop"
    acct = client.v1.accounts.update(seller, params={"metadata": {"a": ""}})
    assert acct.metadata.to_dict() == {"b": "2"}
    assert client.v1.accounts.retrieve(seller).business_profile.url == "https://shop.example.com"


def test_current_account(client, seller):
    me = client.v1.accounts.retrieve_current()
    assert me.object == "account" and me.id.startswith("acct_") and me.id != seller
    assert client.v1.accounts.retrieve(me.id).id == me.id
    assert client.v1.accounts.retrieve_current(options=as_(seller)).id == seller
    assert client.v1.accounts.retrieve(seller, options=as_(seller)).id == seller


def test_platform_id_is_stable_for_a_key(client):
    assert client.v1.accounts.retrieve_current().id == client.v1.accounts.retrieve_current().id


def test_delete(client, seller):
    deleted = client.v1.accounts.delete(seller)
    assert deleted.id == seller and deleted.deleted is True
    with stripe_error(stripe.PermissionError, status=403, code="account_invalid"):
        client.v1.accounts.retrieve(seller)
    with stripe_error(stripe.PermissionError, status=403, code="account_invalid"):
        client.v1.customers.list(options=as_(seller))
    assert seller not in [a.id for a in client.v1.accounts.list().data]


def test_unknown_account_is_refused(client):
    with stripe_error(stripe.PermissionError, status=403, code="account_invalid"):
        client.v1.accounts.retrieve("acct_nope")


def test_connected_account_cannot_create_or_list_accounts(client, seller):
    with stripe_error(stripe.PermissionError, status=403):
        client.v1.accounts.create(params={"type": "custom"}, options=as_(seller))
    with stripe_error(stripe.PermissionError, status=403):
        client.v1.accounts.list(options=as_(seller))


def test_connected_account_cannot_read_a_sibling(client, seller):
    sibling = client.v1.accounts.create().id
    with stripe_error(stripe.PermissionError, status=403):
        client.v1.accounts.retrieve(sibling, options=as_(seller))


def test_account_metadata_limits(client):
    with stripe_error(stripe.InvalidRequestError, status=400):
        client.v1.accounts.create(params={"metadata": {f"k{i}": "v" for i in range(51)}})


def test_unknown_country_is_refused(client):
    with pytest.raises(stripe.InvalidRequestError) as exc:
        client.v1.accounts.create(params={"type": "custom", "country": "ZZZZ"})
    assert exc.value.param == "country"
    assert "is unknown" in exc.value.user_message
