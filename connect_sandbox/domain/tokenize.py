"""Turn raw card and bank-account details into stored objects. Pure: no I/O.

The full card number is looked at here and nowhere else: what is kept is last4,
brand, fingerprint, and `_behaviour` (the test outcomes the number stands for).
"""
from __future__ import annotations

import datetime as dt
from typing import Any

from ..errors import CardError, InvalidRequestError, missing_param
from ..wire.shape import blank
from . import testcards
from .cards import brand_of, fingerprint, luhn_ok, normalise_number
from .ids import new_id

LIVE_CARD = ("Your card was declined. Your request was in test mode, but used a non test "
             "(live) card. For a list of valid test cards, visit: "
             "https://stripe.com/docs/testing.")


# Properties of a card or bank account that Stripe shows only on an account's external
# account (payout destination): "This attribute will not be in the card object if the
# card belongs to a customer". Tokens and customers' sources leave them out; code that
# makes an external account from a token adds them back.
EXTERNAL_ONLY = {
    "card": ("account", "available_payout_methods", "currency", "default_for_currency",
             "status"),
    "bank_account": ("account", "available_payout_methods", "default_for_currency",
                     "future_requirements", "requirements"),
}


def without_external_fields(obj: dict[str, Any]) -> dict[str, Any]:
    for key in EXTERNAL_ONLY.get(obj.get("object", ""), ()):
        obj.pop(key, None)
    return obj


def _card_error(code: str, message: str, param: str) -> CardError:
    return CardError(message, code=code, param=param, persist=False)


def behaviour_of(card: testcards.TestCard) -> dict[str, Any]:
    return {"charge": card.charge, "attach": card.attach, "three_d_secure": card.three_d_secure,
            "cvc_check": card.cvc_check, "address_check": card.address_check,
            "available_now": card.available_now}


def test_card_for(number: str) -> testcards.TestCard:
    """The test card a number stands for; generic 4000 00.. numbers act like 4242."""
    card = testcards.lookup(number)
    if card is None:
        if number.startswith("400000") and luhn_ok(number):
            return testcards.TestCard(number, "Visa")
        raise CardError(LIVE_CARD, code="card_declined", decline_code="test_mode_live_card",
                        param="number", persist=False)
    return card


def _ascii_digits(value: str) -> bool:
    """0-9 only: str.isdigit() also takes '²' (int() refuses it) and other scripts' digits."""
    return value.isascii() and value.isdigit()


def _int(value: Any, param: str, code: str, message: str) -> int:
    if isinstance(value, int):
        return value
    if not isinstance(value, str) or not _ascii_digits(value.strip()):
        raise _card_error(code, message, param)
    return int(value.strip())


def card_from_params(raw: dict[str, Any], scope: str, now: int, *,
                     param_prefix: str = "card") -> dict[str, Any]:
    """A card object (no customer) from `card[...]` parameters, or a CardError."""
    number = raw.get("number")
    if not number:
        raise missing_param(f"{param_prefix}[number]")
    if "exp_month" not in raw or raw.get("exp_month") in ("", None):
        raise missing_param(f"{param_prefix}[exp_month]")
    if "exp_year" not in raw or raw.get("exp_year") in ("", None):
        raise missing_param(f"{param_prefix}[exp_year]")
    number = normalise_number(str(number))
    if not _ascii_digits(number):
        raise _card_error("invalid_number", "Your card number is invalid.", "number")
    if not luhn_ok(number):
        raise _card_error("incorrect_number", "Your card number is incorrect.", "number")
    month = _int(raw["exp_month"], "exp_month", "invalid_expiry_month",
                 "Your card's expiration month is invalid.")
    year = _int(raw["exp_year"], "exp_year", "invalid_expiry_year",
                "Your card's expiration year is invalid.")
    if year < 100:
        year += 2000
    if not 1 <= month <= 12:
        raise _card_error("invalid_expiry_month", "Your card's expiration month is invalid.",
                          "exp_month")
    today = dt.datetime.fromtimestamp(now, dt.timezone.utc)
    if year < today.year or year > today.year + 50:
        raise _card_error("invalid_expiry_year", "Your card's expiration year is invalid.",
                          "exp_year")
    if year == today.year and month < today.month:
        raise _card_error("invalid_expiry_month", "Your card's expiration month is invalid.",
                          "exp_month")
    cvc = raw.get("cvc")
    if cvc not in (None, "") and (not _ascii_digits(str(cvc)) or not 3 <= len(str(cvc)) <= 4):
        raise _card_error("invalid_cvc", "Your card's security code is invalid.", "cvc")
    test = test_card_for(number)
    return build_card(number, test, scope, month, year, raw, cvc_given=bool(cvc))


def build_card(number: str, test: testcards.TestCard, scope: str, month: int, year: int,
               raw: dict[str, Any] | None = None, *, cvc_given: bool = True) -> dict[str, Any]:
    raw = raw or {}
    card = blank(
        "card", id=new_id("card"), brand=test.brand or brand_of(number), country=test.country,
        exp_month=month, exp_year=year, fingerprint=fingerprint(scope, number),
        funding=test.funding, last4=number[-4:], metadata={},
        cvc_check="unchecked" if cvc_given else None, name=raw.get("name") or None,
    )
    without_external_fields(card)
    for key in ("address_city", "address_country", "address_line1", "address_line2",
                "address_state", "address_zip"):
        card[key] = raw.get(key) or None
    if raw.get("currency"):  # a debit card meant for payouts names its currency
        card["currency"] = str(raw["currency"]).lower()
    if card["address_line1"]:
        card["address_line1_check"] = "unchecked"
    if card["address_zip"]:
        card["address_zip_check"] = "unchecked"
    card["_behaviour"] = behaviour_of(test)
    return card


def test_card_object(name_number: str, scope: str, now: int) -> dict[str, Any]:
    """The card behind a test token or pm_card_ shorthand (fresh id each use)."""
    test = testcards.lookup(name_number) or testcards.TestCard(name_number, "Visa")
    year = dt.datetime.fromtimestamp(now, dt.timezone.utc).year + 1
    card = build_card(name_number, test, scope, dt.datetime.fromtimestamp(
        now, dt.timezone.utc).month, year, cvc_given=True)
    card["cvc_check"] = "unchecked"
    return card


def bank_account_from_params(raw: dict[str, Any], scope: str,
                             param_prefix: str = "bank_account") -> dict[str, Any]:
    for req in ("account_number", "country"):
        if not raw.get(req):
            raise missing_param(f"{param_prefix}[{req}]")
    number = str(raw["account_number"]).strip()
    country = str(raw["country"]).upper()
    routing = str(raw.get("routing_number") or "")
    if country == "US":
        if not routing:
            raise missing_param(f"{param_prefix}[routing_number]")
        if not _ascii_digits(routing) or len(routing) != 9:
            raise InvalidRequestError("Routing number must have 9 digits",
                                      param=f"{param_prefix}[routing_number]",
                                      code="routing_number_invalid")
    if not _ascii_digits(number) or not 4 <= len(number) <= 17:
        raise InvalidRequestError("You must use a test bank account number in test mode. Try "
                                  "000123456789 or see https://stripe.com/docs/connect/testing.",
                                  param=f"{param_prefix}[account_number]",
                                  code="account_number_invalid")
    holder_type = raw.get("account_holder_type") or None
    if holder_type not in (None, "individual", "company"):
        raise InvalidRequestError("Invalid account_holder_type: must be one of individual or "
                                  "company", param=f"{param_prefix}[account_holder_type]")
    ba = blank(
        "bank_account", id=new_id("ba"), account_holder_name=raw.get("account_holder_name")
        or None, account_holder_type=holder_type, account_type=raw.get("account_type") or None,
        bank_name=testcards.TEST_ROUTING_NUMBERS.get(routing, "STRIPE TEST BANK"),
        country=country, currency=str(raw.get("currency") or "usd").lower(),
        fingerprint=fingerprint(scope, f"{routing}:{number}"), last4=number[-4:],
        routing_number=routing or None, status="new", metadata={},
    )
    without_external_fields(ba)
    ba["_behaviour"] = {"charge": testcards.BANK_ACCOUNTS.get(number, "ok")}
    return ba
