"""Legacy ACH charges settle later, as in Stripe's test mode.

A charge on a verified customer bank account is created `pending` (event
charge.pending) with its balance transaction pending; the money moves at creation
(services/money_flow.py). A job scheduled in the same transaction (store/jobs.py)
settles it `ach_settle_seconds` later (CONNECT_SANDBOX_ACH_SETTLE_SECONDS):

- test account 000123456789: status `succeeded` (charge.succeeded);
- the failing test accounts (domain/testcards.BANK_ACCOUNTS): status `failed`,
  paid false, Stripe's failure_code and failure_message, and the money goes back
  (services/charge_failure.py: a payment_failure_refund, the charge's
  failure_balance_transaction) (charge.failed).

POST /v1/test_helpers/charges/{charge}/settle (sandbox only, not a Stripe endpoint)
settles a pending ACH charge at once, for deterministic tests. A charge settles exactly
once: the job runner and the helper both lock the job row, then the charge, and
settle only a charge that is still pending.
"""
from __future__ import annotations

import time
from typing import Any

from ..context import RequestContext
from ..domain.testcards import BANK_FAILURES
from ..errors import InvalidRequestError
from ..params import Params
from ..store import Tx, jobs
from . import charge_failure, events

KIND = "ach_settle"
SETTING = "setting:ach_settle_seconds"  # in the store's cache, set by create_app
DEFAULT_DELAY = 5.0


def is_ach(ch: dict[str, Any]) -> bool:
    return (ch.get("payment_method_details") or {}).get("type") == "ach_debit"


def on_created(tx: Tx, ctx: RequestContext, ch: dict[str, Any]) -> None:
    """A pending ACH charge was just created: mark its outcome as not assessed by Radar
    (Stripe's value for non-card payments) and schedule its settlement."""
    outcome = ch.get("outcome")
    if outcome:
        outcome["risk_level"] = "not_assessed"
        outcome.pop("risk_score", None)
    delay = float(tx.cache.get(SETTING, DEFAULT_DELAY))
    jobs.schedule(tx, kind=KIND, account=ctx.account, platform=ctx.platform,
                  object_id=ch["id"], due_ms=int((time.time() + delay) * 1000), now=ctx.now)


def settle(tx: Tx, ctx: RequestContext, ch: dict[str, Any]) -> dict[str, Any]:
    """Settle a pending ACH charge (locked by the caller): it succeeds, or fails as its
    test bank account says. Saves it and records charge.succeeded or charge.failed."""
    code = (ch.get("_behaviour") or {}).get("charge", "ok")
    outcome = dict(ch.get("outcome") or {})
    if code in BANK_FAILURES:
        failure = charge_failure.reverse(tx, ctx, ch)
        ch.update(status="failed", paid=False, failure_code=code,
                  failure_message=BANK_FAILURES[code],
                  failure_balance_transaction=failure["id"] if failure else None)
        outcome.update(network_status="declined_by_network", reason=None,
                       type="issuer_declined",
                       seller_message="The bank returned this payment: "
                                      + BANK_FAILURES[code])
        ch["outcome"] = outcome
        tx.save(ctx.account, ch)
        events.record(tx, ctx, "charge.failed", ch)
        return ch
    ch["status"] = "succeeded"
    outcome["seller_message"] = "Payment complete."
    ch["outcome"] = outcome
    tx.save(ctx.account, ch)
    events.record(tx, ctx, "charge.succeeded", ch)
    return ch


def run_job(tx: Tx, ctx: RequestContext, job: jobs.Job) -> None:
    """The job runner's handler: settle the charge unless it already was (or is gone)."""
    ch = tx.get(ctx.account, job.object_id, "charge", for_update=True)
    if ch is not None and ch.get("status") == "pending" and is_ach(ch):
        settle(tx, ctx, ch)


def settle_now(tx: Tx, ctx: RequestContext, params: Params, charge: str) -> dict[str, Any]:
    """POST /v1/test_helpers/charges/{charge}/settle (sandbox only)."""
    from . import charges
    job = jobs.take(tx, KIND, charge, account=ctx.account)  # the runner's lock order
    ch = charges.get(tx, ctx, charge, for_update=True)
    if not is_ach(ch):
        raise InvalidRequestError(
            f"Charge {charge} is not an ACH charge: only a pending charge on a bank account "
            "settles later.", param="charge")
    if ch["status"] != "pending":
        raise InvalidRequestError(
            f"Charge {charge} has already settled (its status is {ch['status']}).",
            param="charge")
    settle(tx, ctx, ch)
    if job is not None:
        jobs.finish(tx, job)
    return ch
