"""Scale-out: two `connect-sandbox serve` processes (as on two hosts) share one PostgreSQL
database (or, as on one host, one SQLite file) behind no load balancer at all: the tests
talk to both. What one writes the
other reads; whatever must happen once (an idempotency key, a single-use token, a
capture, a refund that would over-refund, a webhook delivery) happens once across them.
`serve --workers 2` on SQLite and PostgreSQL gets the same idempotency race."""
from __future__ import annotations

import itertools
import json
import secrets
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import httpx
import pytest
import stripe

from connect_sandbox.routes import ROUTES

from .procs import ServerProcess

RACERS = 16  # concurrent requests per race, spread over the processes


@pytest.fixture(scope="module", params=["postgresql", "sqlite-speculating"])
def pair(request, tmp_path_factory):
    """Two server processes on one fresh database: PostgreSQL; or one SQLite file, each
    process running its writes on a snapshot first (store/speculation.py), so that every
    race below also races a speculation against the other process's commits."""
    from .procs import fresh_postgres, postgres_or_skip
    logs = tmp_path_factory.mktemp("scale_out")
    if request.param == "postgresql":
        with fresh_postgres(postgres_or_skip()) as url:
            yield from _two(url, logs, {})
    else:
        url = f"sqlite:///{logs / 'shared.db'}"
        yield from _two(url, logs, {"CONNECT_SANDBOX_SPECULATE": "on"})


def _two(url: str, logs, env: dict[str, str]):
    a = ServerProcess(url, logs / "a.log", env=env)
    b = ServerProcess(url, logs / "b.log", env=env)
    try:
        a.spawn(), b.spawn()  # two processes migrating one empty database at once
        a.wait_ready(), b.wait_ready()
        yield a, b
    finally:
        a.stop(), b.stop()


def _key() -> str:
    return "sk_test_scale" + secrets.token_hex(8)


def _sdk(server: ServerProcess, key: str) -> stripe.StripeClient:
    return stripe.StripeClient(key, base_addresses={"api": server.base}, max_network_retries=0)


def race(servers, key: str, method: str, path: str, data=None, headers=None) -> list[httpx.Response]:
    """RACERS identical requests released together, alternating between `servers`."""
    barrier = threading.Barrier(RACERS)
    hdrs = {"Authorization": f"Bearer {key}", **(headers or {})}
    clients = [httpx.Client(base_url=s.base, headers=hdrs, timeout=30) for s in servers]
    for c in clients:  # open the connections before the start line
        c.get("/v1/account")

    def one(i: int) -> httpx.Response:
        client = clients[i % len(clients)]
        barrier.wait()
        return client.request(method, path, data=data)

    try:
        with ThreadPoolExecutor(RACERS) as pool:
            return list(pool.map(one, range(RACERS)))
    finally:
        for c in clients:
            c.close()


def _codes(responses) -> list:
    return sorted((r.status_code, r.json().get("error", {}).get("code")) for r in responses)


def test_objects_written_through_one_are_read_through_the_other(pair):
    a, b = pair
    key = _key()
    via_a, via_b = _sdk(a, key), _sdk(b, key)
    assert via_a.v1.accounts.retrieve_current().id == via_b.v1.accounts.retrieve_current().id
    cus = via_a.v1.customers.create(params={"email": "shared@example.com", "source": "tok_visa"})
    assert via_b.v1.customers.retrieve(cus.id).default_source == cus.default_source
    via_b.v1.customers.update(cus.id, params={"metadata": {"by": "b"}})
    assert via_a.v1.customers.retrieve(cus.id).metadata["by"] == "b"
    seller = via_b.v1.accounts.create(params={"type": "express"}).id
    token = via_a.v1.tokens.create(params={"customer": cus.id},
                                   options={"stripe_account": seller})
    clone = via_b.v1.customers.create(params={"source": token.id},
                                      options={"stripe_account": seller})
    ch = via_a.v1.charges.create(params={"amount": 1500, "currency": "usd",
                                         "customer": clone.id},
                                 options={"stripe_account": seller})
    assert [c.id for c in via_b.v1.charges.list(options={"stripe_account": seller}).data] == [ch.id]
    assert via_b.v1.customers.list(params={"email": "shared@example.com"}).data[0].id == cus.id


def test_one_idempotency_key_raced_across_both_yields_one_object(pair):
    a, b = pair
    key = _key()
    for round_ in range(3):
        email = f"race{round_}-{secrets.token_hex(4)}@example.com"
        idem = f"race-{round_}-" + secrets.token_hex(8)
        rs = race(pair, key, "POST", "/v1/customers", data={"email": email},
                  headers={"Idempotency-Key": idem})
        assert {r.status_code for r in rs} <= {200, 409}, _codes(rs)
        for r in rs:
            if r.status_code == 409:
                assert r.json()["error"]["code"] == "idempotency_key_in_use"
        ids = {r.json()["id"] for r in rs if r.status_code == 200}
        print("idempotency race:", _codes(rs).count((409, "idempotency_key_in_use")), "x 409")
        assert len(ids) == 1, ids
        found = _sdk(b, key).v1.customers.list(params={"email": email}).data
        assert [c.id for c in found] == list(ids)
        again = httpx.post(a.base + "/v1/customers", data={"email": email},
                           headers={"Authorization": f"Bearer {key}", "Idempotency-Key": idem})
        assert again.json()["id"] in ids and again.headers["idempotent-replayed"] == "true"


def test_a_single_use_token_raced_across_both_is_used_once(pair):
    a, b = pair
    key = _key()
    tok = _sdk(a, key).v1.tokens.create(params={"card": {
        "number": "4242424242424242", "exp_month": 12, "exp_year": 2040, "cvc": "123"}})
    rs = race(pair, key, "POST", "/v1/customers",
              data={"source": tok.id, "email": "tok-race@example.com"})
    codes = _codes(rs)
    assert codes.count((200, None)) == 1, codes
    assert codes.count((400, "token_already_used")) == RACERS - 1, codes
    made = _sdk(b, key).v1.customers.list(params={"email": "tok-race@example.com"}).data
    assert len(made) == 1 and made[0].default_source == tok.card.id
    assert _sdk(b, key).v1.tokens.retrieve(tok.id).used is True


def test_a_capture_raced_across_both_happens_once(pair):
    a, b = pair
    key = _key()
    ch = _sdk(a, key).v1.charges.create(params={
        "amount": 2000, "currency": "usd", "source": "tok_visa", "capture": False})
    rs = race(pair, key, "POST", f"/v1/charges/{ch.id}/capture", data={"amount": "1500"})
    codes = _codes(rs)
    assert codes.count((200, None)) == 1, codes
    assert codes.count((400, "charge_already_captured")) == RACERS - 1, codes
    got = _sdk(b, key).v1.charges.retrieve(ch.id)
    assert got.captured and got.amount_captured == 1500


def test_a_cloned_payment_method_raced_across_both_is_used_once(pair):
    if not _has("POST", "/v1/payment_intents"):
        pytest.skip("POST /v1/payment_intents is not routed yet")
    a, b = pair
    key = _key()
    platform = _sdk(a, key)
    pm = platform.v1.payment_methods.create(params={"type": "card",
                                                    "card": {"token": "tok_visa"}})
    cus = platform.v1.customers.create(params={"payment_method": pm.id})
    seller = platform.v1.accounts.create(params={"type": "standard"}).id
    clone = _sdk(b, key).v1.payment_methods.create(
        params={"customer": cus.id, "payment_method": pm.id},
        options={"stripe_account": seller})
    rs = race(pair, key, "POST", "/v1/payment_intents",
              data={"amount": "1000", "currency": "usd", "payment_method": clone.id,
                    "confirm": "true"}, headers={"Stripe-Account": seller})
    ok = [r for r in rs if r.status_code == 200]
    assert len(ok) == 1 and ok[0].json()["status"] == "succeeded", _codes(rs)
    assert all(r.status_code == 400 for r in rs if r.status_code != 200), _codes(rs)
    charges = _sdk(a, key).v1.charges.list(options={"stripe_account": seller}).data
    assert len(charges) == 1 and charges[0].payment_method == clone.id


def _has(method: str, path: str) -> bool:
    return any(op.method == method and op.path == path for op in ROUTES)


def test_refunds_raced_across_both_never_over_refund(pair):
    if not _has("POST", "/v1/refunds"):
        pytest.skip("POST /v1/refunds is not routed yet")
    a, b = pair
    key = _key()
    ch = _sdk(a, key).v1.charges.create(params={
        "amount": 1000, "currency": "usd", "source": "tok_visa"})
    rs = race(pair, key, "POST", "/v1/refunds", data={"charge": ch.id, "amount": "300"})
    ok = [r for r in rs if r.status_code == 200]
    assert len(ok) == 3, _codes(rs)
    assert all(r.status_code == 400 for r in rs if r.status_code != 200), _codes(rs)
    got = _sdk(b, key).v1.charges.retrieve(ch.id)
    assert got.amount_refunded == 900 and not got.refunded
    refunds = _sdk(b, key).v1.refunds.list(params={"charge": ch.id}).data
    assert sorted(r.id for r in refunds) == sorted(r.json()["id"] for r in ok)


class Hooks:
    """A webhook receiver counting deliveries per event id."""

    def __init__(self):
        self.seen: dict[str, int] = {}
        self.lock = threading.Lock()
        owner = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):  # noqa: N802
                body = self.rfile.read(int(self.headers.get("content-length") or 0))
                event = json.loads(body)["id"]
                with owner.lock:
                    owner.seen[event] = owner.seen.get(event, 0) + 1
                self.send_response(200)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args):
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}/hook"


def test_each_webhook_event_is_delivered_once_by_two_processes(pair):
    if not _has("POST", "/v1/webhook_endpoints"):
        pytest.skip("POST /v1/webhook_endpoints is not routed yet")
    a, b = pair
    key = _key()
    hooks = Hooks()
    try:
        _sdk(a, key).v1.webhook_endpoints.create(params={"url": hooks.url,
                                                         "enabled_events": ["*"]})
        clients = itertools.cycle([_sdk(a, key), _sdk(b, key)])
        with ThreadPoolExecutor(8) as pool:
            list(pool.map(lambda i: next(clients).v1.customers.create(
                params={"email": f"hook{i}@example.com"}), range(40)))
        events = {e.id for e in _sdk(b, key).v1.events.list(
            params={"limit": 100}).auto_paging_iter()}
        assert len(events) >= 40
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            with hooks.lock:
                if set(hooks.seen) >= events:
                    break
            time.sleep(0.1)
        time.sleep(0.5)  # a duplicate would come now
        with hooks.lock:
            seen = dict(hooks.seen)
        assert set(seen) == events, f"missing {len(events - set(seen))}"
        twice = {e: n for e, n in seen.items() if n != 1}
        assert not twice, twice
    finally:
        hooks.httpd.shutdown()
        hooks.httpd.server_close()


def test_serve_workers_2_on_one_database(database, tmp_path):
    """`serve --workers 2` (SQLite or PostgreSQL): one key raced across the workers."""
    with ServerProcess(database, tmp_path / "workers.log", workers=2) as server:
        key = _key()
        email = f"w-{secrets.token_hex(4)}@example.com"
        rs = race([server], key, "POST", "/v1/customers", data={"email": email},
                  headers={"Idempotency-Key": "workers-" + secrets.token_hex(6)})
        assert {r.status_code for r in rs} <= {200, 409}, _codes(rs)
        assert len({r.json()["id"] for r in rs if r.status_code == 200}) == 1
        assert len(_sdk(server, key).v1.customers.list(params={"email": email}).data) == 1
