"""PaymentMethod and Source objects built from a tokenized card, and their clones.
Pure: takes stored objects, returns new ones.

Private fields kept on both:
    _behaviour    the test outcomes of the card number (domain/testcards.py)
    _cloned_from  {"account", "customer", "payment_method" | "source"} for a clone
    _setup        set up for off-session use (SetupIntent / setup_future_usage)
    _consumed     (PaymentMethod) used once without a customer, detached, or shared
                  with a connected account without a customer: unusable from now on
    _attachable   (with _consumed) paid with setup_future_usage and no customer: may
                  still be attached to a customer (then usable again), nothing else
"""
from __future__ import annotations

from typing import Any

from ..wire import current as newer_api
from ..wire.shape import blank
from .ids import new_id, secret
from .jsoncopy import copy_json

BRANDS = {"visa": "visa", "mastercard": "mastercard", "american express": "amex",
          "discover": "discover", "diners club": "diners", "jcb": "jcb",
          "unionpay": "unionpay"}
SOURCE_TYPES = ("ach_credit_transfer", "ach_debit", "acss_debit", "alipay", "au_becs_debit",
                "bancontact", "card", "card_present", "eps", "giropay", "ideal", "klarna",
                "multibanco", "p24", "sepa_debit", "sofort", "three_d_secure", "wechat",
                "code_verification", "receiver", "redirect", "source_order")
PM_TYPES = ("acss_debit", "affirm", "afterpay_clearpay", "alipay", "au_becs_debit",
            "bacs_debit", "bancontact", "blik", "boleto", "card", "card_present", "cashapp",
            "customer_balance", "eps", "fpx", "giropay", "grabpay", "ideal", "interac_present",
            "klarna", "konbini", "link", "oxxo", "p24", "paynow", "paypal", "pix", "promptpay",
            "sepa_debit", "sofort", "us_bank_account", "wechat_pay", "zip")


def pm_brand(brand: str | None) -> str:
    return BRANDS.get((brand or "").lower(), "unknown")


def empty_address() -> dict[str, Any]:
    return {"city": None, "country": None, "line1": None, "line2": None, "postal_code": None,
            "state": None}


def billing_details(raw: dict[str, Any] | None, current: dict[str, Any] | None = None
                    ) -> dict[str, Any]:
    """Merge `billing_details[...]` parameters into the current value ("" unsets)."""
    out = copy_json(current) if current else {"address": empty_address(), "email": None,
                                                  "name": None, "phone": None, "tax_id": None}
    for key, value in (raw or {}).items():
        if key == "address":
            address = out.get("address") or empty_address()
            if value == "":
                address = empty_address()
            else:
                for k, v in value.items():
                    address[k] = v or None
            out["address"] = address
        else:
            out[key] = value or None
    return newer_api.newer("billing_details", out)


def _checks(card: dict[str, Any]) -> dict[str, Any]:
    return {"address_line1_check": card.get("address_line1_check"),
            "address_postal_code_check": card.get("address_zip_check"),
            "cvc_check": card.get("cvc_check")}


def payment_method_from_card(card: dict[str, Any], now: int, *,
                             billing: dict[str, Any] | None = None) -> dict[str, Any]:
    """A new unattached card PaymentMethod from a tokenized card object."""
    brand = pm_brand(card.get("brand"))
    details = {
        "brand": brand, "checks": _checks(card), "country": card.get("country"),
        "display_brand": newer_api.display_brand(brand),
        "exp_month": card.get("exp_month"), "exp_year": card.get("exp_year"),
        "fingerprint": card.get("fingerprint"), "funding": card.get("funding"),
        "generated_from": None, "last4": card.get("last4"),
        "networks": {"available": [brand], "preferred": None},
        "three_d_secure_usage": {"supported": True}, "wallet": None,
    }
    newer_api.newer("payment_method_card", details)
    address = {"city": card.get("address_city"), "country": card.get("address_country"),
               "line1": card.get("address_line1"), "line2": card.get("address_line2"),
               "postal_code": card.get("address_zip"), "state": card.get("address_state")}
    details_billing = billing_details(billing, {"address": address, "email": None,
                                                "name": card.get("name"), "phone": None})
    pm = blank("payment_method", id=new_id("pm"), type="card", created=now, customer=None,
               billing_details=details_billing, card=details, metadata={})
    for key in PM_TYPES:
        if key != "card":
            pm.pop(key, None)
    pm.pop("radar_options", None)  # present only when the request set it
    pm["_behaviour"] = copy_json(card.get("_behaviour", {}))
    return pm


def clone_payment_method(original: dict[str, Any], now: int, *, platform: str,
                         customer: str | None) -> dict[str, Any]:
    """The connected account's copy of a platform PaymentMethod: same card details and
    fingerprint, no customer, no metadata."""
    clone = copy_json(original)
    for key in [k for k in clone if k.startswith("_")]:
        if key not in ("_behaviour", "_setup"):
            clone.pop(key)
    clone.update(id=new_id("pm"), created=now, customer=None, metadata={})
    clone["_cloned_from"] = {"account": platform, "customer": customer,
                             "payment_method": original["id"]}
    return clone


def source_from_card(card: dict[str, Any], now: int, *, usage: str = "reusable",
                     owner: dict[str, Any] | None = None,
                     metadata: dict[str, str] | None = None) -> dict[str, Any]:
    """A new chargeable card Source from a tokenized card object."""
    behaviour = card.get("_behaviour", {})
    details = {
        "address_line1_check": card.get("address_line1_check"),
        "address_zip_check": card.get("address_zip_check"),
        "brand": card.get("brand"), "country": card.get("country"),
        "cvc_check": card.get("cvc_check"), "dynamic_last4": None,
        "exp_month": card.get("exp_month"), "exp_year": card.get("exp_year"),
        "fingerprint": card.get("fingerprint"), "funding": card.get("funding"),
        "last4": card.get("last4"), "name": card.get("name"),
        "three_d_secure": "required" if behaviour.get("three_d_secure", "no") != "no"
        else "optional",
        "tokenization_method": None,
    }
    src_id = new_id("src")
    base_owner = {"address": None, "email": None, "name": card.get("name"), "phone": None,
                  "verified_address": None, "verified_email": None, "verified_name": None,
                  "verified_phone": None}
    if card.get("address_line1") or card.get("address_zip"):
        base_owner["address"] = {
            "city": card.get("address_city"), "country": card.get("address_country"),
            "line1": card.get("address_line1"), "line2": card.get("address_line2"),
            "postal_code": card.get("address_zip"), "state": card.get("address_state")}
    src = blank("source", id=src_id, type="card", created=now, customer=None, flow="none",
                status="chargeable", usage=usage, card=details, metadata=dict(metadata or {}),
                client_secret=secret("src_client_secret"),
                owner=merge_owner(base_owner, owner))
    for key in SOURCE_TYPES:
        if key != "card":
            src.pop(key, None)
    src["_behaviour"] = copy_json(behaviour)
    return tidy_source(src)


def tidy_source(src: dict[str, Any]) -> dict[str, Any]:
    """A Source has no `customer` key at all until it is attached (Stripe's schema)."""
    if src.get("customer") is None:
        src.pop("customer", None)
    return src


def clone_source(original: dict[str, Any], now: int, *, platform: str, customer: str,
                 usage: str) -> dict[str, Any]:
    """The connected account's Source cloned from a platform customer's Source."""
    clone = copy_json(original)
    for key in [k for k in clone if k.startswith("_")]:
        if key != "_behaviour":
            clone.pop(key)
    clone.update(id=new_id("src"), created=now, customer=None, metadata={}, usage=usage,
                 status="chargeable", client_secret=secret("src_client_secret"))
    clone["_cloned_from"] = {"account": platform, "customer": customer,
                             "source": original["id"]}
    return tidy_source(clone)


def merge_owner(current: dict[str, Any], update: dict[str, Any] | None) -> dict[str, Any]:
    out = copy_json(current)
    for key, value in (update or {}).items():
        if key == "address":
            address = out.get("address") or empty_address()
            for k, v in (value or {}).items():
                address[k] = v or None
            out["address"] = address
        else:
            out[key] = value or None
    return out
