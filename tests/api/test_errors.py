"""Bad input gets Stripe's 4xx error naming the `param`, never a 500: unknown
parameters (also nested: the bracket path), bad integers, booleans, enums, missing
required parameters, malformed bodies, unknown URLs."""
from __future__ import annotations

import pytest
import stripe

from .support import stripe_error


def _err(r, status: int) -> dict:
    assert r.status_code == status, r.text
    assert r.headers["request-id"].startswith("req_")
    return r.json()["error"]


def test_unknown_parameter(client):
    with stripe_error(stripe.InvalidRequestError, status=400, param="foo",
                      code="parameter_unknown") as info:
        client.v1.customers.create(params={"foo": "bar"})
    assert info.value.json_body["error"]["message"] == "Received unknown parameter: foo"
    assert client.v1.customers.list().data == []


def test_unknown_nested_parameter_names_the_bracket_path(client):
    with stripe_error(stripe.InvalidRequestError, status=400, param="address[planet]",
                      message="Received unknown parameter: address[planet]"):
        client.v1.customers.create(params={"address": {"line1": "x", "planet": "Mars"}})
    with stripe_error(stripe.InvalidRequestError, status=400,
                      param="shipping[address][moon]"):
        client.v1.customers.create(params={"shipping": {"name": "n", "address": {
            "line1": "x", "moon": "Io"}}})
    with stripe_error(stripe.InvalidRequestError, status=400, param="card[colour]"):
        client.v1.tokens.create(params={"card": {"number": "4242424242424242",
                                                 "exp_month": 1, "exp_year": 2040,
                                                 "colour": "red"}})


def test_unknown_query_parameter_on_get(client):
    with stripe_error(stripe.InvalidRequestError, status=400, param="colour"):
        client.v1.customers.list(params={"colour": "red"})


def test_bad_integer(client):
    for value in ("12.5", "ten", "1e3", ""):
        with stripe_error(stripe.InvalidRequestError, status=400, param="amount",
                          message="Invalid integer"):
            client.v1.charges.create(params={"amount": value, "currency": "usd",
                                             "source": "tok_visa"})


def test_bad_boolean(client):
    with stripe_error(stripe.InvalidRequestError, status=400, param="capture",
                      message="Invalid boolean: maybe"):
        client.v1.charges.create(params={"amount": 500, "currency": "usd",
                                         "source": "tok_visa", "capture": "maybe"})


def test_bad_enum(client):
    with stripe_error(stripe.InvalidRequestError, status=400, param="tax_exempt",
                      message="must be one of"):
        client.v1.customers.create(params={"tax_exempt": "sometimes"})
    with stripe_error(stripe.InvalidRequestError, status=400,
                      param="bank_account[account_holder_type]"):
        client.v1.tokens.create(params={"bank_account": {
            "country": "US", "routing_number": "110000000", "account_number": "000123456789",
            "account_holder_type": "alien"}})


def test_missing_required(client):
    with stripe_error(stripe.InvalidRequestError, status=400, param="amount",
                      code="parameter_missing", message="Missing required param: amount."):
        client.v1.charges.create(params={"currency": "usd", "source": "tok_visa"})


def test_too_long_string(client):
    with stripe_error(stripe.InvalidRequestError, status=400, param="name"):
        client.v1.customers.create(params={"name": "n" * 5001})


def test_hash_where_a_value_is_expected(client):
    with stripe_error(stripe.InvalidRequestError, status=400, param="email"):
        client.v1.customers.create(params={"email": {"a": "b"}})
    with stripe_error(stripe.InvalidRequestError, status=400, param="name"):
        client.v1.customers.create(params={"name": ["a", "b"]})


def test_value_where_a_hash_is_expected(http):
    err = _err(http.post("/v1/customers", data={"address": "Main St"}), 400)
    assert err["param"] == "address"


def test_expand_must_be_an_array(http):
    cus = http.post("/v1/customers").json()
    err = _err(http.get(f"/v1/customers/{cus['id']}", params={"expand": "sources"}), 400)
    assert err["param"] == "expand"
    ok = http.get(f"/v1/customers/{cus['id']}", params={"expand[]": "sources"})
    assert ok.status_code == 200 and ok.json()["sources"]["object"] == "list"


def test_conflicting_spellings_of_one_parameter(http):
    err = _err(http.post("/v1/customers", content="metadata=x&metadata[a]=b",
                         headers={"Content-Type": "application/x-www-form-urlencoded"}), 400)
    assert err["param"] == "metadata"


@pytest.mark.parametrize("body", [b"name=%zz", b"name=%ff%fe", b"\xff\xfe=1", b"a[=1",
                                  b"a]=1", b"metadata[[x]]=1", b"=1", b"&&&"])
def test_malformed_bodies_never_500(http, body):
    r = http.post("/v1/customers", content=body,
                  headers={"Content-Type": "application/x-www-form-urlencoded"})
    assert r.status_code in (200, 400), r.text
    assert r.json()["error" if r.status_code == 400 else "object"]


def test_json_bodies_are_refused(http):
    err = _err(http.post("/v1/customers", json={"name": "x"}), 400)
    assert err["type"] == "invalid_request_error" and "form-encoded" in err["message"]


def test_body_too_large(http):
    r = http.post("/v1/customers", content=b"description=" + b"x" * (1 << 20),
                  headers={"Content-Type": "application/x-www-form-urlencoded"})
    assert r.status_code == 413 and r.json()["error"]["type"] == "invalid_request_error"


def test_deep_nesting_is_refused(http):
    key = "metadata" + "[a]" * 12
    err = _err(http.post("/v1/customers", data={key: "1"}), 400)
    assert err["param"].startswith("metadata")


@pytest.mark.parametrize("method,path", [("GET", "/v1/nothing"), ("POST", "/v1/charges/x/y/z"),
                                         ("DELETE", "/v1/charges/ch_1"), ("GET", "/"),
                                         ("PUT", "/v1/customers")])
def test_unknown_url_is_a_stripe_shaped_404(http, method, path):
    err = _err(http.request(method, path), 404)
    assert err["type"] == "invalid_request_error"
    assert err["message"].startswith(f"Unrecognized request URL ({method}: {path})")


def test_unknown_url_through_the_sdk(client):
    with stripe_error(stripe.InvalidRequestError, status=404,
                      message="Unrecognized request URL"):
        client.raw_request("get", "/v1/widgets")


def test_error_body_shape(http):
    err = _err(http.get("/v1/customers/cus_missing"), 404)
    assert err == {"code": "resource_missing",
                   "doc_url": "https://stripe.com/docs/error-codes/resource-missing",
                   "message": "No such customer: 'cus_missing'", "param": "id",
                   "request_log_url": None, "type": "invalid_request_error"}
