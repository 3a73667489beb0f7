"""The README's example runs, unchanged, against a real server."""
import os
import subprocess
import sys
from pathlib import Path

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "clone_flow.py"


def test_clone_flow_example_runs(server):
    env = dict(os.environ, SANDBOX_URL=server.base)
    done = subprocess.run([sys.executable, str(EXAMPLE)], env=env, capture_output=True,
                          text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    charge_id, status, same_fingerprint = done.stdout.split()
    assert charge_id.startswith("ch_")
    assert status == "succeeded"
    assert same_fingerprint == "True"
