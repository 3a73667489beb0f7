"""Settings: a value that cannot be used stops `serve` with one line naming it (exit 2),
never a traceback."""
from __future__ import annotations

import subprocess
import sys

import pytest

from connect_sandbox.config import Settings, SettingsError


@pytest.mark.parametrize("name,value", [
    ("WEBHOOK_RETRY_BASE", "abc"), ("WEBHOOK_MAX_ATTEMPTS", "0"), ("PORT", "70000"),
    ("WORKERS", "two"), ("ACH_SETTLE_SECONDS", "-1"), ("PAYOUT_SECONDS", "nan"),
    ("SPECULATE", "sometimes"),
])
def test_bad_environment_values_name_the_variable(monkeypatch, name: str, value: str) -> None:
    monkeypatch.setenv("CONNECT_SANDBOX_" + name, value)
    with pytest.raises(SettingsError, match="CONNECT_SANDBOX_" + name):
        Settings.from_env()


def test_speculation_is_on_with_several_workers_unless_turned_off(monkeypatch) -> None:
    assert not Settings.from_env(database="sqlite:///x.db").speculating()
    assert Settings.from_env(database="sqlite:///x.db", workers=2).speculating()
    monkeypatch.setenv("CONNECT_SANDBOX_SPECULATE", "Off")
    assert not Settings.from_env(database="sqlite:///x.db", workers=2).speculating()
    monkeypatch.setenv("CONNECT_SANDBOX_SPECULATE", "on")
    assert Settings.from_env(database="sqlite:///x.db").speculating()


def test_good_values_and_flags(monkeypatch) -> None:
    monkeypatch.setenv("CONNECT_SANDBOX_WEBHOOK_RETRY_BASE", "0.5")
    monkeypatch.setenv("CONNECT_SANDBOX_PORT", "0")
    s = Settings.from_env(database="sqlite:///x.db", workers=2)
    assert (s.webhook_retry_base, s.port, s.workers) == (0.5, 0, 2)
    for bad in ({"workers": 0}, {"port": 99999}, {"database": "mysql://db"}):
        with pytest.raises(SettingsError):
            Settings.from_env(**bad)


@pytest.mark.parametrize("args", [
    ["--database", "mysql://db"], ["--workers", "0"],
    ["--database", "postgresql://postgres@127.0.0.1:1/none"],
])
def test_serve_refuses_with_one_line(args: list[str], tmp_path) -> None:
    out = subprocess.run([sys.executable, "-m", "connect_sandbox", "serve", "--port", "0",
                          *args], capture_output=True, text=True, timeout=60, cwd=tmp_path)
    assert out.returncode == 2
    lines = out.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("connect-sandbox: "), out.stderr
    assert "Traceback" not in out.stderr and "listening" not in out.stdout
