"""Crash safety: writers create customers (each with a card, so one request writes several
rows) with idempotency keys through the official SDK; the whole server (`serve --workers
2`, its supervisor and its workers) is killed with SIGKILL in the middle of the load and
restarted on the same database. Then:

- every customer whose creation got a 2xx is there, with its card (nothing half-written);
- retrying every key, acknowledged or not, replays the original response for the
  acknowledged ones (Idempotent-Replayed: true, the same id);
- nothing exists twice: exactly one customer per key, one customer.created event each.
"""
from __future__ import annotations

import secrets
import threading
import time
from collections import Counter

import stripe

from connect_sandbox.routes import ROUTES

from .procs import ServerProcess

WRITERS = 6
MIN_ACKED = 80          # kill once at least this many creations were acknowledged ...
MAX_LOAD_SECONDS = 8    # ... or after this long


def _client(base: str, key: str) -> stripe.StripeClient:
    return stripe.StripeClient(key, base_addresses={"api": base}, max_network_retries=0)


def _params(tag: str, key: str) -> dict:
    return {"email": f"{key}@crash.test", "source": "tok_visa",
            "metadata": {"crash": tag, "key": key}}


class Load:
    """WRITERS threads creating customers until told to stop."""

    def __init__(self, base: str, api_key: str, tag: str):
        self.base, self.api_key, self.tag = base, api_key, tag
        self.acked: dict[str, str] = {}       # key -> customer id (got a 2xx)
        self.unacked: list[str] = []          # keys sent (maybe) without an answer
        self.other_errors: list[str] = []     # any Stripe error answer: never expected
        self.stop = threading.Event()
        self.lock = threading.Lock()
        self.threads = [threading.Thread(target=self._write, args=(w,), daemon=True)
                        for w in range(WRITERS)]

    def _write(self, w: int) -> None:
        client = _client(self.base, self.api_key)
        i = 0
        while not self.stop.is_set():
            key = f"{self.tag}-{w}-{i}"
            i += 1
            try:
                cus = client.v1.customers.create(params=_params(self.tag, key),
                                                 options={"idempotency_key": key})
            except stripe.APIConnectionError:
                with self.lock:
                    self.unacked.append(key)
                time.sleep(0.01)
                continue
            except stripe.StripeError as exc:  # an answer, but not a success
                with self.lock:
                    self.other_errors.append(f"{key}: {exc.http_status} {exc.user_message}")
                continue
            with self.lock:
                self.acked[key] = cus.id

    def __enter__(self) -> "Load":
        for t in self.threads:
            t.start()
        return self

    def __exit__(self, *exc) -> None:
        self.stop.set()
        for t in self.threads:
            t.join(timeout=15)


def _all_customers(client: stripe.StripeClient) -> list:
    return list(client.v1.customers.list(
        params={"limit": 100, "expand": ["data.sources"]}).auto_paging_iter())


def _events_route() -> bool:
    return any(op.method == "GET" and op.path == "/v1/events" for op in ROUTES)


def test_kill_9_mid_load_loses_no_acknowledged_write(database, tmp_path):
    started = time.monotonic()
    api_key = "sk_test_crash" + secrets.token_hex(8)
    tag = secrets.token_hex(4)
    first = ServerProcess(database, tmp_path / "first.log", workers=2).start()
    try:
        with Load(first.base, api_key, tag) as load:
            deadline = time.monotonic() + MAX_LOAD_SECONDS
            while len(load.acked) < MIN_ACKED and time.monotonic() < deadline:
                time.sleep(0.02)
            first.kill9()  # mid-load: the writers are still sending
            time.sleep(0.2)
    finally:
        first.kill9()
    print(f"acknowledged {len(load.acked)}, interrupted {len(load.unacked)}")
    assert not load.other_errors, load.other_errors[:5]
    assert len(load.acked) >= 10, f"too little load before the kill: {len(load.acked)}"
    assert load.unacked, "the kill did not interrupt any request"

    with ServerProcess(database, tmp_path / "second.log", workers=2) as second:
        client = _client(second.base, api_key)
        # 1. every acknowledged customer is there, whole
        for key, cus_id in load.acked.items():
            cus = client.v1.customers.retrieve(cus_id, params={"expand": ["sources"]})
            assert cus.email == f"{key}@crash.test"
            assert cus.default_source and [s.id for s in cus.sources.data] == [cus.default_source]
        # 2. retrying every key: acknowledged ones replay; the others complete once
        for key in sorted(set(load.acked) | set(load.unacked)):
            cus = client.v1.customers.create(params=_params(tag, key),
                                             options={"idempotency_key": key})
            if key in load.acked:
                assert cus.id == load.acked[key], key
                assert cus.last_response.headers.get("Idempotent-Replayed") == "true", key
            assert cus.email == f"{key}@crash.test"
        # 3. nothing twice, nothing half-written
        customers = _all_customers(client)
        per_key = Counter(c.metadata["key"] for c in customers)
        twice = {k: n for k, n in per_key.items() if n > 1}
        assert not twice, twice
        assert set(per_key) == set(load.acked) | set(load.unacked)
        for c in customers:
            assert c.default_source in [s.id for s in c.sources.data], c.id
        if _events_route():
            created = Counter(e.data.object.id for e in client.v1.events.list(
                params={"type": "customer.created", "limit": 100}).auto_paging_iter())
            assert all(created[c.id] == 1 for c in customers), created.most_common(3)
    assert time.monotonic() - started < 60
