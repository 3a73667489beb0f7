"""A charge's or PaymentIntent's page: the money (amount, captured, refunded, fee,
transfer, net for the seller), where it went, and the timeline of its events."""
from __future__ import annotations

from typing import Any, Mapping

from ...store.views import events_about
from .. import optional
from ..access import Scope
from ..tables import table

Result = tuple[str, dict[str, Any]]


def _id(value: Any) -> str | None:
    if isinstance(value, dict):
        value = value.get("id")
    return value if isinstance(value, str) and value else None


def _money_flow(scope: Scope, owner: str, ch: dict[str, Any]) -> dict[str, Any]:
    """The fee, the transfer and their reversals/refunds, as far as they exist."""
    fee = scope.find(_id(ch.get("application_fee")), "application_fee")
    transfer = scope.find(_id(ch.get("transfer")), "transfer")
    destination = (ch.get("transfer_data") or {}).get("destination")
    fee_refunds = scope.tx.children(fee[0], "fee_refund", fee[1]["id"]) if fee else []
    reversals = scope.tx.children(transfer[0], "transfer_reversal",
                                  transfer[1]["id"]) if transfer else []
    return {"fee": fee[1] if fee else None, "transfer": transfer[1] if transfer else None,
            "destination": _id(destination), "fee_refunds": fee_refunds,
            "reversals": reversals, "on_behalf_of": _id(ch.get("on_behalf_of")),
            "direct": owner != scope.platform}


def _refs(owner: str, obj: dict[str, Any], *extra: tuple[str, dict[str, Any] | None]
          ) -> list[tuple[str, str]]:
    refs = [(owner, obj["id"])]
    refs += [(acct, o["id"]) for acct, o in extra if o]
    return refs


def charge(scope: Scope, query: Mapping[str, str], charge_id: str) -> Result:
    owner, ch = scope.locate(charge_id, "charge")
    tx = scope.tx
    refunds = tx.children(owner, "refund", charge_id)
    flow = _money_flow(scope, owner, ch)
    platform = scope.platform
    refs = _refs(owner, ch, *[(owner, r) for r in refunds],
                 (platform, flow["fee"]), (platform, flow["transfer"]))
    txn = scope.find(_id(ch.get("balance_transaction")), "balance_transaction")
    return "charge.html", {
        "title": f"Charge {charge_id}", "charge": ch, "owner": owner,
        "owner_account": scope.account(owner), "refunds": table("refund", refunds),
        "flow": flow, "balance_transaction": txn[1] if txn else None,
        "source": ch.get("source") or ch.get("payment_method_details"),
        "timeline": events_about(tx, refs),
    }


def payment_intent(scope: Scope, query: Mapping[str, str], intent_id: str) -> Result:
    owner, pi = scope.locate(intent_id, "payment_intent")
    tx = scope.tx
    charges = tx.children(owner, "charge", intent_id)
    refs = _refs(owner, pi, *[(owner, c) for c in charges])
    for ch in charges:
        refs += [(owner, r["id"]) for r in tx.children(owner, "refund", ch["id"])]
    latest = scope.find(_id(pi.get("latest_charge")), "charge")
    flow = _money_flow(scope, owner, latest[1]) if latest else None
    return "payment_intent.html", {
        "title": f"PaymentIntent {intent_id}", "intent": pi, "owner": owner,
        "owner_account": scope.account(owner), "charges": table("charge", charges),
        "flow": flow, "latest_charge_obj": latest[1] if latest else None,
        "three_d_secure": optional.three_d_secure_url(pi)
        if pi.get("status") == "requires_action" else None,
        "payment_method": scope.find(_id(pi.get("payment_method")), "payment_method"),
        "timeline": events_about(tx, refs),
    }
