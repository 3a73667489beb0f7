"""Turn the Authorization and Stripe-Account headers into a RequestContext.

Every distinct test key suffix is its own platform, created on first use:
sk_test_<x> (secret), rk_test_<x> (restricted, treated as secret) and pk_test_<x>
(publishable) all belong to platform <x>.
"""
from __future__ import annotations

import base64
import re

from ..domain.ids import stable_id
from ..errors import AuthenticationError, PermissionError_
from ..store import Tx

_KEY = re.compile(r"(sk|rk|pk)_(test|live)_([A-Za-z0-9_]{1,200})\Z")

NO_KEY = ("You did not provide an API key. You need to provide your API key in the "
          "Authorization header, using Bearer auth (e.g. 'Authorization: Bearer "
          "YOUR_SECRET_KEY'). See https://stripe.com/docs/api#authentication for details, "
          "or we can help at https://support.stripe.com/.")
PUBLISHABLE = ("This API call cannot be made with a publishable API key. Please use a secret "
               "API key. You can find a list of your API keys at "
               "https://dashboard.stripe.com/account/apikeys.")



def mask(key: str) -> str:
    m = _KEY.match(key)
    if m:
        return f"{m.group(1)}_{m.group(2)}_****{key[-4:]}"
    return key[:8] + "****" + key[-4:] if len(key) > 12 else "****"


def read_key(authorization: str | None) -> str:
    if not authorization:
        raise AuthenticationError(NO_KEY)
    scheme, _, value = authorization.strip().partition(" ")
    value = value.strip()
    if scheme.lower() == "bearer":
        key = value
    elif scheme.lower() == "basic":
        try:
            key = base64.b64decode(value, validate=True).decode("utf-8").split(":", 1)[0]
        except (ValueError, UnicodeDecodeError):
            raise AuthenticationError(
                "Invalid API Key provided: the Basic credentials are not base64 of "
                "'YOUR_SECRET_KEY:'.") from None
    else:
        raise AuthenticationError(NO_KEY)
    if not key:
        raise AuthenticationError(NO_KEY)
    return key


def platform_for(tx: Tx, suffix: str, now: int) -> str:
    # Platforms never change once created, so their ids are cached for the process.
    account = tx.cache.get("platform:" + suffix)
    if account is None:
        from ..services import accounts  # the platform's own Account object is made there
        account = stable_id("acct", "platform:" + suffix)
        accounts.ensure_platform(tx, suffix, account, now)
        tx.cache["platform:" + suffix] = account
    return account


def ensure_platform(store, key: str, now: int) -> None:
    """Create the key's platform on first use, in its own short write transaction."""
    m = _KEY.match(key)
    if m is None or m.group(2) != "test" or "platform:" + m.group(3) in store.cache:
        return
    with store.transaction(write=True) as tx:
        platform_for(tx, m.group(3), now)


def resolve(tx: Tx, key: str, stripe_account: str | None, now: int) -> tuple[str, str, bool]:
    """Return (platform, acting account, publishable) or raise 401/403."""
    m = _KEY.match(key)
    if m is None or m.group(2) != "test":
        raise AuthenticationError(f"Invalid API Key provided: {mask(key)}")
    platform = platform_for(tx, m.group(3), now)
    account = platform
    if stripe_account is not None:
        stripe_account = stripe_account.strip()
        if stripe_account != platform:
            # A deleted account's row is gone (services/accounts.py delete).
            if not stripe_account or not tx.exists(platform, stripe_account, "account"):
                raise PermissionError_(
                    f"The provided key '{mask(key)}' does not have access to account "
                    f"'{stripe_account[:255]}' (or that account does not exist). Application "
                    "access may have been revoked.", code="account_invalid")
            account = stripe_account
    return platform, account, m.group(1) == "pk"
