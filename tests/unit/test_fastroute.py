"""The bucketed router picks exactly the route Starlette's own scan picks."""
from __future__ import annotations

from starlette.routing import Router

from connect_sandbox.app import create_app
from connect_sandbox.config import Settings
from connect_sandbox.http.fastroute import BucketRouter
from connect_sandbox.routes import ROUTES

PATHS = ["/", "/v1", "/v1/", "/v1/customers", "/v1/customers/", "/v1/customers/cus_1",
         "/v1/customers/cus_1/sources/card_1", "/v1/customers/cus_1/sources/card_1/verify",
         "/v1/customers//sources", "/v1/nope", "/v1/nope/x/y", "/dashboard", "/dashboard/",
         "/dashboard/x", "/other", "/v1/payment_intents/pi_1/confirm", "/v2/customers",
         "/v1/webhook_endpoints", "/v1/accounts/acct_1/login_links", "/v1/tokens/",
         "/v1/customers/cus%2F1"]


def _picked(router, path: str, method: str):
    seen = {}

    async def run():
        scope = {"type": "http", "path": path, "method": method, "root_path": "",
                 "headers": [], "query_string": b""}
        original = {}
        for route in router.routes:
            original[id(route)] = route.handle

            async def handle(s, r, snd, route=route):
                seen["route"] = route
                seen["params"] = s.get("path_params")
            route.handle = handle
        try:
            await router.app(scope, None, None)
        except Exception as exc:  # no route: Starlette's 404/redirect, with no socket here
            seen["error"] = type(exc).__name__
        finally:
            for route in router.routes:
                del route.handle
        return seen.get("route"), seen.get("params"), seen.get("error")
    coro = run()
    try:  # nothing here suspends; driven by hand (the suite may already run a loop)
        coro.send(None)
    except StopIteration as done:
        return done.value
    raise AssertionError("the router suspended")


def test_same_route_as_starlette(tmp_path):
    app = create_app(Settings.from_env(database=f"sqlite:///{tmp_path / 'r.db'}"))
    router = app.router
    assert isinstance(router, BucketRouter)
    matched = 0
    paths = PATHS + [op.path.replace("{", "x").replace("}", "") for op in ROUTES]
    for path in paths:
        for method in ("GET", "POST", "DELETE", "OPTIONS"):
            fast = _picked(router, path, method)
            plain = Router.__new__(Router)
            plain.__dict__.update(router.__dict__)
            slow = _picked(plain, path, method)
            assert fast == slow, (method, path)
            matched += fast[0] is not None
    assert matched > len(ROUTES)
    app.state.store.close()
