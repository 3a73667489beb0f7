"""Validate API responses against Stripe's published object schemas (a subset of the
OpenAPI description in tests/data/stripe_schemas.json).

OpenAPI 3.0 marks optional nulls with `nullable: true`; JSON Schema needs that written
as anyOf [schema, null]. References point into the same file. Responses carry newer
API versions' fields on top of the 2023-08-16 description; extra properties are
allowed, as the description allows them.
"""
from __future__ import annotations

import json
import threading
from collections import defaultdict
from functools import lru_cache
from pathlib import Path
from typing import Any

import jsonschema
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012

DATA = Path(__file__).resolve().parent / "data" / "stripe_schemas.json"

# object name (+ "deleted") -> schema name
_DELETED = {"customer": "deleted_customer", "account": "deleted_account",
            "webhook_endpoint": "deleted_webhook_endpoint",
            "card": "deleted_payment_source", "bank_account": "deleted_payment_source"}


def _convert(node: Any) -> Any:
    if isinstance(node, dict):
        out = {}
        for k, v in node.items():
            if k == "nullable":
                continue
            if k == "$ref":
                out[k] = "urn:stripe:" + v.rsplit("/", 1)[-1]
                continue
            out[k] = _convert(v)
        if node.get("nullable"):
            return {"anyOf": [out, {"type": "null"}]}
        return out
    if isinstance(node, list):
        return [_convert(v) for v in node]
    return node


@lru_cache(maxsize=1)
def _load() -> tuple[dict[str, Any], Registry]:
    raw = json.loads(DATA.read_text())["schemas"]
    converted = {name: _convert(schema) for name, schema in raw.items()}
    registry = Registry().with_resources(
        (f"urn:stripe:{name}", Resource.from_contents(schema, default_specification=DRAFT202012))
        for name, schema in converted.items())
    return converted, registry


@lru_cache(maxsize=None)
def _validator(name: str) -> jsonschema.Draft202012Validator:
    schemas, registry = _load()
    return jsonschema.Draft202012Validator(schemas[name], registry=registry)


def schema_name(obj: dict[str, Any]) -> str | None:
    kind = obj.get("object")
    if not isinstance(kind, str):
        return None
    if obj.get("deleted") is True:
        return _DELETED.get(kind)
    schemas, _ = _load()
    return kind if kind in schemas else None


# Nullable in the 2023-08-16 description, but shown only when expanded since API version
# 2022-11-15 (the SDKs send a newer version): counted as conditional.
INCLUDABLE = {("charge", "refunds"), ("customer", "cash_balance"),
              ("customer", "invoice_credit_balance")}
# Shown only on an account's external cards and bank accounts (payout destinations), not
# on a customer's or a token's: counted as conditional too.
INCLUDABLE |= {("card", p) for p in ("account", "available_payout_methods", "currency",
                                     "default_for_currency", "status")}
INCLUDABLE |= {("bank_account", p) for p in ("account", "available_payout_methods",
                                             "default_for_currency", "future_requirements",
                                             "requirements")}


@lru_cache(maxsize=None)
def documented_properties(name: str) -> tuple[frozenset[str], frozenset[str]]:
    """(always present, conditional): Stripe returns required, nullable and list/hash
    properties on every object; the other optional ones only when they apply (a
    destination charge's `transfer`) or when expanded (a customer's `sources`)."""
    schema = json.loads(DATA.read_text())["schemas"][name]
    required = set(schema.get("required", ()))
    always, conditional = set(), set()
    for prop, node in schema.get("properties", {}).items():
        if (name, prop) in INCLUDABLE:
            conditional.add(prop)
        elif prop in required or node.get("nullable") or node.get("type") in ("array",) or (
                node.get("type") == "object" and "additionalProperties" in node):
            always.add(prop)
        else:
            conditional.add(prop)
    return frozenset(always), frozenset(conditional)


class Recorder:
    """Collects validation errors and property coverage across a test session."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.errors: list[str] = []
        self.distinct: dict[str, int] = defaultdict(int)
        self.validated = 0
        self.present: dict[str, int] = defaultdict(int)
        self.expected: dict[str, int] = defaultdict(int)
        self.missing: dict[str, set[str]] = defaultdict(set)
        self.conditional: dict[str, set[str]] = defaultdict(set)
        self.unvalidated: set[str] = set()

    def check_body(self, path: str, body: Any) -> None:
        if not isinstance(body, dict) or "error" in body:
            return
        items = body["data"] if body.get("object") in ("list", "search_result") and isinstance(
            body.get("data"), list) else [body]
        for obj in items:
            if isinstance(obj, dict):
                self.check_object(path, obj)

    def check_object(self, path: str, obj: dict[str, Any]) -> None:
        name = schema_name(obj)
        if name is None:
            with self.lock:
                self.unvalidated.add(str(obj.get("object")))
            return
        errors = sorted(_validator(name).iter_errors(obj), key=lambda e: list(e.path))
        props, conditional = documented_properties(name)
        missing = props - set(obj)
        with self.lock:
            self.validated += 1
            self.expected[name] += len(props)
            self.present[name] += len(props) - len(missing)
            self.missing[name].update(missing)
            self.conditional[name].update(conditional - set(obj))
            for err in errors[:3]:
                where = ".".join(str(p) for p in err.absolute_path) or "<object>"
                self.errors.append(f"{path}: {name}.{where}: {err.message[:300]}")
                generic = ".".join("N" if isinstance(p, int) else str(p)
                                   for p in err.absolute_path)
                self.distinct[f"{name}.{generic}: {err.message[:200]}"] += 1

    def report(self) -> str:
        lines = [f"schema check: {self.validated} objects validated, "
                 f"{len(self.errors)} schema errors"]
        total_present = sum(self.present.values())
        total = sum(self.expected.values())
        lines.append(f"  documented properties present: {100.0 * total_present / max(1, total):.1f}%"
                     " (required, nullable and list properties of every validated object)")
        for name in sorted(self.expected):
            share = 100.0 * self.present[name] / self.expected[name] if self.expected[name] \
                else 100.0
            miss = ", ".join(sorted(self.missing[name])[:8])
            cond = ", ".join(sorted(self.conditional[name])[:8])
            lines.append(f"  {name:26s} {share:5.1f}%" + (f" missing: {miss}" if miss else "")
                         + (f" | absent unless they apply: {cond}" if cond else ""))
        if self.unvalidated:
            lines.append("  no schema for: " + ", ".join(sorted(self.unvalidated)))
        return "\n".join(lines)


class ValidatingApp:
    """ASGI middleware for the test server: records every JSON response of /v1/."""

    def __init__(self, app: Any, recorder: Recorder):
        self.app = app
        self.recorder = recorder

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http" or not scope["path"].startswith("/v1/"):
            return await self.app(scope, receive, send)
        chunks: list[bytes] = []
        status = 0

        async def capture(message):
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            elif message["type"] == "http.response.body":
                chunks.append(message.get("body", b""))
                if not message.get("more_body") and status == 200:
                    try:
                        body = json.loads(b"".join(chunks))
                    except ValueError:
                        body = None
                    self.recorder.check_body(scope["path"], body)
            await send(message)
        await self.app(scope, receive, capture)
