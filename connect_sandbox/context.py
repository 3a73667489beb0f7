"""Who is calling, and as which account. Passed explicitly to every service."""
from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class RequestContext:
    platform: str              # the platform account that owns the API key
    account: str               # the account acted as: the platform, or a connected account
    publishable: bool          # called with pk_test_ (tokens, sources, payment methods only)
    masked_key: str            # sk_test_****abcd, for messages
    request_id: str
    idempotency_key: str | None = None
    now: int = 0               # the request's clock (unix seconds)
    api_version: str | None = None
    base_url: str = ""         # scheme://host[:port] the caller used (for sandbox page links)

    @property
    def connected(self) -> bool:
        """True when acting on a connected account through the Stripe-Account header."""
        return self.account != self.platform
