"""The sandbox's fee model and its rounding rules. Pure arithmetic, no I/O.

Stripe's processing fee (test mode, US cards): 2.9% of the amount plus 30 minor units,
the percentage rounded half up to the minor unit. The same rule is applied to every
currency (a sandbox simplification; see the README's money model).

Proportional amounts (the part of an application fee or transfer that a partial
refund gives back) are computed on the running total, so that the parts always add
up to the whole: after refunding r of a charge of c, `share` returns how much more of
`total` must have been given back so that round_half_up(total * r / c) has been.
"""
from __future__ import annotations

PERCENT_NUM = 29          # 2.9% ...
PERCENT_DEN = 1000
FIXED = 30                # ... + 30 minor units
AVAILABLE_AFTER = 2 * 24 * 3600   # pending card funds become available two days later
DAY = 24 * 3600


def available_on(now: int) -> int:
    """When funds received at `now` become available: two days later, at the start of
    that day (00:00 UTC), as Stripe dates every pending balance transaction."""
    return (now + AVAILABLE_AFTER) // DAY * DAY


def round_half_up(numerator: int, denominator: int) -> int:
    """numerator / denominator rounded half up (both non-negative)."""
    return (2 * numerator + denominator) // (2 * denominator)


def stripe_fee(amount: int, currency: str = "usd") -> int:
    """Stripe's processing fee on a captured amount."""
    if amount <= 0:
        return 0
    return round_half_up(amount * PERCENT_NUM, PERCENT_DEN) + FIXED


def proportional(total: int, part: int, whole: int) -> int:
    """total * part / whole, rounded half up; `total` when part covers the whole."""
    if whole <= 0 or part >= whole:
        return total
    return round_half_up(total * part, whole)


def share(total: int, done_after: int, whole: int, already: int) -> int:
    """How much of `total` to give back now, given that `done_after` of `whole` has
    been refunded (this time included) and `already` of `total` was given back."""
    target = proportional(total, done_after, whole)
    return max(0, min(total - already, target - already))


def fee_detail(amount: int, currency: str, type_: str, *, application: str | None = None,
               description: str | None = None) -> dict:
    return {"amount": amount, "application": application, "currency": currency,
            "description": description or {"stripe_fee": "Stripe processing fees",
                                            "application_fee": "Application fee"}.get(type_),
            "type": type_}
