"""Runs the official stripe-node SDK (tests/node, `npm ci` from the committed lockfile)
against a real server. Skips when Node.js or the installed SDK is missing, except in CI.

The server runs in this process, so faults are injected here for requests that carry an
`X-Test-Fault` header (the Node tests of automatic retries send it): `busy-once-<key>`
answers the first attempt as if another request held the idempotency key (409
idempotency_key_in_use), `fail-once-<x>` fails the first attempt with an unexpected error
(500), `fail-always` fails every attempt."""
import os
import shutil
import subprocess
from pathlib import Path

import pytest

from connect_sandbox.http import pipeline
from connect_sandbox.store import sql

HERE = Path(__file__).resolve().parent


@pytest.fixture
def faults(monkeypatch):
    seen: set[str] = set()
    real_lock, real_execute = sql.Tx.idem_try_lock, pipeline.Pipeline._execute

    def fault(request) -> str:  # noqa: ANN001
        return request.headers.get("x-test-fault", "")

    def first_time(marker: str) -> bool:
        if marker in seen:
            return False
        seen.add(marker)
        return True

    # The lock has no request: the fault names the key it refuses once.
    def try_lock(self, account, key):  # noqa: ANN001
        if f"busy-once-{key}" in busy and first_time(f"busy-once-{key}"):
            return False
        return real_lock(self, account, key)

    def execute(self, tx, ctx, op, params, request):  # noqa: ANN001
        name = fault(request)
        if name == "fail-always" or (name.startswith("fail-once-") and first_time(name)):
            raise RuntimeError(f"injected fault {name}")
        return real_execute(self, tx, ctx, op, params, request)

    busy: set[str] = set()
    real_call = pipeline.Pipeline.__call__

    async def call(self, request, op):  # noqa: ANN001
        name = fault(request)
        if name.startswith("busy-once-"):
            busy.add(name)
        return await real_call(self, request, op)

    monkeypatch.setattr(sql.Tx, "idem_try_lock", try_lock)
    monkeypatch.setattr(pipeline.Pipeline, "_execute", execute)
    monkeypatch.setattr(pipeline.Pipeline, "__call__", call)


def test_stripe_node_flows(server, faults):
    node = shutil.which("node")
    if node is None or not (HERE / "node_modules" / "stripe").is_dir():
        if os.environ.get("CI") == "true":
            pytest.fail("CI needs Node.js and `npm ci --prefix tests/node` (see .ci/run)")
        pytest.skip("Node.js or tests/node/node_modules missing: run `npm ci --prefix tests/node`")
    port = server.base.rsplit(":", 1)[1]
    files = sorted(p.name for p in HERE.glob("*.test.mjs"))
    done = subprocess.run([node, "--test", "--test-reporter=spec", *files], cwd=HERE,
                          env=dict(os.environ, SANDBOX_PORT=port, SANDBOX_FAULTS="1"), capture_output=True,
                          text=True, timeout=180)
    assert done.returncode == 0, done.stdout[-8000:] + done.stderr[-2000:]
    assert "# skipped 0" in done.stdout or "ℹ skipped 0" in done.stdout, done.stdout[-2000:]
