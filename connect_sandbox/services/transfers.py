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
from ..domain import charging, fees
from ..domain import metadata as md
from ..domain import money
from ..domain.ids import new_id
from ..errors import InvalidRequestError, ResourceMissing
from ..http.expand import owned, virtual
from ..http.pagination import list_object, page
from ..params import Params
from ..store import Tx
from ..wire import current
from ..wire.shape import blank
from . import application_fees, events, ledger

INSUFFICIENT = ("You have insufficient available funds in your Stripe account. Try adding "
                "funds directly to your available balance by creating Charges using the "
                "4000000000000077 test card. See: https://stripe.com/docs/testing#available-"
                "balance")
# Stripe's answer (invalid_request_error, code insufficient_capabilities_for_transfer, no
# param) to a transfer or destination charge whose destination cannot receive transfers.
NO_TRANSFER_CAPABILITY = ("Your destination account needs to have at least one of the "
                          "following capabilities enabled: transfers, crypto_transfers, "
                          "legacy_payments")
TRANSFER_CAPABILITIES = ("transfers", "crypto_transfers", "legacy_payments")


def check_receives_transfers(acct: dict[str, Any]) -> None:
    """Refuse a transfer to `acct` unless one of its transfer capabilities is active (a
    rejected account's are inactive; one unrequested with requested=false is absent)."""
    caps = acct.get("capabilities") or {}
    if not any(caps.get(name) == "active" for name in TRANSFER_CAPABILITIES):
        raise InvalidRequestError(NO_TRANSFER_CAPABILITY,
                                  code="insufficient_capabilities_for_transfer")


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
    # The payment as Stripe shows it on the receiving account: its source is the sending
    # account, made by the platform's Connect application, approved without risk scoring.
    payment = blank("charge", id=py_id, amount=amount, amount_captured=amount,
                    amount_refunded=0, currency=currency, created=ctx.now, captured=True,
                    paid=True, refunded=False, disputed=False, status="succeeded",
                    source_transfer=tr_id, balance_transaction=into["id"], metadata={},
                    source={"id": sender, "object": "account"},
                    application=application_fees.application_id(ctx.platform),
                    outcome=current.newer("charge_outcome", {
                        "network_status": "approved_by_network", "reason": None,
                        "risk_level": "not_assessed", "seller_message": "Payment complete.",
                        "type": "authorized"}),
                    receipt_url=f"https://pay.stripe.com/receipts/sandbox/{py_id}",
                    fraud_details={}, payment_method_details={
                        "type": "stripe_account", "stripe_account": {}},
                    billing_details={"address": {k: None for k in (
                        "city", "country", "line1", "line2", "postal_code", "state")},
                        "email": None, "name": None, "phone": None, "tax_id": None})
    payment.pop("refunds", None)  # shown only when expanded, as on every charge
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
    if destination != ctx.platform and destination_charge is None:
        announce_payment(tx, ctx, destination, payment)
    return transfer


def announce_payment(tx: Tx, ctx: RequestContext, destination: str,
                     payment: dict[str, Any]) -> None:
    """payment.created on the connected account that a transfer pays (Stripe's event for
    the py_ it receives; a destination charge announces it once its fee is set)."""
    events.record(tx, ctx, "payment.created", payment, account=destination)


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
    check_receives_transfers(acct)
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
    left = charging.refundable(ch) - sent
    if amount > left:
        raise InvalidRequestError(
            f"The transfer amount ({money.fmt(amount, currency)}) is greater than what is "
            f"left of the source transaction {charge_id} ({money.fmt(max(left, 0), currency)}"
            ").", param="amount", code="balance_insufficient")
    txn = tx.get(ctx.account, ch["balance_transaction"], "balance_transaction")
    return max(txn["available_on"], ctx.now) if txn else ctx.now


def create(tx: Tx, ctx: RequestContext, params: Params) -> dict[str, Any]:
    amount = money.required_amount(params)
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


def debit_account(tx: Tx, ctx: RequestContext, account: str, amount: int, currency: str,
                  params: dict[str, Any]) -> dict[str, Any]:
    """POST /v1/charges source=acct_... (Stripe's account debits): the platform charges a
    connected account it is responsible for (controller.losses.payments=application).
    As on Stripe, this is a transfer on the connected account and a payment (py_) on the
    platform, which is what the call returns; it needs the account's available balance
    in the account's default currency."""
    if ctx.connected:
        raise InvalidRequestError("Only a platform can debit its connected accounts "
                                  "(source=acct_...).", param="source")
    acct = tx.get(ctx.platform, account, "account") if account != ctx.platform else None
    if acct is None or acct.get("deleted"):
        raise ResourceMissing("source", account, param="source")
    losses = ((acct.get("controller") or {}).get("losses") or {}).get("payments")
    if losses != "application":
        raise InvalidRequestError(
            f"You cannot debit {account}: account debits are only supported for connected "
            "accounts whose negative balances your platform is responsible for.",
            param="source")
    for name in ("application_fee_amount", "application_fee", "transfer_data", "destination",
                 "on_behalf_of", "customer"):
        if params.get(name):
            raise InvalidRequestError(
                f"`{name}` cannot be used when charging a connected account.", param=name)
    if params.get("capture", True) is False:
        raise InvalidRequestError("A charge of a connected account is captured at once: "
                                  "`capture=false` is not supported.", param="capture")
    default = acct.get("default_currency") or "usd"
    if currency != default:
        raise InvalidRequestError(
            f"The currency ({currency}) must be the default currency of {account} "
            f"({default}).", param="currency")
    ledger.lock(tx, ctx, account)
    if ledger.available(tx, account, currency, ctx.now) < amount:
        raise InvalidRequestError(
            f"The account {account} has insufficient available funds for this debit.",
            param="amount", code="balance_insufficient")
    tr = send(tx, ctx, sender=account, amount=amount, currency=currency,
              destination=ctx.platform, transfer_group=params.get("transfer_group") or None)
    payment = tx.get(ctx.platform, tr["destination_payment"], "charge")
    payment.update(description=params.get("description") or None,
                   metadata=md.merge({}, params.get("metadata") or {}),
                   statement_descriptor=params.get("statement_descriptor") or None,
                   transfer_group=params.get("transfer_group") or None)
    tx.save(ctx.platform, payment)
    events.record(tx, ctx, "charge.succeeded", payment)
    return payment


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
    dest = tr.get("destination")
    dest = dest.get("id") if isinstance(dest, dict) else dest  # expanded in the same request
    if not isinstance(value, str) or not dest:
        return value
    return owned(tx.get(dest, value, "charge"), dest) or tx.get(ctx.account, value) or value


@virtual("charge", "source_transfer")
def _expand_source_transfer(tx: Tx, ctx: RequestContext, ch: dict[str, Any]) -> Any:
    """A payment's transfer: the platform's (a payment on a connected account), or, for a
    payment the platform received (an account debit or a connected account's transfer),
    the sending account's."""
    value = ch.get("source_transfer")
    if not isinstance(value, str):
        return value
    found = tx.get(ctx.account, value, "transfer") or tx.get(ctx.platform, value, "transfer")
    if found is not None:
        return found
    src = ch.get("source")
    sender = src.get("id") if isinstance(src, dict) and src.get("object") == "account" else None
    if sender and not ctx.connected:
        return owned(tx.get(sender, value, "transfer"), sender) or value
    return value


@virtual("transfer_reversal", "destination_payment_refund")
def _expand_payment_refund(tx: Tx, ctx: RequestContext, rev: dict[str, Any]) -> Any:
    value = rev.get("destination_payment_refund")
    tr_id = rev.get("transfer")
    tr_id = tr_id.get("id") if isinstance(tr_id, dict) else tr_id  # expanded alongside
    tr = tx.get(ctx.account, tr_id or "", "transfer")
    if not isinstance(value, str) or tr is None:
        return value
    return owned(tx.get(tr["destination"], value, "refund"), tr["destination"]) or value
