"""Starlette's Router, with the routes bucketed by the first two segments of their path.

Starlette matches a request by trying every route's regex in order; with ~80 routes that
measured 6-38 us a request on the benchmark machine (benchmarks/README.md), most of it
for routes late in the table. A route whose path starts with two literal segments
("/v1/payment_intents/{intent}/confirm") can only match a path starting with the same
two, so a request is first matched against its bucket only: those routes plus every route
without such a prefix (a Mount, "/v1/{rest:path}"), in the table's order, each by its
own `matches`. The first full match is the one Starlette's scan would find, since no
route outside the bucket can match. Anything else (no full match: 405s, 404s, redirects,
lifespan, websockets) goes to Starlette's own scan unchanged.
"""
from __future__ import annotations

from starlette.routing import BaseRoute, Match, Route, Router, get_route_path
from starlette.types import Receive, Scope, Send


def _key(path: str) -> tuple[str, str] | None:
    parts = path.split("/", 3)
    if len(parts) < 3 or parts[0] != "" or "{" in parts[1] or "{" in parts[2]:
        return None
    if len(parts) == 3 and not parts[2]:
        return None
    return parts[1], parts[2]


class BucketRouter(Router):
    _buckets: dict[tuple[str, str], list[BaseRoute]]
    _wild: list[BaseRoute]
    _indexed = -1

    def _index(self) -> None:
        keys = {}
        for route in self.routes:
            key = _key(route.path) if type(route) is Route else None
            keys[id(route)] = key
        wild = [r for r in self.routes if keys[id(r)] is None]
        buckets: dict[tuple[str, str], list[BaseRoute]] = {}
        for key in {k for k in keys.values() if k is not None}:
            buckets[key] = [r for r in self.routes if keys[id(r)] in (key, None)]
        self._buckets, self._wild, self._indexed = buckets, wild, len(self.routes)

    def full_match(self, scope: Scope) -> tuple[BaseRoute, Scope] | None:
        """(route, child scope) of the route Starlette's scan would pick for an http
        request, if it matches it fully (path and method); scope is left as it is."""
        if self._indexed != len(self.routes):
            self._index()
        path = get_route_path(scope)
        parts = path.split("/", 3)
        candidates = self._buckets.get((parts[1], parts[2])) if len(parts) > 2 else None
        for route in self._wild if candidates is None else candidates:
            match, child_scope = route.matches(scope)
            if match is Match.FULL:
                return route, child_scope
        return None

    def enter(self, scope: Scope, route: BaseRoute, child_scope: Scope) -> None:
        """Update scope for the route it goes to, as Starlette's router does."""
        if "router" not in scope:
            scope["router"] = self
        scope["route"] = route
        scope.update(child_scope)

    async def app(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            found = self.full_match(scope)
            if found is not None:
                self.enter(scope, *found)
                await found[0].handle(scope, receive, send)
                return
        await super().app(scope, receive, send)
