"""The reference point: the least a durable write can cost on this stack.

A few lines of Starlette under uvicorn (uvloop + httptools): parse the form body with
urllib.parse.parse_qsl and insert one row into SQLite in WAL mode with
synchronous=NORMAL (the same durability the sandbox uses), one transaction per request.
No auth, no validation, no idempotency, no JSON shape: whatever the sandbox does on top
of this is what the ratio "sandbox / minimal durable" measures.

    python benchmarks/minimal_durable.py --port 8001 --database /tmp/minimal.db
"""
from __future__ import annotations

import argparse
import json
import secrets
import sqlite3
import time
from urllib.parse import parse_qsl

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route


def make_app(path: str) -> Starlette:
    db = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
    db.execute("PRAGMA journal_mode=WAL")
    db.execute("PRAGMA synchronous=NORMAL")
    db.execute("CREATE TABLE IF NOT EXISTS rows (seq INTEGER PRIMARY KEY, id TEXT UNIQUE, "
               "created INTEGER, body TEXT)")

    async def write(request: Request) -> Response:
        fields = dict(parse_qsl((await request.body()).decode(), keep_blank_values=True))
        row_id = "obj_" + secrets.token_hex(8)
        body = json.dumps({"id": row_id, **fields})
        db.execute("INSERT INTO rows (id, created, body) VALUES (?, ?, ?)",
                   (row_id, int(time.time()), body))
        return Response(body, media_type="application/json")

    # Any POST path is one durable write (the flow benchmark posts to several paths).
    return Starlette(routes=[Route("/{path:path}", write, methods=["POST"])])


def main() -> None:
    import uvicorn
    parser = argparse.ArgumentParser()
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--database", required=True)
    args = parser.parse_args()
    uvicorn.run(make_app(args.database), host=args.host, port=args.port, loop="uvloop",
                http="httptools", log_level="warning", access_log=False)


if __name__ == "__main__":
    main()
