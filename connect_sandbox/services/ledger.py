"""Balance transactions: the one ledger every account's balance is computed from.

Every movement of money writes one balance transaction (txn_...) in the account it
affects, in the same database transaction as the change that causes it. An account's
balance is the sum of its balance transactions' `net`, per currency, split into
`available` (available_on has passed) and `pending`. Nothing else holds a balance, so
the balance and the ledger cannot disagree.

Stored rows: type "balance_transaction", parent = the source object's id (the
`source` filter), lookup = the transaction type (the `type` filter).
"""
from __future__ import annotations

from typing import Any, Iterable

from ..context import RequestContext
from ..domain.ids import new_id
from ..store import Tx
from ..wire.shape import blank

REPORTING = {
    "charge": "charge", "payment": "charge", "refund": "refund", "payment_refund": "refund",
    "application_fee": "platform_earning", "application_fee_refund": "platform_earning_refund",
    "transfer": "transfer", "transfer_refund": "transfer_reversal", "stripe_fee": "fee",
    "payment_failure_refund": "charge_failure",
    "payout": "payout", "payout_cancel": "payout_reversal", "payout_failure": "payout_reversal",
}
_ALL = 10**9  # "every row" for Tx.list (an indexed range of one account's transactions)


def post(tx: Tx, ctx: RequestContext, account: str, *, type_: str, amount: int,
         currency: str, source: str, fee_details: Iterable[dict[str, Any]] = (),
         available_on: int | None = None, description: str | None = None,
         source_type: str = "card") -> dict[str, Any]:
    """Write one balance transaction in `account` and return it."""
    details = [dict(d) for d in fee_details if d["amount"]]
    fee = sum(d["amount"] for d in details)
    available_on = ctx.now if available_on is None else available_on
    txn = blank("balance_transaction", id=new_id("txn"), amount=amount, currency=currency,
                created=ctx.now, available_on=available_on, description=description,
                fee=fee, fee_details=details, net=amount - fee, source=source,
                status="available" if available_on <= ctx.now else "pending",
                type=type_, reporting_category=REPORTING.get(type_, "other_adjustment"))
    txn["_source_type"] = source_type
    tx.insert(account, txn, parent=source, lookup=type_)
    return txn


def fresh(txn: dict[str, Any], now: int) -> dict[str, Any]:
    """The transaction with its status as of `now` (pending funds become available)."""
    if txn.get("status") == "pending" and txn["available_on"] <= now:
        txn = dict(txn, status="available")
    return txn


def all_of(tx: Tx, account: str) -> list[dict[str, Any]]:
    return tx.list(account, "balance_transaction", limit=_ALL).data


def totals(tx: Tx, account: str, now: int) -> dict[str, dict[str, dict[str, int]]]:
    """{currency: {"available"|"pending": {source_type: net}}} from the ledger."""
    out: dict[str, dict[str, dict[str, int]]] = {}
    for txn in all_of(tx, account):
        bucket = "available" if txn["available_on"] <= now else "pending"
        cur = out.setdefault(txn["currency"], {"available": {}, "pending": {}})
        kind = txn.get("_source_type") or "card"
        cur[bucket][kind] = cur[bucket].get(kind, 0) + txn["net"]
    return out


def available(tx: Tx, account: str, currency: str, now: int) -> int:
    return sum(totals(tx, account, now).get(currency, {}).get("available", {}).values())


def total(tx: Tx, account: str, currency: str, now: int) -> int:
    """Available plus pending, in one currency."""
    cur = totals(tx, account, now).get(currency, {})
    return sum(cur.get("available", {}).values()) + sum(cur.get("pending", {}).values())


def lock(tx: Tx, ctx: RequestContext, account: str) -> None:
    """Serialise balance checks on `account` (its Account row, FOR UPDATE on PostgreSQL;
    SQLite's writer lock already serialises them)."""
    owner = account if account == ctx.platform else ctx.platform
    tx.get(owner, account, "account", for_update=True)


def balance_object(tx: Tx, account: str, now: int, default_currency: str,
                   *, platform: bool) -> dict[str, Any]:
    sums = totals(tx, account, now)
    currencies = sorted(set(sums) | {default_currency})

    def amounts(bucket: str) -> list[dict[str, Any]]:
        rows = []
        for cur in currencies:
            by_type = dict(sums.get(cur, {}).get(bucket, {}))
            by_type.setdefault("card", 0)
            rows.append({"amount": sum(by_type.values()), "currency": cur,
                         "source_types": by_type})
        return rows
    bal = blank("balance", available=amounts("available"), pending=amounts("pending"))
    bal["connect_reserved"] = [{"amount": 0, "currency": cur} for cur in currencies] \
        if platform else []
    bal["instant_available"] = []
    return bal


def make_available(tx: Tx, account: str, now: int) -> int:
    """Make every pending transaction of `account` available now; returns how many."""
    moved = 0
    for txn in all_of(tx, account):
        if txn["available_on"] > now:
            txn["available_on"] = now
            txn["status"] = "available"
            tx.save(account, txn)
            moved += 1
    return moved
