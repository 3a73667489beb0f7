"""Declines: every declining test card and test token gives Stripe's 402 card_error with
code, decline_code and the id of the failed charge, which is stored with status failed,
failure_code, failure_message and outcome."""
from __future__ import annotations

import pytest
import stripe

from .support import CARD, as_, stripe_error

# number, token name, code, decline_code, param, outcome type
DECLINES = [
    ("4000000000000002", "tok_chargeDeclined", "card_declined", "generic_decline", None,
     "issuer_declined"),
    ("4000000000009995", "tok_chargeDeclinedInsufficientFunds", "card_declined",
     "insufficient_funds", None, "issuer_declined"),
    ("4000000000009987", "tok_chargeDeclinedLostCard", "card_declined", "lost_card", None,
     "issuer_declined"),
    ("4000000000009979", "tok_chargeDeclinedStolenCard", "card_declined", "stolen_card", None,
     "issuer_declined"),
    ("4000000000000069", "tok_chargeDeclinedExpiredCard", "expired_card", "expired_card",
     "exp_month", "issuer_declined"),
    ("4000000000000127", "tok_chargeDeclinedIncorrectCvc", "incorrect_cvc", "incorrect_cvc",
     "cvc", "issuer_declined"),
    ("4000000000000119", "tok_chargeDeclinedProcessingError", "processing_error",
     "processing_error", None, "issuer_declined"),
    ("4100000000000019", "tok_chargeDeclinedFraudulent", "card_declined", "fraudulent", None,
     "blocked"),
]


def _check_decline(client, info, code, decline_code, param, outcome_type, options=None):
    err = info.value
    body = err.json_body["error"]
    assert err.http_status == 402 and body["type"] == "card_error"
    assert err.code == code and body["decline_code"] == decline_code
    assert body.get("param") == param
    assert body["doc_url"].endswith(code.replace("_", "-"))
    charge_id = body["charge"]
    assert charge_id.startswith("ch_")
    ch = client.v1.charges.retrieve(charge_id, options=options or {})
    assert ch.status == "failed" and ch.paid is False and ch.captured is False
    assert ch.amount_captured == 0
    assert ch.failure_code == code and ch.failure_message == body["message"]
    assert ch.outcome.type == outcome_type
    assert ch.outcome.network_status in ("declined_by_network", "not_sent_to_network")
    assert ch.outcome.seller_message
    if outcome_type == "blocked":
        assert ch.outcome.risk_level == "highest"
    else:
        assert ch.outcome.reason == decline_code
    return ch


@pytest.mark.parametrize("number,name,code,decline_code,param,outcome", DECLINES,
                         ids=[d[1] for d in DECLINES])
def test_test_token_declines_at_charge_time(client, number, name, code, decline_code, param,
                                            outcome):
    with pytest.raises(stripe.CardError) as info:
        client.v1.charges.create(params={"amount": 1000, "currency": "usd", "source": name,
                                         "description": "will fail"})
    ch = _check_decline(client, info, code, decline_code, param, outcome)
    assert ch.amount == 1000 and ch.description == "will fail"
    assert ch.source.last4 == number[-4:]


@pytest.mark.parametrize("number,name,code,decline_code,param,outcome", DECLINES,
                         ids=[d[0] for d in DECLINES])
def test_card_number_declines_at_charge_time(client, number, name, code, decline_code, param,
                                             outcome):
    tok = client.v1.tokens.create(params={"card": dict(CARD, number=number)})
    with pytest.raises(stripe.CardError) as info:
        client.v1.charges.create(params={"amount": 1000, "currency": "usd", "source": tok.id})
    _check_decline(client, info, code, decline_code, param, outcome)
    assert client.v1.tokens.retrieve(tok.id).used is True


@pytest.mark.parametrize("number,name,code,decline_code,param,outcome", DECLINES,
                         ids=[d[1] for d in DECLINES])
def test_declining_cards_cannot_be_attached(client, number, name, code, decline_code, param,
                                            outcome):
    cus = client.v1.customers.create()
    with stripe_error(stripe.CardError, status=402, code=code) as info:
        client.v1.customers.payment_sources.create(cus.id, params={"source": name})
    assert info.value.json_body["error"]["decline_code"] == decline_code
    assert "charge" not in info.value.json_body["error"]
    assert client.v1.charges.list().data == []


@pytest.mark.parametrize("source", ["tok_chargeCustomerFail", "4000000000000341"])
def test_attach_succeeds_then_charges_fail(client, source):
    if source.isdigit():
        source = client.v1.tokens.create(params={"card": dict(CARD, number=source)}).id
    cus = client.v1.customers.create(params={"source": source})
    assert cus.default_source
    with pytest.raises(stripe.CardError) as info:
        client.v1.charges.create(params={"amount": 1000, "currency": "usd",
                                         "customer": cus.id})
    ch = _check_decline(client, info, "card_declined", "generic_decline", None,
                        "issuer_declined")
    assert ch.customer == cus.id and ch.source.id == cus.default_source
    assert [c.id for c in client.v1.charges.list(params={"customer": cus.id}).data] == [ch.id]


def test_decline_on_a_connected_account_is_stored_there(client, seller):
    with pytest.raises(stripe.CardError) as info:
        client.v1.charges.create(params={"amount": 1000, "currency": "usd",
                                         "source": "tok_chargeDeclined"}, options=as_(seller))
    _check_decline(client, info, "card_declined", "generic_decline", None, "issuer_declined",
                   options=as_(seller))
    assert client.v1.charges.list().data == []


def test_failed_charge_cannot_be_captured(client):
    with pytest.raises(stripe.CardError) as info:
        client.v1.charges.create(params={"amount": 1000, "currency": "usd", "capture": False,
                                         "source": "tok_chargeDeclined"})
    with stripe_error(stripe.InvalidRequestError, status=400):
        client.v1.charges.capture(info.value.json_body["error"]["charge"])


def test_incorrect_number_never_tokenizes(client):
    with stripe_error(stripe.CardError, status=402, code="incorrect_number", param="number"):
        client.v1.charges.create(params={"amount": 1000, "currency": "usd", "source": {
            "object": "card", **CARD, "number": "4242424242424241"}})
    assert client.v1.charges.list().data == []


@pytest.mark.parametrize("name,field,value", [("tok_cvcCheckFail", "cvc_check", "fail"),
                                              ("tok_visa", "cvc_check", "pass")])
def test_check_results_on_attached_cards(client, name, field, value):
    cus = client.v1.customers.create(params={"source": name})
    card = client.v1.customers.payment_sources.retrieve(cus.id, cus.default_source)
    assert card[field] == value
