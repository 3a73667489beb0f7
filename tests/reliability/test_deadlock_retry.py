"""Processes on one PostgreSQL database can deadlock (each holding a row the other
wants); PostgreSQL then rolls one transaction back whole. The pipeline runs that request
again instead of answering 500: here with a real deadlock between two connections,
then with the pipeline's retry on a transaction that deadlocks once."""
from __future__ import annotations

import threading

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.exc import DBAPIError, OperationalError
from sqlalchemy.pool import NullPool

from connect_sandbox.http import pipeline as pl
from connect_sandbox.store.dialects import normalise_url


def _real_deadlock(url: str) -> DBAPIError:
    """Two transactions locking two rows in opposite orders: one of them fails."""
    engine = create_engine(normalise_url(url), poolclass=NullPool)
    with engine.begin() as conn:
        conn.execute(text("CREATE TABLE t (id int primary key)"))
        conn.execute(text("INSERT INTO t VALUES (1), (2)"))
    barrier = threading.Barrier(2)
    errors: list[DBAPIError] = []

    def lock(first: int, second: int) -> None:
        try:
            with engine.begin() as conn:
                conn.execute(text("SELECT 1 FROM t WHERE id = :i FOR UPDATE"), {"i": first})
                barrier.wait()
                conn.execute(text("SELECT 1 FROM t WHERE id = :i FOR UPDATE"), {"i": second})
        except OperationalError as exc:
            errors.append(exc)

    threads = [threading.Thread(target=lock, args=a) for a in ((1, 2), (2, 1))]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)
    engine.dispose()
    assert len(errors) == 1
    return errors[0]


def test_a_deadlocked_request_runs_again(pg_url, monkeypatch):
    deadlock = _real_deadlock(pg_url)
    assert deadlock.orig.sqlstate in pl.RETRYABLE
    calls = []

    def run(self, request, op, raw, rid):  # noqa: ANN001
        calls.append(1)
        if len(calls) == 1:
            raise deadlock
        return 200, b"{}", {}

    monkeypatch.setattr(pl.Pipeline, "_run", run)
    p = pl.Pipeline.__new__(pl.Pipeline)
    op = pl.Operation("POST", "/v1/x", "POST /v1/x", None)
    assert p._run_retrying(None, op, {}, "req_1") == (200, b"{}", {})
    assert len(calls) == 2

    def always(self, request, op, raw, rid):  # noqa: ANN001
        calls.append(1)
        raise deadlock

    calls.clear()
    monkeypatch.setattr(pl.Pipeline, "_run", always)
    with pytest.raises(DBAPIError):
        p._run_retrying(None, op, {}, "req_2")
    assert len(calls) == pl.RETRIES + 1
