"""Legacy ACH charges settle later, as in Stripe's test mode: created `pending`
(charge.pending) with a pending balance transaction, then `succeeded`
(charge.succeeded) or, for the failing test accounts, `failed` with Stripe's failure
code (charge.failed) and the money given back (a payment_failure_refund, the charge's
failure_balance_transaction). The session server settles after 0.2 s (the job runner);
a second server that would wait an hour is settled with the sandbox's test helper."""
from __future__ import annotations

import secrets
import threading
import time

import pytest
import stripe

from connect_sandbox.store import jobs, open_store
from tests.conftest import start_server

from .ach_support import bank_customer, opts, settle_now, wait_settled
from .money_support import stripe_fee, txns
from .support import as_, stripe_error

FAILING = [("000111111116", "no_account", "could not be located"),
           ("000111111113", "account_closed", "has been closed"),
           ("000222222227", "insufficient_funds", "insufficient funds"),
           ("000333333335", "debit_not_authorized", "unauthorized"),
           ("000444444440", "invalid_currency", "currency")]


def charge_events(client, charge_id: str, account: str | None = None) -> list[str]:
    """The types of the charge.* events about `charge_id`, oldest first."""
    evs = client.v1.events.list(params={"limit": 100, "type": "charge.*"},
                                options=opts(account)).data
    return [e.type for e in reversed(evs) if e.data.object.id == charge_id]


def total_balance(client, account: str | None = None) -> int:
    bal = client.v1.balance.retrieve(options=opts(account))
    return sum(b.amount for b in bal.available + bal.pending if b.currency == "usd")


def ach_charge(client, customer: str, amount: int = 1000, account: str | None = None,
               **params) -> stripe.Charge:
    return client.v1.charges.create(params={"amount": amount, "currency": "usd",
                                            "customer": customer, **params},
                                    options=opts(account))


# -- the seed flow ---------------------------------------------------------------------

def test_seed_flow_with_bank_accounts_settles(client, seller):
    original, ba = bank_customer(client)
    tok = client.v1.tokens.create(params={"customer": original.id, "bank_account": ba.id},
                                  options=as_(seller))
    # the clone keeps the original's verification: it can be charged at once
    assert tok.bank_account.status == "verified"
    clone = client.v1.customers.create(params={"source": tok.id}, options=as_(seller))
    ch = ach_charge(client, clone.id, 2500, account=seller)
    assert ch.status == "pending" and ch.paid is True and ch.captured is True
    assert ch.payment_method_details.type == "ach_debit"
    assert ch.outcome.risk_level == "not_assessed" and ch.failure_code is None
    txn = client.v1.balance_transactions.retrieve(ch.balance_transaction, options=as_(seller))
    assert txn.status == "pending" and txn.amount == 2500 and txn.type == "charge"
    fee = stripe_fee(2500)
    assert txn.fee == fee

    done = wait_settled(client, ch.id, seller)
    assert done.status == "succeeded" and done.paid is True and done.failure_code is None
    assert done.balance_transaction == ch.balance_transaction
    assert done.outcome.seller_message == "Payment complete."
    assert done.amount_refunded == 0 and done.refunded is False
    assert charge_events(client, ch.id, seller) == ["charge.pending", "charge.succeeded"]
    bal = client.v1.balance.retrieve(options=as_(seller))
    assert [(b.amount, b.source_types.bank_account) for b in bal.pending] == [
        (2500 - fee, 2500 - fee)]
    # the platform's original customer has no charge
    assert client.v1.charges.list(params={"customer": original.id}).data == []


def test_succeeded_event_is_automatic(client):
    cus, _ = bank_customer(client)
    ch = ach_charge(client, cus.id)
    wait_settled(client, ch.id)
    ev = client.v1.events.list(params={"type": "charge.succeeded"}).data[0]
    assert ev.data.object.id == ch.id and ev.data.object.status == "succeeded"
    assert ev.request.id is None and ev.request.idempotency_key is None
    pending = client.v1.events.list(params={"type": "charge.pending"}).data[0]
    assert pending.data.object.status == "pending" and pending.request.id


# -- failures --------------------------------------------------------------------------

@pytest.mark.parametrize("number,code,words", FAILING)
def test_failing_account_fails_later(client, number, code, words):
    cus, _ = bank_customer(client, number)
    ch = ach_charge(client, cus.id)
    assert ch.status == "pending" and ch.paid is True and ch.failure_code is None
    done = wait_settled(client, ch.id)
    assert done.status == "failed" and done.paid is False
    assert done.failure_code == code and words in done.failure_message
    assert done.outcome.network_status == "declined_by_network"
    assert done.outcome.type == "issuer_declined"
    assert done.balance_transaction == ch.balance_transaction
    back = client.v1.balance_transactions.retrieve(done.failure_balance_transaction)
    assert back.type == "payment_failure_refund"
    assert back.reporting_category == "charge_failure"
    assert back.amount == -1000 and back.fee == -stripe_fee(1000)
    assert back.net == -(1000 - stripe_fee(1000)) and back.source == ch.id
    assert total_balance(client) == 0
    assert charge_events(client, ch.id) == ["charge.pending", "charge.failed"]
    failed = client.v1.events.list(params={"type": "charge.failed"}).data[0]
    assert failed.data.object.failure_code == code


def test_failure_keeps_refunds_made_while_pending(slow):
    cus, _ = bank_customer(slow, "000222222227")
    ch = ach_charge(slow, cus.id)
    slow.v1.refunds.create(params={"charge": ch.id, "amount": 400})
    done = settle_now(slow, ch.id)
    assert done.status == "failed" and done.amount_refunded == 400
    back = slow.v1.balance_transactions.retrieve(done.failure_balance_transaction)
    assert back.amount == -600
    assert total_balance(slow) == 0


def test_direct_charge_failure_gives_the_application_fee_back(slow):
    seller = slow.v1.accounts.create(params={"type": "standard"}).id
    cus, _ = bank_customer(slow, "000111111113", account=seller)
    ch = ach_charge(slow, cus.id, 2000, account=seller, application_fee_amount=300)
    assert total_balance(slow) == 300
    done = settle_now(slow, ch.id, seller)
    assert done.status == "failed" and done.failure_code == "account_closed"
    fee = slow.v1.application_fees.retrieve(ch.application_fee)
    assert fee.refunded is True and fee.amount_refunded == 300
    assert total_balance(slow) == 0 and total_balance(slow, seller) == 0
    seller_rows = txns(slow, seller)
    assert sorted(t.type for t in seller_rows) == [
        "application_fee_refund", "charge", "payment_failure_refund"]


def test_direct_charge_failure_returns_a_platform_paid_fee(slow):
    seller = slow.v1.accounts.create(params={"controller": {
        "fees": {"payer": "application"}, "stripe_dashboard": {"type": "none"}}}).id
    cus, _ = bank_customer(slow, "000222222227", account=seller)
    ch = ach_charge(slow, cus.id, 1500, account=seller)
    assert total_balance(slow) == -stripe_fee(1500)
    settle_now(slow, ch.id, seller)
    assert total_balance(slow) == 0 and total_balance(slow, seller) == 0
    assert sorted(t.amount for t in txns(slow) if t.type == "stripe_fee") == [
        -stripe_fee(1500), stripe_fee(1500)]


@pytest.mark.parametrize("extra", [{"application_fee_amount": 250},
                                   {"transfer_data": {"amount": 700}}])
def test_destination_charge_failure_reverses_the_transfer(client, seller, extra):
    cus, _ = bank_customer(client, "000333333335")
    td = {"destination": seller, **extra.get("transfer_data", {})}
    params = {k: v for k, v in extra.items() if k != "transfer_data"}
    ch = ach_charge(client, cus.id, 3000, transfer_data=td, **params)
    done = wait_settled(client, ch.id)
    assert done.status == "failed" and done.failure_code == "debit_not_authorized"
    tr = client.v1.transfers.retrieve(ch.transfer)
    assert tr.reversed is True and tr.amount_reversed == tr.amount
    if ch.application_fee:
        assert client.v1.application_fees.retrieve(ch.application_fee).refunded is True
    assert total_balance(client) == 0 and total_balance(client, seller) == 0


def test_successful_destination_charge_keeps_its_transfer(client, seller):
    cus, _ = bank_customer(client)
    ch = ach_charge(client, cus.id, 3000, transfer_data={"destination": seller})
    assert wait_settled(client, ch.id).status == "succeeded"
    assert client.v1.transfers.retrieve(ch.transfer).amount_reversed == 0
    assert total_balance(client, seller) == 3000


# -- the test helper and exactly-once settlement ---------------------------------------

def test_settle_helper_succeeds_once(slow):
    cus, _ = bank_customer(slow)
    ch = ach_charge(slow, cus.id)
    got = settle_now(slow, ch.id)
    assert got.id == ch.id and got.status == "succeeded"
    with stripe_error(stripe.InvalidRequestError, status=400, param="charge",
                      message="already settled"):
        settle_now(slow, ch.id)
    assert slow.v1.charges.retrieve(ch.id).status == "succeeded"
    assert charge_events(slow, ch.id) == ["charge.pending", "charge.succeeded"]


@pytest.mark.parametrize("number,code,words", FAILING[:2])
def test_settle_helper_fails_failing_accounts(slow, number, code, words):
    seller = slow.v1.accounts.create(params={"type": "standard"}).id
    cus, _ = bank_customer(slow, number, account=seller)
    ch = ach_charge(slow, cus.id, account=seller, application_fee_amount=100)
    got = settle_now(slow, ch.id, seller)
    assert got.status == "failed" and got.failure_code == code and got.paid is False
    assert total_balance(slow) == 0 and total_balance(slow, seller) == 0
    assert charge_events(slow, ch.id, seller) == ["charge.pending", "charge.failed"]


def test_settle_helper_errors(slow, slow_server):
    with stripe_error(stripe.InvalidRequestError, status=404, code="resource_missing"):
        settle_now(slow, "ch_missing")
    card = slow.v1.charges.create(params={"amount": 1000, "currency": "usd",
                                          "source": "tok_visa"})
    with stripe_error(stripe.InvalidRequestError, status=400, param="charge",
                      message="not an ACH charge"):
        settle_now(slow, card.id)
    cus, _ = bank_customer(slow)
    ch = ach_charge(slow, cus.id)
    other = stripe.StripeClient("sk_test_" + secrets.token_hex(12),
                                base_addresses={"api": slow_server.base},
                                max_network_retries=0)
    with stripe_error(stripe.InvalidRequestError, status=404):
        settle_now(other, ch.id)  # another platform's charge
    assert slow.v1.charges.retrieve(ch.id).status == "pending"


def test_helper_racing_the_runner_settles_once(client):
    """The session server's runner settles after 0.2 s; the helper called around then
    either settles first or finds the charge settled, never both."""
    cus, _ = bank_customer(client)
    charges = [ach_charge(client, cus.id, 100 + i) for i in range(8)]
    results: dict[str, str] = {}

    def settle(ch_id: str) -> None:
        try:
            results[ch_id] = settle_now(client, ch_id).status
        except stripe.InvalidRequestError as err:
            assert "already settled" in err.user_message
            results[ch_id] = "runner"
    threads = [threading.Thread(target=settle, args=(ch.id,)) for ch in charges]
    for t in threads:
        t.start()
    for t in threads:
        t.join(10)
    assert set(results) == {ch.id for ch in charges}
    for ch in charges:
        assert wait_settled(client, ch.id).status == "succeeded"
    time.sleep(0.4)  # past the due time: a runner that settled again would show now
    for ch in charges:
        assert charge_events(client, ch.id) == ["charge.pending", "charge.succeeded"]
    bal = client.v1.balance.retrieve()
    assert sum(b.amount for b in bal.pending) == sum(
        c.amount - stripe_fee(c.amount) for c in charges)


def test_a_pending_charge_settles_after_a_restart(tmp_path):
    """The job is stored with the charge: a server started later settles it."""
    db = f"sqlite:///{tmp_path / 'restart.db'}"
    key = "sk_test_" + secrets.token_hex(12)
    first = start_server(db, ach_settle_seconds=1.5)
    try:
        c = stripe.StripeClient(key, base_addresses={"api": first.base},
                                max_network_retries=0)
        cus, _ = bank_customer(c, "000111111116")
        ch = ach_charge(c, cus.id)
    finally:
        first.stop()
    store = open_store(db)
    try:
        with store.transaction(write=False) as tx:
            assert [j["state"] for j in jobs.of_object(tx, ch.id)] == ["pending"]
    finally:
        store.close()
    second = start_server(db)
    try:
        c = stripe.StripeClient(key, base_addresses={"api": second.base},
                                max_network_retries=0)
        done = wait_settled(c, ch.id)
        assert done.status == "failed" and done.failure_code == "no_account"
        assert charge_events(c, ch.id) == ["charge.pending", "charge.failed"]
    finally:
        second.stop()
