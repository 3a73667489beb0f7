"""The headers Stripe's API sends with every answer, and its answer to a CORS preflight.

Stripe's API answers browsers from any origin (`Access-Control-Allow-Origin: *`, with
`Vary: Origin`), lets them read `Request-Id`, and forbids caching. These are the values
of its responses (captured 2023, API version 2023-08-16); they are added to every /v1
answer as raw header bytes, so they cost nothing per request but a list extend.
"""
from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response

from .render import request_id

HEADERS: tuple[tuple[str, str], ...] = (
    ("Access-Control-Allow-Credentials", "true"),
    ("Access-Control-Allow-Methods", "GET,HEAD,PUT,PATCH,POST,DELETE"),
    ("Access-Control-Allow-Origin", "*"),
    ("Access-Control-Expose-Headers", "Request-Id, Stripe-Manage-Version, "
     "X-Stripe-External-Auth-Required, X-Stripe-Privileged-Session-Required"),
    ("Access-Control-Max-Age", "300"),
    ("Cache-Control", "no-cache, no-store"),
    ("Vary", "Origin"),
)
RAW: list[tuple[bytes, bytes]] = [(k.lower().encode(), v.encode()) for k, v in HEADERS]

# What a browser may send on a cross-origin call when it asks nothing in particular.
_ALLOW_HEADERS = ("Authorization, Content-Type, Idempotency-Key, Stripe-Account, "
                  "Stripe-Version, Stripe-Context")


def with_headers(response: Response) -> Response:
    """The response with Stripe's CORS and caching headers added."""
    response.raw_headers.extend(RAW)
    return response


def preflight(request: Request) -> Response:
    """The answer to `OPTIONS` on any /v1 URL (a browser's CORS preflight): 200, no body,
    the methods and the headers the browser asked to send (Access-Control-Request-Headers)
    allowed for 300 seconds. No key is needed: browsers send none with a preflight."""
    asked = request.headers.get("access-control-request-headers")
    response = Response(b"", 200, headers={
        "Request-Id": request_id(),
        "Access-Control-Allow-Headers": (asked or _ALLOW_HEADERS)[:2000]})
    return with_headers(response)
