"""Tables (Markdown, so the README can show them as printed) and the machine they ran on."""
from __future__ import annotations

import os
import platform
import shutil
import subprocess
from pathlib import Path
from typing import Any


def machine() -> dict[str, Any]:
    cpu = "unknown"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
        mem_kb = int(next(line.split()[1] for line in Path("/proc/meminfo").read_text()
                          .splitlines() if line.startswith("MemTotal")))
    except (OSError, StopIteration, ValueError):
        mem_kb = 0
    wrk = ""
    if shutil.which("wrk"):
        out = subprocess.run(["wrk", "-v"], capture_output=True, text=True)
        wrk = (out.stdout + out.stderr).split("\n")[0][:60]
    return {"nproc": os.cpu_count(), "cpu": cpu, "memory_gib": round(mem_kb / 2**20, 1),
            "python": platform.python_version(), "wrk": wrk,
            "loadavg_at_start": Path("/proc/loadavg").read_text().split()[:3]}


def table(headers: list[str], rows: list[list[Any]]) -> str:
    cells = [[str(c) for c in r] for r in rows]
    widths = [max(len(h), *(len(r[i]) for r in cells)) if cells else len(h)
              for i, h in enumerate(headers)]
    line = lambda r: "| " + " | ".join(c.ljust(w) for c, w in zip(r, widths)) + " |"  # noqa: E731
    return "\n".join([line(headers), "|" + "|".join("-" * (w + 2) for w in widths) + "|",
                      *(line(r) for r in cells)])


def ratio_row(name: str, ours: float, theirs: float, goal: float) -> list[Any]:
    if not theirs:
        return [name, "n/a", f">= {goal:g}x", "n/a"]
    r = ours / theirs
    return [name, f"{r:.2f}x", f">= {goal:g}x", "met" if r >= goal else "NOT met"]


def fmt_int(x: float) -> str:
    return f"{x:,.0f}"


def fmt_ms(x: float) -> str:
    return f"{x:.1f}"


def fmt_mib(b: int) -> str:
    return f"{b / 2**20:,.0f}"
