"""Webhook endpoints: create (the whsec_ secret is returned only then), retrieve, update,
delete, list; and two sandbox-only operations: resend an event to an endpoint, and list
an endpoint's delivery attempts.

An endpoint belongs to the account that creates it. `connect=true` (create only) makes
it a Connect endpoint: it receives the connected accounts' events, not its owner's
(webhooks/routing.py). The secret and the connect flag are stored privately.
"""
from __future__ import annotations

import re
from typing import Any
from urllib.parse import urlsplit

from ..context import RequestContext
from ..domain import event_types
from ..domain import metadata as md
from ..domain.ids import new_id, secret
from ..errors import InvalidRequestError, ResourceMissing
from ..http.pagination import list_object, page
from ..params import Params
from ..store import Tx, outbox
from ..wire.shape import blank
from . import events

KIND = "webhook endpoint"
_API_VERSION = re.compile(r"\d{4}-\d{2}-\d{2}(\.[a-z]+)?\Z")


def _check_url(url: str) -> str:
    try:
        parts = urlsplit(url.strip())
        valid = parts.scheme in ("http", "https") and bool(parts.hostname) \
            and (parts.port is None or parts.port > 0) and not any(c.isspace() for c in url.strip())
    except ValueError:  # a bad port or IPv6 literal
        valid = False
    if not valid:
        raise InvalidRequestError(f"Invalid URL: {url[:200]}. URLs must begin with http:// or "
                                  "https:// and name a host.", param="url")
    return url.strip()


def _check_events(enabled: list[str]) -> list[str]:
    if not enabled:
        raise InvalidRequestError("You must specify at least one event in enabled_events "
                                  "(or ['*'] for all events).", param="enabled_events")
    bad = event_types.unknown(enabled)
    if bad is not None:
        index, name = bad
        options = sorted(event_types.known())
        raise InvalidRequestError(
            f"Invalid enabled_events[{index}]: must be one of {', '.join(options[:-1])}, or "
            f"{options[-1]}", param=f"enabled_events[{index}]")
    return list(dict.fromkeys(enabled))


def get(tx: Tx, account: str, endpoint_id: str, *, param: str = "id") -> dict[str, Any]:
    endpoint = tx.get(account, endpoint_id, "webhook_endpoint")
    if endpoint is None:
        raise ResourceMissing(KIND, endpoint_id, param=param)
    return endpoint


def create(tx: Tx, ctx: RequestContext, params: Params) -> dict[str, Any]:
    url = _check_url(params["url"])
    enabled = _check_events(params["enabled_events"])
    api_version = params.get("api_version")
    if api_version is not None and not _API_VERSION.match(api_version):
        raise InvalidRequestError(f"Invalid api_version: {api_version[:100]}",
                                  param="api_version")
    whsec = secret("whsec", 32)
    endpoint = blank("webhook_endpoint", id=new_id("we"), created=ctx.now, url=url,
                     enabled_events=enabled, status="enabled", api_version=api_version,
                     application=None, description=params.get("description") or None,
                     metadata=md.merge({}, params.get("metadata") or {}))
    endpoint.pop("secret", None)
    endpoint["_connect"] = bool(params.get("connect"))
    endpoint["_secret"] = whsec
    tx.insert(ctx.account, endpoint)
    out = dict(endpoint)
    out["secret"] = whsec
    return out


def retrieve(tx: Tx, ctx: RequestContext, params: Params,
             webhook_endpoint: str) -> dict[str, Any]:
    return get(tx, ctx.account, webhook_endpoint)


def update(tx: Tx, ctx: RequestContext, params: Params,
           webhook_endpoint: str) -> dict[str, Any]:
    endpoint = get(tx, ctx.account, webhook_endpoint)
    if params.has("url"):
        endpoint["url"] = _check_url(params["url"])
    if params.has("enabled_events"):
        endpoint["enabled_events"] = _check_events(params["enabled_events"])
    if params.has("description"):
        endpoint["description"] = params["description"] or None
    if params.has("metadata"):
        endpoint["metadata"] = md.merge(endpoint["metadata"], params["metadata"])
    if params.has("disabled"):
        endpoint["status"] = "disabled" if params["disabled"] else "enabled"
    tx.save(ctx.account, endpoint)
    if endpoint["status"] == "disabled":
        _cancel_pending(tx, ctx.account, endpoint["id"])
    return endpoint


def delete(tx: Tx, ctx: RequestContext, params: Params,
           webhook_endpoint: str) -> dict[str, Any]:
    endpoint = get(tx, ctx.account, webhook_endpoint)
    stub = {"id": endpoint["id"], "object": "webhook_endpoint", "deleted": True}
    tx.tombstone(ctx.account, stub)
    _cancel_pending(tx, ctx.account, endpoint["id"])
    return stub


def _cancel_pending(tx: Tx, account: str, endpoint_id: str) -> None:
    for event_account, event_id in set(outbox.cancel_endpoint(tx, account, endpoint_id)):
        events.refresh_pending(tx, event_account, event_id)


def list_(tx: Tx, ctx: RequestContext, params: Params) -> dict[str, Any]:
    return page(tx, ctx.account, "webhook_endpoint", params, "/v1/webhook_endpoints",
                kind=KIND)


# -- sandbox only -------------------------------------------------------------------------
def _endpoint_for(tx: Tx, ctx: RequestContext, endpoint_id: str,
                  param: str) -> tuple[str, dict[str, Any]]:
    """The endpoint and its owner: the acting account's, else (acting as a connected
    account) the platform's."""
    for owner in dict.fromkeys((ctx.account, ctx.platform)):
        endpoint = tx.get(owner, endpoint_id, "webhook_endpoint")
        if endpoint is not None:
            return owner, endpoint
    raise ResourceMissing(KIND, endpoint_id, param=param)


def sandbox_resend(tx: Tx, ctx: RequestContext, params: Params,
                   webhook_endpoint: str) -> dict[str, Any]:
    """POST /v1/webhook_endpoints/{id}/sandbox_resend event=evt_...: deliver the event to
    this endpoint again. Returns the event."""
    owner, endpoint = _endpoint_for(tx, ctx, webhook_endpoint, "id")
    return events.resend(tx, ctx, endpoint, owner, params["event"], param="event")


def event_retry(tx: Tx, ctx: RequestContext, params: Params, id: str) -> dict[str, Any]:
    """POST /v1/events/{id}/retry webhook_endpoint=we_...: the same, spelled as the Stripe
    CLI's `stripe events resend` calls it."""
    owner, endpoint = _endpoint_for(tx, ctx, params["webhook_endpoint"], "webhook_endpoint")
    return events.resend(tx, ctx, endpoint, owner, id, param="id")


def sandbox_attempts(tx: Tx, ctx: RequestContext, params: Params,
                     webhook_endpoint: str) -> dict[str, Any]:
    """GET /v1/webhook_endpoints/{id}/sandbox_attempts [event=evt_...] [limit=n]: the
    endpoint's delivery attempts, newest first (status, duration, response excerpt)."""
    owner, endpoint = _endpoint_for(tx, ctx, webhook_endpoint, "id")
    limit = params.get("limit", 10)
    if not 1 <= limit <= 100:
        raise InvalidRequestError("limit must be between 1 and 100.", param="limit")
    rows, has_more = outbox.attempts(tx, owner, endpoint["id"], event=params.get("event"),
                                     limit=limit)
    data = [{"object": "sandbox.webhook_attempt", "webhook_endpoint": endpoint["id"], **r}
            for r in rows]
    return list_object(f"/v1/webhook_endpoints/{endpoint['id']}/sandbox_attempts", data,
                       has_more)
