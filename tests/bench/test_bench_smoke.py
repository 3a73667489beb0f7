"""CI proves the benchmark script still runs: the flow benchmark's smoke mode against
our server only, with the Python driver (wrk may not be installed). It asserts that the
run completes and produces numbers, never how fast they are: timing belongs to
benchmarks/run.py on a quiet machine, not to a test."""
from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_flow_benchmark_smoke_run(tmp_path):
    out = tmp_path / "bench.json"
    proc = subprocess.run(
        [sys.executable, str(ROOT / "benchmarks" / "run.py"), "--smoke", "--suite", "flow",
         "--targets", "sandbox", "--driver", "python", "--duration", "2", "--warmup", "0.5",
         "--json", str(out)],
        capture_output=True, text=True, timeout=120, cwd=ROOT)
    assert proc.returncode == 0, proc.stdout[-2000:] + proc.stderr[-2000:]
    assert "## flow: tokens" in proc.stdout and "flows/s" in proc.stdout
    results = json.loads(out.read_text())["flow"]
    assert set(results) == {"tokens", "payment_methods"}
    for flow, found in results.items():
        (name, r), = found["results"].items()
        assert name.startswith("connect-sandbox"), name
        assert r["flows"] > 0 and r["requests"] >= 5 * r["flows"], (flow, r)
        assert r["errors"] == 0, (flow, r)
        assert r["rps"] > 0 and r["p99_ms"] > 0 and r["cpu_seconds"] > 0, (flow, r)


def test_in_process_profiler_smoke_run():
    """benchmarks/inprocess.py (the flows without HTTP, with their SQL per step) still
    runs every flow without an error answer, as one worker and speculating (where every
    flow step is replayed, none runs again under the lock)."""
    for flow in ("tokens", "payment_methods"):
        for speculate in ("off", "on"):
            proc = subprocess.run(
                [sys.executable, str(ROOT / "benchmarks" / "inprocess.py"), "--flow", flow,
                 "--flows", "3", "--concurrency", "1", "--statements",
                 "--speculate", speculate],
                capture_output=True, text=True, timeout=120, cwd=ROOT)
            assert proc.returncode == 0, proc.stdout[-2000:] + proc.stderr[-2000:]
            assert f"{flow}: 3 flows, 15 requests, 0 errors" in proc.stdout, proc.stdout
            assert proc.stdout.count("SQL/req") == 5, proc.stdout
            if speculate == "on":
                assert ", conflicts 0, locked 0," in proc.stdout, proc.stdout
