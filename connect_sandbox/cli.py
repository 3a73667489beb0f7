"""Command line: `connect-sandbox serve`. Parses flags, prints where to point the
SDKs, starts uvicorn. No logic of its own."""
from __future__ import annotations

import argparse
import os
import sys

from .config import ENV_PREFIX, Settings


def _serve(args: argparse.Namespace) -> int:
    settings = Settings.from_env(host=args.host, port=args.port, database=args.database,
                                 workers=args.workers)
    # Worker processes rebuild their settings from the environment.
    os.environ[ENV_PREFIX + "DATABASE"] = settings.database
    base = f"http://{settings.host}:{settings.port}"
    print(f"connect-sandbox listening on {base}\n"
          f"database: {settings.database}\n"
          f"point stripe-python at it:\n"
          f"    stripe.api_key = \"sk_test_anything\"   # every test key is its own platform\n"
          f"    stripe.api_base = \"{base}\"\n"
          f"or: stripe.StripeClient(\"sk_test_anything\", base_addresses={{\"api\": \"{base}\"}})",
          flush=True)
    import uvicorn
    uvicorn.run("connect_sandbox.app:app_from_env", factory=True, host=settings.host,
                port=settings.port, workers=settings.workers if settings.workers > 1 else None,
                loop="uvloop", http="httptools", log_level=args.log_level,
                access_log=args.access_log)
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="connect-sandbox",
                                     description="A local, stateful Stripe Connect API server.")
    sub = parser.add_subparsers(dest="command", required=True)
    serve = sub.add_parser("serve", help="run the API server")
    serve.add_argument("--host", default=None, help="address to bind (default 127.0.0.1)")
    serve.add_argument("--port", type=int, default=None, help="port (default 12111)")
    serve.add_argument("--database", default=None,
                       help="sqlite:///path.db (default: in the user data directory) "
                            "or postgresql://user@host:port/db")
    serve.add_argument("--workers", type=int, default=None, help="server processes (default 1)")
    serve.add_argument("--log-level", default="warning")
    serve.add_argument("--access-log", action="store_true", help="log every request")
    serve.set_defaults(func=_serve)
    args = parser.parse_args(argv)
    return args.func(args)


if __name__ == "__main__":
    sys.exit(main())
