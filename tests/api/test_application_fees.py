"""Application fees on direct charges (Stripe-Account header): the fee object on the
platform, the connected account's charge transaction, both balances, fee refunds,
the errors, and isolation (a connected account cannot read the platform's fees)."""
from __future__ import annotations

import pytest
import stripe

from connect_sandbox.routes import ROUTES

from .money_support import DAY, balance, by_type, charge, stripe_fee, txns
from .support import as_, customer_with_card, stripe_error

HAS_INTENTS = any(op.path == "/v1/payment_intents" for op in ROUTES)


def _cloned_token(client, seller):
    """The legacy flow: a platform customer's card cloned into a token on the seller."""
    cus = customer_with_card(client)
    return client.v1.tokens.create(params={"customer": cus.id}, options=as_(seller)).id


def test_direct_charge_on_a_cloned_token_takes_a_fee(client, seller):
    tok = _cloned_token(client, seller)
    ch = charge(client, 1000, account=seller, source=tok, application_fee_amount=123)
    assert ch.application_fee_amount == 123
    assert ch.application_fee.startswith("fee_") and ch.application.startswith("ca_")
    assert ch.transfer_data is None and ch.on_behalf_of is None

    # the seller's charge transaction carries Stripe's fee and the application fee
    txn = client.v1.balance_transactions.retrieve(ch.balance_transaction, options=as_(seller))
    assert (txn.type, txn.amount, txn.currency, txn.source) == ("charge", 1000, "usd", ch.id)
    assert txn.fee == stripe_fee(1000) + 123 == 182 and txn.net == 818
    assert sorted((d.type, d.amount) for d in txn.fee_details) == [
        ("application_fee", 123), ("stripe_fee", 59)]
    assert txn.status == "pending" and txn.reporting_category == "charge"
    assert txn.available_on == (txn.created + 2 * DAY) // DAY * DAY

    # the fee lives on the platform
    fee = client.v1.application_fees.retrieve(ch.application_fee)
    assert (fee.object, fee.amount, fee.amount_refunded, fee.refunded) == (
        "application_fee", 123, 0, False)
    assert fee.account == seller and fee.charge == ch.id
    assert fee.originating_transaction is None and fee.currency == "usd"
    assert fee.application == ch.application
    assert fee.refunds.object == "list" and fee.refunds.data == []
    ptxn = client.v1.balance_transactions.retrieve(fee.balance_transaction)
    assert (ptxn.type, ptxn.amount, ptxn.fee, ptxn.net, ptxn.source) == (
        "application_fee", 123, 0, 123, fee.id)
    assert ptxn.reporting_category == "platform_earning"

    # balances: both pending until the funds settle
    assert balance(client, seller) == (0, 818)
    assert balance(client) == (0, 123)


def test_fee_is_listed_filtered_and_expandable(client, seller):
    a = charge(client, 1000, account=seller, application_fee_amount=100)
    b = charge(client, 2000, account=seller, application_fee_amount=250)
    fees = client.v1.application_fees.list()
    assert [f.id for f in fees.data] == [b.application_fee, a.application_fee]
    only = client.v1.application_fees.list(params={"charge": a.id})
    assert [f.id for f in only.data] == [a.application_fee]
    got = client.v1.charges.retrieve(a.id, params={"expand": ["application_fee"]},
                                     options=as_(seller))
    assert got.application_fee.id == a.application_fee and got.application_fee.amount == 100
    fee = client.v1.application_fees.retrieve(a.application_fee,
                                              params={"expand": ["balance_transaction"]})
    assert fee.balance_transaction.amount == 100


def test_fee_needs_a_direct_or_destination_context(client):
    with stripe_error(stripe.InvalidRequestError, status=400,
                      param="application_fee_amount",
                      message="Can only apply an application_fee_amount when the request is "
                              "made on behalf of another account"):
        charge(client, 1000, application_fee_amount=100)
    assert client.v1.application_fees.list().data == []
    assert client.v1.charges.list().data == []  # nothing was stored


def test_fee_larger_than_the_amount_is_refused(client, seller):
    with stripe_error(stripe.InvalidRequestError, status=400,
                      param="application_fee_amount", message="cannot be greater than"):
        charge(client, 1000, account=seller, application_fee_amount=1001)
    with stripe_error(stripe.InvalidRequestError, param="application_fee_amount"):
        charge(client, 1000, account=seller, application_fee_amount=-1)
    ch = charge(client, 1000, account=seller, application_fee_amount=1000)
    assert client.v1.application_fees.retrieve(ch.application_fee).amount == 1000


def test_fee_is_taken_when_the_charge_is_captured(client, seller):
    ch = charge(client, 1000, account=seller, application_fee_amount=100, capture=False)
    assert ch.application_fee is None and ch.balance_transaction is None
    assert client.v1.application_fees.list().data == []
    cap = client.v1.charges.capture(ch.id, params={"amount": 800,
                                                   "application_fee_amount": 80},
                                    options=as_(seller))
    fee = client.v1.application_fees.retrieve(cap.application_fee)
    assert fee.amount == 80 and cap.application_fee_amount == 80
    txn = client.v1.balance_transactions.retrieve(cap.balance_transaction, options=as_(seller))
    assert txn.amount == 800 and txn.fee == stripe_fee(800) + 80


def test_platform_pays_stripe_fee_for_accounts_it_controls(client):
    seller = client.v1.accounts.create(params={"controller": {
        "fees": {"payer": "application"}, "losses": {"payments": "application"},
        "stripe_dashboard": {"type": "none"}, "requirement_collection": "application"}}).id
    ch = charge(client, 1000, account=seller, application_fee_amount=100)
    txn = client.v1.balance_transactions.retrieve(ch.balance_transaction, options=as_(seller))
    assert txn.fee == 100 and [d.type for d in txn.fee_details] == ["application_fee"]
    platform = txns(client)
    assert [t.amount for t in by_type(platform, "stripe_fee")] == [-stripe_fee(1000)]
    assert balance(client) == (-59, 100)
    assert balance(client, seller) == (0, 900)


def test_fee_refunds(client, seller):
    ch = charge(client, 1000, account=seller, application_fee_amount=123)
    fr = client.v1.application_fees.refunds.create(ch.application_fee, params={
        "amount": 23, "metadata": {"why": "goodwill"}})
    assert fr.id.startswith("fr_") and fr.object == "fee_refund"
    assert (fr.amount, fr.fee, fr.currency) == (23, ch.application_fee, "usd")
    assert fr.metadata.to_dict() == {"why": "goodwill"}
    ptxn = client.v1.balance_transactions.retrieve(fr.balance_transaction)
    assert (ptxn.type, ptxn.amount, ptxn.source) == ("application_fee_refund", -23, fr.id)
    seller_back = by_type(txns(client, seller), "application_fee_refund")
    assert [(t.amount, t.source) for t in seller_back] == [(23, fr.id)]
    fee = client.v1.application_fees.retrieve(ch.application_fee)
    assert fee.amount_refunded == 23 and fee.refunded is False
    assert [r.id for r in fee.refunds.data] == [fr.id]

    with stripe_error(stripe.InvalidRequestError, status=400, param="amount",
                      message="is greater than unrefunded amount on fee ($1.00)"):
        client.v1.application_fees.refunds.create(ch.application_fee, params={"amount": 101})
    rest = client.v1.application_fees.refunds.create(ch.application_fee)
    assert rest.amount == 100
    fee = client.v1.application_fees.retrieve(ch.application_fee)
    assert fee.amount_refunded == 123 and fee.refunded is True
    with stripe_error(stripe.InvalidRequestError, message="has already been refunded"):
        client.v1.application_fees.refunds.create(ch.application_fee)

    listed = client.v1.application_fees.refunds.list(ch.application_fee)
    assert [r.id for r in listed.data] == [rest.id, fr.id]
    got = client.v1.application_fees.refunds.retrieve(ch.application_fee, fr.id)
    assert got.amount == 23
    upd = client.v1.application_fees.refunds.update(ch.application_fee, fr.id,
                                                    params={"metadata": {"n": "2"}})
    assert upd.metadata.to_dict() == {"why": "goodwill", "n": "2"}
    assert balance(client) == (-123, 123)
    assert balance(client, seller) == (123, 818)


def test_legacy_interfaces(legacy, client, seller):
    ch = legacy.Charge.create(amount=1000, currency="usd", source="tok_visa",
                              application_fee_amount=200, stripe_account=seller)
    fr = legacy.ApplicationFee.refund(ch.application_fee, amount=50)
    assert fr.object == "fee_refund" and fr.amount == 50
    # the deprecated POST /v1/application_fees/{id}/refund answers with the fee
    resp = client.raw_request("post", f"/v1/application_fees/{ch.application_fee}/refund",
                              amount=25)
    fee = client.deserialize(resp, api_mode="V1")
    assert fee.object == "application_fee" and fee.amount_refunded == 75


def test_seller_cannot_read_the_platforms_fees(client, seller):
    ch = charge(client, 1000, account=seller, application_fee_amount=100)
    with stripe_error(stripe.InvalidRequestError, status=404, code="resource_missing",
                      message=f"No such application fee: '{ch.application_fee}'"):
        client.v1.application_fees.retrieve(ch.application_fee, options=as_(seller))
    assert client.v1.application_fees.list(options=as_(seller)).data == []
    with stripe_error(stripe.InvalidRequestError, status=404, code="resource_missing"):
        client.v1.application_fees.refunds.create(ch.application_fee, options=as_(seller))
    other_seller = client.v1.accounts.create().id
    with stripe_error(stripe.InvalidRequestError, status=404):
        client.v1.balance_transactions.retrieve(ch.balance_transaction,
                                                options=as_(other_seller))


def test_fee_on_another_platforms_account_is_refused(client, other):
    foreign = other.v1.accounts.create().id
    with stripe_error(stripe.PermissionError, status=403, code="account_invalid"):
        charge(client, 1000, account=foreign, application_fee_amount=100)


@pytest.mark.skipif(not HAS_INTENTS, reason="PaymentIntents are not routed yet")
def test_direct_payment_intent_on_a_cloned_payment_method(client, seller):
    cus = client.v1.customers.create()
    pm = client.v1.payment_methods.attach("pm_card_visa", params={"customer": cus.id})
    clone = client.v1.payment_methods.create(
        params={"customer": cus.id, "payment_method": pm.id}, options=as_(seller))
    pi = client.v1.payment_intents.create(params={
        "amount": 2000, "currency": "usd", "payment_method": clone.id, "confirm": True,
        "payment_method_types": ["card"], "application_fee_amount": 300,
        "expand": ["latest_charge.application_fee", "latest_charge.balance_transaction"]},
        options=as_(seller))
    assert pi.status == "succeeded" and pi.application_fee_amount == 300
    ch = pi.latest_charge
    assert ch.application_fee.amount == 300 and ch.application_fee.account == seller
    assert ch.balance_transaction.fee == stripe_fee(2000) + 300
    assert balance(client, seller) == (0, 2000 - stripe_fee(2000) - 300)
    assert balance(client) == (0, 300)
    assert [f.charge for f in client.v1.application_fees.list().data] == [ch.id]
