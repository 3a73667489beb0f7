"""Events and webhooks: the events of the platform and its sellers (filter by type or
account), one event with its payload and its deliveries (every attempt, and a resend
button per endpoint), and the webhook endpoints with their latest attempts."""
from __future__ import annotations

import re
from typing import Any, Mapping

from ...store import views
from .. import optional, paging
from ..access import NotFound, Scope
from ..tables import table

Result = tuple[str, dict[str, Any]]
_TYPE = re.compile(r"[a-z0-9_.]{1,100}\Z")


def events(scope: Scope, query: Mapping[str, str]) -> Result:
    type_ = query.get("type") or ""
    type_ = type_ if _TYPE.match(type_) else ""
    account = query.get("account") or ""
    accounts = scope.accounts()
    if account:
        if not scope.may_read(account):
            raise NotFound(account)
        accounts = [account]
    pager = paging.across(scope.tx, accounts, "event", query, "/dashboard/events",
                          lookup=type_ or None, keep={"type": type_, "account": account})
    return "events.html", {"title": "Events", "table": table("event", pager.data),
                           "pager": pager, "type": type_, "account": account,
                           "sellers": scope.sellers()[:200], "platform": scope.platform}


def endpoints_for(scope: Scope, event: dict[str, Any], owner: str
                  ) -> list[tuple[str, dict[str, Any]]]:
    """(owner, endpoint) for every endpoint that receives events like this one: the
    owner's own endpoints, and the platform's Connect endpoints for a seller's event."""
    found = [(owner, ep) for ep in scope.tx.list(owner, "webhook_endpoint", limit=100).data
             if not ep.get("_connect")]
    if owner != scope.platform:
        found += [(scope.platform, ep) for ep in
                  scope.tx.list(scope.platform, "webhook_endpoint", limit=100).data
                  if ep.get("_connect")]
    return found


def event(scope: Scope, query: Mapping[str, str], event_id: str) -> Result:
    owner, ev = scope.locate(event_id, "event")
    about = ((ev.get("data") or {}).get("object") or {})
    deliveries = [d for d in views.deliveries_of_event(scope.tx, event_id)
                  if scope.may_read(d["owner"])]
    return "event.html", {
        "title": f"Event {event_id}", "event": ev, "owner": owner,
        "about": about.get("id"), "about_object": about.get("object"),
        "deliveries": deliveries, "endpoints": endpoints_for(scope, ev, owner),
        "can_resend": optional.resend_function() is not None,
        "webhooks": optional.webhooks_available(),
    }


def webhooks(scope: Scope, query: Mapping[str, str]) -> Result:
    eps = views.recent_in(scope.tx, scope.accounts(), "webhook_endpoint", limit=100).data
    rows = []
    for ep in eps:
        attempts, more = optional.attempts(scope.tx, ep["_owner"], ep["id"], limit=10)
        rows.append({"endpoint": ep, "owner": ep["_owner"], "attempts": attempts,
                     "more": more})
    return "webhooks.html", {"title": "Webhooks", "endpoints": rows,
                             "webhooks": optional.webhooks_available()}
