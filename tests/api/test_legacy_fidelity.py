"""The legacy ways of sharing a platform customer's payment details (tokens, Sources) and
the objects around them, checked against what Stripe answers: error statuses and codes,
which properties the objects carry, and the rules of the Sources cloning parameters."""
from __future__ import annotations

import stripe

from .support import BANK, CARD, as_, stripe_error, verified_bank_customer

# Shown only on an account's external accounts (payout destinations): Stripe's card docs,
# "This attribute will not be in the card object if the card belongs to a customer".
CARD_EXTERNAL_ONLY = ("account", "available_payout_methods", "currency",
                      "default_for_currency", "status")
BANK_EXTERNAL_ONLY = ("account", "available_payout_methods", "default_for_currency",
                      "future_requirements", "requirements")


def _card_source(client, token="tok_visa", options=None, **params):
    return client.v1.sources.create(params={"type": "card", "token": token, **params},
                                    options=options or {})


# -- token cloning: errors ----------------------------------------------------------------

def test_a_source_not_linked_to_the_customer_is_404_missing(client, seller):
    """Stripe answers 404, code `missing`, for "Customer cus_x does not have a linked
    source with ID ..." (as it does on charges)."""
    cus = client.v1.customers.create(params={"source": "tok_visa"})
    stranger = client.v1.customers.create(params={"source": "tok_mastercard"})
    cases = [({"card": stranger.default_source}, "card", stranger.default_source),
             ({"card": "card_unknown"}, "card", "card_unknown"),
             ({"bank_account": cus.default_source}, "bank_account", cus.default_source)]
    for extra, param, wanted in cases:
        with stripe_error(stripe.InvalidRequestError, status=404, code="missing",
                          param=param,
                          message=f"Customer {cus.id} does not have a linked source with "
                                  f"ID {wanted}."):
            client.v1.tokens.create(params={"customer": cus.id, **extra},
                                    options=as_(seller))
    # nothing was made on the connected account by the refused requests
    clone = client.v1.tokens.create(params={"customer": cus.id}, options=as_(seller))
    assert clone.card.fingerprint == client.v1.customers.payment_sources.retrieve(
        cus.id, cus.default_source).fingerprint


def test_a_publishable_key_cannot_clone_a_platform_customer(client, publishable, seller):
    cus = client.v1.customers.create(params={"source": "tok_visa"})
    with stripe_error(stripe.PermissionError, status=403):
        publishable.v1.tokens.create(params={"customer": cus.id}, options=as_(seller))
    # raw card details stay tokenizable with it, on the platform and as the seller
    assert publishable.v1.tokens.create(params={"card": dict(CARD)}).type == "card"
    assert publishable.v1.tokens.create(params={"card": dict(CARD)},
                                        options=as_(seller)).card.last4 == "4242"


# -- token and source objects: which properties they carry --------------------------------

def test_token_cards_and_bank_accounts_carry_no_customer_or_payout_fields(client, seller):
    raw = client.v1.tokens.create(params={"card": dict(CARD)})
    cus = client.v1.customers.create(params={"source": "tok_visa"})
    clone = client.v1.tokens.create(params={"customer": cus.id}, options=as_(seller))
    for tok in (raw, clone):
        card = tok.card.to_dict()
        assert "customer" not in card, card
        assert not set(CARD_EXTERNAL_ONLY) & set(card), card
        assert card["last4"] == "4242" and card["object"] == "card"

    btok = client.v1.tokens.create(params={"bank_account": dict(BANK)})
    bank_cus, _ = verified_bank_customer(client)
    bclone = client.v1.tokens.create(params={"customer": bank_cus.id}, options=as_(seller))
    for tok in (btok, bclone):
        ba = tok.bank_account.to_dict()
        assert "customer" not in ba, ba
        assert not set(BANK_EXTERNAL_ONLY) & set(ba), ba
        assert ba["last4"] == "6789" and ba["routing_number"] == "110000000"

    # attached, they name their customer; still without the payout-only fields
    attached = client.v1.customers.create(params={"source": clone.id}, options=as_(seller))
    card = client.v1.customers.payment_sources.retrieve(attached.id, clone.card.id,
                                                        options=as_(seller)).to_dict()
    assert card["customer"] == attached.id and not set(CARD_EXTERNAL_ONLY) & set(card)
    listed = client.v1.customers.payment_sources.list(bank_cus.id).data[0].to_dict()
    assert listed["customer"] == bank_cus.id and not set(BANK_EXTERNAL_ONLY) & set(listed)
    # a token charged once: its card is the charge's source, with `customer: null`
    ch = client.v1.charges.create(params={"amount": 900, "currency": "usd",
                                          "source": client.v1.tokens.create(
                                              params={"card": dict(CARD)}).id})
    assert ch.source.customer is None and ch.source.last4 == "4242"


def test_customer_balances_are_shown_only_when_expanded(client, seller):
    """Stripe's customer objects leave `cash_balance` and `invoice_credit_balance` out
    unless they are expanded; the clone flow's connected customer is no different."""
    for options in ({}, as_(seller)):
        cus = client.v1.customers.create(params={"email": "jenny@example.com"},
                                         options=options)
        for obj in (cus, client.v1.customers.retrieve(cus.id, options=options),
                    client.v1.customers.list(options=options).data[0]):
            assert "cash_balance" not in obj and "invoice_credit_balance" not in obj
            assert obj.balance == 0 and obj.email == "jenny@example.com"
        full = client.v1.customers.retrieve(
            cus.id, params={"expand": ["cash_balance", "invoice_credit_balance"]},
            options=options)
        assert full.cash_balance.object == "cash_balance"
        assert full.cash_balance.customer == cus.id
        assert full.invoice_credit_balance.to_dict() == {}


# -- Source cloning -----------------------------------------------------------------------

def test_cloning_a_source_needs_no_customer(client, seller):
    """`customer`: "Must be set when the original source is not a Source (e.g., Card)"."""
    unattached = _card_source(client)
    clone = client.v1.sources.create(params={"original_source": unattached.id,
                                             "usage": "single_use"}, options=as_(seller))
    assert clone.id.startswith("src_") and clone.id != unattached.id
    assert clone.usage == "single_use" and clone.status == "chargeable"
    assert clone.card.fingerprint == unattached.card.fingerprint

    cus = client.v1.customers.create()
    attached = _card_source(client, "tok_mastercard")
    client.v1.customers.payment_sources.create(cus.id, params={"source": attached.id})
    reusable = client.v1.sources.create(params={"original_source": attached.id},
                                        options=as_(seller))
    assert reusable.usage == "reusable" and reusable.card.last4 == "4444"
    assert "customer" not in reusable
    seller_cus = client.v1.customers.create(params={"source": reusable.id},
                                            options=as_(seller))
    ch = client.v1.charges.create(params={"amount": 1200, "currency": "usd",
                                          "customer": seller_cus.id}, options=as_(seller))
    assert ch.paid and ch.source.id == reusable.id
    assert client.v1.charges.list().data == []  # nothing charged on the platform

    # a card is not a Source: it needs the customer it belongs to
    card_cus = client.v1.customers.create(params={"source": "tok_visa"})
    with stripe_error(stripe.InvalidRequestError, status=400, code="parameter_missing",
                      param="customer"):
        client.v1.sources.create(params={"original_source": card_cus.default_source},
                                 options=as_(seller))
    # an unknown Source, or one of the connected account's own
    with stripe_error(stripe.InvalidRequestError, status=404, code="resource_missing",
                      param="original_source", message="No such source: 'src_unknown'"):
        client.v1.sources.create(params={"original_source": "src_unknown"},
                                 options=as_(seller))
    own = _card_source(client, options=as_(seller))
    with stripe_error(stripe.InvalidRequestError, status=404, param="original_source"):
        client.v1.sources.create(params={"original_source": own.id}, options=as_(seller))


def test_a_used_up_source_cannot_be_cloned(client, seller):
    once = _card_source(client, usage="single_use")
    client.v1.charges.create(params={"amount": 700, "currency": "usd", "source": once.id})
    assert client.v1.sources.retrieve(once.id).status == "consumed"
    with stripe_error(stripe.InvalidRequestError, status=400, code="source_unavailable",
                      param="original_source"):
        client.v1.sources.create(params={"original_source": once.id}, options=as_(seller))

    cus = client.v1.customers.create()
    detached = _card_source(client)
    client.v1.customers.payment_sources.create(cus.id, params={"source": detached.id})
    client.v1.customers.payment_sources.delete(cus.id, detached.id)  # consumes it
    with stripe_error(stripe.InvalidRequestError, status=400, code="source_unavailable"):
        client.v1.sources.create(params={"original_source": detached.id},
                                 options=as_(seller))


def test_source_clone_of_an_unlinked_source_is_404_missing(client, seller):
    cus = client.v1.customers.create(params={"source": "tok_visa"})
    other = client.v1.customers.create(params={"source": "tok_visa"})
    for original in (other.default_source, "card_unknown"):
        with stripe_error(stripe.InvalidRequestError, status=404, code="missing",
                          param="original_source",
                          message=f"Customer {cus.id} does not have a linked source with "
                                  f"ID {original}."):
            client.v1.sources.create(params={"customer": cus.id, "original_source": original},
                                     options=as_(seller))


# -- bank accounts ------------------------------------------------------------------------

def test_the_same_bank_account_twice_on_a_customer_is_refused(client):
    cus = client.v1.customers.create(params={"source": client.v1.tokens.create(
        params={"bank_account": dict(BANK)}).id})
    again = client.v1.tokens.create(params={"bank_account": dict(BANK)})
    with stripe_error(stripe.InvalidRequestError, status=400, code="bank_account_exists",
                      message="A bank account with that routing number and account number "
                              "already exists for this customer."):
        client.v1.customers.payment_sources.create(cus.id, params={"source": again.id})
    assert client.v1.tokens.retrieve(again.id).used is False  # the request wrote nothing
    assert len(client.v1.customers.payment_sources.list(cus.id).data) == 1
    # another account number is another bank account
    other = client.v1.tokens.create(params={"bank_account": {
        **BANK, "account_number": "000222222227"}})
    added = client.v1.customers.payment_sources.create(cus.id, params={"source": other.id})
    assert added.last4 == "2227" and cus.default_source != added.id
    # another customer may hold the same bank account
    assert client.v1.customers.create(params={"source": again.id}).default_source


def test_a_cloned_bank_account_once_per_connected_customer(client, seller):
    original, ba = verified_bank_customer(client)
    first, second = (client.v1.tokens.create(params={"customer": original.id,
                                                     "bank_account": ba.id},
                                             options=as_(seller)) for _ in range(2))
    seller_cus = client.v1.customers.create(params={"source": first.id}, options=as_(seller))
    with stripe_error(stripe.InvalidRequestError, status=400, code="bank_account_exists"):
        client.v1.customers.payment_sources.create(seller_cus.id,
                                                   params={"source": second.id},
                                                   options=as_(seller))
    assert client.v1.tokens.retrieve(second.id, options=as_(seller)).used is False
    other_cus = client.v1.customers.create(params={"source": second.id}, options=as_(seller))
    assert other_cus.default_source == second.bank_account.id


def test_a_customer_whose_default_is_a_source_is_shared_as_a_source(client, seller):
    """Token cloning refuses a default Source with Stripe's message; the Sources API
    shares it."""
    cus = client.v1.customers.create()
    src = _card_source(client)
    client.v1.customers.payment_sources.create(cus.id, params={"source": src.id})
    with stripe_error(stripe.InvalidRequestError, status=400,
                      message="You provide a customer without specifying a source. The "
                              "default source of the customer is a source and cannot be "
                              "shared from existing customers."):
        client.v1.tokens.create(params={"customer": cus.id}, options=as_(seller))
    shared = client.v1.sources.create(params={"customer": cus.id, "original_source": src.id,
                                              "usage": "single_use"}, options=as_(seller))
    assert shared.card.fingerprint == src.card.fingerprint and shared.usage == "single_use"


# -- the API reference's /cards and /bank_accounts paths ----------------------------------

def _get(client, path, options=None, **params):
    resp = client.raw_request("get", path, **params, **(options or {}))
    return client.deserialize(resp, api_mode="V1")


def test_list_and_retrieve_cards_and_bank_accounts_by_their_own_paths(client, seller):
    """"List all cards" (GET /v1/customers/:id/cards), "Retrieve a card"
    (GET /v1/customers/:id/cards/:id) and the bank account equivalents."""
    cus, ba = verified_bank_customer(client)
    visa = client.v1.customers.payment_sources.create(cus.id, params={"source": "tok_visa"})
    amex = client.v1.customers.payment_sources.create(cus.id, params={"source": "tok_amex"})
    cards = _get(client, f"/v1/customers/{cus.id}/cards")
    assert cards.url == f"/v1/customers/{cus.id}/cards" and cards.has_more is False
    assert [c.id for c in cards.data] == [amex.id, visa.id]
    page = _get(client, f"/v1/customers/{cus.id}/cards", limit=1)
    assert [c.id for c in page.data] == [amex.id] and page.has_more is True
    banks = _get(client, f"/v1/customers/{cus.id}/bank_accounts")
    assert banks.url == f"/v1/customers/{cus.id}/bank_accounts"
    assert [b.id for b in banks.data] == [ba.id] and banks.data[0].status == "verified"
    assert _get(client, f"/v1/customers/{cus.id}/cards/{visa.id}").fingerprint == \
        visa.fingerprint
    assert _get(client, f"/v1/customers/{cus.id}/bank_accounts/{ba.id}").last4 == "6789"
    expanded = _get(client, f"/v1/customers/{cus.id}/cards/{amex.id}",
                    expand=["customer"])
    assert expanded.customer.id == cus.id
    # the other kind, another customer's card, an unknown customer
    with stripe_error(stripe.InvalidRequestError, status=404, code="resource_missing"):
        _get(client, f"/v1/customers/{cus.id}/cards/{ba.id}")
    with stripe_error(stripe.InvalidRequestError, status=404, code="resource_missing"):
        _get(client, f"/v1/customers/{cus.id}/bank_accounts/{visa.id}")
    other = client.v1.customers.create(params={"source": "tok_visa"})
    with stripe_error(stripe.InvalidRequestError, status=404, code="resource_missing"):
        _get(client, f"/v1/customers/{cus.id}/cards/{other.default_source}")
    with stripe_error(stripe.InvalidRequestError, status=404,
                      message="No such customer: 'cus_unknown'"):
        _get(client, "/v1/customers/cus_unknown/cards")
    with stripe_error(stripe.InvalidRequestError, status=400, param="object"):
        _get(client, f"/v1/customers/{cus.id}/cards", object="bank_account")
    # a cloned card on the connected account, read as the seller
    tok = client.v1.tokens.create(params={"customer": cus.id, "card": visa.id},
                                  options=as_(seller))
    seller_cus = client.v1.customers.create(params={"source": tok.id}, options=as_(seller))
    seller_cards = _get(client, f"/v1/customers/{seller_cus.id}/cards",
                        {"stripe_account": seller})
    assert [c.id for c in seller_cards.data] == [tok.card.id]
    assert seller_cards.data[0].fingerprint == visa.fingerprint
