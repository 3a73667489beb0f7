"""The PaymentIntent / SetupIntent state machines (domain/intents.py), table-driven:
every allowed transition lands where Stripe's does, and every forbidden operation is
refused with Stripe's unexpected-state error carrying the intent."""
from __future__ import annotations

import itertools

import pytest

from connect_sandbox.domain import intents
from connect_sandbox.domain.intents import (CANCELED, PROCESSING, RA, RC, RCAP, RPM,
                                            SUCCEEDED)
from connect_sandbox.errors import InvalidRequestError

PI, SI = "payment_intent", "setup_intent"

# (status, operation, outcome) -> new status: Stripe's PaymentIntent lifecycle.
PI_ALLOWED = {
    (RPM, "update", "set_payment_method"): RC,
    (RC, "update", "set_payment_method"): RC,
    (RA, "update", "set_payment_method"): RC,
    (RPM, "update", "unchanged"): RPM,
    (RC, "update", "unchanged"): RC,
    (RA, "update", "unchanged"): RA,
    **{(s, "confirm", "paid"): SUCCEEDED for s in (RPM, RC, RA)},
    **{(s, "confirm", "authorized"): RCAP for s in (RPM, RC, RA)},
    **{(s, "confirm", "needs_action"): RA for s in (RPM, RC, RA)},
    **{(s, "confirm", "declined"): RPM for s in (RPM, RC, RA)},
    **{(s, "confirm", "pending"): PROCESSING for s in (RPM, RC, RA)},
    (RCAP, "capture", "paid"): SUCCEEDED,
    # Only an authorized intent's amount can be raised (it stays requires_capture).
    (RCAP, "increment_authorization", "incremented"): RCAP,
    **{(s, "cancel", "canceled"): CANCELED for s in (RPM, RC, RA, RCAP, PROCESSING)},
    (RA, "authenticate", "paid"): SUCCEEDED,
    (RA, "authenticate", "authorized"): RCAP,
    (RA, "authenticate", "declined"): RPM,
    (RA, "authenticate", "authenticated_manual"): RC,
    (PROCESSING, "settle", "paid"): SUCCEEDED,
    (PROCESSING, "settle", "declined"): RPM,
}

SI_ALLOWED = {
    (RPM, "update", "set_payment_method"): RC,
    (RC, "update", "set_payment_method"): RC,
    (RA, "update", "set_payment_method"): RC,
    (RPM, "update", "unchanged"): RPM,
    (RC, "update", "unchanged"): RC,
    (RA, "update", "unchanged"): RA,
    **{(s, "confirm", "succeeded"): SUCCEEDED for s in (RPM, RC, RA)},
    **{(s, "confirm", "needs_action"): RA for s in (RPM, RC, RA)},
    **{(s, "confirm", "declined"): RPM for s in (RPM, RC, RA)},
    **{(s, "confirm", "pending"): PROCESSING for s in (RPM, RC, RA)},
    **{(s, "cancel", "canceled"): CANCELED for s in (RPM, RC, RA)},
    (RA, "authenticate", "succeeded"): SUCCEEDED,
    (RA, "authenticate", "declined"): RPM,
    (PROCESSING, "settle", "succeeded"): SUCCEEDED,
    (PROCESSING, "settle", "declined"): RPM,
}

CASES = [(PI, intents.PI_STATUSES, intents.PI_OUTCOMES, PI_ALLOWED),
         (SI, intents.SI_STATUSES, intents.SI_OUTCOMES, SI_ALLOWED)]


def _all(kind):
    for k, statuses, outcomes, allowed in CASES:
        if k == kind:
            return statuses, outcomes, allowed
    raise KeyError(kind)


@pytest.mark.parametrize("kind", [PI, SI])
def test_table_matches_stripe(kind):
    _, _, allowed = _all(kind)
    edges = intents.PI_EDGES if kind == PI else intents.SI_EDGES
    assert edges == allowed


@pytest.mark.parametrize("kind,edge", [(k, e) for k, *_rest, allowed in CASES for e in allowed])
def test_every_allowed_transition(kind, edge):
    status, op, outcome = edge
    _, _, allowed = _all(kind)
    intents.check(kind, status, op)  # no error
    assert intents.next_status(kind, status, op, outcome) == allowed[edge]


def _forbidden():
    for kind, statuses, outcomes, _allowed in CASES:
        starts = intents.PI_FROM if kind == PI else intents.SI_FROM
        for status, op in itertools.product(statuses, outcomes):
            if status not in starts[op]:
                yield kind, status, op


@pytest.mark.parametrize("kind,status,op", list(_forbidden()))
def test_every_forbidden_operation_is_a_stripe_error(kind, status, op):
    intent = {"id": "pi_123" if kind == PI else "seti_123", "object": kind, "status": status,
              "_behaviour": {"charge": "ok"}}
    with pytest.raises(InvalidRequestError) as info:
        intents.check(kind, status, op, intent)
    err = info.value
    assert err.status == 400 and err.type == "invalid_request_error"
    assert err.code == f"{kind}_unexpected_state"
    if (kind, status, op) == (PI, SUCCEEDED, "capture"):  # Stripe's own sentence
        assert "already been captured" in err.message
    else:
        assert status in err.message
    body = err.to_wire()["error"]
    assert body["doc_url"].endswith(f"{kind.replace('_', '-')}-unexpected-state")
    assert body[kind]["id"] == intent["id"] and "_behaviour" not in body[kind]
    # next_status refuses the same way, whatever the outcome
    for outcome in (intents.PI_OUTCOMES if kind == PI else intents.SI_OUTCOMES)[op]:
        with pytest.raises(InvalidRequestError):
            intents.next_status(kind, status, op, outcome)


def test_stripe_messages():
    def msg(kind, status, op, **kw):
        with pytest.raises(InvalidRequestError) as info:
            intents.check(kind, status, op, **kw)
        return info.value.message

    assert msg(PI, SUCCEEDED, "capture") == (
        "This PaymentIntent could not be captured because it has already been captured.")
    assert msg(PI, CANCELED, "capture") == (
        "This PaymentIntent could not be captured because it has a status of canceled. Only "
        "a PaymentIntent with one of the following statuses may be captured: "
        "requires_capture.")
    assert msg(PI, SUCCEEDED, "cancel") == (
        "You cannot cancel this PaymentIntent because it has a status of succeeded. Only a "
        "PaymentIntent with one of the following statuses may be canceled: "
        "requires_payment_method, requires_capture, requires_reauthorization, "
        "requires_confirmation, requires_action, expired, processing.")  # Stripe's list
    assert msg(PI, SUCCEEDED, "confirm") == (
        "You cannot confirm this PaymentIntent because it has already succeeded after being "
        "previously confirmed.")
    assert "status of canceled" in msg(PI, CANCELED, "confirm")
    assert msg(PI, SUCCEEDED, "update", field="amount").startswith(
        "This PaymentIntent's amount could not be updated because it has a status of "
        "succeeded.")
    # Stripe's SetupIntent wording (recorded): backticks and "or"
    assert "may be canceled: `requires_payment_method`, `requires_confirmation`, or " \
        "`requires_action`." in msg(SI, SUCCEEDED, "cancel")


def test_unknown_outcome_is_a_programming_error():
    with pytest.raises(ValueError):
        intents.next_status(PI, RC, "confirm", "succeeded")


@pytest.mark.parametrize("mode,flow,off,set_up,authed,expected", [
    ("no", "payment", False, False, False, "none"),
    ("no", "payment", True, False, False, "none"),
    ("one_off", "payment", False, False, False, "required"),
    ("one_off", "payment", False, True, False, "required"),
    ("one_off", "payment", True, True, False, "none"),
    ("one_off", "payment", True, False, False, "fail"),
    ("one_off", "setup", False, False, False, "required"),
    ("always", "payment", True, True, False, "fail"),
    ("always", "payment", False, True, False, "required"),
    ("always", "setup", False, False, False, "required"),
    ("always", "payment", False, False, True, "none"),
])
def test_three_d_secure_decision(mode, flow, off, set_up, authed, expected):
    assert intents.authentication({"three_d_secure": mode}, flow=flow, off_session=off,
                                  set_up=set_up, authenticated=authed) == expected
