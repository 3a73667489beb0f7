"""The payment method of a PaymentIntent or SetupIntent: which ids are accepted
(pm_, pm_card_* shorthands, a customer's card_, a chargeable src_), the rules that
refuse one (used up, another customer's), and the bookkeeping after a successful
payment (attach for setup_future_usage; an unattached PaymentMethod is used up, but
one paid with setup_future_usage may still be attached to a customer afterwards)."""
from __future__ import annotations

from typing import Any

from ..context import RequestContext
from ..domain import testcards
from ..errors import InvalidRequestError, ResourceMissing, StripeError
from ..params import Params
from ..store import Tx
from . import payment_methods, source_objects
from .payment_methods import USED_BY_INTENT


def _other_customer(obj_id: str, owner: str, customer: str | None, param: str, *,
                    setup: bool = False) -> InvalidRequestError:
    """Stripe's (recorded) wording when the payment method belongs to another customer, or
    to a customer while the intent has none."""
    if customer is None:
        if setup:
            return InvalidRequestError(
                f"The payment method supplied ({obj_id}) belongs to the Customer {owner}. "
                "Please include the Customer in the `customer` parameter on the SetupIntent.",
                param=param)
        return InvalidRequestError(
            f"The `payment_method` parameter supplied {obj_id} belongs to the Customer "
            f"{owner}. Please include the Customer in the `customer` parameter on the "
            "PaymentIntent.", param="source", code="parameter_missing")
    return InvalidRequestError(
        f"The PaymentMethod {obj_id} does not belong to the Customer you supplied {customer}. "
        "Please use this PaymentMethod with the Customer that it belongs to instead.",
        param=param)


def from_data(tx: Tx, ctx: RequestContext, data: dict[str, Any]) -> str:
    """payment_method_data: create the PaymentMethod it describes; return its id.
    Errors name the nested parameter (`payment_method_data[card][number]`)."""
    try:
        pm = payment_methods.create(tx, ctx, Params(
            {k: v for k, v in data.items()
             if k in ("type", "card", "billing_details", "metadata")}))
    except StripeError as err:
        if err.param:
            head, _, rest = err.param.partition("[")
            err.param = f"payment_method_data[{head}]" + (f"[{rest}" if rest else "")
        raise
    return pm["id"]


def resolve(tx: Tx, ctx: RequestContext, value: str, customer: str | None, *,
            param: str = "payment_method", setup: bool = False) -> dict[str, Any]:
    """The object behind a `payment_method` value, checked for use with `customer`."""
    if value.startswith("pm_") or value in testcards.TEST_PAYMENT_METHODS:
        pm = payment_methods.load(tx, ctx, value, param=param, for_update=True)
        if pm.get("_consumed") and not (setup and customer and pm.get("_attachable")):
            raise InvalidRequestError(payment_methods.USED_ON_ATTACH if setup
                                      else USED_BY_INTENT, param=param)
        if pm.get("customer") and pm["customer"] != customer:
            raise _other_customer(pm["id"], pm["customer"], customer, param, setup=setup)
        return pm
    if setup:
        raise ResourceMissing("PaymentMethod", value, param=param)
    if value.startswith("card_"):
        card = tx.get(ctx.account, value, "card")
        if card is None:
            raise ResourceMissing("PaymentMethod", value, param=param)
        if card.get("customer") != customer:
            raise _other_customer(value, card.get("customer"), customer, param)
        return card
    if value.startswith("src_"):
        src = source_objects.get(tx, ctx.account, value, param=param)
        source_objects.check_usable(src, customer, param)
        return src
    raise ResourceMissing("PaymentMethod", value, param=param)


def for_charge(tx: Tx, ctx: RequestContext, obj: dict[str, Any],
               customer: str | None) -> dict[str, Any]:
    """What charge_source charges: a Source is consumed here when single-use."""
    if obj["object"] == "source":
        return source_objects.for_charge(tx, ctx, obj["id"], customer=customer,
                                         param="payment_method")
    if obj["object"] == "payment_method" and payment_methods.settle_checks(obj):
        payment_methods.save(tx, ctx.account, obj)
    return obj


def after_payment(tx: Tx, ctx: RequestContext, obj: dict[str, Any], customer: str | None,
                  setup_future_usage: str | None) -> None:
    """After a successful payment: attach and mark set up for setup_future_usage; a
    PaymentMethod left without a customer may not be used again."""
    off_session = setup_future_usage == "off_session"  # on_session: saved, not set up
    if obj["object"] == "payment_method":
        if setup_future_usage and customer:
            payment_methods.attach_loaded(tx, ctx, obj, customer, setup=off_session)
        if not obj.get("customer"):
            obj["_consumed"] = True
            if setup_future_usage:  # "you can still attach the payment method to a
                obj["_setup"] = obj.get("_setup") or off_session  # Customer after the
                obj["_attachable"] = True  # transaction completes"
            payment_methods.save(tx, ctx.account, obj)
    elif obj["object"] == "card" and off_session and not obj.get("_setup"):
        obj["_setup"] = True
        tx.save(ctx.account, obj)


def public_method(obj: dict[str, Any]) -> dict[str, Any]:
    """The `payment_method` (or `source`) entry of an error body."""
    from ..domain.intents import private_free
    key = "payment_method" if obj["object"] == "payment_method" else "source"
    return {key: private_free(obj)}


def check_client_secret(ctx: RequestContext, intent: dict[str, Any], params: Params,
                        kind: str) -> None:
    """A publishable key must name the intent's client secret; a wrong one is refused
    (PaymentIntents and SetupIntents alike; `kind` names the object in the message)."""
    given = params.get("client_secret")
    if ctx.publishable and not given:
        from ..errors import missing_param
        raise missing_param("client_secret")
    if given is not None and given != intent["client_secret"]:
        raise InvalidRequestError("The client_secret provided does not match the "
                                  f"client_secret associated with the {kind}.",
                                  param="client_secret")
