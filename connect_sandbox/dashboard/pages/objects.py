"""Any other object (a card, bank account, token, Source, PaymentMethod, refund, fee,
transfer, balance transaction...): who owns it, what it belongs to, its clone lineage
both ways, its events, and its JSON as the API returns it. An external account (a
connected account's bank account or debit card) also lists the payouts sent to it."""
from __future__ import annotations

from typing import Any, Mapping

from ...services.lineage import original_of
from ...store import lineage as store_lineage
from ...store.views import events_about
from .. import paging
from ..access import Scope
from ..format import href, ident, when
from ..tables import table
from .payouts import label_destinations

Result = tuple[str, dict[str, Any]]
# objects whose page is elsewhere
_DEDICATED = ("customer", "charge", "payment_intent", "event", "payout")


def _related(obj: dict[str, Any]) -> list[tuple[str, str]]:
    """(label, id) of the objects this one points at, as links."""
    keys = (("Customer", "customer"), ("Charge", "charge"), ("PaymentIntent",
            "payment_intent"), ("Account", "account"), ("Destination", "destination"),
            ("Source charge", "source_transaction"), ("Source", "source"),
            ("Balance transaction", "balance_transaction"), ("Fee", "fee"),
            ("Transfer", "transfer"), ("PaymentMethod", "payment_method"),
            ("Payout", "payout"))
    out = []
    for label, key in keys:
        value = obj.get(key)
        value = value.get("id") if isinstance(value, dict) else value
        if isinstance(value, str) and value and value != obj.get("id"):
            out.append((label, value))
    return out


def obj_page(scope: Scope, query: Mapping[str, str], obj_id: str) -> Result | str:
    """The page's template and context, or a URL to redirect to."""
    if obj_id.startswith("acct_"):
        scope.account(obj_id)
        return f"/dashboard/accounts/{obj_id}"
    owner, obj = scope.locate(obj_id)
    if obj.get("object") in _DEDICATED:
        return href(obj_id) or "/dashboard"
    tx = scope.tx
    inner = obj.get(obj.get("type")) if obj.get("object") == "token" else None
    lineage_of = inner if isinstance(inner, dict) else obj
    origin = None
    if original_of(lineage_of):
        cf = lineage_of["_cloned_from"]
        origin = {"original": original_of(lineage_of), "customer": cf.get("customer"),
                  "platform": cf.get("account")}
    clones = [c for c in store_lineage.of_original(tx, scope.platform, [obj_id])
              if scope.may_read(c.clone_account)] if owner == scope.platform else []
    row = store_lineage.of_clone(tx, scope.platform, obj_id)
    facts: list[tuple[str, Any]] = [("Account", ident(owner)),
                                    ("Created", when(obj.get("created"))),
                                    ("Status", obj.get("status"))]
    if inner:
        facts += [("Contains", ident(inner.get("id"), link=False)),
                  ("Used", "yes" if obj.get("used") else "no")]
    facts += [(label, ident(value)) for label, value in _related(obj)
              if not (label == "Account" and value == owner)]
    facts.append(("Fingerprint", obj.get("fingerprint") or (inner or {}).get("fingerprint")))
    payouts = None
    if obj.get("object") in ("bank_account", "card") and obj.get("account") == owner:
        facts += [("Currency", str(obj.get("currency") or "").upper()),
                  ("Default for its currency", "yes" if obj.get("default_for_currency")
                   else "no"),
                  ("Payout methods", ", ".join(obj.get("available_payout_methods") or []))]
        pager = paging.of_account(tx, owner, "payout", query, f"/dashboard/objects/{obj_id}",
                                  parent=obj_id)
        payouts = {"table": table("payout", label_destinations(tx, pager.data),
                                  caption="Payouts to this external account"),
                   "pager": pager}
    return "object.html", {
        "title": f"{str(obj.get('object', 'Object')).replace('_', ' ').capitalize()} {obj_id}",
        "obj": obj, "owner": owner, "owner_account": scope.account(owner),
        "inner": inner, "origin": origin, "clones": clones, "via": row.via if row else None,
        "facts": facts, "timeline": events_about(tx, [(owner, obj_id)]), "payouts": payouts,
    }
