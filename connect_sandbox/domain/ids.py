"""Stripe-style ids: a prefix and random base62 characters."""
from __future__ import annotations

import hashlib
import os
import string
import time
from threading import get_ident

_ALPHABET = string.digits + string.ascii_letters
# Random base62 at C speed (measured: secrets.choice per character cost about 1 us a
# character, ~60 us a request): each random byte below 248 = 4 * 62 maps to
# _ALPHABET[b % 62] through bytes.translate, the others are dropped, so every character
# is uniform; the bytes come from os.urandom, the source `secrets` uses.
_TO_BASE62 = bytes(_ALPHABET.encode()[b % 62] for b in range(256))
_REJECT = bytes(range(248, 256))


# Drawn 4 KiB at a time per thread (one getrandom() call per ~200 ids instead of one per
# id; measured ~3% of a request under load); a forked child starts with no pool.
# Each thread's pool is [characters, position] in a dict by thread id: a threading.local
# measured ~1,300 instructions an attribute access (four a call, ~1% of a request); the
# dict costs one lookup. Only its own thread touches a pool; a thread that reuses a dead
# thread's id takes over characters nobody has used.
_pools: dict[int, list] = {}


def _random_base62(n: int) -> str:
    pool = _pools.get(get_ident())
    if pool is None or pool[1] + n > len(pool[0]):
        pool = _refill(n)
    pos = pool[1]
    pool[1] = pos + n
    return pool[0][pos:pos + n]


def _refill(n: int) -> list:
    raw = b""
    while len(raw) < n:
        raw += os.urandom(4096).translate(_TO_BASE62, _REJECT)
    pool = [raw.decode(), 0]
    _pools[get_ident()] = pool
    return pool


def _new_pool() -> None:
    _pools.clear()


os.register_at_fork(after_in_child=_new_pool)


# How long the random part is, per prefix (Stripe's own lengths where known).
_LENGTHS = {"cus": 14, "acct": 16, "evt": 24}

# Which object an id prefix names; used by expand and by error messages.
PREFIX_TYPES = {
    "acct": "account", "cus": "customer", "card": "card", "ba": "bank_account",
    "tok": "token", "btok": "token", "ch": "charge", "py": "charge", "src": "source",
    "pm": "payment_method", "pi": "payment_intent", "seti": "setup_intent", "re": "refund",
    "pyr": "refund", "fee": "application_fee", "fr": "fee_refund", "tr": "transfer",
    "trr": "transfer_reversal", "txn": "balance_transaction", "evt": "event",
    "we": "webhook_endpoint", "setatt": "setup_attempt", "po": "payout",
}


# The first characters of an id count time (units of 10 ms, base62, wrapping after about
# 18 years), the rest are random. Stripe's ids also grow over the years ("cus_N..." then
# "cus_P..."); here it keeps each new id next to the previous ones in the database's id
# index, so a batch of inserts dirties one index page instead of one random page per id
# (benchmarks/README.md). Uniqueness rests on the random part alone (8+ characters).
_TIME_CHARS = 6
_TIME_WRAP = 62 ** _TIME_CHARS
_SORTED = string.digits + string.ascii_uppercase + string.ascii_lowercase  # byte order


_last_tick: list = [None, ""]  # (tick, its characters): ~2 ids a tick under load


def _time_base62() -> str:
    tick = int(time.time() * 100)
    last = _last_tick
    if last[0] == tick:
        return last[1]
    t = tick % _TIME_WRAP
    out = []
    for _ in range(_TIME_CHARS):
        t, r = divmod(t, 62)
        out.append(_SORTED[r])
    chars = "".join(reversed(out))
    _last_tick[:] = [tick, chars]  # one slice assignment: threads see a whole pair
    return chars


def new_id(prefix: str, length: int | None = None) -> str:
    n = length or _LENGTHS.get(prefix, 24)
    if n < _TIME_CHARS + 8:
        return prefix + "_" + _random_base62(n)
    return prefix + "_" + _time_base62() + _random_base62(n - _TIME_CHARS)


def stable_id(prefix: str, seed: str, length: int = 16) -> str:
    """A deterministic id (a platform's account id from its key, so that several
    processes agree on it without coordination)."""
    digest = int.from_bytes(hashlib.sha256(seed.encode()).digest(), "big")
    chars = []
    for _ in range(length):
        digest, r = divmod(digest, 62)
        chars.append(_ALPHABET[r])
    return prefix + "_" + "".join(chars)


def secret(prefix: str, length: int = 24) -> str:
    return prefix + "_" + _random_base62(length)


def type_of(obj_id: str) -> str | None:
    prefix = obj_id.split("_", 1)[0] if "_" in obj_id else ""
    return PREFIX_TYPES.get(prefix)
