"""A server (in a thread, on a fresh SQLite file or PostgreSQL database) with a small
world in it, for the hostile-input, fuzz and access-control tests: a platform with a
connected account (seller), each holding a customer with a card and a charge.

`World.state()` is everything the platform and the seller can see through the API's
list endpoints (every GET route without a path parameter), so a test can check that a
refused request wrote nothing.
"""
from __future__ import annotations

import contextlib
import secrets
from dataclasses import dataclass, field
from typing import Any, Iterator

import httpx
import pytest
import stripe

from connect_sandbox.routes import ROUTES

from ..conftest import start_server
from .procs import fresh_postgres, postgres_or_skip

# Lists whose content moves by itself (nothing here does yet); excluded from state().
VOLATILE: set[str] = set()


@dataclass
class World:
    base: str
    key: str                    # the platform's secret key
    database: str = ""          # the server's database URL
    platform: str = ""
    seller: str = ""
    objs: dict[str, dict[str, str]] = field(default_factory=dict)  # account -> name -> id
    _clients: dict[tuple, httpx.Client] = field(default_factory=dict)

    @property
    def pk(self) -> str:
        return "pk_test_" + self.key[len("sk_test_"):]

    def sdk(self, key: str | None = None) -> stripe.StripeClient:
        return stripe.StripeClient(key or self.key, base_addresses={"api": self.base},
                                   max_network_retries=0)

    def http(self, key: str | None = None, account: str | None = None) -> httpx.Client:
        """A raw HTTP client (one per key and Stripe-Account, kept for the module)."""
        client = self._clients.get((key, account))
        if client is None:
            headers = {"Authorization": f"Bearer {key or self.key}"}
            if account:
                headers["Stripe-Account"] = account
            client = httpx.Client(base_url=self.base, headers=headers, timeout=30)
            self._clients[(key, account)] = client
        return client

    def close(self) -> None:
        for c in self._clients.values():
            c.close()

    def state(self) -> dict[str, Any]:
        """What every list endpoint shows the platform and the seller (ids, newest first);
        single objects (the balance, the account) whole."""
        out: dict[str, Any] = {}
        for account in (None, self.seller):
            client = self.http(account=account)
            for op in ROUTES:
                if op.method != "GET" or "{" in op.path or op.path in VOLATILE:
                    continue
                r = client.get(op.path, params={"limit": 100})
                if r.status_code == 400:
                    r = client.get(op.path)
                if r.status_code != 200:
                    continue  # a list that needs a filter, or not for this account
                body = r.json()
                out[f"{account or 'platform'} {op.path}"] = (
                    [o.get("id") for o in body["data"]] if body.get("object") == "list" else body)
        return out

    def newest_events(self) -> tuple[str | None, str | None]:
        """The newest event id of the platform and of the seller: any write records one."""
        ids = []
        for account in (None, self.seller):
            data = self.http(account=account).get("/v1/events", params={"limit": 1}).json()
            ids.append(data["data"][0]["id"] if data.get("data") else None)
        return ids[0], ids[1]


def populate(world: World) -> World:
    client = world.sdk()
    world.platform = client.v1.accounts.retrieve_current().id
    world.seller = client.v1.accounts.create(params={"type": "custom", "country": "US"}).id
    for account in (world.platform, world.seller):
        opts = {} if account == world.platform else {"stripe_account": account}
        cus = client.v1.customers.create(params={"email": "world@example.com",
                                                 "source": "tok_visa"}, options=opts)
        ch = client.v1.charges.create(params={"amount": 1000, "currency": "usd",
                                              "customer": cus.id, "capture": False},
                                      options=opts)
        tok = client.v1.tokens.create(params={"card": {
            "number": "4242424242424242", "exp_month": 12, "exp_year": 2040}}, options=opts)
        world.objs[account] = {"customer": cus.id, "card": cus.default_source,
                               "charge": ch.id, "token": tok.id}
    return world


@contextlib.contextmanager
def running_world(backend: str, tmp_path_factory) -> Iterator[World]:  # noqa: ANN001
    with contextlib.ExitStack() as stack:
        if backend == "sqlite":
            url = f"sqlite:///{tmp_path_factory.mktemp('world') / 'sandbox.db'}"
        else:
            url = stack.enter_context(fresh_postgres(postgres_or_skip()))
        server = start_server(url)
        stack.callback(server.stop)
        world = World(server.base, "sk_test_world" + secrets.token_hex(8), url)
        stack.callback(world.close)
        yield populate(world)


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def world(request: pytest.FixtureRequest, tmp_path_factory) -> Iterator[World]:
    with running_world(request.param, tmp_path_factory) as w:
        yield w
