"""Charges (the legacy Charges API): create on a customer's source or a one-time
source, capture, update, list. Declines are stored as failed charges and answered
with a 402 card_error naming the charge."""
from __future__ import annotations

from typing import Any

from ..context import RequestContext
from ..domain import charging, money, testcards, tokenize
from ..domain import metadata as md
from ..domain.jsoncopy import copy_json
from ..errors import (CardError, InvalidRequestError, ResourceMissing, below_minimum,
                      missing_param, no_linked_source)
from ..http.expand import virtual
from ..http.pagination import list_object, page
from ..params import Params
from ..store import Tx
from ..wire import current
from . import ach, events, money_flow, passthrough


def get(tx: Tx, ctx: RequestContext, charge_id: str, *, param: str = "id",
        for_update: bool = False) -> dict[str, Any]:
    ch = tx.get(ctx.account, charge_id, "charge", for_update=for_update)
    if ch is None:
        raise ResourceMissing("charge", charge_id, param=param)
    return ch


def _one_time_source(tx: Tx, ctx: RequestContext, value: Any) -> dict[str, Any]:
    from . import tokens
    if isinstance(value, dict):
        if value.get("object") == "bank_account":
            raise InvalidRequestError("Bank accounts must be attached to a customer and "
                                      "verified before they can be charged.", param="source")
        return charging.settle_checks(
            tokenize.card_from_params(value, ctx.platform, ctx.now, param_prefix="source"))
    if value.startswith(("tok_", "btok_")) or value in testcards.TEST_TOKENS:
        src = tokens.consume(tx, ctx, value, "source")
        src.pop("_token", None)
        if src["object"] == "bank_account":
            raise InvalidRequestError("Bank accounts must be attached to a customer and "
                                      "verified before they can be charged.", param="source")
        return charging.settle_checks(src)
    if value.startswith("src_"):
        from . import source_objects
        return source_objects.for_charge(tx, ctx, value, customer=None)
    obj = tx.get(ctx.account, value)
    if obj is not None and obj.get("object") in ("card", "bank_account") and obj.get("customer"):
        raise InvalidRequestError(
            f"The source {value} belongs to customer {obj['customer']}. Pass "
            f"customer={obj['customer']} along with it to charge it.", param="customer")
    _refuse_payment_method(tx, ctx, value)
    raise ResourceMissing("source", value, param="source")


def _refuse_payment_method(tx: Tx, ctx: RequestContext, value: Any) -> None:
    """A PaymentMethod is charged with a PaymentIntent, never with the Charges API."""
    from . import sources
    if sources.is_payment_method(tx, ctx, value):
        raise InvalidRequestError("You cannot create a charge with a PaymentMethod. Use the "
                                  "Payment Intents API instead.", param="source")


def _customer_source(tx: Tx, ctx: RequestContext, cus: dict[str, Any],
                     value: Any) -> dict[str, Any]:
    from . import sources
    if value is None:
        wanted = cus.get("default_source")
        if not wanted:
            raise _no_saved_details(tx, ctx, cus)
    elif isinstance(value, dict):
        raise InvalidRequestError(
            "A card hash cannot be charged together with `customer`; attach it first.",
            param="source")
    else:
        _refuse_payment_method(tx, ctx, value)
        wanted = value
    src = sources.find(tx, ctx, cus["id"], wanted)
    if src is None:
        raise no_linked_source(cus["id"], wanted, "source")
    if src["object"] == "source":
        from . import source_objects
        return source_objects.for_charge(tx, ctx, src["id"], customer=cus["id"])
    if src["object"] == "bank_account" and src.get("status") != "verified":
        raise InvalidRequestError(
            "The customer's bank account must be verified in order to create an ACH payment.",
            param="source")
    return src


def _no_saved_details(tx: Tx, ctx: RequestContext, cus: dict[str, Any]) -> CardError:
    """Stripe's 402 (card_error, code `missing`) for a customer with nothing to charge;
    the wording depends on whether it has PaymentMethods (recorded messages)."""
    if tx.children(ctx.account, "payment_method", cus["id"]):
        message = ("This Customer doesn't have any legacy saved payment details, but does have "
                   "a Payment Method attached. Use a Payment Intent instead of creating a "
                   "Charge: https://stripe.com/docs/payments/payment-intents/migration")
    else:
        message = ("This Customer doesn't have any saved payment details. Attach a legacy "
                   "Token, Card, Bank Account, or Source to this Customer and then try this "
                   "request again, or use Payment Intents and Payment Methods instead.")
    return CardError(message, code="missing", param="card", persist=False)


def create(tx: Tx, ctx: RequestContext, params: Params) -> dict[str, Any]:
    for req in ("amount", "currency"):
        if req not in params:
            raise missing_param(req)
    cur = money.currency(params["currency"])
    amount = money.charge_amount(params["amount"], cur)
    source_param = params.get("source") or params.get("card") or None
    customer_id = params.get("customer") or None
    if isinstance(source_param, str) and source_param.startswith("acct_"):
        from . import transfers  # the platform charging a connected account
        return transfers.debit_account(tx, ctx, source_param, amount, cur, params)
    if customer_id:
        cus = tx.get(ctx.account, customer_id, "customer")
        if cus is None:
            raise ResourceMissing("customer", customer_id, param="customer")
        source = _customer_source(tx, ctx, cus, source_param)
    elif source_param:
        source = _one_time_source(tx, ctx, source_param)
    else:
        raise InvalidRequestError("Must provide source or customer.", param="source",
                                  code="parameter_missing")
    if params.has("metadata"):
        params = Params(params)
        params["metadata"] = md.merge({}, params["metadata"])
    ch = charge_source(tx, ctx, amount=amount, currency=cur, source=source,
                       customer=customer_id, capture=params.get("capture", True), params=params)
    return ch


def charge_source(tx: Tx, ctx: RequestContext, *, amount: int, currency: str,
                  source: dict[str, Any], customer: str | None, capture: bool,
                  params: dict[str, Any], payment_intent: str | None = None,
                  payment_method: str | None = None, raise_decline: bool = True,
                  checked: bool = False, seller: dict[str, Any] | None = None
                  ) -> dict[str, Any]:
    """Create the charge for `source` (a card, bank account, Source or PaymentMethod),
    store it, record its events, and raise the card error if it is declined.
    Connect parameters (application_fee_amount, transfer_data, on_behalf_of) are checked
    and, once the charge is captured, its money moves (services/money_flow.py).
    `checked`: the caller has just made both checks on the same params and amount (a
    PaymentIntent's attempt, so that a refusal names the intent), and `seller` is what
    its check_can_charge() returned."""
    pending = source.get("object") == "bank_account"
    if not checked:
        money_flow.check(tx, ctx, params, amount)
        seller = money_flow.check_can_charge(tx, ctx, params, card=not pending)
    decline = charging.decline_for(source)
    wire_source = None if payment_intent else _public_source(source)
    ch = charging.new_charge(amount=amount, currency=currency, now=ctx.now, source=wire_source,
                             customer=customer, capture=capture, params=params,
                             decline=decline, pending=pending, payment_method=payment_method)
    if wire_source is None:  # charged by a PaymentIntent: details from the method
        ch["payment_method_details"] = charging.method_details(source)
        ch["billing_details"] = charging._billing(source)
    ch["payment_intent"] = payment_intent
    passthrough.apply(ch, params, ("radar_options",))
    ch["_behaviour"] = copy_json(source.get("_behaviour", {}))
    charging.authorized(ch)
    money_flow.stamp(tx, ctx, ch, params)
    if decline is not None:
        tx.insert(ctx.account, ch, lookup=customer, parent=payment_intent)
        events.record(tx, ctx, "charge.failed", ch)
        if raise_decline:
            raise charging.declined(decline, {"charge": ch["id"]})
        return ch
    # The charge's own event comes first, as on Stripe, then what its money movements
    # record (transfer.created, application_fee.created); the event's snapshot is taken
    # again once they have filled in the charge (balance_transaction, transfer, ...).
    event = events.record(tx, ctx, {"succeeded": "charge.succeeded",
                                    "pending": "charge.pending",
                                    "failed": "charge.failed"}[ch["status"]], ch)
    if ch["captured"] and ch["status"] != "failed":
        money_flow.on_captured(tx, ctx, ch, params, seller=seller)
    if ch["status"] == "pending":  # a bank account: it settles later (services/ach.py)
        ach.on_created(tx, ctx, ch)
    tx.insert(ctx.account, ch, lookup=customer, parent=payment_intent)
    if event is not None:
        events.refresh(tx, event, ch)
    return ch


def _public_source(source: dict[str, Any]) -> dict[str, Any]:
    out = {k: v for k, v in source.items() if k != "_token"}
    return out


def retrieve(tx: Tx, ctx: RequestContext, params: Params, charge: str) -> dict[str, Any]:
    return get(tx, ctx, charge)


_UPDATABLE = ("description", "receipt_email", "shipping", "transfer_group", "fraud_details")


def update(tx: Tx, ctx: RequestContext, params: Params, charge: str) -> dict[str, Any]:
    ch = get(tx, ctx, charge, for_update=True)
    if params.get("transfer_group") and ch.get("transfer_group") and \
            params["transfer_group"] != ch["transfer_group"]:
        # Stripe: "transfer_group may only be provided if it has not been set."
        raise InvalidRequestError(
            f"The transfer_group of charge {ch['id']} is already set to "
            f"'{ch['transfer_group']}' and cannot be changed.", param="transfer_group")
    previous: dict[str, Any] = {}
    for key in _UPDATABLE:
        if params.has(key):
            previous[key] = ch.get(key)
            ch[key] = params[key] or ({} if key == "fraud_details" else None)
            if key == "shipping":
                ch[key] = current.shipping(ch[key])
    if params.has("customer"):
        if ch.get("customer") and params["customer"] != ch["customer"]:
            raise InvalidRequestError("This charge already has a customer.", param="customer")
        if tx.get(ctx.account, params["customer"], "customer") is None:
            raise ResourceMissing("customer", params["customer"], param="customer")
        previous["customer"] = ch.get("customer")
        ch["customer"] = params["customer"]
    if params.has("metadata"):
        previous["metadata"] = ch["metadata"]
        ch["metadata"] = md.merge(ch["metadata"], params["metadata"])
    tx.save(ctx.account, ch, lookup=ch.get("customer"), parent=ch.get("payment_intent"),
            keep_index=False)
    changed = {k: v for k, v in previous.items() if ch.get(k) != v}
    if changed:
        events.record(tx, ctx, "charge.updated", ch, previous=changed)
    return ch


def capture(tx: Tx, ctx: RequestContext, params: Params, charge: str) -> dict[str, Any]:
    ch = get(tx, ctx, charge, for_update=True)
    if ch.get("payment_intent") and not ch["captured"]:
        raise InvalidRequestError(
            f"This uncaptured Charge was created by a PaymentIntent ({ch['payment_intent']}). "
            "You must capture the PaymentIntent instead. For more information, see "
            "https://stripe.com/docs/payments/place-a-hold-on-a-payment-method")
    return capture_charge(tx, ctx, ch, params.get("amount"), params)


def capture_charge(tx: Tx, ctx: RequestContext, ch: dict[str, Any], amount: int | None,
                   params: dict[str, Any]) -> dict[str, Any]:
    """Capture an authorized charge, fully or in part (the rest is released)."""
    if ch["captured"]:
        raise InvalidRequestError(f"Charge {ch['id']} has already been captured.",
                                  param="charge", code="charge_already_captured")
    if ch["status"] == "failed":
        raise InvalidRequestError(f"Charge {ch['id']} cannot be captured because it has "
                                  "failed.", param="charge")
    if ch["refunded"]:
        raise InvalidRequestError(f"Charge {ch['id']} has already been refunded.",
                                  param="charge", code="charge_already_refunded")
    amount = ch["amount"] if amount is None else amount
    if amount > ch["amount"]:
        raise InvalidRequestError(
            f"You cannot capture more than the authorized amount of "
            f"{money.fmt(ch['amount'], ch['currency'])}.", param="amount",
            code="amount_too_large")
    if amount == 0:  # as the PaymentIntent capture answers (recorded)
        raise below_minimum("amount", code="parameter_invalid_integer")
    if amount < money.MINIMUMS.get(ch["currency"], 50):
        money.charge_amount(amount, ch["currency"])
    previous = {"amount_captured": ch["amount_captured"], "captured": False}
    ch["captured"] = True
    ch["amount_captured"] = amount
    if amount < ch["amount"] and not charging.releases_without_refund(ctx.api_version):
        # before 2025-03-31 the released rest counted as refunded (domain/charging.py)
        previous["amount_refunded"] = ch["amount_refunded"]
        ch["amount_refunded"] += ch["amount"] - amount
        ch["_released_in_refunded"] = ch["amount"] - amount
    for key in ("receipt_email", "statement_descriptor", "statement_descriptor_suffix",
                "transfer_group"):
        if params.get(key):
            ch[key] = params[key]
    event = events.record(tx, ctx, "charge.captured", ch, previous=previous)
    money_flow.on_captured(tx, ctx, ch, params)  # after the charge's event, as on Stripe
    tx.save(ctx.account, ch)
    if event is not None:
        events.refresh(tx, event, ch)
    return ch


def list_(tx: Tx, ctx: RequestContext, params: Params) -> dict[str, Any]:
    group = params.get("transfer_group") or None
    keep = (lambda c: c.get("transfer_group") == group) if group else None
    if params.get("payment_intent"):
        customer = params.get("customer") or None
        return page(tx, ctx.account, "charge", params, "/v1/charges",
                    parent=params["payment_intent"],
                    keep=(lambda c: (keep is None or keep(c)) and c.get("customer") == customer)
                    if customer else keep)
    return page(tx, ctx.account, "charge", params, "/v1/charges",
                lookup=params.get("customer") or None, keep=keep)


@virtual("charge", "refunds")
def _expand_refunds(tx: Tx, ctx: RequestContext, ch: dict[str, Any]) -> dict[str, Any]:
    data = tx.children(ctx.account, "refund", ch["id"])
    return list_object(f"/v1/charges/{ch['id']}/refunds", data, False)
