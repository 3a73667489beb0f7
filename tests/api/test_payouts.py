"""Payouts (POST/GET /v1/payouts, GET/POST /v1/payouts/{payout}, .../cancel), for a
connected account (Stripe-Account) and for the platform itself, through the official SDK.

A payout takes its amount from the acting account's available balance at once (a
`payout` balance transaction), is created `pending`, and settles later as its
destination's test bank account says (Stripe's Connect testing guide): 000123456789 is
paid, the failing numbers fail with their failure_code and give the money back (a
`payout_failure` transaction). A pending payout can be canceled (`payout_cancel`).
The session server settles after 0.2 s (the job runner); a second server that would wait
an hour is settled with the sandbox's test helper or canceled.
"""
from __future__ import annotations

import secrets
import time

import pytest
import stripe

from tests.conftest import start_server
from tests.reliability.procs import database  # noqa: F401 (fixture)

from .support import BANK, as_, stripe_error
from .webhook_support import make_receiver  # noqa: F401 (fixture)

INSUFFICIENT = ("You have insufficient funds in your Stripe account for this transfer. Your "
                "card balance is too low.  You can use the /v1/balance endpoint to view your "
                "Stripe balance (for more details, see stripe.com/docs/api#balance).")
FAILING = [
    ("000111111116", "no_account", "The bank account details on file are probably incorrect. "
                                   "No bank account could be located with those details."),
    ("000111111113", "account_closed", "The bank account has been closed."),
    ("000222222227", "insufficient_funds",
     "Your Stripe account has insufficient funds to cover the payout."),
    ("000333333335", "debit_not_authorized",
     "Debit transactions are not approved on the bank account. (Stripe requires bank "
     "accounts to be set up for both credit and debit payouts.)"),
    ("000444444440", "invalid_currency",
     "The bank was unable to process this payout because of its currency. This is probably "
     "because the bank account cannot accept payments in that currency."),
]


def opts(account: str | None) -> dict:
    return as_(account) if account else {}


def add_bank(client, account: str, number: str = "000123456789", **details):
    """A test bank account as an external account of `account`."""
    return client.v1.accounts.external_accounts.create(account, params={
        "external_account": {"object": "bank_account", **BANK, "account_number": number,
                             **details}})


def fund(client, account: str | None, amount: int = 10000) -> None:
    """Available funds: a charge with tok_bypassPending."""
    client.v1.charges.create(params={"amount": amount, "currency": "usd",
                                     "source": "tok_bypassPending"}, options=opts(account))


def available(client, account: str | None) -> int:
    bal = client.v1.balance.retrieve(options=opts(account))
    return sum(b.amount for b in bal.available if b.currency == "usd")


def payout(client, account: str | None, amount: int = 1000, **params) -> stripe.Payout:
    return client.v1.payouts.create(params={"amount": amount, "currency": "usd", **params},
                                    options=opts(account))


def wait_done(client, payout_id: str, account: str | None = None,
              timeout: float = 10.0) -> stripe.Payout:
    deadline = time.monotonic() + timeout
    while True:
        po = client.v1.payouts.retrieve(payout_id, options=opts(account))
        if po.status != "pending":
            return po
        assert time.monotonic() < deadline, f"{payout_id} still pending after {timeout} s"
        time.sleep(0.05)


def payout_events(client, payout_id: str, account: str | None = None) -> list[str]:
    evs = client.v1.events.list(params={"limit": 100, "type": "payout.*"},
                                options=opts(account)).data
    return [e.type for e in reversed(evs) if e.data.object.id == payout_id]


def settle_now(client, payout_id: str, account: str | None = None) -> stripe.Payout:
    resp = client.raw_request("post", f"/v1/test_helpers/payouts/{payout_id}/settle",
                              **({"stripe_account": account} if account else {}))
    return client.deserialize(resp, api_mode="V1")


@pytest.fixture
def custom(client) -> str:
    """A connected account with a test bank account and $100.00 available."""
    acct = client.v1.accounts.create(params={"type": "custom", "country": "US"}).id
    add_bank(client, acct)
    fund(client, acct)
    return acct


# -- a connected account's payout ----------------------------------------------------

def test_connected_account_payout_is_paid(client, custom):
    ba = client.v1.accounts.external_accounts.list(custom).data[0]
    before = available(client, custom)
    po = payout(client, custom, 2500, description="Weekly earnings",
                statement_descriptor="ACME PAYOUT", metadata={"week": "42"})
    assert po.id.startswith("po_") and po.object == "payout"
    assert po.status == "pending" and po.automatic is False and po.livemode is False
    assert (po.amount, po.currency, po.method, po.type) == (2500, "usd", "standard",
                                                            "bank_account")
    assert po.destination == ba.id and po.source_type == "card"
    assert po.description == "Weekly earnings" and po.statement_descriptor == "ACME PAYOUT"
    assert po.metadata.to_dict() == {"week": "42"}
    assert po.reconciliation_status == "not_applicable"
    assert po.failure_code is None and po.failure_balance_transaction is None
    # a standard payout arrives on the next day (00:00 UTC)
    assert po.arrival_date % 86400 == 0 and 0 < po.arrival_date - po.created <= 86400
    # the money left the available balance at once
    assert available(client, custom) == before - 2500
    txn = client.v1.balance_transactions.retrieve(po.balance_transaction, options=as_(custom))
    assert (txn.type, txn.amount, txn.fee, txn.net) == ("payout", -2500, 0, -2500)
    assert txn.reporting_category == "payout" and txn.source == po.id
    assert txn.status == "available" and txn.description == "Weekly earnings"

    done = wait_done(client, po.id, custom)
    assert done.status == "paid" and done.failure_code is None
    assert done.failure_balance_transaction is None
    assert available(client, custom) == before - 2500
    assert payout_events(client, po.id, custom) == ["payout.created", "payout.paid"]
    ev = client.v1.events.list(params={"type": "payout.paid"}, options=as_(custom)).data[0]
    assert ev.account == custom and ev.request.id is None
    # the platform sees none of it
    assert client.v1.payouts.list().data == []
    with stripe_error(stripe.InvalidRequestError, status=404, code="resource_missing"):
        client.v1.payouts.retrieve(po.id)


def test_payout_to_another_external_account(client, custom):
    second = add_bank(client, custom, account_holder_name="Second")
    po = payout(client, custom, 500, destination=second.id,
                expand=["destination", "balance_transaction"])
    assert po.destination.id == second.id and po.destination.object == "bank_account"
    assert po.balance_transaction.amount == -500


def test_instant_payout_to_a_debit_card(client, custom):
    card = client.v1.accounts.external_accounts.create(
        custom, params={"external_account": "tok_visa_debit"})
    po = payout(client, custom, 700, destination=card.id, method="instant")
    assert po.method == "instant" and po.type == "card" and po.destination == card.id
    assert po.arrival_date == po.created
    assert wait_done(client, po.id, custom).status == "paid"


@pytest.mark.parametrize("number,code,message", FAILING)
def test_failing_bank_account_fails_and_returns_the_money(client, number, code, message):
    acct = client.v1.accounts.create(params={"type": "custom", "country": "US"}).id
    add_bank(client, acct, number)
    fund(client, acct)
    before = available(client, acct)
    po = payout(client, acct, 3000)
    assert po.status == "pending" and po.failure_code is None
    assert available(client, acct) == before - 3000

    done = wait_done(client, po.id, acct)
    assert done.status == "failed"
    assert done.failure_code == code and done.failure_message == message
    assert done.balance_transaction == po.balance_transaction
    back = client.v1.balance_transactions.retrieve(done.failure_balance_transaction,
                                                   options=as_(acct))
    assert (back.type, back.amount, back.net, back.source) == ("payout_failure", 3000, 3000,
                                                               po.id)
    assert back.reporting_category == "payout_reversal" and back.status == "available"
    assert available(client, acct) == before
    assert payout_events(client, po.id, acct) == ["payout.created", "payout.failed"]
    bal_ev = client.v1.events.list(params={"type": "balance.available"},
                                   options=as_(acct)).data[0]
    assert bal_ev.data.object.available[0].amount == before


# -- the platform's own payout --------------------------------------------------------

def test_platform_payout_needs_a_bank_account(client):
    fund(client, None)
    with stripe_error(stripe.InvalidRequestError, status=400,
                      message="Sorry, you don't have any external accounts in that currency "
                              "(usd)."):
        payout(client, None)
    platform = client.v1.accounts.retrieve_current().id
    ba = add_bank(client, platform)
    before = available(client, None)
    po = payout(client, None, 1200)
    assert po.destination == ba.id and po.status == "pending"
    assert available(client, None) == before - 1200
    assert wait_done(client, po.id).status == "paid"
    assert [p.id for p in client.v1.payouts.list().data] == [po.id]
    ev = client.v1.events.list(params={"type": "payout.paid"}).data[0]
    assert ev.data.object.id == po.id and getattr(ev, "account", None) is None


def test_other_currency_needs_a_bank_account_in_it(client, custom):
    client.v1.charges.create(params={"amount": 5000, "currency": "eur",
                                     "source": "tok_bypassPending"}, options=as_(custom))
    with stripe_error(stripe.InvalidRequestError, status=400,
                      message="external accounts in that currency (eur)"):
        client.v1.payouts.create(params={"amount": 100, "currency": "eur"},
                                 options=as_(custom))


# -- the balance -----------------------------------------------------------------------

def test_more_than_available_is_refused(client):
    acct = client.v1.accounts.create(params={"type": "custom", "country": "US"}).id
    add_bank(client, acct)
    # pending funds do not count
    client.v1.charges.create(params={"amount": 5000, "currency": "usd", "source": "tok_visa"},
                             options=as_(acct))
    with stripe_error(stripe.InvalidRequestError, status=400, code="balance_insufficient") \
            as info:
        payout(client, acct, 100)
    assert info.value.json_body["error"]["message"] == INSUFFICIENT
    fund(client, acct, 1000)
    with stripe_error(stripe.InvalidRequestError, status=400, code="balance_insufficient"):
        payout(client, acct, available(client, acct) + 1)
    # the whole available balance can be paid out
    po = payout(client, acct, available(client, acct))
    assert available(client, acct) == 0
    assert client.v1.payouts.list(options=as_(acct)).data[0].id == po.id
    # card funds are not a bank_account balance
    fund(client, acct, 1000)
    with stripe_error(stripe.InvalidRequestError, status=400, code="balance_insufficient"):
        payout(client, acct, 100, source_type="bank_account")


def test_refused_payout_writes_nothing(client, custom):
    before = client.v1.balance_transactions.list(options=as_(custom)).data
    with stripe_error(stripe.InvalidRequestError, code="balance_insufficient"):
        payout(client, custom, 10**7)
    assert client.v1.balance_transactions.list(options=as_(custom)).data == before
    assert client.v1.payouts.list(options=as_(custom)).data == []
    assert payout_events(client, "", custom) == []
    assert client.v1.events.list(params={"type": "payout.*"}, options=as_(custom)).data == []


def test_balance_transactions_of_a_payout(client, custom):
    po = payout(client, custom, 800)
    other = payout(client, custom, 300)
    txns = client.v1.balance_transactions.list(params={"payout": po.id},
                                               options=as_(custom)).data
    assert [t.id for t in txns] == [po.balance_transaction]
    assert txns[0].type == "payout" and txns[0].amount == -800
    # the older name of the list, and filters that leave nothing
    hist = client.raw_request("get", "/v1/balance/history", payout=other.id,
                              stripe_account=custom)
    data = client.deserialize(hist, api_mode="V1").data
    assert [t.id for t in data] == [other.balance_transaction]
    assert client.v1.balance_transactions.list(
        params={"payout": po.id, "type": "charge"}, options=as_(custom)).data == []
    assert client.v1.balance_transactions.list(
        params={"payout": po.id, "currency": "eur"}, options=as_(custom)).data == []
    with stripe_error(stripe.InvalidRequestError, status=404, code="resource_missing",
                      param="payout"):
        client.v1.balance_transactions.list(params={"payout": "po_missing"},
                                            options=as_(custom))
    # another account's payout is not found
    with stripe_error(stripe.InvalidRequestError, status=404, param="payout"):
        client.v1.balance_transactions.list(params={"payout": po.id})


# -- cancel and the test helper (a server that would settle after an hour) -------------

def test_cancel_a_pending_payout(slow):
    acct = slow.v1.accounts.create(params={"type": "custom", "country": "US"}).id
    add_bank(slow, acct)
    fund(slow, acct)
    before = available(slow, acct)
    po = payout(slow, acct, 4000)
    assert available(slow, acct) == before - 4000
    done = slow.v1.payouts.cancel(po.id, options=as_(acct))
    assert done.status == "canceled" and done.failure_code is None
    back = slow.v1.balance_transactions.retrieve(done.failure_balance_transaction,
                                                 options=as_(acct))
    assert (back.type, back.amount, back.source) == ("payout_cancel", 4000, po.id)
    assert back.reporting_category == "payout_reversal"
    assert available(slow, acct) == before
    assert payout_events(slow, po.id, acct) == ["payout.created", "payout.canceled"]
    with stripe_error(stripe.InvalidRequestError, status=400,
                      message="Payouts can only be canceled while they are pending."):
        slow.v1.payouts.cancel(po.id, options=as_(acct))
    with stripe_error(stripe.InvalidRequestError, status=400, param="payout"):
        settle_now(slow, po.id, acct)
    assert available(slow, acct) == before


def test_settle_helper_and_paid_payout_cannot_be_canceled(slow):
    platform = slow.v1.accounts.retrieve_current().id
    add_bank(slow, platform)
    fund(slow, None)
    po = payout(slow, None, 600)
    assert slow.v1.payouts.retrieve(po.id).status == "pending"
    paid = settle_now(slow, po.id)
    assert paid.id == po.id and paid.status == "paid"
    with stripe_error(stripe.InvalidRequestError, status=400,
                      message="Payouts can only be canceled while they are pending."):
        slow.v1.payouts.cancel(po.id)
    with stripe_error(stripe.InvalidRequestError, status=400, param="payout"):
        settle_now(slow, po.id)
    assert payout_events(slow, po.id) == ["payout.created", "payout.paid"]
    with stripe_error(stripe.InvalidRequestError, status=404, code="resource_missing"):
        settle_now(slow, "po_missing")


def test_settle_helper_fails_a_failing_account(slow):
    acct = slow.v1.accounts.create(params={"type": "express", "country": "US"}).id
    add_bank(slow, acct, "000111111113")
    fund(slow, acct)
    before = available(slow, acct)
    po = payout(slow, acct, 900)
    failed = settle_now(slow, po.id, acct)
    assert failed.status == "failed" and failed.failure_code == "account_closed"
    assert failed.failure_balance_transaction and available(slow, acct) == before


# -- list, retrieve, update ------------------------------------------------------------

def test_list_filters_and_pagination(slow):
    acct = slow.v1.accounts.create(params={"type": "custom", "country": "US"}).id
    first = add_bank(slow, acct)
    second = add_bank(slow, acct, account_holder_name="Second")
    fund(slow, acct)
    a = payout(slow, acct, 100)
    b = payout(slow, acct, 200, destination=second.id)
    c = payout(slow, acct, 300)
    settle_now(slow, a.id, acct)
    slow.v1.payouts.cancel(b.id, options=as_(acct))

    def ids(**params):
        return [p.id for p in slow.v1.payouts.list(params=params, options=as_(acct)).data]
    assert ids() == [c.id, b.id, a.id]
    assert ids(status="pending") == [c.id]
    assert ids(status="paid") == [a.id]
    assert ids(status="canceled") == [b.id]
    assert ids(status="failed") == []
    assert ids(destination=first.id) == [c.id, a.id]
    assert ids(destination=second.id) == [b.id]
    assert ids(arrival_date=c.arrival_date) == [c.id, b.id, a.id]
    assert ids(arrival_date={"gt": c.arrival_date}) == []
    assert ids(created={"gte": a.created}) == [c.id, b.id, a.id]
    assert ids(created={"lt": a.created}) == []
    assert ids(limit=2) == [c.id, b.id]
    page = slow.v1.payouts.list(params={"limit": 2}, options=as_(acct))
    assert page.has_more is True
    assert ids(limit=2, starting_after=b.id) == [a.id]
    assert ids(ending_before=a.id) == [c.id, b.id]
    assert ids(status="pending", limit=1) == [c.id]
    with stripe_error(stripe.InvalidRequestError, status=404, param="starting_after"):
        ids(starting_after="po_missing")


def test_update_metadata(client, custom):
    po = payout(client, custom, 100, metadata={"a": "1"})
    up = client.v1.payouts.update(po.id, params={"metadata": {"b": "2"}}, options=as_(custom))
    assert up.metadata.to_dict() == {"a": "1", "b": "2"}
    again = client.v1.payouts.retrieve(po.id, options=as_(custom))
    assert again.metadata.to_dict() == {"a": "1", "b": "2"}
    ev = client.v1.events.list(params={"type": "payout.updated"}, options=as_(custom)).data[0]
    assert ev.data.object.id == po.id
    assert ev.data.previous_attributes.to_dict() == {"metadata": {"b": None}}
    with stripe_error(stripe.InvalidRequestError, status=400, param="description"):
        client.raw_request("post", f"/v1/payouts/{po.id}", description="x",
                           stripe_account=custom)


# -- errors name their parameter --------------------------------------------------------

@pytest.mark.parametrize("params,param,status", [
    ({"currency": "usd"}, "amount", 400),
    ({"amount": 0, "currency": "usd"}, "amount", 400),
    ({"amount": -5, "currency": "usd"}, "amount", 400),
    ({"amount": 100}, "currency", 400),
    ({"amount": 100, "currency": "zzz"}, "currency", 400),
    ({"amount": 100, "currency": "usd", "method": "express"}, "method", 400),
    ({"amount": 100, "currency": "usd", "source_type": "paypal"}, "source_type", 400),
    ({"amount": 100, "currency": "usd", "statement_descriptor": "X" * 23},
     "statement_descriptor", 400),
    ({"amount": 100, "currency": "usd", "destination": "ba_missing"}, "destination", 404),
    ({"amount": 100, "currency": "usd", "surprise": "1"}, "surprise", 400),
])
def test_bad_requests_name_the_parameter(client, custom, params, param, status):
    with stripe_error(stripe.InvalidRequestError, status=status, param=param):
        client.v1.payouts.create(params=params, options=as_(custom))
    assert client.v1.payouts.list(options=as_(custom)).data == []


def test_instant_to_a_bank_account_is_refused(client, custom):
    with stripe_error(stripe.InvalidRequestError, status=400,
                      code="instant_payouts_unsupported", param="method"):
        payout(client, custom, 100, method="instant")


def test_destination_must_be_the_acting_accounts(client, custom, seller):
    theirs = add_bank(client, seller)
    with stripe_error(stripe.InvalidRequestError, status=404, code="resource_missing",
                      param="destination", message=theirs.id):
        payout(client, custom, 100, destination=theirs.id)
    # a customer's bank account is no payout destination
    btok = client.v1.tokens.create(params={"bank_account": dict(BANK)}, options=as_(custom))
    cus = client.v1.customers.create(params={"source": btok.id}, options=as_(custom))
    with stripe_error(stripe.InvalidRequestError, status=404, param="destination"):
        payout(client, custom, 100, destination=cus.default_source)


def test_retrieve_unknown_and_foreign(client, custom, other):
    with stripe_error(stripe.InvalidRequestError, status=404, code="resource_missing",
                      message="No such payout: 'po_missing'"):
        client.v1.payouts.retrieve("po_missing", options=as_(custom))
    po = payout(client, custom, 100)
    with stripe_error(stripe.InvalidRequestError, status=404):
        other.v1.payouts.retrieve(po.id)
    with stripe_error(stripe.InvalidRequestError, status=404):
        client.v1.payouts.cancel(po.id)  # the platform, not the account
    assert client.v1.payouts.retrieve(po.id, options=as_(custom)).status in ("pending", "paid")


def test_money_adds_up_after_every_outcome(client):
    """Paid, failed and canceled payouts: the balance is the sum of the transactions."""
    acct = client.v1.accounts.create(params={"type": "custom", "country": "US"}).id
    good = add_bank(client, acct)
    bad = add_bank(client, acct, "000222222227")
    fund(client, acct, 20000)
    start = available(client, acct)
    paid = payout(client, acct, 1000, destination=good.id)
    failed = payout(client, acct, 2000, destination=bad.id)
    wait_done(client, paid.id, acct)
    wait_done(client, failed.id, acct)
    txns = client.v1.balance_transactions.list(params={"limit": 100}, options=as_(acct)).data
    assert available(client, acct) == sum(t.net for t in txns) == start - 1000
    kinds = sorted(t.type for t in txns if t.source in (paid.id, failed.id))
    assert kinds == ["payout", "payout", "payout_failure"]


# -- the SDK's view and webhooks -----------------------------------------------------

def test_every_property_the_sdk_declares_is_present(client, custom):
    declared: set[str] = set()
    for cls in stripe.Payout.__mro__:
        declared |= {k for k in getattr(cls, "__annotations__", {}) if not k.startswith("_")}
    declared -= {"OBJECT_NAME"}
    raw = client.raw_request("post", "/v1/payouts", amount=100, currency="usd",
                             stripe_account=custom)
    body = client.deserialize(raw, api_mode="V1").to_dict()
    assert declared - set(body) == set()
    assert body["trace_id"] == {"status": "pending", "value": None}
    assert body["application_fee"] is None and body["payout_method"] is None


def test_connect_endpoint_receives_the_payout_events(client, custom, make_receiver):
    rec = make_receiver()
    we = client.v1.webhook_endpoints.create(params={
        "url": rec.url, "enabled_events": ["payout.created", "payout.paid"], "connect": True})
    po = payout(client, custom, 1500)
    (paid,) = rec.wait_type("payout.paid")
    assert paid["account"] == custom and paid["data"]["object"]["id"] == po.id
    assert paid["data"]["object"]["status"] == "paid"
    for received in rec.received:
        assert received.verify(we.secret).account == custom
    assert set(rec.types()) == {"payout.created", "payout.paid"}


def test_rejected_account_cannot_pay_out(client):
    acct = client.v1.accounts.create(params={"type": "custom", "country": "US"}).id
    add_bank(client, acct)
    fund(client, acct)
    client.v1.accounts.reject(acct, params={"reason": "fraud"})
    with stripe_error(stripe.InvalidRequestError, status=400, code="payouts_not_allowed",
                      message="Payouts have been disabled on the connected account."):
        payout(client, acct, 100)
    assert client.v1.payouts.list(options=as_(acct)).data == []


# -- exactly once, with two servers on one database -----------------------------------

def test_two_servers_settle_each_payout_once(database):  # noqa: F811
    """Two servers (SQLite file or PostgreSQL), each with its own job runner, and cancels
    racing them: every payout ends paid, failed or canceled exactly once."""
    servers = [start_server(database, payout_seconds=0.3),
               start_server(database, payout_seconds=0.3)]
    try:
        key = "sk_test_" + secrets.token_hex(12)
        clients = [stripe.StripeClient(key, base_addresses={"api": s.base},
                                       max_network_retries=0) for s in servers]
        acct = clients[0].v1.accounts.create(params={"type": "custom", "country": "US"}).id
        good = add_bank(clients[0], acct)
        bad = add_bank(clients[0], acct, "000111111113")
        fund(clients[0], acct, 100000)
        start = available(clients[0], acct)
        created = [payout(clients[i % 2], acct, 100 + i,
                          destination=(bad if i % 3 == 0 else good).id) for i in range(18)]
        canceled = set()
        for po in created[::4]:
            try:
                clients[1].v1.payouts.cancel(po.id, options=as_(acct))
                canceled.add(po.id)
            except stripe.InvalidRequestError as e:  # a runner was first
                assert "only be canceled while they are pending" in str(e)
        done = [wait_done(clients[0], po.id, acct, timeout=20) for po in created]
        time.sleep(0.5)  # a second settlement, if any, would be recorded by now
        events = list(clients[1].v1.events.list(
            params={"limit": 100, "type": "payout.*"}, options=as_(acct)).auto_paging_iter())
        kept = 0
        for po in done:
            types = sorted(e.type for e in events if e.data.object.id == po.id)
            if po.id in canceled:
                want = "payout.canceled"
            else:
                want = "payout.failed" if po.destination == bad.id else "payout.paid"
            assert po.status == want.split(".")[1]
            assert types == sorted(["payout.created", want]), (po.id, types)
            kept += po.amount if po.status == "paid" else 0
        assert available(clients[1], acct) == start - kept
    finally:
        for s in servers:
            s.stop()
