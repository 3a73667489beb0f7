"""The pages behind account links and login links (services/account_links.py).

GET  /sandbox/connect/{account}/{link}   the onboarding stand-in, or the Express
                                         Dashboard stand-in for a login link
POST /sandbox/connect/{account}/{link}   "Continue": uses the account link up and
                                         redirects (303) to its return_url

An account link that was used or has expired redirects (303) to its refresh_url, as
Stripe's does. The only redirect targets are the URLs the platform gave when it created
the link. Plain HTML, no JavaScript.
"""
from __future__ import annotations

import html
import time

from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse, Response
from starlette.routing import Route

from ..services import account_links

_STYLE = ("body{font-family:system-ui,sans-serif;max-width:34rem;margin:3rem auto;"
          "padding:0 1rem;color:#1a1f36}h1{font-size:1.3rem}.box{border:1px solid #e3e8ee;"
          "border-radius:8px;padding:1.2rem}button{font-size:1rem;padding:.5rem 1.2rem;"
          "border-radius:6px;border:1px solid #635bff;background:#635bff;color:#fff;"
          "cursor:pointer}dt{font-weight:600}dd{margin:0 0 .5rem 0}"
          "p.note{color:#697386;font-size:.9rem}")
_TYPES = {"account_onboarding": "Account onboarding", "account_update": "Account update"}


def _now() -> float:
    return time.time()


def _page(title: str, body: str, status: int = 200) -> HTMLResponse:
    return HTMLResponse(
        "<!doctype html><html lang=en><head><meta charset=utf-8>"
        f"<meta name=viewport content='width=device-width'><title>{html.escape(title)}"
        f"</title><style>{_STYLE}</style></head><body><h1>{html.escape(title)}</h1>"
        f"<div class=box>{body}</div><p class=note>connect-sandbox test page: no "
        "information is collected.</p></body></html>", status,
        headers={"Cache-Control": "no-store", "Referrer-Policy": "no-referrer"})


def _missing() -> HTMLResponse:
    return _page("Link not found", "<p>No link exists at this address.</p>", 404)


def _summary(acct: dict | None) -> str:
    if acct is None:
        return ""
    rows = [("Account", acct["id"]), ("Type", acct.get("type") or "none"),
            ("Charges enabled", "yes" if acct.get("charges_enabled") else "no"),
            ("Payouts enabled", "yes" if acct.get("payouts_enabled") else "no")]
    reason = (acct.get("requirements") or {}).get("disabled_reason")
    if reason:
        rows.append(("Disabled reason", reason))
    return "<dl>" + "".join(f"<dt>{html.escape(k)}</dt><dd><code>{html.escape(str(v))}</code>"
                            "</dd>" for k, v in rows) + "</dl>"


def routes(store) -> list[Route]:
    async def show(request: Request) -> Response:
        account = request.path_params["account"]
        link_id = request.path_params["link"]
        if "\x00" in account + link_id:  # no stored id holds NUL
            return _missing()
        with store.transaction(write=False) as tx:
            link = account_links.find(tx, account, link_id)
            acct = account_links.platform_account(tx, account) if link else None
        if link is None:
            return _missing()
        if link["kind"] == "login_link":
            return _page("Express Dashboard (sandbox)", "<p>The sandbox has no Express "
                         "Dashboard. This is the connected account the login link is "
                         "for:</p>" + _summary(acct))
        if link["used"] or _now() >= link["expires_at"]:
            return RedirectResponse(link["refresh_url"], status_code=303)
        action = html.escape(account_links.PAGE_PATH + f"{account}/{link_id}", True)
        return _page(_TYPES.get(link["type"], "Account link"),
                     "<p>In the sandbox, connected accounts are complete when they are "
                     "created: there is nothing to fill in.</p>" + _summary(acct) +
                     f"<form method=post action='{action}'><button type=submit>Continue"
                     "</button></form>")

    async def submit(request: Request) -> Response:
        account = request.path_params["account"]
        link_id = request.path_params["link"]
        if "\x00" in account + link_id:
            return _missing()
        with store.transaction(write=True) as tx:
            link = account_links.find(tx, account, link_id)
            if link is None or link["kind"] != "account_link":
                return _missing()
            if link["used"] or _now() >= link["expires_at"]:
                return RedirectResponse(link["refresh_url"], status_code=303)
            link["used"] = True
            tx.save(account, link)
        return RedirectResponse(link["return_url"], status_code=303)

    path = account_links.PAGE_PATH + "{account}/{link}"
    return [Route(path, show, methods=["GET"]), Route(path, submit, methods=["POST"])]
