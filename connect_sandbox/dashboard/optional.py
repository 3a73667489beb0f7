"""The dashboard's links to parts of the sandbox that may not exist in every build
(balances, webhooks, 3-D Secure). Each helper imports what it needs when called and
answers "nothing" when that part is missing, so pages show empty sections instead of
failing."""
from __future__ import annotations

import importlib
import logging
from types import ModuleType
from typing import Any

from ..store import Tx

log = logging.getLogger("connect_sandbox.dashboard")


def _module(name: str) -> ModuleType | None:
    try:
        return importlib.import_module(f"connect_sandbox.{name}")
    except ImportError:
        return None


def balance(tx: Tx, account: dict[str, Any], *, platform: bool, now: int
            ) -> dict[str, Any] | None:
    """The account's Balance object (available / pending per currency), if balances exist."""
    ledger = _module("services.ledger")
    fn = getattr(ledger, "balance_object", None) if ledger else None
    if fn is None:
        return None
    try:
        return fn(tx, account["id"], now, account.get("default_currency") or "usd",
                  platform=platform)
    except Exception:  # a balance that cannot be computed must not break the page
        log.exception("balance of %s", account.get("id"))
        return None


def webhooks_available() -> bool:
    return _module("store.outbox") is not None


def attempts(tx: Tx, owner: str, endpoint: str, *, event: str | None = None,
             limit: int = 10) -> tuple[list[dict[str, Any]], bool]:
    """An endpoint's delivery attempts, newest first (and whether there are more)."""
    outbox = _module("store.outbox")
    fn = getattr(outbox, "attempts", None) if outbox else None
    if fn is None:
        return [], False
    return fn(tx, owner, endpoint, event=event, limit=limit)


def resend_function():  # noqa: ANN201
    """services.events.resend(tx, ctx, endpoint, endpoint_owner, event_id, param=...),
    or None when this build has no webhook resend."""
    events = _module("services.events")
    return getattr(events, "resend", None) if events else None


def three_d_secure_url(intent: dict[str, Any]) -> str | None:
    """Where a PaymentIntent or SetupIntent waiting for authentication is authenticated."""
    action = intent.get("next_action") or {}
    if not isinstance(action, dict):
        return None
    for key in ("redirect_to_url", "use_stripe_sdk"):
        inner = action.get(key)
        if isinstance(inner, dict):
            for url_key in ("url", "stripe_js", "three_d_secure_2_source_url"):
                url = inner.get(url_key)
                if isinstance(url, str) and url.startswith(("/", "http://", "https://")):
                    return url
    return None
