"""wire/shape.py blank(): a fresh deep copy of the object's blank, equal to the blank
parsed from its JSON (what it was made from before), with the given values."""
from __future__ import annotations

import orjson

from connect_sandbox.wire.shape import _blank, blank

NAMES = ("customer", "charge", "card", "payment_method", "payment_intent", "account",
         "source", "balance_transaction", "event", "token", "transfer", "bank_account",
         "refund", "payout", "setup_intent", "application_fee")


def test_blank_is_the_parsed_blank_with_the_values() -> None:
    for name in NAMES:
        made = blank(name, id="x_1", metadata={"a": "b"})
        want = orjson.loads(orjson.dumps(_blank(name)))
        want.update(id="x_1", metadata={"a": "b"})
        assert orjson.dumps(made) == orjson.dumps(want), name


def test_blanks_share_no_list_or_hash() -> None:
    for name in NAMES:
        first, second = blank(name), blank(name)
        for key, value in first.items():
            if isinstance(value, (dict, list)):
                assert value is not second[key] and value is not _blank(name)[key]
        for value in first.values():
            if isinstance(value, dict):
                value["changed"] = True
            elif isinstance(value, list):
                value.append(1)
        assert orjson.dumps(blank(name)) == orjson.dumps(_blank(name))
