"""Refunds (re_...): give back part or all of a charge, from the account that owns it.

A refund debits the charge's account ("refund"; Stripe's processing fee is not
given back). Options: `refund_application_fee` gives the platform's application fee
back to the connected account and `reverse_transfer` pulls a destination charge's
transfer back to the platform, both in proportion to the part of the charge refunded
so far (see domain/fees.share). Refunding an uncaptured charge releases it (whole
amount only, no money moves).

Stored rows: under the charge's account, parent = the charge (which is how a
charge's `refunds` list is read), lookup = the charge's PaymentIntent.
"""
from __future__ import annotations

from typing import Any

from ..context import RequestContext
from ..domain import charging, fees, money
from ..domain import metadata as md
from ..domain.ids import new_id
from ..errors import InvalidRequestError, ResourceMissing
from ..http.pagination import page
from ..params import Params
from ..store import Tx
from ..wire import current
from ..wire.shape import blank
from . import application_fees, events, ledger, passthrough, transfers


def _charge_of_intent(tx: Tx, ctx: RequestContext, pi_id: str) -> str:
    pi = tx.get(ctx.account, pi_id, "payment_intent")
    if pi is None:
        raise ResourceMissing("payment_intent", pi_id, param="payment_intent")
    latest = pi.get("latest_charge")
    if isinstance(latest, dict):
        latest = latest.get("id")
    ch = tx.get(ctx.account, latest, "charge") if latest else None
    if ch is None or ch.get("status") == "failed" or not ch.get("paid"):
        raise InvalidRequestError(
            f"This PaymentIntent ({pi_id}) does not have a successful charge to refund.",
            param="payment_intent")
    return latest


def _load_charge(tx: Tx, ctx: RequestContext, params: Params,
                 charge: str | None) -> dict[str, Any]:
    charge_id = charge or params.get("charge") or None
    pi_id = params.get("payment_intent") or None
    if charge_id is None and pi_id is None:
        raise InvalidRequestError("One of the following params should be provided for this "
                                  "request: payment_intent or charge.", param="charge")
    if charge_id is None:
        charge_id = _charge_of_intent(tx, ctx, pi_id)
    ch = tx.get(ctx.account, charge_id, "charge", for_update=True)
    if ch is None:
        raise ResourceMissing("charge", charge_id, param="id" if charge else "charge")
    if pi_id and ch.get("payment_intent") != pi_id:
        raise InvalidRequestError(f"Charge {charge_id} does not belong to PaymentIntent "
                                  f"{pi_id}.", param="payment_intent")
    return ch


_PASSTHROUGH = ("instructions_email",)


def refund_charge(tx: Tx, ctx: RequestContext, ch: dict[str, Any], params: Params
                  ) -> dict[str, Any]:
    if ch.get("source_transfer"):
        raise InvalidRequestError(
            f"{ch['id']} is a payment created by the transfer {ch['source_transfer']}; the "
            "platform reverses the transfer instead of refunding it.", param="charge")
    if ch["status"] == "failed":
        raise InvalidRequestError(f"Charge {ch['id']} has failed and cannot be refunded.",
                                  param="charge")
    cur = ch["currency"]
    left = charging.refundable(ch)
    if ch["refunded"] or ch.get("_released") or left <= 0:
        raise InvalidRequestError(f"Charge {ch['id']} has already been refunded.",
                                  param="charge", code="charge_already_refunded")
    amount = params.get("amount", left)
    if amount < 1:
        raise InvalidRequestError("Invalid positive integer", param="amount")
    if amount > left:
        what = "charge amount" if ch["amount_refunded"] == 0 else \
            "unrefunded amount on charge"
        raise InvalidRequestError(f"Refund amount ({money.fmt(amount, cur)}) is greater than "
                                  f"{what} ({money.fmt(left, cur)})", param="amount")
    if not ch["captured"] and amount != left:
        raise InvalidRequestError(
            "You cannot partially refund an uncaptured charge. Instead, capture the charge "
            "for an amount less than the original amount", param="amount")
    re_id = new_id("re")
    txn = None
    if ch["captured"]:
        kind = "bank_account" if (ch.get("payment_method_details") or {}).get("type") == \
            "ach_debit" else "card"
        txn = ledger.post(tx, ctx, ctx.account, type_="refund", amount=-amount, currency=cur,
                          source=re_id, source_type=kind,
                          description="REFUND FOR CHARGE" + (
                              f" ({ch['description']})" if ch.get("description") else ""))
    refund = blank("refund", id=re_id, amount=amount, currency=cur, created=ctx.now,
                   charge=ch["id"], payment_intent=ch.get("payment_intent"),
                   balance_transaction=txn["id"] if txn else None, status="succeeded",
                   reason=params.get("reason") or None,
                   metadata=md.merge({}, params.get("metadata") or {}),
                   customer=ch.get("customer"), payment_method=ch.get("payment_method"))
    if (ch.get("payment_method_details") or {}).get("type") == "card":
        refund["destination_details"] = _card_destination(ch["captured"])
    passthrough.apply(refund, params, _PASSTHROUGH)
    previous = {"amount_refunded": ch["amount_refunded"], "refunded": ch["refunded"]}
    ch["amount_refunded"] += amount
    ch["refunded"] = charging.refundable(ch) <= 0
    if ch["captured"]:
        _side_effects(tx, ctx, ch, refund, params)
    tx.insert(ctx.account, refund, parent=ch["id"], lookup=ch.get("payment_intent"))
    tx.save(ctx.account, ch)
    events.record(tx, ctx, "refund.created", refund)
    events.record(tx, ctx, "charge.refunded", ch, previous=previous)
    return refund


def _card_destination(captured: bool) -> dict[str, Any]:
    """Where a card refund goes: a refund with its acquirer reference number, or the
    reversal of an authorization that was never captured."""
    if not captured:
        return {"card": {"reference_status": "unavailable", "type": "reversal"},
                "type": "card"}
    return {"card": {"reference": current.acquirer_reference_number(),
                     "reference_status": "available",
                     "reference_type": "acquirer_reference_number", "type": "refund"},
            "type": "card"}


def _side_effects(tx: Tx, ctx: RequestContext, ch: dict[str, Any], refund: dict[str, Any],
                  params: Params) -> None:
    """The proportional fee refund and transfer reversal a refund asks for."""
    whole = ch["amount_captured"]
    done = charging.refunded_by_refunds(ch)  # refunded out of the captured
    if params.get("refund_application_fee") and ch.get("application_fee"):
        fee = tx.get(ctx.platform, ch["application_fee"], "application_fee", for_update=True)
        give = fees.share(fee["amount"], done, whole, fee["amount_refunded"]) if fee else 0
        if give:
            application_fees.refund_fee(tx, ctx, fee, give)
    if params.get("reverse_transfer") and ch.get("transfer"):
        tr = tx.get(ctx.account, ch["transfer"], "transfer", for_update=True)
        give = fees.share(tr["amount"], done, whole, tr["amount_reversed"]) if tr else 0
        if give:
            rev = transfers.reverse(tx, ctx, tr, give, sender=ctx.account,
                                    source_refund=refund["id"], check_balance=False)
            refund["transfer_reversal"] = rev["id"]


# -- endpoints ---------------------------------------------------------------------

def create(tx: Tx, ctx: RequestContext, params: Params) -> dict[str, Any]:
    return refund_charge(tx, ctx, _load_charge(tx, ctx, params, None), params)


def create_for_charge(tx: Tx, ctx: RequestContext, params: Params,
                      charge: str) -> dict[str, Any]:
    return refund_charge(tx, ctx, _load_charge(tx, ctx, params, charge), params)


def _get(tx: Tx, ctx: RequestContext, refund_id: str, charge: str | None = None
         ) -> dict[str, Any]:
    if charge is not None and tx.get(ctx.account, charge, "charge") is None:
        raise ResourceMissing("charge", charge, param="charge")
    refund = tx.get(ctx.account, refund_id, "refund")
    if refund is None or (charge is not None and refund.get("charge") != charge):
        raise ResourceMissing("refund", refund_id)
    return refund


def retrieve(tx: Tx, ctx: RequestContext, params: Params, refund: str) -> dict[str, Any]:
    return _get(tx, ctx, refund)


def retrieve_for_charge(tx: Tx, ctx: RequestContext, params: Params, charge: str,
                        refund: str) -> dict[str, Any]:
    return _get(tx, ctx, refund, charge)


def _update(tx: Tx, ctx: RequestContext, params: Params, refund: dict[str, Any]
            ) -> dict[str, Any]:
    if params.has("metadata"):
        previous = {"metadata": refund["metadata"]}
        refund["metadata"] = md.merge(refund.get("metadata"), params["metadata"])
        tx.save(ctx.account, refund)
        if previous["metadata"] != refund["metadata"]:
            events.record(tx, ctx, "refund.updated", refund, previous=previous)
    return refund


def update(tx: Tx, ctx: RequestContext, params: Params, refund: str) -> dict[str, Any]:
    return _update(tx, ctx, params, _get(tx, ctx, refund))


def update_for_charge(tx: Tx, ctx: RequestContext, params: Params, charge: str,
                      refund: str) -> dict[str, Any]:
    return _update(tx, ctx, params, _get(tx, ctx, refund, charge))


def list_(tx: Tx, ctx: RequestContext, params: Params) -> dict[str, Any]:
    return page(tx, ctx.account, "refund", params, "/v1/refunds",
                parent=params.get("charge") or None,
                lookup=params.get("payment_intent") or None)


def list_for_charge(tx: Tx, ctx: RequestContext, params: Params,
                    charge: str) -> dict[str, Any]:
    if tx.get(ctx.account, charge, "charge") is None:
        raise ResourceMissing("charge", charge)
    return page(tx, ctx.account, "refund", params, f"/v1/charges/{charge}/refunds",
                parent=charge)
