"""Backends for the store contract suite: every test runs once on a fresh SQLite file and
once on PostgreSQL.

PostgreSQL: one database `cs_test_<random>` is created per session (from the database in
CONNECT_SANDBOX_TEST_POSTGRES) and dropped at the end; each test gets its own fresh schema
in it, selected with `options=-csearch_path=<schema>` in the URL. If the server cannot be
reached the PostgreSQL variants are skipped, unless CI=true, where they fail.
"""
from __future__ import annotations

import itertools
import os
import secrets
from typing import Iterator

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import OperationalError
from sqlalchemy.pool import NullPool

from connect_sandbox.store import Store, open_store
from connect_sandbox.store.dialects import normalise_url

PG_ENV = "CONNECT_SANDBOX_TEST_POSTGRES"
PG_DEFAULT = "postgresql://postgres@127.0.0.1:5432/postgres"

_schemas = itertools.count(1)


def _admin_engine(url: URL):
    return create_engine(url, isolation_level="AUTOCOMMIT", poolclass=NullPool,
                         connect_args={"connect_timeout": 5})


@pytest.fixture(scope="session")
def pg_database() -> Iterator[URL]:
    """A fresh PostgreSQL database for this session; dropped afterwards."""
    base = make_url(normalise_url(os.environ.get(PG_ENV, PG_DEFAULT)))
    admin = _admin_engine(base)
    try:
        with admin.connect() as conn:
            conn.execute(text("SELECT 1"))
    except OperationalError as exc:
        admin.dispose()
        reason = (f"PostgreSQL not reachable at {base.render_as_string()} (set {PG_ENV} to "
                  f"point elsewhere): {str(exc.orig).strip().splitlines()[0]}")
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail("CI=true requires PostgreSQL; " + reason, pytrace=False)
        pytest.skip(reason)
    name = "cs_test_" + secrets.token_hex(6)
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield base.set(database=name)
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def _fresh_pg_url(db: URL) -> str:
    schema = f"t{next(_schemas)}_{secrets.token_hex(3)}"
    admin = _admin_engine(db)
    try:
        with admin.connect() as conn:
            conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    finally:
        admin.dispose()
    url = db.update_query_dict({"options": f"-csearch_path={schema}"})
    return url.render_as_string(hide_password=False)


@pytest.fixture(params=["sqlite", "postgresql"])
def backend(request: pytest.FixtureRequest) -> str:
    return request.param


@pytest.fixture
def store_url(backend: str, request: pytest.FixtureRequest, tmp_path) -> str:
    """A URL for an empty, never-migrated store on the current backend."""
    if backend == "sqlite":
        return f"sqlite:///{tmp_path / 'store.db'}"
    return _fresh_pg_url(request.getfixturevalue("pg_database"))


@pytest.fixture
def store(store_url: str) -> Iterator[Store]:
    s = open_store(store_url)
    try:
        yield s
    finally:
        s.close()
