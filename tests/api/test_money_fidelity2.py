"""Connect money movement compared with Stripe's documented and recorded answers.

- The payment (py_) a transfer creates on the receiving account names the sending
  account as its `source` ({"id": acct_, "object": "account"}), carries the platform's
  Connect `application`, an approved, unassessed `outcome` and a receipt; a destination
  charge's payment also names the application fee taken from it (`application_fee`,
  `application_fee_amount`), as Stripe's recorded payments do.
- `GET /v1/charges?transfer_group=` and `GET /v1/transfers?transfer_group=` page over the
  matching objects only: `limit` and `has_more` count matches, whatever lies between.
- A charge's `transfer_group` may only be set if it has not been set (Stripe's reference).
- Capturing a refunded (released) authorization is refused as already refunded.
"""
from __future__ import annotations

import stripe

from .money_support import charge
from .support import as_, stripe_error


def test_destination_payment_names_its_source_and_fee(client, seller):
    ch = charge(client, 1000, transfer_data={"destination": seller},
                application_fee_amount=200, expand=["transfer"])
    py = client.v1.charges.retrieve(ch.transfer.destination_payment, options=as_(seller))
    assert py.id.startswith("py_") and py.source_transfer == ch.transfer.id
    assert py.source.object == "account"
    assert py.source.id == client.v1.accounts.retrieve_current().id  # the platform
    assert py.application_fee == ch.application_fee
    assert py.application_fee_amount == 200
    assert py.application == client.v1.application_fees.retrieve(ch.application_fee).application
    assert py.outcome.type == "authorized" and py.outcome.risk_level == "not_assessed"
    assert py.outcome.network_status == "approved_by_network"
    assert py.outcome.seller_message == "Payment complete."
    assert py.receipt_url
    assert py.payment_method_details.type == "stripe_account"
    # the same fields through the platform's expansion of the transfer's payment
    tr = client.v1.transfers.retrieve(ch.transfer.id, params={"expand": ["destination_payment"]})
    assert tr.destination_payment.application_fee == ch.application_fee


def test_transfer_payment_without_fee(client, seller):
    ch = charge(client, 3000, source="tok_bypassPending")
    tr = client.v1.transfers.create(params={"amount": 1200, "currency": "usd",
                                            "destination": seller, "source_transaction": ch.id})
    py = client.v1.charges.retrieve(tr.destination_payment, options=as_(seller))
    assert (py.amount, py.source.id, py.source.object) == (
        1200, client.v1.accounts.retrieve_current().id, "account")
    assert py.application_fee is None and py.application_fee_amount is None


def test_connected_account_transfer_to_platform_payment_source(client, seller):
    charge(client, 2000, account=seller, source="tok_bypassPending")
    platform = client.v1.accounts.retrieve_current().id
    tr = client.v1.transfers.create(params={"amount": 500, "currency": "usd",
                                            "destination": platform}, options=as_(seller))
    py = client.v1.charges.retrieve(tr.destination_payment)
    assert (py.source.id, py.source.object) == (seller, "account")


def test_charges_transfer_group_filter_pages_over_matches(client):
    grouped = [charge(client, 1000, transfer_group="ORDER_42").id for _ in range(3)]
    for _ in range(4):
        charge(client, 1000)
    first = client.v1.charges.list(params={"transfer_group": "ORDER_42", "limit": 2})
    assert [c.id for c in first.data] == grouped[::-1][:2] and first.has_more is True
    rest = client.v1.charges.list(params={"transfer_group": "ORDER_42", "limit": 2,
                                          "starting_after": first.data[-1].id})
    assert [c.id for c in rest.data] == grouped[:1] and rest.has_more is False
    back = client.v1.charges.list(params={"transfer_group": "ORDER_42", "limit": 2,
                                          "ending_before": grouped[0]})
    assert [c.id for c in back.data] == grouped[::-1][:2] and back.has_more is False
    every = client.v1.charges.list(params={"transfer_group": "ORDER_42", "limit": 1})
    assert [c.id for c in every.auto_paging_iter()] == grouped[::-1]


def test_transfers_transfer_group_filter_pages_over_matches(client, seller):
    charge(client, 20000, source="tok_bypassPending")
    grouped = []
    for i in range(6):
        tr = client.v1.transfers.create(params={
            "amount": 100, "currency": "usd", "destination": seller,
            **({"transfer_group": "G7"} if i % 3 == 0 else {})})
        if i % 3 == 0:
            grouped.append(tr.id)
    page = client.v1.transfers.list(params={"transfer_group": "G7", "limit": 1})
    assert [t.id for t in page.data] == [grouped[-1]] and page.has_more is True
    assert [t.id for t in page.auto_paging_iter()] == grouped[::-1]


def test_transfer_group_may_only_be_set_once(client):
    open_ = charge(client, 1000)
    assert client.v1.charges.update(open_.id, params={"transfer_group": "G1"}
                                    ).transfer_group == "G1"
    assert client.v1.charges.update(open_.id, params={"transfer_group": "G1"}
                                    ).transfer_group == "G1"
    with stripe_error(stripe.InvalidRequestError, status=400, param="transfer_group"):
        client.v1.charges.update(open_.id, params={"transfer_group": "G2"})
    assert client.v1.charges.retrieve(open_.id).transfer_group == "G1"


def test_capture_of_a_refunded_authorization(client):
    held = charge(client, 1000, capture=False)
    client.v1.refunds.create(params={"charge": held.id})
    with stripe_error(stripe.InvalidRequestError, status=400, code="charge_already_refunded",
                      param="charge", message=f"Charge {held.id} has already been refunded."):
        client.v1.charges.capture(held.id)
    after = client.v1.charges.retrieve(held.id)
    assert (after.captured, after.refunded, after.amount_captured) == (False, True, 0)


def test_refund_transaction_names_the_charge_description(client):
    described = charge(client, 1000, description="Order 1234")
    plain = charge(client, 1000)
    r1 = client.v1.refunds.create(params={"charge": described.id, "amount": 400,
                                          "expand": ["balance_transaction"]})
    r2 = client.v1.refunds.create(params={"charge": plain.id,
                                          "expand": ["balance_transaction"]})
    assert r1.balance_transaction.description == "REFUND FOR CHARGE (Order 1234)"
    assert r2.balance_transaction.description == "REFUND FOR CHARGE"
    assert (r1.balance_transaction.type, r1.balance_transaction.amount) == ("refund", -400)


def test_application_fee_transaction_description(client):
    seller = client.v1.accounts.create(params={"type": "standard",
                                               "email": "shop@example.com"}).id
    ch = charge(client, 1000, account=seller, application_fee_amount=100)
    fee = client.v1.application_fees.retrieve(ch.application_fee,
                                              params={"expand": ["balance_transaction"]})
    txn = fee.balance_transaction
    assert txn.description.startswith("Application fee from application ")
    assert txn.description.endswith(f" for shop@example.com ({seller})")
    assert (txn.type, txn.reporting_category, txn.source) == (
        "application_fee", "platform_earning", fee.id)


def test_pending_funds_are_dated_midnight_utc(client, seller):
    ch = charge(client, 1000, transfer_data={"destination": seller},
                application_fee_amount=100, expand=["balance_transaction", "transfer"])
    txn = ch.balance_transaction
    assert txn.status == "pending"
    assert txn.available_on % 86400 == 0
    assert txn.created + 86400 < txn.available_on <= txn.created + 2 * 86400
    # the transfer, the seller's payment and the fee become available with the charge
    tr = client.v1.balance_transactions.retrieve(ch.transfer.balance_transaction)
    py = client.v1.charges.retrieve(ch.transfer.destination_payment, options=as_(seller),
                                    params={"expand": ["balance_transaction"]})
    fee = client.v1.application_fees.retrieve(ch.application_fee,
                                              params={"expand": ["balance_transaction"]})
    assert {tr.available_on, py.balance_transaction.available_on,
            fee.balance_transaction.available_on} == {txn.available_on}
    # refunds are available at once
    refund = client.v1.refunds.create(params={"charge": ch.id, "amount": 100,
                                              "expand": ["balance_transaction"]})
    assert refund.balance_transaction.status == "available"


def test_balance_history_is_the_older_name_of_balance_transactions(client, seller):
    ch = charge(client, 2000, account=seller)
    resp = client.raw_request("get", "/v1/balance/history", stripe_account=seller,
                              type="charge", limit=5)
    history = client.deserialize(resp, api_mode="V1")
    assert history.object == "list" and history.url == "/v1/balance/history"
    assert [t.source for t in history.data] == [ch.id]
    one = client.deserialize(client.raw_request(
        "get", f"/v1/balance/history/{ch.balance_transaction}", stripe_account=seller),
        api_mode="V1")
    same = client.v1.balance_transactions.retrieve(ch.balance_transaction,
                                                   options=as_(seller))
    assert one.to_dict() == same.to_dict()
    with stripe_error(stripe.InvalidRequestError, status=404, code="resource_missing"):
        client.raw_request("get", f"/v1/balance/history/{ch.balance_transaction}")


def test_expanding_the_owner_and_its_object_together(client, seller):
    ch = charge(client, 1000, transfer_data={"destination": seller},
                application_fee_amount=100)
    fee = client.v1.application_fees.retrieve(ch.application_fee, params={
        "expand": ["account", "originating_transaction", "charge"]})
    assert fee.account.id == seller and fee.originating_transaction.id == ch.id
    assert fee.charge.id.startswith("py_") and fee.charge.application_fee == fee.id
    fees = client.v1.application_fees.list(params={"expand": ["data.account", "data.charge"]})
    assert [f.charge.id for f in fees.data] == [fee.charge.id]
    tr = client.v1.transfers.retrieve(ch.transfer, params={
        "expand": ["destination", "destination_payment"]})
    assert tr.destination.id == seller and tr.destination_payment.id == fee.charge.id
    refund = client.v1.refunds.create(params={"charge": ch.id, "amount": 400,
                                              "reverse_transfer": True})
    rev = client.v1.transfers.reversals.retrieve(ch.transfer, refund.transfer_reversal, params={
        "expand": ["transfer", "destination_payment_refund"]})
    assert rev.transfer.id == ch.transfer
    assert rev.destination_payment_refund.charge == fee.charge.id
    assert rev.destination_payment_refund.amount == 400


def test_capture_of_nothing_is_refused(client):
    held = charge(client, 1000, capture=False)
    with stripe_error(stripe.InvalidRequestError, status=400, param="amount",
                      code="parameter_invalid_integer",
                      message="This value must be greater than or equal to 1."):
        client.v1.charges.capture(held.id, params={"amount": 0})
    with stripe_error(stripe.InvalidRequestError, status=400, param="amount",
                      code="amount_too_small"):
        client.v1.charges.capture(held.id, params={"amount": 49})
    after = client.v1.charges.retrieve(held.id)
    assert (after.captured, after.amount_captured, after.amount_refunded) == (False, 0, 0)
    assert client.v1.balance_transactions.list(params={"source": held.id}).data == []
    done = client.v1.charges.capture(held.id, params={"amount": 600})
    # the rest is released, not refunded (API version 2025-03-31 and later)
    assert (done.amount_captured, done.amount_refunded, done.refunded) == (600, 0, False)


def test_account_debit_charges_a_connected_account(client):
    """Stripe's "Debit connected accounts": POST /v1/charges source=acct_... makes a
    transfer on the connected account and a payment (py_) on the platform."""
    seller = client.v1.accounts.create(params={"type": "express"}).id
    charge(client, 1000, source="tok_bypassPending", transfer_data={"destination": seller})
    platform = client.v1.accounts.retrieve_current().id
    py = client.v1.charges.create(params={
        "amount": 200, "currency": "usd", "source": seller, "description": "Neon sign",
        "metadata": {"reason": "equipment"},
        "expand": ["balance_transaction", "source_transfer"]})
    assert py.id.startswith("py_") and py.object == "charge"
    assert (py.amount, py.amount_captured, py.status, py.paid, py.captured) == (
        200, 200, "succeeded", True, True)
    assert (py.source.id, py.source.object) == (seller, "account")
    assert py.description == "Neon sign" and py.metadata.reason == "equipment"
    assert py.payment_method_details.type == "stripe_account"
    assert py.application and py.outcome.risk_level == "not_assessed"
    txn = py.balance_transaction
    assert (txn.type, txn.amount, txn.fee, txn.net, txn.status) == (
        "payment", 200, 0, 200, "available")
    tr = py.source_transfer
    assert (tr.amount, tr.destination, tr.destination_payment) == (200, platform, py.id)
    # the transfer lives on the connected account and debits it
    assert client.v1.transfers.retrieve(tr.id, options=as_(seller)).id == tr.id
    seller_txn = client.v1.balance_transactions.retrieve(tr.balance_transaction,
                                                         options=as_(seller))
    assert (seller_txn.type, seller_txn.amount) == ("transfer", -200)
    assert client.v1.balance.retrieve(options=as_(seller)).available[0].amount == 1000 - 200
    assert client.v1.charges.retrieve(py.id).source_transfer == tr.id
    assert client.v1.events.list(params={"type": "charge.succeeded", "limit": 1}
                                 ).data[0].data.object.id == py.id


def test_account_debit_refusals(client, seller):
    express = client.v1.accounts.create(params={"type": "express"}).id
    # a standard account: Stripe, not the platform, carries its negative balances
    with stripe_error(stripe.InvalidRequestError, status=400, param="source"):
        client.v1.charges.create(params={"amount": 200, "currency": "usd", "source": seller})
    with stripe_error(stripe.InvalidRequestError, status=400, code="balance_insufficient",
                      param="amount"):
        client.v1.charges.create(params={"amount": 200, "currency": "usd", "source": express})
    charge(client, 1000, source="tok_bypassPending", transfer_data={"destination": express})
    with stripe_error(stripe.InvalidRequestError, status=400, param="currency"):
        client.v1.charges.create(params={"amount": 200, "currency": "eur", "source": express})
    with stripe_error(stripe.InvalidRequestError, status=400, param="capture"):
        client.v1.charges.create(params={"amount": 200, "currency": "usd", "source": express,
                                         "capture": False})
    with stripe_error(stripe.InvalidRequestError, status=404, code="resource_missing",
                      param="source"):
        client.v1.charges.create(params={"amount": 200, "currency": "usd",
                                         "source": "acct_1NotConnected00"})
    with stripe_error(stripe.InvalidRequestError, status=400, param="source"):
        client.v1.charges.create(params={"amount": 200, "currency": "usd", "source": express},
                                 options=as_(express))
    assert client.v1.balance.retrieve(options=as_(express)).available[0].amount == 1000
