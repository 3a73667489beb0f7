"""List responses: newest first, `limit` 1..100, `starting_after` / `ending_before`."""
from __future__ import annotations

from typing import Any, Callable

from ..errors import InvalidRequestError, ResourceMissing
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
        raise InvalidRequestError("This value must be greater than or equal to 1.", param="limit")
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
    result = tx.list(account, type_, parent=parent, lookup=lookup,
                     created=created_filter(params.get("created")), limit=limit,
                     starting_after=after, ending_before=before)
    data = result.data if keep is None else [o for o in result.data if keep(o)]
    return list_object(url, data, result.has_more)
