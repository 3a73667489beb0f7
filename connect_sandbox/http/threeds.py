"""The sandbox's 3-D Secure page: where next_action.redirect_to_url sends a customer.

GET  /sandbox/3ds/{intent}?account=...&client_secret=...   the challenge page
POST /sandbox/3ds/{intent}  (account, client_secret, action=complete|fail)

Plain HTML forms, no JavaScript, so a person or a test (httpx) can drive it. After the
choice the intent proceeds as Stripe's does and the browser is redirected (303) to the
intent's return_url, with payment_intent / setup_intent, its client secret and
redirect_status appended; without a return_url the page shows the outcome.
"""
from __future__ import annotations

import html
import time
from urllib.parse import parse_qsl

from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse, Response
from starlette.routing import Route

from ..context import RequestContext
from ..domain import money
from ..errors import StripeError
from ..services import intent_pages
from .render import request_id

_STYLE = ("body{font-family:system-ui,sans-serif;max-width:32rem;margin:3rem auto;"
          "padding:0 1rem;color:#1a1f36}h1{font-size:1.3rem}.box{border:1px solid #e3e8ee;"
          "border-radius:8px;padding:1.2rem}button{font-size:1rem;padding:.5rem 1.2rem;"
          "margin-right:.6rem;border-radius:6px;border:1px solid #888;cursor:pointer}"
          "button.ok{background:#635bff;color:#fff;border-color:#635bff}"
          "p.note{color:#697386;font-size:.9rem}")


def _page(title: str, body: str, status: int = 200) -> HTMLResponse:
    return HTMLResponse(
        "<!doctype html><html lang=en><head><meta charset=utf-8>"
        f"<meta name=viewport content='width=device-width'><title>{html.escape(title)}"
        f"</title><style>{_STYLE}</style></head><body><h1>{html.escape(title)}</h1>"
        f"<div class=box>{body}</div><p class=note>connect-sandbox test page: no bank is "
        "contacted.</p></body></html>", status)


def _describe(intent: dict) -> str:
    if intent["object"] == "payment_intent":
        amount = money.fmt(intent["amount"], intent["currency"])
        return (f"Authenticate a payment of <b>{html.escape(amount)} "
                f"{html.escape(intent['currency'].upper())}</b>.")
    return "Authenticate your card so that it can be saved for later payments."


def _form(intent: dict, account: str, secret: str) -> str:
    hidden = (f"<input type=hidden name=account value='{html.escape(account, True)}'>"
              f"<input type=hidden name=client_secret value='{html.escape(secret, True)}'>")
    action = html.escape(intent_pages.PAGE_PATH + intent["id"], True)
    return (f"<p>{_describe(intent)}</p><p>Intent <code>{html.escape(intent['id'])}</code>"
            "</p><form method=post action='" + action + "'>" + hidden +
            "<button class=ok type=submit name=action value=complete>Complete "
            "authentication</button><button type=submit name=action value=fail>Fail "
            "authentication</button></form>")


def _outcome(intent: dict) -> str:
    return (f"<p>Intent <code>{html.escape(intent['id'])}</code> is now "
            f"<b>{html.escape(intent['status'])}</b>.</p>")


def routes(store) -> list[Route]:
    async def show(request: Request) -> Response:
        intent_id = request.path_params["intent"]
        account = request.query_params.get("account", "")
        secret = request.query_params.get("client_secret", "")
        intent = None
        if "\x00" not in intent_id + account + secret:  # no stored id holds NUL
            with store.transaction(write=False) as tx:
                intent = intent_pages.find(tx, account, intent_id, secret)
        if intent is None:
            return _page("Authentication not found", "<p>No authentication is waiting at "
                         "this address (wrong intent, account or client secret).</p>", 404)
        if not intent_pages.waiting(intent):
            return _page("Authentication finished", _outcome(intent))
        return _page("3-D Secure test authentication", _form(intent, account, secret))

    async def submit(request: Request) -> Response:
        intent_id = request.path_params["intent"]
        body = await request.body()
        form = dict(parse_qsl(body.decode("utf-8", "replace"), keep_blank_values=True))
        account = form.get("account", "")
        action = form.get("action")
        if action not in ("complete", "fail"):
            return _page("Authentication", "<p>Choose complete or fail.</p>", 400)
        if "\x00" in intent_id + account + form.get("client_secret", ""):
            return _page("Authentication not found", "<p>No authentication is waiting "
                         "at this address.</p>", 404)
        try:
            with store.transaction(write=True) as tx:
                intent = intent_pages.find(tx, account, intent_id, form.get("client_secret", ""))
                if intent is None:
                    return _page("Authentication not found", "<p>No authentication is waiting "
                                 "at this address.</p>", 404)
                if not intent_pages.waiting(intent):
                    return _page("Authentication finished", _outcome(intent), 409)
                ctx = RequestContext(
                    platform=intent_pages.platform_of(tx, account) or account, account=account,
                    publishable=False, masked_key="", request_id=request_id(),
                    now=int(time.time()), base_url=str(request.base_url).rstrip("/"))
                intent = intent_pages.complete(tx, ctx, intent, action == "complete")
        except StripeError as exc:
            return _page("Authentication failed", f"<p>{html.escape(exc.message)}</p>", 400)
        location = intent_pages.return_location(intent)
        if location:
            return RedirectResponse(location, status_code=303)
        return _page("Authentication finished", _outcome(intent))

    path = intent_pages.PAGE_PATH + "{intent}"
    return [Route(path, show, methods=["GET"]), Route(path, submit, methods=["POST"])]
