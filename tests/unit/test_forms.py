"""The form decoder is the exact inverse of stripe-python's encoder: whatever the SDK
encodes (stripe._encode._api_encode + urllib.parse.urlencode), forms.decode gives back,
with Stripe's bracket semantics; and no body makes it fail other than with a 400."""
from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from stripe._encode import _api_encode

from connect_sandbox.errors import InvalidRequestError
from connect_sandbox.http import forms
from connect_sandbox.http.forms import FormError, decode, decode_pairs

_ABSENT = object()


def sdk_body(params: dict[str, Any]) -> str:
    return urlencode(list(_api_encode(params)))


def expected(value: Any) -> Any:
    """What the server should see for a value the SDK sent: strings everywhere, None and
    empty containers gone (the SDK sends nothing for them), hashes whose keys are all
    numbers read as lists (the SDK spells lists that way)."""
    if value is None:
        return _ABSENT
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, (int, str)):
        return str(value)
    if isinstance(value, (list, tuple)):
        return _present([_list_item(v) for v in value]) or _ABSENT
    if isinstance(value, dict):
        out = {k: v for k, v in ((k, expected(v)) for k, v in value.items()) if v is not _ABSENT}
        if not out:
            return _ABSENT
        if all(k.isascii() and k.isdigit() for k in out):
            return [out[k] for k in sorted(out, key=int)]
        return out
    raise TypeError(value)


def _list_item(v: Any) -> Any:
    # The SDK writes a list's scalars as they are (a boolean stays "True"), and a list
    # inside a list as a hash of its items (whose booleans it lowercases).
    if isinstance(v, bool):
        return str(v)
    if isinstance(v, (list, tuple)):
        return _present([expected(x) for x in v]) or _ABSENT
    return expected(v)


def _present(items: list[Any]) -> list[Any]:
    return [v for v in items if v is not _ABSENT]


def expected_root(params: dict[str, Any]) -> dict[str, Any]:
    out = {k: expected(v) for k, v in params.items()}
    return {k: v for k, v in out.items() if v is not _ABSENT}


# Names as Stripe's are: no brackets; anything else goes (percent-encoded on the wire).
names = st.text(st.characters(blacklist_characters="[]", blacklist_categories=("Cs",)),
                min_size=1, max_size=12)
scalars = st.one_of(st.text(st.characters(blacklist_categories=("Cs",)), max_size=20),
                    st.integers(-10**12, 10**12), st.booleans())
values = st.recursive(
    scalars,
    lambda children: st.one_of(st.lists(children, max_size=4),
                               st.dictionaries(names, st.one_of(children, st.none()),
                                               max_size=4)),
    max_leaves=20)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.dictionaries(names, st.one_of(values, st.none()), max_size=6))
def test_round_trip_with_the_sdk_encoder(params):
    assert decode(sdk_body(params)) == expected_root(params)


@settings(max_examples=60, deadline=None)
@given(st.dictionaries(names, values, max_size=4))
def test_round_trip_of_bytes(params):
    assert decode(sdk_body(params).encode()) == expected_root(params)


def test_typical_requests():
    params = {"amount": 2000, "currency": "usd", "capture": False,
              "metadata": {"order_id": "6735", "note": "a&b=c [x]"},
              "expand": ["customer", "data.source"],
              "items": [{"price": "price_1", "quantity": 2}, {"price": "price_2"}],
              "card": {"number": "4242424242424242", "exp_month": 12},
              "shipping": {"address": {"line1": "1 Main St", "city": None}},
              "empty": "", "nothing": None}
    assert decode(sdk_body(params)) == {
        "amount": "2000", "currency": "usd", "capture": "false",
        "metadata": {"order_id": "6735", "note": "a&b=c [x]"},
        "expand": ["customer", "data.source"],
        "items": [{"price": "price_1", "quantity": "2"}, {"price": "price_2"}],
        "card": {"number": "4242424242424242", "exp_month": "12"},
        "shipping": {"address": {"line1": "1 Main St"}}, "empty": ""}


@pytest.mark.parametrize("body,want", [
    ("", {}),
    ("a=1", {"a": "1"}),
    ("a[b][c]=1", {"a": {"b": {"c": "1"}}}),
    ("a[0]=x&a[1]=y", {"a": ["x", "y"]}),
    ("a[1]=y&a[0]=x", {"a": ["x", "y"]}),
    ("a[]=x&a[]=y", {"a": ["x", "y"]}),
    ("a[0][b]=1&a[1][b]=2", {"a": [{"b": "1"}, {"b": "2"}]}),
    ("a[][b]=1&a[][c]=2", {"a": [{"b": "1", "c": "2"}]}),
    ("a[][b]=1&a[][b]=2", {"a": [{"b": "1"}, {"b": "2"}]}),
    ("metadata[0]=zero", {"metadata": ["zero"]}),
    ("metadata=", {"metadata": ""}),
    ("metadata[k]=", {"metadata": {"k": ""}}),
    ("a=1&a=2", {"a": "2"}),
    ("0[a]=1", {"0": {"a": "1"}}),
    ("name=J%C3%BCrgen+R", {"name": "Jürgen R"}),
    ("a%5Bb%5D=1", {"a": {"b": "1"}}),
    ("a[=1", {"a[": "1"}),
    ("a]=1", {"a]": "1"}),
])
def test_bracket_semantics(body, want):
    assert decode(body) == want


@pytest.mark.parametrize("body,param", [
    ("a=1&a[b]=2", "a"),
    ("a[b]=2&a=1", "a"),
    ("a[b]=1&a[b][c]=2", "a[b]"),
    ("a[0]=x&a[]=y", "a"),
    ("a" + "[x]" * 9 + "=1", "a"),
])
def test_conflicts_are_400_naming_the_param(body, param):
    with pytest.raises(FormError) as info:
        decode(body)
    assert info.value.status == 400 and info.value.param == param


def test_limits():
    with pytest.raises(FormError):
        decode("&".join(f"k{i}=1" for i in range(forms.MAX_FIELDS + 1)))
    with pytest.raises(FormError):
        decode(b"name=\xff")
    with pytest.raises(FormError):
        decode("name=%ff")


@settings(max_examples=300, deadline=None)
@given(st.lists(st.tuples(st.text(st.sampled_from("ab0[]"), max_size=8),
                          st.text(max_size=3)), max_size=8))
def test_arbitrary_pairs_decode_or_fail_cleanly(pairs):
    try:
        out = decode_pairs(pairs)
    except InvalidRequestError as exc:
        assert exc.status == 400
        return
    assert isinstance(out, dict)


@settings(max_examples=300, deadline=None)
@given(st.binary(max_size=60))
def test_arbitrary_bytes_decode_or_fail_cleanly(raw):
    try:
        out = decode(raw)
    except InvalidRequestError as exc:
        assert exc.status == 400
        return
    assert isinstance(out, dict)


def test_indexes_of_any_length_keep_their_keys_and_numeric_order():
    huge = "9" * 5000  # longer than int() converts
    got = decode(f"a[{huge}]=z&a[10]=y&a[2]=x&a[007]=w".encode())["a"]
    assert got == ["x", "w", "y", "z"]
    assert got.index_keys == ["2", "007", "10", huge]
    # a hash whose keys are all numbers gets them back from the validator
    from connect_sandbox.params import validate
    p = validate("POST /v1/customers", decode(b"metadata[5]=x&metadata[12]=y"))
    assert p["metadata"] == {"5": "x", "12": "y"}
