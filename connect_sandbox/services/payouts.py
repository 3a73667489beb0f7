"""Payouts: moving funds from an account's available balance to one of its external
accounts (POST/GET /v1/payouts, GET/POST /v1/payouts/{payout}, POST .../cancel), for the
platform itself or a connected account (Stripe-Account header).

A payout is created `pending` and takes its amount from the acting account's available
balance of its `source_type` at once: a `payout` balance transaction (negative,
available now) in the same database transaction. A job (store/jobs.py) settles it
`payout_seconds` later (CONNECT_SANDBOX_PAYOUT_SECONDS), as the destination's test
account number says (domain/payouts.py): `paid` (payout.paid), or `failed` with Stripe's
failure_code and failure_message, the money given back by a `payout_failure`
transaction (payout.failed). A pending payout can be canceled: a `payout_cancel`
transaction gives the money back (payout.canceled). Either way the returned funds are
available at once (balance.available).

POST /v1/test_helpers/payouts/{payout}/settle (sandbox only, Stripe has no such helper)
settles a pending payout now. The job runner, the helper and cancel all lock the job row
first, then the payout, and act only on a payout that is still pending: a payout
settles or is canceled exactly once.
"""
from __future__ import annotations

import time
from typing import Any

from ..context import RequestContext
from ..domain import metadata as md
from ..domain import money, payouts as rules
from ..domain.ids import new_id
from ..errors import InvalidRequestError, ResourceMissing
from ..http.pagination import created_filter, list_object, page
from ..params import Params
from ..store import Tx, jobs
from ..wire.shape import blank
from . import balance, events, ledger

KIND = "payout_settle"
SETTING = "setting:payout_seconds"  # in the store's cache, set by the job runner
DEFAULT_DELAY = 5.0
EXTERNAL = ("bank_account", "card")


def get(tx: Tx, ctx: RequestContext, payout_id: str, *, for_update: bool = False,
        param: str = "id") -> dict[str, Any]:
    po = tx.get(ctx.account, payout_id, "payout", for_update=for_update)
    if po is None:
        raise ResourceMissing("payout", payout_id, param=param)
    return po


def _externals(tx: Tx, account: str) -> list[dict[str, Any]]:
    return [o for o in tx.children(account, EXTERNAL, account) if o.get("account") == account]


def _destination(tx: Tx, ctx: RequestContext, params: Params, cur: str) -> dict[str, Any]:
    """The external account the payout goes to: `destination` (one of the acting
    account's external accounts), else its default for the currency."""
    externals = _externals(tx, ctx.account)
    wanted = params.get("destination") or None
    if wanted is not None:
        dest = next((o for o in externals if o["id"] == wanted), None)
        if dest is None:
            raise ResourceMissing("external account", wanted, param="destination")
        if dest.get("currency") != cur:
            raise InvalidRequestError(
                f"The destination {wanted} takes payouts in {dest.get('currency')}, not in "
                f"{cur}.", param="destination")
        return dest
    dest = next((o for o in externals
                 if o.get("currency") == cur and o.get("default_for_currency")), None)
    if dest is None:
        raise InvalidRequestError(rules.no_external_account(cur))
    return dest


def create(tx: Tx, ctx: RequestContext, params: Params) -> dict[str, Any]:
    amount = money.required_amount(params)
    cur = money.currency(params["currency"])
    acct = tx.get(ctx.platform, ctx.account, "account") or {}
    if acct.get("payouts_enabled") is False:  # a rejected account
        raise InvalidRequestError(rules.PAYOUTS_NOT_ALLOWED, code="payouts_not_allowed")
    method = params.get("method") or "standard"
    source_type = params.get("source_type") or "card"
    dest = _destination(tx, ctx, params, cur)
    if method not in (dest.get("available_payout_methods") or ["standard"]):
        raise InvalidRequestError(rules.INSTANT_UNSUPPORTED, param="method",
                                  code="instant_payouts_unsupported")
    ledger.lock(tx, ctx, ctx.account)
    by_type = ledger.totals(tx, ctx.account, ctx.now).get(cur, {}).get("available", {})
    if by_type.get(source_type, 0) < amount:
        raise InvalidRequestError(rules.insufficient(source_type),
                                  code="balance_insufficient")
    po_id = new_id("po")
    description = params.get("description") or None
    txn = ledger.post(tx, ctx, ctx.account, type_="payout", amount=-amount, currency=cur,
                      source=po_id, description=description, source_type=source_type)
    po = blank(
        "payout", id=po_id, amount=amount, currency=cur, created=ctx.now,
        arrival_date=rules.arrival_date(ctx.now, method), automatic=False,
        balance_transaction=txn["id"], description=description, destination=dest["id"],
        metadata=md.merge({}, params.get("metadata") or {}), method=method,
        reconciliation_status="not_applicable", source_type=source_type,
        statement_descriptor=params.get("statement_descriptor") or None, status="pending",
        type=dest["object"], trace_id={"status": "pending", "value": None},
        # newer than the 2023-08-16 description: fees on payouts, v2 payout methods
        application_fee=None, application_fee_amount=None, payout_method=None)
    po["_outcome"] = (dest.get("_behaviour") or {}).get("charge", "ok")
    tx.insert(ctx.account, po, parent=dest["id"])
    events.record(tx, ctx, "payout.created", po)
    delay = float(tx.cache.get(SETTING, DEFAULT_DELAY))
    jobs.schedule(tx, kind=KIND, account=ctx.account, platform=ctx.platform, object_id=po_id,
                  due_ms=int((time.time() + delay) * 1000), now=ctx.now)
    return po


def retrieve(tx: Tx, ctx: RequestContext, params: Params, payout: str) -> dict[str, Any]:
    return get(tx, ctx, payout)


def update(tx: Tx, ctx: RequestContext, params: Params, payout: str) -> dict[str, Any]:
    po = get(tx, ctx, payout, for_update=True)
    if params.has("metadata"):
        previous = {"metadata": po["metadata"]}
        po["metadata"] = md.merge(po["metadata"], params["metadata"])
        tx.save(ctx.account, po)
        events.record(tx, ctx, "payout.updated", po, previous=previous)
    return po


def list_(tx: Tx, ctx: RequestContext, params: Params) -> dict[str, Any]:
    status = params.get("status") or None
    arrival = created_filter(params.get("arrival_date"))

    def keep(po: dict[str, Any]) -> bool:
        return (status is None or po["status"] == status) and \
            (arrival is None or rules.in_range(po["arrival_date"], arrival))
    return page(tx, ctx.account, "payout", params, "/v1/payouts",
                parent=params.get("destination") or None,
                keep=keep if status is not None or arrival is not None else None)


def _give_back(tx: Tx, ctx: RequestContext, po: dict[str, Any], type_: str) -> dict[str, Any]:
    """The payout's amount back in the account's available balance (a payout_cancel or
    payout_failure transaction)."""
    txn = ledger.post(tx, ctx, ctx.account, type_=type_, amount=po["amount"],
                      currency=po["currency"], source=po["id"],
                      description=po.get("description"), source_type=po["source_type"])
    po["failure_balance_transaction"] = txn["id"]
    return txn


def _available(tx: Tx, ctx: RequestContext) -> None:
    events.record(tx, ctx, "balance.available", balance.current(tx, ctx))


def settle(tx: Tx, ctx: RequestContext, po: dict[str, Any]) -> dict[str, Any]:
    """Settle a pending payout (locked by the caller): paid, or failed as its
    destination's test account number says."""
    code = po.pop("_outcome", "ok")
    if code in rules.FAILURES:
        _give_back(tx, ctx, po, "payout_failure")
        po.update(status="failed", failure_code=code, failure_message=rules.FAILURES[code],
                  trace_id={"status": "unsupported", "value": None})
        tx.save(ctx.account, po)
        events.record(tx, ctx, "payout.failed", po)
        _available(tx, ctx)
        return po
    po.update(status="paid", trace_id={"status": "unsupported", "value": None})
    tx.save(ctx.account, po)
    events.record(tx, ctx, "payout.paid", po)
    return po


def run_job(tx: Tx, ctx: RequestContext, job: jobs.Job) -> None:
    """The job runner's handler: settle the payout unless it was settled or canceled."""
    po = tx.get(ctx.account, job.object_id, "payout", for_update=True)
    if po is not None and po["status"] == "pending":
        settle(tx, ctx, po)


def _pending(tx: Tx, ctx: RequestContext, payout: str) -> tuple[jobs.Job | None,
                                                                 dict[str, Any]]:
    job = jobs.take(tx, KIND, payout, account=ctx.account)  # the runner's lock order
    return job, get(tx, ctx, payout, for_update=True)


def cancel(tx: Tx, ctx: RequestContext, params: Params, payout: str) -> dict[str, Any]:
    job, po = _pending(tx, ctx, payout)
    if po["status"] != "pending":
        raise InvalidRequestError("Payouts can only be canceled while they are pending.")
    po.pop("_outcome", None)
    _give_back(tx, ctx, po, "payout_cancel")
    po.update(status="canceled", trace_id={"status": "unsupported", "value": None})
    tx.save(ctx.account, po)
    events.record(tx, ctx, "payout.canceled", po)
    _available(tx, ctx)
    if job is not None:
        jobs.finish(tx, job)
    return po


def settle_now(tx: Tx, ctx: RequestContext, params: Params, payout: str) -> dict[str, Any]:
    """POST /v1/test_helpers/payouts/{payout}/settle (sandbox only)."""
    job, po = _pending(tx, ctx, payout)
    if po["status"] != "pending":
        raise InvalidRequestError(
            f"Payout {payout} is no longer pending (its status is {po['status']}).",
            param="payout")
    settle(tx, ctx, po)
    if job is not None:
        jobs.finish(tx, job)
    return po


def balance_transactions(tx: Tx, ctx: RequestContext, params: Params,
                         url: str) -> dict[str, Any]:
    """GET /v1/balance_transactions?payout=po_...: Stripe lists the transactions an
    automatic payout paid out; every payout here is manual, for which Stripe cannot say
    which transactions it includes, so the list holds the payout's own transaction."""
    po = get(tx, ctx, params["payout"], param="payout")
    wanted = params.get("type") or "payout"
    cur = (params.get("currency") or "").lower()
    if wanted != "payout" or (cur and cur != po["currency"]) or \
            (params.get("source") and params["source"] != po["id"]):
        return list_object(url, [], False)
    result = page(tx, ctx.account, "balance_transaction", params, url, parent=po["id"],
                  lookup="payout", kind="balance transaction")
    result["data"] = [ledger.fresh(t, ctx.now) for t in result["data"]]
    return result
