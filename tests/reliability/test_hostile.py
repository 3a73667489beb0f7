"""Hostile and broken input, on SQLite and PostgreSQL: bodies over the size limit, deep or
huge bracket nesting, invalid UTF-8, wrong content types, huge integers, negative
amounts, unknown currencies, ids of the wrong prefix and garbage headers are all answered
with a Stripe-shaped 4xx (never a 5xx), and nothing is written: the newest event of the
platform and of its seller is unchanged after each request, and everything the list
endpoints show is unchanged at the end. Raw httpx (and a raw socket) sends what the SDK
cannot."""
from __future__ import annotations

import json
import socket
from typing import Any, Callable

import pytest

from connect_sandbox.http.pipeline import MAX_BODY
from connect_sandbox.routes import ROUTES

from .world import World

ERROR_TYPES = {"invalid_request_error", "card_error", "idempotency_error"}


@pytest.fixture(scope="module")
def baseline(world: World) -> dict[str, Any]:
    return world.state()


def check_error(r, status: int | set[int], *, code: str | None = None,
                param: str | None = None, message: str | None = None) -> dict[str, Any]:
    """A Stripe-shaped error answer with `status` (and code, param, message if given)."""
    allowed = {status} if isinstance(status, int) else status
    assert r.status_code in allowed, (r.request.method, str(r.request.url)[:200],
                                      r.status_code, r.text[:500])
    assert r.headers["content-type"].startswith("application/json")
    assert r.headers["request-id"].startswith("req_")
    err = r.json()["error"]
    assert err["type"] in ERROR_TYPES and isinstance(err["message"], str) and err["message"]
    if code is not None:
        assert err.get("code") == code, err
    if param is not None:
        assert err.get("param") == param, err
    if message is not None:
        assert message in err["message"], err
    return err


def check_refused(world: World, send: Callable[[], Any], status: int | set[int],
                  **expect: Any) -> dict[str, Any]:
    """Send, then check: a Stripe-shaped error with `status`, and no new event."""
    before = world.newest_events()
    err = check_error(send(), status, **expect)
    assert world.newest_events() == before, "a refused request recorded an event"
    return err


def test_baseline_taken(baseline):
    assert any(baseline.values())


# -- size and shape of the body ------------------------------------------------------

def test_body_over_the_limit_is_413(world):
    body = b"description=" + b"x" * MAX_BODY
    check_refused(world, lambda: world.http().post("/v1/customers", content=body,
                  headers={"Content-Type": "application/x-www-form-urlencoded"}), 413)


def test_chunked_body_over_the_limit_is_413(world):
    def chunks():
        yield b"description="
        for _ in range(MAX_BODY // 65536 + 2):
            yield b"y" * 65536
    check_refused(world, lambda: world.http().post("/v1/customers", content=chunks()), 413)


NESTING = {
    "deep brackets": "metadata" + "[a]" * 50 + "=1",
    "very deep brackets": "a" + "[x]" * 20000 + "=1",
    "too many fields": "&".join(f"metadata[k{i}]=v" for i in range(2500)),
    "huge hash": "&".join(f"metadata[k{i}]=v" for i in range(1500)),
    "open brackets": "metadata" + "[" * 10000 + "=1",
    "close brackets": "metadata" + "]" * 10000 + "=1",
    "long key": "k" * 200000 + "=1",
    "value and hash": "metadata=1&metadata[a]=2",
    "list and hash": "preferred_locales[0]=en&preferred_locales[a]=fr",
    "string as hash": "name[first]=Jenny",
    "hash as list": "address[]=1",
    "nested too far": "shipping[address][line1][x]=1",
    "empty key": "=1",
}


@pytest.mark.parametrize("body", NESTING.values(), ids=NESTING.keys())
def test_bracket_nesting_and_shape(world, body):
    check_refused(world, lambda: world.http().post(
        "/v1/customers", content=body.encode(),
        headers={"Content-Type": "application/x-www-form-urlencoded"}), 400)


ENCODINGS = {
    "raw invalid": b"name=\xff\xfe&email=a@example.com",
    "percent invalid": b"name=%ff%fe",
    "invalid in key": b"%c3%28=1",
    "overlong": b"name=%C0%AF",
    "surrogate": b"name=%ED%A0%80",
    "truncated": b"name=%E2%82",
    "latin-1 charset": "name=J\xfcrgen".encode("latin-1"),
}


@pytest.mark.parametrize("body", ENCODINGS.values(), ids=ENCODINGS.keys())
def test_invalid_utf8_in_the_body(world, body):
    check_refused(world, lambda: world.http().post(
        "/v1/customers", content=body,
        headers={"Content-Type": "application/x-www-form-urlencoded; charset=latin-1"}), 400)


@pytest.mark.parametrize("query", ["email=%ff", "limit=%C0%AF", "%ff=1"])
def test_invalid_utf8_in_the_query(world, query):
    check_refused(world, lambda: world.http().get("/v1/customers?" + query), 400)


@pytest.mark.parametrize("ctype,body", [
    ("application/json", b'{"email": "json@example.com"}'),
    (None, b'{"email": "json@example.com"}'),
    ("text/plain", b"email=text@example.com"),
    ("application/xml", b"<customer><email>x@example.com</email></customer>"),
    ("multipart/form-data; boundary=xx",
     b'--xx\r\nContent-Disposition: form-data; name="email"\r\n\r\nm@example.com\r\n--xx--\r\n'),
])
def test_wrong_content_types(world, ctype, body):
    headers = {"Content-Type": ctype} if ctype else {}
    check_refused(world, lambda: world.http().post("/v1/customers", content=body,
                                                   headers=headers), 400)


# -- values -------------------------------------------------------------------------

def _charge(world: World, **params) -> Any:
    data = {"amount": "1000", "currency": "usd", "source": "tok_visa", **params}
    return world.http().post("/v1/charges", data=data)


@pytest.mark.parametrize("amount,code", [
    ("9" * 400, None), (str(2**63), None), (str(2**64), None), (str(2**63 - 1), "amount_too_large"),
    ("-100", "amount_too_small"), (str(-2**63), None), ("0", "amount_too_small"),
    ("1e3", None), ("10.5", None), ("0x10", None), ("+100", None), (" 100", None),
    ("\u0661\u0660\u0660\u0660", None),  # Arabic-Indic digits: not an integer to Stripe
    ("", None), ("NaN", None),
])
def test_bad_amounts(world, amount, code):
    check_refused(world, lambda: _charge(world, amount=amount), 400, code=code, param="amount")


@pytest.mark.parametrize("field,value", [
    ("application_fee_amount", "-1"), ("balance", str(-2**63)), ("balance", "9" * 30),
])
def test_bad_integers_elsewhere(world, field, value):
    if field == "balance":
        send = lambda: world.http().post("/v1/customers", data={field: value})  # noqa: E731
    else:
        send = lambda: _charge(world, **{field: value})  # noqa: E731
    check_refused(world, send, 400, param=field)


@pytest.mark.parametrize("currency", ["xyz", "US", "usdd", "\u00dcSD", "", "u$d", "usd\u200b"])
def test_unknown_currencies(world, currency):
    check_refused(world, lambda: _charge(world, currency=currency), 400, param="currency")


@pytest.mark.parametrize("limit", ["0", "-1", "101", "9" * 30, "ten"])
def test_bad_list_limits(world, limit):
    check_refused(world, lambda: world.http().get("/v1/customers", params={"limit": limit}),
                  400, param="limit")


@pytest.mark.parametrize("params,param", [
    ({"metadata[k%d]" % i: "v" for i in range(51)}, "metadata"),
    ({"metadata[" + "k" * 41 + "]": "v"}, None),
    ({"metadata[k]": "v" * 501}, None),
    ({"email": "x" * 600}, "email"),
    ({"email": "a\x00b@example.com"}, "email"),
    ({"metadata[a\x00]": "1"}, None),
    ({"expand[]": "sources.data.a.b.c"}, "expand"),
    ({"expand[]": "nothing_here"}, "expand"),
])
def test_bad_customer_params(world, params, param):
    check_refused(world, lambda: world.http().post("/v1/customers", data=params), 400,
                  param=param)


# -- ids ----------------------------------------------------------------------------

WRONG_IDS = ["ch_wrongprefix", "cus_", "acct_nope", "x" * 5000, "\U0001F4A9", "cus_%00",
             "cus_%ff", "card_" + "9" * 300]


@pytest.mark.parametrize("bad", WRONG_IDS)
def test_ids_of_the_wrong_prefix_in_parameters(world, bad):
    from urllib.parse import unquote
    bad = unquote(bad)
    for send in (lambda: _charge(world, customer=bad, source=""),
                 lambda: _charge(world, source=bad),
                 lambda: world.http().post("/v1/customers", data={"source": bad}),
                 lambda: world.http().get("/v1/customers",
                                          params={"starting_after": bad})):
        check_refused(world, send, {400, 404})


def _path(op, value: str) -> str:
    path = op.path
    while "{" in path:
        start = path.index("{")
        path = path[:start] + value + path[path.index("}", start) + 1:]
    return path


@pytest.mark.parametrize("bad,as_seller", [("ch_wrongprefix", False), ("ch_wrongprefix", True),
                                           ("%00", False), ("x" * 3000, False),
                                           ("%F0%9F%92%A9", True)])
def test_every_route_with_a_wrong_id_in_the_path(world, bad, as_seller):
    client = world.http(account=world.seller if as_seller else None)
    before = world.newest_events()
    for op in ROUTES:
        if "{" in op.path:
            check_error(client.request(op.method, _path(op, bad)), {400, 403, 404})
    assert world.newest_events() == before


# -- headers ------------------------------------------------------------------------

@pytest.mark.parametrize("value", [
    b"Bearer", b"Basic", b"Basic !!", b"Basic //79", b"Token sk_test_x",
    b"Bearer sk_test_\xff\xfe", b"Bearer sk_test_" + b"a" * 10000, b"Bearer sk_live_abcdef123456",
    b"Bearer pk_live_abcdef123456", b"Bearer rk_test_", b"Bearer  sk_test_with spaces",
    b"\xff\xfe\xfd", b"Bearer sk_test_abc,def",
])
def test_garbage_authorization(world, value):
    check_refused(world, lambda: world.http().post(
        "/v1/customers", data={"email": "auth@example.com"},
        headers={"Authorization": value}), 401)


@pytest.mark.parametrize("value", [
    b"acct_\xff\xfe", b"acct_" + b"a" * 5000, b"", b"cus_123", b"acct_", b"*",
    b"acct_1,acct_2",
])
def test_garbage_stripe_account(world, value):
    check_refused(world, lambda: world.http().post(
        "/v1/customers", data={"email": "acct@example.com"},
        headers={"Stripe-Account": value}), 403, code="account_invalid")


def test_stripe_account_of_the_sellers_customer_is_403(world):
    cus = world.objs[world.seller]["customer"]
    check_refused(world, lambda: world.http().get(
        "/v1/customers", headers={"Stripe-Account": cus}), 403, code="account_invalid")


@pytest.mark.parametrize("value", [b"k" * 256, b"", "\u00e9".encode() * 200])
def test_garbage_idempotency_key(world, value):
    check_refused(world, lambda: world.http().post(
        "/v1/customers", data={"email": "idem@example.com"},
        headers={"Idempotency-Key": value}), 400, param="Idempotency-Key")


@pytest.mark.parametrize("value", [
    b"garbage", b"2019-2-19", b"2023-13-01", b"\xff\xfe", b"x" * 8000,
    b"2018-11-21 accounts_upgrade=true", b"2023-08-16; =", b"latest",
])
def test_garbage_stripe_version(world, value):
    check_refused(world, lambda: world.http().post(
        "/v1/customers", data={"email": "v@example.com"},
        headers={"Stripe-Version": value}), 400, message="Invalid Stripe API version")


@pytest.mark.parametrize("value", ["2023-08-16", "2026-10-28.endive",
                                   "2024-06-20; payment_intent_beta=v3"])
def test_real_stripe_versions_are_accepted(world, value):
    r = world.http().get("/v1/customers", headers={"Stripe-Version": value})
    assert r.status_code == 200 and r.headers["stripe-version"] == value


def _raw_request(world: World, headers: bytes, *, auth: bool = True) -> tuple[int, bytes]:
    """POST /v1/customers over a bare socket with `headers` as they are; (status, body)."""
    host, port = world.base.rsplit("//", 1)[1].split(":")
    body = b"email=raw%40example.com"
    head = b"POST /v1/customers HTTP/1.1\r\nHost: x\r\nConnection: close\r\n"
    if auth:
        head += b"Authorization: Bearer " + world.key.encode() + b"\r\n"
    request = (head + headers + b"\r\nContent-Type: application/x-www-form-urlencoded\r\n"
               b"Content-Length: %d\r\n\r\n" % len(body) + body)
    with socket.create_connection((host, int(port)), timeout=10) as s:
        s.sendall(request)
        data = b""
        while chunk := s.recv(65536):
            data += chunk
    head, _, payload = data.partition(b"\r\n\r\n")
    return int(head.split(b" ", 2)[1]), payload


@pytest.mark.parametrize("header", [
    b"Idempotency-Key: a\x01b", b"Stripe-Account: acct_\x00", b"Stripe-Version: \x01\x02",
    b"Authorization: Bearer sk_test_\x7f",
])
def test_headers_that_are_not_http_are_refused_by_the_http_server(world, header):
    """Control characters in a header value are not HTTP/1.1: the HTTP server refuses the
    request (a plain-text 400, not Stripe's JSON) before the API sees it."""
    before = world.newest_events()
    status, _ = _raw_request(world, header)
    assert status == 400
    assert world.newest_events() == before


@pytest.mark.parametrize("header,auth,status", [
    (b"Authorization: Bearer   ", False, 401), (b"Authorization:    ", False, 401),
    (b"Stripe-Account:    ", True, 403), (b"Stripe-Account: \t acct_x \t", True, 403),
])
def test_whitespace_header_values(world, header, auth, status):
    """Values the HTTP client libraries will not send (only spaces, tabs)."""
    before = world.newest_events()
    got, body = _raw_request(world, header, auth=auth)
    assert got == status, body[:300]
    assert json.loads(body)["error"]["type"] == "invalid_request_error"
    assert world.newest_events() == before


# -- the end: nothing was written ----------------------------------------------------

def test_nothing_was_written(world, baseline):
    assert world.state() == baseline


def test_odd_bytes_in_an_idempotency_key_still_replay(world):
    """(After the check above: this one writes.)"""
    key = b"\xff\xfe odd \x80 key \xe9"
    first = world.http().post("/v1/customers", data={"email": "odd@example.com"},
                              headers={"Idempotency-Key": key})
    again = world.http().post("/v1/customers", data={"email": "odd@example.com"},
                              headers={"Idempotency-Key": key})
    assert first.status_code == again.status_code == 200
    assert first.json()["id"] == again.json()["id"]
    assert again.headers["idempotent-replayed"] == "true"
    world.http().delete(f"/v1/customers/{first.json()['id']}")
