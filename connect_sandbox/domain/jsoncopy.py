"""A deep copy of a JSON value (what every stored object and its parts are)."""
from __future__ import annotations

from typing import Any

import orjson


def copy_json(value: Any) -> Any:
    """copy.deepcopy for JSON values, by an orjson round trip: measured ~10x faster on a
    PaymentMethod (copy.deepcopy was ~8% of a PaymentMethod clone flow's CPU)."""
    return orjson.loads(orjson.dumps(value))
