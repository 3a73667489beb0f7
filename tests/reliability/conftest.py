"""Fixtures of the reliability tests: fresh databases (a SQLite file or a new PostgreSQL
database) for real `connect-sandbox serve` processes (procs.py), and a populated server
for the hostile-input, fuzz and access-control tests (world.py)."""
from .procs import database, pg_url  # noqa: F401  (fixtures)
from .world import world  # noqa: F401  (fixture)
