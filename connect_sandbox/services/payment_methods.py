"""PaymentMethods: create (raw card, card[token], pm_card_* shorthands), clone a
platform customer's PaymentMethod onto a connected account, retrieve, update, list,
attach, detach, and /v1/customers/{customer}/payment_methods.

Stored with parent = the customer it is attached to and lookup = its type, so a
customer's methods and a type filter are both index lookups."""
from __future__ import annotations

from typing import Any

from ..context import RequestContext
from ..domain import methods, testcards, tokenize
from ..domain import metadata as md
from ..domain.testcards import DECLINES
from ..errors import (CardError, InvalidRequestError, PermissionError_, ResourceMissing,
                      missing_param)
from ..http.auth import PUBLISHABLE
from ..http.pagination import page
from ..params import Params
from ..store import Tx
from . import events, lineage, passthrough, tokens

USED_BY_INTENT = (
    "The provided PaymentMethod was previously used with a PaymentIntent without Customer "
    "attachment, shared with a connected account without Customer attachment, or was "
    "detached from a Customer. It may not be used again. To use a PaymentMethod multiple "
    "times, you must attach it to a Customer first.")
USED_ON_ATTACH = ("This PaymentMethod was previously used without being attached to a "
                  "Customer or was detached from a Customer, and may not be used again.")


def get(tx: Tx, account: str, pm_id: str, *, param: str = "id",
        for_update: bool = False) -> dict[str, Any]:
    pm = tx.get(account, pm_id, "payment_method", for_update=for_update)
    if pm is None:
        raise ResourceMissing("PaymentMethod", pm_id, param=param)
    return pm


def save(tx: Tx, account: str, pm: dict[str, Any]) -> None:
    tx.save(account, pm, parent=pm.get("customer"), lookup=pm["type"], keep_index=False)


def mint(tx: Tx, ctx: RequestContext, shorthand: str, *,
         account: str | None = None) -> dict[str, Any]:
    """A fresh PaymentMethod for a pm_card_* test shorthand (a new pm_ every use)."""
    card = tokenize.test_card_object(testcards.TEST_PAYMENT_METHODS[shorthand], ctx.platform,
                                     ctx.now)
    pm = methods.payment_method_from_card(card, ctx.now)
    tx.insert(account or ctx.account, pm, lookup=pm["type"])
    return pm


def load(tx: Tx, ctx: RequestContext, pm_id: str, *, param: str = "payment_method",
         account: str | None = None, for_update: bool = False) -> dict[str, Any]:
    """A stored PaymentMethod, or a freshly minted one for a pm_card_* shorthand."""
    if pm_id in testcards.TEST_PAYMENT_METHODS:
        return mint(tx, ctx, pm_id, account=account)
    return get(tx, account or ctx.account, pm_id, param=param, for_update=for_update)


# -- create and clone ------------------------------------------------------------------

def _card_from(tx: Tx, ctx: RequestContext, card: Any) -> dict[str, Any]:
    if not card:
        raise missing_param("card")
    if "token" in card:
        obj = tokens.consume(tx, ctx, card["token"], "card[token]")
        obj.pop("_token", None)
        if obj.get("object") != "card":
            raise InvalidRequestError("The token must be a card token to create a card "
                                      "PaymentMethod.", param="card[token]")
        return obj
    try:
        return tokenize.card_from_params(card, ctx.platform, ctx.now, param_prefix="card")
    except CardError as exc:
        if exc.param and not exc.param.startswith("card["):
            exc.param = f"card[{exc.param}]"
        raise


def create(tx: Tx, ctx: RequestContext, params: Params) -> dict[str, Any]:
    if params.get("payment_method") or params.get("customer"):
        if ctx.publishable:
            raise PermissionError_(PUBLISHABLE)  # as the pipeline does for pk_ keys
        return clone(tx, ctx, params)
    type_ = params.get("type")
    if not type_:
        raise missing_param("type")
    if type_ != "card":
        raise InvalidRequestError(
            f"connect-sandbox creates PaymentMethods of type card only (got {type_}).",
            param="type")
    card = _card_from(tx, ctx, params.get("card"))
    pm = methods.payment_method_from_card(card, ctx.now, billing=params.get("billing_details"))
    passthrough.apply(pm, params, ("radar_options", "allow_redisplay"))
    if params.has("metadata"):
        pm["metadata"] = md.merge({}, params["metadata"])
    tx.insert(ctx.account, pm, lookup=pm["type"])
    return pm


def clone(tx: Tx, ctx: RequestContext, params: Params) -> dict[str, Any]:
    """Clone a platform PaymentMethod onto the connected account (Stripe-Account header):
    a new, unattached pm_ with the same card and fingerprint."""
    pm_id = params.get("payment_method")
    if not pm_id:
        raise missing_param("payment_method")
    if not ctx.connected:
        raise InvalidRequestError(
            "`customer` and `payment_method` clone a platform PaymentMethod onto a connected "
            "account: make this request with the Stripe-Account header.",
            param="payment_method")
    customer_id = params.get("customer") or None
    if customer_id is not None and not tx.exists(ctx.platform, customer_id, "customer"):
        raise ResourceMissing("customer", customer_id, param="customer")
    original = load(tx, ctx, pm_id, account=ctx.platform, for_update=True)
    if customer_id is not None and original.get("customer") != customer_id:
        raise InvalidRequestError(
            f"The customer does not have a payment method with the ID {pm_id}. The payment "
            "method must be attached to the customer.", param="payment_method")
    if customer_id is None and original.get("customer"):
        raise InvalidRequestError(
            f"The PaymentMethod {pm_id} is attached to a Customer; to clone it, pass that "
            "Customer's ID as `customer`.", param="customer", code="parameter_missing")
    if original["type"] not in ("card", "us_bank_account"):
        raise InvalidRequestError(
            f"PaymentMethods of type {original['type']} cannot be cloned: only card and "
            "us_bank_account PaymentMethods can be shared with connected accounts.",
            param="payment_method")
    if original.get("_consumed"):
        raise InvalidRequestError(USED_BY_INTENT, param="payment_method")
    if not original.get("customer"):
        original["_consumed"] = True  # shared without a customer: used up
        save(tx, ctx.platform, original)
    copy_ = methods.clone_payment_method(original, ctx.now, platform=ctx.platform,
                                         customer=customer_id)
    if params.has("metadata"):
        copy_["metadata"] = md.merge({}, params["metadata"])
    tx.insert(ctx.account, copy_, lookup=copy_["type"])
    lineage.record_clone(tx, ctx, copy_)
    return copy_


# -- read, update, list ------------------------------------------------------------------

def retrieve(tx: Tx, ctx: RequestContext, params: Params, payment_method: str) -> dict[str, Any]:
    return get(tx, ctx.account, payment_method)


def update(tx: Tx, ctx: RequestContext, params: Params, payment_method: str) -> dict[str, Any]:
    pm = get(tx, ctx.account, payment_method, for_update=True)
    if not pm.get("customer"):
        raise InvalidRequestError("You must save this PaymentMethod to a customer before you "
                                  "can update it.")
    previous: dict[str, Any] = {}
    if params.has("billing_details"):
        previous["billing_details"] = pm["billing_details"]
        pm["billing_details"] = methods.billing_details(params["billing_details"],
                                                        pm["billing_details"])
    if params.has("metadata"):
        previous["metadata"] = pm["metadata"]
        pm["metadata"] = md.merge(pm["metadata"], params["metadata"])
    if params.get("allow_redisplay"):
        previous["allow_redisplay"] = pm.get("allow_redisplay")
        pm["allow_redisplay"] = params["allow_redisplay"]
    card = params.get("card") or {}
    if card and pm["type"] != "card":
        raise InvalidRequestError("Only card PaymentMethods have card details to update.",
                                  param="card")
    if card:
        previous["card"] = dict(pm["card"])
        month = card.get("exp_month", pm["card"]["exp_month"])
        year = card.get("exp_year", pm["card"]["exp_year"])
        if year < 100:
            year += 2000
        if not 1 <= month <= 12:
            raise CardError("Your card's expiration month is invalid.",
                            code="invalid_expiry_month", param="card[exp_month]", persist=False)
        if not 2000 <= year <= 2100:
            raise CardError("Your card's expiration year is invalid.",
                            code="invalid_expiry_year", param="card[exp_year]", persist=False)
        pm["card"].update(exp_month=month, exp_year=year)
    save(tx, ctx.account, pm)
    changed = {k: v for k, v in previous.items() if pm.get(k) != v}
    if changed:
        events.record(tx, ctx, "payment_method.updated", pm, previous=changed)
    return pm


def list_(tx: Tx, ctx: RequestContext, params: Params) -> dict[str, Any]:
    customer = params.get("customer") or None
    if customer is not None and tx.get(ctx.account, customer, "customer") is None:
        raise ResourceMissing("customer", customer, param="customer")
    return page(tx, ctx.account, "payment_method", params, "/v1/payment_methods",
                parent=customer, lookup=params.get("type") or None, kind="PaymentMethod")


def list_for_customer(tx: Tx, ctx: RequestContext, params: Params,
                      customer: str) -> dict[str, Any]:
    if tx.get(ctx.account, customer, "customer") is None:
        raise ResourceMissing("customer", customer)
    redisplay = params.get("allow_redisplay")
    keep = (lambda pm: pm.get("allow_redisplay", "unspecified") == redisplay) \
        if redisplay else None
    return page(tx, ctx.account, "payment_method", params,
                f"/v1/customers/{customer}/payment_methods", parent=customer,
                lookup=params.get("type") or None, kind="PaymentMethod", keep=keep)


def retrieve_for_customer(tx: Tx, ctx: RequestContext, params: Params, customer: str,
                          payment_method: str) -> dict[str, Any]:
    if tx.get(ctx.account, customer, "customer") is None:
        raise ResourceMissing("customer", customer)
    pm = get(tx, ctx.account, payment_method)
    if pm.get("customer") != customer:
        raise ResourceMissing("PaymentMethod", payment_method)
    return pm


# -- attach and detach -----------------------------------------------------------------

def attach(tx: Tx, ctx: RequestContext, params: Params, payment_method: str) -> dict[str, Any]:
    customer = params["customer"]
    cus = tx.get(ctx.account, customer, "customer")
    if cus is None:
        raise ResourceMissing("customer", customer, param="customer")
    return attach_to(tx, ctx, payment_method, cus, param=None)


def attach_to(tx: Tx, ctx: RequestContext, pm_id: str, cus: dict[str, Any], *,
              param: str | None = "payment_method") -> dict[str, Any]:
    """Attach a PaymentMethod (or a pm_card_* shorthand) to `cus` in ctx.account."""
    pm = load(tx, ctx, pm_id, param=param or "id", for_update=True)
    return attach_loaded(tx, ctx, pm, cus["id"], param=param)


def attach_loaded(tx: Tx, ctx: RequestContext, pm: dict[str, Any], customer_id: str, *,
                  param: str | None = None, setup: bool = False) -> dict[str, Any]:
    if pm.get("customer") == customer_id:
        if setup and not pm.get("_setup"):
            pm["_setup"] = True
            save(tx, ctx.account, pm)
        return pm
    if pm.get("customer"):
        raise InvalidRequestError("The payment method you provided has already been attached "
                                  "to a customer.", param=param)
    if pm.get("_consumed") and not pm.get("_attachable"):
        raise InvalidRequestError(USED_ON_ATTACH, param=param)
    behaviour = pm.get("_behaviour", {})
    outcome = behaviour.get("attach", "ok")
    if outcome != "ok":
        d = DECLINES[outcome]
        raise CardError(d.message, code=d.code, decline_code=d.decline_code, param=d.param,
                        persist=False)
    settle_checks(pm)
    if pm.pop("_attachable", None):  # paid with setup_future_usage, saved now
        pm.pop("_consumed", None)
    pm["customer"] = customer_id
    if setup:
        pm["_setup"] = True
    save(tx, ctx.account, pm)
    events.record(tx, ctx, "payment_method.attached", pm)
    return pm


def settle_checks(pm: dict[str, Any]) -> bool:
    """Resolve "unchecked" CVC / address checks (on first attach or charge); True if any
    changed."""
    behaviour = pm.get("_behaviour", {})
    checks = (pm.get("card") or {}).get("checks") or {}
    changed = False
    for key, kind in (("cvc_check", "cvc_check"), ("address_line1_check", "address_check"),
                      ("address_postal_code_check", "address_check")):
        if checks.get(key) == "unchecked":
            checks[key] = "fail" if behaviour.get(kind) == "fail" else "pass"
            changed = True
    return changed


def detach(tx: Tx, ctx: RequestContext, params: Params, payment_method: str) -> dict[str, Any]:
    pm = get(tx, ctx.account, payment_method, for_update=True)
    if not pm.get("customer"):
        raise InvalidRequestError("The payment method you provided is not attached to a "
                                  "customer so detachment is impossible.")
    detach_loaded(tx, ctx, pm)
    return pm


def detach_loaded(tx: Tx, ctx: RequestContext, pm: dict[str, Any], *,
                  customer_deleted: bool = False) -> None:
    """Detach `pm` from its customer; a detached PaymentMethod cannot be used again."""
    customer_id = pm["customer"]
    pm["customer"] = None
    pm["_consumed"] = True
    pm.pop("_attachable", None)
    save(tx, ctx.account, pm)
    events.record(tx, ctx, "payment_method.detached", pm, previous={"customer": customer_id})
    if customer_deleted:
        return
    cus = tx.get(ctx.account, customer_id, "customer")
    if cus and (cus.get("invoice_settings") or {}).get("default_payment_method") == pm["id"]:
        previous = {"invoice_settings": dict(cus["invoice_settings"])}
        cus["invoice_settings"]["default_payment_method"] = None
        tx.save(ctx.account, cus)
        events.record(tx, ctx, "customer.updated", cus, previous=previous)


def detach_all(tx: Tx, ctx: RequestContext, customer_id: str) -> None:
    """A deleted customer's PaymentMethods are detached."""
    for pm in tx.children(ctx.account, "payment_method", customer_id):
        detach_loaded(tx, ctx, pm, customer_deleted=True)
