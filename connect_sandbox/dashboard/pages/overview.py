"""The platform overview, and the lists that span the platform and all its sellers
(every seller, every charge, every PaymentIntent, every payout)."""
from __future__ import annotations

import time
from typing import Any, Mapping

from .. import optional, paging
from ..access import Scope
from ..tables import table
from .payouts import label_destinations

Result = tuple[str, dict[str, Any]]


def overview(scope: Scope, query: Mapping[str, str]) -> Result:
    tx = scope.tx
    platform = scope.platform_account()
    sellers = scope.sellers()
    accounts = scope.accounts()
    charges = paging.across(tx, accounts, "charge", {}, "/dashboard/charges", limit=10)
    intents = paging.across(tx, accounts, "payment_intent", {}, "/dashboard/payment_intents",
                            limit=5)
    fees = tx.list(scope.platform, "application_fee", limit=5)
    payouts = paging.across(tx, accounts, "payout", {}, "/dashboard/payouts", limit=5)
    return "overview.html", {
        "title": "Overview",
        "platform": platform,
        "balance": optional.balance(tx, platform, platform=True, now=int(time.time())),
        "seller_count": len(sellers),
        "sellers": table("account", sellers[:10]),
        "more_sellers": len(sellers) > 10,
        "charges": table("charge", charges.data, caption="Recent charges", with_owner=True,
                         platform=scope.platform),
        "more_charges": charges.older is not None,
        "intents": table("payment_intent", intents.data, caption="Recent PaymentIntents",
                         with_owner=True, platform=scope.platform),
        "more_intents": intents.older is not None,
        "fees": table("application_fee", fees.data, caption="Recent application fees"),
        "payouts": table("payout", label_destinations(tx, payouts.data),
                         caption="Recent payouts", with_owner=True,
                         platform=scope.platform),
        "more_payouts": payouts.older is not None,
    }


def sellers(scope: Scope, query: Mapping[str, str]) -> Result:
    pager = paging.of_account(scope.tx, scope.platform, "account", query,
                              "/dashboard/sellers", parent=scope.platform)
    return "list.html", {"title": "Sellers", "heading": "Sellers (connected accounts)",
                         "table": table("account", pager.data), "pager": pager}


_ACROSS = {"charges": ("charge", "Charges"), "payment_intents": ("payment_intent",
                                                                 "PaymentIntents"),
           "payouts": ("payout", "Payouts")}


def across(scope: Scope, query: Mapping[str, str], collection: str) -> Result:
    type_, title = _ACROSS[collection]
    pager = paging.across(scope.tx, scope.accounts(), type_, query, f"/dashboard/{collection}")
    if type_ == "payout":
        label_destinations(scope.tx, pager.data)
    return "list.html", {"title": title, "heading": f"{title} on the platform and its sellers",
                         "table": table(type_, pager.data, with_owner=True,
                                        platform=scope.platform), "pager": pager}
