"""Events, written in the same transaction as the change they describe (an outbox:
a delivery worker reads them after commit, so an event exists iff its change does)."""
from __future__ import annotations

import copy
from typing import Any

from ..context import RequestContext
from ..domain.ids import new_id
from ..store import Tx

API_VERSION = "2026-10-28.endive"


def record(tx: Tx, ctx: RequestContext, type_: str, obj: dict[str, Any], *,
           previous: dict[str, Any] | None = None, account: str | None = None) -> dict[str, Any]:
    """Record an event about `obj` in `account` (default: the acting account)."""
    owner = account or ctx.account
    data: dict[str, Any] = {"object": _snapshot(obj)}
    if previous:
        data["previous_attributes"] = _snapshot(previous)
    event = {
        "id": new_id("evt"), "object": "event", "api_version": ctx.api_version or API_VERSION,
        "created": ctx.now, "data": data, "livemode": False, "pending_webhooks": 0,
        "request": {"id": ctx.request_id, "idempotency_key": ctx.idempotency_key},
        "type": type_,
    }
    if owner != ctx.platform:
        event["account"] = owner
    event["_platform"] = ctx.platform
    tx.insert(owner, event, lookup=type_)
    return event


def _snapshot(obj: dict[str, Any]) -> dict[str, Any]:
    return {k: copy.deepcopy(v) for k, v in obj.items() if not k.startswith("_")}
