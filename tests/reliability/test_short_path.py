"""`connect-sandbox serve` answers API requests past the ASGI round trip
(http/shortpath.py). The same requests sent with an X-Forwarded-For header take uvicorn's
ASGI way instead, so each answer is compared with the one the usual way gives; and the
HTTP/1.1 rules that uvicorn keeps (keep-alive, pipelining, Connection: close, HTTP/1.0,
Expect: 100-continue, bodies in pieces, the body limit) are checked on raw sockets."""
from __future__ import annotations

import socket
import threading
import time
from pathlib import Path
from typing import Iterator

import httpx
import pytest
import stripe
import uvicorn

from connect_sandbox import app as app_module
from connect_sandbox.config import Settings
from connect_sandbox.http import shortpath

from ..conftest import free_port
from .procs import ServerProcess

VOLATILE = {"date", "request-id", "original-request", "idempotency-key"}


@pytest.fixture(scope="module")
def cli_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServerProcess]:
    tmp = tmp_path_factory.mktemp("short")
    with ServerProcess(f"sqlite:///{tmp / 'db.sqlite'}", tmp / "server.log") as server:
        yield server


def _request(method: str, path: str, body: bytes = b"", headers: dict[str, str] | None = None,
             version: str = "1.1") -> bytes:
    head = {"Host": "127.0.0.1", "Authorization": "Bearer sk_test_short",
            "Content-Length": str(len(body)), **(headers or {})}
    if not body and method == "GET":
        head.pop("Content-Length")
    lines = [f"{method} {path} HTTP/{version}"] + [f"{k}: {v}" for k, v in head.items()]
    return ("\r\n".join(lines) + "\r\n\r\n").encode() + body


class Conn:
    """One raw HTTP/1.1 connection: responses parsed by Content-Length."""

    def __init__(self, server: ServerProcess):
        self.sock = socket.create_connection(("127.0.0.1", server.port), timeout=10)
        self.buf = b""

    def send(self, data: bytes) -> None:
        self.sock.sendall(data)

    def _fill(self) -> bool:
        chunk = self.sock.recv(65536)
        self.buf += chunk
        return bool(chunk)

    def response(self, *, to_head: bool = False) -> tuple[int, dict[str, str], bytes]:
        while b"\r\n\r\n" not in self.buf:
            assert self._fill(), f"connection closed mid-response: {self.buf!r}"
        head, self.buf = self.buf.split(b"\r\n\r\n", 1)
        status_line, *lines = head.decode("latin-1").split("\r\n")
        headers: dict[str, str] = {}
        for line in lines:
            name, _, value = line.partition(":")
            assert name.lower() not in headers, f"header sent twice: {name}"
            headers[name.lower()] = value.strip()
        length = 0 if to_head else int(headers.get("content-length", "0"))
        while len(self.buf) < length:
            assert self._fill(), "connection closed mid-body"
        body, self.buf = self.buf[:length], self.buf[length:]
        return int(status_line.split()[1]), headers, body

    def closed_by_server(self) -> bool:
        self.sock.settimeout(5)
        try:
            return self.sock.recv(1) == b""
        except ConnectionResetError:
            return True

    def close(self) -> None:
        self.sock.close()


def test_api_requests_skip_the_asgi_call(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """In process, with the protocol `serve` uses (cli.py): an API request reaches its
    endpoint's respond() without the ASGI call; with X-Forwarded-For, and for any other
    path, the ASGI way runs."""
    from connect_sandbox import cli
    assert "connect_sandbox.http.shortpath:ShortPathProtocol" in Path(cli.__file__).read_text()
    asgi_calls = []
    original = app_module._Endpoint.__call__

    async def counting(self, scope, receive, send):  # noqa: ANN001
        asgi_calls.append(scope["path"])
        await original(self, scope, receive, send)
    monkeypatch.setattr(app_module._Endpoint, "__call__", counting)
    port = free_port()
    app = app_module.create_app(Settings(host="127.0.0.1", port=port,
                                         database=f"sqlite:///{tmp_path / 'db.sqlite'}"))
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, loop="asyncio",
                                           http=shortpath.ShortPathProtocol,
                                           log_level="warning", access_log=False,
                                           lifespan="on"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    try:
        deadline = time.monotonic() + 10
        while not server.started:
            assert time.monotonic() < deadline, "server did not start"
            time.sleep(0.01)
        auth = {"Authorization": "Bearer sk_test_inproc"}
        base = f"http://127.0.0.1:{port}"
        r = httpx.post(base + "/v1/customers", data={"email": "a@example.com"}, headers=auth)
        assert r.status_code == 200 and r.json()["email"] == "a@example.com"
        assert httpx.get(base + "/v1/customers", headers=auth).json()["data"][0]["id"] == \
            r.json()["id"]
        assert asgi_calls == []
        r = httpx.get(base + "/v1/customers/" + r.json()["id"],
                      headers={**auth, "X-Forwarded-For": "10.1.2.3"})
        assert r.status_code == 200 and asgi_calls == ["/v1/customers/" + r.json()["id"]]
        assert httpx.get(base + "/dashboard", headers=auth).status_code in (200, 303)
        assert len(asgi_calls) == 1  # the dashboard is not an API endpoint
    finally:
        server.should_exit = True
        thread.join(timeout=10)


@pytest.mark.parametrize("method,path,body,extra", [
    ("POST", "/v1/customers", b"email=jenny%40example.com&metadata[a]=1", {}),
    ("POST", "/v1/customers", b"email=jenny%40example.com", {"Idempotency-Key": "same-{n}"}),
    ("GET", "/v1/customers/cus_missing", b"", {}),
    ("POST", "/v1/customers", b"email=1&bogus=2", {}),
    ("POST", "/v1/charges", b"amount=-5&currency=usd", {"Stripe-Version": "2020-08-27"}),
    ("DELETE", "/v1/customers/cus_missing", b"", {}),
    ("GET", "/v1/account", b"", {"Stripe-Account": "acct_nope"}),
    ("POST", "/v1/customers", b"email=x", {"Authorization": "Bearer nope"}),
])
def test_answers_match_the_asgi_way(cli_server: ServerProcess, method: str, path: str,
                                    body: bytes, extra: dict[str, str]) -> None:
    answers = []
    for n, forwarded in enumerate(({}, {"X-Forwarded-For": "127.0.0.1"})):
        headers = {k: v.format(n=n) for k, v in extra.items()} | forwarded
        conn = Conn(cli_server)
        conn.send(_request(method, path, body, headers))
        status, head, payload = conn.response()
        conn.close()
        answers.append((status, head, payload))
        assert head.get("idempotency-key") == headers.get("Idempotency-Key")
    (s1, h1, b1), (s2, h2, b2) = answers
    assert s1 == s2
    assert {k: v for k, v in h1.items() if k not in VOLATILE} == \
        {k: v for k, v in h2.items() if k not in VOLATILE}
    assert set(h1) == set(h2) and {"date", "server", "request-id"} <= set(h1)
    if s1 != 200:
        assert b1 == b2  # error bodies hold no ids or times
    else:
        assert len(b1) == len(b2) and b1.startswith(b'{\n  "address": null')


HOSTILE = {
    "invalid utf-8 body": (b"POST", b"/v1/customers", b"email=\xff\xfe", {}),
    "invalid utf-8 query": (b"GET", b"/v1/customers?limit=%ff", b"", {}),
    "json body": (b"POST", b"/v1/customers", b'{"email": "a"}',
                  {b"Content-Type": b"application/json"}),
    "deep brackets": (b"POST", b"/v1/customers", b"metadata" + b"[a]" * 50 + b"=1", {}),
    "too many fields": (b"POST", b"/v1/customers",
                        "&".join(f"metadata[k{i}]=v" for i in range(2500)).encode(), {}),
    "latin-1 key": (b"POST", b"/v1/customers", b"email=x",
                    {b"Authorization": b"Bearer sk_test_\xff\xfe"}),
    "latin-1 account": (b"POST", b"/v1/customers", b"email=x",
                        {b"Stripe-Account": b"acct_\xff\xfe"}),
    "long idempotency key": (b"POST", b"/v1/customers", b"email=x",
                             {b"Idempotency-Key": b"k" * 256}),
    "latin-1 idempotency key": (b"POST", b"/v1/customers", b"email=x",
                                {b"Idempotency-Key": "\u00e9".encode("latin-1") * 300}),
    "garbage version": (b"POST", b"/v1/customers", b"email=x",
                        {b"Stripe-Version": b"2023-08-16; ="}),
    "stripe-context": (b"GET", b"/v1/customers", b"",
                       {b"Stripe-Context": b"acct_1/acct_2"}),
}


@pytest.mark.parametrize("case", HOSTILE.values(), ids=HOSTILE.keys())
def test_hostile_requests_answered_as_the_asgi_way_does(cli_server: ServerProcess,
                                                         case: tuple) -> None:
    method, path, body, extra = case
    answers = []
    for forwarded in ({}, {b"X-Forwarded-For": b"127.0.0.1"}):
        head = {b"Host": b"127.0.0.1", b"Authorization": b"Bearer sk_test_short",
                b"Content-Length": str(len(body)).encode(), **extra, **forwarded}
        data = method + b" " + path + b" HTTP/1.1\r\n" + b"".join(
            k + b": " + v + b"\r\n" for k, v in head.items()) + b"\r\n" + body
        conn = Conn(cli_server)
        try:
            conn.send(data)
            answers.append(conn.response())
        finally:
            conn.close()
    (s1, h1, b1), (s2, h2, b2) = answers
    assert 400 <= s1 < 500 and s1 == s2, (s1, s2, b1[:300])
    assert {k: v for k, v in h1.items() if k not in VOLATILE - {"idempotency-key"}} == \
        {k: v for k, v in h2.items() if k not in VOLATILE - {"idempotency-key"}}
    assert b1 == b2


def test_keep_alive_and_pipelined_requests(cli_server: ServerProcess) -> None:
    conn = Conn(cli_server)
    conn.send(_request("POST", "/v1/customers", b"email=one%40example.com"))
    status, headers, body = conn.response()
    assert status == 200 and "connection" not in headers and b"one@example.com" in body
    # Three requests in one write: three answers, in order, on the same connection.
    conn.send(b"".join(_request("POST", "/v1/customers", f"email=p{i}%40example.com".encode())
                       for i in range(3)))
    for i in range(3):
        status, _, body = conn.response()
        assert status == 200 and f"p{i}@example.com".encode() in body
    conn.send(_request("GET", "/v1/customers?limit=2"))
    status, _, body = conn.response()
    assert status == 200 and b"p2@example.com" in body and b"p1@example.com" in body
    conn.close()


def test_connection_close_and_http_1_0(cli_server: ServerProcess) -> None:
    conn = Conn(cli_server)
    conn.send(_request("GET", "/v1/balance", headers={"Connection": "close"}))
    status, headers, _ = conn.response()
    assert status == 200 and headers["connection"] == "close"
    assert conn.closed_by_server()
    conn.close()
    conn = Conn(cli_server)
    conn.send(_request("GET", "/v1/balance", version="1.0"))
    status, headers, _ = conn.response()
    assert status == 200 and headers["connection"] == "close"
    assert conn.closed_by_server()
    conn.close()


def test_body_in_pieces_and_expect_continue(cli_server: ServerProcess) -> None:
    body = b"email=slow%40example.com&description=" + b"d" * 5000
    conn = Conn(cli_server)
    data = _request("POST", "/v1/customers", body)
    conn.send(data[:-3000])
    time.sleep(0.2)  # the request is waiting for the rest of its body
    conn.send(data[-3000:])
    status, _, payload = conn.response()
    assert status == 200 and b"slow@example.com" in payload and b"d" * 5000 in payload
    # Expect: 100-continue takes uvicorn's way, which sends the interim answer.
    conn.send(_request("POST", "/v1/customers", b"email=c%40example.com",
                       {"Expect": "100-continue"}).split(b"\r\n\r\n")[0] + b"\r\n\r\n")
    assert conn.sock.recv(64).startswith(b"HTTP/1.1 100 Continue")
    conn.send(b"email=c%40example.com")
    status, _, payload = conn.response()
    assert status == 200 and b"c@example.com" in payload
    conn.close()


def test_body_limit(cli_server: ServerProcess) -> None:
    conn = Conn(cli_server)
    big = b"description=" + b"x" * (1 << 20)
    conn.send(_request("POST", "/v1/customers", big))
    status, _, payload = conn.response()
    assert status == 413 and b"limited to 1048576 bytes" in payload
    conn.close()


def test_head_options_and_other_paths_take_the_usual_way(cli_server: ServerProcess) -> None:
    conn = Conn(cli_server)
    conn.send(_request("HEAD", "/v1/balance"))
    status, headers, _ = conn.response(to_head=True)
    assert status == 200 and int(headers["content-length"]) > 0
    conn.send(_request("OPTIONS", "/v1/customers", headers={
        "Origin": "http://localhost:3000", "Access-Control-Request-Method": "POST"}))
    status, headers, _ = conn.response()
    assert status in (200, 204) and headers["access-control-allow-origin"]
    conn.send(_request("GET", "/v1/nothing_here"))
    status, _, payload = conn.response()
    assert status == 404 and b"Unrecognized request URL" in payload
    conn.close()


def test_stripe_python_through_the_short_path(cli_server: ServerProcess) -> None:
    client = stripe.StripeClient("sk_test_short_sdk",
                                 base_addresses={"api": cli_server.base},
                                 max_network_retries=0)
    customer = client.v1.customers.create(params={"email": "jenny@example.com",
                                               "source": "tok_visa"})
    account = client.v1.accounts.create(params={"type": "standard"})
    token = client.v1.tokens.create(params={"customer": customer.id},
                                 options={"stripe_account": account.id})
    connected = client.v1.customers.create(params={"source": token.id},
                                        options={"stripe_account": account.id})
    charge = client.v1.charges.create(params={"amount": 2000, "currency": "usd",
                                           "customer": connected.id},
                                   options={"stripe_account": account.id})
    assert charge.paid and charge.source.last4 == "4242"
    assert charge.last_response.headers["Stripe-Account"] == account.id
    with pytest.raises(stripe.InvalidRequestError) as err:
        client.v1.customers.retrieve("cus_missing")
    assert err.value.http_status == 404 and err.value.param == "id"
    log = Path(cli_server.log).read_text(errors="replace")
    assert "Traceback" not in log and "Exception in ASGI application" not in log
