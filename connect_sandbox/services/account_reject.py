"""POST /v1/accounts/{account}/reject: a platform rejects a connected account it is
liable for (Express and Custom accounts, `controller.losses.payments = application`).

The account keeps existing but can no longer charge or pay out: `charges_enabled` and
`payouts_enabled` become false, `requirements.disabled_reason` is `rejected.<reason>`,
its capabilities `inactive`; `account.updated` is recorded.
"""
from __future__ import annotations

import copy
from typing import Any

from ..context import RequestContext
from ..errors import InvalidRequestError, PermissionError_
from ..params import Params
from ..store import Tx
from . import events
from .accounts import get_account

REASONS = ("fraud", "terms_of_service", "other")


def reject(tx: Tx, ctx: RequestContext, params: Params, account: str) -> dict[str, Any]:
    if ctx.connected:
        raise PermissionError_(
            "This application does not have the required permissions for this endpoint on "
            f"account '{ctx.account}'.", code="oauth_not_supported")
    get_account(tx, ctx, account)  # 403 unless it is one of this platform's accounts
    if account == ctx.platform:
        raise InvalidRequestError("You cannot reject your own account.", param="account")
    reason = params["reason"]
    if reason not in REASONS:
        raise InvalidRequestError(
            "Invalid reason: must be one of fraud, terms_of_service, or other",
            param="reason")
    acct = tx.get(ctx.platform, account, "account", for_update=True)
    if (acct.get("controller") or {}).get("losses", {}).get("payments") != "application":
        raise InvalidRequestError(
            f"You can only reject accounts for which your platform is responsible for "
            f"negative balances (Express and Custom accounts); {account} is not one.")
    previous = {key: copy.deepcopy(acct.get(key)) for key in
                ("charges_enabled", "payouts_enabled", "requirements", "capabilities")}
    acct["charges_enabled"] = False
    acct["payouts_enabled"] = False
    acct["requirements"] = {**acct["requirements"], "disabled_reason": f"rejected.{reason}",
                            "current_deadline": None}
    acct["capabilities"] = {name: "inactive" for name in acct.get("capabilities") or {}}
    tx.save(ctx.platform, acct)
    changed = {k: v for k, v in previous.items() if acct.get(k) != v}
    events.record(tx, ctx, "account.updated", acct, previous=changed, account=account)
    return acct
