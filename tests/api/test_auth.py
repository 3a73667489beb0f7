"""Keys and accounts: each sk_test_<x> is its own platform, pk_test_<x> its publishable
key, live and malformed keys are refused, Bearer and Basic both work, and the
Stripe-Account header reaches only the platform's own connected accounts."""
from __future__ import annotations

import json
import secrets
import threading

import httpx
import pytest
import stripe

from .support import as_, stripe_error


def test_bearer_auth_through_the_sdk(client):
    cus = client.v1.customers.create(params={"email": "a@example.com"})
    assert cus.id.startswith("cus_")
    assert client.v1.customers.retrieve(cus.id).email == "a@example.com"


def test_basic_auth_with_the_key_as_user(server, client, api_key):
    cus = client.v1.customers.create()
    r = httpx.get(f"{server.base}/v1/customers/{cus.id}", auth=(api_key, ""))
    assert r.status_code == 200, r.text
    assert r.json()["id"] == cus.id
    r = httpx.post(f"{server.base}/v1/customers", auth=(api_key, ""), data={"name": "B"})
    assert r.status_code == 200 and r.json()["name"] == "B"


def test_missing_key_is_401_with_help(anon):
    r = anon.get("/v1/customers")
    assert r.status_code == 401
    err = r.json()["error"]
    assert err["type"] == "invalid_request_error"
    assert "You did not provide an API key" in err["message"]
    assert r.headers["request-id"].startswith("req_")


@pytest.mark.parametrize("key", ["sk_live_" + "a" * 24, "sk_test_", "nonsense_key_1234",
                                 "sk_test_abc$def", "pk_live_" + "b" * 24])
def test_live_and_malformed_keys_are_401(make_client, key):
    with stripe_error(stripe.AuthenticationError, status=401,
                      message="Invalid API Key provided") as info:
        make_client(key).v1.customers.list()
    msg = info.value.json_body["error"]["message"]
    assert key not in msg or len(key) < 12  # the key is masked


def test_live_key_message_masks_the_key(anon):
    key = "sk_live_51abcdefghijklmnopqrstuvwxyzWXYZ"
    r = anon.get("/v1/customers", headers={"Authorization": f"Bearer {key}"})
    assert r.status_code == 401
    assert r.json()["error"]["message"] == "Invalid API Key provided: sk_live_****WXYZ"


def test_unknown_auth_scheme_is_401(anon):
    r = anon.get("/v1/customers", headers={"Authorization": "Token sk_test_abc"})
    assert r.status_code == 401


def test_bad_basic_credentials_are_401(anon):
    r = anon.get("/v1/customers", headers={"Authorization": "Basic !!!notbase64"})
    assert r.status_code == 401
    assert r.json()["error"]["type"] == "invalid_request_error"


def test_each_secret_key_is_its_own_platform(client, other):
    mine = client.v1.customers.create()
    with stripe_error(stripe.InvalidRequestError, status=404, code="resource_missing",
                      param="id"):
        other.v1.customers.retrieve(mine.id)
    assert [c.id for c in other.v1.customers.list().data] == []
    assert client.v1.accounts.retrieve(client.v1.accounts.create(
        params={"type": "express"}).id).type == "express"
    me = client.v1.accounts.retrieve_current()
    them = other.v1.accounts.retrieve_current()
    assert me.id != them.id and me.id.startswith("acct_")


def test_same_key_is_the_same_platform_across_clients(make_client, api_key, client):
    cus = client.v1.customers.create()
    assert make_client(api_key).v1.customers.retrieve(cus.id).id == cus.id


def test_publishable_key_creates_tokens_for_the_same_platform(publishable, client):
    tok = publishable.v1.tokens.create(params={"card": {
        "number": "4242424242424242", "exp_month": 1, "exp_year": 2040, "cvc": "314"}})
    assert tok.id.startswith("tok_") and tok.card.last4 == "4242"
    cus = client.v1.customers.create(params={"source": tok.id})
    assert cus.default_source == tok.card.id


def test_publishable_key_cannot_read_or_write_other_resources(publishable):
    with stripe_error(stripe.PermissionError, status=403,
                      message="cannot be made with a publishable API key"):
        publishable.v1.customers.create()
    with stripe_error(stripe.PermissionError, status=403):
        publishable.v1.charges.list()


def test_stripe_account_header_acts_as_the_connected_account(client, seller):
    cus = client.v1.customers.create(params={"name": "seller's"}, options=as_(seller))
    assert client.v1.customers.retrieve(cus.id, options=as_(seller)).name == "seller's"
    with stripe_error(stripe.InvalidRequestError, status=404):
        client.v1.customers.retrieve(cus.id)  # not the platform's
    mine = client.v1.customers.create()
    with stripe_error(stripe.InvalidRequestError, status=404):
        client.v1.customers.retrieve(mine.id, options=as_(seller))
    assert [c.id for c in client.v1.customers.list(options=as_(seller)).data] == [cus.id]
    assert client.v1.accounts.retrieve_current(options=as_(seller)).id == seller


def test_stripe_account_naming_the_platform_itself_is_the_platform(client):
    me = client.v1.accounts.retrieve_current().id
    cus = client.v1.customers.create(options=as_(me))
    assert client.v1.customers.retrieve(cus.id).id == cus.id


@pytest.mark.parametrize("target", ["acct_doesnotexist00", "not-an-account", "other"])
def test_stripe_account_not_connected_is_403(client, other, target):
    if target == "other":  # another platform's connected account
        target = other.v1.accounts.create(params={"type": "standard"}).id
    with stripe_error(stripe.PermissionError, status=403, code="account_invalid",
                      message="does not have access to account") as info:
        client.v1.customers.list(options=as_(target))
    assert info.value.json_body["error"]["type"] == "invalid_request_error"


def test_isolation_between_platforms_in_both_directions(client, other, seller):
    theirs = other.v1.accounts.create(params={"type": "custom", "country": "US"}).id
    # neither platform reaches the other's connected account
    with stripe_error(stripe.PermissionError, status=403, code="account_invalid"):
        other.v1.customers.create(options=as_(seller))
    with stripe_error(stripe.PermissionError, status=403, code="account_invalid"):
        client.v1.customers.create(options=as_(theirs))
    # nor the other platform's own account
    other_platform = other.v1.accounts.retrieve_current().id
    with stripe_error(stripe.PermissionError, status=403, code="account_invalid"):
        client.v1.customers.list(options=as_(other_platform))
    # nor its account objects
    with stripe_error(stripe.PermissionError, status=403):
        client.v1.accounts.retrieve(theirs)
    # a connected account's customer is invisible to the other platform, even by id
    cus = client.v1.customers.create(options=as_(seller))
    with stripe_error(stripe.InvalidRequestError, status=404):
        other.v1.customers.retrieve(cus.id)


def test_connected_accounts_do_not_see_each_other(client, seller):
    second = client.v1.accounts.create(params={"type": "standard"}).id
    cus = client.v1.customers.create(options=as_(seller))
    with stripe_error(stripe.InvalidRequestError, status=404):
        client.v1.customers.retrieve(cus.id, options=as_(second))


def test_every_response_has_a_request_id_and_pretty_json(http, anon):
    for r in (http.get("/v1/customers"), http.post("/v1/customers", data={"foo": "1"}),
              http.get("/v1/nothing/here"), anon.get("/v1/customers"),
              http.get("/v1/customers/cus_missing")):
        assert r.headers["request-id"].startswith("req_"), r.url
        assert r.headers["content-type"].startswith("application/json")
        body = r.text
        assert body.startswith("{\n  \""), body[:40]
        assert json.loads(body) == r.json()
    ids = {http.get("/v1/customers").headers["request-id"] for _ in range(3)}
    assert len(ids) == 3


def test_a_new_key_used_concurrently_is_one_platform(make_client):
    key = "sk_test_" + secrets.token_hex(12)
    ids: list[str] = []
    lock = threading.Lock()

    def first_contact() -> None:
        acct = make_client(key).v1.accounts.retrieve_current().id
        with lock:
            ids.append(acct)

    threads = [threading.Thread(target=first_contact) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(ids) == 8 and len(set(ids)) == 1
