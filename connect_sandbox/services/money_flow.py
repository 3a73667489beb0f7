"""Where a charge's money goes: the one place that turns a captured charge into
balance transactions, application fees and transfers.

Called by services/charges.py for the Charges API and, through charge_source(), for
PaymentIntents, so both get the same Connect behaviour:

    check(tx, ctx, params, amount)       validate application_fee_amount, transfer_data,
                                         on_behalf_of (and the legacy application_fee /
                                         destination) before anything is stored
    stamp(tx, ctx, charge, params)       copy them onto the new charge
    on_captured(tx, ctx, charge, params) move the money when the charge is captured
                                         (params may override the fee or transfer amount,
                                         as the capture endpoints allow); the caller saves
                                         the charge afterwards

The charge types (see the README's money model):
- direct charge (created with the Stripe-Account header): the connected account's
  "charge" transaction carries Stripe's fee (or the platform pays it, "stripe_fee",
  when the account's controller says fees.payer=application, or application_express /
  application_custom for accounts created with type express / custom) and the application
  fee; the platform earns the fee ("application_fee").
- destination charge (transfer_data[destination], on the platform): the platform's
  "charge" carries Stripe's fee; a transfer sends the whole amount, or
  transfer_data[amount], to the destination ("payment" there); an application fee
  comes back to the platform from that payment.
- a plain platform charge only writes its "charge" transaction; separate transfers
  (services/transfers.py) move money later.
"""
from __future__ import annotations

from typing import Any

from ..context import RequestContext
from ..domain import fees, money
from ..errors import InvalidRequestError, ResourceMissing
from ..store import Tx
from . import application_fees, ledger, transfers

NOT_CONNECT = ("Can only apply an application_fee_amount when the request is made on behalf "
               "of another account (using an OAuth key, the Stripe-Account header, or the "
               "destination parameter).")


def _fee_param(params: dict[str, Any]) -> tuple[str, int | None]:
    for name in ("application_fee_amount", "application_fee"):
        if params.get(name) is not None and params.get(name) != "":
            return name, params[name]
    return "application_fee_amount", None


def _transfer_data(params: dict[str, Any]) -> tuple[str, dict[str, Any] | None]:
    td = params.get("transfer_data")
    if td:
        return "transfer_data", {"destination": td.get("destination"),
                                 "amount": td.get("amount")}
    dest = params.get("destination")  # the legacy destination charge parameter
    if isinstance(dest, str) and dest:
        return "destination", {"destination": dest, "amount": None}
    if isinstance(dest, dict) and dest:
        return "destination", {"destination": dest.get("account"), "amount": dest.get("amount")}
    return "transfer_data", None


def _connected(tx: Tx, ctx: RequestContext, acct_id: str) -> bool:
    acct = tx.get(ctx.platform, acct_id, "account") if acct_id != ctx.platform else None
    return acct is not None and not acct.get("deleted")


def check(tx: Tx, ctx: RequestContext, params: dict[str, Any], amount: int) -> None:
    """Refuse Connect parameters that cannot apply to this charge."""
    fee_name, fee = _fee_param(params)
    td_name, td = _transfer_data(params)
    cur = (params.get("currency") or "usd").lower()
    if td is not None:
        if td_name == "transfer_data":
            dparam = "transfer_data[destination]"
        else:
            dparam = "destination[account]" if isinstance(params.get("destination"), dict) \
                else "destination"
        if ctx.connected:
            raise InvalidRequestError(
                f"`{td_name}` cannot be used when the request is made on behalf of a connected "
                "account (Stripe-Account header): destination charges are created on the "
                "platform.", param=dparam)
        if not td["destination"] or not _connected(tx, ctx, td["destination"]):
            raise ResourceMissing("destination", td["destination"] or "", param=dparam)
        transfers.check_receives_transfers(tx.get(ctx.platform, td["destination"], "account"))
        t_amount = td["amount"]
        aparam = f"{td_name}[amount]"
        if t_amount is not None:
            if t_amount < 0:
                raise InvalidRequestError("This value must be greater than or equal to 0.",
                                          param=aparam)
            if t_amount > amount:
                raise InvalidRequestError(
                    f"The transfer amount ({money.fmt(t_amount, cur)}) cannot be greater than "
                    f"the charge amount ({money.fmt(amount, cur)}).", param=aparam)
            if fee is not None:
                raise InvalidRequestError(
                    f"You cannot specify both {aparam} and {fee_name}: the platform keeps the "
                    "amount not transferred.", param=fee_name)
    if fee is not None:
        if fee < 0:
            raise InvalidRequestError("This value must be greater than or equal to 0.",
                                      param=fee_name)
        if not ctx.connected and td is None:
            raise InvalidRequestError(NOT_CONNECT.replace("application_fee_amount", fee_name),
                                      param=fee_name)
        if fee > amount:
            raise InvalidRequestError(
                f"The application fee amount ({money.fmt(fee, cur)}) cannot be greater than "
                f"the charge amount ({money.fmt(amount, cur)}).", param=fee_name)
    obo = params.get("on_behalf_of") or None
    if obo is not None:
        if ctx.connected and obo != ctx.account:
            raise InvalidRequestError(
                "on_behalf_of must be the connected account the request is made for.",
                param="on_behalf_of")
        if not ctx.connected and not _connected(tx, ctx, obo):
            raise ResourceMissing("account", obo, param="on_behalf_of")


# Stripe's answer (400 invalid_request_error, no code or param) to a charge that a
# connected account which cannot currently make charges would be the merchant of.
CANNOT_CHARGE = ("Your account cannot currently make charges. To find out why charge "
                 "creation is currently disabled, look at the `requirements.disabled_reason` "
                 "property on this account (/v1/accounts/{account}).")


def check_can_charge(tx: Tx, ctx: RequestContext, params: dict[str, Any], *, card: bool,
                     extra: dict[str, Any] | None = None) -> dict[str, Any] | None:
    """Refuse a charge made by (direct charge) or on behalf of (`on_behalf_of`) a connected
    account that cannot charge: `charges_enabled` false (a rejected account), or, for a
    card, its `card_payments` capability not active (inactive, or removed with
    requested=false). The platform's own charges are not limited.

    Returns the acting connected account as read (None on the platform), which
    on_captured() may reuse for a direct charge (`seller`) instead of reading the same
    ~2 KB body again."""
    merchants = [ctx.account] if ctx.connected else []
    obo = params.get("on_behalf_of") or None
    if obo and obo not in merchants and obo != ctx.platform:
        merchants.append(obo)
    seller = None
    for account in merchants:
        acct = tx.get(ctx.platform, account, "account")
        if acct is None:
            continue  # an unknown on_behalf_of is refused by check()
        able = bool(acct.get("charges_enabled")) and (
            not card or (acct.get("capabilities") or {}).get("card_payments") == "active")
        if not able:
            raise InvalidRequestError(CANNOT_CHARGE.format(account=account), extra=extra)
        if account == ctx.account and ctx.connected:
            seller = acct
    return seller


def stamp(tx: Tx, ctx: RequestContext, ch: dict[str, Any], params: dict[str, Any]) -> None:
    """Copy the charge's Connect parameters onto it (checked by check())."""
    _, fee = _fee_param(params)
    td_name, td = _transfer_data(params)
    ch["application_fee_amount"] = fee
    ch["transfer_data"] = td
    ch["on_behalf_of"] = params.get("on_behalf_of") or (
        td["destination"] if td and td_name == "destination" else None)
    if ctx.connected:
        ch["application"] = application_fees.application_id(ctx.platform)


def _fee_payer(tx: Tx, ctx: RequestContext, account: str,
               acct: dict[str, Any] | None = None) -> str:
    if acct is None or acct.get("id") != account:
        acct = tx.get(ctx.platform, account, "account") or {}
    return ((acct.get("controller") or {}).get("fees") or {}).get("payer") or "account"


def _source_type(ch: dict[str, Any]) -> str:
    details = ch.get("payment_method_details") or {}
    return "bank_account" if details.get("type") == "ach_debit" else "card"


def on_captured(tx: Tx, ctx: RequestContext, ch: dict[str, Any],
                params: dict[str, Any], *, seller: dict[str, Any] | None = None) -> None:
    """Write the money movements of a charge that has just been captured. `seller`: the
    acting connected account as check_can_charge() read it in this request, if it did."""
    amount = ch["amount_captured"]
    if amount <= 0 or ch.get("balance_transaction"):
        return
    cur = ch["currency"]
    fee_name, new_fee = _fee_param(params)
    if new_fee is not None:  # capture may set a new fee
        ch["application_fee_amount"] = new_fee
    fee = ch.get("application_fee_amount") or 0
    if fee > amount:
        raise InvalidRequestError(
            f"The application fee amount ({money.fmt(fee, cur)}) cannot be greater than "
            f"the captured amount ({money.fmt(amount, cur)}).", param=fee_name)
    td = ch.get("transfer_data")
    if fee and not ctx.connected and not td:
        raise InvalidRequestError(NOT_CONNECT.replace("application_fee_amount", fee_name),
                                  param=fee_name)
    if td and (params.get("transfer_data") or {}).get("amount") is not None:
        td["amount"] = params["transfer_data"]["amount"]
    available_on = ctx.now if (ch.get("_behaviour") or {}).get("available_now") \
        else fees.available_on(ctx.now)
    stripe_fee = fees.stripe_fee(amount, cur)
    kind = _source_type(ch)
    if ctx.connected:
        _direct(tx, ctx, ch, amount, cur, fee, stripe_fee, available_on, kind, seller)
        return
    txn = ledger.post(tx, ctx, ctx.account, type_="charge", amount=amount, currency=cur,
                      source=ch["id"], available_on=available_on, source_type=kind,
                      fee_details=[fees.fee_detail(stripe_fee, cur, "stripe_fee")],
                      description=ch.get("description"))
    ch["balance_transaction"] = txn["id"]
    if td:
        _destination(tx, ctx, ch, td, amount, cur, fee, available_on, kind)


def _direct(tx: Tx, ctx: RequestContext, ch: dict[str, Any], amount: int, cur: str,
            fee: int, stripe_fee: int, available_on: int, kind: str,
            seller_acct: dict[str, Any] | None = None) -> None:
    seller = ctx.account
    platform_pays = _fee_payer(tx, ctx, seller, seller_acct).startswith("application")
    details = [] if platform_pays else [fees.fee_detail(stripe_fee, cur, "stripe_fee")]
    if fee:
        details += application_fees.fee_details_for(fee, cur, ctx.platform)
    txn = ledger.post(tx, ctx, seller, type_="charge", amount=amount, currency=cur,
                      source=ch["id"], fee_details=details, available_on=available_on,
                      source_type=kind, description=ch.get("description"))
    ch["balance_transaction"] = txn["id"]
    if platform_pays:
        ledger.post(tx, ctx, ctx.platform, type_="stripe_fee", amount=-stripe_fee,
                    currency=cur, source=ch["id"],
                    description=f"Stripe processing fees for {seller}'s charge {ch['id']}")
    if fee:
        app_fee = application_fees.create_fee(tx, ctx, amount=fee, currency=cur,
                                              account=seller, charge=ch["id"],
                                              originating=None, available_on=available_on)
        ch["application_fee"] = app_fee["id"]


def _destination(tx: Tx, ctx: RequestContext, ch: dict[str, Any], td: dict[str, Any],
                 amount: int, cur: str, fee: int, available_on: int, kind: str) -> None:
    dest = td["destination"]
    if td.get("amount") is not None:
        send, fee = min(td["amount"], amount), 0
    else:
        send = amount
    tr = transfers.send(tx, ctx, sender=ctx.account, amount=send, currency=cur,
                        destination=dest, source_transaction=ch["id"],
                        transfer_group=ch.get("transfer_group"), available_on=available_on,
                        application_fee=fee, source_type=kind, destination_charge=ch["id"])
    ch["transfer"] = tr["id"]
    payment = tx.get(dest, tr["destination_payment"], "charge")
    if fee:
        app_fee = application_fees.create_fee(tx, ctx, amount=fee, currency=cur, account=dest,
                                              charge=tr["destination_payment"],
                                              originating=ch["id"], available_on=available_on)
        ch["application_fee"] = app_fee["id"]
        tr["_application_fee"] = app_fee["id"]
        tx.save(ctx.account, tr)
        if payment is not None:  # the fee is taken from the destination's payment
            payment["application_fee"] = app_fee["id"]
            payment["application_fee_amount"] = fee
            tx.save(dest, payment)
    if payment is not None:  # announced once its fee is set (transfers.send waits)
        transfers.announce_payment(tx, ctx, dest, payment)
