"""Load generators: wrk with a Lua script (the measurement), and a small Python driver
for the flow benchmark where wrk is not installed (the CI smoke run; its numbers are
bounded by the driver itself, and the table says so)."""
from __future__ import annotations

import asyncio
import json
import re
import shutil
import subprocess
import time
import uuid
from dataclasses import dataclass
from pathlib import Path

HERE = Path(__file__).resolve().parent
LUA = HERE / "lua"


@dataclass
class Result:
    requests: int
    seconds: float
    errors: int
    p50_ms: float
    p99_ms: float
    flows: int = 0
    cpu_seconds: float = 0.0   # the server's, during the run
    driver: str = "wrk"

    @property
    def rps(self) -> float:
        return self.requests / self.seconds if self.seconds else 0.0

    @property
    def flows_per_s(self) -> float:
        return self.flows / self.seconds if self.seconds else 0.0

    @property
    def cpu_us_per_request(self) -> float:
        return self.cpu_seconds / self.requests * 1e6 if self.requests else 0.0

    @staticmethod
    def combine(parts: list["Result"]) -> "Result":
        """Rounds of one target added up; p50 the median round's, p99 the worst round's."""
        parts = [p for p in parts if p is not None]
        p50s = sorted(p.p50_ms for p in parts)
        return Result(sum(p.requests for p in parts), sum(p.seconds for p in parts),
                      sum(p.errors for p in parts), p50s[len(p50s) // 2],
                      max(p.p99_ms for p in parts), sum(p.flows for p in parts),
                      sum(p.cpu_seconds for p in parts), parts[0].driver)


def have_wrk() -> bool:
    return shutil.which("wrk") is not None


def wrk(url: str, script: str, seconds: float, *, connections: int = 16, threads: int = 1,
        args: tuple[str, ...] = ()) -> Result:
    """Run wrk; the Lua script prints one WRKJSON line with its own counters."""
    cmd = ["wrk", f"-t{threads}", f"-c{connections}", f"-d{max(1, round(seconds))}s",
           "--timeout", "10s", "-s", str(LUA / script), url, "--",
           uuid.uuid4().hex[:12], *args]
    out = subprocess.run(cmd, capture_output=True, text=True, timeout=seconds + 60)
    m = re.search(r"^WRKJSON (\{.*\})$", out.stdout, re.M)
    if out.returncode != 0 or m is None:
        raise RuntimeError(f"wrk failed ({out.returncode}): {out.stdout[-800:]} "
                           f"{out.stderr[-800:]}")
    d = json.loads(m.group(1))
    return Result(d["requests"], d["duration_us"] / 1e6, d["errors"] + d.get("failed_flows", 0),
                  d["p50_ms"], d["p99_ms"], d.get("flows", 0))


# -- the Python flow driver -------------------------------------------------------------
# The same steps as lua/flow.lua: (path, body from the ids so far, as the connected
# account?, the id prefix to keep, the name to keep it under).
FLOWS = {
    "tokens": [
        ("/v1/customers", lambda i: {"email": "jenny@example.com", "source": "tok_visa"},
         False, "cus", "customer"),
        ("/v1/accounts", lambda i: {"type": "standard"}, False, "acct", "account"),
        ("/v1/tokens", lambda i: {"customer": i["customer"]}, True, "tok", "token"),
        ("/v1/customers", lambda i: {"source": i["token"]}, True, "cus", "connected_customer"),
        ("/v1/charges", lambda i: {"amount": "2000", "currency": "usd",
                                   "customer": i["connected_customer"]}, True, None, None),
    ],
    "payment_methods": [
        ("/v1/payment_methods", lambda i: {"type": "card", "card[token]": "tok_visa",
                                           "billing_details[name]": "Jenny Rosen"},
         False, "pm", "pm"),
        ("/v1/customers", lambda i: {"name": "Jenny Rosen", "payment_method": i["pm"]},
         False, "cus", "customer"),
        ("/v1/accounts", lambda i: {"type": "standard"}, False, "acct", "account"),
        ("/v1/payment_methods", lambda i: {"customer": i["customer"],
                                           "payment_method": i["pm"]}, True, "pm", "clone"),
        ("/v1/payment_intents", lambda i: {"amount": "2000", "currency": "usd",
                                           "confirm": "true", "payment_method": i["clone"]},
         True, None, None),
    ],
}


def python_flow(url: str, flow: str, seconds: float, *, clients: int = 8) -> Result:
    return asyncio.run(_python_flow(url, flow, seconds, clients))


async def _python_flow(url: str, flow: str, seconds: float, clients: int) -> Result:
    import httpx  # a test dependency of the project

    steps = FLOWS[flow]
    latencies: list[float] = []
    counts = {"flows": 0, "errors": 0, "requests": 0}
    prefix = uuid.uuid4().hex[:12]
    deadline = time.monotonic() + seconds

    async def client(n: int) -> None:
        headers = {"Authorization": "Bearer sk_test_bench", "Stripe-Version": "2023-08-16"}
        async with httpx.AsyncClient(base_url=url, timeout=30, trust_env=False) as http:
            seq = 0
            while time.monotonic() < deadline:
                ids: dict[str, str] = {}
                for path, body, connected, keep, name in steps:
                    seq += 1
                    h = {**headers, "Idempotency-Key": f"{prefix}-{n}-{seq}"}
                    if connected:
                        h["Stripe-Account"] = ids["account"]
                    t = time.perf_counter()
                    r = await http.post(path, data=body(ids), headers=h)
                    latencies.append(time.perf_counter() - t)
                    counts["requests"] += 1
                    if r.status_code != 200:
                        counts["errors"] += 1
                        break
                    if keep:
                        ids[name] = r.json()["id"]
                else:
                    counts["flows"] += 1

    start = time.monotonic()
    await asyncio.gather(*(client(n) for n in range(clients)))
    elapsed = time.monotonic() - start
    latencies.sort()
    pct = (lambda q: latencies[min(len(latencies) - 1, int(q * len(latencies)))] * 1000
           if latencies else 0.0)
    return Result(counts["requests"], elapsed, counts["errors"], pct(0.5), pct(0.99),
                  counts["flows"], driver="python")
