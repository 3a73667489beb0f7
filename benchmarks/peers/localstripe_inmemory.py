"""Start localstripe on 127.0.0.1 in memory, its best case.

localstripe's own command line binds every interface (::) and, on every write, pickles
its whole store to /tmp/localstripe.pickle (its only persistence). It has no flag for an
in-memory mode, so this launcher turns that dump into a no-op before serving its app on
loopback only, without access logging. Run with the peers' virtualenv:

    benchmarks/.venv-peers/bin/python benchmarks/peers/localstripe_inmemory.py --port 8420
"""
import argparse
import logging

from aiohttp import web
from localstripe import resources, server

parser = argparse.ArgumentParser()
parser.add_argument("--port", type=int, required=True)
parser.add_argument("--persist", action="store_true",
                    help="keep localstripe's default pickle-on-every-write")
args = parser.parse_args()
if not args.persist:
    resources.Store.dump_to_disk = lambda self: None
logging.getLogger("aiohttp.access").setLevel(logging.WARNING)
web.run_app(server.app, host="127.0.0.1", port=args.port, access_log=None, print=None)
