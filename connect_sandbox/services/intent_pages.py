"""The 3-D Secure step of PaymentIntents and SetupIntents, as the services see it.

`next_action.redirect_to_url.url` (or, without a return_url, Stripe.js's
`next_action.use_stripe_sdk.stripe_js`) points at this server's page
/sandbox/3ds/{intent}?account=...&client_secret=... (http/threeds.py); the page
finds the intent with `find`, shows it, and reports the person's choice through
`complete`, then sends the browser to `return_location`."""
from __future__ import annotations

from typing import Any
from urllib.parse import urlencode, urlsplit, urlunsplit, parse_qsl

from ..context import RequestContext
from ..domain import intents
from ..store import Tx

PAGE_PATH = "/sandbox/3ds/"
_KINDS = {"pi_": "payment_intent", "seti_": "setup_intent"}


def page_url(ctx: RequestContext, intent: dict[str, Any]) -> str:
    query = urlencode({"account": ctx.account, "client_secret": intent["client_secret"]})
    return f"{ctx.base_url}{PAGE_PATH}{intent['id']}?{query}"


def redirect_action(ctx: RequestContext, intent: dict[str, Any]) -> dict[str, Any]:
    """Stripe's next_action: redirect_to_url when the confirmation named a return_url,
    else use_stripe_sdk (what Stripe.js handles), whose stripe_js opens the same page."""
    url = page_url(ctx, intent)
    if not intent.get("_return_url"):
        return {"type": "use_stripe_sdk",
                "use_stripe_sdk": {"type": "three_d_secure_redirect", "stripe_js": url}}
    return {"type": "redirect_to_url",
            "redirect_to_url": {"url": url, "return_url": intent["_return_url"]}}


def action_url(action: dict[str, Any] | None) -> str | None:
    """The page a next_action opens, whichever kind it is."""
    action = action or {}
    if action.get("type") == "use_stripe_sdk":
        return (action.get("use_stripe_sdk") or {}).get("stripe_js")
    return (action.get("redirect_to_url") or {}).get("url")


def kind_of(intent_id: str) -> str | None:
    return next((k for p, k in _KINDS.items() if intent_id.startswith(p)), None)


def find(tx: Tx, account: str, intent_id: str, client_secret: str) -> dict[str, Any] | None:
    """The intent the page is about, if the account and client secret match."""
    kind = kind_of(intent_id)
    if kind is None or not account:
        return None
    intent = tx.get(account, intent_id, kind)
    if intent is None or intent.get("client_secret") != client_secret:
        return None
    return intent


def platform_of(tx: Tx, account: str) -> str | None:
    """The platform an account belongs to (a connected account's Account object is
    stored under its platform; a platform's own under itself)."""
    return tx.owner_of(account)


def complete(tx: Tx, ctx: RequestContext, intent: dict[str, Any], success: bool
             ) -> dict[str, Any]:
    """Apply the authentication outcome; returns the updated intent."""
    if intent["object"] == "payment_intent":
        from . import payment_intents
        return payment_intents.authenticate(tx, ctx, intent, success)
    from . import setup_intents
    return setup_intents.authenticate(tx, ctx, intent, success)


def waiting(intent: dict[str, Any]) -> bool:
    return intent["status"] == intents.RA


def return_location(intent: dict[str, Any]) -> str | None:
    """Where the browser goes afterwards: return_url with Stripe's query parameters."""
    url = intent.get("_return_url")
    if not url:
        return None
    prefix = intent["object"]
    failed = intent["status"] in (intents.RPM, intents.CANCELED)
    extra = {prefix: intent["id"], f"{prefix}_client_secret": intent["client_secret"],
             "redirect_status": "failed" if failed else "succeeded"}
    parts = urlsplit(url)
    query = parse_qsl(parts.query, keep_blank_values=True) + list(extra.items())
    return urlunsplit(parts._replace(query=urlencode(query)))
