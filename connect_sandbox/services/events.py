"""Events, written in the same transaction as the change they describe, together with
one outbox row per webhook endpoint that must receive them (store/outbox.py): an event
and its deliveries exist iff the change does. The delivery worker (webhooks/worker.py)
sends them after commit; the API request never waits for it.

Also GET /v1/events, GET /v1/events/{id}, and the sandbox's resend.
"""
from __future__ import annotations

import time
from typing import Any

import orjson

from ..context import RequestContext
from ..domain.ids import new_id
from ..errors import InvalidRequestError, ResourceMissing
from ..http import render
from ..http.pagination import created_filter, limit_of, list_object
from ..params import Params
from ..store import Tx, event_list, outbox
from ..webhooks import routing, wake

API_VERSION = "2026-10-28.endive"
MAX_TYPES = 20


def record(tx: Tx, ctx: RequestContext, type_: str, obj: dict[str, Any], *,
           previous: dict[str, Any] | None = None, account: str | None = None
           ) -> dict[str, Any] | None:
    """Record an event about `obj` in `account` (default: the acting account).

    `previous` holds the attributes the change may have touched, with their old values;
    `data.previous_attributes` keeps only those that differ from `obj` (see changes()).
    An `*.updated` event whose change left `obj` as it was is not recorded (None), as
    Stripe sends no event for an update that changes nothing."""
    owner = account or ctx.account
    data: dict[str, Any] = {"object": _snapshot(obj) if previous is not None
                            else _stored_snapshot(obj)}
    if previous is not None:
        before = changes(_snapshot(previous), data["object"])
        if before:
            data["previous_attributes"] = before
        elif type_.endswith(".updated"):
            return None
    targets = routing.targets(tx, ctx.platform, owner, type_)
    event = {
        # The account's default version, as Stripe renders events: not the request's
        # Stripe-Version (an endpoint's own api_version is applied on delivery).
        "id": new_id("evt"), "object": "event", "api_version": API_VERSION,
        "created": ctx.now, "data": data, "livemode": False, "pending_webhooks": len(targets),
        "request": {"id": ctx.request_id, "idempotency_key": ctx.idempotency_key},
        "type": type_,
    }
    if owner != ctx.platform:
        event["account"] = owner
    event["_platform"] = ctx.platform
    # parent: the object the event is about, so its events are found through an index
    # (the dashboard's timelines); lookup: the type, for GET /v1/events filters.
    tx.insert(owner, event, lookup=type_, parent=_about(obj))
    if targets:
        now_ms = int(time.time() * 1000)
        for endpoint_owner, endpoint in targets:
            outbox.enqueue(tx, platform=endpoint_owner, endpoint=endpoint["id"],
                           event=event["id"], event_account=owner, now_ms=now_ms)
        tx.on_commit(wake.poke)
    return event


def changes(previous: dict[str, Any], current: dict[str, Any]) -> dict[str, Any]:
    """Stripe's `previous_attributes`: of the attributes in `previous`, those whose value
    differs from `current`, with their old value. A hash is compared key by key and only
    its changed keys are kept (a key that was added shows as null); a list that changed
    at all is kept whole."""
    out: dict[str, Any] = {}
    for key, old in previous.items():
        new = current.get(key)
        if old == new:
            continue
        if isinstance(old, dict) and isinstance(new, dict):
            inner = changes(old, new)
            inner.update((k, None) for k in new if k not in old)
            if inner:
                out[key] = inner
        else:
            out[key] = old
    return out


def refresh(tx: Tx, event: dict[str, Any], obj: dict[str, Any]) -> None:
    """Re-take an event's `data.object` from `obj` before the transaction commits: an event
    recorded first (its place in the account's order) about an object that the rest of
    the request still changes (customer.created before the sources attached with it)."""
    event["data"]["object"] = _stored_snapshot(obj)
    tx.save(event.get("account") or event["_platform"], event)


def _about(obj: dict[str, Any]) -> str | None:
    obj_id = obj.get("id")
    return obj_id if isinstance(obj_id, str) and len(obj_id) <= 255 else None


def _snapshot(obj: dict[str, Any]) -> dict[str, Any]:
    # Private fields are dropped at every depth (a charge's source carries its test
    # card's behaviour): stored events hold only what the API may show. public() is
    # already a deep copy (new dicts and lists, shared immutable scalars); a second copy
    # through orjson measured ~2 us a request for nothing.
    return render.public(obj)


def _stored_snapshot(obj: dict[str, Any]) -> Any:
    """_snapshot(obj) for an event that is only stored (the store serializes it at once,
    and no caller reads its data.object back): the public object's JSON itself, which
    orjson writes into the event's JSON as it is (orjson.Fragment), byte for byte what
    the parsed copy gives. Saves parsing the copy and serializing it again (1.4 to 1.6
    snapshots a request in the benchmark flows): measured ~8% of a request's
    instructions (callgrind)."""
    raw = render.public_json(obj)
    return _snapshot(obj) if raw is None else orjson.Fragment(raw)


def refresh_pending(tx: Tx, account: str, event_id: str) -> None:
    """Set an event's pending_webhooks to the number of endpoints still to deliver to."""
    event = tx.get(account, event_id, "event", for_update=True)
    if event is None:
        return
    pending = outbox.pending_count(tx, event_id)
    if event.get("pending_webhooks") != pending:
        event["pending_webhooks"] = pending
        tx.save(account, event)


# -- the API ---------------------------------------------------------------------------
def retrieve(tx: Tx, ctx: RequestContext, params: Params, id: str) -> dict[str, Any]:
    event = tx.get(ctx.account, id, "event")
    if event is None:
        raise ResourceMissing("event", id)
    return event


def list_(tx: Tx, ctx: RequestContext, params: Params) -> dict[str, Any]:
    limit = limit_of(params)
    if params.get("type") is not None and params.get("types") is not None:
        raise InvalidRequestError("You may only specify one of these parameters: type, types.",
                                  param="types")
    types = params.get("types")
    if types is not None and len(types) > MAX_TYPES:
        raise InvalidRequestError(f"Invalid array: types can have at most {MAX_TYPES} "
                                  "elements.", param="types")
    cursors: dict[str, int | None] = {}
    for name in ("starting_after", "ending_before"):
        value = params.get(name) or None
        cursors[name] = None
        if value is not None:
            cursors[name] = event_list.seq_of(tx, ctx.account, value)
            if cursors[name] is None:
                raise ResourceMissing("event", value, param=name)
    page = event_list.list_events(
        tx, ctx.account, types=types or None, pattern=params.get("type") or None,
        created=created_filter(params.get("created")),
        delivery_success=params.get("delivery_success"), limit=limit,
        starting_after=cursors["starting_after"], ending_before=cursors["ending_before"])
    return list_object("/v1/events", page.data, page.has_more)


def resend(tx: Tx, ctx: RequestContext, endpoint: dict[str, Any], endpoint_owner: str,
           event_id: str, *, param: str) -> dict[str, Any]:
    """Sandbox: deliver an existing event to `endpoint` once more (a new delivery, with
    its own retries). The event must be one the endpoint receives: the owner's own for
    an account endpoint, a connected account's for a Connect endpoint."""
    owner = tx.owner_of(event_id)
    event = tx.get(owner, event_id, "event") if owner else None
    if event is None or (owner != endpoint_owner and event.get("_platform") != endpoint_owner):
        raise ResourceMissing("event", event_id, param=param)
    if not routing.receives(endpoint, endpoint_owner, owner, event.get("_platform") or owner):
        kind = "a Connect endpoint (connect=true)" if endpoint.get("_connect") \
            else "an account endpoint (connect=false)"
        where = "a connected account" if event.get("account") else "the platform"
        raise InvalidRequestError(
            f"The event {event_id} cannot be sent to {endpoint['id']}: it is {kind}, and the "
            f"event happened on {where}.", param=param)
    if endpoint.get("status") != "enabled":
        raise InvalidRequestError(f"The webhook endpoint {endpoint['id']} is disabled.",
                                  param=param)
    outbox.enqueue(tx, platform=endpoint_owner, endpoint=endpoint["id"], event=event_id,
                   event_account=owner, now_ms=int(time.time() * 1000))
    refresh_pending(tx, owner, event_id)
    tx.on_commit(wake.poke)
    return tx.get(owner, event_id, "event")
