"""Small builders shared by the store contract tests."""
from __future__ import annotations

import threading
from typing import Any, Callable

from connect_sandbox.store import Store

A, B = "acct_A", "acct_B"


def cus(n: int | str, created: int = 1000, **extra: Any) -> dict[str, Any]:
    return {"id": f"cus_{n}", "object": "customer", "created": created, **extra}


def ids(objs: list[dict[str, Any]]) -> list[str]:
    return [o["id"] for o in objs]


def fill(store: Store, n: int, account: str = A, tag: str = "") -> None:
    """cus_<tag>1 .. cus_<tag>n inserted in that order (the last is the newest);
    created = 100 + i."""
    with store.transaction() as tx:
        for i in range(1, n + 1):
            tx.insert(account, cus(f"{tag}{i}", created=100 + i))


def run_threads(n: int, fn: Callable[[int], Any]) -> list[Any]:
    """Run fn(0..n-1) in n threads started together; return results, re-raise errors."""
    barrier = threading.Barrier(n)
    results: list[Any] = [None] * n
    errors: list[BaseException] = []

    def body(i: int) -> None:
        try:
            barrier.wait(10)
            results[i] = fn(i)
        except BaseException as exc:  # noqa: BLE001 - handed to the test thread
            errors.append(exc)

    threads = [threading.Thread(target=body, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    assert not any(t.is_alive() for t in threads), "threads did not finish in 30 s"
    if errors:
        raise errors[0]
    return results
