"""Checks on the parts of a request the form decoder does not see: the Stripe-Version
header and the ids in the URL path. Each answers a Stripe-shaped 400 instead of letting
a hostile value reach the services or the database (PostgreSQL refuses NUL characters
in text, so a NUL in an id would otherwise fail there)."""
from __future__ import annotations

import re
from typing import Any, Mapping

from ..errors import InvalidRequestError

# 2023-08-16, 2026-10-28.endive, optionally followed by beta flags
# ("2024-06-20; payment_intent_beta=v3"), as the SDKs send them.
_VERSION = re.compile(r"([0-9]{4})-([0-9]{2})-([0-9]{2})(\.[a-z]+)?"
                      r"(\s*;\s*[A-Za-z0-9_]+=[A-Za-z0-9_.]+)*\Z")
MAX_VERSION = 200


def api_version(value: str | None) -> str | None:
    """The Stripe-Version header if it names a version, else a 400 (Stripe's message)."""
    if value is None:
        return None
    m = _VERSION.match(value) if len(value) <= MAX_VERSION else None
    if m is None or not ("01" <= m.group(2) <= "12" and "01" <= m.group(3) <= "31"):
        raise InvalidRequestError(f"Invalid Stripe API version: {value[:MAX_VERSION]}")
    return value


def path_ids(path_params: Mapping[str, Any]) -> None:
    """Ids in the URL may not hold NUL (%00): no object has one."""
    for name, value in path_params.items():
        if isinstance(value, str) and "\x00" in value:
            raise InvalidRequestError(
                "Invalid request: the URL contains a null character (%00) in the "
                f"`{name}` id.", param=name)
