"""Command line: `connect-sandbox serve` (prints where to point the SDKs, starts
uvicorn), `listen`, and `reset` / `export` / `import` of a platform's data (snapshot.py).
Parses flags; no logic of its own."""
from __future__ import annotations

import argparse
import os
import sys

from .config import ENV_PREFIX, Settings, SettingsError


def _serve(args: argparse.Namespace) -> int:
    try:
        settings = Settings.from_env(host=args.host, port=args.port, database=args.database,
                                     workers=args.workers)
        # Open (and migrate) the database once here, so that a wrong URL or an unreachable
        # server is one line, not a traceback from every worker.
        from .store import open_store
        open_store(settings.database).close()
    except SettingsError as exc:
        print(f"connect-sandbox: {exc}", file=sys.stderr)
        return 2
    except Exception as exc:  # the database cannot be opened
        reason = str(getattr(exc, "orig", None) or exc).strip().splitlines()[0][:300]
        print(f"connect-sandbox: cannot open the database {settings.database}: {reason}",
              file=sys.stderr)
        return 2
    # Worker processes rebuild their settings from the environment.
    os.environ[ENV_PREFIX + "DATABASE"] = settings.database
    os.environ[ENV_PREFIX + "WORKERS"] = str(settings.workers)
    base = f"http://{settings.host}:{settings.port}"
    print(f"connect-sandbox listening on {base}\n"
          f"database: {settings.database}\n"
          f"point stripe-python at it:\n"
          f"    stripe.api_key = \"sk_test_anything\"   # every test key is its own platform\n"
          f"    stripe.api_base = \"{base}\"\n"
          f"or: stripe.StripeClient(\"sk_test_anything\", base_addresses={{\"api\": \"{base}\"}})",
          flush=True)
    import uvicorn
    # httptools, with API requests answered past the ASGI round trip (http/shortpath.py)
    options = dict(factory=True, host=settings.host, port=settings.port, loop="uvloop",
                   http="connect_sandbox.http.shortpath:ShortPathProtocol",
                   log_level=args.log_level, access_log=args.access_log)
    if settings.workers > 1:
        from .http.serving import run_workers  # connections dealt out in turn
        run_workers(uvicorn.Config("connect_sandbox.app:app_from_env",
                                   workers=settings.workers, **options))
    else:
        uvicorn.run("connect_sandbox.app:app_from_env", **options)
    return 0


def _listen(args: argparse.Namespace) -> int:
    from . import listen
    if not args.api_key:
        print("connect-sandbox listen: pass --api-key sk_test_... (or set STRIPE_API_KEY)",
              file=sys.stderr)
        return 2
    if args.print_secret:
        print(listen.session_secret(args.api_key))
        return 0
    if not args.forward_to:
        print("connect-sandbox listen: pass --forward-to URL", file=sys.stderr)
        return 2
    events = [e.strip() for e in args.events.split(",") if e.strip()] if args.events else None
    import signal
    signal.signal(signal.SIGTERM, signal.default_int_handler)  # clean up as on Ctrl-C
    return listen.run(args.api_key, args.forward_to, events=events,
                      forward_connect_to=args.forward_connect_to, api_base=args.api_base)


def _data(args: argparse.Namespace) -> int:
    """reset / export / import one platform's data (logic in snapshot.py)."""
    from . import snapshot
    from .store import open_store
    store = open_store(Settings.from_env(database=args.database).database)
    try:
        if args.command == "reset":
            done = snapshot.reset(store, args.api_key)
            print(f"reset {done['platform']}: {done['accounts']} accounts, "
                  f"{sum(done['deleted'].values())} rows deleted", file=sys.stderr)
        elif args.command == "export":
            data = snapshot.dumps(snapshot.export(store, args.api_key))
            if args.output:
                with open(args.output, "wb") as f:
                    f.write(data)
            else:
                sys.stdout.buffer.write(data)
        else:
            if args.file == "-":
                raw = sys.stdin.buffer.read()
            else:
                with open(args.file, "rb") as f:
                    raw = f.read()
            done = snapshot.import_(store, args.api_key, snapshot.loads(raw))
            print(f"imported {done['objects']} objects into {done['platform']}",
                  file=sys.stderr)
    except (snapshot.SnapshotError, OSError) as exc:
        print(f"connect-sandbox {args.command}: {exc}", file=sys.stderr)
        return 2
    finally:
        store.close()
    return 0


def _data_parser(sub, name: str, help_: str) -> argparse.ArgumentParser:  # noqa: ANN001
    p = sub.add_parser(name, help=help_)
    p.add_argument("--api-key", required=True, help="the platform's sk_test_ key")
    p.add_argument("--database", default=None,
                   help="the server's database URL (default: as `serve`)")
    p.set_defaults(func=_data)
    return p


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
    lis = sub.add_parser("listen", help="forward a platform's events to a local URL "
                                        "(like `stripe listen`)")
    lis.add_argument("--api-key", default=os.environ.get("STRIPE_API_KEY"),
                     help="the platform's sk_test_ key (default: $STRIPE_API_KEY)")
    lis.add_argument("--forward-to", "-f", help="URL to POST the events to, e.g. "
                                                "localhost:4242/webhook")
    lis.add_argument("--forward-connect-to", "-c",
                     help="URL to POST the connected accounts' events to "
                          "(default: the --forward-to URL)")
    lis.add_argument("--events", "-e", help="comma-separated event types (default: all)")
    lis.add_argument("--connect", action="store_true",
                     help="forward the connected accounts' events too (always done; kept "
                          "for older scripts)")
    lis.add_argument("--api-base", default=os.environ.get(ENV_PREFIX + "API_BASE",
                                                          "http://127.0.0.1:12111"),
                     help="the connect-sandbox server (default http://127.0.0.1:12111)")
    lis.add_argument("--print-secret", action="store_true",
                     help="print the webhook signing secret and exit")
    lis.set_defaults(func=_listen)
    _data_parser(sub, "reset", "delete a platform's data and its connected accounts'")
    exp = _data_parser(sub, "export", "write a platform's data as a JSON snapshot")
    exp.add_argument("--output", "-o", help="file to write (default: standard output)")
    imp = _data_parser(sub, "import", "replace a platform's data with a JSON snapshot")
    imp.add_argument("file", help="the snapshot file (- for standard input)")
    args = parser.parse_args(argv)
    return args.func(args)


if __name__ == "__main__":
    sys.exit(main())
