"""Runs the official stripe-node SDK (tests/node, `npm ci` from the committed lockfile)
against a real server. Skips when Node.js or the installed SDK is missing, except in CI."""
import os
import shutil
import subprocess
from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent


def test_stripe_node_flows(server):
    node = shutil.which("node")
    if node is None or not (HERE / "node_modules" / "stripe").is_dir():
        if os.environ.get("CI") == "true":
            pytest.fail("CI needs Node.js and `npm ci --prefix tests/node` (see .ci/run)")
        pytest.skip("Node.js or tests/node/node_modules missing: run `npm ci --prefix tests/node`")
    port = server.base.rsplit(":", 1)[1]
    done = subprocess.run([node, "--test", "--test-reporter=spec", "flows.test.mjs"], cwd=HERE,
                          env=dict(os.environ, SANDBOX_PORT=port), capture_output=True,
                          text=True, timeout=120)
    assert done.returncode == 0, done.stdout[-6000:] + done.stderr[-2000:]
