"""`connect-sandbox listen`: forward a platform's events to a local URL, as `stripe listen`
does, using the server's own webhook machinery.

It runs a small HTTP receiver on 127.0.0.1, registers it with the server as a webhook
endpoint and as a Connect endpoint (described "connect-sandbox listen", metadata
connect_sandbox_listen=<pid>), and for every event the server delivers it checks the
server's signature, signs the body again with the session's secret (one stable secret
per API key, printed at start) and POSTs it to --forward-to (the connected accounts'
events to --forward-connect-to when given, as `stripe listen` does), printing one line
per event with the answer. URLs may be written as `stripe listen` takes them
(`localhost:4242/webhook`, `4242` and `/webhook` are on http://localhost). The server
gets a 200 whatever the forward target answered (like `stripe listen`, which does not
make Stripe retry). The endpoints are deleted on exit (Ctrl-C or SIGTERM). The receiver
listens on 127.0.0.1, so the server must run on the same host.
"""
from __future__ import annotations

import json
import os
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, TextIO
from urllib.parse import urlsplit

import httpx

from .domain.ids import stable_id
from .webhooks import sender, signing

DEFAULT_API_BASE = "http://127.0.0.1:12111"
FORWARD_TIMEOUT = 30.0


class ListenError(Exception):
    pass


def forward_url(url: str) -> str:
    """A --forward-to value as `stripe listen` reads it: a port alone is on localhost, a
    path alone too, and a URL without a scheme is http."""
    url = url.strip()
    if url.isdigit():
        url = "localhost:" + url
    if url.startswith("/"):
        url = "localhost" + url
    if not url.startswith(("http://", "https://")):
        url = "http://" + url
    try:
        host = urlsplit(url).hostname
    except ValueError:
        host = None
    if not host:
        raise ListenError(f"not a URL to forward to: {url[:200]!r}")
    return url


def session_secret(api_key: str) -> str:
    """The signing secret of `listen` sessions for this key: the same on every run, so
    it can be put in the app's configuration once."""
    return stable_id("whsec", "connect-sandbox listen:" + api_key, 32)


def _stamp() -> str:
    return time.strftime("%Y-%m-%d %H:%M:%S")


class _Receiver(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, session: "Listener"):
        self.session = session
        super().__init__(("127.0.0.1", 0), _Handler)


class _Handler(BaseHTTPRequestHandler):
    server: _Receiver

    def do_POST(self) -> None:  # noqa: N802
        body = self.rfile.read(int(self.headers.get("content-length") or 0))
        session = self.server.session
        event = session.accept(self.path, self.headers.get("stripe-signature"), body)
        # Answer the server at once (it must not time out and retry while the app is
        # slow), then forward.
        self.send_response(200 if event is not None else 400)
        self.send_header("Content-Length", "0")
        self.end_headers()
        self.wfile.flush()
        if event is not None:
            session.forward_event(event, body)

    def log_message(self, *args: Any) -> None:
        pass


class Listener:
    def __init__(self, api_key: str, forward_to: str, *, events: list[str] | None = None,
                 connect: bool = True, forward_connect_to: str | None = None,
                 api_base: str = DEFAULT_API_BASE, out: TextIO | None = None):
        self.api_key = api_key
        self.forward_to = forward_url(forward_to)
        self.forward_connect_to = forward_url(forward_connect_to) if forward_connect_to \
            else self.forward_to
        self.events = events or ["*"]
        self.connect = connect
        self.api = httpx.Client(base_url=api_base.rstrip("/"), trust_env=False, timeout=30,
                                headers={"Authorization": f"Bearer {api_key}"})
        self.forward = httpx.Client(trust_env=False, timeout=FORWARD_TIMEOUT,
                                    follow_redirects=False)
        self.out = out or sys.stdout
        self.secret = session_secret(api_key)
        self.endpoints: dict[str, dict[str, Any]] = {}  # receiver path -> endpoint
        self.receiver: _Receiver | None = None
        self._print_lock = threading.Lock()

    def say(self, line: str) -> None:
        with self._print_lock:
            print(line, file=self.out, flush=True)

    # -- set-up and tear-down -----------------------------------------------------------
    def start(self) -> None:
        self.receiver = _Receiver(self)
        threading.Thread(target=self.receiver.serve_forever, daemon=True,
                         name="connect-sandbox listen receiver").start()
        base = f"http://127.0.0.1:{self.receiver.server_address[1]}"
        kinds = [("/platform", False)] + ([("/connect", True)] if self.connect else [])
        for path, connect in kinds:
            self.endpoints[path] = self._create_endpoint(base + path, connect)
        self.say(f"> Ready! Your webhook signing secret is {self.secret} (^C to quit)")
        kinds_of_events = ', '.join(self.events)
        if not self.connect:
            self.say(f"> Forwarding the platform's events ({kinds_of_events}) to "
                     f"{self.forward_to}")
        elif self.forward_connect_to == self.forward_to:
            self.say(f"> Forwarding the platform's and its connected accounts' events "
                     f"({kinds_of_events}) to {self.forward_to}")
        else:
            self.say(f"> Forwarding the platform's events ({kinds_of_events}) to "
                     f"{self.forward_to}, its connected accounts' to "
                     f"{self.forward_connect_to}")

    def _create_endpoint(self, url: str, connect: bool) -> dict[str, Any]:
        form: list[tuple[str, str]] = [("url", url), ("description", "connect-sandbox listen"),
                                       ("metadata[connect_sandbox_listen]", str(os.getpid()))]
        form += [(f"enabled_events[{i}]", e) for i, e in enumerate(self.events)]
        if connect:
            form.append(("connect", "true"))
        try:
            resp = self.api.post("/v1/webhook_endpoints", data=dict(form))
        except httpx.HTTPError as exc:
            raise ListenError(f"could not reach the server at {self.api.base_url}: {exc}")
        if resp.status_code != 200:
            raise ListenError(_error_message(resp))
        return resp.json()

    def close(self) -> None:
        for endpoint in self.endpoints.values():
            try:
                self.api.delete(f"/v1/webhook_endpoints/{endpoint['id']}")
            except httpx.HTTPError:
                self.say(f"! could not delete webhook endpoint {endpoint['id']}")
        self.endpoints.clear()
        if self.receiver is not None:
            self.receiver.shutdown()
            self.receiver.server_close()
            self.receiver = None
        self.api.close()
        self.forward.close()

    # -- one delivery -------------------------------------------------------------------
    def accept(self, path: str, signature: str | None, body: bytes) -> dict[str, Any] | None:
        """The event the server sent, if it is signed with one of our endpoints' secrets."""
        endpoint = self.endpoints.get(path)
        if endpoint is None:
            return None
        try:
            signing.verify(body, signature, endpoint["secret"])
            return json.loads(body)
        except (signing.SignatureError, ValueError):
            return None

    def forward_event(self, event: dict[str, Any], body: bytes) -> None:
        connected = bool(event.get("account"))
        kind = "connect " if connected else ""
        where = f" ({event['account']})" if connected else ""
        target = self.forward_connect_to if connected else self.forward_to
        head = f"{_stamp()}   --> {kind}{event.get('type')} [{event.get('id')}]{where}"
        headers = sender.headers(signing.header(body, self.secret))
        try:
            resp = self.forward.post(target, content=body, headers=headers)
            self.say(f"{head}  <-- [{resp.status_code}] POST {target}")
        except httpx.HTTPError as exc:
            self.say(f"{head}  <-- [ERROR] POST {target}: {exc}")


def _error_message(resp: httpx.Response) -> str:
    try:
        err = resp.json()["error"]
        return f"{resp.status_code}: {err.get('message')}" + (
            f" (param {err['param']})" if err.get("param") else "")
    except (ValueError, KeyError, TypeError):
        return f"{resp.status_code}: {resp.text[:200]}"


def run(api_key: str, forward_to: str, *, events: list[str] | None = None,
        connect: bool = True, forward_connect_to: str | None = None,
        api_base: str = DEFAULT_API_BASE, out: TextIO | None = None,
        stop: threading.Event | None = None) -> int:
    """Listen until `stop` is set (or Ctrl-C); returns the exit status."""
    stop = stop or threading.Event()
    listener = None
    try:
        listener = Listener(api_key, forward_to, events=events, connect=connect,
                            forward_connect_to=forward_connect_to, api_base=api_base, out=out)
        listener.start()
        while not stop.wait(0.2):
            pass
        return 0
    except ListenError as exc:
        print(f"connect-sandbox listen: {exc}", file=sys.stderr, flush=True)
        return 1
    except KeyboardInterrupt:
        return 0
    finally:
        if listener is not None:
            listener.close()
