"""SetupIntents: create, retrieve, update, list, confirm, cancel, and the outcome of
the 3-D Secure page. Confirming checks the card (a decline card fails here),
authenticates it when the card asks for it, and saves the PaymentMethod: attached to
the customer, and set up for off-session payments when usage=off_session.

Each confirmation leaves a SetupAttempt (GET /v1/setup_attempts?setup_intent=...): made
when the confirmation starts, `requires_action` while 3-D Secure waits, then `succeeded`,
`failed`, or `abandoned` (canceled, or another payment method chosen meanwhile)."""
from __future__ import annotations

from typing import Any

from ..context import RequestContext
from ..domain import charging, intents
from ..domain import metadata as md
from ..domain.ids import new_id, secret
from ..domain.testcards import DECLINES
from ..errors import DOC_BASE, InvalidRequestError, ResourceMissing
from ..http.pagination import page
from ..params import Params
from ..store import Tx
from ..wire.shape import blank
from . import application_fees, events, intent_methods, intent_pages, passthrough
from . import payment_methods
from .payment_intents import method_types

SI = "setup_intent"
_MERGED = ("payment_method_options",)


def get(tx: Tx, ctx: RequestContext, si_id: str, *, for_update: bool = False) -> dict[str, Any]:
    si = tx.get(ctx.account, si_id, SI, for_update=for_update)
    if si is None:
        raise ResourceMissing("setupintent", si_id, param="intent")  # Stripe's spelling
    return si


def _save(tx: Tx, ctx: RequestContext, si: dict[str, Any]) -> None:
    tx.save(ctx.account, si, lookup=si.get("customer"), keep_index=False)


def _customer(tx: Tx, ctx: RequestContext, customer_id: str) -> str:
    if tx.get(ctx.account, customer_id, "customer") is None:
        raise ResourceMissing("customer", customer_id, param="customer")
    return customer_id


def _set_payment_method(tx: Tx, ctx: RequestContext, si: dict[str, Any],
                        params: Params) -> dict[str, Any] | None:
    value = params.get("payment_method")
    if not value and params.get("payment_method_data"):
        value = intent_methods.from_data(tx, ctx, params["payment_method_data"])
    if not value:
        return None
    pm = intent_methods.resolve(tx, ctx, value, si["customer"], setup=True)
    if pm["id"] != si["payment_method"]:
        si["_authenticated"] = False
    si["payment_method"] = pm["id"]
    return pm


def create(tx: Tx, ctx: RequestContext, params: Params) -> dict[str, Any]:
    if params.has("return_url") and not params.get("confirm"):
        raise InvalidRequestError("You may only specify `return_url` when `confirm=true`.",
                                  param="return_url")
    customer = _customer(tx, ctx, params["customer"]) if params.get("customer") else None
    types, auto = method_types(params, ctx)
    si_id = new_id("seti")
    si = blank(SI, id=si_id, created=ctx.now, customer=customer, status=intents.RPM,
               client_secret=secret(f"{si_id}_secret", 25), usage=params.get("usage")
               or "off_session", payment_method_types=types, automatic_payment_methods=auto,
               metadata=md.merge({}, params.get("metadata") or {}),
               description=params.get("description") or None,
               on_behalf_of=params.get("on_behalf_of") or None,
               attach_to_self=params.get("attach_to_self") or False,
               flow_directions=params.get("flow_directions") or None,
               payment_method_options={"card": {"mandate_options": None, "network": None,
                                                "request_three_d_secure": "automatic"}})
    passthrough.apply(si, params, ("payment_method_options",), merge=_MERGED)
    if ctx.connected:  # made by the platform's Connect application
        si["application"] = application_fees.application_id(ctx.platform)
    if params.get("single_use"):
        si["usage"] = "on_session"
    if _set_payment_method(tx, ctx, si, params):
        si["status"] = intents.next_status(SI, si["status"], "update", "set_payment_method")
    tx.insert(ctx.account, si, lookup=customer)
    events.record(tx, ctx, "setup_intent.created", si)
    if params.get("confirm"):
        return _confirm(tx, ctx, si, Params({k: params[k] for k in ("return_url",)
                                             if k in params}))
    return si




def retrieve(tx: Tx, ctx: RequestContext, params: Params, intent: str) -> dict[str, Any]:
    si = get(tx, ctx, intent)
    intent_methods.check_client_secret(ctx, si, params, "SetupIntent")
    return si


def list_(tx: Tx, ctx: RequestContext, params: Params) -> dict[str, Any]:
    wanted = params.get("payment_method")
    keep = (lambda si: si.get("payment_method") == wanted) if wanted else None
    return page(tx, ctx.account, SI, params, "/v1/setup_intents",
                lookup=params.get("customer") or None, kind="setup_intent", keep=keep)


def update(tx: Tx, ctx: RequestContext, params: Params, intent: str) -> dict[str, Any]:
    si = get(tx, ctx, intent, for_update=True)
    for key in ("customer", "payment_method", "payment_method_data", "payment_method_types",
                "payment_method_options", "attach_to_self", "flow_directions"):
        if params.has(key):
            intents.check(SI, si["status"], "update", si, field=key)
    if params.has("customer"):
        si["customer"] = _customer(tx, ctx, params["customer"]) if params["customer"] else None
    if params.has("metadata"):
        si["metadata"] = md.merge(si["metadata"], params["metadata"])
    if params.has("payment_method_types"):
        si["payment_method_types"], si["automatic_payment_methods"] = method_types(params)
    passthrough.apply(si, params, ("description", "payment_method_options", "attach_to_self",
                                   "flow_directions"), merge=_MERGED)
    if _set_payment_method(tx, ctx, si, params):
        abandon_attempt(tx, ctx, si)
        si["next_action"] = None
        si["status"] = intents.next_status(SI, si["status"], "update", "set_payment_method")
    _save(tx, ctx, si)
    return si


# -- confirm -----------------------------------------------------------------------------

def confirm(tx: Tx, ctx: RequestContext, params: Params, intent: str) -> dict[str, Any]:
    si = get(tx, ctx, intent, for_update=True)
    intent_methods.check_client_secret(ctx, si, params, "SetupIntent")
    return _confirm(tx, ctx, si, params)


def _confirm(tx: Tx, ctx: RequestContext, si: dict[str, Any], params: Params) -> dict[str, Any]:
    intents.check(SI, si["status"], "confirm", si)
    pm = _set_payment_method(tx, ctx, si, params)
    if pm is None and si["payment_method"]:
        pm = intent_methods.resolve(tx, ctx, si["payment_method"], si["customer"], setup=True)
    if pm is None:
        raise InvalidRequestError(
            "You cannot confirm this SetupIntent because it's missing a payment method. You "
            "can either update the SetupIntent with a payment method and then confirm it "
            "again, or confirm it again directly with a payment method or ConfirmationToken.",
            code="setup_intent_unexpected_state", extra={SI: intents.private_free(si)})
    si["last_setup_error"] = None
    passthrough.apply(si, params, ("payment_method_options",), merge=_MERGED)
    if params.has("return_url"):
        si["_return_url"] = params["return_url"] or None
    return attempt(tx, ctx, si, pm, "confirm", raise_decline=True)


def attempt(tx: Tx, ctx: RequestContext, si: dict[str, Any], pm: dict[str, Any], op: str,
            *, raise_decline: bool) -> dict[str, Any]:
    behaviour = pm.get("_behaviour", {})
    outcome = behaviour.get("attach", "ok")
    if outcome != "ok":
        return _declined(tx, ctx, si, pm, DECLINES[outcome], op, raise_decline)
    need = intents.authentication(behaviour, flow="setup", off_session=False, set_up=False,
                                  authenticated=bool(si.get("_authenticated")))
    if need == "required":
        si["status"] = intents.next_status(SI, si["status"], op, "needs_action", si)
        si["latest_attempt"] = _attempt_record(tx, ctx, si, pm, "requires_action", None)
        si["next_action"] = intent_pages.redirect_action(ctx, si)
        _save(tx, ctx, si)
        events.record(tx, ctx, "setup_intent.requires_action", si)
        return si
    off_session = si["usage"] == "off_session"
    if si["customer"]:
        payment_methods.attach_loaded(tx, ctx, pm, si["customer"], setup=off_session)
    elif off_session and not pm.get("_setup"):
        pm["_setup"] = True
        payment_methods.save(tx, ctx.account, pm)
    si["latest_attempt"] = _attempt_record(tx, ctx, si, pm, "succeeded", None)
    si["next_action"] = None
    si["status"] = intents.next_status(SI, si["status"], op, "succeeded", si)
    _save(tx, ctx, si)
    events.record(tx, ctx, "setup_intent.succeeded", si)
    return si


def _declined(tx: Tx, ctx: RequestContext, si: dict[str, Any], pm: dict[str, Any], decline,
              op: str, raise_decline: bool) -> dict[str, Any]:
    error = {"code": decline.code, "decline_code": decline.decline_code,
             "doc_url": DOC_BASE + decline.code.replace("_", "-"), "message": decline.message,
             "payment_method": intents.private_free(pm), "type": "card_error",
             **charging.network_codes(decline)}
    if decline.param:  # as in the error body (exp_month, cvc)
        error["param"] = decline.param
    si["last_setup_error"] = error
    si["latest_attempt"] = _attempt_record(tx, ctx, si, pm, "failed", error)
    si["payment_method"] = None
    si["next_action"] = None
    si["status"] = intents.next_status(SI, si["status"], op, "declined", si)
    _save(tx, ctx, si)
    events.record(tx, ctx, "setup_intent.setup_failed", si)
    if not raise_decline:
        return si
    raise charging.declined(decline, {SI: intents.private_free(si),
                                      "payment_method": intents.private_free(pm)})


def _pending_attempt(tx: Tx, ctx: RequestContext, si: dict[str, Any]) -> dict[str, Any] | None:
    """The SetupAttempt still waiting for 3-D Secure, if the latest one is."""
    att = tx.get(ctx.account, si["latest_attempt"], "setup_attempt") \
        if si.get("latest_attempt") else None
    return att if att is not None and att["status"] == "requires_action" else None


def abandon_attempt(tx: Tx, ctx: RequestContext, si: dict[str, Any]) -> None:
    """A confirmation left waiting for 3-D Secure ends `abandoned` when the SetupIntent is
    canceled or moves on to another payment method."""
    att = _pending_attempt(tx, ctx, si)
    if att is not None:
        att["status"] = "abandoned"
        tx.save(ctx.account, att)


def _attempt_record(tx: Tx, ctx: RequestContext, si: dict[str, Any], pm: dict[str, Any],
                    status: str, error: dict[str, Any] | None) -> str:
    """One SetupAttempt per confirmation: created when the confirmation starts (status
    requires_action while 3-D Secure waits) and finished when its outcome is known."""
    pending = _pending_attempt(tx, ctx, si)
    if pending is not None and pending["payment_method"] == pm["id"] and \
            status != "requires_action":
        card = pending["payment_method_details"]["card"]
        card["three_d_secure"] = intents.three_d_secure_result() \
            if si.get("_authenticated") else None
        pending.update(status=status, setup_error=error)
        tx.save(ctx.account, pending)
        return pending["id"]
    if pending is not None:
        abandon_attempt(tx, ctx, si)
    details = charging.method_details(pm)["card"]
    card = {"brand": details["brand"], "checks": details["checks"],
            "country": details["country"], "exp_month": details["exp_month"],
            "exp_year": details["exp_year"], "fingerprint": details["fingerprint"],
            "funding": details["funding"], "last4": details["last4"],
            "network": details["network"],
            "three_d_secure": intents.three_d_secure_result()
            if si.get("_authenticated") and status != "requires_action" else None,
            "wallet": None}
    att = blank("setup_attempt", id=new_id("setatt"), created=ctx.now,
                customer=si["customer"], flow_directions=si.get("flow_directions"),
                on_behalf_of=si.get("on_behalf_of"), payment_method=pm["id"],
                payment_method_details={"type": "card", "card": card}, setup_error=error,
                setup_intent=si["id"], status=status, usage=si["usage"],
                attach_to_self=bool(si.get("attach_to_self")),
                application=si.get("application"))
    tx.insert(ctx.account, att, parent=si["id"])
    return att["id"]


def list_attempts(tx: Tx, ctx: RequestContext, params: Params) -> dict[str, Any]:
    get(tx, ctx, params["setup_intent"])
    return page(tx, ctx.account, "setup_attempt", params, "/v1/setup_attempts",
                parent=params["setup_intent"], kind="setup_attempt")


# -- 3-D Secure outcome, cancel ----------------------------------------------------------

def authenticate(tx: Tx, ctx: RequestContext, si: dict[str, Any], success: bool
                 ) -> dict[str, Any]:
    intents.check(SI, si["status"], "authenticate", si)
    pm = intent_methods.resolve(tx, ctx, si["payment_method"], si["customer"], setup=True)
    if success:
        si["_authenticated"] = True
        return attempt(tx, ctx, si, pm, "authenticate", raise_decline=False)
    code, message = intents.AUTH_FAILURE[SI]
    error = {"code": code, "doc_url": DOC_BASE + code.replace("_", "-"), "message": message,
             "payment_method": intents.private_free(pm), "type": "invalid_request_error"}
    si["last_setup_error"] = error
    si["latest_attempt"] = _attempt_record(tx, ctx, si, pm, "failed", error)
    si["payment_method"] = None
    si["next_action"] = None
    si["status"] = intents.next_status(SI, si["status"], "authenticate", "declined", si)
    _save(tx, ctx, si)
    events.record(tx, ctx, "setup_intent.setup_failed", si)
    return si


def cancel(tx: Tx, ctx: RequestContext, params: Params, intent: str) -> dict[str, Any]:
    si = get(tx, ctx, intent, for_update=True)
    intents.check(SI, si["status"], "cancel", si)
    abandon_attempt(tx, ctx, si)
    si["status"] = intents.next_status(SI, si["status"], "cancel", "canceled", si)
    si["cancellation_reason"] = params.get("cancellation_reason") or None
    si["next_action"] = None
    _save(tx, ctx, si)
    events.record(tx, ctx, "setup_intent.canceled", si)
    return si
