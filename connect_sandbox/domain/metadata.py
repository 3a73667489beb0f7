"""Stripe's metadata rules: at most 50 keys, keys up to 40 characters without square
brackets, values up to 500 characters; "" unsets a key; metadata="" clears all."""
from __future__ import annotations

from typing import Any

from ..errors import InvalidRequestError

MAX_KEYS = 50
MAX_KEY_LEN = 40
MAX_VALUE_LEN = 500


def merge(current: dict[str, str] | None, update: Any, param: str = "metadata") -> dict[str, str]:
    """Apply an update (a dict, or "" to clear) to current metadata and check limits."""
    result = dict(current or {})
    if update == "":
        return {}
    for key, value in update.items():
        if len(key) > MAX_KEY_LEN:
            raise InvalidRequestError(
                f"Metadata keys can have up to {MAX_KEY_LEN} characters, but you passed in a "
                f"key that is {len(key)} characters. Invalid key: {key[:200]}",
                param=f"{param}[{key[:60]}]")
        if "[" in key or "]" in key:
            raise InvalidRequestError(
                "Metadata keys may not contain square brackets.", param=f"{param}[{key}]")
        if not isinstance(value, str):
            raise InvalidRequestError("Metadata values must be strings.", param=f"{param}[{key}]")
        if value == "":
            result.pop(key, None)
            continue
        if len(value) > MAX_VALUE_LEN:
            raise InvalidRequestError(
                f"Metadata values can have up to {MAX_VALUE_LEN} characters, but you passed in "
                f"a value that is {len(value)} characters. Invalid value: {value[:1000]}",
                param=f"{param}[{key}]")
        result[key] = value
    if len(result) > MAX_KEYS:
        raise InvalidRequestError(
            f"Invalid metadata: metadata cannot have more than {MAX_KEYS} keys.", param=param)
    return result
