"""GET /v1/balance and /v1/balance_transactions per account, pending funds and the
sandbox's make-available helper, the bypass-pending test card, filters and expand."""
from __future__ import annotations

import stripe

from .money_support import DAY, balance, charge, make_available, stripe_fee, txns
from .support import as_, stripe_error, verified_bank_customer


def test_empty_balance_shape(client, seller):
    for opts in ({}, as_(seller)):
        bal = client.v1.balance.retrieve(options=opts)
        assert bal.object == "balance" and bal.livemode is False
        assert [(b.amount, b.currency) for b in bal.available] == [(0, "usd")]
        assert [(b.amount, b.currency) for b in bal.pending] == [(0, "usd")]
        assert bal.available[0].source_types.card == 0
    assert [(b.amount, b.currency) for b in client.v1.balance.retrieve().connect_reserved] == [
        (0, "usd")]


def test_pending_funds_and_make_available(client, seller):
    ch = charge(client, 2000)
    [txn] = txns(client)
    assert txn.status == "pending" and txn.available_on == (txn.created + 2 * DAY) // DAY * DAY
    assert balance(client) == (0, 2000 - stripe_fee(2000))
    charge(client, 1000, account=seller)
    bal = make_available(client)
    assert bal.object == "balance"
    assert balance(client) == (2000 - stripe_fee(2000), 0)
    assert balance(client, seller) == (0, 1000 - stripe_fee(1000))  # only the caller's
    [txn] = txns(client)
    assert txn.status == "available" and txn.source == ch.id
    make_available(client, seller)
    assert balance(client, seller) == (1000 - stripe_fee(1000), 0)
    ev = client.v1.events.list(params={"type": "balance.available"}).data[0]
    assert ev.data.object.object == "balance"


def test_bypass_pending_card(client):
    charge(client, 1000, source="tok_bypassPending")
    tok = client.v1.tokens.create(params={"card": {"number": "4000000000000077",
                                                   "exp_month": 12, "exp_year": 2034}})
    charge(client, 500, source=tok.id)
    assert balance(client) == (1000 - 59 + 500 - stripe_fee(500), 0)
    assert all(t.status == "available" for t in txns(client))


def test_balance_is_the_sum_of_transactions(client, seller):
    charge(client, 1234)
    charge(client, 999, source="tok_bypassPending")
    ch = charge(client, 5000, transfer_data={"destination": seller},
                application_fee_amount=321)
    client.v1.refunds.create(params={"charge": ch.id, "amount": 1000,
                                     "reverse_transfer": True, "refund_application_fee": True})
    for acct in (None, seller):
        rows = txns(client, acct)
        avail, pend = balance(client, acct)
        assert avail == sum(t.net for t in rows if t.status == "available")
        assert pend == sum(t.net for t in rows if t.status == "pending")
        assert all(t.net == t.amount - t.fee for t in rows)
        assert all(t.fee == sum(d.amount for d in t.fee_details) for t in rows)


def test_transaction_filters_and_expand(client, seller):
    a = charge(client, 1000, source="tok_bypassPending")
    b = charge(client, 2000)
    tr = client.v1.transfers.create(params={"amount": 300, "currency": "usd",
                                            "destination": seller})
    by_type = client.v1.balance_transactions.list(params={"type": "charge"})
    assert [t.source for t in by_type.data] == [b.id, a.id]
    by_source = client.v1.balance_transactions.list(params={"source": tr.id})
    assert [t.type for t in by_source.data] == ["transfer"]
    assert client.v1.balance_transactions.list(params={"currency": "eur"}).data == []
    assert len(client.v1.balance_transactions.list(params={"currency": "usd"}).data) == 3
    # an unknown payout (the payout filter itself: tests/api/test_payouts.py)
    with stripe_error(stripe.InvalidRequestError, status=404, code="resource_missing",
                      param="payout"):
        client.v1.balance_transactions.list(params={"payout": "po_123"})
    page = client.v1.balance_transactions.list(params={"limit": 1})
    assert len(page.data) == 1 and page.has_more is True
    created = page.data[0].created
    assert len(client.v1.balance_transactions.list(
        params={"created": {"gte": created}}).data) == 3
    got = client.v1.balance_transactions.retrieve(a.balance_transaction,
                                                  params={"expand": ["source"]})
    assert got.source.id == a.id and got.source.object == "charge"
    with stripe_error(stripe.InvalidRequestError, status=404, code="resource_missing",
                      message="No such balance transaction: 'txn_nope'"):
        client.v1.balance_transactions.retrieve("txn_nope")
    expanded = client.v1.charges.retrieve(b.id, params={"expand": ["balance_transaction"]})
    assert expanded.balance_transaction.amount == 2000


def test_bank_account_charges_are_counted_by_source_type(client):
    cus, ba = verified_bank_customer(client)
    ch = client.v1.charges.create(params={"amount": 1500, "currency": "usd",
                                          "customer": cus.id})
    assert ch.status == "pending"
    bal = client.v1.balance.retrieve()
    assert bal.pending[0].source_types.bank_account == 1500 - stripe_fee(1500)
    assert bal.pending[0].amount == 1500 - stripe_fee(1500)


def test_declined_and_failed_charges_move_no_money(client):
    with stripe_error(stripe.CardError):
        charge(client, 1000, source="tok_chargeDeclined")
    assert txns(client) == [] and balance(client) == (0, 0)


def test_make_available_is_per_account(client, seller, other):
    charge(client, 1000)
    make_available(other)
    assert balance(client) == (0, 1000 - stripe_fee(1000))
