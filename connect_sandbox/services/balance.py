"""GET /v1/balance and /v1/balance_transactions for the acting account (the platform,
or a connected account through the Stripe-Account header), and the sandbox-only
POST /v1/test_helpers/balance/make_available that releases pending funds now."""
from __future__ import annotations

from typing import Any

from ..context import RequestContext
from ..errors import ResourceMissing
from ..http.pagination import page
from ..params import Params
from ..store import Tx
from . import events, ledger


def _default_currency(tx: Tx, ctx: RequestContext) -> str:
    owner = ctx.platform
    acct = tx.get(owner, ctx.account, "account") or {}
    return acct.get("default_currency") or "usd"


def current(tx: Tx, ctx: RequestContext) -> dict[str, Any]:
    return ledger.balance_object(tx, ctx.account, ctx.now, _default_currency(tx, ctx),
                                 platform=not ctx.connected)


def retrieve(tx: Tx, ctx: RequestContext, params: Params) -> dict[str, Any]:
    return current(tx, ctx)


def list_history(tx: Tx, ctx: RequestContext, params: Params) -> dict[str, Any]:
    """GET /v1/balance/history: the older name of GET /v1/balance_transactions."""
    return list_transactions(tx, ctx, params, url="/v1/balance/history")


def list_transactions(tx: Tx, ctx: RequestContext, params: Params, *,
                      url: str = "/v1/balance_transactions") -> dict[str, Any]:
    if params.get("payout"):  # the payout's own transaction (services/payouts.py)
        from .payouts import balance_transactions
        return balance_transactions(tx, ctx, params, url)
    cur = (params.get("currency") or "").lower() or None
    result = page(tx, ctx.account, "balance_transaction", params, url,
                  parent=params.get("source") or None, lookup=params.get("type") or None,
                  kind="balance transaction",
                  keep=(lambda t: t["currency"] == cur) if cur else None)
    result["data"] = [ledger.fresh(t, ctx.now) for t in result["data"]]
    return result


def retrieve_transaction(tx: Tx, ctx: RequestContext, params: Params,
                         id: str) -> dict[str, Any]:
    txn = tx.get(ctx.account, id, "balance_transaction")
    if txn is None:
        raise ResourceMissing("balance transaction", id)
    return ledger.fresh(txn, ctx.now)


def make_available(tx: Tx, ctx: RequestContext, params: Params) -> dict[str, Any]:
    """Sandbox only: every pending transaction of the acting account becomes available
    now. Returns the new balance (and records balance.available if anything moved)."""
    moved = ledger.make_available(tx, ctx.account, ctx.now)
    bal = current(tx, ctx)
    if moved:
        events.record(tx, ctx, "balance.available", bal)
    return bal
