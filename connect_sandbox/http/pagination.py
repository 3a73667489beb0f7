"""List responses: newest first, `limit` 1..100, `starting_after` / `ending_before`."""
from __future__ import annotations

from typing import Any, Callable

from ..errors import InvalidRequestError, ResourceMissing, below_minimum
from ..params import Params
from ..store import Tx


def created_filter(value: Any) -> dict[str, int] | None:
    if value is None:
        return None
    if isinstance(value, int):
        return {"eq": value}
    return {k: v for k, v in value.items() if k in ("gt", "gte", "lt", "lte")}


def limit_of(params: Params) -> int:
    """The page size asked for: `limit`, 1..100, default 10."""
    limit = params.get("limit", 10)
    if limit < 1:
        raise below_minimum("limit")
    if limit > 100:
        raise InvalidRequestError("This value must be less than or equal to 100.", param="limit")
    return limit


def list_object(url: str, data: list[dict[str, Any]], has_more: bool) -> dict[str, Any]:
    return {"object": "list", "data": data, "has_more": has_more, "url": url}


def page(tx: Tx, account: str, type_: str, params: Params, url: str, *,
         parent: str | None = None, lookup: str | None = None,
         kind: str | None = None,
         keep: Callable[[dict[str, Any]], bool] | None = None) -> dict[str, Any]:
    limit = limit_of(params)
    after = params.get("starting_after") or None
    before = params.get("ending_before") or None
    for name, cursor in (("starting_after", after), ("ending_before", before)):
        if cursor is not None and tx.get(account, cursor) is None:
            raise ResourceMissing(kind or type_.replace("_", " "), cursor, param=name)
    created = created_filter(params.get("created"))
    if keep is None:
        result = tx.list(account, type_, parent=parent, lookup=lookup, created=created,
                         limit=limit, starting_after=after, ending_before=before)
        return list_object(url, result.data, result.has_more)
    # A filter the store cannot apply: read on past rows it rejects until the page is
    # full, so that `limit` and `has_more` count matching objects only.
    matched: list[dict[str, Any]] = []
    cursor = before if before is not None else after
    while len(matched) <= limit:
        batch = tx.list(account, type_, parent=parent, lookup=lookup, created=created,
                        limit=100, starting_after=cursor if before is None else None,
                        ending_before=cursor if before is not None else None)
        rows = batch.data if before is None else list(reversed(batch.data))  # nearest first
        matched += [o for o in rows if keep(o)]
        if not batch.has_more or not rows:
            break
        cursor = rows[-1]["id"]
    data = matched[:limit]
    if before is not None:
        data.reverse()
    return list_object(url, data, len(matched) > limit)
