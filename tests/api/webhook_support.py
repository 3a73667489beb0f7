"""A real webhook receiver for the tests: a threaded http.server on a free port that
records every POST and answers with scripted statuses. Import the `make_receiver`
fixture into a test module to use it."""
from __future__ import annotations

import json
import threading
import time
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Callable

import pytest
import stripe


@dataclass
class Received:
    path: str
    headers: dict[str, str]
    body: bytes
    at: float

    @property
    def event(self) -> dict[str, Any]:
        return json.loads(self.body)

    @property
    def signature(self) -> str:
        return self.headers.get("stripe-signature", "")

    def verify(self, secret: str) -> stripe.Event:
        """The official SDK's check: raises SignatureVerificationError on a bad signature."""
        return stripe.Webhook.construct_event(self.body, self.signature, secret)


class Receiver:
    def __init__(self, statuses: list[int] | None = None, default: int = 200,
                 delay: float = 0.0):
        self.statuses = list(statuses or [])
        self.default = default
        self.delay = delay
        self.received: list[Received] = []
        self._lock = threading.Lock()
        owner = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):  # noqa: N802
                length = int(self.headers.get("content-length") or 0)
                body = self.rfile.read(length)
                with owner._lock:
                    owner.received.append(Received(
                        self.path, {k.lower(): v for k, v in self.headers.items()}, body,
                        time.monotonic()))
                    status = owner.statuses.pop(0) if owner.statuses else owner.default
                if owner.delay:
                    time.sleep(owner.delay)
                reply = json.dumps({"received": True, "status": status}).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(reply)))
                self.end_headers()
                self.wfile.write(reply)

            def log_message(self, *args):  # quiet
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self.thread.start()
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}/webhook"

    def events(self) -> list[dict[str, Any]]:
        with self._lock:
            return [r.event for r in self.received]

    def types(self) -> list[str]:
        return [e["type"] for e in self.events()]

    def wait_for(self, predicate: Callable[[list[dict[str, Any]]], bool],
                 timeout: float = 10.0) -> list[dict[str, Any]]:
        """Wait until predicate(events received so far) holds; return those events."""
        deadline = time.monotonic() + timeout
        while True:
            events = self.events()
            if predicate(events):
                return events
            if time.monotonic() > deadline:
                raise AssertionError(f"timed out; received {[e['type'] for e in events]}")
            time.sleep(0.02)

    def wait_type(self, type_: str, count: int = 1, timeout: float = 10.0) -> list[dict]:
        got = self.wait_for(lambda ev: sum(e["type"] == type_ for e in ev) >= count, timeout)
        return [e for e in got if e["type"] == type_]

    def close(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


@pytest.fixture
def make_receiver():
    made: list[Receiver] = []

    def make(statuses: list[int] | None = None, default: int = 200,
             delay: float = 0.0) -> Receiver:
        r = Receiver(statuses, default, delay)
        made.append(r)
        return r
    yield make
    for r in made:
        r.close()


def settle(seconds: float = 0.6) -> None:
    """Give the delivery worker time to (not) deliver, for negative assertions."""
    time.sleep(seconds)
