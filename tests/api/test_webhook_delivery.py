"""Webhook delivery to a real HTTP receiver: routing (platform vs Connect endpoints, enabled
types), signatures checked with the official SDK, retries with backoff, attempts,
pending_webhooks, and the sandbox's resend. The test server retries after 0.2, 0.4,
0.8 s (tests/conftest.py) and makes 4 attempts at most."""
from __future__ import annotations

import secrets
import time

import httpx
import stripe

from tests.api.support import as_, stripe_error
from tests.api.webhook_support import make_receiver, settle  # noqa: F401 (fixture)


def endpoint(client, url, events=("*",), **params):
    return client.v1.webhook_endpoints.create(
        params={"url": url, "enabled_events": list(events), **params})


def wait_event(client, event_id, predicate, options=None, timeout=10.0):
    deadline = time.monotonic() + timeout
    while True:
        ev = client.v1.events.retrieve(event_id, options=options or {})
        if predicate(ev):
            return ev
        assert time.monotonic() < deadline, ev
        time.sleep(0.05)


def attempts(http, endpoint_id, **params):
    resp = http.get(f"/v1/webhook_endpoints/{endpoint_id}/sandbox_attempts", params=params)
    assert resp.status_code == 200, resp.text
    return resp.json()["data"]


def test_platform_event_reaches_platform_endpoint(client, make_receiver):
    rec = make_receiver()
    we = endpoint(client, rec.url)
    cus = client.v1.customers.create(params={"email": "hook@example.com"})
    (body,) = rec.wait_type("customer.created")
    delivered = rec.received[0]
    event = delivered.verify(we.secret)  # stripe.Webhook.construct_event
    assert isinstance(event, stripe.Event)
    assert event.type == "customer.created" and event.data.object.id == cus.id
    assert "account" not in body and "_platform" not in body
    assert delivered.headers["content-type"].startswith("application/json")
    assert delivered.headers["user-agent"].startswith("Stripe/1.0")
    assert delivered.path == "/webhook"
    listed = client.v1.events.list(params={"type": "customer.created"}).data
    assert [e.id for e in listed] == [body["id"]]
    assert body["pending_webhooks"] == 1  # as sent: this delivery was still pending
    wait_event(client, body["id"], lambda e: e.pending_webhooks == 0)


def test_connected_charge_reaches_connect_endpoint_only(client, seller, make_receiver):
    plain, connect = make_receiver(), make_receiver()
    we_plain = endpoint(client, plain.url)
    we_connect = endpoint(client, connect.url, connect=True)
    cus = client.v1.customers.create(params={"source": "tok_visa"}, options=as_(seller))
    ch = client.v1.charges.create(params={"amount": 2000, "currency": "usd",
                                          "customer": cus.id}, options=as_(seller))
    wanted = {"customer.created", "customer.source.created", "charge.succeeded"}
    connect.wait_for(lambda ev: wanted <= {e["type"] for e in ev})  # sent concurrently
    (succeeded,) = [e for e in connect.events() if e["type"] == "charge.succeeded"]
    assert succeeded["account"] == seller
    assert succeeded["data"]["object"]["id"] == ch.id
    for received in connect.received:
        ev = received.verify(we_connect.secret)
        assert ev.account == seller
    # the platform's own event: to the plain endpoint, never to the Connect one
    client.v1.customers.create(params={"name": "platform's own"})
    plain.wait_type("customer.created")
    plain.received[0].verify(we_plain.secret)
    settle()
    assert all("account" not in e for e in plain.events())
    assert "charge.succeeded" not in plain.types()
    assert all(e.get("account") == seller for e in connect.events())


def test_only_enabled_types_are_sent(client, make_receiver):
    rec = make_receiver()
    we = endpoint(client, rec.url, events=["customer.updated"])
    cus = client.v1.customers.create(params={"email": "a@example.com"})
    client.v1.customers.update(cus.id, params={"email": "b@example.com"})
    client.v1.customers.delete(cus.id)
    (updated,) = rec.wait_type("customer.updated")
    settle()
    assert rec.types() == ["customer.updated"]
    rec.received[0].verify(we.secret)
    assert updated["data"]["previous_attributes"] == {"email": "a@example.com"}
    assert updated["data"]["object"]["email"] == "b@example.com"
    created = client.v1.events.list(params={"type": "customer.created"}).data[0]
    assert created.pending_webhooks == 0  # no endpoint wanted it


def test_fails_twice_then_succeeds(client, http, make_receiver):
    rec = make_receiver(statuses=[500, 503])
    we = endpoint(client, rec.url)
    client.v1.customers.create()
    got = rec.wait_for(lambda ev: len(ev) >= 3)
    settle()
    assert len(rec.received) == 3
    assert len({e["id"] for e in got}) == 1 and got[0]["type"] == "customer.created"
    for received in rec.received:
        received.verify(we.secret)
    first, second, third = (r.at for r in rec.received)
    assert second - first >= 0.15 and third - second >= 0.35  # 0.2 s, then 0.4 s
    assert [e["pending_webhooks"] for e in got] == [1, 1, 1]
    ev = wait_event(client, got[0]["id"], lambda e: e.pending_webhooks == 0)
    tried = attempts(http, we.id)
    assert [a["status"] for a in tried] == [200, 503, 500]  # newest first
    assert [a["attempt"] for a in tried] == [3, 2, 1]
    assert all(a["event"] == ev.id and isinstance(a["duration_ms"], int) for a in tried)
    assert '"status": 503' in tried[1]["response_excerpt"]
    assert tried[2]["next_retry_at"] is not None and tried[0]["next_retry_at"] is None
    assert tried[0]["delivery_state"] == "succeeded"


def test_gives_up_after_the_last_attempt(client, http, make_receiver):
    rec = make_receiver(default=500)
    we = endpoint(client, rec.url)
    client.v1.customers.create()
    rec.wait_for(lambda ev: len(ev) >= 4)
    event_id = rec.events()[0]["id"]
    wait_event(client, event_id, lambda e: e.pending_webhooks == 0)
    settle(1.0)
    assert len(rec.received) == 4
    tried = attempts(http, we.id)
    assert len(tried) == 4 and tried[0]["delivery_state"] == "failed"
    failed = client.v1.events.list(params={"delivery_success": False}).data
    assert [e.id for e in failed] == [event_id]
    assert client.v1.events.list(params={"delivery_success": True}).data == []


def test_no_answer_is_recorded_and_retried(client, http):
    import socket
    with socket.socket() as s:  # a port nobody listens on
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    we = endpoint(client, f"http://127.0.0.1:{port}/hook")
    client.v1.customers.create()
    deadline = time.monotonic() + 10
    while len(tried := attempts(http, we.id)) < 2:
        assert time.monotonic() < deadline
        time.sleep(0.05)
    assert all(a["status"] is None and a["error"] for a in tried)


def test_slow_receiver_does_not_slow_requests(client, make_receiver):
    rec = make_receiver(delay=1.5)
    endpoint(client, rec.url)
    start = time.monotonic()
    for i in range(3):
        client.v1.customers.create(params={"name": f"c{i}"})
    assert time.monotonic() - start < 1.0
    rec.wait_type("customer.created", 3)


def test_disabled_and_deleted_endpoints_receive_nothing(client, make_receiver):
    off, gone = make_receiver(), make_receiver()
    we_off = endpoint(client, off.url)
    we_gone = endpoint(client, gone.url)
    client.v1.webhook_endpoints.update(we_off.id, params={"disabled": True})
    client.v1.webhook_endpoints.delete(we_gone.id)
    client.v1.customers.create()
    settle()
    assert off.received == [] and gone.received == []
    assert client.v1.events.list().data[0].pending_webhooks == 0


def test_deleting_an_endpoint_cancels_its_retries(client, make_receiver):
    rec = make_receiver(default=500)
    we = endpoint(client, rec.url)
    client.v1.customers.create()
    rec.wait_for(lambda ev: len(ev) >= 1)
    client.v1.webhook_endpoints.delete(we.id)
    event_id = rec.events()[0]["id"]
    assert client.v1.events.retrieve(event_id).pending_webhooks == 0
    settle(1.0)
    assert len(rec.received) <= 2  # at most one retry already in flight


def test_sandbox_resend(client, http, seller, make_receiver):
    rec, connect = make_receiver(), make_receiver()
    we = endpoint(client, rec.url, events=["customer.updated"])
    we_connect = endpoint(client, connect.url, connect=True)
    cus = client.v1.customers.create()
    created = client.v1.events.list(params={"type": "customer.created"}).data[0]
    resp = http.post(f"/v1/webhook_endpoints/{we.id}/sandbox_resend",
                     data={"event": created.id})
    assert resp.status_code == 200, resp.text
    assert resp.json()["id"] == created.id and "_platform" not in resp.json()
    rec.wait_type("customer.created")
    rec.received[0].verify(we.secret)
    # the Stripe CLI's spelling: POST /v1/events/{id}/retry webhook_endpoint=we_...
    resp = http.post(f"/v1/events/{created.id}/retry", data={"webhook_endpoint": we.id})
    assert resp.status_code == 200, resp.text
    assert [e["id"] for e in rec.wait_type("customer.created", 2)] == [created.id] * 2
    # a connected account's event to the Connect endpoint
    client.v1.customers.create(options=as_(seller))
    seller_ev = client.v1.events.list(params={"type": "customer.created"},
                                      options=as_(seller)).data[0]
    connect.wait_type("customer.created")
    resp = http.post(f"/v1/webhook_endpoints/{we_connect.id}/sandbox_resend",
                     data={"event": seller_ev.id})
    assert resp.status_code == 200, resp.text
    again = connect.wait_type("customer.created", 2)
    assert again[1]["id"] == seller_ev.id and again[1]["account"] == seller
    # the platform's event cannot go to a Connect endpoint, nor an unknown event anywhere
    resp = http.post(f"/v1/webhook_endpoints/{we_connect.id}/sandbox_resend",
                     data={"event": created.id})
    assert resp.status_code == 400 and resp.json()["error"]["param"] == "event"
    resp = http.post(f"/v1/webhook_endpoints/{we.id}/sandbox_resend", data={"event": "evt_x"})
    assert resp.status_code == 404 and resp.json()["error"]["param"] == "event"
    resp = http.post("/v1/webhook_endpoints/we_nope/sandbox_resend", data={"event": created.id})
    assert resp.status_code == 404 and resp.json()["error"]["code"] == "resource_missing"
    resp = http.post(f"/v1/webhook_endpoints/{we.id}/sandbox_resend", data={})
    assert resp.status_code == 400 and resp.json()["error"]["param"] == "event"
    assert cus.id


def test_other_platforms_cannot_resend_or_read(client, make_receiver, server):
    rec = make_receiver()
    we = endpoint(client, rec.url)
    client.v1.customers.create()
    ev = client.v1.events.list().data[0]
    other_key = "sk_test_" + secrets.token_hex(12)
    with httpx.Client(base_url=server.base, headers={"Authorization": f"Bearer {other_key}"},
                      timeout=10) as h:
        assert h.post(f"/v1/webhook_endpoints/{we.id}/sandbox_resend",
                      data={"event": ev.id}).status_code == 404
        assert h.get(f"/v1/webhook_endpoints/{we.id}/sandbox_attempts").status_code == 404
        mine = h.post("/v1/webhook_endpoints", data={"url": rec.url,
                                                     "enabled_events[0]": "*"}).json()
        resp = h.post(f"/v1/webhook_endpoints/{mine['id']}/sandbox_resend",
                      data={"event": ev.id})
        assert resp.status_code == 404 and resp.json()["error"]["param"] == "event"


def test_idempotent_replay_does_not_deliver_twice(client, make_receiver):
    rec = make_receiver()
    endpoint(client, rec.url)
    opts = {"idempotency_key": "same-key"}
    first = client.v1.customers.create(params={"name": "x"}, options=opts)
    second = client.v1.customers.create(params={"name": "x"}, options=opts)
    assert first.id == second.id
    rec.wait_type("customer.created")
    settle()
    assert rec.types() == ["customer.created"]


def test_failed_request_delivers_nothing(client, make_receiver):
    rec = make_receiver()
    endpoint(client, rec.url)
    with stripe_error(stripe.InvalidRequestError, status=404):
        client.v1.customers.update("cus_missing", params={"name": "x"})
    settle()
    assert rec.received == []


def test_a_receiver_slower_than_the_timeout_is_retried(tmp_path, make_receiver):
    from tests.conftest import start_server
    srv = start_server(f"sqlite:///{tmp_path / 'timeout.db'}", webhook_timeout=0.3,
                       webhook_max_attempts=2)
    try:
        key = "sk_test_" + secrets.token_hex(12)
        client = stripe.StripeClient(key, base_addresses={"api": srv.base},
                                     max_network_retries=0)
        rec = make_receiver(delay=1.0)
        we = endpoint(client, rec.url)
        client.v1.customers.create()
        with httpx.Client(base_url=srv.base, headers={"Authorization": f"Bearer {key}"},
                          timeout=10) as h:
            deadline = time.monotonic() + 10
            while len(tried := attempts(h, we.id)) < 2 or tried[0]["delivery_state"] != "failed":
                assert time.monotonic() < deadline, tried
                time.sleep(0.05)
        assert all(a["status"] is None and "timed out" in a["error"] for a in tried)
        assert all(250 <= a["duration_ms"] < 1000 for a in tried)
    finally:
        srv.stop()


def test_unreachable_hosts_of_one_platform_do_not_hold_up_another(client, server,
                                                                  make_client, make_receiver):
    noisy_key = "sk_test_" + secrets.token_hex(12)
    noisy = make_client(noisy_key)
    bad = [endpoint(noisy, f"http://no-such-host-{i}.invalid/hook") for i in range(4)]
    for i in range(15):
        noisy.v1.customers.create(params={"name": f"n{i}"})
    rec = make_receiver()
    endpoint(client, rec.url)
    start = time.monotonic()
    client.v1.customers.create()
    rec.wait_type("customer.created", timeout=5)
    assert time.monotonic() - start < 3
    with httpx.Client(base_url=server.base, timeout=10,
                      headers={"Authorization": f"Bearer {noisy_key}"}) as h:
        deadline = time.monotonic() + 15
        while not (tried := attempts(h, bad[0].id)):
            assert time.monotonic() < deadline
            time.sleep(0.1)
    assert tried[0]["status"] is None and "no-such-host-0.invalid" in tried[0]["error"]
