"""create_app(settings) -> the ASGI app: routes, the error handler, lifespan."""
from __future__ import annotations

import contextlib
from collections import defaultdict

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from . import dashboard
from .config import Settings
from .errors import InvalidRequestError
from .http.pipeline import Operation, Pipeline
from .http.render import dumps, request_id
from .http import connect_pages, cors, threeds
from .http.fastroute import BucketRouter
from .routes import ROUTES
from .store import open_store
from .jobs.runner import running as job_runner
from .webhooks.worker import running as webhook_worker


def _unrecognized(request: Request) -> Response:
    if request.method == "OPTIONS" and request.url.path.startswith("/v1"):
        return cors.preflight(request)  # a browser's CORS preflight, for any /v1 URL
    err = InvalidRequestError(
        f"Unrecognized request URL ({request.method}: {request.url.path}). Please see "
        "https://stripe.com/docs or we can help at https://support.stripe.com/.")
    err.status = 404
    return cors.with_headers(Response(dumps(err.to_wire()), 404, media_type="application/json",
                                      headers={"Request-Id": request_id()}))


class _Endpoint:
    """A path's operations, as a plain ASGI app: Starlette wraps a request/response
    function in per-request exception-handler plumbing (~3 us) that the pipeline, which
    answers every error itself, never needs."""

    def __init__(self, pipeline: Pipeline, ops: dict[str, Operation]):
        self.pipeline, self.ops = pipeline, ops

    async def __call__(self, scope, receive, send) -> None:
        response = await self.respond(Request(scope, receive, send))
        await response(scope, receive, send)

    async def respond(self, request: Request) -> Response:
        # HEAD is answered as GET (the server sends no body); OPTIONS is a preflight.
        op = self.ops.get("GET" if request.method == "HEAD" else request.method)
        return _unrecognized(request) if op is None else await self.pipeline(request, op)


class _App(Starlette):
    """Starlette, with a short way in for the API: a request whose route is an API
    path (an _Endpoint, which answers every error itself) goes to it directly, past the
    middleware layers and the router's generic dispatch that it never needs (measured
    ~15 us a request, benchmarks/README.md). Everything else (the dashboard, pages, 404s,
    405s, lifespan) takes Starlette's way, unchanged."""

    async def __call__(self, scope, receive, send) -> None:
        if scope["type"] == "http":
            endpoint = self.short_route(scope)
            if endpoint is not None:
                await endpoint(scope, receive, send)
                return
        await super().__call__(scope, receive, send)

    def short_route(self, scope) -> _Endpoint | None:
        """The API endpoint of an HTTP request's path, with the scope filled in as the
        router would (path parameters, app), or None: Starlette's way. Also used by
        http/shortpath.py, which answers API requests without the ASGI round trip."""
        found = self.router.full_match(scope)
        if found is not None and isinstance(getattr(found[0], "app", None), _Endpoint):
            scope["app"] = self
            self.router.enter(scope, *found)
            return found[0].app
        return None


def create_app(settings: Settings) -> Starlette:
    store = open_store(settings.database)
    pipeline = Pipeline(store, speculate=settings.speculating())
    by_path: dict[str, dict[str, Operation]] = defaultdict(dict)
    for op in ROUTES:
        by_path[op.path][op.method] = op
    routes = [Route(path, _Endpoint(pipeline, ops),
                    methods=["GET", "POST", "DELETE", "PUT", "PATCH", "OPTIONS"])
              for path, ops in by_path.items()]
    routes += threeds.routes(store)  # the 3-D Secure test page (not under /v1)
    routes += connect_pages.routes(store)  # account link / login link pages
    routes += dashboard.routes()  # the browser dashboard under /dashboard
    # Last: any other /v1 URL ("/v1/customers/", an id of "/") is Stripe's 404
    # "Unrecognized request URL", never Starlette's redirect to the slash-less route.
    routes.append(Route("/v1/{rest:path}", _unrecognized,
                        methods=["GET", "POST", "DELETE", "PUT", "PATCH", "HEAD", "OPTIONS"]))

    async def not_found(request: Request, exc: Exception) -> Response:
        return _unrecognized(request)

    @contextlib.asynccontextmanager
    async def lifespan(app):
        async with webhook_worker(store, settings), job_runner(store, settings):
            yield
        store.close()

    app = _App(routes=routes, lifespan=lifespan,
               exception_handlers={404: not_found, 405: not_found})
    # Starlette's router, matching each request against its path's bucket of routes
    # first instead of scanning all ~80 (http/fastroute.py; measured 5-35 us a request).
    app.router = BucketRouter(routes, lifespan=lifespan)
    app.state.store = store
    app.state.settings = settings
    return app


def app_from_env() -> Starlette:
    """The uvicorn factory: settings from CONNECT_SANDBOX_* variables."""
    return create_app(Settings.from_env())
