"""What happens when a card or bank account is charged, and the charge's shape.
Pure: takes stored objects and returns new ones."""
from __future__ import annotations

from typing import Any

from ..errors import CardError
from ..wire import current
from ..wire.shape import blank
from .ids import new_id
from .testcards import DECLINES, Decline


def decline_for(source: dict[str, Any]) -> Decline | None:
    outcome = source.get("_behaviour", {}).get("charge", "ok")
    if outcome == "ok" or source.get("object") == "bank_account":
        return None
    return DECLINES[outcome]


def _risk_score(seed: str) -> int:
    return sum(seed.encode()) % 60 + 5


def success_outcome(charge_id: str) -> dict[str, Any]:
    return current.newer("charge_outcome", {
        "network_status": "approved_by_network", "reason": None, "risk_level": "normal",
        "risk_score": _risk_score(charge_id), "seller_message": "Payment complete.",
        "type": "authorized"})


def decline_outcome(charge_id: str, d: Decline) -> dict[str, Any]:
    return current.newer("charge_outcome", {
        "advice_code": d.advice_code, "network_decline_code": d.network_decline_code,
        "network_status": d.network_status,
        "reason": "highest_risk_level" if d.outcome_type == "blocked" else d.decline_code,
        "risk_level": d.risk_level, "risk_score": 95 if d.risk_level == "highest"
        else _risk_score(charge_id), "seller_message": d.seller_message,
        "type": d.outcome_type})


def network_codes(d: Decline) -> dict[str, str]:
    """The card network's advice_code and network_decline_code, where it gave them: shown
    in a decline's error body and in last_payment_error / last_setup_error (Stripe's
    changelog, 2024-12-18)."""
    return {key: getattr(d, key) for key in ("advice_code", "network_decline_code")
            if getattr(d, key)}


def declined(d: Decline, extra: dict[str, Any], *, persist: bool = True) -> CardError:
    """The 402 of a payment the card declined (Charges, PaymentIntents, SetupIntents):
    Stripe's code, decline_code and param, the network's codes, and `extra` (the charge,
    the intent, the payment method)."""
    return CardError(d.message, code=d.code, decline_code=d.decline_code, param=d.param,
                     persist=persist, extra={**network_codes(d), **extra})


def card_checks(card: dict[str, Any]) -> dict[str, Any]:
    b = card.get("_behaviour", {})

    def check(value: Any, kind: str) -> Any:
        if value is None:
            return None
        return "fail" if b.get(kind) == "fail" else "pass"
    return {"address_line1_check": check(card.get("address_line1"), "address_check"),
            "address_postal_code_check": check(card.get("address_zip"), "address_check"),
            "cvc_check": check(card.get("cvc_check"), "cvc_check")}


def settle_checks(card: dict[str, Any]) -> dict[str, Any]:
    """Resolve a tokenized card's "unchecked" CVC and address checks, as happens when it
    is first attached or charged (pass, or fail for the test cards that fail them)."""
    b = card.get("_behaviour", {})
    if card.get("cvc_check") == "unchecked":
        card["cvc_check"] = "fail" if b.get("cvc_check") == "fail" else "pass"
    for key in ("address_line1_check", "address_zip_check"):
        if card.get(key) == "unchecked":
            card[key] = "fail" if b.get("address_check") == "fail" else "pass"
    return card


def method_details(source: dict[str, Any], *, three_d_secure: dict | None = None) -> dict:
    if source.get("object") == "bank_account":
        return {"type": "ach_debit", "ach_debit": {
            "account_holder_type": source.get("account_holder_type"),
            "bank_name": source.get("bank_name"), "country": source.get("country"),
            "fingerprint": source.get("fingerprint"), "last4": source.get("last4"),
            "routing_number": source.get("routing_number")}}
    card = source.get("card") if source.get("object") in ("payment_method", "source") else source
    card = card or {}
    brand = (card.get("brand") or "").lower().replace("american express", "amex") \
        .replace("diners club", "diners")
    return {"type": "card", "card": current.newer("payment_method_details_card", {
        "amount_authorized": None, "authorization_code": current.authorization_code(),
        "brand": brand, "checks": card_checks(card)
        if source.get("object") == "card" else (card.get("checks") or card_checks(card)),
        "country": card.get("country"), "exp_month": card.get("exp_month"),
        "exp_year": card.get("exp_year"), "extended_authorization": {"status": "disabled"},
        "fingerprint": card.get("fingerprint"), "funding": card.get("funding"),
        "incremental_authorization": {"status": "unavailable"}, "installments": None,
        "last4": card.get("last4"), "mandate": None,
        "multicapture": {"status": "unavailable"}, "network": brand or None,
        "network_token": {"used": False},
        "network_transaction_id": current.network_transaction_id(),
        "overcapture": {"maximum_amount_capturable": None, "status": "unavailable"},
        "three_d_secure": three_d_secure, "wallet": None})}


def new_charge(*, amount: int, currency: str, now: int, source: dict[str, Any] | None,
               customer: str | None, capture: bool, params: dict[str, Any],
               decline: Decline | None, pending: bool = False,
               payment_method: str | None = None) -> dict[str, Any]:
    charge_id = new_id("ch")
    ch = blank(
        "charge", id=charge_id, amount=amount, currency=currency, created=now,
        customer=customer, metadata=dict(params.get("metadata") or {}),
        description=params.get("description") or None,
        receipt_email=params.get("receipt_email") or None,
        statement_descriptor=params.get("statement_descriptor") or None,
        statement_descriptor_suffix=params.get("statement_descriptor_suffix") or None,
        shipping=current.shipping(params.get("shipping") or None),
        transfer_group=params.get("transfer_group") or None,
        amount_captured=0, amount_refunded=0, captured=False, paid=False, refunded=False,
        disputed=False, fraud_details={}, source=source,
        payment_method=payment_method or (source or {}).get("id"),
        payment_method_details=method_details(source) if source else None,
        billing_details=_billing(source), calculated_statement_descriptor="CONNECT SANDBOX",
        receipt_url=f"https://pay.stripe.com/receipts/sandbox/{charge_id}",
    )
    ch.pop("refunds", None)  # Stripe includes a charge's refunds only when expanded
    if decline is not None:
        ch.update(status="failed", failure_code=decline.code, failure_message=decline.message,
                  outcome=decline_outcome(charge_id, decline), receipt_url=None)
        return ch
    ch["outcome"] = success_outcome(charge_id)
    ch["paid"] = True
    if pending:
        ch["status"] = "pending"
        ch["outcome"]["seller_message"] = "Payment pending."
    else:
        ch["status"] = "succeeded"
    if capture:
        ch["captured"] = True
        ch["amount_captured"] = amount
    return ch


# Releasing part or all of an authorization (a partial capture, a canceled PaymentIntent)
# creates no Refund since API version 2025-03-31.basil, and amount_refunded then counts
# refunds only (Stripe's changelog, "Partially capturing or cancelling payments no longer
# creates a Refund"). A request at an older version still gets a Refund for a canceled
# intent and the released amount counted in amount_refunded; a charge keeps in
# `_released_in_refunded` how much of its amount_refunded was released, not refunded, so
# that what is left to refund is right whichever version released it.
RELEASE_WITHOUT_REFUND = "2025-03-31"


def releases_without_refund(api_version: str | None) -> bool:
    return (api_version or "9999")[:10] >= RELEASE_WITHOUT_REFUND


def refunded_by_refunds(ch: dict[str, Any]) -> int:
    """The part of amount_refunded that Refunds took (not a release)."""
    return ch["amount_refunded"] - ch.get("_released_in_refunded", 0)


def refundable(ch: dict[str, Any]) -> int:
    """What is left to refund: the captured amount (before capture, the whole
    authorization, which a refund releases) less what Refunds took."""
    base = ch["amount_captured"] if ch["captured"] else ch["amount"]
    return base - refunded_by_refunds(ch)


AUTHORIZATION_WINDOW = 7 * 24 * 3600  # an uncaptured card charge must be captured within


def authorized(ch: dict[str, Any]) -> dict[str, Any]:
    """Fill the card details only an authorization has: amount_authorized, the
    overcapture ceiling and, for an uncaptured charge, capture_before (and clear the
    network's authorization code and transaction id of a charge blocked before it)."""
    card = (ch.get("payment_method_details") or {}).get("card")
    if card is not None and (ch.get("outcome") or {}).get("network_status") == \
            "not_sent_to_network":  # blocked before the network: no authorization at all
        card.update(authorization_code=None, network_transaction_id=None)
    if card is None or ch.get("status") == "failed":
        return ch
    card["amount_authorized"] = ch["amount"]
    card["overcapture"] = {"maximum_amount_capturable": ch["amount"], "status": "unavailable"}
    if not ch.get("captured"):
        card["capture_before"] = ch["created"] + AUTHORIZATION_WINDOW
    return ch


def _billing(source: dict[str, Any] | None) -> dict[str, Any]:
    source = source or {}
    if source.get("object") in ("payment_method",):
        billing = source.get("billing_details")
        return current.newer("billing_details", dict(billing)) if billing else _empty_billing()
    if source.get("object") == "source":
        owner = source.get("owner") or {}
        return {"address": owner.get("address") or _empty_address(),
                "email": owner.get("email"), "name": owner.get("name"),
                "phone": owner.get("phone"), "tax_id": None}
    b = _empty_billing()
    if source.get("object") == "card":
        b["name"] = source.get("name")
        b["address"] = {"city": source.get("address_city"),
                        "country": source.get("address_country"),
                        "line1": source.get("address_line1"),
                        "line2": source.get("address_line2"),
                        "postal_code": source.get("address_zip"),
                        "state": source.get("address_state")}
    elif source.get("object") == "bank_account":
        b["name"] = source.get("account_holder_name")
    return b


def _empty_address() -> dict[str, Any]:
    return {"city": None, "country": None, "line1": None, "line2": None, "postal_code": None,
            "state": None}


def _empty_billing() -> dict[str, Any]:
    return {"address": _empty_address(), "email": None, "name": None, "phone": None,
            "tax_id": None}
