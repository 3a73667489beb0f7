"""The servers a benchmark compares: how to start each on 127.0.0.1, whether it is
installed, and what it costs (CPU seconds and resident memory of its process tree)."""
from __future__ import annotations

import http.client
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
PEERS_VENV = HERE / ".venv-peers"
NODE_MODULES = HERE / "peers" / "node_modules"
CLK_TCK = os.sysconf("SC_CLK_TCK")
PAGE = os.sysconf("SC_PAGE_SIZE")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass
class Target:
    name: str          # the row in the table
    kind: str          # sandbox | minimal | localstripe | stripe-stateful-mock
    argv: list[str]
    port: int
    missing: str = ""  # why it cannot run here (not installed), or ""
    env: dict[str, str] = field(default_factory=dict)
    database: str | None = None
    proc: subprocess.Popen | None = None
    log_path: str = ""
    cwd: Path = ROOT

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self, timeout: float = 60) -> None:
        log = tempfile.NamedTemporaryFile("wb", prefix=f"bench-{self.kind}-", suffix=".log",
                                          delete=False)
        self.log_path = log.name
        self.proc = subprocess.Popen(self.argv, stdout=log, stderr=subprocess.STDOUT,
                                     env={**os.environ, **self.env}, cwd=self.cwd,
                                     start_new_session=True)
        log.close()
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"{self.name} exited at start-up (code "
                                   f"{self.proc.returncode}); log: {self.tail()}")
            if _answers(self.port):
                return
            time.sleep(0.1)
        self.stop()
        raise RuntimeError(f"{self.name} did not answer within {timeout:.0f} s; "
                           f"log: {self.tail()}")

    def stop(self) -> None:
        if self.proc is None or self.proc.poll() is not None:
            return
        # Its own session: the signal reaches uvicorn's worker processes too.
        try:
            os.killpg(self.proc.pid, signal.SIGTERM)
        except ProcessLookupError:
            return
        try:
            self.proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait(timeout=5)

    def tail(self, n: int = 1500) -> str:
        try:
            return Path(self.log_path).read_text(errors="replace")[-n:]
        except OSError:
            return ""

    def pids(self) -> list[int]:
        """The server's process and all its descendants (uvicorn workers)."""
        if self.proc is None:
            return []
        parents: dict[int, int] = {}
        for entry in os.scandir("/proc"):
            if entry.name.isdigit():
                try:
                    stat = Path(entry.path, "stat").read_text()
                except OSError:
                    continue
                parents[int(entry.name)] = int(stat.rsplit(")", 1)[1].split()[1])
        tree, frontier = [self.proc.pid], [self.proc.pid]
        while frontier:
            children = [p for p, pp in parents.items() if pp in frontier]
            tree += children
            frontier = children
        return tree

    def cpu_seconds(self) -> float:
        total = 0
        for pid in self.pids():
            try:
                fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            total += int(fields[11]) + int(fields[12])  # utime + stime
        return total / CLK_TCK

    def rss_bytes(self) -> int:
        total = 0
        for pid in self.pids():
            try:
                total += int(Path(f"/proc/{pid}/statm").read_text().split()[1]) * PAGE
            except OSError:
                continue
        return total


def _answers(port: int) -> bool:
    try:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
        conn.request("GET", "/v1/customers", headers={"Authorization": "Bearer sk_test_bench"})
        conn.getresponse().read()
        conn.close()
        return True
    except (OSError, http.client.HTTPException):
        return False


def sandbox(workdir: Path, *, workers: int = 1, database: Path | None = None,
            name: str | None = None, tree: Path | None = None) -> Target:
    """Our server; `tree`: another checkout of the project to run instead (its
    connect_sandbox package first on the path), for before/after comparisons."""
    db = database or workdir / f"sandbox-w{workers}-{free_port()}.db"
    port = free_port()
    argv = [sys.executable, "-m", "connect_sandbox", "serve", "--host", "127.0.0.1",
            "--port", str(port), "--database", f"sqlite:///{db}", "--workers", str(workers)]
    label = name or f"connect-sandbox ({workers} worker{'s' if workers > 1 else ''})"
    env = {}
    if tree is not None:
        label += f" @ {tree.name}"
        env["PYTHONPATH"] = str(tree)
    return Target(label, "sandbox", argv, port, database=str(db), env=env,
                  cwd=tree or ROOT)


def minimal(workdir: Path) -> Target:
    db = workdir / f"minimal-{free_port()}.db"
    port = free_port()
    argv = [sys.executable, str(HERE / "minimal_durable.py"), "--port", str(port),
            "--database", str(db)]
    return Target("minimal durable endpoint", "minimal", argv, port, database=str(db))


def localstripe() -> Target:
    python = PEERS_VENV / "bin" / "python"
    port = free_port()
    argv = [str(python), str(HERE / "peers" / "localstripe_inmemory.py"), "--port", str(port)]
    missing = ""
    if not python.exists() or subprocess.run(
            [str(python), "-c", "import localstripe"], capture_output=True).returncode != 0:
        missing = "not installed (run benchmarks/setup_peers.sh)"
    return Target("localstripe (in memory)", "localstripe", argv, port, missing=missing)


def stripe_stateful_mock() -> Target:
    port = free_port()
    node = shutil.which("node") or "node"
    argv = [node, str(HERE / "peers" / "stripe_stateful_mock.js"), str(port)]
    missing = ""
    if not shutil.which("node"):
        missing = "node is not installed"
    elif not (NODE_MODULES / "stripe-stateful-mock").exists():
        missing = "not installed (run benchmarks/setup_peers.sh)"
    return Target("stripe-stateful-mock (in memory)", "stripe-stateful-mock", argv, port,
                  missing=missing, env={"LOG_LEVEL": "silent"})
