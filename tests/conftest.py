"""Shared fixtures: a real connect-sandbox server on a free port (uvicorn in a thread,
on a fresh SQLite file), and official-stripe-SDK clients pointed at it. Every test gets
its own secret key, which is its own platform, so tests never see each other's data."""
from __future__ import annotations

import os
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
from tests.schema_check import Recorder, ValidatingApp

# Every JSON object the test servers return is validated against Stripe's schemas.
SCHEMA = Recorder()


def pytest_terminal_summary(terminalreporter):
    if SCHEMA.validated:
        terminalreporter.write_line(SCHEMA.report())
        for line, count in sorted(SCHEMA.distinct.items())[:40]:
            terminalreporter.write_line(f"  schema error (x{count}): {line}")


def pytest_sessionfinish(session, exitstatus):
    # Any schema error fails the run (CS_SCHEMA_STRICT=0 only reports them, for local work).
    if SCHEMA.errors and exitstatus == 0 and os.environ.get("CS_SCHEMA_STRICT", "1") != "0":
        session.exitstatus = 1


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


# Webhook retries after 0.2, 0.4, 0.8 s instead of Stripe's hours; ACH charges settle
# 0.2 s after they are created (services/ach.py), and so are payouts (services/payouts.py).
TEST_SETTINGS = {"webhook_retry_base": 0.2, "webhook_poll_interval": 0.05,
                 "ach_settle_seconds": 0.2, "payout_seconds": 0.2,
                 "jobs_poll_interval": 0.05}


def start_server(database: str, **settings) -> RunningServer:
    port = free_port()
    app = ValidatingApp(create_app(Settings(host="127.0.0.1", port=port, database=database,
                                            **{**TEST_SETTINGS, **settings})),
                        SCHEMA)
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
    # Speculating (store/speculation.py), as a server with several workers does: the
    # API tests that share this server run every write through a snapshot and a replay;
    # the other servers of the suite run the one-worker default, without it.
    running = start_server(f"sqlite:///{db}", speculate="on")
    yield running
    running.stop()


@pytest.fixture(scope="session")
def slow_server(tmp_path_factory):
    """A server whose scheduled jobs (ACH settlement, payouts) would run only after an
    hour: the sandbox's test helpers settle them when a test asks."""
    db = tmp_path_factory.mktemp("slow") / "sandbox.db"
    running = start_server(f"sqlite:///{db}", ach_settle_seconds=3600, payout_seconds=3600)
    yield running
    running.stop()


@pytest.fixture
def slow(slow_server, api_key) -> stripe.StripeClient:
    """A platform's client on slow_server."""
    return stripe.StripeClient(api_key, base_addresses={"api": slow_server.base},
                               max_network_retries=0)


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
