"""Properties of the API version the SDKs speak (2026-10-28) that Stripe's 2023-08-16
description lacks, with the value Stripe shows when nothing sets them.

The blanks of wire/shape.py come from the 2023-08-16 description; an integration
written against the current SDK reads these newer properties too (stripe-python
raises AttributeError on a missing one). NEWER lists, per object or sub-object
(by its schema name), the newer properties Stripe returns on every instance: a
nullable one as null, an enum with a default as that default. Properties Stripe
shows only in some conditions (Only present when..., includable, other payment
method types) are not listed; tests/api/test_current_api_fields.py checks every
property the SDK declares and names those it leaves out.

`blank()` merges the object's entry; code that builds a sub-object calls `newer()`.
"""
from __future__ import annotations

import secrets
from typing import Any

from ..domain.jsoncopy import copy_json

NEWER: dict[str, dict[str, Any]] = {
    "account_business_profile": {"minority_owned_business_designation": None,
                                 "specified_commercial_transactions_act_url": None},
    "account_card_payments_settings": {"statement_descriptor_prefix_kana": None,
                                       "statement_descriptor_prefix_kanji": None},
    "account_payments_settings": {"statement_descriptor_kana": None,
                                  "statement_descriptor_kanji": None,
                                  "statement_descriptor_prefix_kana": None,
                                  "statement_descriptor_prefix_kanji": None},
    "address": {"city": None, "country": None, "line1": None, "line2": None,
                "postal_code": None, "state": None},
    "balance_transaction": {"balance_type": "payments"},
    "billing_details": {"tax_id": None},
    "card": {"allow_redisplay": "unspecified", "regulated_status": "unregulated"},
    # `source`: a legacy field, null unless a card, bank account or Source was charged.
    "charge": {"radar_options": {}, "source": None},
    "charge_outcome": {"advice_code": None, "network_advice_code": None,
                       "network_decline_code": None},
    "payment_intent": {"allowed_payment_method_types": None, "customer_account": None,
                       "excluded_payment_method_types": None, "managed_payments": None,
                       "payment_method_configuration_details": None,
                       "payment_record": None, "source": None},
    "payment_method": {"allow_redisplay": "unspecified", "customer_account": None},
    "payment_method_card": {"display_brand": None, "regulated_status": "unregulated"},
    "payment_method_details_card": {"authorization_code": None,
                                    "electronic_commerce_indicator": None,
                                    "network_transaction_id": None,
                                    "regulated_status": "unregulated",
                                    "transaction_link_id": None},
    "person_relationship": {"authorizer": None, "legal_guardian": None},
    "refund": {"customer": None, "customer_account": None, "payment_method": None},
    "setup_attempt": {"customer_account": None},
    "setup_intent": {"allowed_payment_method_types": None,
                     "excluded_payment_method_types": None,
                     "payment_method_configuration_details": None},
    "shipping": {"address": None, "carrier": None, "name": None, "phone": None,
                 "tracking_number": None},
    "source": {"allow_redisplay": "unspecified"},
}

# PaymentMethod card.brand -> card.display_brand
DISPLAY_BRANDS = {"amex": "american_express", "diners": "diners_club",
                  "unionpay": "union_pay", "unknown": "other"}


def newer(name: str, obj: dict[str, Any]) -> dict[str, Any]:
    """`obj` (a `name` sub-object) with the newer properties it lacks at their default."""
    for key, value in NEWER.get(name, {}).items():
        if key not in obj:
            # A null or a string is shared as it is (immutable): copying each through
            # orjson was ~3 calls a request for nothing.
            obj[key] = copy_json(value) if isinstance(value, (dict, list)) else value
    return obj


def address(value: dict[str, Any] | None) -> dict[str, Any] | None:
    """An address as Stripe shows it: all six lines, null when not given."""
    if not isinstance(value, dict):
        return value
    return newer("address", dict(value))


def shipping(value: dict[str, Any] | None) -> dict[str, Any] | None:
    """Shipping details as Stripe shows them: carrier, phone and tracking_number null
    when not given, and a complete address."""
    if not isinstance(value, dict):
        return value
    out = newer("shipping", dict(value))
    out["address"] = address(out["address"])
    return out


SHAPED = {"address": address, "shipping": shipping}


def display_brand(brand: str | None) -> str | None:
    return DISPLAY_BRANDS.get(brand, brand) if brand else None


def network_transaction_id() -> str:
    """A network's transaction id: 15 digits, as Visa's look."""
    return str(secrets.randbelow(9 * 10 ** 14) + 10 ** 14)


def authorization_code() -> str:
    return f"{secrets.randbelow(10 ** 6):06d}"


def acquirer_reference_number() -> str:
    return f"{secrets.randbelow(10 ** 23):023d}"
