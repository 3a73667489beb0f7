"""Application fees (fee_...) and their refunds (fr_...).

A fee is owned by the platform: it is created when a direct charge (Stripe-Account
header) or a destination charge carrying application_fee_amount is captured, and
credits the platform's balance ("application_fee"). A fee refund gives part or all
of it back to the connected account ("application_fee_refund" on both sides).

Stored rows: fee under the platform, parent = the platform charge of a destination
charge (originating_transaction), lookup = `charge`; fee refunds under the platform,
parent = the fee.
"""
from __future__ import annotations

from functools import lru_cache
from typing import Any

from ..context import RequestContext
from ..domain import fees
from ..domain import metadata as md
from ..domain import money
from ..domain.ids import new_id, stable_id
from ..errors import InvalidRequestError, ResourceMissing
from ..http.expand import owned, virtual
from ..http.pagination import list_object, page
from ..params import Params
from ..store import Tx
from ..wire.shape import blank
from . import events, ledger


@lru_cache(maxsize=4096)
def application_id(platform: str) -> str:
    """The platform's Connect application (ca_...), derived from its account id."""
    return stable_id("ca", "application:" + platform)


def create_fee(tx: Tx, ctx: RequestContext, *, amount: int, currency: str, account: str,
               charge: str, originating: str | None, available_on: int) -> dict[str, Any]:
    """Create the fee on the platform and credit the platform's balance."""
    fee_id = new_id("fee")
    txn = ledger.post(tx, ctx, ctx.platform, type_="application_fee", amount=amount,
                      currency=currency, source=fee_id, available_on=available_on,
                      description=_fee_description(tx, ctx, account))
    fee = blank("application_fee", id=fee_id, amount=amount, amount_refunded=0,
                currency=currency, created=ctx.now, account=account, charge=charge,
                application=application_id(ctx.platform), balance_transaction=txn["id"],
                originating_transaction=originating, refunded=False,
                refunds=list_object(f"/v1/application_fees/{fee_id}/refunds", [], False))
    fee["refunds"]["total_count"] = 0
    fee["fee_source"] = {"charge": charge, "type": "charge"}  # newer API versions
    tx.insert(ctx.platform, fee, parent=originating, lookup=charge)
    events.record(tx, ctx, "application_fee.created", fee, account=ctx.platform)
    return fee


def _name(acct: dict[str, Any]) -> str | None:
    return (((acct.get("settings") or {}).get("dashboard") or {}).get("display_name")
            or (acct.get("business_profile") or {}).get("name"))


def _fee_description(tx: Tx, ctx: RequestContext, account: str) -> str:
    """Stripe's wording for the platform's application_fee transaction: "Application fee
    from application <application name> for <connected account> (<account id>)"."""
    platform = tx.get(ctx.platform, ctx.platform, "account") or {}
    seller = tx.get(ctx.platform, account, "account") or {}
    app = _name(platform) or application_id(ctx.platform)
    who = seller.get("email") or _name(seller)
    return f"Application fee from application {app} for " + (
        f"{who} ({account})" if who else account)


def get(tx: Tx, ctx: RequestContext, fee_id: str, *, for_update: bool = False,
        param: str = "id") -> dict[str, Any]:
    fee = tx.get(ctx.account, fee_id, "application_fee", for_update=for_update)
    if fee is None:
        raise ResourceMissing("application fee", fee_id, param=param)
    return fee


def refund_fee(tx: Tx, ctx: RequestContext, fee: dict[str, Any], amount: int | None, *,
               metadata: Any = None) -> dict[str, Any]:
    """Give `amount` (default: what is left) of a fee back to the connected account."""
    left = fee["amount"] - fee["amount_refunded"]
    if left <= 0 and (amount is None or amount > 0):
        raise InvalidRequestError(f"Application fee {fee['id']} has already been refunded.",
                                  param="amount")
    amount = left if amount is None else amount
    if amount < 1:
        raise InvalidRequestError("Invalid positive integer", param="amount")
    if amount > left:
        raise InvalidRequestError(
            f"Refund amount ({money.fmt(amount, fee['currency'])}) is greater than "
            f"unrefunded amount on fee ({money.fmt(left, fee['currency'])})", param="amount")
    fr_id = new_id("fr")
    txn = ledger.post(tx, ctx, ctx.platform, type_="application_fee_refund", amount=-amount,
                      currency=fee["currency"], source=fr_id,
                      description="Application fee refund")
    ledger.post(tx, ctx, fee["account"], type_="application_fee_refund", amount=amount,
                currency=fee["currency"], source=fr_id, description="Application fee refund")
    fr = blank("fee_refund", id=fr_id, amount=amount, currency=fee["currency"],
               created=ctx.now, fee=fee["id"], balance_transaction=txn["id"],
               metadata=md.merge({}, metadata) if metadata else {})
    tx.insert(ctx.platform, fr, parent=fee["id"])
    previous = {"amount_refunded": fee["amount_refunded"], "refunded": fee["refunded"]}
    fee["amount_refunded"] += amount
    fee["refunded"] = fee["amount_refunded"] >= fee["amount"]
    _embed_refunds(tx, ctx, fee)
    tx.save(ctx.platform, fee)
    events.record(tx, ctx, "application_fee.refunded", fee, previous=previous,
                  account=ctx.platform)
    return fr


def _embed_refunds(tx: Tx, ctx: RequestContext, fee: dict[str, Any]) -> None:
    data = tx.children(ctx.platform, "fee_refund", fee["id"])
    fee["refunds"] = list_object(f"/v1/application_fees/{fee['id']}/refunds", data[:10],
                                 len(data) > 10)
    fee["refunds"]["total_count"] = len(data)


# -- endpoints ---------------------------------------------------------------------

def list_(tx: Tx, ctx: RequestContext, params: Params) -> dict[str, Any]:
    charge = params.get("charge") or None
    if charge and tx.get(ctx.account, charge, "charge") is not None:
        # a platform charge: the fees it originated (destination charges) ...
        found = page(tx, ctx.account, "application_fee", params, "/v1/application_fees",
                     parent=charge, kind="application fee")
        if found["data"]:
            return found
    return page(tx, ctx.account, "application_fee", params, "/v1/application_fees",
                lookup=charge, kind="application fee")


def retrieve(tx: Tx, ctx: RequestContext, params: Params, id: str) -> dict[str, Any]:
    return get(tx, ctx, id)


def create_refund(tx: Tx, ctx: RequestContext, params: Params, id: str) -> dict[str, Any]:
    fee = get(tx, ctx, id, for_update=True)
    return refund_fee(tx, ctx, fee, params.get("amount"), metadata=params.get("metadata"))


def legacy_refund(tx: Tx, ctx: RequestContext, params: Params, id: str) -> dict[str, Any]:
    """POST /v1/application_fees/{id}/refund (deprecated): refunds, returns the fee."""
    fee = get(tx, ctx, id, for_update=True)
    refund_fee(tx, ctx, fee, params.get("amount"))
    return get(tx, ctx, id)


def list_refunds(tx: Tx, ctx: RequestContext, params: Params, id: str) -> dict[str, Any]:
    get(tx, ctx, id)
    return page(tx, ctx.account, "fee_refund", params, f"/v1/application_fees/{id}/refunds",
                parent=id, kind="fee refund")


def _refund(tx: Tx, ctx: RequestContext, fee: str, id: str) -> dict[str, Any]:
    get(tx, ctx, fee, param="fee")
    fr = tx.get(ctx.account, id, "fee_refund")
    if fr is None or fr["fee"] != fee:
        raise ResourceMissing("fee refund", id)
    return fr


def retrieve_refund(tx: Tx, ctx: RequestContext, params: Params, fee: str,
                    id: str) -> dict[str, Any]:
    return _refund(tx, ctx, fee, id)


def update_refund(tx: Tx, ctx: RequestContext, params: Params, fee: str,
                  id: str) -> dict[str, Any]:
    fr = _refund(tx, ctx, fee, id)
    if params.has("metadata"):
        fr["metadata"] = md.merge(fr.get("metadata"), params["metadata"])
        tx.save(ctx.account, fr)
        owner = get(tx, ctx, fee)
        _embed_refunds(tx, ctx, owner)
        tx.save(ctx.account, owner)
    return fr


def fee_details_for(amount: int, currency: str, platform: str) -> list[dict[str, Any]]:
    """The fee_details line an application fee adds to the connected account's payment."""
    return [fees.fee_detail(amount, currency, "application_fee",
                            application=application_id(platform))]


@virtual("application_fee", "charge")
def _expand_charge(tx: Tx, ctx: RequestContext, fee: dict[str, Any]) -> Any:
    """The platform may expand the connected account's charge (or payment) a fee came
    from."""
    value = fee.get("charge")
    if not isinstance(value, str):
        return value
    account = fee["account"]["id"] if isinstance(fee.get("account"), dict) else fee["account"]
    return owned(tx.get(account, value, "charge"), account) \
        or tx.get(ctx.account, value) or value


def _expand_application(tx: Tx, ctx: RequestContext, obj: dict[str, Any]) -> Any:
    """The Connect application (ca_...) that made an object on a connected account: the
    caller's platform (no other application can be named on its accounts)."""
    value = obj.get("application")
    if not isinstance(value, str):
        return value
    name = None
    if value == application_id(ctx.platform):
        platform = tx.get(ctx.platform, ctx.platform, "account") or {}
        name = ((platform.get("settings") or {}).get("dashboard") or {}).get("display_name")
    return {"id": value, "object": "application", "name": name}


for _owner in ("application_fee", "charge", "payment_intent", "setup_intent", "setup_attempt"):
    virtual(_owner, "application")(_expand_application)
