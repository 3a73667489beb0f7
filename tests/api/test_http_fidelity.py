"""HTTP-level behaviour the SDKs and browsers rely on: the headers of every answer
(CORS, Cache-Control, Request-Id, Stripe-Version, Stripe-Account), a browser's CORS
preflight, HEAD, the idempotency headers (Idempotency-Key, Original-Request,
Stripe-Should-Retry), and stripe-python's automatic retries, which must happen exactly
when Stripe's headers would make them happen."""
from __future__ import annotations

import hashlib
import secrets
import time
import uuid

import pytest
import stripe

from connect_sandbox.http import pipeline
from connect_sandbox.http.render import dumps
from connect_sandbox.store import open_store, sql

from .support import as_, stripe_error

# The values of Stripe's API answers (every status, every method).
STRIPE_HEADERS = {
    "access-control-allow-credentials": "true",
    "access-control-allow-methods": "GET,HEAD,PUT,PATCH,POST,DELETE",
    "access-control-allow-origin": "*",
    "access-control-expose-headers": "Request-Id, Stripe-Manage-Version, "
    "X-Stripe-External-Auth-Required, X-Stripe-Privileged-Session-Required",
    "access-control-max-age": "300",
    "cache-control": "no-cache, no-store",
    "vary": "Origin",
}


def _assert_stripe_headers(response) -> None:
    for name, value in STRIPE_HEADERS.items():
        assert response.headers.get(name) == value, (name, dict(response.headers))
    assert response.headers["request-id"].startswith("req_")


@pytest.mark.parametrize("method,path,status", [
    ("GET", "/v1/customers", 200), ("POST", "/v1/customers", 200),
    ("GET", "/v1/customers/cus_missing", 404), ("GET", "/v1/nothing", 404),
    ("POST", "/v1/charges", 400), ("PUT", "/v1/customers", 404)])
def test_every_answer_carries_the_cors_and_cache_headers(http, method, path, status):
    r = http.request(method, path)
    assert r.status_code == status, r.text
    _assert_stripe_headers(r)


def test_unauthenticated_answers_carry_them_too(anon):
    r = anon.get("/v1/customers")
    assert r.status_code == 401
    _assert_stripe_headers(r)


def test_sdk_sees_the_headers(client):
    customer = client.v1.customers.create(params={"email": "h@example.com"})
    headers = customer.last_response.headers
    assert headers["Cache-Control"] == "no-cache, no-store"
    assert headers["Access-Control-Allow-Origin"] == "*"
    assert customer.last_response.request_id == headers["Request-Id"]


@pytest.mark.parametrize("path", ["/v1/tokens", "/v1/payment_methods", "/v1/customers",
                                  "/v1/payment_intents/pi_123/confirm", "/v1/nothing/here"])
def test_cors_preflight_is_answered_without_a_key(anon, path):
    r = anon.options(path, headers={
        "Origin": "https://shop.example", "Access-Control-Request-Method": "POST",
        "Access-Control-Request-Headers": "authorization,content-type,stripe-account"})
    assert r.status_code == 200, r.text
    assert r.content == b""
    _assert_stripe_headers(r)
    assert r.headers["access-control-allow-headers"] == "authorization,content-type,stripe-account"
    assert "POST" in r.headers["access-control-allow-methods"].split(",")


def test_preflight_without_requested_headers_allows_the_api_headers(anon):
    r = anon.options("/v1/tokens", headers={"Origin": "https://shop.example",
                                            "Access-Control-Request-Method": "POST"})
    assert r.status_code == 200
    allowed = {h.strip().lower() for h in r.headers["access-control-allow-headers"].split(",")}
    assert {"authorization", "content-type", "stripe-account", "idempotency-key"} <= allowed


def test_browser_style_token_with_a_publishable_key(server, api_key, anon):
    """What Stripe.js-like code does from a page: preflight, then a form POST with the
    publishable key; the answer is readable cross-origin."""
    pk = "pk_test_" + api_key[len("sk_test_"):]
    pre = anon.options("/v1/tokens", headers={"Origin": "https://shop.example",
                                              "Access-Control-Request-Method": "POST",
                                              "Access-Control-Request-Headers": "authorization"})
    assert pre.status_code == 200
    r = anon.post("/v1/tokens", data={"card[number]": "4242424242424242", "card[exp_month]": "12",
                                      "card[exp_year]": "2034", "card[cvc]": "123"},
                  headers={"Authorization": f"Bearer {pk}", "Origin": "https://shop.example"})
    assert r.status_code == 200, r.text
    assert r.json()["object"] == "token"
    _assert_stripe_headers(r)


def test_head_is_answered_as_get_without_a_body(http):
    created = http.post("/v1/customers", data={"email": "head@example.com"}).json()
    got = http.get(f"/v1/customers/{created['id']}")
    head = http.head(f"/v1/customers/{created['id']}")
    assert head.status_code == 200 and head.content == b""
    assert head.headers["content-type"] == got.headers["content-type"]
    assert int(head.headers["content-length"]) == len(got.content)
    _assert_stripe_headers(head)
    assert http.head("/v1/customers/cus_missing").status_code == 404
    assert http.head("/v1/nothing").status_code == 404


def test_form_body_with_a_charset_is_accepted(http):
    r = http.post("/v1/customers", content="email=charset%40example.com&name=Jos%C3%A9",
                  headers={"Content-Type": "application/x-www-form-urlencoded; charset=utf-8"})
    assert r.status_code == 200, r.text
    assert r.json()["email"] == "charset@example.com" and r.json()["name"] == "José"


def test_json_body_with_a_charset_is_refused(http):
    r = http.post("/v1/customers", content='{"email": "j@example.com"}',
                  headers={"Content-Type": "application/json; charset=utf-8"})
    assert r.status_code == 400
    assert "form-encoded" in r.json()["error"]["message"]
    _assert_stripe_headers(r)


def test_stripe_version_is_echoed(http):
    assert http.get("/v1/customers").headers["stripe-version"] == pipeline.DEFAULT_API_VERSION
    r = http.get("/v1/customers", headers={"Stripe-Version": "2023-08-16"})
    assert r.headers["stripe-version"] == "2023-08-16"


def test_an_unusable_stripe_version_is_not_echoed(http):
    r = http.get("/v1/customers", headers={"Stripe-Version": "not-a-version"})
    assert r.status_code == 400
    assert "Invalid Stripe API version" in r.json()["error"]["message"]
    assert r.headers["stripe-version"] == pipeline.DEFAULT_API_VERSION


def test_stripe_account_is_echoed(client, seller):
    customer = client.v1.customers.create(params={}, options=as_(seller))
    assert customer.last_response.headers["Stripe-Account"] == seller
    mine = client.v1.customers.create(params={})
    assert "Stripe-Account" not in mine.last_response.headers


# -- idempotency headers -------------------------------------------------------------


def test_idempotent_post_names_its_original_request(http):
    key = str(uuid.uuid4())
    first = http.post("/v1/customers", data={"email": "o@example.com"},
                      headers={"Idempotency-Key": key})
    assert first.status_code == 200
    assert first.headers["idempotency-key"] == key
    assert first.headers["original-request"] == first.headers["request-id"]
    assert first.headers["stripe-should-retry"] == "false"
    again = http.post("/v1/customers", data={"email": "o@example.com"},
                      headers={"Idempotency-Key": key})
    assert again.headers["idempotent-replayed"] == "true"
    assert again.headers["request-id"] != first.headers["request-id"]
    assert again.headers["original-request"] == first.headers["request-id"]
    assert again.headers["stripe-should-retry"] == "false"


def test_sdk_replay_headers(client):
    key = str(uuid.uuid4())
    a = client.v1.customers.create(params={"name": "R"}, options={"idempotency_key": key})
    b = client.v1.customers.create(params={"name": "R"}, options={"idempotency_key": key})
    assert b.id == a.id
    assert b.last_response.headers["Original-Request"] == a.last_response.request_id
    assert b.last_response.idempotency_key == key


def test_a_saved_decline_says_not_to_retry(client):
    key = str(uuid.uuid4())
    params = {"amount": 1000, "currency": "usd", "source": "tok_chargeDeclined"}
    with stripe_error(stripe.CardError, status=402) as first:
        client.v1.charges.create(params=params, options={"idempotency_key": key})
    assert first.value.headers["Stripe-Should-Retry"] == "false"
    assert first.value.headers["Original-Request"] == first.value.request_id
    with stripe_error(stripe.CardError, status=402) as replay:
        client.v1.charges.create(params=params, options={"idempotency_key": key})
    assert replay.value.headers["Idempotent-Replayed"] == "true"
    assert replay.value.headers["Original-Request"] == first.value.request_id
    assert replay.value.json_body == first.value.json_body


def test_a_changed_request_under_a_key_echoes_the_key(http):
    key = str(uuid.uuid4())
    http.post("/v1/customers", data={"name": "A"}, headers={"Idempotency-Key": key})
    r = http.post("/v1/customers", data={"name": "B"}, headers={"Idempotency-Key": key})
    assert r.status_code == 400 and r.json()["error"]["type"] == "idempotency_error"
    assert r.headers["idempotency-key"] == key
    assert "idempotent-replayed" not in r.headers


def test_gets_carry_no_idempotency_headers(http):
    r = http.get("/v1/customers", headers={"Idempotency-Key": "ignored-on-get"})
    assert r.status_code == 200
    for name in ("idempotency-key", "original-request", "stripe-should-retry"):
        assert name not in r.headers


# -- stripe-python's automatic retries --------------------------------------------------


@pytest.fixture
def retrying(server, api_key):
    """The test platform's client with the SDK's automatic retries on."""
    return stripe.StripeClient(api_key, base_addresses={"api": server.base},
                               max_network_retries=2)


def test_sdk_retries_a_key_in_use_and_then_succeeds(retrying, monkeypatch):
    """409 idempotency_key_in_use (another request holds the key) carries
    Stripe-Should-Retry: true; the SDK retries with the same key and gets the answer."""
    key = "in-use-" + secrets.token_hex(8)
    real = sql.Tx.idem_try_lock
    refused = []

    def busy_once(self, account, idem_key):  # noqa: ANN001
        if idem_key == key and not refused:
            refused.append(idem_key)
            return False
        return real(self, account, idem_key)

    monkeypatch.setattr(sql.Tx, "idem_try_lock", busy_once)
    customer = retrying.v1.customers.create(params={"name": "Retried"},
                                            options={"idempotency_key": key})
    assert refused == [key]
    assert customer.name == "Retried"
    assert customer.last_response.headers["Original-Request"] == customer.last_response.request_id
    assert [c.id for c in retrying.v1.customers.list().data] == [customer.id]


def test_the_409_itself(http, client, monkeypatch):
    key = "in-use-" + secrets.token_hex(8)
    monkeypatch.setattr(sql.Tx, "idem_try_lock",
                        lambda self, account, idem_key: idem_key != key)
    r = http.post("/v1/customers", data={"name": "x"}, headers={"Idempotency-Key": key})
    assert r.status_code == 409
    assert r.json()["error"]["code"] == "idempotency_key_in_use"
    assert r.headers["stripe-should-retry"] == "true"
    assert r.headers["idempotency-key"] == key
    _assert_stripe_headers(r)
    # Both SDKs raise their generic API error for a 409.
    with stripe_error(stripe.APIError, status=409, code="idempotency_key_in_use"):
        client.v1.customers.create(params={"name": "x"}, options={"idempotency_key": key})


def _fail_on(monkeypatch, marker: str) -> list[str]:
    """Make every request whose path holds `marker` fail with an unexpected error (a
    500); returns the list of those requests' methods, one per attempt (a speculating
    server meets the error twice in one attempt: on its snapshot, then under the lock)."""
    calls: list[str] = []
    real = pipeline.Pipeline._execute

    def failing(self, tx, ctx, op, params, request):  # noqa: ANN001
        if marker in request.url.path:
            if not request.scope.get("test.failed"):
                request.scope["test.failed"] = True
                calls.append(request.method)
            raise RuntimeError("boom")
        return real(self, tx, ctx, op, params, request)

    monkeypatch.setattr(pipeline.Pipeline, "_execute", failing)
    return calls


def test_sdk_does_not_retry_a_post_500(retrying, monkeypatch):
    """Stripe saves a POST's 500 under its idempotency key and says so
    (Stripe-Should-Retry: false): the SDK gives up at once."""
    customer = retrying.v1.customers.create(params={})
    calls = _fail_on(monkeypatch, customer.id)
    with stripe_error(stripe.APIError, status=500) as info:
        retrying.v1.customers.update(customer.id, params={"name": "x"})
    assert calls == ["POST"]
    assert info.value.headers["Stripe-Should-Retry"] == "false"
    assert info.value.json_body["error"]["type"] == "api_error"


def test_sdk_retries_a_get_500(retrying, monkeypatch):
    """A GET's 500 carries no Stripe-Should-Retry: the SDK retries it."""
    customer = retrying.v1.customers.create(params={})
    calls = _fail_on(monkeypatch, customer.id)
    with stripe_error(stripe.APIError, status=500) as info:
        retrying.v1.customers.retrieve(customer.id)
    assert calls == ["GET", "GET", "GET"]
    assert "Stripe-Should-Retry" not in info.value.headers


def test_sdk_does_not_retry_client_errors(retrying, monkeypatch):
    """400/402/404 are final: one request each, whatever max_network_retries says."""
    attempts: list[str] = []
    real = pipeline.Pipeline.__call__

    async def counting(self, request, op):  # noqa: ANN001
        if "retry-probe" in request.headers.get("idempotency-key", "") or \
                request.url.path.endswith("cus_retry_probe"):
            attempts.append(request.method)
        return await real(self, request, op)

    monkeypatch.setattr(pipeline.Pipeline, "__call__", counting)
    with stripe_error(stripe.CardError, status=402):
        retrying.v1.charges.create(params={"amount": 1000, "currency": "usd",
                                           "source": "tok_chargeDeclined"},
                                   options={"idempotency_key": "retry-probe-" + uuid.uuid4().hex})
    with stripe_error(stripe.InvalidRequestError, status=400):
        retrying.v1.charges.create(params={"amount": 1, "currency": "usd", "source": "tok_visa"},
                                   options={"idempotency_key": "retry-probe-" + uuid.uuid4().hex})
    with stripe_error(stripe.InvalidRequestError, status=404):
        retrying.v1.customers.retrieve("cus_retry_probe")
    assert attempts == ["POST", "POST", "GET"]


def test_preflight_is_only_for_the_api(anon):
    r = anon.options("/dashboard", headers={"Origin": "https://shop.example",
                                            "Access-Control-Request-Method": "GET"})
    assert r.status_code == 404
    assert "access-control-allow-headers" not in r.headers


# -- Stripe-Context ---------------------------------------------------------------------


def test_stripe_context_acts_as_the_connected_account(client, seller):
    """docs.stripe.com/context: Stripe-Context supersedes Stripe-Account; a platform names
    its connected account there as `acct_...`."""
    customer = client.v1.customers.create(params={"email": "ctx@example.com"},
                                          options={"stripe_context": seller})
    assert client.v1.customers.retrieve(customer.id, options=as_(seller)).id == customer.id
    with stripe_error(stripe.InvalidRequestError, status=404, code="resource_missing"):
        client.v1.customers.retrieve(customer.id)  # not on the platform
    listed = client.v1.customers.list(options={"stripe_context": seller})
    assert [c.id for c in listed.data] == [customer.id]


def test_stripe_context_of_another_account_is_refused(client, other):
    theirs = other.v1.accounts.create(params={"type": "standard"}).id
    with stripe_error(stripe.PermissionError, status=403, code="account_invalid"):
        client.v1.customers.list(options={"stripe_context": theirs})
    with stripe_error(stripe.PermissionError, status=403, code="account_invalid"):
        client.v1.customers.list(options={"stripe_context": f"{theirs}/acct_1Recipient"})


def test_stripe_account_and_a_different_stripe_context(http, seller):
    r = http.get("/v1/customers", headers={"Stripe-Account": seller,
                                           "Stripe-Context": "acct_1Other0000000000"})
    assert r.status_code == 400 and r.json()["error"]["type"] == "invalid_request_error"
    same = http.get("/v1/customers", headers={"Stripe-Account": seller, "Stripe-Context": seller})
    assert same.status_code == 200


def test_keys_saved_before_original_request_was_kept_still_replay(server, http, client):
    """A key saved with the whole fingerprint alone (by an earlier version of the server,
    on the same database) still replays, without Original-Request."""
    platform = client.v1.accounts.retrieve_current().id
    key = str(uuid.uuid4())
    body = http.post("/v1/customers", data={"name": "Old"}).json()  # the answer saved then
    fingerprint = hashlib.sha256(b"POST /v1/customers\n" + dumps({"name": "Old"})).hexdigest()
    store = open_store(server.database)
    try:
        with store.transaction() as tx:
            tx.idem_put(platform, key, fingerprint, 200, dumps(body).decode(), int(time.time()))
    finally:
        store.close()
    r = http.post("/v1/customers", data={"name": "Old"}, headers={"Idempotency-Key": key})
    assert r.status_code == 200 and r.json() == body
    assert r.headers["idempotent-replayed"] == "true"
    assert "original-request" not in r.headers
    changed = http.post("/v1/customers", data={"name": "New"}, headers={"Idempotency-Key": key})
    assert changed.status_code == 400 and changed.json()["error"]["type"] == "idempotency_error"
