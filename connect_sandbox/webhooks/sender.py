"""One delivery attempt: POST the signed event to the endpoint's URL with a timeout, and
say what happened (status, duration, the start of the response body, or the error).
Redirects are not followed: like Stripe, only a 2xx answer counts as delivered."""
from __future__ import annotations

import time
from dataclasses import dataclass

import httpx

USER_AGENT = "Stripe/1.0 (+https://stripe.com/docs/webhooks)"
EXCERPT = 1000       # characters of the response body kept with the attempt
_READ_LIMIT = 16384  # bytes read from the response at most


@dataclass(frozen=True)
class Outcome:
    status: int | None          # the HTTP status, or None when there was no answer
    duration_ms: int
    response: str | None = None
    error: str | None = None

    @property
    def ok(self) -> bool:
        return self.status is not None and 200 <= self.status < 300


def headers(signature: str) -> dict[str, str]:
    return {"Content-Type": "application/json; charset=utf-8", "User-Agent": USER_AGENT,
            "Stripe-Signature": signature, "Cache-Control": "no-cache",
            "Accept": "*/*; q=0.5, application/xml"}


def client() -> httpx.AsyncClient:
    # trust_env=False: a proxy configured in the environment must not capture deliveries
    # to localhost receivers.
    return httpx.AsyncClient(trust_env=False, follow_redirects=False)


async def post(http: httpx.AsyncClient, url: str, body: bytes, signature: str,
               timeout: float) -> Outcome:
    start = time.perf_counter()

    def elapsed() -> int:
        return int((time.perf_counter() - start) * 1000)

    try:
        async with http.stream("POST", url, content=body, headers=headers(signature),
                               timeout=timeout) as resp:
            chunks, size = [], 0
            async for chunk in resp.aiter_bytes():
                chunks.append(chunk)
                size += len(chunk)
                if size >= _READ_LIMIT:
                    break
            text = b"".join(chunks).decode("utf-8", errors="replace")[:EXCERPT]
            return Outcome(resp.status_code, elapsed(), text)
    except httpx.TimeoutException:
        return Outcome(None, elapsed(), error=f"timed out after {timeout:g} s")
    except httpx.ConnectError as exc:
        return Outcome(None, elapsed(), error=f"could not connect: {exc}"[:EXCERPT])
    except (httpx.HTTPError, httpx.InvalidURL, ValueError, OSError) as exc:
        return Outcome(None, elapsed(), error=f"{type(exc).__name__}: {exc}"[:EXCERPT])
