"""A seller's page (or the platform's own account): who it is, whether it was rejected or
cannot charge or pay out, its balance, capabilities, external accounts and account links,
and the newest of its payouts, customers, payment methods, charges, PaymentIntents, fees
and transfers, each with a link to the full, paginated list."""
from __future__ import annotations

import time
from typing import Any, Mapping

from .. import optional, paging
from ..access import NotFound, Scope
from ..tables import CAPTIONS, table
from . import payouts

Result = tuple[str, dict[str, Any]]
SECTION = 5
PLATFORM_LOOK = 200   # how many of the platform's newest fees / transfers are looked through

# collection in the URL -> the object type listed
COLLECTIONS = {"customers": "customer", "payment_methods": "payment_method",
               "charges": "charge", "payment_intents": "payment_intent",
               "setup_intents": "setup_intent", "sources": "source", "events": "event",
               "balance_transactions": "balance_transaction",
               "application_fees": "application_fee", "transfers": "transfer",
               "payouts": "payout", "account_links": payouts.LINKS}
# objects the platform owns about a seller: type -> the field naming the seller
ABOUT_SELLER = {"application_fee": "account", "transfer": "destination"}


def _about_seller(scope: Scope, type_: str, seller: str, limit: int) -> list[dict[str, Any]]:
    """The platform's newest fees (or transfers) that concern `seller`. Transfers are
    indexed by destination (their lookup); fees are looked for among the newest."""
    if type_ == "transfer":
        return scope.tx.list(scope.platform, "transfer", lookup=seller, limit=limit).data
    field = ABOUT_SELLER[type_]
    found = [o for o in scope.tx.list(scope.platform, type_, limit=PLATFORM_LOOK).data
             if (o.get(field) if not isinstance(o.get(field), dict)
                 else o[field].get("id")) == seller]
    return found[:limit]


def account(scope: Scope, query: Mapping[str, str], account_id: str) -> Result:
    acct = scope.account(account_id)
    tx = scope.tx
    is_platform = account_id == scope.platform
    now = int(time.time())
    sections = []
    data, more = paging.first(tx, account_id, "payout", limit=SECTION)
    payout_section = {"table": table("payout", payouts.label_destinations(tx, data)),
                      "more": more, "href": f"/dashboard/accounts/{account_id}/payouts"}
    links, more_links = ([], False) if is_platform else paging.first(
        tx, account_id, payouts.LINKS, limit=SECTION)
    for collection in ("customers", "payment_methods", "charges", "payment_intents"):
        type_ = COLLECTIONS[collection]
        data, more = paging.first(tx, account_id, type_, limit=SECTION)
        sections.append({"table": table(type_, data), "more": more,
                         "href": f"/dashboard/accounts/{account_id}/{collection}"})
    if is_platform:
        for collection in ("application_fees", "transfers"):
            type_ = COLLECTIONS[collection]
            data, more = paging.first(tx, account_id, type_, limit=SECTION)
            sections.append({"table": table(type_, data), "more": more,
                             "href": f"/dashboard/accounts/{account_id}/{collection}"})
    else:
        for type_ in ABOUT_SELLER:
            data = _about_seller(scope, type_, account_id, SECTION)
            sections.append({"table": table(type_, data, caption=CAPTIONS[type_] +
                                            " (on the platform)"), "more": False,
                             "href": None})
    txns, more = paging.first(tx, account_id, "balance_transaction", limit=SECTION)
    sections.append({"table": table("balance_transaction", txns), "more": more,
                     "href": f"/dashboard/accounts/{account_id}/balance_transactions"})
    events, more = paging.first(tx, account_id, "event", limit=SECTION)
    sections.append({"table": table("event", events, caption="Recent events"), "more": more,
                     "href": f"/dashboard/events?account={account_id}"})
    return "account.html", {
        "title": "Platform account" if is_platform else f"Seller {account_id}",
        "account": acct, "is_platform": is_platform,
        "display_name": ((acct.get("settings") or {}).get("dashboard") or {}).get(
            "display_name") or (acct.get("business_profile") or {}).get("name"),
        "balance": optional.balance(tx, acct, platform=is_platform, now=now),
        "state": payouts.account_state(acct, is_platform),
        "capabilities": table("capability", payouts.capabilities(acct)),
        "externals": table("external_account", payouts.external_accounts(tx, account_id)),
        "payouts": payout_section,
        "link_section": {"table": table(payouts.LINKS, payouts.describe_links(links, now)),
                  "more": more_links,
                  "href": f"/dashboard/accounts/{account_id}/account_links"}
        if not is_platform else None,
        "sections": sections,
    }


def collection(scope: Scope, query: Mapping[str, str], account_id: str,
               name: str) -> Result:
    type_ = COLLECTIONS.get(name)
    if type_ is None:
        raise NotFound(name)
    scope.account(account_id)
    url = f"/dashboard/accounts/{account_id}/{name}"
    pager = paging.of_account(scope.tx, account_id, type_, query, url)
    if type_ == "payout":
        payouts.label_destinations(scope.tx, pager.data)
    elif type_ == payouts.LINKS:
        payouts.describe_links(pager.data, int(time.time()))
    caption = CAPTIONS.get(type_, name)
    return "list.html", {"title": f"{caption} of {account_id}",
                         "heading": caption, "account_id": account_id,
                         "table": table(type_, pager.data), "pager": pager}
