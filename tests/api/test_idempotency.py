"""Idempotency keys: a retry replays the saved response (Idempotent-Replayed: true),
changed parameters are refused, keys are scoped per account, and concurrent requests
with one key produce exactly one object."""
from __future__ import annotations

import threading
import uuid

import pytest
import stripe

from .support import as_, stripe_error


def _key() -> str:
    return str(uuid.uuid4())


def test_replay_returns_the_saved_response(http):
    key = _key()
    first = http.post("/v1/customers", data={"email": "i@example.com"},
                      headers={"Idempotency-Key": key})
    assert first.status_code == 200 and "idempotent-replayed" not in first.headers
    again = http.post("/v1/customers", data={"email": "i@example.com"},
                      headers={"Idempotency-Key": key})
    assert again.status_code == 200
    assert again.headers["idempotent-replayed"] == "true"
    assert again.headers["idempotency-key"] == key
    assert again.json() == first.json()
    assert again.headers["request-id"] != first.headers["request-id"]
    listed = http.get("/v1/customers").json()["data"]
    assert [c["id"] for c in listed] == [first.json()["id"]]


def test_sdk_replay(client):
    key = _key()
    a = client.v1.customers.create(params={"name": "A"}, options={"idempotency_key": key})
    b = client.v1.customers.create(params={"name": "A"}, options={"idempotency_key": key})
    assert a.id == b.id
    assert b.last_response.headers["Idempotent-Replayed"] == "true"
    assert len(client.v1.customers.list().data) == 1


def test_changed_parameters_are_refused(client):
    key = _key()
    client.v1.customers.create(params={"name": "A"}, options={"idempotency_key": key})
    with stripe_error(stripe.IdempotencyError, status=400,
                      message="same parameters they were first used with") as info:
        client.v1.customers.create(params={"name": "B"}, options={"idempotency_key": key})
    assert info.value.json_body["error"]["type"] == "idempotency_error"
    assert key in info.value.json_body["error"]["message"]
    # another endpoint with the same key is a different request too
    with stripe_error(stripe.IdempotencyError, status=400):
        client.v1.charges.create(params={"amount": 500, "currency": "usd",
                                         "source": "tok_visa"},
                                 options={"idempotency_key": key})
    assert len(client.v1.customers.list().data) == 1


def test_keys_are_scoped_per_account(client, seller, other):
    key = _key()
    mine = client.v1.customers.create(params={"name": "A"}, options={"idempotency_key": key})
    theirs = client.v1.customers.create(params={"name": "A"},
                                        options={"idempotency_key": key, **as_(seller)})
    elsewhere = other.v1.customers.create(params={"name": "A"},
                                          options={"idempotency_key": key})
    assert len({mine.id, theirs.id, elsewhere.id}) == 3
    assert client.v1.customers.retrieve(theirs.id, options=as_(seller)).id == theirs.id
    # and each replays within its own account
    again = client.v1.customers.create(params={"name": "A"},
                                       options={"idempotency_key": key, **as_(seller)})
    assert again.id == theirs.id


def test_declines_are_replayed_not_repeated(client):
    key = _key()
    params = {"amount": 1000, "currency": "usd", "source": "tok_chargeDeclined"}
    with pytest.raises(stripe.CardError) as first:
        client.v1.charges.create(params=params, options={"idempotency_key": key})
    with pytest.raises(stripe.CardError) as second:
        client.v1.charges.create(params=params, options={"idempotency_key": key})
    assert first.value.json_body == second.value.json_body
    assert second.value.headers["Idempotent-Replayed"] == "true"
    assert len(client.v1.charges.list().data) == 1


def test_invalid_requests_are_not_saved(client):
    key = _key()
    with stripe_error(stripe.InvalidRequestError, status=400, param="foo"):
        client.v1.customers.create(params={"foo": "bar"}, options={"idempotency_key": key})
    cus = client.v1.customers.create(params={"name": "ok"}, options={"idempotency_key": key})
    assert cus.name == "ok"


def test_key_length_limit(http):
    r = http.post("/v1/customers", headers={"Idempotency-Key": "k" * 256})
    assert r.status_code == 400 and r.json()["error"]["type"] == "invalid_request_error"
    assert http.post("/v1/customers", headers={"Idempotency-Key": "k" * 255}).status_code == 200


def test_gets_ignore_the_key(http):
    key = _key()
    cus = http.post("/v1/customers", headers={"Idempotency-Key": key}).json()
    r = http.get(f"/v1/customers/{cus['id']}", headers={"Idempotency-Key": key})
    assert r.status_code == 200 and "idempotent-replayed" not in r.headers


def test_concurrent_requests_with_one_key_make_one_charge(client):
    cus = client.v1.customers.create(params={"source": "tok_visa"})
    key = _key()
    barrier = threading.Barrier(12)
    ids: list[str] = []
    errors: list[Exception] = []
    lock = threading.Lock()

    def pay() -> None:
        barrier.wait()
        try:
            ch = client.v1.charges.create(
                params={"amount": 1234, "currency": "usd", "customer": cus.id},
                options={"idempotency_key": key})
            with lock:
                ids.append(ch.id)
        except stripe.StripeError as e:  # 409 idempotency_key_in_use is Stripe-legal
            with lock:
                errors.append(e)

    threads = [threading.Thread(target=pay) for _ in range(12)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert all(getattr(e, "http_status", None) == 409 for e in errors), errors
    assert ids and len(set(ids)) == 1
    charges = client.v1.charges.list(params={"customer": cus.id}).data
    assert [c.id for c in charges] == ids[:1]


def test_concurrent_requests_with_distinct_keys_all_run(client):
    cus = client.v1.customers.create(params={"source": "tok_visa"})
    ids: list[str] = []
    lock = threading.Lock()

    def pay() -> None:
        ch = client.v1.charges.create(params={"amount": 1000, "currency": "usd",
                                              "customer": cus.id})
        with lock:
            ids.append(ch.id)

    threads = [threading.Thread(target=pay) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(set(ids)) == 8
    assert len(client.v1.charges.list(params={"customer": cus.id, "limit": 100}).data) == 8
