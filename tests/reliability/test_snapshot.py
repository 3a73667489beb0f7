"""`connect-sandbox reset | export | import` (SQLite and PostgreSQL), run as commands
against the database of a live server: reset empties one platform and its connected
accounts and nothing else; an export imported later brings back exactly the exported
state (ids, order, card behaviour); a snapshot moves to another key in a fresh
database; bad snapshots change nothing."""
from __future__ import annotations

import json
import os
import secrets
import subprocess
import sys

import httpx
import pytest
import stripe

from connect_sandbox import snapshot
from connect_sandbox.store import open_store

from ..conftest import start_server
from .procs import fresh_postgres, postgres_or_skip

LISTS = ("/v1/customers", "/v1/charges", "/v1/accounts", "/v1/events", "/v1/webhook_endpoints")


def cli(*args: str, stdin: bytes | None = None) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if not k.startswith("CONNECT_SANDBOX_")}
    return subprocess.run([sys.executable, "-m", "connect_sandbox", *args], input=stdin,
                          capture_output=True, env=env, timeout=60)


@pytest.fixture
def server(database):
    running = start_server(database)
    yield running
    running.stop()


def _key() -> str:
    return "sk_test_snap" + secrets.token_hex(8)


def _sdk(server, key: str) -> stripe.StripeClient:
    return stripe.StripeClient(key, base_addresses={"api": server.base}, max_network_retries=0)


def seed(client: stripe.StripeClient) -> dict[str, str]:
    """A platform customer, a seller with a cloned card and a charge, a webhook endpoint."""
    cus = client.v1.customers.create(params={"email": "seed@example.com", "source": "tok_visa"})
    later = client.v1.customers.create(params={"source": "tok_chargeCustomerFail"})
    seller = client.v1.accounts.create(params={"type": "standard"}).id
    tok = client.v1.tokens.create(params={"customer": cus.id}, options={"stripe_account": seller})
    clone = client.v1.customers.create(params={"source": tok.id},
                                       options={"stripe_account": seller})
    ch = client.v1.charges.create(params={"amount": 1500, "currency": "usd",
                                          "customer": clone.id},
                                  options={"stripe_account": seller})
    client.v1.webhook_endpoints.create(params={"url": "http://127.0.0.1:9/hook",
                                               "enabled_events": ["charge.dispute.created"]})
    return {"customer": cus.id, "declines_later": later.id, "seller": seller,
            "clone": clone.id, "charge": ch.id}


def state(server, key: str, seller: str) -> dict:
    """What the platform and the seller see through the list endpoints, whole."""
    out = {}
    for account in (None, seller):
        headers = {"Authorization": f"Bearer {key}"}
        if account:
            headers["Stripe-Account"] = account
        for path in LISTS:
            r = httpx.get(server.base + path, params={"limit": 100}, headers=headers)
            if r.status_code == 200:  # (the seller cannot list accounts)
                out[(account, path)] = r.json()["data"]
    return out


def test_reset_empties_one_platform_and_its_sellers(server):
    key, other = _key(), _key()
    p, q = _sdk(server, key), _sdk(server, other)
    ids = seed(p)
    theirs = seed(q)
    p.v1.customers.create(params={"name": "a"}, options={"idempotency_key": "reset-key"})
    me = p.v1.accounts.retrieve_current().id

    done = cli("reset", "--api-key", key, "--database", server.database)
    assert done.returncode == 0, done.stderr
    assert b"reset " + me.encode() in done.stderr

    assert p.v1.accounts.retrieve_current().id == me
    for path in LISTS:
        r = httpx.get(server.base + path, headers={"Authorization": f"Bearer {key}"})
        assert r.json()["data"] == [], path
    with pytest.raises(stripe.PermissionError):
        p.v1.customers.list(options={"stripe_account": ids["seller"]})
    with pytest.raises(stripe.InvalidRequestError):
        p.v1.customers.retrieve(ids["customer"])
    # idempotency keys went too: the same key now makes a new customer
    again = p.v1.customers.create(params={"name": "b"}, options={"idempotency_key": "reset-key"})
    assert again.name == "b"
    # the other platform is untouched
    assert q.v1.customers.retrieve(theirs["customer"]).email == "seed@example.com"
    assert q.v1.charges.retrieve(theirs["charge"],
                                 options={"stripe_account": theirs["seller"]}).amount == 1500


def test_export_then_import_brings_back_the_exported_state(server, tmp_path):
    key = _key()
    p = _sdk(server, key)
    ids = seed(p)
    before = state(server, key, ids["seller"])

    out = cli("export", "--api-key", key, "--database", server.database)
    assert out.returncode == 0, out.stderr
    snap = json.loads(out.stdout)
    assert snap["format"] == "connect-sandbox-snapshot" and ids["seller"] in snap["accounts"]
    assert "4242424242424242" not in out.stdout.decode()
    (tmp_path / "snap.json").write_bytes(out.stdout)

    # the test suite runs: data changes
    p.v1.customers.delete(ids["customer"])
    p.v1.customers.create(params={"email": "new@example.com"})
    p.v1.accounts.create(params={"type": "express"})
    p.v1.charges.create(params={"amount": 700, "currency": "usd", "customer": ids["clone"]},
                        options={"stripe_account": ids["seller"]})

    done = cli("import", "--api-key", key, "--database", server.database,
               str(tmp_path / "snap.json"))
    assert done.returncode == 0, done.stderr
    assert state(server, key, ids["seller"]) == before
    # what the objects do came back too: the card charges, the failing one still fails
    ch = p.v1.charges.create(params={"amount": 900, "currency": "usd",
                                     "customer": ids["customer"]})
    assert ch.status == "succeeded"
    with pytest.raises(stripe.CardError):
        p.v1.charges.create(params={"amount": 900, "currency": "usd",
                                    "customer": ids["declines_later"]})
    seller_cus = p.v1.customers.retrieve(ids["clone"], options={"stripe_account": ids["seller"]})
    assert seller_cus.default_source


def test_a_snapshot_moves_to_another_key_in_a_fresh_database(server, database, tmp_path):
    key = _key()
    p = _sdk(server, key)
    ids = seed(p)
    before = state(server, key, ids["seller"])
    store = open_store(server.database)
    try:
        snap = snapshot.export(store, key)
    finally:
        store.close()

    fresh = (f"sqlite:///{tmp_path / 'fresh.db'}" if database.startswith("sqlite")
             else None)
    with (fresh_postgres(postgres_or_skip()) if fresh is None else _just(fresh)) as url:
        new_key = _key()
        done = cli("import", "--api-key", new_key, "--database", url, "-",
                   stdin=snapshot.dumps(snap))
        assert done.returncode == 0, done.stderr
        other = start_server(url)
        try:
            b = _sdk(other, new_key)
            assert b.v1.accounts.retrieve_current().id != p.v1.accounts.retrieve_current().id
            after = state(other, new_key, ids["seller"])
            assert [c["id"] for c in after[(None, "/v1/customers")]] == \
                [c["id"] for c in before[(None, "/v1/customers")]]
            assert after[(ids["seller"], "/v1/charges")] == before[(ids["seller"], "/v1/charges")]
            # the seller is the new platform's now
            tok = b.v1.tokens.create(params={"customer": ids["customer"]},
                                     options={"stripe_account": ids["seller"]})
            assert tok.card.last4 == "4242"
        finally:
            other.stop()


class _just:
    def __init__(self, url: str):
        self.url = url

    def __enter__(self) -> str:
        return self.url

    def __exit__(self, *exc) -> None:
        pass


def test_bad_snapshots_change_nothing(server, tmp_path):
    key, other = _key(), _key()
    p, q = _sdk(server, key), _sdk(server, other)
    ids = seed(p)
    seed(q)
    before = state(server, key, ids["seller"])
    store = open_store(server.database)
    try:
        good = snapshot.export(store, other)
    finally:
        store.close()
    cases = {
        "not json": b"{not json",
        "not a snapshot": b'{"hello": 1}',
        # the other platform's ids still exist in this database
        "ids taken": snapshot.dumps(good),
        "foreign rows": snapshot.dumps({**good, "objects": good["objects"] + [
            {**good["objects"][0], "account": ids["seller"], "id": "cus_planted"}]}),
    }
    for name, raw in cases.items():
        path = tmp_path / "bad.json"
        path.write_bytes(raw)
        done = cli("import", "--api-key", key, "--database", server.database, str(path))
        assert done.returncode == 2, (name, done.stderr)
        assert b"connect-sandbox import:" in done.stderr, name
        assert state(server, key, ids["seller"]) == before, name
    unknown = cli("export", "--api-key", _key(), "--database", server.database)
    assert unknown.returncode == 2 and b"never used" in unknown.stderr
    assert cli("reset", "--api-key", "pk_test_x", "--database",
               server.database).returncode == 2
