"""GET /v1/customers/search, /v1/charges/search, /v1/payment_intents/search.

The query (domain/search_query.py) is evaluated over the acting account's objects,
newest first. The answer is Stripe's `search_result` list: `data`, `has_more`,
`next_page` (an opaque cursor for `page`, null on the last page), `url`, and
`total_count` only when asked for with `expand[]=total_count`. Unlike Stripe, whose
search index lags writes by up to a minute, an object is searchable as soon as its
request has committed.
"""
from __future__ import annotations

import base64
import hashlib
from typing import Any, Iterator

from ..context import RequestContext
from ..domain import search_query
from ..errors import InvalidRequestError
from ..http.pagination import limit_of
from ..params import Params
from ..store import Tx

_BATCH = 100


def customers(tx: Tx, ctx: RequestContext, params: Params) -> dict[str, Any]:
    return _search(tx, ctx, params, "customers", "customer")


def charges(tx: Tx, ctx: RequestContext, params: Params) -> dict[str, Any]:
    return _search(tx, ctx, params, "charges", "charge")


def payment_intents(tx: Tx, ctx: RequestContext, params: Params) -> dict[str, Any]:
    return _search(tx, ctx, params, "payment_intents", "payment_intent")


def _search(tx: Tx, ctx: RequestContext, params: Params, resource: str,
            type_: str) -> dict[str, Any]:
    text = params["query"]
    query = search_query.parse(text, resource)
    limit = limit_of(params)
    after = _decode_page(params.get("page"), text) if params.get("page") else None
    if after is not None and tx.get(ctx.account, after, type_) is None:
        raise _bad_page()
    want_total = _take_total_count(params)
    data: list[dict[str, Any]] = []
    has_more = False
    total = 0
    for obj in _scan(tx, ctx.account, type_, None if want_total else after):
        if not query.matches(obj):
            continue
        total += 1
        if want_total and after is not None:
            if obj["id"] == after:
                after = None  # the page starts after this one
            continue
        if len(data) < limit:
            data.append(obj)
        else:
            has_more = True
            if not want_total:
                break
    result: dict[str, Any] = {
        "object": "search_result", "data": data, "has_more": has_more,
        "next_page": _encode_page(data[-1]["id"], text) if has_more else None,
        "url": f"/v1/{resource}/search"}
    if want_total:
        result["total_count"] = total
    return result


def _scan(tx: Tx, account: str, type_: str, after: str | None) -> Iterator[dict[str, Any]]:
    """Every object of the type in the account, newest first (after the cursor)."""
    while True:
        page = tx.list(account, type_, limit=_BATCH, starting_after=after)
        yield from page.data
        if not page.has_more or not page.data:
            return
        after = page.data[-1]["id"]


def _take_total_count(params: Params) -> bool:
    """`expand[]=total_count` asks for the count; it is not a property to expand, so it
    is taken out of the list the pipeline expands afterwards."""
    expand = params.get("expand") or []
    if "total_count" not in expand:
        return False
    params["expand"] = [p for p in expand if p != "total_count"]
    return True


def _digest(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()[:12]


def _encode_page(last_id: str, text: str) -> str:
    raw = f"{_digest(text)}:{last_id}".encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def _decode_page(token: str, text: str) -> str:
    try:
        raw = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4)).decode()
        digest, last_id = raw.split(":", 1)
    except (ValueError, UnicodeDecodeError):
        digest, last_id = "", ""
    if digest != _digest(text) or not last_id:
        raise _bad_page()
    return last_id


def _bad_page() -> InvalidRequestError:
    return InvalidRequestError(
        "The page token is invalid: use the `next_page` value of a previous search with "
        "the same query.", param="page")
