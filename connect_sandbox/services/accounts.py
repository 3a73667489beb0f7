"""Connect accounts: the platform's own account, and the accounts it connects.

A connected account's Account object is stored under its platform (the platform
owns the relationship); the connected account's own data is stored under its id.
Accounts are created ready to charge and pay out (test-mode sandbox: no onboarding).
"""
from __future__ import annotations

from typing import Any

from ..context import RequestContext
from ..domain import metadata as md
from ..domain.ids import new_id
from ..errors import InvalidRequestError, PermissionError_, ResourceMissing
from ..http.pagination import page
from ..params import Params
from ..services import events
from ..store import Tx
from ..wire.current import newer
from ..wire.shape import blank, list_of
from . import external_accounts, legal_entity, passthrough

CAPABILITY_NAMES = ("card_payments", "transfers")


# What Stripe reports for an account created with `type`: the fee payers
# `application_express` and `application_custom` mark Express and Custom accounts, and
# Stripe collects the requirements of both Standard and Express accounts.
_LEGACY_CONTROLLER = {
    "standard": ("account", "stripe", "stripe", "full"),
    "express": ("application_express", "application", "stripe", "express"),
    "custom": ("application_custom", "application", "application", "none"),
}


def _controller(type_: str | None, controller: dict[str, Any] | None) -> dict[str, Any]:
    if controller:  # the create parameters, with their documented defaults
        collection = controller.get("requirement_collection", "stripe")
        payer = controller.get("fees", {}).get("payer", "account")
        losses = controller.get("losses", {}).get("payments", "stripe")
        dash = controller.get("stripe_dashboard", {}).get("type") or _default_dashboard(controller)
    else:
        payer, losses, collection, dash = _LEGACY_CONTROLLER[type_ or "standard"]
    return {"is_controller": True, "type": "application", "fees": {"payer": payer},
            "losses": {"payments": losses}, "requirement_collection": collection,
            "stripe_dashboard": {"type": dash}}


def _default_dashboard(controller: dict[str, Any]) -> str:
    """Stripe's default is the full Dashboard, which an account whose requirements the
    platform collects cannot have."""
    return "none" if controller.get("requirement_collection") == "application" else "full"


def _requirements() -> dict[str, Any]:
    return {"alternatives": [], "current_deadline": None, "currently_due": [],
            "disabled_reason": None, "errors": [], "eventually_due": [], "past_due": [],
            "pending_verification": []}


def build(account_id: str, now: int, *, type_: str | None = "standard",
          country: str = "US", email: str | None = None,
          params: Params | None = None) -> dict[str, Any]:
    params = params or Params()
    country = (params.get("country") or country).upper()
    if len(country) != 2 or not country.isascii() or not country.isalpha():
        raise InvalidRequestError(
            f"Country '{country[:20]}' is unknown. Try using a 2-character alphanumeric "
            "country code instead, such as 'US', 'EG', or 'GB'. A full list of country codes "
            "is available at https://stripe.com/docs/api/accounts/object#account_object-country",
            param="country")
    currency = "usd" if country == "US" else ("eur" if country in _EUR else "usd")
    caps_req = params.get("capabilities") or {}
    caps = {name: "active" for name, v in caps_req.items() if v.get("requested")}
    if not caps:
        caps = {name: "active" for name in CAPABILITY_NAMES}
    acct = blank(
        "account", id=account_id, created=now, type=type_, country=country,
        email=params.get("email") or email, default_currency=params.get("default_currency")
        or currency, charges_enabled=True, payouts_enabled=True, details_submitted=True,
        capabilities=caps, business_type=params.get("business_type") or None,
        metadata=md.merge({}, params.get("metadata") or {}),
        controller=_controller(type_, params.get("controller")),
        requirements=_requirements(), future_requirements=_requirements(),
        external_accounts=list_of(f"/v1/accounts/{account_id}/external_accounts"),
        business_profile=newer("account_business_profile", {
            "mcc": None, "name": None, "product_description": None, "support_address": None,
            "support_email": None, "support_phone": None, "support_url": None, "url": None}),
        settings={"branding": {"icon": None, "logo": None, "primary_color": None,
                               "secondary_color": None},
                  "dashboard": {"display_name": None, "timezone": "Etc/UTC"},
                  "payments": newer("account_payments_settings",
                                    {"statement_descriptor": None}),
                  "payouts": {"debit_negative_balances": True,
                              "schedule": {"delay_days": 2, "interval": "daily"},
                              "statement_descriptor": None},
                  "card_payments": newer("account_card_payments_settings", {
                      "decline_on": {"avs_failure": False, "cvc_failure": False},
                      "statement_descriptor_prefix": None})},
        tos_acceptance={"date": None, "ip": None, "user_agent": None},
    )
    passthrough.apply(acct, params, _PROFILE, merge=_PROFILE)
    # Stripe returns company / individual only for accounts the platform fills in.
    for key in ("company", "individual"):
        acct.pop(key, None)
    _legal_entity(acct, params, now)
    return acct


# Hashes stored as given (merged into the defaults) and shown under the same name.
_PROFILE = ("business_profile", "settings", "tos_acceptance")


def _with_account_token(tx: Tx, ctx: RequestContext, params: Params) -> Params:
    """`account_token`: the details an account token holds (business_type, company,
    individual, tos_shown_and_accepted), used once, as if sent with the request."""
    if not params.get("account_token"):
        return params
    from . import tokens
    details = tokens.consume_account_token(tx, ctx, params["account_token"])
    merged = Params({k: v for k, v in params.items() if k != "account_token"})
    for key in ("business_type", "company", "individual"):
        if key in details:
            merged.setdefault(key, details[key])
    if details.get("tos_shown_and_accepted"):
        merged["tos_acceptance"] = {"date": ctx.now, **(merged.get("tos_acceptance") or {})}
    return merged


def _legal_entity(acct: dict[str, Any], params: Params, now: int) -> None:
    if params.get("company"):
        acct["company"] = legal_entity.company(acct.get("company"), params["company"])
    if params.get("individual"):
        acct["individual"] = legal_entity.individual(
            acct.get("individual"), params["individual"], account=acct["id"], now=now)


_EUR = {"AT", "BE", "DE", "ES", "FI", "FR", "IE", "IT", "LU", "NL", "PT"}


def ensure_platform(tx: Tx, key_suffix: str, account_id: str, now: int) -> None:
    tx.platform_account(key_suffix, account_id, now)
    if tx.get(account_id, account_id, "account") is None:
        acct = build(account_id, now, type_="standard")
        acct["controller"] = {"type": "account"}
        acct["settings"]["dashboard"]["display_name"] = f"Platform {key_suffix[:20]}"
        tx.insert(account_id, acct)


def _require_platform(ctx: RequestContext) -> None:
    if ctx.connected:
        raise PermissionError_(
            "This application does not have the required permissions for this endpoint on "
            f"account '{ctx.account}'.", code="oauth_not_supported")


def get_account(tx: Tx, ctx: RequestContext, account_id: str) -> dict[str, Any]:
    if account_id in (ctx.account,) and account_id == ctx.platform:
        return tx.get(ctx.platform, ctx.platform, "account")
    acct = tx.get(ctx.platform, account_id, "account")
    if acct is None or (ctx.connected and account_id != ctx.account):
        raise PermissionError_(
            f"The provided key '{ctx.masked_key}' does not have access to account "
            f"'{account_id}' (or that account does not exist). Application access may have "
            "been revoked.", code="account_invalid")
    return acct


def current(tx: Tx, ctx: RequestContext, params: Params) -> dict[str, Any]:
    return get_account(tx, ctx, ctx.account)


def create(tx: Tx, ctx: RequestContext, params: Params) -> dict[str, Any]:
    _require_platform(ctx)
    type_ = params.get("type")
    if type_ is None and not params.get("controller"):
        type_ = "standard"
    if type_ is None:
        ctl = params["controller"]
        dash = ctl.get("stripe_dashboard", {}).get("type") or _default_dashboard(ctl)
        type_ = {"full": "standard", "express": "express", "none": "custom"}.get(dash, "custom")
        if ctl.get("requirement_collection") == "application" and dash != "full":
            type_ = "custom"
    params = _with_account_token(tx, ctx, params)
    acct = build(new_id("acct", 16), ctx.now, type_=type_, params=params)
    external_accounts.from_account_params(tx, ctx, acct, params, replace=False)
    tx.insert(ctx.platform, acct, parent=ctx.platform)
    return acct


def retrieve(tx: Tx, ctx: RequestContext, params: Params, account: str) -> dict[str, Any]:
    return get_account(tx, ctx, account)


def update(tx: Tx, ctx: RequestContext, params: Params, account: str) -> dict[str, Any]:
    acct = get_account(tx, ctx, account)
    if account == ctx.platform:
        raise InvalidRequestError(
            "You cannot update your own account through this endpoint in the sandbox.",
            param="account")
    previous: dict[str, Any] = {}
    params = _with_account_token(tx, ctx, params)
    passthrough.apply(acct, params, ("email", "business_type", "default_currency"),
                      previous=previous)
    if params.has("metadata"):
        previous["metadata"] = acct["metadata"]
        acct["metadata"] = md.merge(acct["metadata"], params["metadata"])
    passthrough.apply(acct, {k: v for k, v in params.items() if v != ""}, _PROFILE,
                      merge=_PROFILE, previous=previous)
    for key in ("company", "individual"):
        if params.get(key):
            previous[key] = acct.get(key)
    _legal_entity(acct, params, ctx.now)
    if params.has("capabilities"):
        previous["capabilities"] = dict(acct["capabilities"])
        for name, v in params["capabilities"].items():
            if v.get("requested") is False:
                acct["capabilities"].pop(name, None)
            else:
                acct["capabilities"][name] = "active"
    external_accounts.from_account_params(tx, ctx, acct, params, replace=True)
    tx.save(ctx.platform, acct)
    events.record(tx, ctx, "account.updated", acct, previous=previous, account=acct["id"])
    return acct


def delete(tx: Tx, ctx: RequestContext, params: Params, account: str) -> dict[str, Any]:
    _require_platform(ctx)
    get_account(tx, ctx, account)  # 403 unless it is this platform's
    if account == ctx.platform:
        raise InvalidRequestError("You cannot delete your own account.", param="account")
    tx.delete(ctx.platform, account)
    return {"id": account, "object": "account", "deleted": True}


def list_(tx: Tx, ctx: RequestContext, params: Params) -> dict[str, Any]:
    _require_platform(ctx)
    return page(tx, ctx.platform, "account", params, "/v1/accounts", parent=ctx.platform)


def missing(account_id: str) -> ResourceMissing:
    return ResourceMissing("account", account_id)
