"""Tokens that hold no card or bank account: account, person, PII and CVC-update tokens
(POST /v1/tokens with account[...], person[...], pii[...], cvc_update[...]), and an
account token used once as `account_token` when creating or updating an account."""
from __future__ import annotations

import pytest
import stripe

from .support import stripe_error


@pytest.mark.parametrize("kind,params,prefix", [
    ("account", {"account": {"business_type": "individual",
                             "tos_shown_and_accepted": True}}, "ct_"),
    ("person", {"person": {"first_name": "Jenny"}}, "cpt_"),
    ("pii", {"pii": {"id_number": "000000000"}}, "pii_"),
    ("cvc_update", {"cvc_update": {"cvc": "123"}}, "cvctok_"),
])
def test_tokens_of_other_kinds(client, kind, params, prefix):
    tok = client.v1.tokens.create(params=params)
    assert tok.id.startswith(prefix) and tok.type == kind and tok.used is False
    body = client.v1.tokens.retrieve(tok.id).to_dict()
    assert "000000000" not in str(body) and "card" not in body and "bank_account" not in body


def test_account_token_fills_the_account_once(client):
    tok = client.v1.tokens.create(params={"account": {
        "business_type": "company", "company": {"name": "Token Co", "tax_id": "000000000"},
        "tos_shown_and_accepted": True}})
    acct = client.v1.accounts.create(params={"type": "custom", "account_token": tok.id})
    assert acct.business_type == "company" and acct.company.name == "Token Co"
    assert acct.company.tax_id_provided is True and acct.tos_acceptance.date
    assert client.v1.tokens.retrieve(tok.id).used is True
    with stripe_error(stripe.InvalidRequestError, status=400, param="account_token",
                      code="token_already_used"):
        client.v1.accounts.update(acct.id, params={"account_token": tok.id})
    pii = client.v1.tokens.create(params={"pii": {"id_number": "000000000"}})
    with stripe_error(stripe.InvalidRequestError, status=400, param="account_token"):
        client.v1.accounts.create(params={"type": "custom", "account_token": pii.id})
