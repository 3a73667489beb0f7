"""Destination charges: a platform charge with transfer_data[destination] moves the
funds to the connected account through a transfer (and a py_ payment there), with an
application fee or a transfer_data[amount], on_behalf_of, and the errors."""
from __future__ import annotations

import pytest
import stripe

from connect_sandbox.routes import ROUTES

from .money_support import balance, by_type, charge, stripe_fee, txns
from .support import as_, stripe_error

HAS_INTENTS = any(op.path == "/v1/payment_intents" for op in ROUTES)


def test_destination_charge_with_fee(client, seller):
    ch = charge(client, 1000, transfer_data={"destination": seller},
                application_fee_amount=200, expand=["transfer", "application_fee"])
    assert ch.transfer_data.destination == seller and ch.transfer_data.amount is None
    assert ch.application_fee_amount == 200
    tr = ch.transfer
    assert tr.id.startswith("tr_") and tr.object == "transfer"
    assert (tr.amount, tr.currency, tr.destination) == (1000, "usd", seller)
    assert tr.source_transaction == ch.id and tr.amount_reversed == 0
    assert tr.destination_payment.startswith("py_") and tr.reversed is False
    fee = ch.application_fee
    assert (fee.amount, fee.account) == (200, seller)
    assert fee.charge == tr.destination_payment and fee.originating_transaction == ch.id

    # the seller's payment: an object "charge" with a py_ id
    py = client.v1.charges.retrieve(tr.destination_payment, options=as_(seller),
                                    params={"expand": ["balance_transaction"]})
    assert py.object == "charge" and py.amount == 1000 and py.source_transfer == tr.id
    assert py.paid and py.captured and py.status == "succeeded"
    ptxn = py.balance_transaction
    assert (ptxn.type, ptxn.amount, ptxn.fee, ptxn.net) == ("payment", 1000, 200, 800)
    assert [d.type for d in ptxn.fee_details] == ["application_fee"]
    # the platform may expand what the transfer and the fee point at on the seller
    got = client.v1.transfers.retrieve(tr.id, params={"expand": ["destination_payment"]})
    assert got.destination_payment.id == py.id and got.destination_payment.amount == 1000
    got = client.v1.application_fees.retrieve(fee.id, params={"expand": ["charge"]})
    assert got.charge.id == py.id
    for key in (ch.id, py.id):  # the platform charge or the seller's payment
        listed = client.v1.application_fees.list(params={"charge": key})
        assert [f.id for f in listed.data] == [fee.id]

    # the platform: charge (paying Stripe's fee), transfer out, fee back
    platform = txns(client)
    assert sorted((t.type, t.amount, t.fee) for t in platform) == [
        ("application_fee", 200, 0), ("charge", 1000, stripe_fee(1000)),
        ("transfer", -1000, 0)]
    assert by_type(platform, "transfer")[0].source == tr.id
    assert balance(client) == (0, 200 - stripe_fee(1000))
    assert balance(client, seller) == (0, 800)


def test_transfer_data_amount(client, seller):
    ch = charge(client, 1000, transfer_data={"destination": seller, "amount": 877},
                expand=["transfer"])
    assert ch.transfer.amount == 877 and ch.application_fee is None
    assert ch.transfer_data.amount == 877
    assert balance(client, seller) == (0, 877)
    assert balance(client) == (0, 1000 - stripe_fee(1000) - 877)
    assert client.v1.application_fees.list().data == []


def test_on_behalf_of_and_legacy_destination(client, seller):
    ch = charge(client, 1500, transfer_data={"destination": seller}, on_behalf_of=seller)
    assert ch.on_behalf_of == seller and ch.transfer.startswith("tr_")
    old = charge(client, 1000, destination={"account": seller, "amount": 900})
    assert old.transfer_data.destination == seller and old.transfer_data.amount == 900
    assert old.on_behalf_of == seller
    assert client.v1.transfers.retrieve(old.transfer).amount == 900
    assert balance(client, seller) == (0, 1500 + 900)


def test_funds_follow_the_charge_availability(client, seller):
    charge(client, 1000, source="tok_bypassPending", transfer_data={"destination": seller},
           application_fee_amount=100)
    assert balance(client, seller) == (900, 0)
    assert balance(client) == (100 - stripe_fee(1000), 0)


def test_destination_charge_captured_later(client, seller):
    ch = charge(client, 1000, transfer_data={"destination": seller},
                application_fee_amount=100, capture=False)
    assert "transfer" not in ch and ch.balance_transaction is None
    assert client.v1.transfers.list().data == []
    cap = client.v1.charges.capture(ch.id, params={"amount": 600, "expand": ["transfer"]})
    assert cap.transfer.amount == 600 and cap.amount_captured == 600
    assert client.v1.application_fees.retrieve(cap.application_fee).amount == 100
    assert balance(client, seller) == (0, 500)


def test_destination_errors(client, seller, other):
    with stripe_error(stripe.InvalidRequestError, status=404, code="resource_missing",
                      param="transfer_data[destination]",
                      message="No such destination: 'acct_nope'"):
        charge(client, 1000, transfer_data={"destination": "acct_nope"})
    foreign = other.v1.accounts.create().id
    with stripe_error(stripe.InvalidRequestError, param="transfer_data[destination]"):
        charge(client, 1000, transfer_data={"destination": foreign})
    with stripe_error(stripe.InvalidRequestError, param="transfer_data[amount]"):
        charge(client, 1000, transfer_data={"destination": seller, "amount": 1001})
    with stripe_error(stripe.InvalidRequestError, param="application_fee_amount"):
        charge(client, 1000, transfer_data={"destination": seller, "amount": 500},
               application_fee_amount=100)
    with stripe_error(stripe.InvalidRequestError, param="transfer_data[destination]"):
        charge(client, 1000, account=seller, transfer_data={"destination": seller})
    with stripe_error(stripe.InvalidRequestError, param="on_behalf_of"):
        charge(client, 1000, on_behalf_of="acct_nope")
    with stripe_error(stripe.InvalidRequestError, param="transfer_data[destination]"):
        charge(client, 1000, transfer_data={"amount": 500})
    assert client.v1.charges.list().data == [] and client.v1.transfers.list().data == []


def test_seller_sees_the_payment_not_the_transfer(client, seller):
    ch = charge(client, 1000, transfer_data={"destination": seller}, expand=["transfer"])
    with stripe_error(stripe.InvalidRequestError, status=404,
                      message=f"No such transfer: '{ch.transfer.id}'"):
        client.v1.transfers.retrieve(ch.transfer.id, options=as_(seller))
    with stripe_error(stripe.InvalidRequestError, status=404):
        client.v1.charges.retrieve(ch.id, options=as_(seller))
    listed = client.v1.charges.list(options=as_(seller))
    assert [c.id for c in listed.data] == [ch.transfer.destination_payment]
    assert client.v1.transfers.list(options=as_(seller)).data == []


@pytest.mark.skipif(not HAS_INTENTS, reason="PaymentIntents are not routed yet")
def test_destination_payment_intent(client, seller):
    pi = client.v1.payment_intents.create(params={
        "amount": 3000, "currency": "usd", "payment_method": "pm_card_visa", "confirm": True,
        "payment_method_types": ["card"], "transfer_data": {"destination": seller},
        "application_fee_amount": 450, "expand": ["latest_charge.transfer"]})
    assert pi.status == "succeeded"
    assert pi.latest_charge.transfer.amount == 3000
    assert balance(client, seller) == (0, 3000 - 450)
    assert balance(client) == (0, 450 - stripe_fee(3000))
