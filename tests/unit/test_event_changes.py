"""previous_attributes as Stripe computes them (services/events.changes)."""
from __future__ import annotations

from connect_sandbox.services.events import changes


def test_unchanged_attributes_are_left_out():
    assert changes({"email": "a@x.com", "name": "A"}, {"email": "b@x.com", "name": "A"}) \
        == {"email": "a@x.com"}
    assert changes({"metadata": {"k": "v"}}, {"metadata": {"k": "v"}}) == {}


def test_hashes_keep_only_their_changed_keys():
    before = {"invoice_settings": {"default_payment_method": None, "footer": None},
              "metadata": {"a": "1", "b": "2"}}
    after = {"invoice_settings": {"default_payment_method": "pm_1", "footer": None},
             "metadata": {"a": "9", "c": "3"}}
    assert changes(before, after) == {"invoice_settings": {"default_payment_method": None},
                                      "metadata": {"a": "1", "b": "2", "c": None}}
    nested = changes({"business_profile": {"support_address": {"city": "Paris", "line1": None}}},
                     {"business_profile": {"support_address": {"city": "Lyon", "line1": None}}})
    assert nested == {"business_profile": {"support_address": {"city": "Paris"}}}


def test_a_hash_set_or_cleared_and_a_changed_list_are_kept_whole():
    assert changes({"address": None}, {"address": {"city": "Paris"}}) == {"address": None}
    assert changes({"address": {"city": "Paris"}}, {"address": None}) \
        == {"address": {"city": "Paris"}}
    assert changes({"preferred_locales": ["en", "fr"]}, {"preferred_locales": ["en"]}) \
        == {"preferred_locales": ["en", "fr"]}
