"""Separate charges and transfers: POST /v1/transfers against the available balance or
a source_transaction, list/retrieve/update, reversals, connected-to-platform
transfers, the errors, and isolation."""
from __future__ import annotations

import stripe

from .money_support import balance, by_type, charge, stripe_fee, txns
from .support import as_, stripe_error

NET_1000 = 1000 - stripe_fee(1000)  # 941


def _fund(client, amount=1000):
    """Platform funds available now (4000000000000077 skips pending)."""
    return charge(client, amount, source="tok_bypassPending")


def test_transfer_larger_than_available_balance_is_refused(client, seller):
    charge(client, 5000)  # pending funds do not count
    with stripe_error(stripe.InvalidRequestError, status=400, code="balance_insufficient",
                      param="amount", message="insufficient available funds"):
        client.v1.transfers.create(params={"amount": 100, "currency": "usd",
                                           "destination": seller})
    _fund(client)
    with stripe_error(stripe.InvalidRequestError, code="balance_insufficient"):
        client.v1.transfers.create(params={"amount": NET_1000 + 1, "currency": "usd",
                                           "destination": seller})
    assert client.v1.transfers.list().data == []


def test_transfer_from_the_available_balance(client, seller):
    _fund(client)
    tr = client.v1.transfers.create(params={
        "amount": 500, "currency": "usd", "destination": seller, "transfer_group": "ORDER_1",
        "description": "payout share", "metadata": {"order": "1"}})
    assert tr.id.startswith("tr_") and tr.object == "transfer"
    assert (tr.amount, tr.currency, tr.destination) == (500, "usd", seller)
    assert tr.transfer_group == "ORDER_1" and tr.description == "payout share"
    assert tr.metadata.to_dict() == {"order": "1"} and tr.source_type == "card"
    assert tr.source_transaction is None and tr.reversed is False
    assert tr.reversals.object == "list" and tr.reversals.data == []
    out = client.v1.balance_transactions.retrieve(tr.balance_transaction)
    assert (out.type, out.amount, out.net, out.source, out.status) == (
        "transfer", -500, -500, tr.id, "available")
    py = client.v1.charges.retrieve(tr.destination_payment, options=as_(seller))
    assert py.id.startswith("py_") and py.amount == 500 and py.source_transfer == tr.id
    assert balance(client) == (NET_1000 - 500, 0)
    assert balance(client, seller) == (500, 0)
    [pay] = by_type(txns(client, seller), "payment")
    assert pay.amount == 500 and pay.source == py.id and pay.fee == 0


def test_transfer_with_source_transaction_uses_pending_funds(client, seller):
    ch = charge(client, 1000)
    ctxn = client.v1.balance_transactions.retrieve(ch.balance_transaction)
    tr = client.v1.transfers.create(params={"amount": 700, "currency": "usd",
                                            "destination": seller, "source_transaction": ch.id})
    assert tr.source_transaction == ch.id
    [pay] = by_type(txns(client, seller), "payment")
    assert pay.status == "pending" and pay.available_on == ctxn.available_on
    assert balance(client) == (0, NET_1000 - 700)
    assert balance(client, seller) == (0, 700)
    # limited by what is left of the charge
    with stripe_error(stripe.InvalidRequestError, param="amount", message="source transaction"):
        client.v1.transfers.create(params={"amount": 301, "currency": "usd",
                                           "destination": seller, "source_transaction": ch.id})
    client.v1.transfers.create(params={"amount": 300, "currency": "usd",
                                       "destination": seller, "source_transaction": ch.id})
    with stripe_error(stripe.InvalidRequestError, param="currency"):
        client.v1.transfers.create(params={"amount": 1, "currency": "eur",
                                           "destination": seller, "source_transaction": ch.id})
    with stripe_error(stripe.InvalidRequestError, status=404, param="source_transaction"):
        client.v1.transfers.create(params={"amount": 1, "currency": "usd",
                                           "destination": seller,
                                           "source_transaction": "ch_nope"})


def test_list_retrieve_update(client, seller):
    _fund(client, 5000)
    other_seller = client.v1.accounts.create().id
    a = client.v1.transfers.create(params={"amount": 100, "currency": "usd",
                                           "destination": seller, "transfer_group": "G1"})
    b = client.v1.transfers.create(params={"amount": 200, "currency": "usd",
                                           "destination": other_seller})
    assert [t.id for t in client.v1.transfers.list().data] == [b.id, a.id]
    assert [t.id for t in client.v1.transfers.list(params={"destination": seller}).data] == [
        a.id]
    assert [t.id for t in client.v1.transfers.list(params={"transfer_group": "G1"}).data] == [
        a.id]
    assert client.v1.transfers.retrieve(a.id).amount == 100
    upd = client.v1.transfers.update(a.id, params={"description": "hello",
                                                   "metadata": {"k": "v"}})
    assert upd.description == "hello" and upd.metadata.to_dict() == {"k": "v"}
    with stripe_error(stripe.InvalidRequestError, status=404, code="resource_missing",
                      message="No such transfer: 'tr_nope'"):
        client.v1.transfers.retrieve("tr_nope")


def test_reversals(client, seller):
    _fund(client)
    tr = client.v1.transfers.create(params={"amount": 500, "currency": "usd",
                                            "destination": seller})
    rev = client.v1.transfers.reversals.create(tr.id, params={"amount": 200,
                                                              "metadata": {"r": "1"}})
    assert rev.id.startswith("trr_") and rev.object == "transfer_reversal"
    assert (rev.amount, rev.transfer, rev.currency) == (200, tr.id, "usd")
    assert rev.destination_payment_refund.startswith("pyr_") and rev.source_refund is None
    back = client.v1.balance_transactions.retrieve(rev.balance_transaction)
    assert (back.type, back.amount, back.source) == ("transfer_refund", 200, rev.id)
    [out] = by_type(txns(client, seller), "payment_refund")
    assert out.amount == -200 and out.source == rev.destination_payment_refund
    pyr = client.v1.refunds.retrieve(rev.destination_payment_refund, options=as_(seller))
    assert pyr.charge == tr.destination_payment and pyr.source_transfer_reversal == rev.id
    got = client.v1.transfers.retrieve(tr.id)
    assert got.amount_reversed == 200 and got.reversed is False
    assert [r.id for r in got.reversals.data] == [rev.id]
    exp = client.v1.transfers.reversals.retrieve(
        tr.id, rev.id, params={"expand": ["destination_payment_refund"]})
    assert exp.destination_payment_refund.amount == 200
    py = client.v1.charges.retrieve(tr.destination_payment, options=as_(seller))
    assert py.amount_refunded == 200 and py.refunded is False
    assert balance(client) == (NET_1000 - 300, 0)
    assert balance(client, seller) == (300, 0)

    with stripe_error(stripe.InvalidRequestError, param="amount"):
        client.v1.transfers.reversals.create(tr.id, params={"amount": 301})
    rest = client.v1.transfers.reversals.create(tr.id)
    assert rest.amount == 300
    assert client.v1.transfers.retrieve(tr.id).reversed is True
    with stripe_error(stripe.InvalidRequestError, message="is already fully reversed"):
        client.v1.transfers.reversals.create(tr.id)
    listed = client.v1.transfers.reversals.list(tr.id)
    assert [r.id for r in listed.data] == [rest.id, rev.id]
    assert client.v1.transfers.reversals.retrieve(tr.id, rev.id).amount == 200
    upd = client.v1.transfers.reversals.update(tr.id, rev.id, params={"metadata": {"s": "2"}})
    assert upd.metadata.to_dict() == {"r": "1", "s": "2"}
    assert balance(client, seller) == (0, 0) and balance(client) == (NET_1000, 0)


def test_connected_account_transfers_to_its_platform(client, seller):
    _fund(client)
    tr = client.v1.transfers.create(params={"amount": 500, "currency": "usd",
                                            "destination": seller})
    charge(client, 1000, account=seller, source="tok_bypassPending")
    assert balance(client, seller) == (500 + NET_1000, 0)
    platform = client.v1.accounts.retrieve_current().id
    back = client.v1.transfers.create(params={"amount": 500 + NET_1000, "currency": "usd",
                                              "destination": platform}, options=as_(seller))
    assert back.destination == platform
    assert [t.id for t in client.v1.transfers.list(options=as_(seller)).data] == [back.id]
    assert balance(client) == (NET_1000 - 500 + 500 + NET_1000, 0)
    assert balance(client, seller) == (0, 0)
    # the seller cannot cover a reversal of the platform's transfer any more
    with stripe_error(stripe.InvalidRequestError, code="balance_insufficient"):
        client.v1.transfers.reversals.create(tr.id)
    with stripe_error(stripe.InvalidRequestError, param="destination"):
        client.v1.transfers.create(params={"amount": 1, "currency": "usd",
                                           "destination": seller}, options=as_(seller))


def test_destination_errors(client, seller, other):
    _fund(client)
    with stripe_error(stripe.InvalidRequestError, status=404, code="resource_missing",
                      param="destination", message="No such destination: 'acct_nope'"):
        client.v1.transfers.create(params={"amount": 1, "currency": "usd",
                                           "destination": "acct_nope"})
    foreign = other.v1.accounts.create().id
    with stripe_error(stripe.InvalidRequestError, param="destination"):
        client.v1.transfers.create(params={"amount": 1, "currency": "usd",
                                           "destination": foreign})
    with stripe_error(stripe.InvalidRequestError, param="amount"):
        client.v1.transfers.create(params={"amount": 0, "currency": "usd",
                                           "destination": seller})
    with stripe_error(stripe.InvalidRequestError, param="amount",
                      message="Missing required param: amount."):
        client.v1.transfers.create(params={"currency": "usd", "destination": seller})
    with stripe_error(stripe.InvalidRequestError, param="currency"):
        client.v1.transfers.create(params={"amount": 1, "currency": "xxx",
                                           "destination": seller})


def test_seller_cannot_read_the_platforms_transfers(client, seller):
    _fund(client)
    tr = client.v1.transfers.create(params={"amount": 100, "currency": "usd",
                                            "destination": seller})
    with stripe_error(stripe.InvalidRequestError, status=404, code="resource_missing"):
        client.v1.transfers.retrieve(tr.id, options=as_(seller))
    with stripe_error(stripe.InvalidRequestError, status=404):
        client.v1.transfers.reversals.create(tr.id, options=as_(seller))
    with stripe_error(stripe.InvalidRequestError, status=404):
        client.v1.balance_transactions.retrieve(tr.balance_transaction, options=as_(seller))
    assert client.v1.transfers.list(options=as_(seller)).data == []
