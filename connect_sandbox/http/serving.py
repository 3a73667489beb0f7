"""`serve --workers N`: uvicorn's worker processes, with connections spread evenly.

uvicorn's workers all watch the one listening socket from their event loops, and each
new connection goes to whichever wakes first. Clients that keep their connections open
(the SDKs do, and so does a test suite's pool) then stay unevenly spread for good: 16
connections came out 11/5, 10/6 and 4/12 over two workers in three tries, and the busier
worker bounds the throughput while the other idles (benchmarks/README.md).

Here each worker accepts in a thread of its own and publishes how many connections it
serves in a small shared file (one slot per worker, held with a lock on its byte range,
so a slot whose worker died is seen as free). A worker that serves more than the least
busy live worker waits a moment (at most 250 ms, then accepts anyway) before accepting,
so that one of the others takes the connection. The connection is then served by the
worker's event loop exactly as uvicorn serves one it accepted itself. Everything else
(the supervisor, its health checks and restarts, signals, shutdown) is uvicorn's.
"""
from __future__ import annotations

import asyncio
import fcntl
import logging
import mmap
import os
import re
import socket
import struct
import tempfile
import threading
import time
from typing import Any

import uvicorn
from uvicorn.supervisors import multiprocess

log = logging.getLogger("connect_sandbox")

_SLOT = 8          # bytes per worker: its connection count
_MAX_WAIT = 0.25   # seconds a busier worker defers to the others, at most


def _board_path(port: int, supervisor: int) -> str:
    return os.path.join(tempfile.gettempdir(), f"connect-sandbox-{supervisor}-{port}.workers")


_BOARD_NAME = re.compile(r"connect-sandbox-(\d+)-\d+\.workers")


def remove_stale_boards(folder: str | None = None) -> int:
    """Delete the boards of supervisors that are gone (a supervisor removes its own on
    exit, but not after a SIGKILL); returns how many. A board whose pid is alive stays,
    whoever has that pid now."""
    folder = folder or tempfile.gettempdir()
    removed = 0
    try:
        names = os.listdir(folder)
    except OSError:
        return 0
    for name in names:
        m = _BOARD_NAME.fullmatch(name)
        if m is None:
            continue
        try:
            os.kill(int(m.group(1)), 0)
            continue  # alive (or not ours to signal: EPERM)
        except ProcessLookupError:
            pass
        except (PermissionError, OverflowError, ValueError):
            continue
        try:
            os.unlink(os.path.join(folder, name))
            removed += 1
        except OSError:
            pass
    return removed


class Board:
    """The workers' connection counts, shared through a file (see the module)."""

    def __init__(self, path: str, workers: int):
        self.workers = workers
        self.fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
        os.ftruncate(self.fd, workers * _SLOT)
        self.map = mmap.mmap(self.fd, workers * _SLOT)
        self.slot = self._claim()

    def _claim(self) -> int | None:
        for slot in range(self.workers):
            try:
                fcntl.lockf(self.fd, fcntl.LOCK_EX | fcntl.LOCK_NB, 1, slot * _SLOT)
                return slot
            except OSError:
                continue
        return None  # more processes than slots (a restart overlapping): no balancing

    def publish(self, count: int) -> None:
        if self.slot is not None:
            struct.pack_into("q", self.map, self.slot * _SLOT, count)

    def least_of_others(self) -> int | None:
        """The smallest count among the other live workers (None: no other is live)."""
        least = None
        for slot in range(self.workers):
            if slot == self.slot:
                continue
            try:  # a lock we can take is a slot no live worker holds
                fcntl.lockf(self.fd, fcntl.LOCK_SH | fcntl.LOCK_NB, 1, slot * _SLOT)
                fcntl.lockf(self.fd, fcntl.LOCK_UN, 1, slot * _SLOT)
                continue
            except OSError:
                pass
            count = struct.unpack_from("q", self.map, slot * _SLOT)[0]
            least = count if least is None else min(least, count)
        return least


class BalancedServer(uvicorn.Server):
    """A uvicorn worker that takes its connections from an accept thread."""

    async def startup(self, sockets: list[socket.socket] | None = None) -> None:
        if not sockets:
            await super().startup(sockets)
            return
        await super().startup(sockets=[])  # the lifespan; no listener on the loop
        loop = asyncio.get_running_loop()
        config = self.config
        state = self.server_state

        def protocol() -> asyncio.Protocol:  # what uvicorn's startup builds
            return config.http_protocol_class(config=config, server_state=state,
                                              app_state=self.lifespan.state, _loop=loop)

        for sock in sockets:
            sock.listen(config.backlog)  # (uvicorn's create_server would have)
            board = Board(_board_path(sock.getsockname()[1], os.getppid()), config.workers)
            threading.Thread(target=_accept, args=(sock.dup(), board, state, loop, protocol),
                             daemon=True, name="cs-accept").start()


def _accept(sock: socket.socket, board: Board, state: Any, loop: asyncio.AbstractEventLoop,
            protocol: Any) -> None:
    """The worker's accept loop (a thread; it ends with its process)."""
    handed = [0]  # accepted, not yet in state.connections (the loop adds it)
    sock.settimeout(None)
    while True:
        mine = len(state.connections) + handed[0]
        board.publish(mine)
        deadline = time.monotonic() + _MAX_WAIT
        while time.monotonic() < deadline:
            least = board.least_of_others()
            if least is None or mine <= least:
                break
            time.sleep(0.002)
            mine = len(state.connections) + handed[0]
            board.publish(mine)
        try:
            conn, _addr = sock.accept()
        except OSError as exc:  # EMFILE, ECONNABORTED...: as uvicorn's loop, go on
            log.warning("accept failed: %s", exc)
            time.sleep(0.01)
            continue
        conn.setblocking(False)
        handed[0] += 1
        board.publish(len(state.connections) + handed[0])
        try:
            loop.call_soon_threadsafe(_serve, loop, conn, protocol, handed)
        except RuntimeError:  # the loop has closed: this worker is going away
            conn.close()
            return


def _serve(loop: asyncio.AbstractEventLoop, conn: socket.socket, protocol: Any,
           handed: list[int]) -> None:
    async def attach() -> None:
        try:
            await loop.connect_accepted_socket(protocol, conn)
        except Exception:
            conn.close()
        finally:
            handed[0] -= 1
    loop.create_task(attach())


class _Process(multiprocess.Process):
    """uvicorn's worker process, running a BalancedServer."""

    @property
    def server(self) -> uvicorn.Server:
        if self._server is None:
            self._server = BalancedServer(config=self.config)
        return self._server


def run_workers(config: uvicorn.Config) -> None:
    """What uvicorn.run does for workers > 1, with BalancedServer workers."""
    remove_stale_boards()
    sock = config.bind_socket()
    board = _board_path(sock.getsockname()[1], os.getpid())
    # The supervisor builds its workers from this module's name; the class travels to
    # each spawned worker by reference (connect_sandbox.http.serving._Process).
    multiprocess.Process = _Process
    try:
        multiprocess.Multiprocess(config, sockets=[sock]).run()
    except KeyboardInterrupt:
        pass
    finally:
        try:
            os.unlink(board)
        except OSError:
            pass
