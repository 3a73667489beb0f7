"""Plausible request values generated from Stripe's published description, for the
parameter-echo test (test_param_echo.py).

`sample(param_schema, response_schema, name)` builds a value for a request parameter
(its schema from connect_sandbox/params/spec.json) that maps 1:1 onto the same-named
property of the returned object (its schema from tests/data/stripe_schemas.json):
strings, enums (the first value), integers, booleans, arrays, and nested hashes,
keeping only the keys of a hash that the response documents under the same name.
It returns NOTHING when the parameter has no same-named counterpart of a compatible
type (the caller lists those parameters as justified exceptions).

`echoed(sent, got)` says where a returned value differs from what was sent: every
leaf sent must come back at the same place (hashes may carry more keys).
"""
from __future__ import annotations

import json
from functools import lru_cache
from pathlib import Path
from typing import Any

DATA = Path(__file__).resolve().parent.parent / "data" / "stripe_schemas.json"
NOTHING = object()

# Values for strings whose name says what they hold (a generic string would be refused).
_BY_NAME = {
    "email": "echo@example.com", "receipt_email": "echo@example.com",
    "support_email": "support@example.com", "instructions_email": "echo@example.com",
    "url": "https://example.com/echo", "support_url": "https://example.com/support",
    "return_url": "https://example.com/return", "phone": "+15555550123",
    "support_phone": "+15555550123", "country": "US", "currency": "usd",
    "default_currency": "usd", "statement_descriptor": "ECHO TEST",
    "statement_descriptor_suffix": "ECHO", "statement_descriptor_prefix": "ECHO",
    "mcc": "5734", "ip": "203.0.113.7", "ip_address": "203.0.113.7",
    "postal_code": "94107", "state": "CA", "city": "San Francisco", "line1": "1 Echo St",
    "line2": "Suite 2", "routing_number": "110000000", "primary_color": "#123456",
    "secondary_color": "#654321", "timezone": "America/Los_Angeles",
    "preferred_locales": "en", "nationality": "US", "tax_id_registrar": "US",
    "invoice_prefix": "ECHO01", "user_agent": "echo-agent/1.0",
    "service_agreement": "full", "api_version": "2023-08-16",
}
_INT_BY_NAME = {"exp_month": 11, "exp_year": 2031, "day": 15, "month": 6, "year": 1980,
                "delay_days": 7, "monthly_anchor": 15, "count": 3, "interval_count": 1,
                "amount": 1234, "balance": 77, "next_invoice_sequence": 7, "date": 1700000000,
                "start_date": 1700000000, "end_date": 1900000000}


@lru_cache(maxsize=1)
def _schemas() -> dict[str, Any]:
    return json.loads(DATA.read_text())["schemas"]


def response_property(obj: str, prop: str) -> Any:
    node = _schemas()[obj].get("properties", {}).get(prop)
    return NOTHING if node is None else node


def _resolve(node: Any) -> list[dict[str, Any]]:
    """The concrete alternatives of a response schema node ($ref and anyOf followed)."""
    if not isinstance(node, dict):
        return []
    if "$ref" in node:
        return _resolve(_schemas()[node["$ref"].rsplit("/", 1)[-1]])
    if "anyOf" in node:
        out: list[dict[str, Any]] = []
        for alt in node["anyOf"]:
            out.extend(_resolve(alt))
        return out
    return [node]


def _alternatives(node: dict[str, Any]) -> list[dict[str, Any]]:
    if "anyOf" in node:
        out: list[dict[str, Any]] = []
        for alt in node["anyOf"]:
            out.extend(_alternatives(alt))
        return out
    if node.get("enum") == [""]:
        return []  # the "unset" spelling
    return [node]


def _of_type(response: Any, t: str) -> list[dict[str, Any]]:
    return [r for r in _resolve(response) if r.get("type") == t]


def sample(param: dict[str, Any], response: Any, name: str,
           skip: tuple[str, ...] = (), path: str = "") -> Any:
    """A value for `param` that the response documents under the same name."""
    for alt in _alternatives(param):
        value = _sample_one(alt, response, name, skip, path)
        if value is not NOTHING:
            return value
    return NOTHING


def _sample_one(param: dict[str, Any], response: Any, name: str,
                skip: tuple[str, ...], path: str) -> Any:
    t = param.get("type")
    if t == "object" or "properties" in param or "additionalProperties" in param:
        targets = _of_type(response, "object")
        if not targets:
            return NOTHING
        target = targets[0]
        if "properties" not in param:  # a free-form hash (metadata)
            return {"echo_key": "echo value"} if "additionalProperties" in target else NOTHING
        out = {}
        for key, sub in param["properties"].items():
            sub_path = f"{path}.{key}" if path else key
            if sub_path in skip or key not in target.get("properties", {}):
                continue
            value = sample(sub, target["properties"][key], key, skip, sub_path)
            if value is not NOTHING:
                out[key] = value
        return out or NOTHING
    if t == "array":
        targets = _of_type(response, "array")
        if not targets:
            return NOTHING
        value = sample(param.get("items", {"type": "string"}), targets[0].get("items", {}),
                       name, skip, path)
        return NOTHING if value is NOTHING else [value]
    if t in ("integer", "number"):
        if not (_of_type(response, "integer") or _of_type(response, "number")):
            return NOTHING
        return _INT_BY_NAME.get(name, 7)
    if t == "boolean":
        return True if _of_type(response, "boolean") else NOTHING
    if t == "string" or "enum" in param:
        targets = _of_type(response, "string")
        if not targets:
            return NOTHING
        enum = [e for e in param.get("enum", ()) if e != ""]
        if enum:
            allowed = targets[0].get("enum")
            choices = [e for e in enum if allowed is None or e in allowed]
            return choices[0] if choices else NOTHING
        value = _BY_NAME.get(name, f"echo {name}")
        return value[:param["maxLength"]] if param.get("maxLength") else value
    return NOTHING


def merge(base: Any, extra: Any) -> Any:
    """`extra` laid over `base` (hashes merged key by key)."""
    if isinstance(base, dict) and isinstance(extra, dict):
        out = dict(base)
        for k, v in extra.items():
            out[k] = merge(base.get(k), v) if k in base else v
        return out
    return extra


def echoed(sent: Any, got: Any, where: str = "") -> list[str]:
    """The places where `got` does not carry what was `sent`."""
    if isinstance(sent, dict):
        if not isinstance(got, dict):
            return [f"{where or '<value>'}: sent a hash, got {got!r}"[:300]]
        out: list[str] = []
        for k, v in sent.items():
            out += echoed(v, got.get(k), f"{where}[{k}]" if where else k)
        return out
    if isinstance(sent, list):
        if not isinstance(got, list) or len(got) != len(sent):
            return [f"{where}: sent {sent!r}, got {got!r}"[:300]]
        out = []
        for i, (s, g) in enumerate(zip(sent, got)):
            out += echoed(s, g, f"{where}[{i}]")
        return out
    return [] if sent == got else [f"{where}: sent {sent!r}, got {got!r}"[:300]]
