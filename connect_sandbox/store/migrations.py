"""Schema migrations, run at start-up. Version 1 is the initial schema. Safe when
several processes start at once: everything runs in one transaction that first takes a
lock (PostgreSQL: an advisory lock; SQLite: BEGIN IMMEDIATE, the write lock), so the
second runner waits, then finds the tables and the version already there."""
from __future__ import annotations

from sqlalchemy import select, text
from sqlalchemy.engine import Engine

from . import dialects
from .schema import SCHEMA_VERSION, meta, metadata

# version -> list of SQL statements that bring version-1 to version (the same on SQLite
# and PostgreSQL)
MIGRATIONS: dict[int, list[str]] = {
    # The parent and lookup indexes become partial (store/schema.py).
    2: [f"DROP INDEX IF EXISTS ix_cs_objects_{col}" for col in ("parent", "lookup")]
    + [f"CREATE INDEX ix_cs_objects_{col} ON cs_objects (account, type, {col}, seq) "
       f"WHERE {col} IS NOT NULL" for col in ("parent", "lookup")],
}


def migrate(engine: Engine) -> None:
    with engine.connect() as conn, conn.execution_options(sqlite_write=True).begin():
        dialects.xact_lock(conn, "connect-sandbox:migrate")
        metadata.create_all(conn, checkfirst=True)
        row = conn.execute(select(meta.c.value).where(meta.c.key == "schema_version")).first()
        current = int(row[0]) if row else 0
        if current == 0:
            conn.execute(dialects.insert_ignore(engine.dialect.name, meta).values(
                key="schema_version", value=str(SCHEMA_VERSION)))
            return
        if current > SCHEMA_VERSION:
            raise RuntimeError(f"database schema version {current} is newer than this "
                               f"connect-sandbox ({SCHEMA_VERSION}); upgrade connect-sandbox")
        for version in range(current + 1, SCHEMA_VERSION + 1):
            for stmt in MIGRATIONS.get(version, []):
                conn.execute(text(stmt))
            conn.execute(meta.update().where(meta.c.key == "schema_version").values(
                value=str(version)))
