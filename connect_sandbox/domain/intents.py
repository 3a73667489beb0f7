"""The PaymentIntent and SetupIntent state machines, as tables. Pure: no I/O.

An operation (confirm, capture, cancel, update, authenticate) may start only from the
statuses FROM lists; what it leads to depends on its outcome, and EDGES says where each
(status, operation, outcome) goes. Anything else is refused with Stripe's
`payment_intent_unexpected_state` / `setup_intent_unexpected_state` error, carrying the
intent itself as Stripe's error body does.

Outcomes:
    set_payment_method   a payment method was attached (create/update/confirm)
    paid                 the charge succeeded and was captured
    authorized           the charge succeeded, capture_method=manual
    needs_action         3-D Secure is required (next_action)
    declined             the charge or setup failed; back to requires_payment_method
    pending              an asynchronous method is processing
    succeeded            (setup) the payment method is set up
    authenticated_manual 3-D Secure passed, confirmation_method=manual: confirm again
    incremented          the authorized amount was raised (still requires_capture)
"""
from __future__ import annotations

import uuid
from typing import Any

from ..errors import InvalidRequestError

RPM, RC, RA = "requires_payment_method", "requires_confirmation", "requires_action"
PROCESSING, RCAP, SUCCEEDED, CANCELED = "processing", "requires_capture", "succeeded", "canceled"

PI_STATUSES = (RPM, RC, RA, PROCESSING, RCAP, SUCCEEDED, CANCELED)
SI_STATUSES = (RPM, RC, RA, PROCESSING, SUCCEEDED, CANCELED)

# Where each operation may start (in the order Stripe lists them in its messages).
PI_FROM: dict[str, tuple[str, ...]] = {
    "update": (RPM, RC, RA),
    "confirm": (RC, RA, RPM),
    "capture": (RCAP,),
    "cancel": (RPM, RCAP, RC, RA, PROCESSING),
    "authenticate": (RA,),
    "settle": (PROCESSING,),
    "increment_authorization": (RCAP,),
}
SI_FROM: dict[str, tuple[str, ...]] = {
    "update": (RPM, RC, RA),
    "confirm": (RC, RA, RPM),
    "cancel": (RPM, RC, RA),
    "authenticate": (RA,),
    "settle": (PROCESSING,),
}

# What each operation can lead to, by outcome.
PI_OUTCOMES: dict[str, dict[str, str]] = {
    "update": {"set_payment_method": RC, "unchanged": ""},
    "confirm": {"paid": SUCCEEDED, "authorized": RCAP, "needs_action": RA, "declined": RPM,
                "pending": PROCESSING},
    "capture": {"paid": SUCCEEDED},
    "cancel": {"canceled": CANCELED},
    "authenticate": {"paid": SUCCEEDED, "authorized": RCAP, "declined": RPM,
                     "authenticated_manual": RC},
    "settle": {"paid": SUCCEEDED, "declined": RPM},
    "increment_authorization": {"incremented": ""},
}
SI_OUTCOMES: dict[str, dict[str, str]] = {
    "update": {"set_payment_method": RC, "unchanged": ""},
    "confirm": {"succeeded": SUCCEEDED, "needs_action": RA, "declined": RPM,
                "pending": PROCESSING},
    "cancel": {"canceled": CANCELED},
    "authenticate": {"succeeded": SUCCEEDED, "declined": RPM},
    "settle": {"succeeded": SUCCEEDED, "declined": RPM},
}


def _edges(from_: dict[str, tuple[str, ...]],
           outcomes: dict[str, dict[str, str]]) -> dict[tuple[str, str, str], str]:
    edges: dict[tuple[str, str, str], str] = {}
    for op, starts in from_.items():
        for status in starts:
            for outcome, target in outcomes[op].items():
                edges[(status, op, outcome)] = target or status
    return edges


PI_EDGES = _edges(PI_FROM, PI_OUTCOMES)
SI_EDGES = _edges(SI_FROM, SI_OUTCOMES)

_KINDS = {"payment_intent": ("PaymentIntent", PI_FROM, PI_EDGES),
          "setup_intent": ("SetupIntent", SI_FROM, SI_EDGES)}
_VERBS = {"confirm": ("confirm", "confirmed"), "cancel": ("cancel", "canceled"),
          "authenticate": ("authenticate", "authenticated"),
          "settle": ("settle", "settled"),
          "increment_authorization": ("increment the authorization of", "incremented")}


def private_free(obj: Any) -> Any:
    """`obj` without sandbox-private ("_") fields, for error bodies."""
    if isinstance(obj, dict):
        return {k: private_free(v) for k, v in obj.items() if not k.startswith("_")}
    if isinstance(obj, list):
        return [private_free(v) for v in obj]
    return obj


def unexpected_state(kind: str, status: str, op: str, intent: dict[str, Any] | None = None,
                     *, field: str = "payment_method") -> InvalidRequestError:
    """Stripe's error for `op` on an intent in `status`."""
    name, from_, _ = _KINDS[kind]
    allowed = ", ".join(from_[op])
    param = None
    if kind == "payment_intent" and op == "cancel":
        # Stripe's list names statuses the sandbox never reaches (recorded message).
        allowed = ("requires_payment_method, requires_capture, requires_reauthorization, "
                   "requires_confirmation, requires_action, expired, processing")
    if kind == "setup_intent" and op in ("cancel", "confirm", "update") and \
            status in (SUCCEEDED, CANCELED):
        message = _SETUP_TERMINAL[(op, status)]
    elif kind == "setup_intent" and op == "cancel":
        message = (f"You cannot cancel this {name} because it has a status of {status}. Only "
                   f"a {name} with one of the following statuses may be canceled: "
                   "`requires_payment_method`, `requires_confirmation`, or `requires_action`.")
    elif op == "capture" and status == SUCCEEDED and intent is not None and \
            intent.get("amount_received", 0) < intent.get("amount", 0):  # partly captured
        message = ("The remaining amount on this PaymentIntent could not be captured because "
                   "the remainder of the authorized amount has been released.")
    elif op == "capture" and status == SUCCEEDED:
        message = f"This {name} could not be captured because it has already been captured."
    elif op == "capture":
        message = (f"This {name} could not be captured because it has a status of {status}. "
                   f"Only a {name} with one of the following statuses may be captured: "
                   f"{allowed}.")
    elif op == "update":
        message = (f"This {name}'s {field} could not be updated because it has a status of "
                   f"{status}. You may only update the {field} of a {name} with one of the "
                   f"following statuses: {allowed}.")
        param = field
    elif op == "confirm" and status == SUCCEEDED:
        message = (f"You cannot confirm this {name} because it has already succeeded after "
                   "being previously confirmed.")
    else:
        verb, done = _VERBS[op]
        message = (f"You cannot {verb} this {name} because it has a status of {status}. "
                   f"Only a {name} with one of the following statuses may be {done}: "
                   f"{allowed}.")
    extra = {kind: private_free(intent)} if intent is not None else None
    return InvalidRequestError(message, code=f"{kind}_unexpected_state", extra=extra,
                               param=param)


# Stripe's own wording for a SetupIntent that has already finished (recorded messages).
_SETUP_TERMINAL = {
    ("confirm", SUCCEEDED): "You cannot confirm this SetupIntent because it has already "
                            "succeeded.",
    ("confirm", CANCELED): "You cannot confirm this SetupIntent because it has been canceled.",
    ("cancel", SUCCEEDED): "You cannot cancel this SetupIntent because it has a status of "
                           "succeeded. Only a SetupIntent with one of the following statuses "
                           "may be canceled: `requires_payment_method`, "
                           "`requires_confirmation`, or `requires_action`.",
    ("cancel", CANCELED): "You cannot cancel this SetupIntent because it is already canceled.",
    ("update", SUCCEEDED): "You cannot update this SetupIntent because it has already "
                           "succeeded.",
    ("update", CANCELED): "You cannot update this SetupIntent because it has been canceled.",
}


def check(kind: str, status: str, op: str, intent: dict[str, Any] | None = None, *,
          field: str = "payment_method") -> None:
    """Raise Stripe's unexpected-state error unless `op` may start from `status`."""
    _, from_, _ = _KINDS[kind]
    if status not in from_[op]:
        raise unexpected_state(kind, status, op, intent, field=field)


def next_status(kind: str, status: str, op: str, outcome: str,
                intent: dict[str, Any] | None = None) -> str:
    """The status after `op` ended with `outcome` (or the unexpected-state error)."""
    _, _, edges = _KINDS[kind]
    check(kind, status, op, intent)
    try:
        return edges[(status, op, outcome)]
    except KeyError:
        raise ValueError(f"{kind}: {op} has no outcome {outcome!r}") from None


# -- 3-D Secure ------------------------------------------------------------------------

def authentication(behaviour: dict[str, Any], *, flow: str, off_session: bool,
                   set_up: bool, authenticated: bool) -> str:
    """Whether a card must authenticate: "none", "required" (next_action), or "fail"
    (off-session, nobody can authenticate: declined with authentication_required).

    three_d_secure "one_off" (4000002500003155): required on setup and on payments,
    except off-session payments with a card set up for them (SetupIntent or
    setup_future_usage). "always" (4000002760003184): required every time. "on_session"
    (4000003800000446): required on setup and on-session payments; off-session payments
    succeed as if the card had been set up."""
    mode = behaviour.get("three_d_secure", "no")
    if authenticated or mode == "no":
        return "none"
    if flow == "setup":
        return "required"
    if mode == "on_session" and off_session:
        return "none"
    if mode == "one_off" and set_up and off_session:
        return "none"
    return "fail" if off_session else "required"


THREE_D_SECURE_RESULT = {"authentication_flow": "challenge", "result": "authenticated",
                         "result_reason": None, "version": "2.2.0"}
AUTHENTICATED_ECI = "05"  # Electronic Commerce Indicator: fully authenticated (Visa)


def three_d_secure_result(*, charge: bool = False) -> dict[str, Any]:
    """A completed challenge as a charge's (charge=True) or a SetupAttempt's card details
    show it: the ECI and the directory server's transaction id (dsTransId, a UUID);
    a charge also names the exemption applied (none)."""
    out = {**THREE_D_SECURE_RESULT, "electronic_commerce_indicator": AUTHENTICATED_ECI,
           "transaction_id": str(uuid.uuid4())}
    if charge:
        out["exemption_indicator"] = None
    return out

AUTH_FAILURE = {
    "payment_intent": ("payment_intent_authentication_failure",
                       "The provided PaymentMethod has failed authentication. You can provide "
                       "payment_method_data or a new PaymentMethod to attempt to fulfill this "
                       "PaymentIntent again."),
    "setup_intent": ("setup_intent_authentication_failure",
                     "The latest attempt to set up the payment method has failed because "
                     "authentication failed. Select a different payment method and try "
                     "again."),
}
