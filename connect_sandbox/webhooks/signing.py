"""The Stripe-Signature header: `t=<unix time>,v1=<hex HMAC-SHA256(secret, "<t>.<body>")>`,
the exact inverse of the official SDKs' WebhookSignature.verify_header."""
from __future__ import annotations

import hashlib
import hmac
import time

SCHEME = "v1"
DEFAULT_TOLERANCE = 300


class SignatureError(ValueError):
    pass


def _text(payload: bytes | str) -> bytes:
    return payload.encode("utf-8") if isinstance(payload, str) else bytes(payload)


def compute(payload: bytes | str, secret: str, timestamp: int) -> str:
    signed = str(int(timestamp)).encode() + b"." + _text(payload)
    return hmac.new(secret.encode("utf-8"), signed, hashlib.sha256).hexdigest()


def header(payload: bytes | str, secret: str, timestamp: int | None = None) -> str:
    t = int(time.time()) if timestamp is None else int(timestamp)
    return f"t={t},{SCHEME}={compute(payload, secret, t)}"


def verify(payload: bytes | str, sig_header: str | None, secret: str, *,
           tolerance: int | None = DEFAULT_TOLERANCE, now: float | None = None) -> int:
    """Check a Stripe-Signature header; return its timestamp or raise SignatureError."""
    if not sig_header:
        raise SignatureError("no Stripe-Signature header")
    timestamp: int | None = None
    signatures: list[str] = []
    for item in sig_header.split(","):
        key, _, value = item.strip().partition("=")
        if key == "t":
            try:
                timestamp = int(value)
            except ValueError:
                raise SignatureError("malformed timestamp") from None
        elif key == SCHEME:
            signatures.append(value)
    if timestamp is None:
        raise SignatureError("no timestamp in Stripe-Signature")
    if not signatures:
        raise SignatureError(f"no {SCHEME} signature in Stripe-Signature")
    expected = compute(payload, secret, timestamp)
    if not any(hmac.compare_digest(expected, s) for s in signatures):
        raise SignatureError("no signature matches the payload")
    current = time.time() if now is None else now
    if tolerance and timestamp < current - tolerance:
        raise SignatureError(f"timestamp outside the tolerance zone ({timestamp})")
    return timestamp
