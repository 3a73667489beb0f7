"""What each kind of scheduled job does: kind -> handler(tx, ctx, job), run inside the
transaction that holds the job's lock. ctx acts as the account owning the job's
object, with no request (its events carry request.id null, as Stripe's do)."""
from __future__ import annotations

from typing import Any, Callable


def handlers() -> dict[str, Callable[..., Any]]:
    from ..services import ach, payouts
    return {ach.KIND: ach.run_job, payouts.KIND: payouts.run_job}
