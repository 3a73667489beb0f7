"""POST /v1/account_links and POST /v1/accounts/{account}/login_links.

Both return a single-use URL on this server (http/connect_pages.py) instead of Stripe's
hosted onboarding or Express Dashboard. The link itself is kept privately in the
connected account's data (object `sandbox_link`, never returned by the API) so that the
page can find it:

- an account link's page says the account is already complete (the sandbox has no
  onboarding) and sends the person on to the link's `return_url`; once used or after
  `expires_at` (created + 300 s), it sends them to the `refresh_url` instead, as Stripe
  does. It never redirects anywhere else.
- a login link's page stands in for the Express Dashboard: it shows the account.
"""
from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from ..context import RequestContext
from ..domain.ids import new_id
from ..errors import InvalidRequestError, PermissionError_, missing_param
from ..params import Params
from ..store import Tx
from ..wire.shape import blank
from .accounts import get_account

PAGE_PATH = "/sandbox/connect/"
LIFETIME = 300
KIND = "sandbox_link"


def _require_platform(ctx: RequestContext) -> None:
    if ctx.connected:
        raise PermissionError_(
            "This application does not have the required permissions for this endpoint on "
            f"account '{ctx.account}'.", code="oauth_not_supported")


def _url(value: str, param: str) -> str:
    parts = urlsplit(value)
    if parts.scheme not in ("http", "https") or not parts.hostname or any(
            c.isspace() or ord(c) < 32 for c in value):
        raise InvalidRequestError("Not a valid URL", param=param, code="url_invalid")
    return value


def _connected(tx: Tx, ctx: RequestContext, account: str, param: str | None) -> dict[str, Any]:
    acct = get_account(tx, ctx, account)  # 403 account_invalid unless it is ours
    if account == ctx.platform:
        raise InvalidRequestError(
            "You cannot create a link for your own account: pass the id of one of your "
            "connected accounts.", param=param)
    return acct


def create_account_link(tx: Tx, ctx: RequestContext, params: Params) -> dict[str, Any]:
    _require_platform(ctx)
    acct = _connected(tx, ctx, params["account"], "account")
    for name in ("refresh_url", "return_url"):
        if not params.get(name):
            raise missing_param(name)
    refresh_url = _url(params["refresh_url"], "refresh_url")
    return_url = _url(params["return_url"], "return_url")
    type_ = params["type"]
    dashboard = ((acct.get("controller") or {}).get("stripe_dashboard") or {}).get("type")
    if type_ == "account_update" and dashboard in ("express", "full"):
        raise InvalidRequestError(
            "You cannot create `account_update` type Account Links for accounts that have "
            f"access to a Stripe-hosted Dashboard ({acct['id']} uses the {dashboard} "
            "Dashboard).", param="type")
    link_id = new_id("alink", 24)
    tx.insert(acct["id"], {
        "id": link_id, "object": KIND, "kind": "account_link", "type": type_,
        "account": acct["id"], "created": ctx.now, "expires_at": ctx.now + LIFETIME,
        "refresh_url": refresh_url, "return_url": return_url,
        "collect": params.get("collect") or (params.get("collection_options") or {}).get(
            "fields") or "currently_due", "used": False})
    return blank("account_link", created=ctx.now, expires_at=ctx.now + LIFETIME,
                 url=page_url(ctx, acct["id"], link_id))


def create_login_link(tx: Tx, ctx: RequestContext, params: Params,
                      account: str) -> dict[str, Any]:
    _require_platform(ctx)
    acct = _connected(tx, ctx, account, None)
    dashboard = ((acct.get("controller") or {}).get("stripe_dashboard") or {}).get("type")
    if dashboard != "express":
        raise InvalidRequestError(
            f"Login links can only be created for accounts that use the Express Dashboard; "
            f"{account} does not (its dashboard is {dashboard or 'none'}).")
    link_id = new_id("llink", 24)
    tx.insert(account, {"id": link_id, "object": KIND, "kind": "login_link",
                        "account": account, "created": ctx.now, "used": False})
    return blank("login_link", created=ctx.now, url=page_url(ctx, account, link_id))


def page_url(ctx: RequestContext, account: str, link_id: str) -> str:
    return f"{ctx.base_url}{PAGE_PATH}{account}/{link_id}"


def find(tx: Tx, account: str, link_id: str) -> dict[str, Any] | None:
    if not account.startswith("acct_") or len(account) > 255 or len(link_id) > 255 or \
            "\x00" in account + link_id:
        return None
    link = tx.get(account, link_id, KIND)
    return link if link is not None and link.get("account") == account else None


def platform_account(tx: Tx, account: str) -> dict[str, Any] | None:
    """The connected account's Account object, for the page (stored under its platform)."""
    owner = tx.owner_of(account)
    return tx.get(owner, account, "account") if owner else None
