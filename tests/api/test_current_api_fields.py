"""Every property the current SDK declares is there.

The sandbox's objects follow Stripe's 2023-08-16 description; the SDKs speak API
version 2026-10-28, whose objects carry newer properties (a PaymentMethod's
`allow_redisplay`, a charge's `payment_method_details.card.network_transaction_id`...)
that an integration written against the current SDK reads: stripe-python raises
AttributeError on a missing one. For one instance of each object, in each state the
sandbox produces (current_fields_world.py), every property declared by stripe-python's
class for that object (its annotations, through the class MRO) and by the nested
classes of the sub-objects it holds (charge.outcome, payment_method_details.card,
payment_method.card, payment_intent.next_action, ...) must be present, null when unset,
unless EXCLUDED names it, with the reason Stripe leaves it out. Embedded objects
(token.card, event.data.object, an account's external accounts) are checked as their
own kind. Hashes of other payment method types (a card PaymentMethod's `sepa_debit`,
a redirect's `use_stripe_sdk`...) are left out by rule: Stripe shows only the hash of
the object's own `type`, and payment_method_options only for the intent's types.
"""
from __future__ import annotations

import re
import secrets
import typing
from fnmatch import fnmatchcase
from typing import Any

import pytest
import stripe
from stripe._list_object import ListObject
from stripe._stripe_object import StripeObject

from .current_fields_world import instances

# Property paths (fnmatch patterns; "[]" marks a list item) -> why Stripe omits them.
_ONLY_WHEN_SET = "shown only when set on the request or when it applies"
_INTERNAL = "for Stripe's internal use, not returned by standard API requests"
_INCLUDABLE = "includable: shown only when expanded (expand[])"
_EXTERNAL_ONLY = ("only on an account's external account (payout destination), never on a "
                  "customer's or a token's")
EXCLUDED: dict[str, str] = {
    "*.deleted": "only on the object a delete returns",
    "*card.description": _INTERNAL, "*card.iin": _INTERNAL, "*card.issuer": _INTERNAL,
    "account.business_profile.annual_revenue": "shown once collected (onboarding)",
    "account.business_profile.estimated_worker_count": "shown once collected (onboarding)",
    "account.business_profile.monthly_estimated_revenue": "shown once collected (onboarding)",
    "account.capabilities.*": "only the capabilities the account requested are listed",
    "account.company.administrative_address": "only for countries that collect it",
    "account.company.directorship_declaration": "only for countries that collect it",
    "account.company.export_license_id": "only for countries that collect it (India)",
    "account.company.export_purpose_code": "only for countries that collect it (India)",
    "account.company.ownership_exemption_reason": "only when an exemption was given",
    "account.company.physical_address": "only for countries that collect it",
    "account.company.principal_place_of_business": "only for countries that collect it",
    "account.company.registration_date": "only for countries that collect it",
    "account.company.representative_declaration": "only for countries that collect it",
    "account.company.structure": _ONLY_WHEN_SET,
    "account.company.tax_id_registrar": "only for countries that collect it",
    "account.company": "only for accounts whose platform fills in the company",
    "account.groups": "account groups (a feature the sandbox lacks)",
    "account.individual": "only for accounts whose platform fills in the individual",
    "account.settings.bacs_debit_payments": "only with the Bacs capability",
    "account.settings.card_issuing": "Issuing only",
    "account.settings.invoices": "Invoicing only (not implemented)",
    "account.settings.paypay_payments": "only with the PayPay capability",
    "account.settings.sepa_debit_payments": "only with the SEPA capability",
    "account.settings.treasury": "Treasury only",
    "account.settings.payouts.schedule.monthly_*": "only for a monthly payout schedule",
    "account.settings.payouts.schedule.weekly_*": "only for a weekly payout schedule",
    "account.tos_acceptance.service_agreement": _ONLY_WHEN_SET,
    "application_fee.fee_source.payout": "only for fees on payouts",
    "balance.issuing": "Issuing only",
    "balance.refund_and_dispute_prefunding": "only for accounts with refund prefunding",
    "balance.*[].source_types.*": "only the source types that hold funds are listed",
    "balance.connect_reserved[].source_types": "only the source types that hold funds",
    "card.networks": "only for co-branded cards (a preferred network)",
    "card.account": _EXTERNAL_ONLY, "card.available_payout_methods": _EXTERNAL_ONLY,
    "card.currency": _EXTERNAL_ONLY, "card.default_for_currency": _EXTERNAL_ONLY,
    "card.status": _EXTERNAL_ONLY,
    "card.customer": "absent on a token's card (attached to no customer yet)",
    "bank_account.customer": "absent on a token's bank account (attached to no customer yet)",
    "bank_account.account": _EXTERNAL_ONLY,
    "bank_account.available_payout_methods": _EXTERNAL_ONLY,
    "bank_account.default_for_currency": _EXTERNAL_ONLY,
    "bank_account.future_requirements": _EXTERNAL_ONLY,
    "bank_account.requirements": _EXTERNAL_ONLY,
    "charge.authorization_code": "card-present charges; card details have their own",
    "charge.fraud_details.*": "only when a fraud report was made",
    "charge.level3": _ONLY_WHEN_SET,
    "charge.outcome.rule": "only when a Radar rule matched",
    "charge.outcome.risk_score": "absent for payments Radar did not assess (bank debits)",
    "*.radar_options.session": "only when a Radar session was given",
    "charge.payment_method_details.card.capture_before": "only on uncaptured charges",
    "charge.payment_method_details.card.moto": "only for MOTO payments",
    "charge.payment_method_details.card.setup_credential_usage": _ONLY_WHEN_SET,
    "charge.payment_method_details.card.stored_credential_usage": _ONLY_WHEN_SET,
    "charge.payment_method_details.card.three_d_secure.exemption_indicator_applied":
        "only when an exemption was requested",
    "charge.presentment_details": "Adaptive Pricing only (not implemented)",
    "charge.refunds": _INCLUDABLE,
    "charge.transfer": "only on destination charges",
    "customer.business_name": _ONLY_WHEN_SET + " (a newer parameter)",
    "customer.individual_name": _ONLY_WHEN_SET + " (a newer parameter)",
    "customer.customer_account": "customer-configured Accounts v2 only",
    "customer.sources": _INCLUDABLE, "customer.subscriptions": _INCLUDABLE,
    "customer.cash_balance": _INCLUDABLE, "customer.invoice_credit_balance": _INCLUDABLE,
    "customer.tax": _INCLUDABLE, "customer.tax_ids": _INCLUDABLE,
    "event.account": "only on events of a connected account",
    "event.context": "only for events delivered with an authentication context",
    "event.data.previous_attributes": "only on *.updated events",
    "payment_intent.amount_details.*": "only when the amount details were given",
    "payment_intent.amount_details.tip.amount": "only when a tip was given",
    "payment_intent.hooks": _ONLY_WHEN_SET,
    "payment_intent.last_payment_error.*": "an error shows only the fields that apply",
    "payment_intent.payment_details": _ONLY_WHEN_SET,
    "payment_intent.payment_method_options.card.capture_method": _ONLY_WHEN_SET,
    "payment_intent.payment_method_options.card.request_*": _ONLY_WHEN_SET,
    "payment_intent.payment_method_options.card.require_cvc_recollection": _ONLY_WHEN_SET,
    "payment_intent.payment_method_options.card.s*": _ONLY_WHEN_SET,
    "payment_intent.presentment_details": "Adaptive Pricing only (not implemented)",
    "payment_intent.transfer_data.*": _ONLY_WHEN_SET,
    "payment_method.radar_options": _ONLY_WHEN_SET,
    "refund.description": "non-card refunds only",
    "refund.destination_details.card.reference*": "a released authorization has no ARN",
    "refund.failure_*": "only on failed refunds",
    "refund.instructions_email": _ONLY_WHEN_SET,
    "refund.next_action": "only for refunds that need an action",
    "refund.pending_reason": "only on pending refunds",
    "refund.presentment_details": "Adaptive Pricing only (not implemented)",
    "setup_attempt.payment_method_details.card.moto": "only for MOTO setups",
    "setup_intent.customer_account": "customer-configured Accounts v2 only",
    "setup_intent.last_setup_error.*": "an error shows only the fields that apply",
    "setup_intent.managed_payments": "Managed Payments only (not implemented)",
    "setup_intent.payment_method_options.card.setup_credential_usage": _ONLY_WHEN_SET,
    "person.additional_tos_acceptances": "only when additional terms were accepted",
    "person.us_cfpb_data": "only when demographic data was given",
    "source.code_verification": "only for the code_verification flow",
    "source.customer": "only on a Source attached to a customer",
    "source.receiver": "only for the receiver flow",
    "source.redirect": "only for the redirect flow",
    "source.source_order": "only for Sources with an order (Klarna)",
    "webhook_endpoint.secret": "only in the response that creates the endpoint",
}

def _camel(key: str) -> str:
    return "".join(part.capitalize() for part in key.split("_"))


def _names(annotation: Any) -> set[str]:
    """Class names an annotation can hold (nested classes and forward references)."""
    if isinstance(annotation, type):
        return {annotation.__name__}
    if isinstance(annotation, typing.ForwardRef):
        return {annotation.__forward_arg__}
    return set().union(*map(_names, typing.get_args(annotation)))


def _literals(annotation: Any) -> set[str]:
    if typing.get_origin(annotation) is typing.Literal:
        return {a for a in typing.get_args(annotation) if isinstance(a, str)}
    return set().union(set(), *map(_literals, typing.get_args(annotation)))


# Objects holding one hash per type, of which Stripe shows only their own `type`'s.
TYPED = ("payment_method", "source", "token", "*.payment_method_details", "*.next_action",
         "*.destination_details", "*.wallet")


def _other_type(path: str, obj: Any, props: dict[str, Any], key: str) -> bool:
    """`key` is the hash of a type other than `obj`'s own: one of the values its `type`
    declares, or (where `type` is any string) any hash beside it."""
    if not any(fnmatchcase(path, p) for p in TYPED) or "type" not in obj \
            or key == obj["type"]:
        return False
    values = _literals(props.get("type"))
    return key in values if values else _camel(key) in _names(props[key])


def declared(cls: type) -> dict[str, Any]:
    """Wire property -> annotation, for every property `cls` declares (through its MRO)."""
    out: dict[str, Any] = {}
    for klass in reversed(cls.__mro__):
        if not klass.__module__.startswith("stripe") or klass is StripeObject:
            continue
        remap = {v: k for k, v in getattr(klass, "_field_remappings", {}).items()}
        for attr, annotation in vars(klass).get("__annotations__", {}).items():
            if attr.startswith("_") or attr == "OBJECT_NAME" or callable(
                    getattr(klass, attr, None)):
                continue
            out[remap.get(attr, attr)] = annotation
    return out


class Walk:
    """Collects the declared properties missing from the objects it is shown."""

    def __init__(self) -> None:
        self.missing: set[str] = set()
        self.excluded: set[str] = set()   # patterns of EXCLUDED that matched
        self.checked = 0

    def object(self, obj: Any, path: str = "", intent_types: tuple = ()) -> None:
        if isinstance(obj, ListObject):
            for item in obj.data:
                self.object(item, path + "[]" if path else "")
            return
        if isinstance(obj, list):
            for item in obj:
                self.object(item, path + "[]", intent_types)
            return
        if not isinstance(obj, StripeObject):
            return
        if path and set(obj.to_dict()) == {"id", "object"}:
            return  # a reference Stripe shows in place of the object (a payment's source account)
        name = getattr(type(obj), "OBJECT_NAME", None)
        if isinstance(name, str) and "object" in obj and obj["object"] == name:
            path = name  # an object of its own (embedded or top level)
        if not path:
            return
        if "payment_method_types" in obj:
            intent_types = tuple(obj["payment_method_types"] or ())
        props = declared(type(obj))
        for key, annotation in props.items():
            where = f"{path}.{key}"
            self.checked += 1
            if key not in obj:
                if _other_type(path, obj, props, key):
                    continue  # another type's hash
                if path.endswith(".payment_method_options") and key not in intent_types:
                    continue  # options of a type the intent cannot use
                hit = [p for p in EXCLUDED if fnmatchcase(where, p)]
                if hit:
                    self.excluded.update(hit)
                else:
                    self.missing.add(where)
                continue
            self.object(obj[key], where, intent_types)


@pytest.fixture(scope="module")
def world(server) -> dict[str, Any]:
    client = stripe.StripeClient("sk_test_" + secrets.token_hex(12),
                                 base_addresses={"api": server.base}, max_network_retries=0)
    return instances(client)


KINDS = ("account", "customer", "card", "bank_account", "token", "charge", "source",
         "payment_method", "payment_intent", "setup_intent", "setup_attempt", "refund",
         "application_fee", "fee_refund", "transfer", "transfer_reversal", "balance",
         "balance_transaction", "event", "webhook_endpoint")


@pytest.fixture(scope="module")
def walked(world) -> dict[str, Walk]:
    """object name -> the walk over every instance of that kind in the world."""
    out: dict[str, Walk] = {kind: Walk() for kind in KINDS}
    for obj in world.values():
        out[obj["object"]].object(obj)
    return out


@pytest.mark.parametrize("kind", KINDS)
def test_every_declared_property_is_present(walked, kind):
    walk = walked[kind]
    assert walk.checked, f"no {kind} in the world"
    assert not walk.missing, f"{kind}: declared by stripe-python but missing: " + ", ".join(
        sorted(walk.missing))


def test_exclusions_are_all_needed(walked):
    """Every EXCLUDED pattern still names a property the sandbox leaves out."""
    used = set().union(*(w.excluded for w in walked.values()))
    assert set(EXCLUDED) - used == set()


# -- the values of the newer properties ------------------------------------------------

def test_card_payment_method(world):
    visa, amex = world["payment_method"], world["payment_method_amex"]
    assert visa.allow_redisplay == "unspecified" and visa.customer_account is None
    assert (visa.card.display_brand, amex.card.display_brand) == ("visa", "american_express")
    assert visa.card.regulated_status == "unregulated"
    assert visa.billing_details.tax_id is None


def test_card_and_source(world):
    card = world["card"]
    assert (card.allow_redisplay, card.regulated_status) == ("unspecified", "unregulated")
    assert world["token_card"].card.regulated_status == "unregulated"
    assert world["source"].allow_redisplay == "unspecified"


def test_card_charge_details(world):
    for label in ("charge_destination", "charge_of_intent", "charge_card", "charge_source"):
        ch = world[label]
        card = ch.payment_method_details.card
        assert re.fullmatch(r"\d{6}", card.authorization_code), label
        assert re.fullmatch(r"\d{15}", card.network_transaction_id), label
        assert card.regulated_status == "unregulated"
        assert card.electronic_commerce_indicator is None and card.transaction_link_id is None
        assert (ch.outcome.advice_code, ch.outcome.network_advice_code,
                ch.outcome.network_decline_code) == (None, None, None)
        assert ch.billing_details.tax_id is None and ch.radar_options.to_dict() == {}
    assert world["charge_of_intent"].source is None
    assert world["charge_card"].source.object == "card"
    assert world["charge_source"].source.object == "source"
    assert world["charge_bank"].source.object == "bank_account"
    # a destination payment (py_): its source is the sending account, as a reference
    assert world["payment"].source.to_dict() == {"id": world["payment"].source.id,
                                                 "object": "account"}


def test_declined_and_blocked_charges(world):
    declined = world["charge_declined"]
    assert (declined.outcome.advice_code, declined.outcome.network_decline_code) == (
        "try_again_later", "51")
    assert declined.payment_method_details.card.network_transaction_id  # the network saw it
    error = world["payment_intent_declined_funds"].last_payment_error
    assert (error.advice_code, error.network_decline_code) == ("try_again_later", "51")
    blocked = world["charge_blocked"]
    assert blocked.outcome.network_status == "not_sent_to_network"
    assert blocked.outcome.advice_code is None and blocked.outcome.network_decline_code is None
    card = blocked.payment_method_details.card
    assert card.authorization_code is None and card.network_transaction_id is None


def test_three_d_secure_details(world):
    card = world["charge_3ds"].payment_method_details.card
    assert card.electronic_commerce_indicator == "05"
    tds = card.three_d_secure
    assert (tds.result, tds.electronic_commerce_indicator, tds.exemption_indicator) == (
        "authenticated", "05", None)
    assert re.fullmatch(r"[0-9a-f-]{36}", tds.transaction_id)
    attempt = world["setup_attempt_3ds"].payment_method_details.card.three_d_secure
    assert attempt.electronic_commerce_indicator == "05" and attempt.transaction_id


def test_card_refund_destination(world):
    refund = world["refund_of_intent"]
    dest = refund.destination_details
    assert dest.type == "card" and dest.card.type == "refund"
    assert dest.card.reference_type == "acquirer_reference_number"
    assert re.fullmatch(r"\d{23}", dest.card.reference) and dest.card.reference_status == \
        "available"
    charge = world["charge_of_intent"]
    assert (refund.customer, refund.payment_method) == (charge.customer, charge.payment_method)
    assert refund.customer_account is None
    assert world["refund"].destination_details.card.type == "refund"
    assert world["refund_reversal"].destination_details.card.type == "reversal"


def test_intents_balance_and_events(world):
    for label in ("payment_intent", "payment_intent_action"):
        pi = world[label]
        assert pi.excluded_payment_method_types is None and pi.source is None
        assert pi.payment_method_configuration_details is None and pi.payment_record is None
    si = world["setup_intent"]
    assert si.excluded_payment_method_types is None
    assert si.payment_method_configuration_details is None
    assert world["txn_charge"].balance_type == "payments"
    assert world["event_connected"].account.startswith("acct_")


def test_shipping_and_address_show_every_line(world):
    for label in ("charge_destination", "payment_intent", "customer"):
        shipping = world[label].shipping
        assert (shipping.carrier, shipping.phone, shipping.tracking_number) == (None,) * 3
        assert shipping.address.line2 is None and shipping.address.line1 == "1 Main St"
    assert world["customer"].address.line2 is None


def test_account_settings(world):
    acct = world["account_standard"]
    assert acct.business_profile.minority_owned_business_designation is None
    assert acct.settings.payments.statement_descriptor_kana is None
    assert acct.settings.card_payments.statement_descriptor_prefix_kanji is None
