"""Property: money is conserved. For random sequences of direct and destination
charges (with application fees or transfer amounts), separate transfers, refunds (with
refund_application_fee / reverse_transfer), fee refunds, transfer reversals and
make-available calls, after every step:

- every account's balance (available and pending) is the sum of its balance
  transactions, and every transaction's net is its amount minus its fees;
- the balances of the platform and its sellers add up to the charges captured, minus
  the refunds, minus Stripe's fees (2.9% + 30 cents per charge, computed here);
- what the platform sent (transfers, reversals) is what the sellers received, and the
  platform's fee transactions match its ApplicationFee objects;
- no charge is refunded, no transfer reversed, no fee refunded beyond its amount.

Requests that Stripe would refuse (an over-transfer, a reversal the seller cannot
cover) may fail with a 400; they must change nothing.
"""
from __future__ import annotations

import secrets
from dataclasses import dataclass, field

import stripe
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from .money_support import make_available, opts, stripe_fee, txns

pct = st.integers(min_value=1, max_value=100)
amount = st.integers(min_value=50, max_value=5000)
seller_ix = st.integers(min_value=0, max_value=1)
index = st.integers(min_value=0, max_value=50)

CHARGES = st.one_of(
    st.tuples(st.just("direct"), seller_ix, amount, st.integers(0, 100), st.booleans()),
    st.tuples(st.just("destination"), seller_ix, amount,
              st.sampled_from(["fee", "amount", "plain"]), pct, st.booleans()),
    st.tuples(st.just("platform"), amount, st.booleans()),
)
STEPS = st.one_of(
    CHARGES,
    st.tuples(st.just("transfer"), seller_ix, st.integers(1, 3000), st.booleans(), index),
    st.tuples(st.just("refund"), index, pct, st.booleans(), st.booleans()),
    st.tuples(st.just("fee_refund"), index, pct),
    st.tuples(st.just("reverse"), index, pct),
    st.tuples(st.just("make_available"), st.integers(0, 2)),
)


@dataclass
class Model:
    client: stripe.StripeClient
    sellers: list[str]
    charges: list[dict] = field(default_factory=list)   # {id, account, amount}
    fees: list[str] = field(default_factory=list)
    transfers: list[str] = field(default_factory=list)
    captured: int = 0
    refunded: int = 0
    stripe_fees: int = 0

    def add_charge(self, ch, account: str | None) -> None:
        self.charges.append({"id": ch.id, "account": account, "amount": ch.amount,
                             "refunded": 0})
        self.captured += ch.amount
        self.stripe_fees += stripe_fee(ch.amount)
        if ch.application_fee:
            self.fees.append(ch.application_fee)
        if "transfer" in ch and ch.transfer:
            self.transfers.append(ch.transfer)


def run(m: Model, step: tuple) -> None:
    c = m.client
    kind = step[0]
    src = lambda now: "tok_bypassPending" if now else "tok_visa"  # noqa: E731
    if kind == "direct":
        _, s, amt, fee_pct, now = step
        params = {"amount": amt, "currency": "usd", "source": src(now)}
        if fee_pct:
            params["application_fee_amount"] = amt * fee_pct // 100
        m.add_charge(c.v1.charges.create(params=params, options=opts(m.sellers[s])),
                     m.sellers[s])
    elif kind == "destination":
        _, s, amt, mode, p, now = step
        td = {"destination": m.sellers[s]}
        params = {"amount": amt, "currency": "usd", "source": src(now), "transfer_data": td}
        if mode == "fee":
            params["application_fee_amount"] = amt * p // 100
        elif mode == "amount":
            td["amount"] = amt * p // 100
        m.add_charge(c.v1.charges.create(params=params), None)
    elif kind == "platform":
        _, amt, now = step
        m.add_charge(c.v1.charges.create(params={"amount": amt, "currency": "usd",
                                                 "source": src(now)}), None)
    elif kind == "transfer":
        _, s, amt, with_source, i = step
        params = {"amount": amt, "currency": "usd", "destination": m.sellers[s]}
        own = [ch for ch in m.charges if ch["account"] is None]
        if with_source and own:
            params["source_transaction"] = own[i % len(own)]["id"]
        m.transfers.append(c.v1.transfers.create(params=params).id)
    elif kind == "refund" and m.charges:
        _, i, p, fee_back, reverse = step
        ch = m.charges[i % len(m.charges)]
        left = ch["amount"] - ch["refunded"]
        if left <= 0:
            return
        re = c.v1.refunds.create(params={
            "charge": ch["id"], "amount": max(1, left * p // 100),
            "refund_application_fee": fee_back, "reverse_transfer": reverse},
            options=opts(ch["account"]))
        ch["refunded"] += re.amount
        m.refunded += re.amount
    elif kind == "fee_refund" and m.fees:
        _, i, p = step
        fee = c.v1.application_fees.retrieve(m.fees[i % len(m.fees)])
        left = fee.amount - fee.amount_refunded
        if left > 0:
            c.v1.application_fees.refunds.create(fee.id, params={
                "amount": max(1, left * p // 100)})
    elif kind == "reverse" and m.transfers:
        _, i, p = step
        tr = c.v1.transfers.retrieve(m.transfers[i % len(m.transfers)])
        left = tr.amount - tr.amount_reversed
        if left > 0:
            c.v1.transfers.reversals.create(tr.id, params={"amount": max(1, left * p // 100)})
    elif kind == "make_available":
        make_available(c, ([None] + m.sellers)[step[1]])


def check(m: Model) -> None:
    c = m.client
    total = 0
    ledgers = {}
    for acct in [None] + m.sellers:
        rows = txns(c, acct)
        ledgers[acct] = rows
        bal = c.v1.balance.retrieve(options=opts(acct))
        avail = sum(b.amount for b in bal.available if b.currency == "usd")
        pend = sum(b.amount for b in bal.pending if b.currency == "usd")
        assert avail == sum(t.net for t in rows if t.status == "available"), acct
        assert pend == sum(t.net for t in rows if t.status == "pending"), acct
        for t in rows:
            assert t.net == t.amount - t.fee
            assert t.fee == sum(d.amount for d in t.fee_details)
        total += avail + pend
    assert total == m.captured - m.refunded - m.stripe_fees

    def sum_of(acct, type_):
        return sum(t.amount for t in ledgers[acct] if t.type == type_)
    sellers = m.sellers
    assert sum_of(None, "transfer") == -sum(sum_of(s, "payment") for s in sellers)
    assert sum_of(None, "transfer_refund") == -sum(sum_of(s, "payment_refund") for s in sellers)
    assert sum_of(None, "application_fee_refund") == -sum(
        sum_of(s, "application_fee_refund") for s in sellers)
    fees = list(c.v1.application_fees.list(params={"limit": 100}).auto_paging_iter())
    assert sum_of(None, "application_fee") == sum(f.amount for f in fees)
    assert sum_of(None, "application_fee_refund") == -sum(f.amount_refunded for f in fees)
    assert all(0 <= f.amount_refunded <= f.amount for f in fees)
    for tr in c.v1.transfers.list(params={"limit": 100}).auto_paging_iter():
        assert 0 <= tr.amount_reversed <= tr.amount
    for ch in m.charges:
        got = c.v1.charges.retrieve(ch["id"], options=opts(ch["account"]))
        assert got.amount_refunded == ch["refunded"] <= got.amount


@settings(max_examples=20, deadline=None, database=None,
          suppress_health_check=[HealthCheck.too_slow])
@given(first=st.lists(CHARGES, min_size=1, max_size=3),
       then=st.lists(STEPS, min_size=3, max_size=8))
def test_money_is_conserved(server, first, then):
    client = stripe.StripeClient("sk_test_" + secrets.token_hex(12),
                                 base_addresses={"api": server.base}, max_network_retries=0)
    sellers = [client.v1.accounts.create(params={"type": "standard"}).id,
               client.v1.accounts.create(params={"controller": {
                   "fees": {"payer": "application"},
                   "stripe_dashboard": {"type": "none"}}}).id]
    m = Model(client, sellers)
    for step in first + then:
        try:
            run(m, step)
        except stripe.InvalidRequestError as err:
            assert err.http_status == 400, (step, err.json_body)
        check(m)
