"""Real `connect-sandbox serve` processes for the reliability tests, and fresh PostgreSQL
databases for them to share.

A server runs in its own process group (start_new_session), so `kill9()` takes down the
uvicorn supervisor and every worker at once, like `kill -9` on a whole service.
"""
from __future__ import annotations

import contextlib
import os
import secrets
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Iterator

import httpx
import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import OperationalError
from sqlalchemy.pool import NullPool

from connect_sandbox.store.dialects import normalise_url

from ..conftest import free_port

PG_ENV = "CONNECT_SANDBOX_TEST_POSTGRES"
PG_DEFAULT = "postgresql://postgres@127.0.0.1:5432/postgres"


class ServerProcess:
    """`python -m connect_sandbox serve` on a free port, logging to `log`."""

    def __init__(self, database: str, log: Path, *, workers: int = 1, port: int | None = None,
                 env: dict[str, str] | None = None):
        self.database = database
        self.env = env or {}
        self.log = log
        self.workers = workers
        self.port = port or free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.proc: subprocess.Popen | None = None

    def start(self, timeout: float = 30) -> "ServerProcess":
        return self.spawn().wait_ready(timeout)

    def spawn(self) -> "ServerProcess":
        """Start the process without waiting for it (see wait_ready)."""
        cmd = [sys.executable, "-m", "connect_sandbox", "serve", "--port", str(self.port),
               "--database", self.database, "--workers", str(self.workers)]
        env = {k: v for k, v in os.environ.items() if not k.startswith("CONNECT_SANDBOX_")}
        env.update(self.env)
        with open(self.log, "ab") as out:
            self.proc = subprocess.Popen(cmd, stdout=out, stderr=subprocess.STDOUT, env=env,
                                         start_new_session=True)
        return self

    def wait_ready(self, timeout: float = 30) -> "ServerProcess":
        assert self.proc is not None
        deadline = time.monotonic() + timeout
        probe = {"Authorization": "Bearer sk_test_readiness_probe"}
        while True:
            if self.proc.poll() is not None:
                raise RuntimeError(f"server exited with {self.proc.returncode}:\n{self.output()}")
            try:
                if httpx.get(self.base + "/v1/account", headers=probe, timeout=2).status_code == 200:
                    return self
            except httpx.TransportError:
                pass
            if time.monotonic() > deadline:
                self.kill9()
                raise RuntimeError(f"server not ready within {timeout} s:\n{self.output()}")
            time.sleep(0.05)

    def output(self) -> str:
        return self.log.read_text(errors="replace")[-4000:] if self.log.exists() else ""

    def _signal(self, sig: int) -> None:
        if self.proc is not None and self.proc.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.proc.pid, sig)

    def kill9(self) -> None:
        """SIGKILL the whole process group: no shutdown code runs anywhere."""
        if self.proc is None:
            return
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.proc.pid, signal.SIGKILL)
        self.proc.wait(timeout=10)

    def stop(self) -> None:
        if self.proc is None:
            return
        self._signal(signal.SIGTERM)
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.kill9()
        # workers left behind by a supervisor that died first
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.proc.pid, signal.SIGKILL)

    def __enter__(self) -> "ServerProcess":
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()


def _admin(url):  # noqa: ANN001
    return create_engine(url, isolation_level="AUTOCOMMIT", poolclass=NullPool,
                         connect_args={"connect_timeout": 5})


def postgres_or_skip() -> str:
    """The admin URL of a reachable PostgreSQL server; skip (fail under CI=true) if none."""
    base = make_url(normalise_url(os.environ.get(PG_ENV, PG_DEFAULT)))
    engine = _admin(base)
    try:
        with engine.connect() as conn:
            conn.execute(text("SELECT 1"))
    except OperationalError as exc:
        reason = (f"PostgreSQL not reachable at {base.render_as_string()} (set {PG_ENV} to "
                  f"point elsewhere): {str(exc.orig).strip().splitlines()[0]}")
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail("CI=true requires PostgreSQL; " + reason, pytrace=False)
        pytest.skip(reason)
    finally:
        engine.dispose()
    return base.render_as_string(hide_password=False)


@contextlib.contextmanager
def fresh_postgres(admin_url: str) -> Iterator[str]:
    """A new, empty database on the server of `admin_url`, dropped afterwards."""
    base = make_url(admin_url)
    name = "cs_rel_" + secrets.token_hex(6)
    engine = _admin(base)
    try:
        with engine.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
        url = base.set(database=name).render_as_string(hide_password=False)
        yield url.replace("postgresql+psycopg://", "postgresql://", 1)
    finally:
        with engine.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        engine.dispose()


@pytest.fixture(params=["sqlite", "postgresql"])
def database(request: pytest.FixtureRequest, tmp_path) -> Iterator[str]:
    """A fresh database URL: a SQLite file, or a new PostgreSQL database."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'sandbox.db'}"
        return
    with fresh_postgres(postgres_or_skip()) as url:
        yield url


@pytest.fixture
def pg_url() -> Iterator[str]:
    with fresh_postgres(postgres_or_skip()) as url:
        yield url
