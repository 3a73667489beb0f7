"""`serve --workers N` removes the connection boards of supervisors that are gone
(http/serving.py): a SIGKILLed supervisor cannot remove its own."""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from connect_sandbox.http.serving import remove_stale_boards


def _dead_pid() -> int:
    proc = subprocess.Popen([sys.executable, "-c", "pass"])
    proc.wait()
    return proc.pid


def test_only_boards_of_dead_supervisors_are_removed(tmp_path: Path) -> None:
    dead = _dead_pid()
    stale = tmp_path / f"connect-sandbox-{dead}-8123.workers"
    live = tmp_path / f"connect-sandbox-{os.getpid()}-8123.workers"
    other = tmp_path / f"connect-sandbox-{dead}-8123.workers.bak"
    unrelated = tmp_path / "something-else.workers"
    for f in (stale, live, other, unrelated):
        f.write_bytes(b"\0" * 16)
    assert remove_stale_boards(str(tmp_path)) == 1
    assert not stale.exists()
    assert live.exists() and other.exists() and unrelated.exists()
    assert remove_stale_boards(str(tmp_path)) == 0


def test_a_missing_folder_is_no_error(tmp_path: Path) -> None:
    assert remove_stale_boards(str(tmp_path / "nope")) == 0
