"""`expand[]`: replace ids by the objects they name, up to four levels deep.

Paths are dotted (`customer.default_source`); on lists they start with `data.`.
Some expandable properties are not stored as ids but computed when asked for (a
customer's `sources`, a charge's `refunds`): services register those in VIRTUAL.

Ids are looked up in the acting account, then its platform. A virtual expansion may
return an object of one of the platform's connected accounts (a transfer's
`destination_payment`); it marks it with `owned()`, and the ids inside that object
are then looked up in that account first, as Stripe resolves nested paths
(`destination_payment.balance_transaction`).
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


def owned(obj: dict[str, Any] | None, account: str) -> dict[str, Any] | None:
    """Mark an object a virtual expansion read from `account` (see the module doc)."""
    if obj is not None:
        obj["_account"] = account
    return obj


def load_any(tx: Tx, ctx: RequestContext, obj_id: str,
             home: str | None = None) -> dict[str, Any] | None:
    """Find an object the caller may see: in `home` (the account of the object being
    expanded, when a virtual expansion brought it in), the acting account, the platform."""
    obj = tx.get(home, obj_id) if home not in (None, ctx.account) else None
    if obj is None:
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
    return _apply(tx, ctx, obj, tree, "", None)


def _apply(tx: Tx, ctx: RequestContext, obj: Any, tree: dict[str, Any], prefix: str,
           home: str | None) -> Any:
    if not isinstance(obj, dict):
        return obj
    home = obj.get("_account", home)
    if obj.get("object") == "list" and "data" in tree and "data" not in obj.get("_fields", ()):
        obj = dict(obj)
        obj["data"] = [_apply(tx, ctx, item, tree["data"], prefix + "data.", home)
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
            loaded = load_any(tx, ctx, value, home)
            if loaded is None:
                continue  # an id the caller cannot see stays an id
            value = loaded
        elif value is _MISSING:
            if _expandable(obj.get("object"), prop, described=True):
                continue  # documented as expandable, shown only where it applies
            raise InvalidRequestError(f"This property cannot be expanded ({full}).",
                                      param="expand")
        if sub:
            if isinstance(value, list):
                value = [_apply(tx, ctx, v, sub, full + ".", home) for v in value]
            else:
                value = _apply(tx, ctx, value, sub, full + ".", home)
        obj[prop] = value
    return obj


_MISSING = object()


def _expandable(obj_type: Any, prop: str, *, described: bool = False) -> bool:
    """Whether Stripe's description lists `prop` as expandable on `obj_type` (objects it
    does not describe are not checked, unless `described` asks for a listed property)."""
    from ..params.validate import object_schema
    try:
        allowed = object_schema(obj_type).get("expandable")
    except (KeyError, TypeError):
        return not described
    return (allowed is None and not described) or (allowed is not None and prop in allowed)
