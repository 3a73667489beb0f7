"""Blank objects with every documented property, from Stripe's published schema.

Stripe returns unset properties as null; starting every object from its blank
makes sure none is forgotten. Fields the schema types as non-null lists or hashes
get their empty value.
"""
from __future__ import annotations

import copy
from functools import lru_cache
from typing import Any

from ..params.validate import object_schema


@lru_cache(maxsize=None)
def _blank(name: str) -> dict[str, Any]:
    schema = object_schema(name)
    out: dict[str, Any] = {}
    for prop, node in schema.get("properties", {}).items():
        out[prop] = None
        if not node.get("nullable"):
            t = node.get("type")
            if t == "array":
                out[prop] = []
            elif t == "object" and "additionalProperties" in node:
                out[prop] = {}
            elif t == "boolean":
                out[prop] = False
    if "object" in out:
        out["object"] = name
    if "livemode" in out:
        out["livemode"] = False
    return out


def blank(object_name: str, /, **values: Any) -> dict[str, Any]:
    obj = copy.deepcopy(_blank(object_name))
    obj.update(values)
    return obj


def list_of(url: str, data: list[dict[str, Any]] | None = None) -> dict[str, Any]:
    data = data or []
    return {"object": "list", "data": data, "has_more": False, "total_count": len(data),
            "url": url}
