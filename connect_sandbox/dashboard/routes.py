"""The dashboard's URL table and the glue around every page: the sign-in check, one
read-only transaction, the Scope, rendering, security headers, and 404s as HTML.

Pages never write; the two forms that do (sign-in and resend) check their input and
a CSRF token first. Everything is plain HTML forms and links: no JavaScript needed.
"""
from __future__ import annotations

import logging
from pathlib import Path
from typing import Any, Callable
from urllib.parse import parse_qs, quote

from jinja2 import Environment, FileSystemLoader, select_autoescape
from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse, Response
from starlette.routing import BaseRoute, Mount, Route
from starlette.staticfiles import StaticFiles

from ..store import Store
from . import session as sessions
from .access import NotFound, Scope
from .format import FILTERS
from .pages import (accounts, actions, customers, events, objects, overview, payments,
                    payouts)

log = logging.getLogger("connect_sandbox.dashboard")
HERE = Path(__file__).parent
MAX_FORM = 8192
SECURITY_HEADERS = {
    "Content-Security-Policy": "default-src 'none'; style-src 'self'; img-src 'self' data:; "
                               "form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
    "X-Content-Type-Options": "nosniff", "Referrer-Policy": "same-origin",
    "X-Frame-Options": "DENY", "Cache-Control": "no-store",
}
NOTICES = {"resent": "The event was queued for delivery again.",
           "signed_out": "You are signed out."}

env = Environment(loader=FileSystemLoader(HERE / "templates"),
                  autoescape=select_autoescape(["html"]), trim_blocks=True,
                  lstrip_blocks=True)
env.filters.update(FILTERS)


def _html(request: Request, template: str, context: dict[str, Any], status: int = 200,
          session: sessions.Session | None = None) -> HTMLResponse:
    store: Store = request.app.state.store
    context = {**context, "session": session, "path": request.url.path,
               "csrf": sessions.csrf_token(store, session) if session else None,
               "notice": NOTICES.get(request.query_params.get("notice", ""))}
    body = env.get_template(template).render(**context)
    return HTMLResponse(body, status, headers=SECURITY_HEADERS)


def _session(request: Request) -> sessions.Session | None:
    return sessions.read(request.app.state.store, request.cookies.get(sessions.COOKIE))


def _to_login(request: Request) -> Response:
    target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    return RedirectResponse("/dashboard/login?next=" + quote(target, safe=""), 303,
                            headers=SECURITY_HEADERS)


def _not_found(request: Request, session: sessions.Session | None) -> HTMLResponse:
    return _html(request, "not_found.html", {"title": "Not found"}, 404, session)


def page(fn: Callable[..., Any]) -> Callable[[Request], Any]:
    """Wrap a page function: signed in, read-only transaction, Scope, render."""
    async def endpoint(request: Request) -> Response:
        session = _session(request)
        if session is None:
            return _to_login(request)
        if _has_nul(request):  # no id or stored text holds NUL (PostgreSQL refuses it)
            return _not_found(request, session)
        store: Store = request.app.state.store
        try:
            with store.transaction(write=False) as tx:
                result = fn(Scope(tx, session.platform), request.query_params,
                            **request.path_params)
                if isinstance(result, str):
                    return RedirectResponse(result, 303, headers=SECURITY_HEADERS)
                template, context = result
                return _html(request, template, context, session=session)
        except NotFound:
            return _not_found(request, session)
        except Exception:  # never a traceback in the browser
            log.exception("dashboard page %s failed", request.url.path)
            return _html(request, "error.html", {
                "title": "Something went wrong", "message": "This page could not be "
                "shown; the server logged the details."}, 500, session)
    return endpoint


def _has_nul(request: Request) -> bool:
    return any("\x00" in v for v in request.path_params.values()) or any(
        "\x00" in k or "\x00" in v for k, v in request.query_params.multi_items())


def _safe_next(value: str | None) -> str:
    if value and value.startswith("/dashboard") and not value.startswith("//") \
            and "\\" not in value and "\n" not in value and "\r" not in value:
        return value
    return "/dashboard"


async def _form(request: Request) -> dict[str, str]:
    body = b""
    async for chunk in request.stream():
        body += chunk
        if len(body) > MAX_FORM:
            return {}
    parsed = parse_qs(body.decode("utf-8", errors="replace"), keep_blank_values=True)
    return {k: v[0] for k, v in parsed.items()}


async def login(request: Request) -> Response:
    store: Store = request.app.state.store
    nxt = _safe_next(request.query_params.get("next"))
    if request.method == "GET":
        return _html(request, "login.html", {"title": "Sign in", "next": nxt, "error": None},
                     session=_session(request))
    form = await _form(request)
    nxt = _safe_next(form.get("next") or nxt)
    try:
        session = sessions.login(store, form.get("key", ""))
    except sessions.LoginError as exc:
        return _html(request, "login.html", {"title": "Sign in", "next": nxt,
                                             "error": str(exc)}, 400)
    resp = RedirectResponse(nxt, 303, headers=SECURITY_HEADERS)
    resp.set_cookie(sessions.COOKIE, session.cookie, max_age=sessions.MAX_AGE,
                    path="/dashboard", httponly=True, samesite="strict",
                    secure=request.url.scheme == "https")
    return resp


async def logout(request: Request) -> Response:
    session = _session(request)
    form = await _form(request)
    if session is not None and not sessions.csrf_ok(request.app.state.store, session,
                                                    form.get("csrf")):
        return _html(request, "error.html", {"title": "Not signed out", "message":
                                             "The form was stale; sign out again."}, 403,
                     session)
    resp = RedirectResponse("/dashboard/login?notice=signed_out", 303,
                            headers=SECURITY_HEADERS)
    resp.delete_cookie(sessions.COOKIE, path="/dashboard", httponly=True, samesite="strict")
    return resp


async def resend(request: Request) -> Response:
    session = _session(request)
    if session is None:
        return _to_login(request)
    store: Store = request.app.state.store
    form = await _form(request)
    event_id = request.path_params["event"]
    if _has_nul(request) or "\x00" in form.get("endpoint", ""):
        return _not_found(request, session)
    if not sessions.csrf_ok(store, session, form.get("csrf")):
        return _html(request, "error.html", {"title": "Not resent", "message":
                     "The form was stale; reload the page and try again."}, 403, session)
    try:
        actions.resend(store, session, event_id, form.get("endpoint", ""))
    except NotFound:
        return _not_found(request, session)
    except actions.ActionError as exc:
        return _html(request, "error.html", {"title": "Not resent", "message": str(exc),
                                             "back": f"/dashboard/events/{event_id}"},
                     400, session)
    return RedirectResponse(f"/dashboard/events/{event_id}?notice=resent#deliveries", 303,
                            headers=SECURITY_HEADERS)


async def missing(request: Request) -> Response:
    return _not_found(request, _session(request))


def routes() -> list[BaseRoute]:
    """The dashboard's routes, mounted under /dashboard by app.py."""
    d = "/dashboard"
    return [
        Route(d, page(overview.overview)),
        Route(d + "/", page(overview.overview)),
        Route(d + "/login", login, methods=["GET", "POST"]),
        Route(d + "/logout", logout, methods=["POST"]),
        Route(d + "/sellers", page(overview.sellers)),
        Route(d + "/charges", page(lambda s, q: overview.across(s, q, "charges"))),
        Route(d + "/payment_intents",
              page(lambda s, q: overview.across(s, q, "payment_intents"))),
        Route(d + "/payouts", page(lambda s, q: overview.across(s, q, "payouts"))),
        Route(d + "/accounts/{account_id}", page(accounts.account)),
        Route(d + "/accounts/{account_id}/{name}", page(accounts.collection)),
        Route(d + "/customers/{customer_id}", page(customers.customer)),
        Route(d + "/charges/{charge_id}", page(payments.charge)),
        Route(d + "/payment_intents/{intent_id}", page(payments.payment_intent)),
        Route(d + "/payouts/{payout_id}", page(payouts.payout)),
        Route(d + "/events", page(events.events)),
        Route(d + "/events/{event_id}", page(events.event)),
        Route(d + "/events/{event}/resend", resend, methods=["POST"]),
        Route(d + "/webhooks", page(events.webhooks)),
        Route(d + "/objects/{obj_id}", page(objects.obj_page)),
        Mount(d + "/static", StaticFiles(directory=HERE / "static"), name="dashboard-static"),
        Route(d + "/{rest:path}", missing, methods=["GET", "POST"]),
    ]
