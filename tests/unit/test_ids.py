"""Ids: Stripe's shape (prefix, base62, Stripe's lengths), unique, and growing with time
so that new ids land next to each other in the database's id index."""
from __future__ import annotations

import re
from unittest import mock

from connect_sandbox.domain import ids


def test_shape_and_lengths() -> None:
    for prefix, length in (("cus", 14), ("acct", 16), ("evt", 24), ("ch", 24), ("pm", 24)):
        value = ids.new_id(prefix)
        assert re.fullmatch(rf"{prefix}_[0-9A-Za-z]{{{length}}}", value), value
    assert re.fullmatch(r"tok_[0-9A-Za-z]{5}", ids.new_id("tok", 5))


def test_unique_within_one_instant() -> None:
    with mock.patch.object(ids.time, "time", return_value=1_800_000_000.0):
        made = [ids.new_id("cus") for _ in range(20_000)]
    assert len(set(made)) == len(made)
    assert len({m[4:10] for m in made}) == 1  # one time prefix, random rest


def test_ids_grow_with_time() -> None:
    # (the time part wraps every ~18 years, next in 2042)
    times = [1_800_000_000.0, 1_800_000_000.02, 1_800_000_042.5, 1_850_000_000.0]
    made = []
    for t in times:
        with mock.patch.object(ids.time, "time", return_value=t):
            made.append(ids.new_id("ch"))
    assert made == sorted(made)


def test_short_ids_stay_random() -> None:
    with mock.patch.object(ids.time, "time", return_value=1_800_000_000.0):
        made = {ids.new_id("x", 8) for _ in range(200)}
    assert len({m[2:8] for m in made}) > 150  # no shared time prefix eating the entropy


def test_secrets_are_random() -> None:
    with mock.patch.object(ids.time, "time", return_value=1_800_000_000.0):
        a, b = ids.secret("whsec", 32), ids.secret("whsec", 32)
    assert a[6:12] != b[6:12]


def test_threads_and_a_forked_child_draw_their_own_characters() -> None:
    import os
    import threading

    made: list[str] = []

    def draw() -> None:
        made.extend(ids.secret("x", 20) for _ in range(500))

    threads = [threading.Thread(target=draw) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    draw()
    assert len(set(made)) == len(made) == 2500
    ids.secret("x", 20)  # this thread's pool exists: a child must not continue it
    r, w = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: its next secret, to the parent
        os.write(w, ids.secret("x", 20).encode())
        os._exit(0)
    os.close(w)
    child = os.read(r, 100).decode()
    os.waitpid(pid, 0)
    assert child != ids.secret("x", 20)
