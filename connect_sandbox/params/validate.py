"""Validate decoded form parameters against an operation's schema.

Every error names the `param` in Stripe's bracket spelling (`card[exp_month]`).
Values come out typed: integers, booleans, lists, dicts; "" stays "" (Stripe's
"unset this field"). The schemas come from spec.json; EXTRA adds parameters that
newer API versions accept and the 2023-08-16 description lacks.
"""
from __future__ import annotations

import json
import re
from functools import lru_cache
from pathlib import Path
from typing import Any

from ..errors import InvalidRequestError, UnknownParameter, missing_param
from .sandbox import SANDBOX_OPERATIONS

_SPEC_FILE = Path(__file__).with_name("spec.json")
_INT = re.compile(r"-?[0-9]{1,19}\Z")  # ASCII digits only (\d takes any script)
_NUM = re.compile(r"-?[0-9]+(\.[0-9]+)?\Z")
MAX_INT = 2**63 - 1

_STR = {"type": "string", "maxLength": 5000}
# A card hash Stripe accepts wherever a `source` token is (`source[object]=card&...`).
_CARD_HASH = {"type": "object", "properties": {
    k: _STR for k in ("object", "number", "exp_month", "exp_year", "cvc", "name",
                      "address_line1", "address_line2", "address_city", "address_state",
                      "address_zip", "address_country", "currency", "account_number",
                      "routing_number", "country", "account_holder_name",
                      "account_holder_type", "account_type")}}
_SOURCE = {"anyOf": [dict(_STR), _CARD_HASH]}


def _enum(*values: str) -> dict[str, Any]:
    return {"type": "string", "enum": list(values)}


# Account controller properties (the replacement for `type`, newer than 2023-08-16).
_CONTROLLER = {"type": "object", "properties": {
    "fees": {"type": "object", "properties": {"payer": _enum("account", "application")}},
    "losses": {"type": "object", "properties": {"payments": _enum("application", "stripe")}},
    "requirement_collection": _enum("application", "stripe"),
    "stripe_dashboard": {"type": "object", "properties": {
        "type": _enum("express", "full", "none")}}}}
# Parameters newer API versions accept on top of the 2023-08-16 description, and
# documented spellings the description types too narrowly.
EXTRA: dict[str, dict[str, Any]] = {
    "POST /v1/customers": {"source": _SOURCE},
    "POST /v1/customers/{customer}": {"source": _SOURCE},
    "POST /v1/customers/{customer}/sources": {"source": _SOURCE},
    "POST /v1/charges": {"source": _SOURCE},
    "POST /v1/accounts": {"controller": _CONTROLLER, "external_account": _SOURCE},
    "POST /v1/accounts/{account}": {"external_account": _SOURCE},
    # Stripe.js creates card Sources from raw details (card[number], ...).
    "POST /v1/sources": {"card": _CARD_HASH},
    # Event types and API versions newer than the description's enums (checked by the
    # webhook_endpoints service against domain/event_types.py).
    "POST /v1/webhook_endpoints": {"enabled_events": {"type": "array", "items": _STR},
                                   "api_version": _STR},
    "POST /v1/webhook_endpoints/{webhook_endpoint}": {
        "enabled_events": {"type": "array", "items": _STR}},
    # An external account as a token or as the bank account's (or debit card's) details;
    # newer API versions filter the list by `object`.
    "POST /v1/accounts/{account}/external_accounts": {"external_account": _SOURCE},
    "GET /v1/accounts/{account}/external_accounts": {
        "object": _enum("bank_account", "card")},
    # The replacement for `collect` in newer API versions.
    "POST /v1/account_links": {"collection_options": {"type": "object", "properties": {
        "fields": _enum("currently_due", "eventually_due"),
        "future_requirements": _enum("include", "omit")}}},
    # PaymentMethod.allow_redisplay (newer than the description): set on create and
    # update, a filter of a customer's PaymentMethods.
    "POST /v1/payment_methods": {"allow_redisplay": _enum("always", "limited", "unspecified")},
    "POST /v1/payment_methods/{payment_method}": {
        "allow_redisplay": _enum("always", "limited", "unspecified")},
    "GET /v1/customers/{customer}/payment_methods": {
        "allow_redisplay": _enum("always", "limited", "unspecified")},
}

# Intents take a card described inline, `payment_method_data[type]=card` with
# `payment_method_data[card][token]` (or the card's details), as Stripe.js and many
# server integrations send it; the description leaves card out of payment_method_data.
CARD_PAYMENT_METHOD_DATA = (
    "POST /v1/payment_intents", "POST /v1/payment_intents/{intent}",
    "POST /v1/payment_intents/{intent}/confirm", "POST /v1/setup_intents",
    "POST /v1/setup_intents/{intent}", "POST /v1/setup_intents/{intent}/confirm")


def _with_card(data: dict[str, Any]) -> dict[str, Any]:
    props = dict(data["properties"])
    props["type"] = {**props["type"], "enum": ["card", *props["type"]["enum"]]}
    props["card"] = _spec()["operations"]["POST /v1/payment_methods"]["params"]["card"]
    return {**data, "properties": props}


# Hash parameters that also take an object's id (the description types them as hashes
# only): cloning a customer's bank account passes `bank_account=ba_...`.
ALSO_ID: dict[str, tuple[str, ...]] = {
    "POST /v1/tokens": ("bank_account",),
}


@lru_cache(maxsize=1)
def _spec() -> dict[str, Any]:
    return json.loads(_SPEC_FILE.read_text())


def object_schema(name: str) -> dict[str, Any]:
    return _spec()["objects"][name]


class Params(dict):
    """Validated parameters. `p.has(k)` tells whether the caller sent k at all."""

    def has(self, key: str) -> bool:
        return key in self


@lru_cache(maxsize=None)
def operation_params(op: str) -> dict[str, Any]:
    entry = _spec()["operations"].get(op) or SANDBOX_OPERATIONS[op]
    props = dict(entry["params"])
    props.update(EXTRA.get(op, {}))
    if op in CARD_PAYMENT_METHOD_DATA and "payment_method_data" in props:
        props["payment_method_data"] = _with_card(props["payment_method_data"])
    for name in ALSO_ID.get(op, ()):
        props[name] = {"anyOf": [dict(_STR), props[name]]}
    return {"type": "object", "properties": props, "required": entry["required"]}


def validate(op: str, raw: dict[str, Any], *, ignore: tuple[str, ...] = ()) -> Params:
    schema = operation_params(op)
    out = Params()
    props = schema["properties"]
    for key, value in raw.items():
        if key in ignore:
            continue
        sub = props.get(key)
        if sub is None:
            raise UnknownParameter(key)
        out[key] = _coerce(sub, value, key)
    for req in schema["required"]:
        if req not in out and req not in ignore:
            raise missing_param(req)
    return out


def _kinds(node: dict[str, Any]) -> list[dict[str, Any]]:
    if "anyOf" in node:
        res = []
        for alt in node["anyOf"]:
            res.extend(_kinds(alt))
        return res
    if "ref" in node:  # a referenced object: accept any hash (rare in request bodies)
        return [{"type": "object", "additionalProperties": {}}]
    return [node]


# A schema node's alternatives, flattened once: (node, kinds, whether one is the enum
# [""]) by id(node). Nodes live as long as the cached schemas; holding the node keeps
# its id from being reused. (Flattening on every anyOf parameter was ~1/3 of validate().)
_ALTERNATIVES: dict[int, tuple[dict[str, Any], list[dict[str, Any]], bool]] = {}


def _alternatives(node: dict[str, Any]) -> tuple[list[dict[str, Any]], bool]:
    hit = _ALTERNATIVES.get(id(node))
    if hit is not None and hit[0] is node:
        return hit[1], hit[2]
    kinds = _kinds(node)
    empty_allowed = any(k.get("enum") == [""] for k in kinds)
    if len(_ALTERNATIVES) > 10_000:  # (only schema nodes come here: never in practice)
        _ALTERNATIVES.clear()
    _ALTERNATIVES[id(node)] = (node, kinds, empty_allowed)
    return kinds, empty_allowed


def _coerce(node: dict[str, Any], value: Any, name: str) -> Any:
    if "anyOf" not in node and "ref" not in node and node.get("enum") != [""]:
        # One shape (most parameters): the same outcome as the general path below,
        # without building and sorting the alternatives (measured ~40% of validate()).
        return _coerce_one(node, value, name)
    kinds, empty_allowed = _alternatives(node)
    if value == "" and empty_allowed:
        return ""
    errors: list[InvalidRequestError] = []
    # Try the alternatives whose shape matches the value first (in their order, as a
    # stable sort on "matches" gives, without the sort and its key calls).
    first: list[dict[str, Any]] = []
    rest: list[dict[str, Any]] = []
    for kind in kinds:
        (first if _shape_matches(kind, value) else rest).append(kind)
    for kind in first + rest:
        if kind.get("enum") == [""]:
            continue
        try:
            return _coerce_one(kind, value, name)
        except InvalidRequestError as exc:  # incl. UnknownParameter: try the next shape
            errors.append(exc)
    if errors:
        raise errors[0]
    raise InvalidRequestError(f"Invalid value for {name}.", param=name)


def _shape_matches(kind: dict[str, Any], value: Any) -> bool:
    t = kind.get("type")
    if isinstance(value, dict):
        return t == "object"
    if isinstance(value, list):
        return t in ("array", "object")
    return t not in ("object", "array")


def _coerce_one(kind: dict[str, Any], value: Any, name: str) -> Any:
    t = kind.get("type", "string")
    if t == "object":
        return _coerce_object(kind, value, name)
    if t == "array":
        if isinstance(value, dict):
            raise InvalidRequestError(f"Invalid array: {name}", param=name)
        if not isinstance(value, list):
            if value == "":
                return []
            raise InvalidRequestError(f"Invalid array: {name}", param=name)
        items = kind.get("items", _STR)
        return [_coerce(items, v, f"{name}[{i}]") for i, v in enumerate(value)]
    if isinstance(value, (dict, list)):
        raise InvalidRequestError(f"Invalid {'string' if t == 'string' else t}: {name} "
                                  "must be a single value, not a hash or an array.", param=name)
    if t == "integer":
        if not _INT.match(value) or abs(int(value)) > MAX_INT:
            raise InvalidRequestError(f"Invalid integer: {value[:100]}", param=name)
        return int(value)
    if t == "number":
        if not _NUM.match(value):
            raise InvalidRequestError(f"Invalid decimal: {value[:100]}", param=name)
        return float(value)
    if t == "boolean":
        if value not in ("true", "false"):
            raise InvalidRequestError(f"Invalid boolean: {value[:100]}", param=name)
        return value == "true"
    enum = kind.get("enum")
    if enum is not None and value not in enum:
        options = [e for e in enum if e != ""]
        listed = ", ".join(options[:-1]) + (", or " if len(options) > 2 else " or ") + options[-1] \
            if len(options) > 1 else options[0]
        raise InvalidRequestError(f"Invalid {name}: must be one of {listed}", param=name)
    limit = kind.get("maxLength")
    if limit is not None and len(value) > limit:
        raise InvalidRequestError(
            f"Invalid string: {value[:20]}...; must be at most {limit} characters", param=name)
    if "\x00" in value:
        raise _nul(name)
    return value


def _nul(name: str) -> InvalidRequestError:
    # No id or stored string holds NUL (PostgreSQL cannot store it in text).
    name = name.replace("\x00", "\\u0000")
    return InvalidRequestError(f"Invalid value for {name}: it may not contain the null "
                               "character (%00).", param=name)


def _coerce_object(kind: dict[str, Any], value: Any, name: str) -> dict[str, Any]:
    if isinstance(value, list):  # a hash whose keys were all digits
        keys = getattr(value, "index_keys", None) or [str(i) for i in range(len(value))]
        value = dict(zip(keys, value))
    if not isinstance(value, dict):
        raise InvalidRequestError("Invalid hash", param=name)
    props = kind.get("properties")
    extra = kind.get("additionalProperties")
    out: dict[str, Any] = {}
    for key, sub_value in value.items():
        sub_name = f"{name}[{key}]"
        if "\x00" in key:
            raise _nul(sub_name)
        sub = props.get(key) if props else None
        if sub is None:
            if extra is None and props is not None:
                raise UnknownParameter(sub_name)
            sub = extra or _STR
        out[key] = _coerce(sub, sub_value, sub_name)
    for req in kind.get("required", ()):
        if req not in out:
            raise missing_param(f"{name}[{req}]")
    return out
