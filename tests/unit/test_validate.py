"""Parameter validation against Stripe's published schemas: types come out typed, and
every refusal is a 400 naming the parameter in bracket spelling."""
from __future__ import annotations

import pytest

from connect_sandbox.errors import InvalidRequestError, UnknownParameter
from connect_sandbox.params import validate
from connect_sandbox.params.validate import operation_params


def _fails(op, raw, param, message=None, code=None):
    with pytest.raises(InvalidRequestError) as info:
        validate(op, raw)
    err = info.value
    assert err.status == 400 and err.param == param, (err.param, err.message)
    if message:
        assert message in err.message, err.message
    if code:
        assert err.code == code
    return err


def test_types_come_out_typed():
    p = validate("POST /v1/charges", {"amount": "2000", "currency": "usd", "capture": "false",
                                      "metadata": {"a": "1"}, "expand": ["customer"]})
    assert p == {"amount": 2000, "currency": "usd", "capture": False, "metadata": {"a": "1"},
                 "expand": ["customer"]}
    assert p.has("capture") and not p.has("description")


def test_list_params():
    p = validate("GET /v1/charges", {"limit": "3", "created": {"gte": "100", "lt": "200"}})
    assert p == {"limit": 3, "created": {"gte": 100, "lt": 200}}
    assert validate("GET /v1/charges", {"created": "150"})["created"] == 150


def test_unknown_parameter():
    err = _fails("POST /v1/customers", {"foo": "1"}, "foo",
                 "Received unknown parameter: foo", "parameter_unknown")
    assert isinstance(err, UnknownParameter)


def test_unknown_nested_parameter_names_the_path():
    _fails("POST /v1/customers", {"address": {"line1": "x", "planet": "Mars"}},
           "address[planet]", "Received unknown parameter: address[planet]")
    _fails("POST /v1/customers", {"shipping": {"name": "n", "address": {"moon": "Io"}}},
           "shipping[address][moon]")
    _fails("POST /v1/customers", {"invoice_settings": {"custom_fields": [
        {"name": "a", "value": "b", "extra": "c"}]}}, "invoice_settings[custom_fields][0][extra]")


@pytest.mark.parametrize("value", ["1.5", "abc", "", "1e3", "99999999999999999999", " 1"])
def test_bad_integer(value):
    _fails("POST /v1/charges", {"amount": value, "currency": "usd"}, "amount",
           "Invalid integer")


@pytest.mark.parametrize("value", ["True", "yes", "1", ""])
def test_bad_boolean(value):
    _fails("POST /v1/charges", {"amount": "100", "currency": "usd", "capture": value},
           "capture", "Invalid boolean")


def test_bad_enum_lists_the_choices():
    err = _fails("POST /v1/customers", {"tax_exempt": "maybe"}, "tax_exempt")
    assert "none" in err.message and "exempt" in err.message and "reverse" in err.message
    _fails("POST /v1/accounts", {"type": "premium"}, "type", "must be one of")


def test_empty_string_unsets_where_allowed():
    assert validate("POST /v1/customers/{customer}", {"metadata": ""})["metadata"] == ""
    assert validate("POST /v1/customers/{customer}", {"description": ""})["description"] == ""


def test_missing_required():
    op = "POST /v1/webhook_endpoints"
    required = operation_params(op)["required"]
    assert required  # url and enabled_events
    _fails(op, {}, required[0], f"Missing required param: {required[0]}.", "parameter_missing")


def test_hash_and_value_confusions():
    _fails("POST /v1/customers", {"email": {"a": "b"}}, "email")
    _fails("POST /v1/customers", {"email": ["a"]}, "email")
    _fails("POST /v1/customers", {"address": "Main St"}, "address")
    _fails("GET /v1/customers/{customer}", {"expand": "sources"}, "expand")
    _fails("GET /v1/customers/{customer}", {"expand": {"a": "sources"}}, "expand")


def test_max_length():
    _fails("POST /v1/customers", {"name": "n" * 5001}, "name", "must be at most")


def test_metadata_with_numeric_keys_stays_a_hash():
    p = validate("POST /v1/customers", {"metadata": ["zero", "one"]})
    assert p["metadata"] == {"0": "zero", "1": "one"}


def test_source_accepts_an_id_or_a_card_hash():
    assert validate("POST /v1/charges", {"source": "tok_visa"})["source"] == "tok_visa"
    card = {"object": "card", "number": "4242424242424242", "exp_month": "1",
            "exp_year": "2030"}
    assert validate("POST /v1/charges", {"source": card})["source"] == card
    _fails("POST /v1/charges", {"source": {"object": "card", "colour": "red"}}, "source[colour]")


def test_token_bank_account_accepts_an_id_or_details():
    assert validate("POST /v1/tokens", {"bank_account": "ba_123"})["bank_account"] == "ba_123"
    details = {"country": "US", "routing_number": "110000000", "account_number": "000123456789"}
    assert validate("POST /v1/tokens", {"bank_account": details})["bank_account"] == details
    _fails("POST /v1/tokens", {"bank_account": {"country": "US", "colour": "red"}},
           "bank_account[colour]")


def test_account_controller():
    p = validate("POST /v1/accounts", {"controller": {"stripe_dashboard": {"type": "none"},
                                                      "fees": {"payer": "application"}}})
    assert p["controller"]["stripe_dashboard"]["type"] == "none"
    _fails("POST /v1/accounts", {"controller": {"stripe_dashboard": {"type": "fancy"}}},
           "controller[stripe_dashboard][type]")


def test_amounts_are_integers():
    op = "POST /v1/customers/{customer}/sources/{id}/verify"
    assert validate(op, {"amounts": ["32", "45"]})["amounts"] == [32, 45]
    _fails(op, {"amounts": ["32", "x"]}, "amounts[1]", "Invalid integer")
