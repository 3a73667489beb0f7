"""Promises of the README and the command line that no other test holds the server to:
the README's stripe-python example runs as written, `connect-sandbox serve` starts with
no configuration and says where it listens, and no request makes SQLite scan a whole
table."""
from __future__ import annotations

import os
import re
import secrets
import socket
import sqlite3
import subprocess
import sys
import threading
import time
from pathlib import Path

import stripe
import uvicorn
from sqlalchemy import event

from connect_sandbox.app import create_app
from connect_sandbox.config import Settings
from tests.conftest import TEST_SETTINGS, free_port

from .support import as_

README = Path(__file__).resolve().parents[2] / "README.md"


def test_readme_example_runs_as_written(server):
    """The README's cloning-flow block, with only the server address changed."""
    text = README.read_text()
    start = text.index("## The cloning flow in stripe-python")
    block = re.search(r"```python\n(.*?)```", text[start:], re.S).group(1)
    assert block.count("http://127.0.0.1:12111") == 1
    code = block.replace("http://127.0.0.1:12111", server.base)
    code = code.replace('"sk_test_my_platform"', f'"sk_test_{secrets.token_hex(8)}"')
    assert len(block.strip().splitlines()) <= 25
    scope: dict = {}
    exec(compile(code, "README.md", "exec"), scope)  # the block asserts the fingerprint
    charge = scope["charge"]
    assert charge.status == "succeeded" and charge.paid
    assert charge.source.fingerprint == scope["token"].card.fingerprint


def test_serve_needs_no_configuration_and_says_where_it_listens(tmp_path):
    """`connect-sandbox serve` with no flags: the database file goes to the user data
    directory (created on first run), settings come from CONNECT_SANDBOX_* variables,
    it binds 127.0.0.1 and prints the address, the database and how to point
    stripe-python at it."""
    port = free_port()
    data = tmp_path / "data"
    env = {k: v for k, v in os.environ.items() if not k.startswith("CONNECT_SANDBOX_")}
    env.update(XDG_DATA_HOME=str(data), CONNECT_SANDBOX_PORT=str(port),
               PYTHONUNBUFFERED="1")
    proc = subprocess.Popen([sys.executable, "-m", "connect_sandbox", "serve"], env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        base = f"http://127.0.0.1:{port}"
        lines = [proc.stdout.readline() for _ in range(6)]
        out = "".join(lines)
        assert f"listening on {base}" in out, out
        db = data / "connect-sandbox" / "sandbox.db"
        assert f"database: sqlite:///{db}" in out, out
        assert f'stripe.api_base = "{base}"' in out, out
        deadline = time.monotonic() + 15
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                assert proc.poll() is None and time.monotonic() < deadline, out
                time.sleep(0.05)
        bound = subprocess.run(["ss", "-Htln", f"sport = :{port}"], capture_output=True,
                               text=True).stdout
        if bound.strip():  # ss is there: the only listener is the loopback address
            assert all("127.0.0.1:" in line for line in bound.strip().splitlines()), bound
        client = stripe.StripeClient("sk_test_" + secrets.token_hex(8),
                                     base_addresses={"api": base}, max_network_retries=0)
        cus = client.v1.customers.create(params={"source": "tok_visa"})
        assert client.v1.customers.retrieve(cus.id).default_source == cus.default_source
        assert db.is_file()
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=10)
        proc.stdout.close()


def _traced_server(database: str, sink) -> tuple[uvicorn.Server, threading.Thread, str]:
    """A server whose every SQLite connection reports each statement it runs."""
    port = free_port()
    app = create_app(Settings(host="127.0.0.1", port=port, database=database,
                              **TEST_SETTINGS))
    engine = app.state.store.engine
    event.listen(engine, "connect", lambda conn, _record: conn.set_trace_callback(sink))
    engine.dispose()  # connections opened before the listener are not reused
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port,
                                           log_level="warning", lifespan="on"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started:
        assert time.monotonic() < deadline
        time.sleep(0.01)
    return server, thread, f"http://127.0.0.1:{port}"


def _drive(c: stripe.StripeClient) -> None:
    """Each resource created, read, listed (with its filters), updated and deleted."""
    seller = c.v1.accounts.create(params={"type": "standard"}).id
    c.v1.accounts.list()
    c.v1.accounts.retrieve(seller)
    c.v1.accounts.retrieve_current()
    cus = c.v1.customers.create(params={"source": "tok_visa", "email": "scan@example.com",
                                        "metadata": {"k": "v"}})
    c.v1.customers.update(cus.id, params={"metadata": {"k": ""}})
    c.v1.customers.list(params={"email": "scan@example.com", "limit": 3})
    c.v1.customers.list(params={"created": {"gte": 1}, "starting_after": cus.id})
    c.v1.customers.payment_sources.create(cus.id, params={"source": "tok_mastercard"})
    c.v1.customers.payment_sources.list(cus.id, params={"object": "card"})
    tok = c.v1.tokens.create(params={"customer": cus.id}, options=as_(seller))
    c.v1.tokens.retrieve(tok.id, options=as_(seller))
    seller_cus = c.v1.customers.create(params={"source": tok.id}, options=as_(seller))
    ch = c.v1.charges.create(params={"amount": 1000, "currency": "usd",
                                     "customer": seller_cus.id, "application_fee_amount": 100},
                             options=as_(seller))
    c.v1.charges.list(params={"customer": seller_cus.id}, options=as_(seller))
    c.v1.charges.list(params={"created": {"gte": ch.created}}, options=as_(seller))
    c.v1.application_fees.list(params={"charge": ch.id})
    c.v1.refunds.create(params={"charge": ch.id, "amount": 100,
                                "refund_application_fee": True}, options=as_(seller))
    c.v1.refunds.list(params={"charge": ch.id}, options=as_(seller))
    pm = c.v1.payment_methods.attach("pm_card_visa", params={"customer": cus.id})
    c.v1.payment_methods.list(params={"customer": cus.id, "type": "card"})
    c.v1.customers.payment_methods.list(cus.id)
    clone = c.v1.payment_methods.create(params={"customer": cus.id, "payment_method": pm.id},
                                        options=as_(seller))
    c.v1.payment_intents.create(params={"amount": 1000, "currency": "usd",
                                        "payment_method": clone.id, "confirm": True},
                                options=as_(seller))
    c.v1.payment_intents.list(params={"customer": cus.id})
    c.v1.setup_intents.create(params={"customer": cus.id, "payment_method": "pm_card_visa",
                                      "confirm": True})
    c.v1.setup_intents.list(params={"customer": cus.id})
    src = c.v1.sources.create(params={"type": "card", "token": "tok_visa"})
    c.v1.customers.payment_sources.create(cus.id, params={"source": src.id})
    c.v1.charges.create(params={"amount": 5000, "currency": "usd", "source": "tok_visa",
                                "transfer_data": {"destination": seller}})
    own = c.v1.charges.create(params={"amount": 5000, "currency": "usd", "source": "tok_visa"})
    tr = c.v1.transfers.create(params={"amount": 100, "currency": "usd",
                                       "destination": seller, "source_transaction": own.id})
    c.v1.transfers.reversals.create(tr.id, params={"amount": 50})
    c.v1.transfers.list(params={"destination": seller})
    c.v1.balance.retrieve()
    c.v1.balance.retrieve(options=as_(seller))
    c.v1.balance_transactions.list(params={"type": "charge"})
    c.v1.balance_transactions.list(params={"source": own.id})
    c.v1.events.list(params={"type": "charge.succeeded"})
    c.v1.customers.search(params={"query": "email~'scan@' AND metadata['k']:'v'"})
    c.v1.charges.search(params={"query": "amount>100 status:'succeeded'"})
    c.v1.payment_intents.search(params={"query": "currency:'usd'"})
    c.v1.customers.delete(cus.id)


def test_no_request_scans_a_whole_table(tmp_path):
    """Every statement the requests of the seed flows run is answered through an index
    (SQLite's query plan has no full SCAN of a table), whatever the data volume."""
    db = tmp_path / "plans.db"
    seen: dict[str, str] = {}
    lock = threading.Lock()

    def sink(sql: str) -> None:
        shape = re.sub(r"'[^']*'|\b\d+\b", "?", sql)
        with lock:
            seen.setdefault(shape, sql)

    server, thread, base = _traced_server(f"sqlite:///{db}", sink)
    try:
        # Two platforms, so that a statement missing its account would show.
        for _ in range(2):
            _drive(stripe.StripeClient("sk_test_" + secrets.token_hex(8),
                                       base_addresses={"api": base}, max_network_retries=0))
    finally:
        server.should_exit = True
        thread.join(timeout=10)
    queries = [sql.strip() for sql in seen.values()
               if re.match(r"(?i)\s*(select|update|delete|with)\b", sql)]
    assert len(queries) > 10, seen  # the trace saw the requests' statements
    con = sqlite3.connect(db)
    try:
        scans = []
        for sql in queries:
            for row in con.execute("EXPLAIN QUERY PLAN " + sql).fetchall():
                detail = row[-1]
                if detail.startswith("SCAN ") and "CONSTANT ROW" not in detail:
                    scans.append((detail, sql[:300]))
    finally:
        con.close()
    assert scans == [], scans
