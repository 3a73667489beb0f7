"""The flow benchmark's steps run in process, without HTTP: CPU and SQL statements per
step, and optionally a cProfile of the whole run. A tool for finding where a flow step
spends its time (run.py measures the server over HTTP; this isolates the application).

    .venv/bin/python benchmarks/inprocess.py --flow tokens --flows 400 [--profile out.prof]

16 flows run concurrently on one event loop, as wrk's 16 connections do, so the group
commit batches them as it does under load. Prints per step: requests, CPU us/request
(the thread's CPU, harness included), SQL statements/request, and a per-statement count
of the most frequent statements.
"""
from __future__ import annotations

import argparse
import asyncio
import collections
import gc
import cProfile
import os
import re
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import urlencode

import orjson
from sqlalchemy import event

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

import drivers  # noqa: E402  (benchmarks/drivers.py)
from connect_sandbox.app import create_app  # noqa: E402
from connect_sandbox.config import Settings  # noqa: E402

# The flows of run.py's Python driver (drivers.FLOWS), and a customer create alone.
STEPS = {name: [(path, lambda i, body=body: urlencode(body(i)), connected, keep)
                for path, body, connected, _prefix, keep in steps]
         for name, steps in drivers.FLOWS.items()}
STEPS["customers"] = [("/v1/customers", lambda i: "email=jenny%40example.com&name=Jenny"
                       "&description=bench&metadata[order]=1", False, None)]

_NORMALISE = re.compile(r"'[^']*'|\b\d+\b|cs_sp_\d+")


async def call(app, path: str, body: str, headers: list[tuple[bytes, bytes]]) -> tuple[int, bytes]:
    data = body.encode()
    scope = {"type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1",
             "method": "POST", "scheme": "http", "path": path, "raw_path": path.encode(),
             "query_string": b"", "root_path": "", "server": ("127.0.0.1", 80),
             "client": ("127.0.0.1", 5000),
             "headers": headers + [(b"content-length", str(len(data)).encode())]}
    sent = False
    out: dict = {"status": 0, "body": []}

    async def receive():
        nonlocal sent
        if sent:
            await asyncio.sleep(3600)
        sent = True
        return {"type": "http.request", "body": data, "more_body": False}

    async def send(msg):
        if msg["type"] == "http.response.start":
            out["status"] = msg["status"]
        elif msg["type"] == "http.response.body":
            out["body"].append(msg.get("body", b""))

    await app(scope, receive, send)
    return out["status"], b"".join(out["body"])


async def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--flow", default="tokens", choices=sorted(STEPS))
    ap.add_argument("--flows", type=int, default=400)
    ap.add_argument("--concurrency", type=int, default=16)
    ap.add_argument("--profile")
    ap.add_argument("--statements", action="store_true", help="print the SQL of each step")
    ap.add_argument("--speculate", choices=("on", "off"), default="off",
                    help="run each write on a snapshot first (what several workers do)")
    args = ap.parse_args()

    tmp = tempfile.mkdtemp()
    app = create_app(Settings(database=f"sqlite:///{tmp}/bench.db",
                              ach_settle_seconds=3600, payout_seconds=3600,
                              speculate=args.speculate))
    store = app.state.store
    current = {"step": None}
    counts: dict = collections.defaultdict(collections.Counter)

    def trace(sql: str) -> None:
        if current["step"] is not None:
            counts[current["step"]][_NORMALISE.sub("?", sql.strip())[:160]] += 1

    if args.statements:  # exact with --concurrency 1 (a batch mixes the steps)
        @event.listens_for(store.engine, "connect")
        def _on_connect(dbapi_conn, _record):
            dbapi_conn.set_trace_callback(trace)

        store.engine.dispose()  # the migration's pooled connections: reconnect, traced

    steps = STEPS[args.flow]
    reqs = collections.Counter()
    errors = 0
    seq = iter(range(10**9))

    async def one_flow(n: int) -> None:
        nonlocal errors
        ids: dict = {}
        for k, (path, body, connected, keep) in enumerate(steps):
            hdrs = [(b"authorization", b"Bearer sk_test_bench"),
                    (b"content-type", b"application/x-www-form-urlencoded"),
                    (b"stripe-version", b"2023-08-16"),
                    (b"idempotency-key", f"ip-{os.getpid()}-{next(seq)}".encode())]
            if connected:
                hdrs.append((b"stripe-account", ids["account"].encode()))
            current["step"] = k
            status, out = await call(app, path, body(ids), hdrs)
            reqs[k] += 1
            if status != 200:
                errors += 1
                if errors < 3:
                    print(path, status, out[:300], file=sys.stderr)
                return
            if keep:
                ids[keep] = orjson.loads(out)["id"]

    async with app.router.lifespan_context(app):
        for n in range(20):  # warm up
            await one_flow(n)
        reqs.clear(), counts.clear()
        prof = cProfile.Profile() if args.profile else None
        queue = list(range(args.flows))

        async def worker():
            while queue:
                await one_flow(queue.pop())

        t0, c0 = time.perf_counter(), time.process_time()
        if prof:
            prof.enable()
        await asyncio.gather(*(worker() for _ in range(args.concurrency)))
        if prof:
            prof.disable()
            prof.dump_stats(args.profile)
        wall, total_cpu = time.perf_counter() - t0, time.process_time() - c0
    n = sum(reqs.values())
    print(f"{args.flow}: {args.flows} flows, {n} requests, {errors} errors, "
          f"{wall:.2f} s wall, process CPU {total_cpu / n * 1e6:.0f} us/request")
    group = next((o for o in gc.get_objects() if type(o).__name__ == "GroupCommit"), None)
    if group is not None and hasattr(group, "stats"):
        print("  speculation (since start):",
              ", ".join(f"{k} {v}" for k, v in group.stats.items()))
    for k, (path, *_r) in enumerate(steps):
        if args.statements:
            st = sum(counts[k].values())
            print(f"  step {k + 1} {path:22} {st / max(reqs[k], 1):5.1f} SQL/req")
            for sql, c in counts[k].most_common():
                print(f"      {c / max(reqs[k], 1):5.2f}  {sql}")


if __name__ == "__main__":
    asyncio.run(main())
