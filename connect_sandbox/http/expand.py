"""`expand[]`: replace ids by the objects they name, up to four levels deep.

Paths are dotted (`customer.default_source`); on lists they start with `data.`.
Some expandable properties are not stored as ids but computed when asked for (a
customer's `sources`, a charge's `refunds`): services register those in VIRTUAL.
"""
from __future__ import annotations

from typing import Any, Callable

from ..context import RequestContext
from ..errors import InvalidRequestError
from ..store import Tx

MAX_DEPTH = 4
# (object type, property) -> function computing the expanded value
VIRTUAL: dict[tuple[str, str], Callable[[Tx, RequestContext, dict[str, Any]], Any]] = {}


def virtual(obj_type: str, prop: str):
    def register(fn):
        VIRTUAL[(obj_type, prop)] = fn
        return fn
    return register


def load_any(tx: Tx, ctx: RequestContext, obj_id: str) -> dict[str, Any] | None:
    """Find an object the caller may see: in the acting account, then the platform."""
    obj = tx.get(ctx.account, obj_id)
    if obj is None and ctx.account != ctx.platform:
        obj = tx.get(ctx.platform, obj_id)
    if obj is None and obj_id.startswith("acct_"):
        if obj_id in (ctx.platform, ctx.account):
            obj = tx.get(obj_id, obj_id, "account") or tx.get(ctx.platform, obj_id, "account")
        else:
            obj = tx.get(ctx.platform, obj_id, "account")
    return obj


def expand(tx: Tx, ctx: RequestContext, obj: dict[str, Any], paths: list[str]) -> dict[str, Any]:
    if not paths:
        return obj
    tree: dict[str, Any] = {}
    for path in paths:
        parts = path.split(".")
        depth = len(parts) - (1 if parts[0] == "data" and obj.get("object") == "list" else 0)
        if depth > MAX_DEPTH:
            raise InvalidRequestError(
                f"You cannot expand more than {MAX_DEPTH} levels of a property. "
                f"Property: {path}", param="expand")
        node = tree
        for part in parts:
            node = node.setdefault(part, {})
    return _apply(tx, ctx, obj, tree, "")


def _apply(tx: Tx, ctx: RequestContext, obj: Any, tree: dict[str, Any], prefix: str) -> Any:
    if not isinstance(obj, dict):
        return obj
    if obj.get("object") == "list" and "data" in tree and "data" not in obj.get("_fields", ()):
        obj = dict(obj)
        obj["data"] = [_apply(tx, ctx, item, tree["data"], prefix + "data.")
                       for item in obj["data"]]
        return obj
    obj = dict(obj)
    for prop, sub in tree.items():
        full = prefix + prop
        value = obj.get(prop, _MISSING)
        fn = VIRTUAL.get((obj.get("object"), prop))
        if fn is None and not _expandable(obj.get("object"), prop):
            raise InvalidRequestError(f"This property cannot be expanded ({full}).",
                                      param="expand")
        if fn is not None and (value is _MISSING or isinstance(value, (str, type(None)))
                               or (isinstance(value, dict) and value.get("object") == "list")):
            value = fn(tx, ctx, obj)
        elif isinstance(value, str):
            loaded = load_any(tx, ctx, value)
            if loaded is None:
                continue  # an id the caller cannot see stays an id
            value = loaded
        elif value is _MISSING:
            raise InvalidRequestError(f"This property cannot be expanded ({full}).",
                                      param="expand")
        if sub:
            if isinstance(value, list):
                value = [_apply(tx, ctx, v, sub, full + ".") for v in value]
            else:
                value = _apply(tx, ctx, value, sub, full + ".")
        obj[prop] = value
    return obj


_MISSING = object()


def _expandable(obj_type: Any, prop: str) -> bool:
    """Whether Stripe's description lists `prop` as expandable on `obj_type` (objects it
    does not describe are not checked)."""
    from ..params.validate import object_schema
    try:
        allowed = object_schema(obj_type).get("expandable")
    except (KeyError, TypeError):
        return True
    return allowed is None or prop in allowed
