"""PaymentIntents: create, retrieve, update, list, confirm, capture, cancel, and the
outcome of the 3-D Secure page. Statuses move only along domain/intents.py's table.

A confirmation charges the payment method through charges.charge_source (the charge
carries payment_intent and payment_method); a decline leaves the intent in
requires_payment_method with last_payment_error and answers 402 with the intent in
the error body. Money-movement parameters (application_fee_amount, transfer_data,
on_behalf_of, transfer_group) are stored on the intent and passed to the charge."""
from __future__ import annotations

from typing import Any

from ..context import RequestContext
from ..domain import charging, intents, money
from ..domain import metadata as md
from ..domain.ids import new_id, secret
from ..domain.jsoncopy import copy_json
from ..errors import DOC_BASE, InvalidRequestError, ResourceMissing, below_minimum
from ..http.pagination import page
from ..params import Params
from ..store import Tx
from ..wire import current
from ..wire.shape import blank
from . import application_fees, charges, events, intent_methods, intent_pages, money_flow
from . import passthrough

PI = "payment_intent"
_MONEY = ("application_fee_amount", "transfer_data", "on_behalf_of", "transfer_group")
_ANY_STATUS = ("metadata", "description", "receipt_email")
# Hashes an update merges into (payment_method_options[card][...] keeps the other keys).
_MERGED = ("payment_method_options", "transfer_data")
_GUARDED = ("amount", "currency", "customer", "payment_method", "setup_future_usage",
            "shipping", "statement_descriptor", "statement_descriptor_suffix", "capture_method",
            "payment_method_types", "payment_method_options", "payment_method_data",
            "application_fee_amount", "transfer_data", "transfer_group")


def get(tx: Tx, ctx: RequestContext, pi_id: str, *, for_update: bool = False) -> dict[str, Any]:
    pi = tx.get(ctx.account, pi_id, PI, for_update=for_update)
    if pi is None:
        raise ResourceMissing("payment_intent", pi_id, param="intent")
    return pi


def _save(tx: Tx, ctx: RequestContext, pi: dict[str, Any]) -> None:
    tx.save(ctx.account, pi, lookup=pi.get("customer"), keep_index=False)


def _customer(tx: Tx, ctx: RequestContext, customer_id: str) -> str:
    if tx.get(ctx.account, customer_id, "customer") is None:
        raise ResourceMissing("customer", customer_id, param="customer")
    return customer_id


def method_types(params: Params, ctx: RequestContext | None = None
                 ) -> tuple[list[str], dict[str, Any] | None]:
    """payment_method_types / automatic_payment_methods: on by default since API version
    2023-08-16 (Stripe's changelog); with an older Stripe-Version (given `ctx`) an intent
    without either parameter gets payment_method_types ["card"] and no
    automatic_payment_methods."""
    types = params.get("payment_method_types")
    auto = params.get("automatic_payment_methods")
    if types and auto and auto.get("enabled"):
        raise InvalidRequestError("You may only specify one of these parameters: "
                                  "automatic_payment_methods, payment_method_types.",
                                  param="payment_method_types")
    for i, t in enumerate(types or []):
        if t != "card":
            raise InvalidRequestError(
                f"The payment method type \"{t}\" is invalid. connect-sandbox supports card "
                "payment methods only.", param=f"payment_method_types[{i}]")
    if types:
        return list(types), None
    if auto is None and ctx is not None and (ctx.api_version or "9999")[:10] < "2023-08-16":
        return ["card"], None
    if auto is not None and not auto.get("enabled"):
        return ["card"], {"allow_redirects": auto.get("allow_redirects") or "always",
                          "enabled": False}
    return ["card"], {"allow_redirects": (auto or {}).get("allow_redirects") or "always",
                      "enabled": True}


def _default_capture(ctx: RequestContext) -> str:
    """automatic_async since API version 2024-04-10 (Stripe's changelog), automatic before;
    the SDKs pin a newer version."""
    version = (ctx.api_version or "9999")[:10]
    return "automatic_async" if version >= "2024-04-10" else "automatic"


def _off_session(value: Any) -> bool:
    return value in (True, "one_off", "recurring")


def create(tx: Tx, ctx: RequestContext, params: Params) -> dict[str, Any]:
    cur = money.currency(params["currency"])
    amount = money.charge_amount(params["amount"], cur)
    for key in ("off_session", "error_on_requires_action", "return_url"):
        if params.has(key) and not params.get("confirm"):
            raise InvalidRequestError(f"You may only specify `{key}` when `confirm=true`.",
                                      param=key)
    customer = _customer(tx, ctx, params["customer"]) if params.get("customer") else None
    types, auto = method_types(params, ctx)
    money_flow.check(tx, ctx, {**params, "currency": cur}, amount)
    pi_id = new_id("pi")
    pi = blank(PI, id=pi_id, amount=amount, currency=cur, created=ctx.now, customer=customer,
               amount_capturable=0, amount_received=0, amount_details={"tip": {}},
               capture_method=params.get("capture_method") or _default_capture(ctx),
               confirmation_method=params.get("confirmation_method") or "automatic",
               client_secret=secret(f"{pi_id}_secret", 25), status=intents.RPM,
               payment_method_types=types, automatic_payment_methods=auto,
               metadata=md.merge({}, params.get("metadata") or {}),
               payment_method_options={"card": {
                   "installments": None, "mandate_options": None, "network": None,
                   "request_three_d_secure": "automatic"}})
    passthrough.apply(pi, params, ("payment_method_options",), merge=_MERGED)
    if ctx.connected:  # made by the platform's Connect application
        pi["application"] = application_fees.application_id(ctx.platform)
    for key in ("description", "receipt_email", "setup_future_usage", "shipping",
                "statement_descriptor", "statement_descriptor_suffix", *_MONEY):
        if params.get(key) not in (None, ""):
            pi[key] = params[key]
    pi["shipping"] = current.shipping(pi["shipping"])
    pi["_off_session"] = False
    if params.get("payment_method_data") and not params.get("payment_method"):
        params = Params(params)
        params["payment_method"] = intent_methods.from_data(tx, ctx,
                                                            params["payment_method_data"])
    obj = None
    if params.get("payment_method"):
        obj = intent_methods.resolve(tx, ctx, params["payment_method"], customer)
        pi["payment_method"] = obj["id"]
        pi["status"] = intents.next_status(PI, pi["status"], "update", "set_payment_method")
    tx.insert(ctx.account, pi, lookup=customer)
    events.record(tx, ctx, "payment_intent.created", pi)
    if params.get("confirm"):
        confirm_params = Params({k: v for k, v in params.items()
                                 if k in ("off_session", "error_on_requires_action",
                                          "return_url")})
        return _confirm(tx, ctx, pi, confirm_params, resolved=obj)
    return pi




def retrieve(tx: Tx, ctx: RequestContext, params: Params, intent: str) -> dict[str, Any]:
    pi = get(tx, ctx, intent)
    intent_methods.check_client_secret(ctx, pi, params, "PaymentIntent")
    return pi


def list_(tx: Tx, ctx: RequestContext, params: Params) -> dict[str, Any]:
    return page(tx, ctx.account, PI, params, "/v1/payment_intents",
                lookup=params.get("customer") or None, kind="payment_intent")


def update(tx: Tx, ctx: RequestContext, params: Params, intent: str) -> dict[str, Any]:
    pi = get(tx, ctx, intent, for_update=True)
    for key in _GUARDED:
        if params.has(key):
            intents.check(PI, pi["status"], "update", pi, field=key)
    if params.has("amount") or params.has("currency"):
        cur = money.currency(params.get("currency") or pi["currency"])
        pi["amount"] = money.charge_amount(params.get("amount", pi["amount"]), cur)
        pi["currency"] = cur
    if params.has("customer"):
        pi["customer"] = _customer(tx, ctx, params["customer"]) if params["customer"] else None
    if params.has("metadata"):
        pi["metadata"] = md.merge(pi["metadata"], params["metadata"])
    if params.has("payment_method_types") or params.has("automatic_payment_methods"):
        pi["payment_method_types"], pi["automatic_payment_methods"] = method_types(params)
    passthrough.apply(pi, params, (
        "description", "receipt_email", "setup_future_usage", "shipping",
        "statement_descriptor", "statement_descriptor_suffix", "capture_method",
        "payment_method_options", *_MONEY), merge=_MERGED)
    if any(params.has(k) for k in ("amount", "currency", *_MONEY)):
        money_flow.check(tx, ctx, pi, pi["amount"])
    if params.get("payment_method_data") and not params.get("payment_method"):
        params = Params(params)
        params["payment_method"] = intent_methods.from_data(tx, ctx,
                                                            params["payment_method_data"])
    if params.get("payment_method"):
        obj = intent_methods.resolve(tx, ctx, params["payment_method"], pi["customer"])
        if obj["id"] != pi["payment_method"]:
            pi["_authenticated"] = False
        pi["payment_method"] = obj["id"]
        pi["next_action"] = None
        pi["status"] = intents.next_status(PI, pi["status"], "update", "set_payment_method")
    _save(tx, ctx, pi)
    return pi


# -- confirm and the payment attempt ---------------------------------------------------

def confirm(tx: Tx, ctx: RequestContext, params: Params, intent: str) -> dict[str, Any]:
    pi = get(tx, ctx, intent, for_update=True)
    intent_methods.check_client_secret(ctx, pi, params, "PaymentIntent")
    if ctx.publishable and pi["confirmation_method"] == "manual":  # Stripe's (reported) words
        raise InvalidRequestError(
            f"This PaymentIntent {pi['id']} cannot be confirmed using your publishable key "
            "because its `confirmation_method` is set to `manual`. Please use your secret key "
            "instead, or create a PaymentIntent with `confirmation_method` set to `automatic`.")
    return _confirm(tx, ctx, pi, params)


def _confirm(tx: Tx, ctx: RequestContext, pi: dict[str, Any], params: Params, *,
             resolved: dict[str, Any] | None = None) -> dict[str, Any]:
    """`resolved`: what create() has just resolved pi's payment_method to (for the same
    customer, nothing stored changed since), used instead of loading it again."""
    intents.check(PI, pi["status"], "confirm", pi)
    passthrough.apply(pi, params, ("receipt_email", "shipping", "setup_future_usage",
                                   "capture_method", "payment_method_options"),
                      merge=_MERGED)
    if params.has("payment_method_types"):
        pi["payment_method_types"], pi["automatic_payment_methods"] = method_types(params)
    value = params.get("payment_method")
    if not value and params.get("payment_method_data"):
        value = intent_methods.from_data(tx, ctx, params["payment_method_data"])
    value = value or pi["payment_method"] or _default_source(tx, ctx, pi["customer"])
    if not value:
        how = (f"To confirm the PaymentIntent with {pi['customer']}, specify a payment "
               "method attached to this customer along with the customer ID."
               if pi["customer"] else
               "You can either update the PaymentIntent with a payment method and then "
               "confirm it again, or confirm it again directly with a payment method or "
               "ConfirmationToken.")
        raise InvalidRequestError(
            f"You cannot confirm this PaymentIntent because it's missing a payment method. {how}",
            code="payment_intent_unexpected_state",
            extra={PI: intents.private_free(pi)})
    if resolved is not None and value == resolved["id"]:
        obj = resolved
    else:
        obj = intent_methods.resolve(tx, ctx, value, pi["customer"])
    if obj["id"] != pi["payment_method"]:
        pi["_authenticated"] = False
    pi["payment_method"] = obj["id"]
    pi["last_payment_error"] = None
    pi["_off_session"] = _off_session(params.get("off_session"))
    pi["_error_on_requires_action"] = bool(params.get("error_on_requires_action"))
    if params.has("return_url"):
        pi["_return_url"] = params["return_url"] or None
    return attempt(tx, ctx, pi, obj, "confirm", raise_decline=True)


def _default_source(tx: Tx, ctx: RequestContext, customer: str | None) -> str | None:
    """Stripe's migration aid: confirming without a payment method uses the customer's
    default source (a card or card Source), as the API reference documents."""
    cus = tx.get(ctx.account, customer, "customer") if customer else None
    default = (cus or {}).get("default_source")
    return default if default and default.startswith(("card_", "src_")) else None


def attempt(tx: Tx, ctx: RequestContext, pi: dict[str, Any], obj: dict[str, Any], op: str,
            *, raise_decline: bool) -> dict[str, Any]:
    """Try to pay `pi` with `obj`: ask for 3-D Secure, or charge (maybe a decline)."""
    need = intents.authentication(obj.get("_behaviour", {}), flow="payment",
                                  off_session=pi.get("_off_session", False),
                                  set_up=bool(obj.get("_setup")),
                                  authenticated=bool(pi.get("_authenticated")))
    if need == "required" and pi.get("_error_on_requires_action"):
        need = "fail"
    if need == "required":
        pi["status"] = intents.next_status(PI, pi["status"], op, "needs_action", pi)
        pi["next_action"] = intent_pages.redirect_action(ctx, pi)
        _save(tx, ctx, pi)
        events.record(tx, ctx, "payment_intent.requires_action", pi)
        return pi
    source = intent_methods.for_charge(tx, ctx, obj, pi["customer"])
    if need == "fail":
        source = copy_json(source)
        source["_behaviour"] = {**source.get("_behaviour", {}),
                                "charge": "authentication_required"}
    decline = charging.decline_for(source)
    manual = _manual_capture(pi)
    params = _charge_params(pi)
    if pi.get("transfer_data") and not pi.get("transfer_group"):
        # Stripe groups a destination charge's intent, charge and transfer by itself.
        params["transfer_group"] = f"group_{pi['id']}"
    try:  # the charge's checks first, so that a refusal names the intent
        money_flow.check(tx, ctx, params, pi["amount"])
        seller = money_flow.check_can_charge(tx, ctx, params,
                                             card=source.get("object") != "bank_account")
    except InvalidRequestError as err:  # e.g. an account that cannot currently charge
        # No charge is made; the intent stays as it was before this confirmation (and
        # one created with confirm=true stays created), shown in the error as on Stripe.
        err.extra.setdefault(PI, intents.private_free(pi))
        err.persist = True
        raise
    ch = charges.charge_source(
        tx, ctx, amount=pi["amount"], currency=pi["currency"], source=source,
        customer=pi["customer"], capture=not manual, params=params,
        payment_intent=pi["id"], payment_method=obj["id"], raise_decline=False,
        checked=True, seller=seller)  # (checked just above: not again)
    pi["transfer_group"] = ch.get("transfer_group") or pi.get("transfer_group")
    pi["latest_charge"] = ch["id"]
    pi["next_action"] = None
    if decline is not None:
        return _declined(tx, ctx, pi, obj, ch, decline, op, raise_decline)
    if pi.get("_authenticated") and ch["payment_method_details"]:
        card = ch["payment_method_details"]["card"]
        card["three_d_secure"] = intents.three_d_secure_result(charge=True)
        card["electronic_commerce_indicator"] = intents.AUTHENTICATED_ECI
        tx.save(ctx.account, ch)
    intent_methods.after_payment(tx, ctx, obj, pi["customer"], pi.get("setup_future_usage"))
    if manual:
        pi["status"] = intents.next_status(PI, pi["status"], op, "authorized", pi)
        pi["amount_capturable"] = pi["amount"]
        _save(tx, ctx, pi)
        events.record(tx, ctx, "payment_intent.amount_capturable_updated", pi)
    else:
        pi["status"] = intents.next_status(PI, pi["status"], op, "paid", pi)
        pi["amount_received"] = pi["amount"]
        _save(tx, ctx, pi)
        events.record(tx, ctx, "payment_intent.succeeded", pi)
    return pi


def _manual_capture(pi: dict[str, Any]) -> bool:
    """capture_method=manual, or payment_method_options[card][capture_method]=manual, which
    overrides the top-level capture_method for card payments (API reference)."""
    card = (pi.get("payment_method_options") or {}).get("card") or {}
    return pi["capture_method"] == "manual" or card.get("capture_method") == "manual"


def _charge_params(pi: dict[str, Any]) -> Params:
    out = Params({k: pi.get(k) for k in (
        "description", "receipt_email", "statement_descriptor", "statement_descriptor_suffix",
        "shipping", *_MONEY) if pi.get(k) is not None})
    out["metadata"] = dict(pi.get("metadata") or {})
    out["currency"] = pi["currency"]
    return out


def _declined(tx: Tx, ctx: RequestContext, pi: dict[str, Any], obj: dict[str, Any],
              ch: dict[str, Any], decline: Any, op: str, raise_decline: bool) -> dict[str, Any]:
    error = {"charge": ch["id"], "code": decline.code, "decline_code": decline.decline_code,
             "doc_url": DOC_BASE + decline.code.replace("_", "-"),
             "message": decline.message, "payment_method_type": "card", "type": "card_error",
             **intent_methods.public_method(obj)}
    if decline.param:
        error["param"] = decline.param
    error.update(charging.network_codes(decline))
    pi["last_payment_error"] = error
    pi["payment_method"] = None
    pi["status"] = intents.next_status(PI, pi["status"], op, "declined", pi)
    _save(tx, ctx, pi)
    events.record(tx, ctx, "payment_intent.payment_failed", pi)
    if not raise_decline:
        return pi
    raise charging.declined(decline, {"charge": ch["id"], PI: intents.private_free(pi),
                                      **intent_methods.public_method(obj)})


# -- 3-D Secure outcome (from the sandbox page) ------------------------------------------

def authenticate(tx: Tx, ctx: RequestContext, pi: dict[str, Any], success: bool
                 ) -> dict[str, Any]:
    intents.check(PI, pi["status"], "authenticate", pi)
    obj = intent_methods.resolve(tx, ctx, pi["payment_method"], pi["customer"])
    if not success:
        code, message = intents.AUTH_FAILURE[PI]
        pi["last_payment_error"] = {"code": code, "doc_url": DOC_BASE + code.replace("_", "-"),
                                    "message": message, "type": "invalid_request_error",
                                    **intent_methods.public_method(obj)}
        pi["payment_method"] = None
        pi["next_action"] = None
        pi["status"] = intents.next_status(PI, pi["status"], "authenticate", "declined", pi)
        _save(tx, ctx, pi)
        events.record(tx, ctx, "payment_intent.payment_failed", pi)
        return pi
    pi["_authenticated"] = True
    if pi["confirmation_method"] == "manual":
        pi["status"] = intents.next_status(PI, pi["status"], "authenticate",
                                           "authenticated_manual", pi)
        pi["next_action"] = None
        _save(tx, ctx, pi)
        return pi
    return attempt(tx, ctx, pi, obj, "authenticate", raise_decline=False)


# -- capture and cancel ------------------------------------------------------------------

def capture(tx: Tx, ctx: RequestContext, params: Params, intent: str) -> dict[str, Any]:
    pi = get(tx, ctx, intent, for_update=True)
    intents.check(PI, pi["status"], "capture", pi)
    amount = params.get("amount_to_capture", pi["amount_capturable"])
    if amount < 0:
        raise InvalidRequestError("Invalid non-negative integer", param="amount_to_capture",
                                  extra={PI: intents.private_free(pi)})
    if amount == 0:  # Stripe names `amount` here (recorded)
        raise below_minimum("amount", code="parameter_invalid_integer",
                            extra={PI: intents.private_free(pi)})
    if amount > pi["amount_capturable"]:
        raise InvalidRequestError(
            "The payment could not be captured because the requested capture amount is "
            "greater than the amount you can capture for this charge. Contact us via "
            "https://support.stripe.com/contact/ for help.", code="amount_too_large",
            extra={PI: intents.private_free(pi)})
    passthrough.apply(pi, params, ("application_fee_amount", "transfer_data",
                                   "statement_descriptor", "statement_descriptor_suffix"),
                      merge=_MERGED)
    if params.has("metadata"):
        pi["metadata"] = md.merge(pi["metadata"], params["metadata"])
    ch = charges.get(tx, ctx, pi["latest_charge"], for_update=True)
    charges.capture_charge(tx, ctx, ch, amount, Params(
        {k: params[k] for k in params if k not in ("expand", "amount_to_capture")}))
    pi["amount_received"] = amount
    pi["amount_capturable"] = 0
    pi["status"] = intents.next_status(PI, pi["status"], "capture", "paid", pi)
    _save(tx, ctx, pi)
    events.record(tx, ctx, "payment_intent.succeeded", pi)
    return pi


def cancel(tx: Tx, ctx: RequestContext, params: Params, intent: str) -> dict[str, Any]:
    pi = get(tx, ctx, intent, for_update=True)
    intents.check(PI, pi["status"], "cancel", pi)
    if pi["status"] == intents.RCAP and pi.get("latest_charge"):
        _release(tx, ctx, pi["latest_charge"])
    pi["status"] = intents.next_status(PI, pi["status"], "cancel", "canceled", pi)
    pi["canceled_at"] = ctx.now
    pi["cancellation_reason"] = params.get("cancellation_reason") or None
    pi["amount_capturable"] = 0
    pi["next_action"] = None
    _save(tx, ctx, pi)
    events.record(tx, ctx, "payment_intent.canceled", pi)
    return pi


NOT_INCREMENTABLE = ("This PaymentIntent is not eligible for incremental authorization "
                     "because you did not request support using "
                     "`request_incremental_authorization` when you created or confirmed it.")


def increment_authorization(tx: Tx, ctx: RequestContext, params: Params,
                            intent: str) -> dict[str, Any]:
    """Only an authorization that asked for incremental support (card_present, or cards
    on IC+ pricing) can grow; no payment here gets that support (its charge shows
    incremental_authorization.status "unavailable"), so an intent awaiting capture gets
    Stripe's (recorded) 400 and keeps its amount."""
    pi = get(tx, ctx, intent)
    intents.check(PI, pi["status"], "increment_authorization", pi)
    raise InvalidRequestError(NOT_INCREMENTABLE, extra={PI: intents.private_free(pi)})


def _release(tx: Tx, ctx: RequestContext, charge_id: str) -> None:
    """Canceling an authorized intent releases its uncaptured charge: since API version
    2025-03-31 without a Refund, the charge left as it was (not refunded, nothing
    captured, no charge event); before it, as a full Refund (domain/charging.py)."""
    from . import refunds
    ch = charges.get(tx, ctx, charge_id, for_update=True)
    if ch["captured"] or ch["refunded"] or ch.get("_released"):
        return
    if charging.releases_without_refund(ctx.api_version):
        ch["_released"] = True  # nothing left to capture or refund
        tx.save(ctx.account, ch)
        return
    refunds.refund_charge(tx, ctx, ch, Params())
