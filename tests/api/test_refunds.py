"""Refunds: partial and full, by charge or PaymentIntent, through /v1/refunds and
/v1/charges/{charge}/refunds; refund_application_fee and reverse_transfer in exact
proportion; over-refunds and the other errors; and the events they record."""
from __future__ import annotations

import pytest
import stripe

from connect_sandbox.routes import ROUTES

from .money_support import balance, by_type, charge, stripe_fee, txns
from .support import as_, stripe_error

HAS_INTENTS = any(op.path == "/v1/payment_intents" for op in ROUTES)


def test_partial_then_full_refund(client):
    ch = charge(client, 1000)
    re = client.v1.refunds.create(params={"charge": ch.id, "amount": 300,
                                          "reason": "requested_by_customer",
                                          "metadata": {"ticket": "7"}})
    assert re.id.startswith("re_") and re.object == "refund" and re.status == "succeeded"
    assert (re.amount, re.charge, re.currency, re.reason) == (
        300, ch.id, "usd", "requested_by_customer")
    assert re.metadata.to_dict() == {"ticket": "7"} and re.payment_intent is None
    txn = client.v1.balance_transactions.retrieve(re.balance_transaction)
    assert (txn.type, txn.amount, txn.fee, txn.net, txn.source) == ("refund", -300, 0, -300,
                                                                     re.id)
    assert txn.status == "available" and txn.reporting_category == "refund"
    got = client.v1.charges.retrieve(ch.id, params={"expand": ["refunds"]})
    assert got.amount_refunded == 300 and got.refunded is False
    assert [r.id for r in got.refunds.data] == [re.id]

    with stripe_error(stripe.InvalidRequestError, status=400, param="amount",
                      message="Refund amount ($8.00) is greater than unrefunded amount on "
                              "charge ($7.00)"):
        client.v1.refunds.create(params={"charge": ch.id, "amount": 800})
    rest = client.v1.refunds.create(params={"charge": ch.id})
    assert rest.amount == 700
    got = client.v1.charges.retrieve(ch.id)
    assert got.amount_refunded == 1000 and got.refunded is True
    with stripe_error(stripe.InvalidRequestError, code="charge_already_refunded",
                      message=f"Charge {ch.id} has already been refunded."):
        client.v1.refunds.create(params={"charge": ch.id})
    # Stripe keeps its processing fee
    assert balance(client) == (-1000, 1000 - stripe_fee(1000))


def test_over_refund_message(client):
    ch = charge(client, 1000)
    with stripe_error(stripe.InvalidRequestError, status=400, param="amount",
                      message="Refund amount ($20.00) is greater than charge amount ($10.00)"):
        client.v1.refunds.create(params={"charge": ch.id, "amount": 2000})
    assert client.v1.refunds.list().data == []


def test_charge_refunds_endpoints(client):
    """/v1/charges/{charge}/refunds (the SDK's StripeClient has no service for it)."""
    def call(method, url, **params):
        return client.deserialize(client.raw_request(method, url, **params), api_mode="V1")
    ch = charge(client, 1000)
    re = call("post", f"/v1/charges/{ch.id}/refunds", amount=100)
    assert re.amount == 100 and re.charge == ch.id
    assert [r.id for r in call("get", f"/v1/charges/{ch.id}/refunds").data] == [re.id]
    assert call("get", f"/v1/charges/{ch.id}/refunds/{re.id}").id == re.id
    upd = call("post", f"/v1/charges/{ch.id}/refunds/{re.id}", metadata={"a": "b"})
    assert upd.metadata.to_dict() == {"a": "b"}
    other = charge(client, 500)
    with stripe_error(stripe.InvalidRequestError, status=404):
        call("get", f"/v1/charges/{other.id}/refunds/{re.id}")


def test_legacy_charge_refund_helpers(legacy):
    ch = legacy.Charge.create(amount=1000, currency="usd", source="tok_visa")
    re = legacy.Refund.create(charge=ch.id, amount=250)
    assert [r.id for r in legacy.Charge.list_refunds(ch.id).data] == [re.id]
    assert legacy.Charge.retrieve_refund(ch.id, re.id).amount == 250
    assert legacy.Refund.modify(re.id, metadata={"x": "1"}).metadata.to_dict() == {"x": "1"}


def test_list_retrieve_update(client):
    a, b = charge(client, 1000), charge(client, 2000)
    ra = client.v1.refunds.create(params={"charge": a.id, "amount": 100})
    rb = client.v1.refunds.create(params={"charge": b.id, "amount": 200})
    assert [r.id for r in client.v1.refunds.list().data] == [rb.id, ra.id]
    assert [r.id for r in client.v1.refunds.list(params={"charge": a.id}).data] == [ra.id]
    assert client.v1.refunds.retrieve(ra.id).amount == 100
    upd = client.v1.refunds.update(ra.id, params={"metadata": {"k": "v"}})
    assert upd.metadata.to_dict() == {"k": "v"}
    with stripe_error(stripe.InvalidRequestError, status=404, code="resource_missing",
                      message="No such refund: 're_nope'"):
        client.v1.refunds.retrieve("re_nope")


def test_refund_errors(client):
    with stripe_error(stripe.InvalidRequestError, status=400, param="charge"):
        client.v1.refunds.create()
    with stripe_error(stripe.InvalidRequestError, status=404, code="resource_missing",
                      param="charge"):
        client.v1.refunds.create(params={"charge": "ch_nope"})
    ch = charge(client, 1000)
    with stripe_error(stripe.InvalidRequestError, param="amount"):
        client.v1.refunds.create(params={"charge": ch.id, "amount": 0})
    with stripe_error(stripe.InvalidRequestError, param="reason"):
        client.v1.refunds.create(params={"charge": ch.id, "reason": "bored"})


def test_uncaptured_charge_refund_releases_it(client):
    ch = charge(client, 1000, capture=False)
    with stripe_error(stripe.InvalidRequestError, param="amount",
                      message="You cannot partially refund an uncaptured charge"):
        client.v1.refunds.create(params={"charge": ch.id, "amount": 100})
    re = client.v1.refunds.create(params={"charge": ch.id})
    assert re.amount == 1000 and re.balance_transaction is None
    got = client.v1.charges.retrieve(ch.id)
    assert got.refunded is True and got.captured is False
    assert txns(client) == [] and balance(client) == (0, 0)


def test_refund_after_partial_capture(client):
    ch = charge(client, 1000, capture=False)
    client.v1.charges.capture(ch.id, params={"amount": 600})
    with stripe_error(stripe.InvalidRequestError, message="($6.00)"):
        client.v1.refunds.create(params={"charge": ch.id, "amount": 601})
    re = client.v1.refunds.create(params={"charge": ch.id})
    assert re.amount == 600 and client.v1.charges.retrieve(ch.id).refunded is True


def test_direct_charge_refund_with_application_fee(client, seller):
    ch = charge(client, 1000, account=seller, application_fee_amount=123)
    re = client.v1.refunds.create(params={"charge": ch.id, "amount": 500,
                                          "refund_application_fee": True}, options=as_(seller))
    assert re.amount == 500
    fee = client.v1.application_fees.retrieve(ch.application_fee)
    assert fee.amount_refunded == 62  # 123 * 500 / 1000 = 61.5, rounded half up
    re2 = client.v1.refunds.create(params={"charge": ch.id, "refund_application_fee": True},
                                   options=as_(seller))
    assert re2.amount == 500
    fee = client.v1.application_fees.retrieve(ch.application_fee)
    assert fee.amount_refunded == 123 and fee.refunded is True
    assert [r.amount for r in fee.refunds.data] == [61, 62]
    # the connected account bears Stripe's fee; the platform's fee went back
    assert balance(client, seller) == (-1000 + 123, 1000 - 182)
    assert balance(client) == (-123, 123)
    assert sum(t.net for t in txns(client, seller)) == -stripe_fee(1000)


def test_direct_charge_refund_keeps_the_fee_by_default(client, seller):
    ch = charge(client, 1000, account=seller, application_fee_amount=123)
    client.v1.refunds.create(params={"charge": ch.id}, options=as_(seller))
    assert client.v1.application_fees.retrieve(ch.application_fee).amount_refunded == 0
    with stripe_error(stripe.InvalidRequestError, status=404):
        client.v1.refunds.create(params={"charge": ch.id})  # not the platform's charge


def test_destination_refund_reverses_transfer_and_fee_in_proportion(client, seller):
    ch = charge(client, 1000, transfer_data={"destination": seller},
                application_fee_amount=200)
    re = client.v1.refunds.create(params={"charge": ch.id, "amount": 333,
                                          "reverse_transfer": True,
                                          "refund_application_fee": True})
    assert re.transfer_reversal.startswith("trr_")
    rev = client.v1.transfers.reversals.retrieve(ch.transfer, re.transfer_reversal)
    assert rev.amount == 333 and rev.source_refund == re.id
    fee = client.v1.application_fees.retrieve(ch.application_fee)
    assert fee.amount_refunded == 67  # 200 * 333 / 1000 = 66.6
    client.v1.refunds.create(params={"charge": ch.id, "reverse_transfer": True,
                                     "refund_application_fee": True})
    tr = client.v1.transfers.retrieve(ch.transfer)
    assert tr.amount_reversed == 1000 and tr.reversed is True
    assert [r.amount for r in tr.reversals.data] == [667, 333]
    fee = client.v1.application_fees.retrieve(ch.application_fee)
    assert fee.amount_refunded == 200 and fee.refunded is True
    assert balance(client, seller) == (-1000 + 200, 800)
    assert balance(client, seller)[0] + balance(client, seller)[1] == 0
    assert sum(balance(client)) == -stripe_fee(1000)


def test_reverse_transfer_of_a_transfer_data_amount(client, seller):
    ch = charge(client, 1000, transfer_data={"destination": seller, "amount": 877})
    re = client.v1.refunds.create(params={"charge": ch.id, "amount": 500,
                                          "reverse_transfer": True})
    rev = client.v1.transfers.reversals.retrieve(ch.transfer, re.transfer_reversal)
    assert rev.amount == 439  # 877 * 500 / 1000 = 438.5
    client.v1.refunds.create(params={"charge": ch.id, "reverse_transfer": True})
    assert client.v1.transfers.retrieve(ch.transfer).amount_reversed == 877
    assert sum(balance(client, seller)) == 0


def test_destination_refund_without_reversal_costs_the_platform(client, seller):
    ch = charge(client, 1000, transfer_data={"destination": seller})
    re = client.v1.refunds.create(params={"charge": ch.id})
    assert re.transfer_reversal is None
    assert balance(client, seller) == (0, 1000)
    assert sum(balance(client)) == -1000 - stripe_fee(1000)
    assert by_type(txns(client), "transfer_refund") == []


def test_refund_events(client):
    ch = charge(client, 1000)
    re = client.v1.refunds.create(params={"charge": ch.id, "amount": 100})
    types = [e.type for e in client.v1.events.list(params={"limit": 10}).data]
    assert "charge.refunded" in types and "refund.created" in types
    ev = client.v1.events.list(params={"type": "charge.refunded"}).data[0]
    assert ev.data.object.id == ch.id and ev.data.object.amount_refunded == 100
    assert ev.data.previous_attributes.amount_refunded == 0
    ev = client.v1.events.list(params={"type": "refund.created"}).data[0]
    assert ev.data.object.id == re.id


@pytest.mark.skipif(not HAS_INTENTS, reason="PaymentIntents are not routed yet")
def test_refund_by_payment_intent(client):
    pi = client.v1.payment_intents.create(params={
        "amount": 1500, "currency": "usd", "payment_method": "pm_card_visa", "confirm": True,
        "payment_method_types": ["card"]})
    re = client.v1.refunds.create(params={"payment_intent": pi.id, "amount": 500})
    assert re.payment_intent == pi.id and re.charge == pi.latest_charge
    assert [r.id for r in client.v1.refunds.list(params={"payment_intent": pi.id}).data] == [
        re.id]
    with stripe_error(stripe.InvalidRequestError, status=404, param="payment_intent"):
        client.v1.refunds.create(params={"payment_intent": "pi_nope"})
