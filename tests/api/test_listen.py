"""`connect-sandbox listen` forwards a platform's events and its connected accounts' to a
local URL (the latter to --forward-connect-to when given), signed with the secret it
prints, one line per event, as `stripe listen` does; its webhook endpoints are gone when
it exits."""
from __future__ import annotations

import io
import os
import queue
import re
import secrets
import signal
import subprocess
import sys
import threading
import time

import stripe

from connect_sandbox import listen
from tests.api.support import as_
from tests.api.webhook_support import make_receiver, settle  # noqa: F401 (fixture)

SECRET_LINE = re.compile(r"Your webhook signing secret is (whsec_\w+)")


class Lines:
    """Collects a text stream's lines (from a pipe, or written by print())."""

    def __init__(self):
        self.q: queue.Queue[str] = queue.Queue()
        self.seen: list[str] = []
        self._buf = ""

    def write(self, text: str) -> None:  # as a file for print()
        self._buf += text
        while "\n" in self._buf:
            line, self._buf = self._buf.split("\n", 1)
            self.q.put(line)

    def flush(self) -> None:
        pass

    def pump(self, pipe) -> None:
        for line in pipe:
            self.q.put(line.rstrip("\n"))

    def wait(self, pattern: str, timeout: float = 10.0) -> str:
        for line in self.seen:
            if re.search(pattern, line):
                return line
        deadline = time.monotonic() + timeout
        while True:
            try:
                line = self.q.get(timeout=max(0.01, deadline - time.monotonic()))
            except queue.Empty:
                raise AssertionError(f"no line matching {pattern!r}; saw {self.seen}") from None
            self.seen.append(line)
            if re.search(pattern, line):
                return line


def listen_endpoints(client):
    return [w for w in client.v1.webhook_endpoints.list().data
            if w.description == "connect-sandbox listen"]


def test_listen_subprocess_forwards_signed_events(server, client, api_key, make_receiver):
    rec = make_receiver()
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    proc = subprocess.Popen(
        [sys.executable, "-m", "connect_sandbox", "listen", "--api-key", api_key,
         "--forward-to", rec.url.removeprefix("http://"), "--api-base", server.base],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
    out = Lines()
    pump = threading.Thread(target=out.pump, args=(proc.stdout,), daemon=True)
    pump.start()
    try:
        secret = SECRET_LINE.search(out.wait("Ready!")).group(1)
        assert secret == listen.session_secret(api_key)  # stable per key
        printed = subprocess.run([sys.executable, "-m", "connect_sandbox", "listen",
                                  "--api-key", api_key, "--print-secret"],
                                 capture_output=True, text=True, timeout=30)
        assert printed.stdout.strip() == secret
        registered = listen_endpoints(client)  # the platform's and a Connect endpoint
        assert len(registered) == 2
        for we in registered:
            assert we.url.startswith("http://127.0.0.1:") and we.enabled_events == ["*"]
        cus = client.v1.customers.create(params={"email": "listen@example.com"})
        (body,) = rec.wait_type("customer.created")
        event = stripe.Webhook.construct_event(rec.received[0].body,
                                               rec.received[0].signature, secret)
        assert event.data.object.id == cus.id
        line = out.wait(r"--> customer\.created")
        assert f"[{body['id']}]" in line and "[200]" in line and rec.url in line
    finally:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout=15)
        finally:
            if proc.poll() is None:
                proc.kill()
                proc.wait()
            pump.join(timeout=5)
            errors = proc.stderr.read()
            proc.stdout.close()
            proc.stderr.close()
    assert proc.returncode == 0, errors
    assert listen_endpoints(client) == []


def run_in_thread(**kwargs):
    out, stop = Lines(), threading.Event()
    codes: list[int] = []
    thread = threading.Thread(target=lambda: codes.append(listen.run(out=out, stop=stop,
                                                                     **kwargs)), daemon=True)
    thread.start()
    return out, stop, thread, codes


def test_listen_connect_and_event_filter(server, client, api_key, seller, make_receiver):
    rec = make_receiver(default=500)  # the app fails: listed, but not retried
    out, stop, thread, codes = run_in_thread(
        api_key=api_key, forward_to=rec.url, events=["charge.succeeded"],
        api_base=server.base)
    try:
        secret = SECRET_LINE.search(out.wait("Ready!")).group(1)
        assert len(listen_endpoints(client)) == 2
        client.v1.customers.create(params={"name": "not forwarded"})
        cus = client.v1.customers.create(params={"source": "tok_visa"}, options=as_(seller))
        client.v1.charges.create(params={"amount": 700, "currency": "usd", "customer": cus.id},
                                 options=as_(seller))
        (charge,) = rec.wait_type("charge.succeeded")
        assert charge["account"] == seller
        event = stripe.Webhook.construct_event(rec.received[0].body,
                                               rec.received[0].signature, secret)
        assert event.account == seller
        line = out.wait(r"--> connect charge\.succeeded")
        assert f"({seller})" in line and "[500]" in line
        settle(1.0)
        assert rec.types() == ["charge.succeeded"]  # no retry, no other type
    finally:
        stop.set()
        thread.join(timeout=15)
    assert codes == [0]
    assert listen_endpoints(client) == []


def test_forward_connect_to_and_urls_written_as_for_stripe_listen(server, client, api_key,
                                                                  seller, make_receiver):
    assert listen.forward_url("4242") == "http://localhost:4242"
    assert listen.forward_url("/webhook") == "http://localhost/webhook"
    assert listen.forward_url("localhost:4242/webhook") == "http://localhost:4242/webhook"
    assert listen.forward_url("https://example.com/hook") == "https://example.com/hook"
    platform, connect = make_receiver(), make_receiver()
    out, stop, thread, codes = run_in_thread(
        api_key=api_key, forward_to=platform.url.removeprefix("http://"),
        forward_connect_to=connect.url, events=["customer.created"], api_base=server.base)
    try:
        secret = SECRET_LINE.search(out.wait("Ready!")).group(1)
        mine = client.v1.customers.create(params={"name": "platform's"})
        theirs = client.v1.customers.create(params={"name": "seller's"}, options=as_(seller))
        (got_mine,) = platform.wait_type("customer.created")
        (got_theirs,) = connect.wait_type("customer.created")
        assert got_mine["data"]["object"]["id"] == mine.id and "account" not in got_mine
        assert got_theirs["data"]["object"]["id"] == theirs.id
        assert got_theirs["account"] == seller
        for rec in (platform, connect):
            stripe.Webhook.construct_event(rec.received[0].body, rec.received[0].signature,
                                           secret)
        line = out.wait(r"--> connect customer\.created")
        assert f"[{got_theirs['id']}] ({seller})" in line and connect.url in line
        line = out.wait(r"--> customer\.created")
        assert f"[{got_mine['id']}]" in line and platform.url in line
        settle()
        assert len(platform.received) == len(connect.received) == 1
    finally:
        stop.set()
        thread.join(timeout=15)
    assert codes == [0]
    assert listen_endpoints(client) == []


def test_listen_reports_bad_input(server, api_key, capsys):
    status = listen.run(api_key, "http://127.0.0.1:9/x", events=["no.such_event"],
                        api_base=server.base, out=io.StringIO(),
                        stop=threading.Event())
    assert status == 1
    assert "enabled_events[0]" in capsys.readouterr().err
    status = listen.run("sk_live_nope", "http://127.0.0.1:9/x", api_base=server.base,
                        out=io.StringIO(), stop=threading.Event())
    assert status == 1
    assert "401" in capsys.readouterr().err
    for bad in ("http://[::1", "http://", "https:///path"):
        status = listen.run(api_key, bad, api_base=server.base, out=io.StringIO(),
                            stop=threading.Event())
        assert status == 1
        assert "not a URL to forward to" in capsys.readouterr().err
    # nothing was registered for the refused URLs
    assert not [we for we in stripe.StripeClient(api_key, base_addresses={"api": server.base})
                .v1.webhook_endpoints.list().data if we.url.startswith("http://[")]


def test_a_slow_app_does_not_make_the_server_retry(tmp_path, make_receiver):
    from tests.conftest import start_server
    srv = start_server(f"sqlite:///{tmp_path / 'listen.db'}", webhook_timeout=0.3)
    key = "sk_test_" + secrets.token_hex(12)
    rec = make_receiver(delay=1.0)  # slower than the server's webhook timeout
    out, stop, thread, codes = run_in_thread(api_key=key, forward_to=rec.url,
                                             api_base=srv.base)
    try:
        out.wait("Ready!")
        client = stripe.StripeClient(key, base_addresses={"api": srv.base},
                                     max_network_retries=0)
        client.v1.customers.create()
        out.wait(r"--> customer\.created .*\[200\]")
        settle(1.5)
        assert rec.types() == ["customer.created"]
    finally:
        stop.set()
        thread.join(timeout=15)
        srv.stop()
    assert codes == [0]
