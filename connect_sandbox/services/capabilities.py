"""A connected account's capabilities: GET /v1/accounts/{account}/capabilities,
GET/POST /v1/accounts/{account}/capabilities/{capability}.

The account's `capabilities` hash (capability -> status) is the one record: a
requested capability is `active` at once (the sandbox has no onboarding), one not
requested is `unrequested`. When each was requested is kept privately on the account
(`_capabilities_requested_at`); capabilities requested through POST /v1/accounts carry
the account's creation time.
"""
from __future__ import annotations

import copy
from typing import Any

from ..context import RequestContext
from ..errors import ResourceMissing
from ..params import Params
from ..store import Tx
from ..wire.shape import blank
from . import events
from .accounts import get_account

# Stripe's capability names (the account's `capabilities` hash in its API description).
NAMES = (
    "acss_debit_payments", "affirm_payments", "afterpay_clearpay_payments",
    "au_becs_debit_payments", "bacs_debit_payments", "bancontact_payments",
    "bank_transfer_payments", "blik_payments", "boleto_payments", "card_issuing",
    "card_payments", "cartes_bancaires_payments", "cashapp_payments", "eps_payments",
    "fpx_payments", "giropay_payments", "grabpay_payments", "ideal_payments",
    "india_international_payments", "jcb_payments", "klarna_payments", "konbini_payments",
    "legacy_payments", "link_payments", "oxxo_payments", "p24_payments", "paynow_payments",
    "promptpay_payments", "sepa_debit_payments", "sofort_payments",
    "tax_reporting_us_1099_k", "tax_reporting_us_1099_misc", "transfers", "treasury",
    "us_bank_account_ach_payments", "zip_payments",
)
REQUESTED_AT = "_capabilities_requested_at"


def _requirements(disabled_reason: str | None = None) -> dict[str, Any]:
    return {"alternatives": [], "current_deadline": None, "currently_due": [],
            "disabled_reason": disabled_reason, "errors": [], "eventually_due": [],
            "past_due": [], "pending_verification": []}


def render(acct: dict[str, Any], name: str) -> dict[str, Any]:
    status = (acct.get("capabilities") or {}).get(name)
    requested = status is not None
    disabled = (acct.get("requirements") or {}).get("disabled_reason") \
        if status == "inactive" else None
    return blank("capability", id=name, account=acct["id"], requested=requested,
                 requested_at=(acct.get(REQUESTED_AT) or {}).get(name, acct.get("created"))
                 if requested else None,
                 status=status or "unrequested", requirements=_requirements(disabled),
                 future_requirements=_requirements())


def _known(acct: dict[str, Any], name: str) -> None:
    if name not in NAMES and name not in (acct.get("capabilities") or {}):
        raise ResourceMissing("capability", name, param="capability")


def list_(tx: Tx, ctx: RequestContext, params: Params, account: str) -> dict[str, Any]:
    acct = get_account(tx, ctx, account)
    data = [render(acct, name) for name in sorted(acct.get("capabilities") or {})]
    return {"object": "list", "data": data, "has_more": False,
            "url": f"/v1/accounts/{account}/capabilities"}


def retrieve(tx: Tx, ctx: RequestContext, params: Params, account: str,
             capability: str) -> dict[str, Any]:
    acct = get_account(tx, ctx, account)
    _known(acct, capability)
    return render(acct, capability)


def update(tx: Tx, ctx: RequestContext, params: Params, account: str,
           capability: str) -> dict[str, Any]:
    get_account(tx, ctx, account)  # 403 unless the caller may act on it
    acct = _for_update(tx, ctx, account)
    _known(acct, capability)
    if not params.has("requested"):
        return render(acct, capability)
    before = copy.deepcopy(acct["capabilities"])
    if params["requested"]:
        if capability not in acct["capabilities"]:
            rejected = str((acct.get("requirements") or {}).get("disabled_reason") or "")
            acct["capabilities"][capability] = \
                "inactive" if rejected.startswith("rejected.") else "active"
            acct.setdefault(REQUESTED_AT, {})[capability] = ctx.now
    else:
        acct["capabilities"].pop(capability, None)
        (acct.get(REQUESTED_AT) or {}).pop(capability, None)
    if acct["capabilities"] != before:
        tx.save(_home(ctx, account), acct)
        cap = render(acct, capability)
        events.record(tx, ctx, "capability.updated", cap, account=account,
                      previous={"requested": capability in before,
                                "status": before.get(capability, "unrequested")})
        events.record(tx, ctx, "account.updated", acct, account=account,
                      previous={"capabilities": before})
    return render(acct, capability)


def _home(ctx: RequestContext, account: str) -> str:
    """Where an account object is stored: a connected account under its platform, the
    platform's own account under itself."""
    return account if account == ctx.platform else ctx.platform


def _for_update(tx: Tx, ctx: RequestContext, account: str) -> dict[str, Any]:
    acct = tx.get(_home(ctx, account), account, "account", for_update=True)
    assert acct is not None  # get_account found it in this transaction
    return acct
