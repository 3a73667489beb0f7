"""Payouts and where they go: a payout's page (amount, status, arrival, destination, its
balance transactions, why it failed, the timeline of its events), and the pieces the
seller page shows about payouts: external accounts, capabilities, account and login
links, and whether the account is rejected or cannot charge or pay out."""
from __future__ import annotations

from typing import Any, Mapping

from ...store import Tx
from ...store.views import events_about
from ..access import Scope
from ..format import payment_label
from ..tables import table

Result = tuple[str, dict[str, Any]]
EXTERNAL = ("bank_account", "card")
LINKS = "sandbox_link"  # account links and login links, kept in the account's own data
_LINK_LABELS = {"account_link": "Account link", "login_link": "Login link"}


def _id(value: Any) -> str | None:
    if isinstance(value, dict):
        value = value.get("id")
    return value if isinstance(value, str) and value else None


def external_accounts(tx: Tx, account: str) -> list[dict[str, Any]]:
    """The account's bank accounts and debit cards for payouts, newest first (not the
    cards and bank accounts of its customers)."""
    found = [o for o in tx.children(account, EXTERNAL, account) if o.get("account") == account]
    for obj in found:
        obj["_owner"] = account
    return found


def label_destinations(tx: Tx, payouts: list[dict[str, Any]],
                       owner: str | None = None) -> list[dict[str, Any]]:
    """Give each payout its destination's label ("STRIPE TEST BANK •••• 6789") for the
    lists; a destination that no longer exists keeps just its id."""
    seen: dict[tuple[str, str], str | None] = {}
    for po in payouts:
        account = po.get("_owner") or owner
        dest = _id(po.get("destination"))
        if not account or not dest:
            continue
        if (account, dest) not in seen:
            obj = tx.get(account, dest)
            seen[(account, dest)] = payment_label(obj) if isinstance(obj, dict) else None
        po["_destination_label"] = seen[(account, dest)]
    return payouts


def capabilities(acct: dict[str, Any]) -> list[dict[str, Any]]:
    """The account's `capabilities` hash as rows (name, status, when requested)."""
    requested = acct.get("_capabilities_requested_at") or {}
    caps = acct.get("capabilities") or {}
    return [{"id": name, "status": status,
             "requested_at": requested.get(name, acct.get("created"))}
            for name, status in sorted(caps.items()) if isinstance(status, str)]


def describe_links(links: list[dict[str, Any]], now: int) -> list[dict[str, Any]]:
    """Label each account or login link and say whether it can still be opened."""
    for link in links:
        kind = link.get("kind") or "account_link"
        label = _LINK_LABELS.get(kind, kind.replace("_", " ").capitalize())
        link["_label"] = f"{label} ({link['type']})" if link.get("type") else label
        expires = link.get("expires_at")
        link["_state"] = "used" if link.get("used") else (
            "expired" if isinstance(expires, int) and expires <= now else "valid")
    return links


def account_state(acct: dict[str, Any], is_platform: bool) -> dict[str, Any] | None:
    """Whether the account was rejected or cannot charge or pay out, and why; None when
    it can do both."""
    reason = (acct.get("requirements") or {}).get("disabled_reason")
    reason = reason if isinstance(reason, str) and reason else None
    rejected = bool(reason and reason.startswith("rejected."))
    charges_off = acct.get("charges_enabled") is False
    payouts_off = acct.get("payouts_enabled") is False
    if not (rejected or charges_off or payouts_off):
        return None
    badges = (["rejected"] if rejected else []) + \
        (["charges disabled"] if charges_off else []) + \
        (["payouts disabled"] if payouts_off else [])
    if rejected:
        why = reason.split(".", 1)[1].replace("_", " ")
        title = "Rejected"
        text = (f"The platform rejected this account (reason: {why}). It cannot make "
                "charges, receive transfers or pay out.")
    else:
        off = " and ".join(w for w, flag in (("Charges", charges_off),
                                              ("payouts" if charges_off else "Payouts",
                                               payouts_off)) if flag)
        title = f"{off} disabled"
        text = ("This account cannot make charges. " if charges_off else "") + \
            ("Payouts to its external accounts are refused." if payouts_off else "")
    inactive = [name for name, status in sorted((acct.get("capabilities") or {}).items())
                if status in ("inactive", "pending")]
    return {"title": title, "text": text.strip(), "badges": badges, "reason": reason,
            "inactive": inactive, "platform": is_platform}


def payout(scope: Scope, query: Mapping[str, str], payout_id: str) -> Result:
    owner, po = scope.locate(payout_id, "payout")
    tx = scope.tx
    dest = scope.find(_id(po.get("destination")), *EXTERNAL)
    txns = tx.children(owner, "balance_transaction", payout_id)
    txns.sort(key=lambda t: (t.get("created") or 0, t.get("type") != "payout"))
    returned = next((t for t in txns if t["id"] == _id(po.get("failure_balance_transaction"))),
                    None)
    return "payout.html", {
        "title": f"Payout {payout_id}", "payout": po, "owner": owner,
        "owner_account": scope.account(owner),
        "destination": dest[1] if dest else None,
        "transactions": table("balance_transaction", txns,
                              caption="Balance transactions of this payout"),
        "returned": returned,
        "timeline": events_about(tx, [(owner, payout_id)]),
    }
