"""A customer's properties that Stripe shows only when expanded (`expand[]=tax`, ...):
its tax details, cash balance, invoice credit balance, subscriptions and tax ids. The
sandbox implements no subscriptions, invoices, tax ids or cash balance funding, so the
lists are empty and the balances hold nothing; `tax[ip_address]` given on create/update
is kept (`_tax`)."""
from __future__ import annotations

from typing import Any

from ..context import RequestContext
from ..http.expand import virtual
from ..http.pagination import list_object
from ..store import Tx


@virtual("customer", "tax")
def _tax(tx: Tx, ctx: RequestContext, cus: dict[str, Any]) -> dict[str, Any]:
    stored = cus.get("_tax") or {}
    return {"automatic_tax": "unrecognized_location", "ip_address": stored.get("ip_address"),
            "location": None}


@virtual("customer", "cash_balance")
def _cash_balance(tx: Tx, ctx: RequestContext, cus: dict[str, Any]) -> dict[str, Any]:
    return {"object": "cash_balance", "available": None, "customer": cus["id"],
            "livemode": False, "settings": {"reconciliation_mode": "automatic",
                                            "using_merchant_default": True}}


@virtual("customer", "subscriptions")
def _subscriptions(tx: Tx, ctx: RequestContext, cus: dict[str, Any]) -> dict[str, Any]:
    return list_object(f"/v1/customers/{cus['id']}/subscriptions", [], False)


@virtual("customer", "tax_ids")
def _tax_ids(tx: Tx, ctx: RequestContext, cus: dict[str, Any]) -> dict[str, Any]:
    return list_object(f"/v1/customers/{cus['id']}/tax_ids", [], False)


@virtual("customer", "invoice_credit_balance")
def _invoice_credit_balance(tx: Tx, ctx: RequestContext, cus: dict[str, Any]) -> dict[str, Any]:
    return {}  # no invoices in the sandbox: never a credit balance
