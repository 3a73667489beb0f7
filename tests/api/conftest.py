"""Fixtures for the black-box API tests (on top of tests/conftest.py): a raw HTTP
client for what the SDK cannot send, and clients for other platforms and keys."""
from __future__ import annotations

import secrets

import httpx
import pytest
import stripe


@pytest.fixture
def http(server, api_key):
    """Raw HTTP with the test's secret key (Bearer), for headers and odd encodings."""
    with httpx.Client(base_url=server.base, headers={"Authorization": f"Bearer {api_key}"},
                      timeout=10) as c:
        yield c


@pytest.fixture
def anon(server):
    """Raw HTTP without credentials."""
    with httpx.Client(base_url=server.base, timeout=10) as c:
        yield c


@pytest.fixture
def make_client(server):
    """make_client(key) -> a StripeClient for any key (another platform, a pk_ key)."""
    def make(key: str | None = None) -> stripe.StripeClient:
        return stripe.StripeClient(key or "sk_test_" + secrets.token_hex(12),
                                   base_addresses={"api": server.base},
                                   max_network_retries=0)
    return make


@pytest.fixture
def other(make_client) -> stripe.StripeClient:
    """Another platform (its own secret key)."""
    return make_client()


@pytest.fixture
def publishable(make_client, api_key) -> stripe.StripeClient:
    """The test platform's publishable key."""
    return make_client("pk_test_" + api_key[len("sk_test_"):])
