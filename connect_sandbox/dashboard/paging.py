"""Pagination for long lists: `?after=<id>` shows what is older than an object, `?before=<id>`
what is newer; the page links to the next older and newer pages by the ids at its ends."""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, Callable, Mapping
from urllib.parse import urlencode

from ..errors import StripeError
from ..store import Tx
from ..store import views
from ..store.sql import Page

PAGE_SIZE = 20
_CURSOR = re.compile(r"[A-Za-z0-9_]{1,255}\Z")


@dataclass(frozen=True)
class Pager:
    data: list[dict[str, Any]]
    newer: str | None    # URL of the page of newer objects, if any
    older: str | None    # URL of the page of older objects, if any


def _cursor(query: Mapping[str, str], name: str) -> str | None:
    value = query.get(name)
    return value if value and _CURSOR.match(value) else None


def paged(fetch: Callable[[str | None, str | None], Page], query: Mapping[str, str],
          url: str, keep: Mapping[str, str] | None = None) -> Pager:
    """Run fetch(starting_after, ending_before) for the cursors in `query` and work out
    the links. `keep` holds other query parameters (filters) the links must carry."""
    after, before = _cursor(query, "after"), _cursor(query, "before")
    if after and before:
        before = None
    try:
        page = fetch(after, before)
    except StripeError:  # a cursor that is not in this list: start from the newest
        after = before = None
        page = fetch(None, None)
    data = page.data
    keep = {k: v for k, v in (keep or {}).items() if v}

    def link(**cursor: str) -> str:
        return url + "?" + urlencode({**keep, **cursor})

    newer = older = None
    if data:
        if before:
            newer = link(before=data[0]["id"]) if page.has_more else None
            older = link(after=data[-1]["id"])
        else:
            newer = link(before=data[0]["id"]) if after else None
            older = link(after=data[-1]["id"]) if page.has_more else None
    elif after or before:
        newer = url + ("?" + urlencode(keep) if keep else "")
    return Pager(data, newer, older)


def of_account(tx: Tx, account: str, type_: str, query: Mapping[str, str], url: str, *,
               parent: str | None = None, lookup: str | None = None,
               limit: int = PAGE_SIZE) -> Pager:
    def fetch(after: str | None, before: str | None) -> Page:
        page = tx.list(account, type_, parent=parent, lookup=lookup, limit=limit,
                       starting_after=after, ending_before=before)
        for obj in page.data:
            obj["_owner"] = account
        return page
    return paged(fetch, query, url)


def across(tx: Tx, accounts: list[str], type_: str, query: Mapping[str, str], url: str, *,
           lookup: str | None = None, limit: int = PAGE_SIZE,
           keep: Mapping[str, str] | None = None) -> Pager:
    def fetch(after: str | None, before: str | None) -> Page:
        return views.recent_in(tx, accounts, type_, limit=limit, starting_after=after,
                               ending_before=before, lookup=lookup)
    return paged(fetch, query, url, keep)


def first(tx: Tx, account: str, type_: str, *, limit: int = 5, parent: str | None = None,
          lookup: str | None = None) -> tuple[list[dict[str, Any]], bool]:
    """The newest few objects of a type, for a page section with a 'view all' link."""
    page = tx.list(account, type_, parent=parent, lookup=lookup, limit=limit)
    for obj in page.data:
        obj["_owner"] = account
    return page.data, page.has_more
