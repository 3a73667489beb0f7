"""A connected account's external accounts (where its payouts go):
/v1/accounts/{account}/external_accounts create, list (`object` = bank_account|card),
retrieve, update, delete.

Bank accounts and debit cards are stored in the connected account's own data with
`account` set and no `customer`. The first one in a currency is the default for that
currency (`default_for_currency`); `default_for_currency=true` moves the default. The
default for the account's default currency cannot be deleted. The account object's
`external_accounts` list is kept in step with every change.
"""
from __future__ import annotations

from typing import Any

from ..context import RequestContext
from ..domain import metadata as md
from ..domain import testcards, tokenize
from ..errors import InvalidRequestError, ResourceMissing, missing_param
from ..http.pagination import limit_of, list_object
from ..params import Params
from ..store import Tx
from ..wire.shape import list_of
from . import events
from . import accounts  # (imports this module: use it at call time)

KINDS = ("bank_account", "card")
EMBEDDED = 10  # as many as the account object's `external_accounts` list shows


def _home(ctx: RequestContext, account: str) -> str:
    return account if account == ctx.platform else ctx.platform


def _all(tx: Tx, account: str) -> list[dict[str, Any]]:
    return tx.children(account, KINDS, account)


def _find(tx: Tx, account: str, obj_id: str) -> dict[str, Any]:
    obj = tx.get(account, obj_id)
    if obj is None or obj.get("object") not in KINDS or obj.get("account") != account:
        raise ResourceMissing("external account", obj_id)
    return obj


def _embedded(tx: Tx, account: str) -> dict[str, Any]:
    """The account object's `external_accounts` list."""
    items = _all(tx, account)
    embedded = list_of(f"/v1/accounts/{account}/external_accounts", items[:EMBEDDED])
    embedded["has_more"] = len(items) > EMBEDDED
    embedded["total_count"] = len(items)
    return embedded


def _sync_account(tx: Tx, ctx: RequestContext, account: str) -> None:
    """Write the account object's embedded `external_accounts` list again."""
    acct = tx.get(_home(ctx, account), account, "account", for_update=True)
    acct["external_accounts"] = _embedded(tx, account)
    tx.save(_home(ctx, account), acct)


def _from_value(tx: Tx, ctx: RequestContext, value: Any, param: str) -> dict[str, Any]:
    from . import tokens
    if isinstance(value, dict):
        kind = value.get("object") or ("bank_account" if param == "bank_account" else None)
        if kind == "bank_account":
            return tokenize.bank_account_from_params(value, ctx.platform, param_prefix=param)
        if kind == "card":
            return tokenize.card_from_params(value, ctx.platform, ctx.now, param_prefix=param)
        raise InvalidRequestError(
            f"Invalid {param}[object]: must be one of bank_account or card",
            param=f"{param}[object]")
    if value in testcards.TEST_BANK_TOKENS:
        return tokenize.bank_account_from_params(
            {"country": "US", "currency": "usd", "routing_number": "110000000",
             "account_number": testcards.TEST_BANK_TOKENS[value]}, ctx.platform,
            param_prefix=param)
    if value.startswith(("tok_", "btok_")) or value in testcards.TEST_TOKENS:
        if value not in testcards.TEST_TOKENS and tx.get(ctx.account, value, "token") is None:
            raise ResourceMissing("token", value, param=param)
        return tokens.consume(tx, ctx, value, param)
    if value.startswith(("ba_", "card_")):
        raise InvalidRequestError(
            f"You cannot attach {value} as an external account: pass a bank account or debit "
            "card token (btok_... / tok_...) or the bank account's details.", param=param)
    raise ResourceMissing("token", value, param=param)


def create(tx: Tx, ctx: RequestContext, params: Params, account: str) -> dict[str, Any]:
    acct = accounts.get_account(tx, ctx, account)
    param = next((k for k in ("external_account", "bank_account") if params.get(k)), None)
    if param is None:
        raise missing_param("external_account")
    obj = _add(tx, ctx, acct, params[param], param, metadata=params.get("metadata"),
               default=bool(params.get("default_for_currency")))
    _sync_account(tx, ctx, account)
    return obj


def from_account_params(tx: Tx, ctx: RequestContext, acct: dict[str, Any],
                        params: Params, *, replace: bool) -> None:
    """`external_account` (or the older `bank_account`) on POST /v1/accounts and
    POST /v1/accounts/{id}: the new external account becomes the default for its
    currency and, on update (`replace`), the previous default is deleted, as Stripe
    documents. `acct` (not yet saved by the caller) gets the new embedded list."""
    param = next((k for k in ("external_account", "bank_account") if params.get(k)), None)
    if param is None:
        return
    _add(tx, ctx, acct, params[param], param, metadata=None, default=True, replace=replace)
    acct["external_accounts"] = _embedded(tx, acct["id"])


def _add(tx: Tx, ctx: RequestContext, acct: dict[str, Any], value: Any, param: str, *,
         metadata: Any, default: bool, replace: bool = False) -> dict[str, Any]:
    account = acct["id"]
    obj = _from_value(tx, ctx, value, param)
    obj.pop("_token", None)
    obj.pop("_cloned_from", None)
    if obj["object"] == "card":
        if obj.get("funding") != "debit":
            raise InvalidRequestError(
                "The card provided as an external account is not supported for payouts. "
                "Provide a non-prepaid debit card instead.", param=param,
                code="invalid_card_type")
        obj["currency"] = obj.get("currency") or acct.get("default_currency") or "usd"
        obj["available_payout_methods"] = ["standard", "instant"]
        obj["status"] = "new"  # a card's status is shown for external accounts only
        obj["customer"] = None
    else:
        obj["available_payout_methods"] = ["standard"]
        obj.pop("customer", None)
        obj["requirements"] = _bank_requirements()
        obj["future_requirements"] = _bank_requirements()
    obj["account"] = account
    obj["metadata"] = md.merge({}, metadata or {})
    same = [o for o in _all(tx, account) if o.get("currency") == obj["currency"]]
    obj["default_for_currency"] = not same or default
    if replace:
        for old in same:
            if old.get("default_for_currency"):
                tx.delete(account, old["id"])
                events.record(tx, ctx, "account.external_account.deleted", old,
                              account=account)
    elif obj["default_for_currency"]:
        _clear_default(tx, ctx, account, obj["currency"], keep=None)
    tx.insert(account, obj, parent=account)
    events.record(tx, ctx, "account.external_account.created", obj, account=account)
    return obj


def _bank_requirements() -> dict[str, Any]:
    return {"currently_due": [], "errors": [], "past_due": [], "pending_verification": []}


def _clear_default(tx: Tx, ctx: RequestContext, account: str, currency: str, *,
                   keep: str | None) -> None:
    for other in _all(tx, account):
        if other["id"] != keep and other.get("currency") == currency and \
                other.get("default_for_currency"):
            other["default_for_currency"] = False
            tx.save(account, other)
            events.record(tx, ctx, "account.external_account.updated", other,
                          previous={"default_for_currency": True}, account=account)


def list_(tx: Tx, ctx: RequestContext, params: Params, account: str) -> dict[str, Any]:
    accounts.get_account(tx, ctx, account)
    kind = params.get("object")  # validated: bank_account or card
    items = [o for o in _all(tx, account) if kind is None or o["object"] == kind]
    limit = limit_of(params)
    after, before = params.get("starting_after"), params.get("ending_before")
    ids = [o["id"] for o in items]
    for name, cursor in (("starting_after", after), ("ending_before", before)):
        if cursor and cursor not in ids:
            raise ResourceMissing("external account", cursor, param=name)
    if after:
        rest = items[ids.index(after) + 1:]
        page, has_more = rest[:limit], len(rest) > limit
    elif before:
        rest = items[:ids.index(before)]
        page, has_more = rest[-limit:], len(rest) > limit
    else:
        page, has_more = items[:limit], len(items) > limit
    return list_object(f"/v1/accounts/{account}/external_accounts", page, has_more)


def retrieve(tx: Tx, ctx: RequestContext, params: Params, account: str,
             id: str) -> dict[str, Any]:  # noqa: A002 (the route's name)
    accounts.get_account(tx, ctx, account)
    return _find(tx, account, id)


_BANK_FIELDS = ("account_holder_name", "account_holder_type", "account_type")
_CARD_FIELDS = ("address_city", "address_country", "address_line1", "address_line2",
                "address_state", "address_zip", "name")


def update(tx: Tx, ctx: RequestContext, params: Params, account: str,
           id: str) -> dict[str, Any]:  # noqa: A002
    accounts.get_account(tx, ctx, account)
    obj = _find(tx, account, id)
    previous: dict[str, Any] = {}
    fields = _BANK_FIELDS if obj["object"] == "bank_account" else \
        _CARD_FIELDS + ("exp_month", "exp_year")
    for key, value in params.items():
        if key in ("expand", "metadata", "default_for_currency", "documents"):
            continue
        if key not in fields:
            raise InvalidRequestError(
                f"Received unknown parameter for a {obj['object'].replace('_', ' ')}: {key}",
                param=key)
        if key in ("exp_month", "exp_year"):
            value = _int(value, key)
        previous[key] = obj.get(key)
        obj[key] = value or None
    if params.has("metadata"):
        previous["metadata"] = obj["metadata"]
        obj["metadata"] = md.merge(obj["metadata"], params["metadata"])
    if params.get("default_for_currency") and not obj.get("default_for_currency"):
        _clear_default(tx, ctx, account, obj["currency"], keep=obj["id"])
        previous["default_for_currency"] = False
        obj["default_for_currency"] = True
    tx.save(account, obj)
    _sync_account(tx, ctx, account)
    changed = {k: v for k, v in previous.items() if obj.get(k) != v}
    events.record(tx, ctx, "account.external_account.updated", obj, previous=changed,
                  account=account)
    return obj


def _int(value: str, param: str) -> int:
    if not value.isascii() or not value.isdigit():
        raise InvalidRequestError(f"Invalid integer: {value[:100]}", param=param)
    return int(value)


def delete(tx: Tx, ctx: RequestContext, params: Params, account: str,
           id: str) -> dict[str, Any]:  # noqa: A002
    acct = accounts.get_account(tx, ctx, account)
    obj = _find(tx, account, id)
    if obj.get("default_for_currency"):
        others = [o for o in _all(tx, account)
                  if o["id"] != id and o.get("currency") == obj.get("currency")]
        if obj.get("currency") == acct.get("default_currency"):
            raise InvalidRequestError(
                "You cannot delete the default external account for your default currency. "
                "Please make another external account the default using the "
                "`default_for_currency` param, and then delete this one.")
        if others:  # another currency's default: the newest other one takes over
            others[0]["default_for_currency"] = True
            tx.save(account, others[0])
    tx.delete(account, id)
    _sync_account(tx, ctx, account)
    events.record(tx, ctx, "account.external_account.deleted", obj, account=account)
    return {"id": id, "object": obj["object"], "currency": obj.get("currency"),
            "deleted": True}
