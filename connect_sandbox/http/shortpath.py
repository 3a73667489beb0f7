"""uvicorn's httptools protocol, with a shorter way out for API requests.

An API request (an `_Endpoint` route of app.py) is answered by the pipeline, which turns
every outcome, errors included, into one complete JSON response. uvicorn hands it over
as ASGI: the request goes through the proxy-headers middleware and the app's dispatch,
the response comes back as two `send` messages, and `send` checks every header against
two regular expressions, copies the header list and writes the status line and headers
and the body separately. Here a request that has an API route is given to its endpoint
directly, and the endpoint's response is written as one buffer. That is the hot path
of every SDK call: measured in benchmarks/README.md.

Everything else is uvicorn's, unchanged: parsing, keep-alive and its timeout, pipelined
requests, flow control, the body (read through the cycle's own `receive`, so the
pipeline's size limits apply as the bytes arrive), graceful shutdown, and every request
that is not plainly an API call: other paths (the dashboard, pages, Stripe's 404),
HEAD and OPTIONS, `Expect: 100-continue`, requests that carry X-Forwarded-* headers
(uvicorn's proxy-headers middleware reads those), an access log, a concurrency limit.
"""
from __future__ import annotations

from typing import Any

from starlette.requests import Request
from uvicorn.protocols.http.httptools_impl import (STATUS_LINE, HttpToolsProtocol,
                                                  RequestResponseCycle)

_METHODS = frozenset(("GET", "POST", "DELETE"))


def _inner_app(app: Any) -> Any:
    """The app below uvicorn's wrappers (they keep it as `.app`)."""
    seen = 0
    while not hasattr(app, "short_route") and hasattr(app, "app") and seen < 8:
        app, seen = app.app, seen + 1
    return app if hasattr(app, "short_route") else None


class ShortPathProtocol(HttpToolsProtocol):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # The app that knows the API routes, or None (another app: uvicorn's way only).
        # Not with an access log: uvicorn's send writes it.
        plain = not self.access_log and not getattr(self.config, "reset_contextvars", False)
        self._short_app = _inner_app(self.app) if plain else None

    def _start_asgi_task(self, cycle: RequestResponseCycle, app: Any) -> None:
        short = self._short_app
        if short is not None and app is self.app and not cycle.waiting_for_100_continue:
            scope = cycle.scope
            if scope["method"] in _METHODS and not _forwarded(scope["headers"]):
                endpoint = short.short_route(scope)
                if endpoint is not None:
                    task = self.loop.create_task(_answer(cycle, endpoint))
                    task.add_done_callback(self.tasks.discard)
                    self.tasks.add(task)
                    return
        super()._start_asgi_task(cycle, app)


def _forwarded(headers: list[tuple[bytes, bytes]]) -> bool:
    for name, _ in headers:
        if name.startswith(b"x-forwarded"):
            return True
    return False


async def _answer(cycle: RequestResponseCycle, endpoint: Any) -> None:
    """What cycle.run_asgi(app) does for this request, with the response written here."""
    try:
        response = await endpoint.respond(Request(cycle.scope, cycle.receive))
        await _write(cycle, response)
    except BaseException as exc:  # as uvicorn's run_asgi answers an app's exception
        cycle.logger.error("Exception in ASGI application\n", exc_info=exc)
        if not cycle.response_started:
            await cycle.send_500_response()
        else:
            cycle.transport.close()
    finally:
        cycle.on_response = lambda: None


async def _write(cycle: RequestResponseCycle, response: Any) -> None:
    """The status line, uvicorn's default headers (server, date), the response's headers
    and its body, in one write; then what uvicorn's send does when a response ends."""
    if cycle.flow.write_paused and not cycle.disconnected:
        await cycle.flow.drain()
    if cycle.disconnected:
        return
    cycle.response_started = True
    parts = [STATUS_LINE[response.status_code]]
    for name, value in cycle.default_headers:
        parts += (name, b": ", value, b"\r\n")
    for name, value in response.raw_headers:
        # Starlette lower-cases the names; values that echo a request header (an
        # Idempotency-Key, a Stripe-Account) were parsed by httptools, which refuses
        # line breaks in them; checked again, as uvicorn's send does.
        if b"\n" in value or b"\r" in value:
            raise RuntimeError("Invalid HTTP header value.")
        parts += (name, b": ", value, b"\r\n")
    if not cycle.keep_alive:
        parts.append(b"connection: close\r\n")
    parts += (b"\r\n", response.body)
    cycle.transport.write(b"".join(parts))
    cycle.response_complete = True
    cycle.message_event.set()
    if not cycle.keep_alive:
        cycle.transport.close()
    cycle.on_response()
