"""A customer's page: its cards, bank accounts, Sources and PaymentMethods, its charges,
and its lineage: for a platform customer every clone made from its payment details on
any seller (token, card, bank account, Source, PaymentMethod), for a seller's customer
the platform customer its payment details were cloned from."""
from __future__ import annotations

from typing import Any, Mapping

from ...services.lineage import original_of
from ...store import lineage as store_lineage
from .. import paging
from ..access import Scope
from ..tables import table

Result = tuple[str, dict[str, Any]]
LOOK = 200  # newest PaymentMethods looked through when none is indexed by customer


def payment_details(scope: Scope, owner: str, customer: str) -> list[dict[str, Any]]:
    """Cards, bank accounts, Sources and PaymentMethods attached to a customer."""
    tx = scope.tx
    found = tx.children(owner, ("card", "bank_account", "source"), customer)
    pms = tx.children(owner, "payment_method", customer)
    if not pms:
        pms = [pm for pm in tx.list(owner, "payment_method", limit=LOOK).data
               if pm.get("customer") == customer]
    known = {o["id"] for o in found}
    found += [pm for pm in pms if pm["id"] not in known]
    for obj in found:
        obj["_owner"] = owner
    return found


def clones_of_customer(scope: Scope, customer: str) -> list[dict[str, Any]]:
    """Every clone the platform made from `customer`'s payment details, newest first,
    each with the clone object (if it still exists) and the seller's customer."""
    tx = scope.tx
    out = []
    rows = [r for r in store_lineage.of_customer(tx, scope.platform, customer)
            if scope.may_read(r.clone_account)]
    attached_tokens = {r.via for r in rows if r.via}
    for row in rows:
        if row.kind == "token" and row.clone_id in attached_tokens:
            continue  # shown on the row of the card or bank account made from it
        obj = tx.get(row.clone_account, row.clone_id)
        inner = obj.get(obj.get("type")) if obj and obj.get("object") == "token" else None
        attached = (obj or {}).get("customer")
        out.append({"row": row, "object": obj, "details": inner or obj,
                    "seller_customer": attached if isinstance(attached, str) else None,
                    "used": (obj or {}).get("used")})
    return out


def origins(details: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """For a seller's customer: where each cloned payment detail came from."""
    out = []
    for obj in details:
        original = original_of(obj)
        if original:
            origin = obj["_cloned_from"]
            out.append({"clone": obj, "original": original,
                        "platform": origin.get("account"),
                        "customer": origin.get("customer")})
    return out


def customer(scope: Scope, query: Mapping[str, str], customer_id: str) -> Result:
    owner, cus = scope.locate(customer_id, "customer")
    tx = scope.tx
    details = payment_details(scope, owner, customer_id)
    is_platform = owner == scope.platform
    clones = clones_of_customer(scope, customer_id) if is_platform else []
    by_original: dict[str, list[dict[str, Any]]] = {}
    for clone in clones:
        by_original.setdefault(clone["row"].original_id, []).append(clone)
    labels = {o["id"]: o for o in details}
    url = f"/dashboard/customers/{customer_id}"
    charges = paging.of_account(tx, owner, "charge", query, url, lookup=customer_id)
    intents = tx.list(owner, "payment_intent", lookup=customer_id, limit=10).data
    return "customer.html", {
        "title": f"Customer {customer_id}",
        "customer": cus, "owner": owner, "is_platform": is_platform,
        "owner_account": scope.account(owner),
        "details": details, "labels": labels,
        "details_table": table("payment_method", []) if not details else None,
        "clone_groups": sorted(by_original.items(),
                               key=lambda kv: kv[0] not in labels),
        "clone_count": len(clones),
        "clone_counts": {k: len(v) for k, v in by_original.items()},
        "origins": origins(details),
        "charges": table("charge", charges.data), "pager": charges,
        "intents": table("payment_intent", intents),
    }
