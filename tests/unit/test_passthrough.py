"""services/passthrough.py: copying simple request parameters onto an object."""
from __future__ import annotations

import pytest

from connect_sandbox.services import passthrough


def test_copies_only_the_fields_named_and_sent():
    obj = {"description": "old", "shipping": None, "statement_descriptor": None}
    previous: dict = {}
    passthrough.apply(obj, {"description": "new", "other": "x"},
                      ("description", "statement_descriptor"), previous=previous)
    assert obj == {"description": "new", "shipping": None, "statement_descriptor": None}
    assert previous == {"description": "old"}


def test_empty_string_unsets_at_every_depth():
    obj = {"description": "old", "settings": {"a": "1", "b": {"c": "2"}}}
    passthrough.apply(obj, {"description": "", "settings": {"b": {"c": ""}}},
                      ("description", "settings"), merge=("settings",))
    assert obj == {"description": None, "settings": {"a": "1", "b": {"c": None}}}


def test_merge_keeps_other_keys_and_replace_does_not():
    obj = {"payment_method_options": {"card": {"network": None, "request_three_d_secure":
                                               "automatic"}},
           "shipping": {"name": "A", "phone": "1"}}
    passthrough.apply(obj, {"payment_method_options": {"card": {"network": "visa"}},
                            "shipping": {"name": "B"}},
                      ("payment_method_options", "shipping"), merge=("payment_method_options",))
    assert obj["payment_method_options"]["card"] == {"network": "visa",
                                                     "request_three_d_secure": "automatic"}
    # replaced (phone "1" is gone), then shown as Stripe shows shipping: every line
    assert obj["shipping"] == {"name": "B", "phone": None, "address": None, "carrier": None,
                               "tracking_number": None}


def test_an_address_shows_all_six_lines():
    obj: dict = {}
    passthrough.apply(obj, {"address": {"line1": "1 Main St", "country": "US"}}, ("address",))
    assert obj["address"] == {"city": None, "country": "US", "line1": "1 Main St",
                              "line2": None, "postal_code": None, "state": None}


def test_the_previous_value_is_a_copy():
    obj = {"settings": {"a": "1"}}
    previous: dict = {}
    passthrough.apply(obj, {"settings": {"a": "2"}}, ("settings",), merge=("settings",),
                      previous=previous)
    assert previous == {"settings": {"a": "1"}} and obj == {"settings": {"a": "2"}}


@pytest.mark.parametrize("field", ["id", "status", "amount_captured", "amount_received",
                                   "customer", "payment_method", "balance_transaction",
                                   "metadata", "object", "livemode"])
def test_computed_fields_can_never_be_copied(field):
    with pytest.raises(ValueError):
        passthrough.apply({}, {field: "x"}, (field,))


def test_a_checked_tuple_is_still_refused_the_second_time():
    # (apply() remembers the field tuples it has checked; a refused one is never kept)
    for _ in range(2):
        with pytest.raises(ValueError):
            passthrough.apply({}, {"description": "x"}, ("description", "amount_captured"))
    obj: dict = {}
    for _ in range(2):
        passthrough.apply(obj, {"description": "x"}, ("description",))
    assert obj == {"description": "x"}
    with pytest.raises(ValueError):  # a list is checked every time
        passthrough.apply({}, {}, ["status"])
