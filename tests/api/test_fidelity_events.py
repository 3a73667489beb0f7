"""Fidelity audit, events and deleted objects: nothing sandbox-private leaves the
server, at any depth (GET /v1/events, and the stored events webhooks are built from);
a deleted customer's Source is consumed, not deleted."""
from __future__ import annotations

import json
import sqlite3

import stripe

from .support import stripe_error


def _private_keys(node, path=""):
    if isinstance(node, dict):
        for k, v in node.items():
            if k.startswith("_"):
                yield f"{path}.{k}"
            yield from _private_keys(v, f"{path}.{k}")
    elif isinstance(node, list):
        for i, v in enumerate(node):
            yield from _private_keys(v, f"{path}[{i}]")


def test_events_carry_no_private_fields(client, http, server):
    cus = client.v1.customers.create(params={"source": "tok_chargeCustomerFail"})
    with stripe_error(stripe.CardError):
        client.v1.charges.create(params={"amount": 1000, "currency": "usd",
                                         "customer": cus.id})
    client.v1.charges.create(params={"amount": 1000, "currency": "usd", "source": "tok_visa"})
    client.v1.payment_intents.create(params={"amount": 1000, "currency": "usd", "confirm": True,
                                             "payment_method": "pm_card_visa"})
    listed = http.get("/v1/events", params={"limit": 100}).json()
    types = {e["type"] for e in listed["data"]}
    assert {"charge.failed", "charge.succeeded", "payment_intent.succeeded"} <= types
    assert list(_private_keys(listed)) == []
    # The stored events themselves (what webhook deliveries are rendered from).
    ids = [e["id"] for e in listed["data"]]
    path = server.database.removeprefix("sqlite:///")
    with sqlite3.connect(path) as db:
        marks = ",".join("?" * len(ids))
        rows = db.execute(f"SELECT body FROM cs_objects WHERE id IN ({marks})", ids).fetchall()
    assert len(rows) == len(ids)
    for (body,) in rows:
        assert list(_private_keys(json.loads(body)["data"])) == []


def test_deleting_a_customer_consumes_its_sources(client):
    src = client.v1.sources.create(params={"type": "card", "token": "tok_visa"})
    cus = client.v1.customers.create(params={"source": src.id})
    assert client.v1.customers.delete(cus.id).deleted is True
    left = client.v1.sources.retrieve(src.id)
    assert left.status == "consumed"
    assert "customer" not in left.to_dict()
    with stripe_error(stripe.InvalidRequestError, code="source_unavailable"):
        client.v1.charges.create(params={"amount": 1000, "currency": "usd", "source": src.id})
