"""Stripe-style ids: a prefix and random base62 characters."""
from __future__ import annotations

import hashlib
import secrets
import string

_ALPHABET = string.digits + string.ascii_letters

# How long the random part is, per prefix (Stripe's own lengths where known).
_LENGTHS = {"cus": 14, "acct": 16, "evt": 24}

# Which object an id prefix names; used by expand and by error messages.
PREFIX_TYPES = {
    "acct": "account", "cus": "customer", "card": "card", "ba": "bank_account",
    "tok": "token", "btok": "token", "ch": "charge", "py": "charge", "src": "source",
    "pm": "payment_method", "pi": "payment_intent", "seti": "setup_intent", "re": "refund",
    "pyr": "refund", "fee": "application_fee", "fr": "fee_refund", "tr": "transfer",
    "trr": "transfer_reversal", "txn": "balance_transaction", "evt": "event",
    "we": "webhook_endpoint", "setatt": "setup_attempt",
}


def new_id(prefix: str, length: int | None = None) -> str:
    n = length or _LENGTHS.get(prefix, 24)
    return prefix + "_" + "".join(secrets.choice(_ALPHABET) for _ in range(n))


def stable_id(prefix: str, seed: str, length: int = 16) -> str:
    """A deterministic id (a platform's account id from its key, so that several
    processes agree on it without coordination)."""
    digest = int.from_bytes(hashlib.sha256(seed.encode()).digest(), "big")
    chars = []
    for _ in range(length):
        digest, r = divmod(digest, 62)
        chars.append(_ALPHABET[r])
    return prefix + "_" + "".join(chars)


def secret(prefix: str, length: int = 24) -> str:
    return prefix + "_" + "".join(secrets.choice(_ALPHABET) for _ in range(length))


def type_of(obj_id: str) -> str | None:
    prefix = obj_id.split("_", 1)[0] if "_" in obj_id else ""
    return PREFIX_TYPES.get(prefix)
