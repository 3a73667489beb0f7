"""Which webhook endpoints receive an event.

- An account's own endpoints (connect=false) receive the account's own events.
- The platform's Connect endpoints (connect=true) receive its connected accounts' events
  (which carry `account`), never the platform's own.
- Only enabled endpoints, and only the types they enabled ("*" is every type).
"""
from __future__ import annotations

from typing import Any

from ..domain.event_types import wants
from ..store import Tx
from ..store.outbox import endpoints


def receives(endpoint: dict[str, Any], endpoint_owner: str, event_owner: str,
             platform: str) -> bool:
    """Whether `endpoint` (owned by endpoint_owner) is the kind that gets events of
    event_owner, whatever the type."""
    if endpoint.get("_connect"):
        return endpoint_owner == platform and event_owner != platform
    return endpoint_owner == event_owner


def targets(tx: Tx, platform: str, owner: str, type_: str) -> list[tuple[str, dict[str, Any]]]:
    """(endpoint owner, endpoint) for every endpoint that must receive an event of
    `type_` that happened in `owner`, an account of `platform`."""
    # (Most accounts have no endpoints: an empty list is not walked by a comprehension,
    # each of which is a call of its own.)
    own = endpoints(tx, owner)
    found = [(owner, ep) for ep in own
             if not ep.get("_connect") and wants(ep, type_)] if own else []
    if owner != platform:
        connect = endpoints(tx, platform)
        if connect:
            found += [(platform, ep) for ep in connect
                      if ep.get("_connect") and wants(ep, type_)]
    return found
