"""Fuzzing with hypothesis.

1. The form decoder and the validator, in process: any body (bracket-heavy, percent-
   escaped, NUL, invalid UTF-8) decodes to a dict or fails with a 400, and validating
   the result against any route's operation succeeds or fails with a Stripe error.
2. Every route in routes.ROUTES, over HTTP, on SQLite and PostgreSQL: random bodies,
   query strings and path ids (built from the operation's own parameter names, the
   world's real ids, ids of the wrong prefix and hostile values), as the platform or its
   seller. Never a 5xx or a traceback; an error answer is Stripe-shaped; and an error
   other than a card decline (402, which keeps the declined charge) writes nothing
   (the rows of both accounts, checked in the database).

FUZZ_EXAMPLES (default 15) sets the examples per route and backend.
"""
from __future__ import annotations

import os
from typing import Any
from urllib.parse import quote, urlencode

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import create_engine, text
from sqlalchemy.pool import NullPool

from connect_sandbox.errors import StripeError
from connect_sandbox.http import forms
from connect_sandbox.params import operation_params, validate
from connect_sandbox.routes import ROUTES
from connect_sandbox.store.dialects import normalise_url

from .world import World

EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "15"))
SLOW_OK = [HealthCheck.too_slow, HealthCheck.filter_too_much, HealthCheck.data_too_large,
           HealthCheck.large_base_example]


def _props(spec: str) -> dict[str, Any]:
    try:
        return operation_params(spec)["properties"]
    except KeyError:  # a sandbox-only route without a Stripe operation
        return {}


SPECS = sorted({op.spec for op in ROUTES if _props(op.spec)})


def _names(node: dict[str, Any], depth: int = 0) -> list[str]:
    """Bracketed parameter names of a schema node, two levels deep."""
    out = []
    for alt in node.get("anyOf", [node]):
        for key, sub in (alt.get("properties") or {}).items():
            out.append(f"[{key}]")
            if depth < 1:
                out.extend(f"[{key}]{rest}" for rest in _names(sub, depth + 1))
    return out


HOSTILE = ["", "0", "1", "-1", "50", "2000", "99999999", "-9223372036854775808",
           "9" * 40, "1.5", "1e9", "true", "false", "usd", "eur", "jpy", "xyz", "US",
           "tok_visa", "tok_chargeDeclined", "pm_card_visa", "src_nope", "cus_nope",
           "ch_nope", "acct_nope", "card_nope", "ba_nope", "pi_nope", "re_nope", "tr_nope",
           "evt_nope", "we_nope", "fee_nope", "seti_nope", "pm_nope", "\x00", "%00",
           "\u00e9\U0001F4A9", "a" * 6000, "http://127.0.0.1:9/hook", "*", "data.customer",
           "manual", "automatic", "card", "standard", "express", "custom",
           "4242424242424242", "4000000000000002", "12", "2040", "123"]

keys_text = st.text(st.sampled_from("ab0_[]%x"), min_size=1, max_size=10)


def _pairs(world: World, spec: str) -> st.SearchStrategy:
    props = _props(spec)
    names = sorted(props)
    nested = sorted({n + rest for n in names for rest in _names(props[n])}) if names else []
    ids = sorted({i for objs in world.objs.values() for i in objs.values()} |
                 {world.platform, world.seller})
    key = st.one_of(
        *([st.sampled_from(names)] if names else []),
        *([st.sampled_from(nested)] if nested else []),
        st.builds(lambda n, s: f"{n}[{s}]", st.sampled_from(names or ["x"]),
                  st.sampled_from(["", "0", "1", "a", "[", "]", "99999999999"])),
        keys_text)
    value = st.one_of(st.sampled_from(HOSTILE), st.sampled_from(ids),
                      st.text(max_size=12))
    return st.lists(st.tuples(key, value), max_size=8)


def _path(op, ids: list[str]) -> str:
    path, i = op.path, 0
    while "{" in path:
        start = path.index("{")
        path = path[:start] + quote(ids[i % len(ids)], safe="") + path[path.index("}", start) + 1:]
        i += 1
    return path


class Rows:
    """The rows both accounts own, straight from the database (count and total size),
    on one autocommit connection kept for the module."""

    def __init__(self, world: World):
        self.engine = create_engine(normalise_url(world.database), poolclass=NullPool,
                                    isolation_level="AUTOCOMMIT")
        self.conn = self.engine.connect()
        self.accounts = {"a": world.platform, "b": world.seller}

    def __call__(self) -> tuple[int, int]:
        row = self.conn.execute(text(
            "SELECT count(*), coalesce(sum(length(body)), 0) FROM cs_objects "
            "WHERE account IN (:a, :b)"), self.accounts).one()
        return int(row[0]), int(row[1])

    def close(self) -> None:
        self.conn.close()
        self.engine.dispose()


@pytest.fixture(scope="module")
def rows(world):
    r = Rows(world)
    yield r
    r.close()


@pytest.mark.parametrize("op", ROUTES, ids=lambda op: f"{op.method} {op.path}")
def test_fuzz_every_route(world, rows, op):
    ids = sorted({i for objs in world.objs.values() for i in objs.values()})
    path_ids = st.lists(st.one_of(st.sampled_from(ids + [world.seller, world.platform]),
                                  st.sampled_from(["ch_nope", "x" * 300, "\x00", "%ff",
                                                   "\U0001F4A9", "cus_"]),
                                  st.text(min_size=1, max_size=8)), min_size=2, max_size=2)

    @settings(max_examples=EXAMPLES, deadline=None, database=None,
              suppress_health_check=SLOW_OK)
    @given(body=_pairs(world, op.spec), query=_pairs(world, op.spec), path_ids=path_ids,
           as_seller=st.booleans())
    def run(body, query, path_ids, as_seller):
        client = world.http(account=world.seller if as_seller else None)
        before = rows()
        url = _path(op, path_ids)
        if query and (op.method == "GET" or len(query) % 2):
            url += "?" + urlencode(query)
        r = client.request(op.method, url, content=urlencode(body).encode() if body and
                           op.method != "GET" else None,
                           headers={"Content-Type": "application/x-www-form-urlencoded"})
        assert 200 <= r.status_code < 300 or 400 <= r.status_code < 500, (
            op.method, url, body, r.status_code, r.text[:500])
        payload = r.json()
        if r.status_code >= 400:
            err = payload["error"]
            assert err["type"] and err["message"], payload
            if r.status_code != 402:
                assert rows() == before, ("an error wrote", op.method, url, body, r.text[:300])
    run()


_FORM_BYTES = st.lists(st.one_of(
    st.sampled_from([b"[", b"]", b"[]", b"[0]", b"=", b"&", b"%", b"%5B", b"%5D", b"%00",
                     b"%ff", b"%C3%A9", b"\xff", b"\x00", b"metadata", b"card", b"expand",
                     b"amount", b"a", b"0", b"9" * 25]),
    st.binary(max_size=4)), max_size=30).map(b"".join)


@settings(max_examples=800, deadline=None, database=None, suppress_health_check=SLOW_OK)
@given(body=_FORM_BYTES, spec=st.sampled_from(SPECS))
def test_fuzz_decode_then_validate(body, spec):
    try:
        params = validate(spec, forms.decode(body))
    except StripeError as exc:
        assert 400 <= exc.status < 500, exc
        assert exc.to_wire()["error"]["message"]
        return
    assert isinstance(params, dict)
