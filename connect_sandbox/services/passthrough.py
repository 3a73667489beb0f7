"""Copy simple passthrough parameters onto an object: the parameters that Stripe stores
and shows under the same name without acting on them (a description, a statement
descriptor, shipping details, an account's settings, payment method options ...).

Each service names its passthrough fields and calls `apply`; the fields a service
computes (ids, links to other objects, statuses, amounts moved) can never be copied
this way, so a forgotten check cannot let a parameter overwrite them.

Values: "" unsets (null); a hash named in `merge` is merged key by key into the
current value (Stripe's update semantics for settings-like hashes; "" inside unsets
one key); any other value replaces the current one.
"""
from __future__ import annotations

import copy
from typing import Any, Iterable, Mapping

from ..wire import current as newer_api

# Computed by the services: never copied from a request.
PROTECTED = frozenset({
    "id", "object", "created", "livemode", "status", "customer", "charge", "payment_intent",
    "payment_method", "latest_charge", "latest_attempt", "balance_transaction", "captured",
    "paid", "refunded", "reversed", "client_secret", "application", "application_fee",
    "transfer", "source_transfer", "destination_payment", "account", "default_source",
    "next_action", "last_payment_error", "last_setup_error", "metadata",
})


_ALLOWED: set[tuple[str, ...]] = set()  # field tuples already checked


def _protected(key: str) -> bool:
    return key in PROTECTED or key.startswith("amount_")


def apply(obj: dict[str, Any], params: Mapping[str, Any], fields: Iterable[str], *,
          merge: Iterable[str] = (), previous: dict[str, Any] | None = None) -> None:
    """Copy each of `fields` the request carries onto `obj` (recording the old value
    in `previous`, for the event's previous_attributes)."""
    merged = set(merge)
    if type(fields) is not tuple or fields not in _ALLOWED:
        # Each service passes the same few tuples: checked once each (per call, the
        # check was ~1/3 of apply()).
        for key in fields:
            if _protected(key):
                raise ValueError(f"{key!r} is computed by its service, not copied from a "
                                 "request")
        if type(fields) is tuple:
            _ALLOWED.add(fields)
    for key in fields:
        if key not in params:
            continue
        value = params[key]
        if previous is not None and key not in previous:
            previous[key] = copy.deepcopy(obj.get(key))
        if key in merged and isinstance(value, dict):
            obj[key] = merge_hash(obj.get(key), value)
        else:
            obj[key] = clean(value)
        if key in newer_api.SHAPED:  # an address or shipping hash shows every line
            obj[key] = newer_api.SHAPED[key](obj[key])


def merge_hash(current: Any, update: Mapping[str, Any]) -> dict[str, Any]:
    """`update` laid over the hash `current`, key by key ("" unsets a key)."""
    out = copy.deepcopy(current) if isinstance(current, dict) else {}
    for key, value in update.items():
        if isinstance(value, dict) and isinstance(out.get(key), dict):
            out[key] = merge_hash(out[key], value)
        else:
            out[key] = clean(value)
    return out


def clean(value: Any) -> Any:
    """A request value as stored: "" is null, at every depth."""
    if value == "":
        return None
    if isinstance(value, dict):
        return {k: clean(v) for k, v in value.items()}
    if isinstance(value, list):
        return [clean(v) for v in value]
    return value
