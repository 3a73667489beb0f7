"""Events through the API: written with every change, per account, listed newest first with
the type / types[] / created / delivery_success filters, retrieved by id."""
from __future__ import annotations

import time

import stripe

from tests.api.support import as_, stripe_error


def events(client, options=None, **params):
    return client.v1.events.list(params=params, options=options or {}).data


def test_customer_created_event(client):
    cus = client.v1.customers.create(params={"email": "jenny@example.com"},
                                     options={"idempotency_key": "create-jenny"})
    (ev,) = events(client, type="customer.created")
    assert ev.id.startswith("evt_")
    assert ev.object == "event" and ev.livemode is False
    assert ev.data.object.id == cus.id and ev.data.object.email == "jenny@example.com"
    assert ev.request.id.startswith("req_")
    assert ev.request.idempotency_key == "create-jenny"
    assert ev.api_version
    assert isinstance(ev.created, int) and abs(ev.created - time.time()) < 60
    assert ev.pending_webhooks == 0
    assert "account" not in ev and "_platform" not in ev
    assert client.v1.events.retrieve(ev.id).id == ev.id


def test_events_carry_the_accounts_version_not_the_requests(client):
    """Stripe renders an event at the account's default API version (or, on delivery,
    the endpoint's), not at the Stripe-Version of the request that caused it."""
    cus = client.v1.customers.create(params={"email": "old@example.com"},
                                     options={"stripe_version": "2023-08-16"})
    (ev,) = [e for e in events(client, type="customer.created") if e.data.object.id == cus.id]
    assert ev.api_version == "2026-10-28.endive"
    listed = events(client, {"stripe_version": "2023-08-16"}, type="customer.created")
    assert [e.api_version for e in listed if e.id == ev.id] == ["2026-10-28.endive"]


def test_previous_attributes_on_customer_updated(client):
    cus = client.v1.customers.create(params={"email": "a@example.com", "name": "A",
                                             "metadata": {"k": "v"}})
    client.v1.customers.update(cus.id, params={"email": "b@example.com", "name": "A",
                                               "metadata": {"k": "w"}})
    (ev,) = events(client, type="customer.updated")
    assert ev.data.object.email == "b@example.com"
    prev = ev.data.previous_attributes.to_dict()
    assert prev == {"email": "a@example.com", "metadata": {"k": "v"}}  # name did not change


def test_newest_first_filters_and_pagination(client):
    cus = client.v1.customers.create()
    client.v1.customers.update(cus.id, params={"name": "x"})
    client.v1.customers.delete(cus.id)
    all_ = events(client)
    assert [e.type for e in all_] == ["customer.deleted", "customer.updated", "customer.created"]
    assert [e.type for e in events(client, type="customer.updated")] == ["customer.updated"]
    assert [e.type for e in events(client, types=["customer.created", "customer.deleted"])] \
        == ["customer.deleted", "customer.created"]
    assert len(events(client, type="customer.*")) == 3
    assert events(client, type="charge.*") == []
    assert events(client, type="customer_updated") == []  # "_" is not a wildcard
    page = client.v1.events.list(params={"limit": 1})
    assert page.has_more is True and page.url == "/v1/events"
    nxt = client.v1.events.list(params={"limit": 1, "starting_after": page.data[0].id})
    assert nxt.data[0].type == "customer.updated"
    prev = client.v1.events.list(params={"ending_before": nxt.data[0].id})
    assert [e.type for e in prev.data] == ["customer.deleted"]


def test_created_filter(client):
    client.v1.customers.create()
    now = int(time.time())
    assert len(events(client, created={"gte": now - 60})) == 1
    assert events(client, created={"gt": now + 60}) == []
    assert events(client, created={"lt": now - 60}) == []


def test_events_are_per_account(client, seller, other):
    client.v1.customers.create(params={"source": "tok_visa"}, options=as_(seller))
    mine = events(client)
    assert all("account" not in e for e in mine)
    assert not any(e.type == "customer.created" for e in mine)
    theirs = events(client, options=as_(seller), type="customer.created")
    assert len(theirs) == 1 and theirs[0].account == seller
    assert events(other) == []
    with stripe_error(stripe.InvalidRequestError, status=404, code="resource_missing",
                      param="id", message="No such event"):
        client.v1.events.retrieve(theirs[0].id)
    assert client.v1.events.retrieve(theirs[0].id, options=as_(seller)).account == seller


def test_connected_charge_events(client, seller):
    cus = client.v1.customers.create(params={"source": "tok_visa"}, options=as_(seller))
    ch = client.v1.charges.create(params={"amount": 1500, "currency": "usd",
                                          "customer": cus.id}, options=as_(seller))
    (ev,) = events(client, options=as_(seller), type="charge.succeeded")
    assert ev.account == seller
    assert ev.data.object.id == ch.id and ev.data.object.amount == 1500


def test_errors(client):
    with stripe_error(stripe.InvalidRequestError, status=404, code="resource_missing",
                      param="id"):
        client.v1.events.retrieve("evt_nope")
    with stripe_error(stripe.InvalidRequestError, status=400, param="types"):
        client.v1.events.list(params={"type": "customer.created",
                                      "types": ["customer.updated"]})
    with stripe_error(stripe.InvalidRequestError, status=400, param="types"):
        client.v1.events.list(params={"types": [f"t{i}" for i in range(21)]})
    with stripe_error(stripe.InvalidRequestError, status=404, param="starting_after"):
        client.v1.events.list(params={"starting_after": "evt_nope"})
    with stripe_error(stripe.InvalidRequestError, status=400, param="limit"):
        client.v1.events.list(params={"limit": 101})
    with stripe_error(stripe.InvalidRequestError, status=400, param="created[gt]"):
        client.v1.events.list(params={"created": {"gt": "soon"}})


def test_legacy_interface(legacy):
    legacy.Customer.create(email="old@example.com")
    evs = legacy.Event.list(type="customer.created")
    assert len(evs.data) == 1
    assert legacy.Event.retrieve(evs.data[0].id).data.object.email == "old@example.com"
