"""Clone lineage: remember which object on a connected account was cloned from which
platform customer's payment details, so the dashboard can list every clone of a card.

Every cloning code path calls `record_clone` in the same transaction that creates the
clone (a rolled-back clone leaves no lineage row):

- services/tokens.py `_clone`: the token (kind "token"; the original is the platform card
  or bank account);
- services/sources.py `attach`: the card or bank account attached from such a token
  (kind "card" / "bank_account", `via` the token id);
- the Source clone (POST /v1/sources with `customer` + `original_source`): kind "source";
- the PaymentMethod clone (POST /v1/payment_methods with `customer` + `payment_method`):
  kind "payment_method".

PaymentMethod / Source code: after building the clone (whose private `_cloned_from` is
{"account": platform, "customer": platform customer id, "payment_method" | "source":
original id}) and inserting it on ctx.account, call
`lineage.record_clone(tx, ctx, clone)`; the kind defaults to clone["object"].
"""
from __future__ import annotations

from typing import Any

from ..context import RequestContext
from ..store import Tx
from ..store import lineage as store_lineage

_ORIGINAL_KEYS = ("source", "payment_method", "card", "bank_account")


def original_of(obj: dict[str, Any]) -> str | None:
    """The id of the platform object `obj` was cloned from, if it is a clone."""
    origin = obj.get("_cloned_from")
    if not isinstance(origin, dict):
        return None
    return next((origin[k] for k in _ORIGINAL_KEYS if origin.get(k)), None)


def record_clone(tx: Tx, ctx: RequestContext, clone: dict[str, Any], *,
                 kind: str | None = None, via: str | None = None,
                 account: str | None = None) -> None:
    """Index `clone` (which carries `_cloned_from`) as a clone made on `account`
    (default: the acting account). Does nothing for an object that is not a clone."""
    origin = clone.get("_cloned_from")
    original = original_of(clone)
    if original is None or not clone.get("id"):
        return
    store_lineage.add(tx, platform=origin.get("account") or ctx.platform,
                      original_id=original, clone_account=account or ctx.account,
                      clone_id=clone["id"], kind=kind or clone.get("object") or "unknown",
                      via=via, customer=origin.get("customer"),
                      created=clone.get("created") or ctx.now)
