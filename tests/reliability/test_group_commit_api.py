"""Group commit seen from the API: on SQLite the write requests that are ready together
share one transaction, each in its own savepoint (store/group_commit.py). Through the
official SDK, against real servers, the API must behave exactly as if every request had
its own transaction:

- one Idempotency-Key raced 32 times: one execution, 31 replays of the same body, never
  a 409 (SQLite writers never overlap), never a 500;
- single-use things (a token, an unattached PaymentMethod, its clone, a single-use
  Source) raced: one success, Stripe's error for the rest, and the losers' writes (a
  customer made before the token was found used) gone;
- a decline (402, its failed charge kept), a 400, a 404 or an unexpected error (500)
  inside a batch leaves the other requests of the batch whole; a 500 under a raced key
  saves nothing, so the next request with that key runs;
- a batch whose COMMIT fails: each of its requests gets a 500 and none of their writes
  land, and the server (and any other process on the file) writes on;
- kill -9 under write load: every acknowledged request is there after the restart, and
  nothing is half-written;
- two server processes on one SQLite file: no lost write, no 500, no "database is
  locked", balances equal to their balance transactions;
- money: concurrent transfers, debits, refunds and reversals never spend more than there
  is.

Every request has a timeout and every race a deadline; all servers are on loopback.
"""
from __future__ import annotations

import secrets
import sqlite3
import threading
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from typing import Any, Callable

import pytest
import stripe
from sqlalchemy import event

from connect_sandbox.services import events as events_service
from connect_sandbox.store import hot
from connect_sandbox.store.group_commit import MAX_BATCH, GroupCommit

from ..conftest import start_server
from .procs import ServerProcess

RACERS = 32
REQUEST_TIMEOUT = 30   # seconds, every SDK request
RACE_TIMEOUT = 90      # seconds, a whole race


# -- helpers ------------------------------------------------------------------------------

def _key(tag: str = "gc") -> str:
    return f"sk_test_{tag}" + secrets.token_hex(8)


def sdk(base: str, key: str) -> stripe.StripeClient:
    return stripe.StripeClient(key, base_addresses={"api": base}, max_network_retries=0,
                               http_client=stripe.RequestsClient(timeout=REQUEST_TIMEOUT))


def race(base: str, key: str, call: Callable[[stripe.StripeClient, int], Any],
         n: int = RACERS, bases: list[str] | None = None) -> list[Any]:
    """n calls released together, each on its own client (its own connection, opened
    before the start line); each result is the SDK's object or the StripeError raised."""
    barrier = threading.Barrier(n, timeout=RACE_TIMEOUT)
    targets = bases or [base]
    clients = [sdk(targets[i % len(targets)], key) for i in range(n)]

    def one(i: int) -> Any:
        clients[i].v1.balance.retrieve()  # connect (and warm up) before the start
        barrier.wait()
        try:
            return call(clients[i], i)
        except stripe.StripeError as exc:
            return exc

    with ThreadPoolExecutor(n) as pool:
        futures = [pool.submit(one, i) for i in range(n)]
        return [f.result(timeout=RACE_TIMEOUT) for f in futures]


def errors_of(results: list[Any]) -> list[stripe.StripeError]:
    return [r for r in results if isinstance(r, stripe.StripeError)]


def outcome(r: Any) -> tuple[int, str | None]:
    if isinstance(r, stripe.StripeError):
        return r.http_status, r.code
    return 200, None


def plain(obj: Any) -> dict:
    """An SDK object as a dict (StripeObject has no .get())."""
    return obj.to_dict() if obj is not None else {}


def as_(account: str) -> dict[str, str]:
    return {"stripe_account": account}


def balance_matches_transactions(client: stripe.StripeClient, account: str | None) -> dict:
    """The account's balance (available + pending per currency) is the sum of the nets
    of its balance transactions; returns {currency: (available, pending)}."""
    opts = as_(account) if account else {}
    bal = client.v1.balance.retrieve(options=opts)
    totals: Counter = Counter()
    for txn in client.v1.balance_transactions.list(
            params={"limit": 100}, options=opts).auto_paging_iter():
        totals[txn.currency] += txn.net
    shown: dict[str, list[int]] = {}
    for kind in ("available", "pending"):
        for amount in getattr(bal, kind):
            shown.setdefault(amount.currency, [0, 0])[kind == "pending"] += amount.amount
    for currency in set(totals) | set(shown):
        avail, pending = shown.get(currency, [0, 0])
        assert avail + pending == totals[currency], (account, currency, avail, pending,
                                                     totals[currency])
    return {c: tuple(v) for c, v in shown.items()}


# -- an in-process server whose batches are counted ----------------------------------------

BATCHES: list[int] = []


@pytest.fixture(scope="module", params=["off", "on"])
def srv(request, tmp_path_factory):
    """A server (uvicorn in a thread, its answers schema-checked) on a fresh SQLite file;
    every batch the group commit runs is counted in BATCHES. Once as one worker runs,
    once speculating (store/speculation.py): the racers then also race each other's
    snapshots, and all but the first replayed find what they read changed."""
    original = GroupCommit._flush

    def counted(self):  # noqa: ANN001
        BATCHES.append(sum(1 for entry in self._pending[:MAX_BATCH]
                           if not entry[-1].cancelled()))
        original(self)

    GroupCommit._flush = counted
    running = start_server(f"sqlite:///{tmp_path_factory.mktemp('gc') / 'sandbox.db'}",
                           speculate=request.param)
    running.speculating = request.param == "on"
    try:
        yield running
    finally:
        running.stop()
        GroupCommit._flush = original
        print("batches:", sorted(Counter(BATCHES).items()))


def batched(since: int) -> int:
    """The largest batch run since BATCHES had `since` entries."""
    return max(BATCHES[since:], default=0)


def until_batched(round_: Callable[[int], None], rounds: int = 5) -> None:
    """Run round_(i) until one of its races ran at least two requests in one
    transaction (almost always the first): a race served one by one proves nothing
    about group commit."""
    for i in range(rounds):
        mark = len(BATCHES)
        round_(i)
        if batched(mark) > 1:
            return
    pytest.fail(f"no race of {rounds} shared a transaction: {BATCHES[-20:]}")


# -- one idempotency key, raced -----------------------------------------------------------

def test_one_idempotency_key_raced_executes_once_and_replays_the_same_body(srv):
    key = _key()
    platform = sdk(srv.base, key)
    target = platform.v1.charges.create(params={"amount": 5000, "currency": "usd",
                                                "source": "tok_visa"})

    def customers(c, i, idem, tag):
        return c.v1.customers.create(params={"email": f"{tag}@gc.test", "source": "tok_visa",
                                             "metadata": {"tag": tag}},
                                     options={"idempotency_key": idem})

    def charges(c, i, idem, tag):
        return c.v1.charges.create(params={"amount": 1234, "currency": "usd",
                                           "source": "tok_visa", "metadata": {"tag": tag},
                                           "expand": ["balance_transaction"]},
                                   options={"idempotency_key": idem})

    def refunds(c, i, idem, tag):
        return c.v1.refunds.create(params={"charge": target.id, "amount": 100,
                                           "metadata": {"tag": tag}},
                                   options={"idempotency_key": idem})

    def round_(n: int) -> None:
        for make in (customers, charges, refunds):
            tag = f"{make.__name__}-{n}-{secrets.token_hex(4)}"
            idem = "idem-" + tag
            rs = race(srv.base, key, lambda c, i: make(c, i, idem, tag))
            assert not errors_of(rs), [outcome(r) for r in errors_of(rs)]
            assert len({r.id for r in rs}) == 1
            assert len({r.last_response.body for r in rs}) == 1  # byte for byte
            replayed = Counter(r.last_response.headers.get("Idempotent-Replayed") for r in rs)
            assert replayed == {None: 1, "true": RACERS - 1}, replayed
            originals = {r.last_response.headers.get("Original-Request") for r in rs}
            fresh = [r for r in rs if "Idempotent-Replayed" not in r.last_response.headers]
            assert originals == {fresh[0].last_response.request_id}
            made = rs[0]
            if make is customers:
                found = platform.v1.customers.list(params={"email": f"{tag}@gc.test"}).data
                assert [c.id for c in found] == [made.id]
                assert len(platform.v1.customers.payment_sources.list(made.id).data) == 1
            elif make is charges:
                found = [c for c in platform.v1.charges.list(params={"limit": 100}).data
                         if plain(c.metadata).get("tag") == tag]
                assert [c.id for c in found] == [made.id]
                assert platform.v1.balance_transactions.list(
                    params={"source": made.id}).data[0].id == made.balance_transaction.id
            else:
                found = [r for r in platform.v1.refunds.list(
                    params={"charge": target.id, "limit": 100}).data
                    if plain(r.metadata).get("tag") == tag]
                assert [r.id for r in found] == [made.id]
            kind = {customers: "customer.created", charges: "charge.succeeded",
                    refunds: "refund.created"}[make]
            created = [e for e in platform.v1.events.list(
                params={"type": kind, "limit": 100}).auto_paging_iter()
                if plain(e.data.object).get("id") == made.id]
            assert len(created) == 1, (kind, len(created))

    until_batched(round_)
    ch = platform.v1.charges.retrieve(target.id)
    refunded = len([r for r in platform.v1.refunds.list(
        params={"charge": target.id, "limit": 100}).data])
    assert ch.amount_refunded == 100 * refunded
    balance_matches_transactions(platform, None)


def test_one_idempotency_key_raced_on_a_decline_keeps_one_failed_charge(srv):
    """A decline is an answer like any other: the first request stores its failed charge
    and the 402 under the key; the 31 others replay that 402 (same charge id)."""
    key = _key()
    platform = sdk(srv.base, key)

    def round_(n: int) -> None:
        tag = f"declined{n}-{secrets.token_hex(4)}"
        rs = race(srv.base, key, lambda c, i: c.v1.charges.create(params={
            "amount": 4321, "currency": "usd", "source": "tok_chargeDeclined",
            "metadata": {"tag": tag}}, options={"idempotency_key": "idem-" + tag}))
        assert all(isinstance(r, stripe.CardError) and r.http_status == 402 for r in rs), \
            Counter(map(outcome, rs))
        assert len({r.error.charge for r in rs}) == 1
        assert len({r.http_body for r in rs}) == 1
        assert Counter(r.headers.get("Idempotent-Replayed") for r in rs) == {
            None: 1, "true": RACERS - 1}
        mine = [c for c in platform.v1.charges.list(params={"limit": 100}).auto_paging_iter()
                if plain(c.metadata).get("tag") == tag]
        assert [(c.id, c.status) for c in mine] == [(rs[0].error.charge, "failed")]

    until_batched(round_)


def test_one_idempotency_key_raced_with_two_bodies_executes_one_of_them(srv):
    """Half the racers send other parameters under the same key: whichever request ran
    first is the one executed; the same parameters replay it, the others get Stripe's
    idempotency_error (400), whether they ran in its batch or after its commit."""
    key = _key()
    platform = sdk(srv.base, key)

    def round_(n: int) -> None:
        tag = f"two{n}-{secrets.token_hex(4)}"
        idem = "idem-" + tag
        rs = race(srv.base, key, lambda c, i: c.v1.customers.create(
            params={"email": f"{tag}-{i % 2}@gc.test"}, options={"idempotency_key": idem}))
        ok = [r for r in rs if not isinstance(r, stripe.StripeError)]
        assert len({r.id for r in ok}) == 1 and len({r.email for r in ok}) == 1
        winner = ok[0].email
        for i, r in enumerate(rs):
            if f"{tag}-{i % 2}@gc.test" == winner:
                assert not isinstance(r, stripe.StripeError), outcome(r)
            else:
                assert isinstance(r, stripe.IdempotencyError), outcome(r)
                assert r.http_status == 400
        assert len(ok) == RACERS // 2
        assert Counter(r.last_response.headers.get("Idempotent-Replayed") for r in ok) == {
            None: 1, "true": RACERS // 2 - 1}
        made = [c for c in platform.v1.customers.list(params={"limit": 100}).auto_paging_iter()
                if (c.email or "").startswith(tag)]
        assert [c.id for c in made] == [ok[0].id]

    until_batched(round_)


# -- single-use things, raced -------------------------------------------------------------

def test_a_single_use_token_raced_is_used_once_and_the_losers_write_nothing(srv):
    key = _key()
    platform = sdk(srv.base, key)

    def round_(n: int) -> None:
        tok = platform.v1.tokens.create(params={"card": {
            "number": "4242424242424242", "exp_month": 12, "exp_year": 2040, "cvc": "123"}})
        email = f"tok{n}-{secrets.token_hex(4)}@gc.test"
        # customers.create writes the customer (and its event) before it finds the token
        # used: a loser's 400 must take those writes with it.
        rs = race(srv.base, key, lambda c, i: c.v1.customers.create(
            params={"email": email, "source": tok.id}))
        codes = Counter(outcome(r) for r in rs)
        assert codes == {(200, None): 1, (400, "token_already_used"): RACERS - 1}, codes
        winner = next(r for r in rs if not isinstance(r, stripe.StripeError))
        made = platform.v1.customers.list(params={"email": email}).data
        assert [c.id for c in made] == [winner.id]
        assert made[0].default_source == tok.card.id
        events = [e for e in platform.v1.events.list(
            params={"type": "customer.created", "limit": 100}).data
            if plain(e.data.object).get("email") == email]
        assert len(events) == 1
        assert platform.v1.tokens.retrieve(tok.id).used is True

    until_batched(round_)


def test_an_unattached_payment_method_and_its_clone_raced_are_used_once(srv):
    key = _key()
    platform = sdk(srv.base, key)
    seller = platform.v1.accounts.create(params={"type": "standard"}).id

    def round_(n: int) -> None:
        pm = platform.v1.payment_methods.create(params={"type": "card",
                                                        "card": {"token": "tok_visa"}})
        # 1. sharing a PaymentMethod without a customer uses it up: one clone
        rs = race(srv.base, key, lambda c, i: c.v1.payment_methods.create(
            params={"payment_method": pm.id}, options=as_(seller)))
        codes = Counter(outcome(r) for r in rs)
        assert codes[(200, None)] == 1 and sum(codes.values()) == RACERS, codes
        for err in errors_of(rs):
            assert isinstance(err, stripe.InvalidRequestError) and err.http_status == 400
            assert err.param == "payment_method", err.user_message
        clone = next(r for r in rs if not isinstance(r, stripe.StripeError))
        assert platform.v1.payment_methods.retrieve(clone.id, options=as_(seller)).id == clone.id
        # 2. the clone, unattached, confirmed by many PaymentIntents: one charge
        rs = race(srv.base, key, lambda c, i: c.v1.payment_intents.create(params={
            "amount": 1000 + i, "currency": "usd", "payment_method": clone.id,
            "confirm": True, "payment_method_types": ["card"]}, options=as_(seller)))
        ok = [r for r in rs if not isinstance(r, stripe.StripeError)]
        assert len(ok) == 1 and ok[0].status == "succeeded", Counter(map(outcome, rs))
        for err in errors_of(rs):
            assert err.http_status == 400 and err.param == "payment_method", outcome(err)
        charges = [c for c in platform.v1.charges.list(
            params={"limit": 100}, options=as_(seller)).data if c.payment_method == clone.id]
        assert [c.amount for c in charges] == [ok[0].amount]
        intents = [p for p in platform.v1.payment_intents.list(
            params={"limit": 100}, options=as_(seller)).data if p.payment_method == clone.id]
        # a PaymentIntent refused at creation is not created (as on Stripe)
        assert [p.id for p in intents] == [ok[0].id]

    until_batched(round_)


def test_a_single_use_source_raced_is_charged_once(srv):
    key = _key()
    platform = sdk(srv.base, key)

    def round_(n: int) -> None:
        src = platform.v1.sources.create(params={"type": "card", "token": "tok_visa",
                                                 "usage": "single_use"})
        rs = race(srv.base, key, lambda c, i: c.v1.charges.create(params={
            "amount": 700 + i, "currency": "usd", "source": src.id}))
        codes = Counter(outcome(r) for r in rs)
        assert codes == {(200, None): 1, (400, "source_unavailable"): RACERS - 1}, codes
        winner = next(r for r in rs if not isinstance(r, stripe.StripeError))
        charged = [c for c in platform.v1.charges.list(params={"limit": 100}).data
                   if c.source and c.source.id == src.id]
        assert [c.id for c in charged] == [winner.id]
        assert platform.v1.sources.retrieve(src.id).status == "consumed"

    until_batched(round_)
    balance_matches_transactions(platform, None)


# -- failures inside a batch ----------------------------------------------------------------

def test_a_decline_a_400_and_a_404_in_a_batch_leave_the_others_whole(srv):
    """Six kinds of request raced together: charges that succeed; declined charges and
    declined PaymentIntents (402: the failed charge, and the PaymentIntent with its
    last_payment_error, are kept, as on Stripe); a customer whose token is already used
    (400 after the customer and its event were written: nothing kept); a validation
    error (400); a capture of a missing charge (404)."""
    key = _key()
    platform = sdk(srv.base, key)
    kinds = 6
    count = Counter(i % kinds for i in range(RACERS))

    def round_(n: int) -> None:
        tag = f"mix{n}-{secrets.token_hex(4)}"
        used = platform.v1.tokens.create(params={"card": {
            "number": "4242424242424242", "exp_month": 12, "exp_year": 2040}})
        platform.v1.customers.create(params={"source": used.id})
        md = {"tag": tag}

        def call(c, i):
            kind = i % kinds
            if kind == 0:
                return c.v1.charges.create(params={
                    "amount": 1000 + i, "currency": "usd", "source": "tok_visa",
                    "metadata": md})
            if kind == 1:
                return c.v1.charges.create(params={
                    "amount": 1000 + i, "currency": "usd", "source": "tok_chargeDeclined",
                    "metadata": md})
            if kind == 2:
                return c.v1.payment_intents.create(params={
                    "amount": 1000 + i, "currency": "usd", "confirm": True,
                    "payment_method": "pm_card_chargeDeclined",
                    "payment_method_types": ["card"], "metadata": md})
            if kind == 3:
                return c.v1.customers.create(params={
                    "email": f"{tag}-{i}@gc.test", "source": used.id})
            if kind == 4:
                return c.v1.charges.create(params={
                    "amount": 1000 + i, "currency": "not-a-currency", "source": "tok_visa",
                    "metadata": md})
            return c.v1.charges.capture(f"ch_missing{tag}{i}".replace("-", ""))

        rs = race(srv.base, key, call)
        for i, r in enumerate(rs):
            kind = i % kinds
            if kind == 0:
                assert not isinstance(r, stripe.StripeError), outcome(r)
                assert r.status == "succeeded" and r.amount == 1000 + i
            elif kind in (1, 2):
                assert isinstance(r, stripe.CardError), outcome(r)
                assert (r.http_status, r.code) == (402, "card_declined")
                failed = platform.v1.charges.retrieve(r.error.charge)  # kept
                assert (failed.status, failed.amount) == ("failed", 1000 + i)
                assert failed.metadata["tag"] == tag and failed.balance_transaction is None
                if kind == 2:
                    pi = platform.v1.payment_intents.retrieve(r.error.payment_intent.id)
                    assert pi.status == "requires_payment_method" and pi.amount == 1000 + i
                    assert pi.last_payment_error.code == "card_declined"
                    assert pi.latest_charge == failed.id
            elif kind == 3:
                assert outcome(r) == (400, "token_already_used"), outcome(r)
            elif kind == 4:
                assert isinstance(r, stripe.InvalidRequestError), outcome(r)
                assert r.http_status == 400 and r.param == "currency", outcome(r)
            else:
                assert isinstance(r, stripe.InvalidRequestError), outcome(r)
                assert (r.http_status, r.code) == (404, "resource_missing")
        mine = [c for c in platform.v1.charges.list(params={"limit": 100}).auto_paging_iter()
                if plain(c.metadata).get("tag") == tag]
        by_status = Counter(c.status for c in mine)
        assert by_status == {"succeeded": count[0], "failed": count[1] + count[2]}, by_status
        for c in mine:
            if c.status == "succeeded":
                assert platform.v1.balance_transactions.retrieve(
                    c.balance_transaction).source == c.id
        intents = [p for p in platform.v1.payment_intents.list(
            params={"limit": 100}).auto_paging_iter() if plain(p.metadata).get("tag") == tag]
        assert len(intents) == count[2]
        events = Counter(e.type for e in platform.v1.events.list(
            params={"limit": 100}).auto_paging_iter()
            if (plain(e.data.object).get("metadata") or {}).get("tag") == tag)
        assert events["charge.succeeded"] == count[0], events
        assert events["charge.failed"] == count[1] + count[2], events
        assert events["payment_intent.payment_failed"] == count[2], events
        assert not [c for c in platform.v1.customers.list(params={"limit": 100}).auto_paging_iter()
                    if (c.email or "").startswith(tag)]

    until_batched(round_)
    balance_matches_transactions(platform, None)


def test_an_unexpected_error_in_a_batch_rolls_back_only_its_request(srv, monkeypatch):
    """No request fails unexpectedly on purpose, so one is made to: recording the
    customer.created event raises for customers marked `explode` (after the customer
    and the event were written), and raises a 400 for those marked `refuse`."""
    original = events_service.record

    def record(tx, ctx, type_, obj, *args, **kwargs):  # noqa: ANN001
        result = original(tx, ctx, type_, obj, *args, **kwargs)
        mark = (obj.get("metadata") or {}).get("mark")
        if type_ == "customer.created" and mark == "explode":
            raise RuntimeError("an unexpected failure after writing")
        if type_ == "customer.created" and mark == "refuse":
            from connect_sandbox.errors import InvalidRequestError
            raise InvalidRequestError("Refused after writing.", param="metadata")
        return result

    monkeypatch.setattr(events_service, "record", record)
    key = _key()
    platform = sdk(srv.base, key)
    marks = {0: "explode", 1: "refuse"}

    def round_(n: int) -> None:
        tag = f"boom{n}-{secrets.token_hex(4)}"

        def call(c, i):
            mark = marks.get(i % 4, "fine")
            opts = {"idempotency_key": f"{tag}-{i}"} if i % 8 < 4 else {}
            return c.v1.customers.create(params={
                "email": f"{tag}-{i}@gc.test", "source": "tok_visa",
                "metadata": {"mark": mark, "tag": tag}}, options=opts)

        rs = race(srv.base, key, call)
        for i, r in enumerate(rs):
            mark = marks.get(i % 4, "fine")
            if mark == "explode":
                assert isinstance(r, stripe.APIError) and r.http_status == 500, outcome(r)
            elif mark == "refuse":
                assert outcome(r) == (400, None) and r.param == "metadata", outcome(r)
            else:
                assert not isinstance(r, stripe.StripeError), outcome(r)
        mine = {c.email: c for c in platform.v1.customers.list(
            params={"limit": 100}).auto_paging_iter() if plain(c.metadata).get("tag") == tag}
        expected = {f"{tag}-{i}@gc.test" for i in range(RACERS) if i % 4 >= 2}
        assert set(mine) == expected
        for c in mine.values():
            assert len(platform.v1.customers.payment_sources.list(c.id).data) == 1
        created = Counter(e.data.object.email for e in platform.v1.events.list(
            params={"type": "customer.created", "limit": 100}).auto_paging_iter()
            if (plain(e.data.object).get("metadata") or {}).get("tag") == tag)
        assert set(created) == expected and set(created.values()) == {1}
        # The 500 saved nothing under its key: once the failure is gone, a retry runs.
        monkeypatch.setattr(events_service, "record", original)
        try:
            again = platform.v1.customers.create(params={
                "email": f"{tag}-0@gc.test", "source": "tok_visa",
                "metadata": {"mark": "explode", "tag": tag}},
                options={"idempotency_key": f"{tag}-0"})
            assert "Idempotent-Replayed" not in again.last_response.headers
            refused = platform.v1.customers.create(params={
                "email": f"{tag}-1@gc.test", "source": "tok_visa",
                "metadata": {"mark": "refuse", "tag": tag}},
                options={"idempotency_key": f"{tag}-1"})
            # the 400 was an answer: Stripe saves it under its key, as here
            pytest.fail(f"the saved 400 was not replayed: {refused.id}")
        except stripe.InvalidRequestError as exc:
            assert exc.http_status == 400 and exc.param == "metadata"
            assert exc.headers.get("Idempotent-Replayed") == "true"
        finally:
            monkeypatch.setattr(events_service, "record", record)

    until_batched(round_)


def test_a_500_under_a_raced_idempotency_key_saves_nothing_and_the_next_one_runs(srv,
                                                                                 monkeypatch):
    """32 requests with one key; the first to run fails unexpectedly (after writing).
    As with a transaction per request, that 500 saved nothing under the key: the next
    request runs it afresh and the remaining 30 replay that one. Speculating, the failure
    meets the first speculation, which then runs again under the lock: it succeeds, and
    the other 31 replay it."""
    original = events_service.record
    exploded: set[str] = set()
    lock = threading.Lock()

    def record(tx, ctx, type_, obj, *args, **kwargs):  # noqa: ANN001
        result = original(tx, ctx, type_, obj, *args, **kwargs)
        if type_ == "customer.created" and obj.get("email", "").startswith("once"):
            with lock:
                first = obj["email"] not in exploded
                exploded.add(obj["email"])
            if first:
                raise RuntimeError("an unexpected failure, once")
        return result

    monkeypatch.setattr(events_service, "record", record)
    key = _key()
    platform = sdk(srv.base, key)

    def round_(n: int) -> None:
        email = f"once{n}-{secrets.token_hex(4)}@gc.test"
        idem = "idem-" + email
        rs = race(srv.base, key, lambda c, i: c.v1.customers.create(
            params={"email": email, "source": "tok_visa"}, options={"idempotency_key": idem}))
        failed = errors_of(rs)
        if srv.speculating:
            assert failed == []
        else:
            assert len(failed) == 1 and isinstance(failed[0], stripe.APIError), \
                [outcome(r) for r in failed]
            assert failed[0].http_status == 500
        ok = [r for r in rs if not isinstance(r, stripe.StripeError)]
        assert len({r.id for r in ok}) == 1
        assert Counter(r.last_response.headers.get("Idempotent-Replayed") for r in ok) == {
            None: 1, "true": RACERS - 1 - len(failed)}
        made = platform.v1.customers.list(params={"email": email}).data
        assert [c.id for c in made] == [ok[0].id]
        assert len(platform.v1.customers.payment_sources.list(made[0].id).data) == 1
        created = [e for e in platform.v1.events.list(
            params={"type": "customer.created", "limit": 100}).auto_paging_iter()
            if plain(e.data.object).get("email") == email]
        assert len(created) == 1

    until_batched(round_)


def test_a_batch_whose_commit_fails_answers_500_to_all_of_it_and_the_next_batch_works(
        srv, monkeypatch):
    """When the COMMIT of a batch fails, none of its requests' writes landed and each of
    them is answered 500 (group_commit.py); requests of other batches are untouched, the
    next batches commit, and SQLite's write lock is not left held (another process can
    write at once). The failure is injected: the COMMIT of the batch holding the request
    marked `fail_commit` raises as a failed COMMIT does."""
    store = srv.server.config.app.app.state.store
    armed = threading.Event()
    original = hot.Raw.run_many

    def run_many(self, name, rows):  # noqa: ANN001
        # Armed when the marked customer's row is written: in the batch's transaction
        # (speculating, its replay writes it there; its service ran on a snapshot).
        if name == "insert" and any('"fail_commit"' in row[-1] for row in rows):
            armed.set()
        return original(self, name, rows)

    def on_commit(conn):  # noqa: ANN001
        if armed.is_set():
            armed.clear()
            raise sqlite3.OperationalError("disk I/O error")

    monkeypatch.setattr(hot.Raw, "run_many", run_many)
    event.listen(store.engine, "commit", on_commit)
    key = _key()
    platform = sdk(srv.base, key)
    try:
        def round_(n: int) -> None:
            tag = f"commit{n}-{secrets.token_hex(4)}"
            rs = race(srv.base, key, lambda c, i: c.v1.customers.create(params={
                "email": f"{tag}-{i}@gc.test", "source": "tok_visa",
                "metadata": {"tag": tag, **({"fail_commit": "1"} if i == 0 else {})}}))
            assert isinstance(rs[0], stripe.APIError) and rs[0].http_status == 500
            failed = {i for i, r in enumerate(rs) if isinstance(r, stripe.StripeError)}
            assert all(isinstance(rs[i], stripe.APIError) and rs[i].http_status == 500
                       for i in failed), [outcome(rs[i]) for i in failed]
            mine = {c.email for c in platform.v1.customers.list(
                params={"limit": 100}).auto_paging_iter() if plain(c.metadata).get("tag") == tag}
            assert mine == {f"{tag}-{i}@gc.test" for i in range(RACERS) if i not in failed}
            created = {plain(e.data.object).get("email") for e in platform.v1.events.list(
                params={"type": "customer.created", "limit": 100}).auto_paging_iter()}
            assert not {f"{tag}-{i}@gc.test" for i in failed} & created
            # the lock is free and the server writes on
            other = sqlite3.connect(srv.database.split("///", 1)[1], timeout=1)
            try:
                other.execute("BEGIN IMMEDIATE")
                other.rollback()
            finally:
                other.close()
            rs = race(srv.base, key, lambda c, i: c.v1.customers.create(params={
                "email": f"{tag}-after-{i}@gc.test", "source": "tok_visa"}))
            assert not errors_of(rs), [outcome(r) for r in errors_of(rs)]

        until_batched(round_)
    finally:
        event.remove(store.engine, "commit", on_commit)


# -- money under concurrency ----------------------------------------------------------------

def test_concurrent_money_movements_never_spend_more_than_there_is(srv):
    key = _key()
    platform = sdk(srv.base, key)
    seller = platform.v1.accounts.create(params={"type": "express"}).id  # debitable
    platform.v1.accounts.external_accounts.create(seller, params={"external_account": {
        "object": "bank_account", "country": "US", "currency": "usd",
        "routing_number": "110000000", "account_number": "000123456789"}})

    def available(account: str | None) -> int:
        bal = platform.v1.balance.retrieve(options=as_(account) if account else {})
        return sum(a.amount for a in bal.available if a.currency == "usd")

    def round_(n: int) -> None:
        # 1. transfers from the platform to the seller beyond the platform's balance
        platform.v1.charges.create(params={"amount": 10_000, "currency": "usd",
                                           "source": "tok_bypassPending"})
        before, seller_before = available(None), available(seller)
        amount = max(before // 20, 1)
        rs = race(srv.base, key, lambda c, i: c.v1.transfers.create(params={
            "amount": amount, "currency": "usd", "destination": seller}))
        fits = max(0, min(before // amount, RACERS))
        codes = Counter(outcome(r) for r in rs)
        assert codes == Counter({(200, None): fits,
                                 (400, "balance_insufficient"): RACERS - fits}), (before, amount, codes)
        assert available(None) == before - fits * amount
        assert available(seller) == seller_before + fits * amount
        # 2. debits of the seller by the platform beyond the seller's balance
        debit = max(available(seller) // 7, 1)
        seller_now = available(seller)
        rs = race(srv.base, key, lambda c, i: c.v1.charges.create(params={
            "amount": debit, "currency": "usd", "source": seller}))
        fits = max(0, min(seller_now // debit, RACERS))
        codes = Counter(outcome(r) for r in rs)
        assert codes == Counter({(200, None): fits,
                                 (400, "balance_insufficient"): RACERS - fits}), codes
        assert available(seller) == seller_now - fits * debit
        # 3. payouts of the seller beyond its available balance
        seller_now = available(seller)
        each = max(seller_now // 5, 1)
        rs = race(srv.base, key, lambda c, i: c.v1.payouts.create(params={
            "amount": each, "currency": "usd"}, options=as_(seller)))
        fits = max(0, min(seller_now // each, RACERS))
        codes = Counter(outcome(r) for r in rs)
        assert codes == Counter({(200, None): fits,
                                 (400, "balance_insufficient"): RACERS - fits}), codes
        assert available(seller) == seller_now - fits * each
        # 4. refunds of one destination charge beyond its amount
        ch = platform.v1.charges.create(params={
            "amount": 1000, "currency": "usd", "source": "tok_visa",
            "transfer_data": {"destination": seller}})
        rs = race(srv.base, key, lambda c, i: c.v1.refunds.create(params={
            "charge": ch.id, "amount": 300, "reverse_transfer": True}))
        assert Counter(outcome(r)[0] for r in rs) == {200: 3, 400: RACERS - 3}, \
            Counter(map(outcome, rs))
        got = platform.v1.charges.retrieve(ch.id)
        assert (got.amount_refunded, got.refunded) == (900, False)
        # 5. reversals of one transfer beyond its amount
        tr = platform.v1.transfers.create(params={"amount": 100, "currency": "usd",
                                                  "destination": seller})
        rs = race(srv.base, key, lambda c, i: c.v1.transfers.reversals.create(
            tr.id, params={"amount": 30}))
        assert Counter(outcome(r)[0] for r in rs) == {200: 3, 400: RACERS - 3}, \
            Counter(map(outcome, rs))
        assert platform.v1.transfers.retrieve(tr.id).amount_reversed == 90
        for account in (None, seller):
            balance_matches_transactions(platform, account)

    until_batched(round_)


# -- kill -9 under write load -------------------------------------------------------------

class Load:
    """Writer threads creating charges and customers (each with idempotency keys) until
    told to stop; what got a 2xx is recorded."""

    def __init__(self, bases: list[str], api_key: str, tag: str, writers: int = 8):
        self.bases, self.api_key, self.tag = bases, api_key, tag
        self.acked: dict[str, tuple[str, str]] = {}   # idempotency key -> (kind, id)
        self.unacked: list[str] = []
        self.errors: list[str] = []                   # any error answer: never expected
        self.stop = threading.Event()
        self.lock = threading.Lock()
        self.threads = [threading.Thread(target=self._write, args=(w,), daemon=True)
                        for w in range(writers)]

    def _write(self, w: int) -> None:
        client = sdk(self.bases[w % len(self.bases)], self.api_key)
        i = 0
        while not self.stop.is_set():
            idem = f"{self.tag}-{w}-{i}"
            kind = "charge" if i % 2 else "customer"
            i += 1
            try:
                if kind == "charge":
                    obj = client.v1.charges.create(params={
                        "amount": 500 + i, "currency": "usd", "source": "tok_visa",
                        "metadata": {"key": idem}}, options={"idempotency_key": idem})
                else:
                    obj = client.v1.customers.create(params={
                        "email": f"{idem}@gc.test", "source": "tok_visa",
                        "metadata": {"key": idem}}, options={"idempotency_key": idem})
            except stripe.APIConnectionError:
                with self.lock:
                    self.unacked.append(idem)
                time.sleep(0.01)
                continue
            except stripe.StripeError as exc:
                with self.lock:
                    self.errors.append(f"{idem}: {exc.http_status} {exc.user_message}")
                continue
            with self.lock:
                self.acked[idem] = (kind, obj.id)

    def __enter__(self) -> "Load":
        for t in self.threads:
            t.start()
        return self

    def __exit__(self, *exc) -> None:
        self.stop.set()
        for t in self.threads:
            t.join(timeout=REQUEST_TIMEOUT + 5)


def _check_whole(client: stripe.StripeClient, tag: str) -> tuple[dict, dict]:
    """Every charge and customer of the load is whole: a charge with its balance
    transaction and one charge.succeeded event, a customer with its card and one
    customer.created event. Returns (charges, customers) by idempotency key."""
    charges = {c.metadata["key"]: c for c in client.v1.charges.list(
        params={"limit": 100}).auto_paging_iter() if plain(c.metadata).get("key", "").startswith(tag)}
    customers = {c.metadata["key"]: c for c in client.v1.customers.list(
        params={"limit": 100}).auto_paging_iter() if plain(c.metadata).get("key", "").startswith(tag)}
    txns = {t.source: t for t in client.v1.balance_transactions.list(
        params={"limit": 100}).auto_paging_iter()}
    events = Counter((e.type, plain(e.data.object).get("id")) for e in client.v1.events.list(
        params={"limit": 100}).auto_paging_iter())
    for key, ch in charges.items():
        assert ch.status == "succeeded" and ch.balance_transaction, key
        assert txns[ch.id].id == ch.balance_transaction and txns[ch.id].amount == ch.amount
        assert events[("charge.succeeded", ch.id)] == 1, key
    for key, cus in customers.items():
        assert cus.email == f"{key}@gc.test"
        assert [s.id for s in client.v1.customers.payment_sources.list(cus.id).data] == \
            [cus.default_source], key
        assert events[("customer.created", cus.id)] == 1, key
    assert not set(charges) & set(customers)
    return charges, customers


@pytest.mark.parametrize("workers", [1, 2])
def test_kill_9_under_batched_load_keeps_every_acknowledged_request_whole(tmp_path, workers):
    """`serve` (one process, or two workers sharing the file through the -writer lock)
    killed with SIGKILL under load, then restarted on the same file."""
    started = time.monotonic()
    database = f"sqlite:///{tmp_path / 'crash.db'}"
    api_key, tag = _key("crash"), "k" + secrets.token_hex(4)
    first = ServerProcess(database, tmp_path / "first.log", workers=workers).start()
    try:
        with Load([first.base], api_key, tag, writers=12) as load:
            deadline = time.monotonic() + 10
            while len(load.acked) < 150 and time.monotonic() < deadline:
                time.sleep(0.02)
            first.kill9()
            time.sleep(0.2)
    finally:
        first.kill9()
    assert not load.errors, load.errors[:5]
    assert len(load.acked) >= 20, f"too little load before the kill: {len(load.acked)}"
    with ServerProcess(database, tmp_path / "second.log") as second:
        client = sdk(second.base, api_key)
        charges, customers = _check_whole(client, tag)
        for idem, (kind, obj_id) in load.acked.items():
            found = charges if kind == "charge" else customers
            assert idem in found and found[idem].id == obj_id, (idem, kind)
        # what was not acknowledged is there whole, or not at all
        assert set(charges) | set(customers) <= set(load.acked) | set(load.unacked)
        balance_matches_transactions(client, None)
    print(f"acknowledged {len(load.acked)}, interrupted {len(load.unacked)}")
    assert time.monotonic() - started < 90


# -- two processes on one SQLite file ------------------------------------------------------

def test_two_processes_on_one_sqlite_file_lose_nothing(tmp_path):
    started = time.monotonic()
    database = f"sqlite:///{tmp_path / 'shared.db'}"
    a = ServerProcess(database, tmp_path / "a.log")
    b = ServerProcess(database, tmp_path / "b.log")
    try:
        a.spawn(), b.spawn()  # both migrate the fresh file at once
        a.wait_ready(), b.wait_ready()
        api_key, tag = _key("pair"), "p" + secrets.token_hex(4)
        platform = sdk(a.base, api_key)
        seller = platform.v1.accounts.create(params={"type": "express"}).id
        platform.v1.charges.create(params={"amount": 100_000, "currency": "usd",
                                           "source": "tok_bypassPending"})
        stop = threading.Event()
        moved: list[int] = []
        failures: list[str] = []
        lock = threading.Lock()

        def money(w: int) -> None:  # transfers and destination charges, both processes
            client = sdk((a, b)[w % 2].base, api_key)
            while not stop.is_set():
                try:
                    tr = client.v1.transfers.create(params={
                        "amount": 100, "currency": "usd", "destination": seller})
                    ch = client.v1.charges.create(params={
                        "amount": 1000, "currency": "usd", "source": "tok_visa",
                        "transfer_data": {"destination": seller}})
                    client.v1.refunds.create(params={"charge": ch.id, "amount": 250})
                    with lock:
                        moved.append(tr.amount)
                except stripe.StripeError as exc:
                    with lock:
                        failures.append(f"{exc.http_status} {exc.user_message}")

        with Load([a.base, b.base], api_key, tag, writers=8) as load:
            threads = [threading.Thread(target=money, args=(w,), daemon=True)
                       for w in range(4)]
            for t in threads:
                t.start()
            # idempotency keys raced across both processes meanwhile: never a 409
            for n in range(3):
                idem = f"{tag}-race-{n}"
                rs = race(a.base, api_key, lambda c, i: c.v1.customers.create(
                    params={"email": f"{idem}@gc.test"}, options={"idempotency_key": idem}),
                    n=16, bases=[a.base, b.base])
                assert not errors_of(rs), [outcome(r) for r in errors_of(rs)]
                assert len({r.id for r in rs}) == 1
            deadline = time.monotonic() + 6
            while len(load.acked) < 200 and time.monotonic() < deadline:
                time.sleep(0.05)
            stop.set()
            for t in threads:
                t.join(timeout=REQUEST_TIMEOUT + 5)
        assert not load.errors and not failures, (load.errors + failures)[:5]
        assert not load.unacked, load.unacked[:5]
        assert len(load.acked) >= 40 and moved, (len(load.acked), len(moved))
        for base in (a.base, b.base):
            client = sdk(base, api_key)
            charges, customers = _check_whole(client, tag)
            assert {k: ("charge", c.id) for k, c in charges.items()} | \
                {k: ("customer", c.id) for k, c in customers.items()} == load.acked
            for account in (None, seller):
                balance_matches_transactions(client, account)
        transfers = [t for t in platform.v1.transfers.list(
            params={"destination": seller, "limit": 100}).auto_paging_iter() if t.amount == 100]
        assert len(transfers) == len(moved)
        for proc in (a, b):
            log = proc.log.read_text(errors="replace")
            assert "database is locked" not in log and "Traceback" not in log, log[-2000:]
    finally:
        a.stop(), b.stop()
    assert time.monotonic() - started < 120


def test_kill_9_of_one_of_two_processes_leaves_the_other_writing(tmp_path):
    """Two processes on one SQLite file; one is killed with SIGKILL mid-load (maybe
    holding the -writer lock or SQLite's): the other goes on answering, without errors,
    and everything either acknowledged is there."""
    started = time.monotonic()
    database = f"sqlite:///{tmp_path / 'half.db'}"
    api_key, tag = _key("half"), "h" + secrets.token_hex(4)
    victim = ServerProcess(database, tmp_path / "victim.log").start()
    survivor = ServerProcess(database, tmp_path / "survivor.log").start()
    try:
        with Load([victim.base, survivor.base], api_key, tag, writers=8) as load:
            deadline = time.monotonic() + 8
            while len(load.acked) < 120 and time.monotonic() < deadline:
                time.sleep(0.02)
            victim.kill9()
            killed_at = len(load.acked)
            deadline = time.monotonic() + 8  # the survivor's writers go on
            while len(load.acked) < killed_at + 60 and time.monotonic() < deadline:
                time.sleep(0.02)
        assert not load.errors, load.errors[:5]
        assert len(load.acked) >= killed_at + 60, (killed_at, len(load.acked))
        # only the victim's clients lost answers
        assert all(int(k.split("-")[1]) % 2 == 0 for k in load.unacked), load.unacked[:5]
        client = sdk(survivor.base, api_key)
        charges, customers = _check_whole(client, tag)
        for idem, (kind, obj_id) in load.acked.items():
            found = charges if kind == "charge" else customers
            assert idem in found and found[idem].id == obj_id, (idem, kind)
        balance_matches_transactions(client, None)
        log = survivor.log.read_text(errors="replace")
        assert "database is locked" not in log and "Traceback" not in log, log[-2000:]
    finally:
        victim.kill9()
        survivor.stop()
    assert time.monotonic() - started < 90
