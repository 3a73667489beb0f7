"""Side-by-side benchmarks of connect-sandbox, its peers and a minimal durable endpoint.

    .venv/bin/python benchmarks/run.py            # everything (~6 minutes with 1M objects)
    .venv/bin/python benchmarks/run.py --quick    # shorter runs, 100k objects
    .venv/bin/python benchmarks/run.py --smoke    # < 60 s, our server and the minimal
                                                  # endpoint only, no peers needed (CI)
    .venv/bin/python benchmarks/run.py --suite post --targets sandbox,localstripe

Suites (--suite, comma-separated; default all):
  post    POST /v1/customers with a unique Idempotency-Key, wrk, 16 connections: the
          sandbox (1 and 2 workers), localstripe, stripe-stateful-mock, minimal endpoint
  flow    the token clone flow and the PaymentMethod clone + PaymentIntent flow (5 writes
          each), 16 concurrent flows, against as many minimal durable writes
  growth  POST /v1/customers on a fresh database and on one grown to --objects objects

Every server runs on 127.0.0.1 and is started and stopped here; the compared targets run
in the same rounds (A B C, A B C, ...), so that the ratios hold on a noisy machine even
when the absolute numbers drift. Peers that are not installed are skipped, and say so
(benchmarks/setup_peers.sh installs them).
"""
from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import drivers  # noqa: E402
import growth  # noqa: E402
import report  # noqa: E402
import targets as T  # noqa: E402
from drivers import Result  # noqa: E402

GOALS = {"localstripe": 5.0, "stripe-stateful-mock": 1.0, "minimal": 0.5}


def measure(targets: list[T.Target], run, args) -> dict[str, Result]:
    """Warm every target up, then measure them in turns, args.rounds times."""
    for t in targets:
        run(t, args.warmup)
    parts: dict[str, list[Result]] = {t.name: [] for t in targets}
    slice_s = args.duration / args.rounds
    for _ in range(args.rounds):
        for t in targets:
            cpu = t.cpu_seconds()
            r = run(t, slice_s)
            r.cpu_seconds = t.cpu_seconds() - cpu
            parts[t.name].append(r)
    return {name: Result.combine(p) for name, p in parts.items()}


def start_all(wanted: list[T.Target]) -> list[T.Target]:
    running = []
    for t in wanted:
        if t.missing:
            print(f"  skipped: {t.name}: {t.missing}", flush=True)
            continue
        print(f"  starting {t.name} on {t.base}", flush=True)
        t.start()
        running.append(t)
    return running


def suite_post(args, workdir: Path, out: dict) -> None:
    print("\n## POST /v1/customers (wrk, 16 connections, unique Idempotency-Key each)")
    if not drivers.have_wrk():
        print("  skipped: wrk is not installed (apt-get install wrk)")
        out["post"] = {"skipped": "wrk not installed"}
        return
    wanted = _targets(args, workdir)
    running = start_all(wanted)
    try:
        res = measure(running, lambda t, s: drivers.wrk(t.base, "post_customers.lua", s), args)
    finally:
        for t in running:
            t.stop()
    rows = [[t.name, report.fmt_int(res[t.name].rps), report.fmt_ms(res[t.name].p50_ms),
             report.fmt_ms(res[t.name].p99_ms), report.fmt_int(res[t.name].cpu_us_per_request),
             res[t.name].errors] for t in running]
    print(report.table(["target", "req/s", "p50 ms", "p99 ms", "server CPU us/req", "errors"],
                       rows))
    ratios = []
    for ours in (t for t in running if t.kind == "sandbox"):
        for peer in (t for t in running if t.kind in GOALS):
            ratios.append(report.ratio_row(f"{ours.name} / {peer.name}", res[ours.name].rps,
                                           res[peer.name].rps, GOALS[peer.kind]))
        p99 = res[ours.name].p99_ms
        ratios.append([f"{ours.name} p99 at 16 connections", f"{p99:.1f} ms", "< 25 ms",
                       "met" if p99 < 25 else "NOT met"])
    if ratios:
        print()
        print(report.table(["ratio", "measured", "goal", ""], ratios))
    out["post"] = {"results": {k: vars(v) | {"rps": v.rps} for k, v in res.items()},
                   "ratios": ratios}


def suite_flow(args, workdir: Path, out: dict) -> None:
    driver = args.driver
    if driver == "auto":
        driver = "wrk" if drivers.have_wrk() else "python"
    for flow in args.flows:
        print(f"\n## flow: {flow} (16 concurrent flows, driver: {driver})")
        wanted = [t for t in _targets(args, workdir)  # --compare: the tree must have them
                  if t.kind in ("sandbox", "minimal")]
        running = start_all(wanted)
        try:
            if driver == "wrk":
                run = lambda t, s: drivers.wrk(t.base, "flow.lua", s,  # noqa: E731
                                               connections=16, threads=16, args=(flow,))
            else:
                run = lambda t, s: drivers.python_flow(t.base, flow, s)  # noqa: E731
            res = measure(running, run, args)
        finally:
            for t in running:
                t.stop()
        rows = [[t.name, f"{res[t.name].flows_per_s:,.1f}", report.fmt_int(res[t.name].rps),
                 report.fmt_ms(res[t.name].p50_ms), report.fmt_ms(res[t.name].p99_ms),
                 report.fmt_int(res[t.name].cpu_us_per_request), res[t.name].errors]
                for t in running]
        print(report.table(["target", "flows/s", "req/s", "p50 ms", "p99 ms",
                            "server CPU us/req", "errors"], rows))
        if driver == "python":
            print("  (python driver: the client, not the server, may bound these numbers)")
        ratios = []
        base = next((t for t in running if t.kind == "minimal"), None)
        for ours in (t for t in running if t.kind == "sandbox"):
            if base is not None:
                ratios.append(report.ratio_row(
                    f"{ours.name} / {base.name} (same number of writes)",
                    res[ours.name].flows_per_s, res[base.name].flows_per_s, 0.5))
            if res[ours.name].flows == 0:
                raise SystemExit(f"no {flow} flow completed against {ours.name}; its log: "
                                 f"{ours.tail()}")
        if ratios:
            print()
            print(report.table(["ratio", "measured", "goal", ""], ratios))
        out.setdefault("flow", {})[flow] = {
            "driver": driver, "ratios": ratios,
            "results": {k: vars(v) | {"rps": v.rps, "flows_per_s": v.flows_per_s}
                        for k, v in res.items()}}


def suite_growth(args, workdir: Path, out: dict) -> None:
    print(f"\n## growth: POST /v1/customers, fresh vs {args.objects:,} stored objects "
          "(1 worker each)")
    if not drivers.have_wrk():
        print("  skipped: wrk is not installed (apt-get install wrk)")
        out["growth"] = {"skipped": "wrk not installed"}
        return
    grown = T.sandbox(workdir, name=f"connect-sandbox, {args.objects:,} objects")
    grown.start()
    try:
        drivers.wrk(grown.base, "post_customers.lua", 1, connections=1)  # seed the templates
    finally:
        grown.stop()
    print(f"  growing {grown.database} to {args.objects:,} objects ...", flush=True)
    added, secs = growth.grow(grown.database, args.objects)
    print(f"  added {added:,} rows in {secs:.0f} s "
          f"({Path(grown.database).stat().st_size / 2**20:,.0f} MiB)", flush=True)
    fresh = T.sandbox(workdir, name="connect-sandbox, fresh database")
    running = start_all([fresh, grown])
    try:
        res = measure(running, lambda t, s: drivers.wrk(t.base, "post_customers.lua", s), args)
        rss = {t.name: t.rss_bytes() for t in running}
    finally:
        for t in running:
            t.stop()
    rows = [[t.name, report.fmt_int(res[t.name].rps), report.fmt_ms(res[t.name].p50_ms),
             report.fmt_ms(res[t.name].p99_ms), report.fmt_int(res[t.name].cpu_us_per_request),
             report.fmt_mib(rss[t.name])] for t in running]
    print(report.table(["target", "req/s", "p50 ms", "p99 ms", "server CPU us/req",
                        "RSS MiB"], rows))
    ratios = [report.ratio_row("grown / fresh throughput", res[grown.name].rps,
                               res[fresh.name].rps, 0.8),
              ["grown / fresh memory (RSS)", f"{rss[grown.name] / rss[fresh.name]:.2f}x",
               "bounded", ""]]
    print()
    print(report.table(["ratio", "measured", "goal", ""], ratios))
    out["growth"] = {"objects": args.objects, "load_seconds": secs, "ratios": ratios,
                     "rss": rss, "results": {k: vars(v) | {"rps": v.rps}
                                             for k, v in res.items()}}


def _targets(args, workdir: Path, *, compare: bool = True) -> list[T.Target]:
    found: list[T.Target] = []
    for kind in args.targets:
        if kind == "sandbox":
            found += [T.sandbox(workdir, workers=w) for w in args.workers]
            if compare:  # (an older tree may lack the flows' APIs: then --suite post only)
                found += [T.sandbox(workdir, workers=w, tree=Path(tree).resolve())
                          for tree in args.compare for w in args.workers]
        elif kind == "minimal":
            found.append(T.minimal(workdir))
        elif kind == "localstripe":
            found.append(T.localstripe())
        elif kind == "stripe-stateful-mock":
            found.append(T.stripe_stateful_mock())
        else:
            raise SystemExit(f"unknown target {kind!r}")
    return found


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    mode = p.add_mutually_exclusive_group()
    mode.add_argument("--quick", action="store_true", help="shorter runs, 100k objects")
    mode.add_argument("--smoke", action="store_true",
                      help="< 60 s, sandbox + minimal only, 2,000 objects (CI)")
    p.add_argument("--suite", default="post,flow,growth")
    p.add_argument("--targets", default=None,
                   help="sandbox,minimal,localstripe,stripe-stateful-mock (default: all; "
                        "smoke: sandbox,minimal)")
    p.add_argument("--workers", default=None, help="sandbox worker counts (default 1,2)")
    p.add_argument("--flows", default="tokens,payment_methods")
    p.add_argument("--duration", type=float, default=None, help="seconds per target")
    p.add_argument("--rounds", type=int, default=None)
    p.add_argument("--warmup", type=float, default=None)
    p.add_argument("--objects", type=int, default=None, help="growth: objects to store")
    p.add_argument("--driver", choices=("auto", "wrk", "python"), default="auto",
                   help="flow driver (auto: wrk if installed)")
    p.add_argument("--json", default=None, help="also write the results here")
    p.add_argument("--compare", action="append", default=[], metavar="DIR",
                   help="also run the sandbox from another checkout (e.g. `git archive "
                        "REV | tar -x -C DIR`) with the same --workers: before/after in one run")
    args = p.parse_args(argv)

    preset = ((2, 1, 1, 2_000) if args.smoke else (6, 2, 1, 100_000) if args.quick
              else (10, 2, 2, 1_000_000))
    args.duration = args.duration or preset[0]
    args.rounds = args.rounds or preset[1]
    args.warmup = args.warmup if args.warmup is not None else preset[2]
    args.objects = args.objects or preset[3]
    args.targets = (args.targets or ("sandbox,minimal" if args.smoke else
                    "sandbox,minimal,localstripe,stripe-stateful-mock")).split(",")
    args.workers = [int(w) for w in (args.workers or ("1" if args.smoke else "1,2")).split(",")]
    args.flows = args.flows.split(",")

    info = report.machine()
    print(f"# connect-sandbox benchmarks ({time.strftime('%Y-%m-%d %H:%M')})")
    print(f"machine: {info['nproc']} cores, {info['cpu']}, {info['memory_gib']} GiB; "
          f"Python {info['python']}; {info['wrk'] or 'wrk not installed'}; "
          f"load average at start {' '.join(info['loadavg_at_start'])}")
    print(f"{args.duration:g} s per target in {args.rounds} round(s), {args.warmup:g} s warm-up")
    out: dict = {"machine": info, "args": {k: v for k, v in vars(args).items()}}
    suites = {"post": suite_post, "flow": suite_flow, "growth": suite_growth}
    with tempfile.TemporaryDirectory(prefix="cs-bench-") as tmp:
        for name in args.suite.split(","):
            suites[name](args, Path(tmp), out)
    if args.json:
        Path(args.json).write_text(json.dumps(out, indent=2, default=str))
    return 0


if __name__ == "__main__":
    sys.exit(main())
