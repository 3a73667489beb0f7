"""Dashboard sign-in: a platform's secret key, checked once, becomes a signed cookie.

The cookie holds the platform's account id (never the key), the time it was issued and
the masked key for display, signed with HMAC-SHA256 under a secret kept once per
database (cs_meta), so every server process sharing the database accepts it. It is
HttpOnly, SameSite=Strict and limited to /dashboard. Forms that change something carry a
CSRF token derived from the cookie.
"""
from __future__ import annotations

import base64
import hashlib
import hmac
import re
import time
from dataclasses import dataclass

from ..http import auth
from ..store import Store
from ..store import views

COOKIE = "cs_dashboard"
MAX_AGE = 7 * 24 * 3600
_SECRET_KEY = re.compile(r"(sk|rk)_test_([A-Za-z0-9_]{1,200})\Z")


@dataclass(frozen=True)
class Session:
    platform: str       # the signed-in platform's account id
    masked_key: str     # sk_test_****abcd, for display
    issued: int
    cookie: str         # the raw cookie value (the CSRF token is derived from it)


class LoginError(ValueError):
    pass


def _secret(store: Store) -> bytes:
    cached = store.cache.get("meta:dashboard_secret")
    if cached is None:
        with store.transaction(write=True) as tx:
            cached = views.secret(tx)
    return cached.encode()


def _sign(secret: bytes, payload: str) -> str:
    return hmac.new(secret, payload.encode(), hashlib.sha256).hexdigest()


def login(store: Store, key: str, now: int | None = None) -> Session:
    """Check a secret key and return the session for its platform (created on first use,
    as the API does), or raise LoginError with a message for the form."""
    key = (key or "").strip()
    if not key:
        raise LoginError("Enter a secret key (sk_test_...).")
    if key.startswith("pk_"):
        raise LoginError("That is a publishable key. Sign in with the platform's secret "
                         "key (sk_test_...).")
    if key.startswith(("sk_live_", "rk_live_")):
        raise LoginError("Live keys are not accepted: the sandbox only knows test keys.")
    m = _SECRET_KEY.match(key)
    if m is None:
        raise LoginError("That is not a valid test secret key (expected sk_test_ followed "
                         "by letters, digits or underscores).")
    now = int(time.time()) if now is None else now
    with store.transaction(write=True) as tx:
        platform = auth.platform_for(tx, m.group(2), now)
        views.secret(tx)
    payload = ".".join(("v1", platform, str(now),
                        base64.urlsafe_b64encode(auth.mask(key).encode()).decode().rstrip("=")))
    value = payload + "." + _sign(_secret(store), payload)
    return Session(platform, auth.mask(key), now, value)


def read(store: Store, value: str | None, now: int | None = None) -> Session | None:
    """The session a cookie value stands for, or None if it is missing, forged or old."""
    if not value or len(value) > 600:
        return None
    payload, _, sig = value.rpartition(".")
    parts = payload.split(".")
    if len(parts) != 4 or parts[0] != "v1" or not parts[2].isdigit():
        return None
    if not hmac.compare_digest(sig, _sign(_secret(store), payload)):
        return None
    issued = int(parts[2])
    now = int(time.time()) if now is None else now
    if issued > now + 300 or now - issued > MAX_AGE:
        return None
    try:
        masked = base64.urlsafe_b64decode(parts[3] + "=" * (-len(parts[3]) % 4)).decode()
    except (ValueError, UnicodeDecodeError):
        return None
    return Session(parts[1], masked, issued, value)


def csrf_token(store: Store, session: Session) -> str:
    return _sign(_secret(store), "csrf." + session.cookie)[:40]


def csrf_ok(store: Store, session: Session, token: str | None) -> bool:
    return bool(token) and hmac.compare_digest(token, csrf_token(store, session))
