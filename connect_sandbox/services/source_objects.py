"""Source objects (src_...): POST /v1/sources (a card Source from a token or raw card
details, or a clone of a platform customer's card or Source onto a connected account),
retrieve, update; attaching to and detaching from customers (through
/v1/customers/{id}/sources) and the rules for charging them.

A Source not attached to a customer, or a single_use one, is consumed by its first
charge; a detached Source is consumed too."""
from __future__ import annotations

from typing import Any

from ..context import RequestContext
from ..domain import methods, tokenize
from ..domain import metadata as md
from ..domain.testcards import DECLINES
from ..errors import (CardError, InvalidRequestError, PermissionError_, ResourceMissing,
                      missing_param, no_linked_source)
from ..http.auth import PUBLISHABLE
from ..params import Params
from ..store import Tx
from . import events, passthrough


def get(tx: Tx, account: str, source_id: str, *, param: str = "id",
        for_update: bool = False) -> dict[str, Any]:
    src = tx.get(account, source_id, "source", for_update=for_update)
    if src is None:
        raise ResourceMissing("source", source_id, param=param)
    return src


def _save(tx: Tx, account: str, src: dict[str, Any]) -> None:
    methods.tidy_source(src)
    tx.save(account, src, parent=src.get("customer"), keep_index=False)


def _not_chargeable(src: dict[str, Any], param: str) -> InvalidRequestError:
    return InvalidRequestError(
        f"The source you provided is not in a chargeable state (its status is "
        f"{src['status']}).", param=param, code="source_unavailable")


# -- POST /v1/sources ------------------------------------------------------------------

def create(tx: Tx, ctx: RequestContext, params: Params) -> dict[str, Any]:
    if params.get("original_source") or params.get("customer"):
        if ctx.publishable:
            raise PermissionError_(PUBLISHABLE)  # as the pipeline does for pk_ keys
        return _clone(tx, ctx, params)
    type_ = params.get("type")
    if not type_:
        raise missing_param("type")
    if type_ != "card":
        raise InvalidRequestError(
            f"connect-sandbox creates Sources of type card only (got {type_}).", param="type")
    usage = params.get("usage") or "reusable"
    if params.get("token"):
        from . import tokens
        card = tokens.consume(tx, ctx, params["token"], "token")
        card.pop("_token", None)
        if card.get("object") != "card":
            raise InvalidRequestError("A card Source needs a card token.", param="token")
    elif params.get("card"):
        raw = {k: v for k, v in params["card"].items() if k != "object"}
        card = tokenize.card_from_params(raw, ctx.platform, ctx.now, param_prefix="card")
    else:
        raise InvalidRequestError("Missing required param: card (or token) for a Source of "
                                  "type card.", param="card", code="parameter_missing")
    src = methods.source_from_card(card, ctx.now, usage=usage, owner=params.get("owner"),
                                   metadata=md.merge({}, params.get("metadata") or {}))
    passthrough.apply(src, params, ("amount", "currency", "statement_descriptor"))
    tx.insert(ctx.account, src)
    return src


def _clone(tx: Tx, ctx: RequestContext, params: Params) -> dict[str, Any]:
    """Share a platform customer's card_ or src_ with a connected account as a new src_.
    `customer` is needed unless the original is a Source (Stripe: "Must be set when the
    original source is not a `Source` (e.g., `Card`)")."""
    from . import lineage, sources
    if not ctx.connected:
        raise InvalidRequestError(
            "`customer` and `original_source` clone a platform customer's source onto a "
            "connected account: make this request with the Stripe-Account header.",
            param="original_source")
    customer_id = params.get("customer")
    original_id = params.get("original_source")
    if not original_id:
        raise missing_param("original_source")
    if customer_id:
        if tx.get(ctx.platform, customer_id, "customer") is None:
            raise ResourceMissing("customer", customer_id, param="customer")
        original = sources.find(tx, ctx, customer_id, original_id, account=ctx.platform)
        if original is None or original["object"] not in ("card", "source"):
            raise no_linked_source(customer_id, original_id, "original_source")
    elif original_id.startswith("src_"):
        original = get(tx, ctx.platform, original_id, param="original_source")
        customer_id = original.get("customer")
    else:
        raise missing_param("customer")
    usage = params.get("usage") or "reusable"
    if original["object"] == "card":
        clone = methods.source_from_card(original, ctx.now, usage=usage)
        clone["_cloned_from"] = {"account": ctx.platform, "customer": customer_id,
                                 "source": original["id"]}
    else:
        if original.get("type") != "card":
            raise InvalidRequestError("Only card Sources can be shared with connected "
                                      "accounts.", param="original_source")
        if original["status"] != "chargeable":  # a used or detached Source stays used up
            raise _not_chargeable(original, "original_source")
        clone = methods.clone_source(original, ctx.now, platform=ctx.platform,
                                     customer=customer_id, usage=usage)
    if params.get("owner"):
        clone["owner"] = methods.merge_owner(clone["owner"] or {}, params["owner"])
    if params.has("metadata"):
        clone["metadata"] = md.merge({}, params["metadata"])
    tx.insert(ctx.account, clone)
    lineage.record_clone(tx, ctx, clone)
    return clone


def retrieve(tx: Tx, ctx: RequestContext, params: Params, source: str) -> dict[str, Any]:
    src = get(tx, ctx.account, source)
    if ctx.publishable and params.get("client_secret") != src.get("client_secret"):
        raise InvalidRequestError("The client_secret provided does not match the "
                                  "client_secret associated with the source.",
                                  param="client_secret")
    return src


def update(tx: Tx, ctx: RequestContext, params: Params, source: str) -> dict[str, Any]:
    src = get(tx, ctx.account, source, for_update=True)
    if params.has("owner"):
        src["owner"] = methods.merge_owner(src.get("owner") or {}, params["owner"])
    if params.has("metadata"):
        src["metadata"] = md.merge(src.get("metadata"), params["metadata"])
    passthrough.apply(src, params, ("amount", "mandate", "source_order"))
    _save(tx, ctx.account, src)
    return src


# -- used by /v1/customers/{id}/sources and by charges -----------------------------------

def attach_to_customer(tx: Tx, ctx: RequestContext, cus: dict[str, Any], source_id: str, *,
                       param: str = "source") -> dict[str, Any]:
    src = get(tx, ctx.account, source_id, param=param, for_update=True)
    if src.get("customer") == cus["id"]:
        return src
    if src.get("customer"):
        raise InvalidRequestError(
            f"The source {source_id} is already attached to customer {src['customer']}.",
            param=param)
    if src["status"] != "chargeable":
        raise _not_chargeable(src, param)
    outcome = src.get("_behaviour", {}).get("attach", "ok")
    if outcome != "ok":
        d = DECLINES[outcome]
        raise CardError(d.message, code=d.code, decline_code=d.decline_code, param=d.param,
                        persist=False)
    src["customer"] = cus["id"]
    _save(tx, ctx.account, src)
    events.record(tx, ctx, "customer.source.created", src)
    if not cus.get("default_source"):
        cus["default_source"] = src["id"]
        tx.save(ctx.account, cus)
    return src


def check_usable(src: dict[str, Any], customer: str | None, param: str) -> None:
    if src["status"] != "chargeable":
        raise _not_chargeable(src, param)
    if src.get("customer") and src["customer"] != customer:
        raise InvalidRequestError(
            f"The source {src['id']} belongs to customer {src['customer']}. Pass "
            f"customer={src['customer']} along with it to charge it.", param="customer")


def for_charge(tx: Tx, ctx: RequestContext, source_id: str, *,
               customer: str | None, param: str = "source") -> dict[str, Any]:
    """The Source to charge; consumes it when it is single-use or not attached."""
    src = get(tx, ctx.account, source_id, param=param, for_update=True)
    check_usable(src, customer, param)
    if src.get("usage") == "single_use" or not src.get("customer"):
        src["status"] = "consumed"
        _save(tx, ctx.account, src)
    return src


def detach(tx: Tx, ctx: RequestContext, source: dict[str, Any]) -> None:
    """Detaching a Source consumes it (the caller records customer.source.deleted)."""
    source["customer"] = None
    source["status"] = "consumed"
    _save(tx, ctx.account, source)
