"""What a charge that fails after it was accepted (a legacy ACH debit the bank returns)
does to balances: the money its capture moved (services/money_flow.py) goes back, so
every account involved ends as if the charge had never been made.

- the charge's account: one `payment_failure_refund` balance transaction (reporting
  category `charge_failure`) for the part not already refunded, with Stripe's
  processing fee given back (a negative fee); it is the charge's
  failure_balance_transaction;
- a direct charge whose platform paid Stripe's fee (controller fees.payer=application):
  that `stripe_fee` is given back to the platform;
- a destination charge: what is left of its transfer is reversed (transfer_refund /
  payment_refund), with the application fee taken from that payment;
- what is left of the application fee goes back to the connected account.

Refunds made while the charge was pending stay as they are (Stripe does not reverse
them) and are not reversed twice: only the unrefunded part fails.
"""
from __future__ import annotations

from typing import Any

from ..context import RequestContext
from ..domain import charging
from ..store import Tx
from . import application_fees, ledger, transfers


def reverse(tx: Tx, ctx: RequestContext, ch: dict[str, Any]) -> dict[str, Any] | None:
    """Undo the money movements of `ch` (owned by ctx.account); returns the
    payment_failure_refund transaction, or None when the charge moved no money."""
    txn = tx.get(ctx.account, ch["balance_transaction"], "balance_transaction") \
        if ch.get("balance_transaction") else None
    if txn is None:
        return None
    cur = ch["currency"]
    left = charging.refundable(ch)
    fee_back = [dict(d, amount=-d["amount"]) for d in txn.get("fee_details") or []
                if d.get("type") == "stripe_fee"]
    failure = ledger.post(tx, ctx, ctx.account, type_="payment_failure_refund", amount=-left,
                          currency=cur, source=ch["id"], fee_details=fee_back,
                          available_on=max(ctx.now, txn["available_on"]),
                          source_type=txn.get("_source_type") or "bank_account",
                          description=f"Payment failure refund for {ch['id']}")
    if ctx.connected:
        _platform_fee_back(tx, ctx, ch)
    if ch.get("transfer"):
        tr = tx.get(ctx.account, ch["transfer"], "transfer", for_update=True)
        if tr is not None and tr["amount"] > tr["amount_reversed"]:
            transfers.reverse(tx, ctx, tr, tr["amount"] - tr["amount_reversed"],
                              sender=ctx.account, refund_application_fee=True,
                              check_balance=False,
                              description=f"Payment failure of {ch['id']}")
    if ch.get("application_fee"):
        fee = tx.get(ctx.platform, ch["application_fee"], "application_fee", for_update=True)
        if fee is not None and fee["amount"] > fee["amount_refunded"]:
            application_fees.refund_fee(tx, ctx, fee, fee["amount"] - fee["amount_refunded"])
    return failure


def _platform_fee_back(tx: Tx, ctx: RequestContext, ch: dict[str, Any]) -> None:
    """A direct charge's Stripe fee that the platform paid goes back to the platform."""
    for txn in tx.children(ctx.platform, "balance_transaction", ch["id"]):
        if txn.get("type") == "stripe_fee" and txn["amount"] < 0:
            ledger.post(tx, ctx, ctx.platform, type_="stripe_fee", amount=-txn["amount"],
                        currency=txn["currency"], source=ch["id"],
                        description=f"Stripe processing fees returned for the failed "
                                    f"charge {ch['id']} of {ctx.account}")
