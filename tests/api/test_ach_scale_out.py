"""Two servers on one database (SQLite file or PostgreSQL), each with its own job
runner: every ACH charge settles exactly once (FOR UPDATE SKIP LOCKED on PostgreSQL,
the write lock on SQLite), whichever server created it or settles it."""
from __future__ import annotations

import secrets
import time

import stripe

from tests.conftest import start_server
from tests.reliability.procs import database  # noqa: F401 (fixture)

from .ach_support import bank_customer, wait_settled


def test_two_servers_settle_each_charge_once(database):  # noqa: F811
    servers = [start_server(database, ach_settle_seconds=0.3),
               start_server(database, ach_settle_seconds=0.3)]
    try:
        key = "sk_test_" + secrets.token_hex(12)
        clients = [stripe.StripeClient(key, base_addresses={"api": s.base},
                                       max_network_retries=0) for s in servers]
        ok, _ = bank_customer(clients[0])
        bad, _ = bank_customer(clients[1], "000222222227")
        created = []
        for i in range(24):
            cus = ok if i % 3 else bad
            created.append(clients[i % 2].v1.charges.create(params={
                "amount": 500 + i, "currency": "usd", "customer": cus.id}))
        for ch in created:
            wait_settled(clients[0], ch.id, timeout=20)
        time.sleep(0.5)  # a second settlement, if any, would be recorded by now
        events = list(clients[1].v1.events.list(
            params={"limit": 100, "type": "charge.*"}).auto_paging_iter())
        for ch in created:
            types = sorted(e.type for e in events if e.data.object.id == ch.id)
            want = "charge.failed" if ch.customer == bad.id else "charge.succeeded"
            assert types == sorted(["charge.pending", want]), (ch.id, types)
        failures = [t for t in clients[0].v1.balance_transactions.list(
            params={"limit": 100, "type": "payment_failure_refund"}).auto_paging_iter()]
        assert len(failures) == sum(1 for ch in created if ch.customer == bad.id)
    finally:
        for s in servers:
            s.stop()
