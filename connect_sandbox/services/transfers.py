"""Transfers (tr_...) between a platform and its connected accounts, and their
reversals (trr_...).

A transfer is owned by the account that sends it (the platform; or a connected
account sending to its platform). It debits the sender ("transfer") and creates a
payment (py_..., an object "charge") on the destination that credits it ("payment").
A reversal moves money back: "transfer_refund" on the sender, and a refund (pyr_...)
of the payment, "payment_refund", on the destination.

Stored rows: transfer under the sender, parent = source_transaction, lookup =
destination; reversal under the sender, parent = transfer; the payment and its
refunds under the destination.
"""
from __future__ import annotations

from typing import Any

from ..context import RequestContext
from ..domain import fees
from ..domain import metadata as md
from ..domain import money
from ..domain.ids import new_id
from ..errors import InvalidRequestError, ResourceMissing, missing_param
from ..http.expand import owned, virtual
from ..http.pagination import list_object, page
from ..params import Params
from ..store import Tx
from ..wire.shape import blank
from . import application_fees, events, ledger

INSUFFICIENT = ("You have insufficient available funds in your Stripe account. Try adding "
                "funds directly to your available balance by creating Charges using the "
                "4000000000000077 test card. See: https://stripe.com/docs/testing#available-"
                "balance")


def send(tx: Tx, ctx: RequestContext, *, sender: str, amount: int, currency: str,
         destination: str, source_transaction: str | None = None,
         transfer_group: str | None = None, description: str | None = None,
         metadata: dict[str, str] | None = None, available_on: int | None = None,
         application_fee: int = 0, source_type: str = "card",
         destination_charge: str | None = None) -> dict[str, Any]:
    """Move `amount` from `sender` to `destination`; return the transfer (not checked
    against balances: callers do that). `application_fee` is shown as a fee on the
    destination's payment (a destination charge's fee, taken back by the platform)."""
    tr_id, py_id = new_id("tr"), new_id("py")
    out = ledger.post(tx, ctx, sender, type_="transfer", amount=-amount, currency=currency,
                      source=tr_id, available_on=available_on, description=description)
    details = application_fees.fee_details_for(application_fee, currency, ctx.platform) \
        if application_fee else []
    into = ledger.post(tx, ctx, destination, type_="payment", amount=amount,
                       currency=currency, source=py_id, available_on=available_on,
                       fee_details=details)
    payment = blank("charge", id=py_id, amount=amount, amount_captured=amount,
                    amount_refunded=0, currency=currency, created=ctx.now, captured=True,
                    paid=True, refunded=False, disputed=False, status="succeeded",
                    source_transfer=tr_id, balance_transaction=into["id"], metadata={},
                    fraud_details={}, payment_method_details={
                        "type": "stripe_account", "stripe_account": {}},
                    billing_details={"address": {k: None for k in (
                        "city", "country", "line1", "line2", "postal_code", "state")},
                        "email": None, "name": None, "phone": None, "tax_id": None})
    tx.insert(destination, payment)
    transfer = blank("transfer", id=tr_id, amount=amount, amount_reversed=0,
                     currency=currency, created=ctx.now, description=description,
                     destination=destination, destination_payment=py_id,
                     balance_transaction=out["id"], metadata=dict(metadata or {}),
                     reversed=False, source_transaction=source_transaction,
                     source_type=source_type, transfer_group=transfer_group)
    transfer["_destination_charge"] = destination_charge
    _embed_reversals(tx, transfer, sender)
    tx.insert(sender, transfer, parent=source_transaction, lookup=destination)
    events.record(tx, ctx, "transfer.created", transfer, account=sender)
    return transfer


def reverse(tx: Tx, ctx: RequestContext, transfer: dict[str, Any], amount: int | None, *,
            sender: str, source_refund: str | None = None, description: str | None = None,
            metadata: Any = None, refund_application_fee: bool = False,
            check_balance: bool = True) -> dict[str, Any]:
    """Reverse `amount` (default: what is left) of a transfer."""
    left = transfer["amount"] - transfer["amount_reversed"]
    if left <= 0:
        raise InvalidRequestError(f"The transfer {transfer['id']} is already fully reversed.",
                                  param="amount")
    amount = left if amount is None else amount
    if amount < 1:
        raise InvalidRequestError("Invalid positive integer", param="amount")
    cur = transfer["currency"]
    if amount > left:
        raise InvalidRequestError(
            f"Transfer reversal amount ({money.fmt(amount, cur)}) is greater than the amount "
            f"left on the transfer ({money.fmt(left, cur)}).", param="amount")
    dest = transfer["destination"]
    if check_balance and not transfer.get("_destination_charge"):
        ledger.lock(tx, ctx, dest)
        if ledger.total(tx, dest, cur, ctx.now) < amount:
            raise InvalidRequestError(
                f"The destination account {dest} does not have enough balance to cover this "
                "reversal.", param="amount", code="balance_insufficient")
    trr_id, pyr_id = new_id("trr"), new_id("pyr")
    back = ledger.post(tx, ctx, sender, type_="transfer_refund", amount=amount, currency=cur,
                       source=trr_id, description=description)
    out = ledger.post(tx, ctx, dest, type_="payment_refund", amount=-amount, currency=cur,
                      source=pyr_id)
    payment = tx.get(dest, transfer["destination_payment"], "charge")
    pyr = blank("refund", id=pyr_id, amount=amount, currency=cur, created=ctx.now,
                charge=transfer["destination_payment"], balance_transaction=out["id"],
                status="succeeded", source_transfer_reversal=trr_id, metadata={})
    tx.insert(dest, pyr, parent=transfer["destination_payment"])
    if payment is not None:
        payment["amount_refunded"] += amount
        payment["refunded"] = payment["amount_refunded"] >= payment["amount"]
        tx.save(dest, payment)
    reversal = blank("transfer_reversal", id=trr_id, amount=amount, currency=cur,
                     created=ctx.now, transfer=transfer["id"], balance_transaction=back["id"],
                     destination_payment_refund=pyr_id, source_refund=source_refund,
                     metadata=md.merge({}, metadata) if metadata else {})
    tx.insert(sender, reversal, parent=transfer["id"])
    previous = {"amount_reversed": transfer["amount_reversed"], "reversed": transfer["reversed"]}
    transfer["amount_reversed"] += amount
    transfer["reversed"] = transfer["amount_reversed"] >= transfer["amount"]
    _embed_reversals(tx, transfer, sender)
    tx.save(sender, transfer)
    events.record(tx, ctx, "transfer.reversed", transfer, previous=previous, account=sender)
    fee_id = transfer.get("_application_fee")
    if refund_application_fee and fee_id:
        fee = tx.get(ctx.platform, fee_id, "application_fee", for_update=True)
        give = fees.share(fee["amount"], transfer["amount_reversed"], transfer["amount"],
                          fee["amount_refunded"]) if fee else 0
        if give:
            application_fees.refund_fee(tx, ctx, fee, give)
    return reversal


def _embed_reversals(tx: Tx, transfer: dict[str, Any], sender: str) -> None:
    data = tx.children(sender, "transfer_reversal", transfer["id"])
    transfer["reversals"] = list_object(f"/v1/transfers/{transfer['id']}/reversals",
                                        data[:10], len(data) > 10)
    transfer["reversals"]["total_count"] = len(data)


def get(tx: Tx, ctx: RequestContext, transfer_id: str, *, param: str = "id",
        for_update: bool = False) -> dict[str, Any]:
    tr = tx.get(ctx.account, transfer_id, "transfer", for_update=for_update)
    if tr is None:
        raise ResourceMissing("transfer", transfer_id, param=param)
    return tr


# -- endpoints ---------------------------------------------------------------------

def _destination(tx: Tx, ctx: RequestContext, dest: str) -> str:
    if ctx.connected:
        if dest != ctx.platform:
            raise InvalidRequestError(
                "A connected account can only transfer funds to its platform "
                f"({ctx.platform}).", param="destination")
        return dest
    acct = tx.get(ctx.platform, dest, "account") if dest != ctx.platform else None
    if acct is None or acct.get("deleted"):
        raise ResourceMissing("destination", dest, param="destination")
    return dest


def _source_charge(tx: Tx, ctx: RequestContext, charge_id: str, amount: int,
                   currency: str) -> int:
    """Check a source_transaction and return when its funds become available."""
    ch = tx.get(ctx.account, charge_id, "charge", for_update=True)
    if ch is None:
        raise ResourceMissing("charge", charge_id, param="source_transaction")
    if not ch.get("captured") or ch.get("status") == "failed" or not ch.get(
            "balance_transaction"):
        raise InvalidRequestError(
            f"The source_transaction {charge_id} must be a successful, captured charge.",
            param="source_transaction")
    if ch["currency"] != currency:
        raise InvalidRequestError(
            f"The currency of source_transaction's balance transaction ({ch['currency']}) "
            f"must be the same as the transfer currency ({currency}).", param="currency")
    sent = sum(t["amount"] - t["amount_reversed"]
               for t in tx.children(ctx.account, "transfer", charge_id))
    left = ch["amount"] - ch["amount_refunded"] - sent
    if amount > left:
        raise InvalidRequestError(
            f"The transfer amount ({money.fmt(amount, currency)}) is greater than what is "
            f"left of the source transaction {charge_id} ({money.fmt(max(left, 0), currency)}"
            ").", param="amount", code="balance_insufficient")
    txn = tx.get(ctx.account, ch["balance_transaction"], "balance_transaction")
    return max(txn["available_on"], ctx.now) if txn else ctx.now


def create(tx: Tx, ctx: RequestContext, params: Params) -> dict[str, Any]:
    if "amount" not in params:
        raise missing_param("amount")
    amount = params["amount"]
    if amount < 1:
        raise InvalidRequestError("This value must be greater than or equal to 1.",
                                  param="amount")
    cur = money.currency(params["currency"])
    dest = _destination(tx, ctx, params["destination"])
    source = params.get("source_transaction") or None
    ledger.lock(tx, ctx, ctx.account)
    if source:
        available_on = _source_charge(tx, ctx, source, amount, cur)
    else:
        available_on = ctx.now
        if ledger.available(tx, ctx.account, cur, ctx.now) < amount:
            raise InvalidRequestError(INSUFFICIENT, param="amount",
                                      code="balance_insufficient")
    return send(tx, ctx, sender=ctx.account, amount=amount, currency=cur, destination=dest,
                source_transaction=source, transfer_group=params.get("transfer_group") or None,
                description=params.get("description") or None,
                metadata=md.merge({}, params.get("metadata") or {}),
                available_on=available_on, source_type=params.get("source_type") or "card")


def retrieve(tx: Tx, ctx: RequestContext, params: Params, transfer: str) -> dict[str, Any]:
    return get(tx, ctx, transfer)


def update(tx: Tx, ctx: RequestContext, params: Params, transfer: str) -> dict[str, Any]:
    tr = get(tx, ctx, transfer, for_update=True)
    previous: dict[str, Any] = {}
    if params.has("description"):
        previous["description"] = tr["description"]
        tr["description"] = params["description"] or None
    if params.has("metadata"):
        previous["metadata"] = tr["metadata"]
        tr["metadata"] = md.merge(tr["metadata"], params["metadata"])
    tx.save(ctx.account, tr)
    changed = {k: v for k, v in previous.items() if tr.get(k) != v}
    if changed:
        events.record(tx, ctx, "transfer.updated", tr, previous=changed)
    return tr


def list_(tx: Tx, ctx: RequestContext, params: Params) -> dict[str, Any]:
    group = params.get("transfer_group") or None
    return page(tx, ctx.account, "transfer", params, "/v1/transfers",
                lookup=params.get("destination") or None,
                keep=(lambda t: t.get("transfer_group") == group) if group else None)


def create_reversal(tx: Tx, ctx: RequestContext, params: Params, id: str) -> dict[str, Any]:
    tr = get(tx, ctx, id, for_update=True)
    return reverse(tx, ctx, tr, params.get("amount"), sender=ctx.account,
                   description=params.get("description") or None,
                   metadata=params.get("metadata"),
                   refund_application_fee=bool(params.get("refund_application_fee")))


def list_reversals(tx: Tx, ctx: RequestContext, params: Params, id: str) -> dict[str, Any]:
    get(tx, ctx, id)
    return page(tx, ctx.account, "transfer_reversal", params, f"/v1/transfers/{id}/reversals",
                parent=id, kind="transfer reversal")


def _reversal(tx: Tx, ctx: RequestContext, transfer: str, id: str) -> dict[str, Any]:
    get(tx, ctx, transfer, param="transfer")
    rev = tx.get(ctx.account, id, "transfer_reversal")
    if rev is None or rev["transfer"] != transfer:
        raise ResourceMissing("transfer reversal", id)
    return rev


def retrieve_reversal(tx: Tx, ctx: RequestContext, params: Params, transfer: str,
                      id: str) -> dict[str, Any]:
    return _reversal(tx, ctx, transfer, id)


def update_reversal(tx: Tx, ctx: RequestContext, params: Params, transfer: str,
                    id: str) -> dict[str, Any]:
    rev = _reversal(tx, ctx, transfer, id)
    if params.has("metadata"):
        rev["metadata"] = md.merge(rev.get("metadata"), params["metadata"])
        tx.save(ctx.account, rev)
        tr = get(tx, ctx, transfer, for_update=True)
        _embed_reversals(tx, tr, ctx.account)
        tx.save(ctx.account, tr)
    return rev


# The sender may expand what its transfer created on the destination account.
@virtual("transfer", "destination_payment")
def _expand_payment(tx: Tx, ctx: RequestContext, tr: dict[str, Any]) -> Any:
    value = tr.get("destination_payment")
    if not isinstance(value, str) or not tr.get("destination"):
        return value
    return owned(tx.get(tr["destination"], value, "charge"), tr["destination"]) \
        or tx.get(ctx.account, value) or value


@virtual("transfer_reversal", "destination_payment_refund")
def _expand_payment_refund(tx: Tx, ctx: RequestContext, rev: dict[str, Any]) -> Any:
    value = rev.get("destination_payment_refund")
    tr = tx.get(ctx.account, rev.get("transfer") or "", "transfer")
    if not isinstance(value, str) or tr is None:
        return value
    return owned(tx.get(tr["destination"], value, "refund"), tr["destination"]) or value
