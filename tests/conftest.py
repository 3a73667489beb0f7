"""Shared fixtures: a real connect-sandbox server on a free port (uvicorn in a thread,
on a fresh SQLite file), and official-stripe-SDK clients pointed at it. Every test gets
its own secret key, which is its own platform, so tests never see each other's data."""
from __future__ import annotations

import secrets
import socket
import threading
import time
from dataclasses import dataclass

import pytest
import stripe
import uvicorn

from connect_sandbox.app import create_app
from connect_sandbox.config import Settings


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass
class RunningServer:
    base: str
    database: str
    server: uvicorn.Server
    thread: threading.Thread

    def stop(self) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=10)


def start_server(database: str) -> RunningServer:
    port = free_port()
    app = create_app(Settings(host="127.0.0.1", port=port, database=database))
    config = uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning",
                            loop="asyncio", lifespan="on")
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started:
        if time.monotonic() > deadline:
            raise RuntimeError("connect-sandbox did not start within 10 s")
        time.sleep(0.01)
    return RunningServer(f"http://127.0.0.1:{port}", database, server, thread)


@pytest.fixture(scope="session")
def server(tmp_path_factory):
    db = tmp_path_factory.mktemp("db") / "sandbox.db"
    running = start_server(f"sqlite:///{db}")
    yield running
    running.stop()


@pytest.fixture
def api_key() -> str:
    return "sk_test_" + secrets.token_hex(12)


@pytest.fixture
def client(server, api_key) -> stripe.StripeClient:
    """The platform's client (StripeClient, the SDK's current interface)."""
    return stripe.StripeClient(api_key, base_addresses={"api": server.base},
                               max_network_retries=0)


@pytest.fixture
def legacy(server, api_key):
    """The global-configuration interface (stripe.Customer.create(...)), as older
    integrations use it. Yields the stripe module configured for this test."""
    old = (stripe.api_key, stripe.api_base, stripe.max_network_retries)
    stripe.api_key, stripe.api_base, stripe.max_network_retries = api_key, server.base, 0
    yield stripe
    stripe.api_key, stripe.api_base, stripe.max_network_retries = old


@pytest.fixture
def seller(client) -> str:
    """A connected account of the test's platform."""
    return client.v1.accounts.create(params={"type": "standard"}).id
