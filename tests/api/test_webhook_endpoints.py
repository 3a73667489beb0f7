"""/v1/webhook_endpoints: create (secret returned once), retrieve, update, delete, list,
and Stripe-shaped errors naming the param."""
from __future__ import annotations

import pytest
import stripe

from tests.api.support import stripe_error

URL = "https://example.test/webhook"


def create(client, **params):
    return client.v1.webhook_endpoints.create(
        params={"url": URL, "enabled_events": ["charge.succeeded"], **params})


def test_create_returns_the_secret_once(client):
    we = create(client, description="orders", metadata={"team": "payments"})
    assert we.object == "webhook_endpoint"
    assert we.id.startswith("we_")
    assert we.secret.startswith("whsec_") and len(we.secret) > 30
    assert we.url == URL
    assert we.enabled_events == ["charge.succeeded"]
    assert we.status == "enabled"
    assert we.description == "orders"
    assert we.metadata.to_dict() == {"team": "payments"}
    assert we.livemode is False and we.application is None
    assert isinstance(we.created, int)
    got = client.v1.webhook_endpoints.retrieve(we.id)
    assert got.id == we.id and got.url == URL
    assert "secret" not in got
    assert "_connect" not in got and "_secret" not in got


def test_star_connect_and_api_version(client):
    we = create(client, enabled_events=["*"], connect=True, api_version="2023-08-16")
    assert we.enabled_events == ["*"]
    assert we.api_version == "2023-08-16"
    # newer API versions and event types than the 2023 description are accepted too
    newer = create(client, enabled_events=["invoice.overdue", "charge.refunded"],
                   api_version="2026-10-28.endive")
    assert newer.enabled_events == ["invoice.overdue", "charge.refunded"]


def test_update(client):
    we = create(client)
    we = client.v1.webhook_endpoints.update(we.id, params={
        "url": "http://localhost:4242/hook", "enabled_events": ["customer.created", "*"],
        "description": "new", "metadata": {"a": "1"}})
    assert we.url == "http://localhost:4242/hook"
    assert we.enabled_events == ["customer.created", "*"]
    assert we.description == "new" and we.metadata.to_dict() == {"a": "1"}
    assert "secret" not in we
    we = client.v1.webhook_endpoints.update(we.id, params={"disabled": True})
    assert we.status == "disabled"
    we = client.v1.webhook_endpoints.update(we.id, params={"disabled": False,
                                                           "description": "",
                                                           "metadata": {"a": ""}})
    assert we.status == "enabled" and we.description is None and we.metadata.to_dict() == {}


def test_delete(client):
    we = create(client)
    deleted = client.v1.webhook_endpoints.delete(we.id)
    assert deleted.id == we.id and deleted.deleted is True
    with stripe_error(stripe.InvalidRequestError, status=404, code="resource_missing",
                      param="id", message="No such webhook endpoint"):
        client.v1.webhook_endpoints.retrieve(we.id)
    with stripe_error(stripe.InvalidRequestError, status=404, code="resource_missing"):
        client.v1.webhook_endpoints.delete(we.id)


def test_list_newest_first_with_pagination(client):
    ids = [create(client, description=str(i)).id for i in range(3)]
    page = client.v1.webhook_endpoints.list(params={"limit": 2})
    assert [w.id for w in page.data] == ids[::-1][:2]
    assert page.has_more is True and page.url == "/v1/webhook_endpoints"
    rest = client.v1.webhook_endpoints.list(params={"starting_after": page.data[-1].id})
    assert [w.id for w in rest.data] == [ids[0]] and rest.has_more is False
    assert all("secret" not in w for w in page.data)


def test_endpoints_are_per_platform(client, other):
    we = create(client)
    with stripe_error(stripe.InvalidRequestError, status=404, code="resource_missing"):
        other.v1.webhook_endpoints.retrieve(we.id)
    assert other.v1.webhook_endpoints.list().data == []


@pytest.mark.parametrize("events,param", [
    (["charge.succeeded", "charge.exploded"], "enabled_events[1]"),
    (["not_an_event"], "enabled_events[0]"),
])
def test_unknown_event_types_are_refused(client, events, param):
    with stripe_error(stripe.InvalidRequestError, status=400, param=param,
                      message=f"Invalid {param}: must be one of"):
        create(client, enabled_events=events)


def test_unknown_event_type_on_update(client):
    we = create(client)
    with stripe_error(stripe.InvalidRequestError, status=400, param="enabled_events[0]"):
        client.v1.webhook_endpoints.update(we.id, params={"enabled_events": ["nope"]})


@pytest.mark.parametrize("url", ["not a url", "ftp://example.com/x", "https://",
                                 "http://[::1", "http://host:99999/x", "http://a b/"])
def test_invalid_urls_are_refused(client, url):
    with stripe_error(stripe.InvalidRequestError, status=400, param="url",
                      message="Invalid URL"):
        create(client, url=url)


def test_missing_required_params(client):
    with stripe_error(stripe.InvalidRequestError, status=400, param="url",
                      code="parameter_missing"):
        client.v1.webhook_endpoints.create(params={"enabled_events": ["*"]})
    with stripe_error(stripe.InvalidRequestError, status=400, param="enabled_events",
                      code="parameter_missing"):
        client.v1.webhook_endpoints.create(params={"url": URL})


def test_bad_api_version_and_unknown_param(client):
    with stripe_error(stripe.InvalidRequestError, status=400, param="api_version"):
        create(client, api_version="yesterday")
    with stripe_error(stripe.InvalidRequestError, status=400, param="colour",
                      code="parameter_unknown"):
        create(client, colour="red")
    with stripe_error(stripe.InvalidRequestError, status=400, param="connect"):
        we = create(client)
        client.v1.webhook_endpoints.update(we.id, params={"connect": True})
