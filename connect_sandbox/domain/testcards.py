"""Stripe's test cards as data: what each number does when tokenized, attached to a
customer and charged. Outcomes are named; DECLINES says what each named decline
looks like on the wire."""
from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class TestCard:
    number: str
    brand: str
    funding: str = "credit"
    country: str = "US"
    charge: str = "ok"          # outcome when charged: "ok" or a DECLINES key
    attach: str = "ok"          # outcome when attached to a customer
    three_d_secure: str = "no"  # "no" | "one_off" (required unless set up) | "always"
    #                             | "on_session" (required on session, never off session)
    cvc_check: str = "pass"
    address_check: str = "pass"
    available_now: bool = False  # funds skip pending (4000000000000077)


@dataclass(frozen=True)
class Decline:
    code: str
    decline_code: str | None
    message: str
    seller_message: str
    param: str | None = None
    outcome_type: str = "issuer_declined"
    risk_level: str = "normal"
    network_status: str = "declined_by_network"
    advice_code: str | None = None            # outcome.advice_code
    network_decline_code: str | None = None   # the network's reason (ISO 8583 response code)


DECLINES: dict[str, Decline] = {
    "generic_decline": Decline("card_declined", "generic_decline", "Your card was declined.",
                               "The bank did not return any further details with this decline.",
                               advice_code="try_again_later", network_decline_code="01"),
    "insufficient_funds": Decline("card_declined", "insufficient_funds",
                                  "Your card has insufficient funds.",
                                  "The bank returned the decline code `insufficient_funds`.",
                                  advice_code="try_again_later", network_decline_code="51"),
    "lost_card": Decline("card_declined", "lost_card", "Your card was declined.",
                         "The bank returned the decline code `lost_card`.",
                         advice_code="do_not_try_again", network_decline_code="41"),
    "stolen_card": Decline("card_declined", "stolen_card", "Your card was declined.",
                           "The bank returned the decline code `stolen_card`.",
                           advice_code="do_not_try_again", network_decline_code="43"),
    "expired_card": Decline("expired_card", "expired_card", "Your card has expired.",
                            "The bank returned the decline code `expired_card`.",
                            param="exp_month", advice_code="confirm_card_data",
                            network_decline_code="54"),
    "incorrect_cvc": Decline("incorrect_cvc", "incorrect_cvc",
                             "Your card's security code is incorrect.",
                             "The bank returned the decline code `incorrect_cvc`.", param="cvc",
                             advice_code="confirm_card_data", network_decline_code="N7"),
    "processing_error": Decline("processing_error", "processing_error",
                                "An error occurred while processing your card. Try again in a "
                                "little bit.",
                                "The bank returned the decline code `processing_error`.",
                                advice_code="try_again_later", network_decline_code="96"),
    # The testing guide's velocity-limit card (4000000000006975); Stripe's message as
    # reported; the network code (61, "exceeds amount limit") and advice are unconfirmed.
    "card_velocity_exceeded": Decline("card_declined", "card_velocity_exceeded",
                                      "Your card was declined for making repeated attempts "
                                      "too frequently or exceeding its amount limit.",
                                      "The bank returned the decline code "
                                      "`card_velocity_exceeded`.",
                                      advice_code="try_again_later", network_decline_code="61"),
    "fraudulent": Decline("card_declined", "fraudulent", "Your card was declined.",
                          "Stripe blocked this payment as too risky.", outcome_type="blocked",
                          risk_level="highest", network_status="not_sent_to_network"),
    # A card that needs 3-D Secure, charged off-session (nobody there to authenticate).
    "authentication_required": Decline("authentication_required", "authentication_required",
                                       "Your card was declined. This transaction requires "
                                       "authentication.",
                                       "The bank returned the decline code "
                                       "`authentication_required`.",
                                       network_decline_code="1A"),
}

_CARDS = [
    TestCard("4242424242424242", "Visa"),
    TestCard("4000056655665556", "Visa", funding="debit"),
    TestCard("5555555555554444", "MasterCard"),
    TestCard("2223003122003222", "MasterCard"),
    TestCard("5200828282828210", "MasterCard", funding="debit"),
    TestCard("5105105105105100", "MasterCard", funding="prepaid"),
    TestCard("378282246310005", "American Express"),
    TestCard("371449635398431", "American Express"),
    TestCard("6011111111111117", "Discover"),
    TestCard("6011000990139424", "Discover"),
    TestCard("3056930009020004", "Diners Club"),
    TestCard("36227206271667", "Diners Club"),
    TestCard("3566002020360505", "JCB", country="JP"),
    TestCard("6200000000000005", "UnionPay", country="CN"),
    TestCard("4000000000000077", "Visa", available_now=True),
    TestCard("4000000000000002", "Visa", charge="generic_decline", attach="generic_decline"),
    TestCard("4000000000009995", "Visa", charge="insufficient_funds", attach="insufficient_funds"),
    TestCard("4000000000009987", "Visa", charge="lost_card", attach="lost_card"),
    TestCard("4000000000009979", "Visa", charge="stolen_card", attach="stolen_card"),
    TestCard("4000000000000069", "Visa", charge="expired_card", attach="expired_card"),
    TestCard("4000000000000127", "Visa", charge="incorrect_cvc", attach="incorrect_cvc",
             cvc_check="fail"),
    TestCard("4000000000000119", "Visa", charge="processing_error", attach="processing_error"),
    TestCard("4100000000000019", "Visa", charge="fraudulent", attach="fraudulent"),
    TestCard("4000000000006975", "Visa", charge="card_velocity_exceeded",
             attach="card_velocity_exceeded"),
    TestCard("4000000000000341", "Visa", charge="generic_decline"),
    TestCard("4000000000000101", "Visa", cvc_check="fail"),
    TestCard("4000000000000010", "Visa", address_check="fail"),
    TestCard("4000002500003155", "Visa", three_d_secure="one_off"),
    TestCard("4000002760003184", "Visa", three_d_secure="always"),
    TestCard("4000000000003220", "Visa", three_d_secure="one_off"),
    TestCard("4000000000003063", "Visa", three_d_secure="always"),
    # The testing guide's authentication cards that go on to decline, or need none.
    TestCard("4000003800000446", "Visa", three_d_secure="on_session"),
    TestCard("4000008260003178", "Visa", three_d_secure="always", charge="insufficient_funds"),
    TestCard("4000008400001629", "Visa", three_d_secure="always", charge="generic_decline"),
    TestCard("4000008400001280", "Visa", three_d_secure="always", charge="processing_error"),
    TestCard("4000000000003055", "Visa"),  # 3-D Secure supported, not required
]
BY_NUMBER: dict[str, TestCard] = {c.number: c for c in _CARDS}

# 4242424242424241 fails Luhn: tokenizing it is refused with incorrect_number.

# Test token / PaymentMethod shorthand name -> test card number.
_SHORTHANDS = {
    "visa": "4242424242424242", "visa_debit": "4000056655665556",
    "mastercard": "5555555555554444", "mastercard_debit": "5200828282828210",
    "mastercard_prepaid": "5105105105105100", "amex": "378282246310005",
    "discover": "6011111111111117", "diners": "3056930009020004", "jcb": "3566002020360505",
    "unionpay": "6200000000000005", "bypassPending": "4000000000000077",
    "chargeDeclined": "4000000000000002",
    "chargeDeclinedInsufficientFunds": "4000000000009995",
    "chargeDeclinedLostCard": "4000000000009987",
    "chargeDeclinedStolenCard": "4000000000009979",
    "chargeDeclinedExpiredCard": "4000000000000069",
    "chargeDeclinedIncorrectCvc": "4000000000000127",
    "chargeDeclinedProcessingError": "4000000000000119",
    "chargeDeclinedFraudulent": "4100000000000019",
    "chargeCustomerFail": "4000000000000341",
    "cvcCheckFail": "4000000000000101", "avsFail": "4000000000000010",
    "threeDSecure2Required": "4000000000003220",
    "authenticationRequired": "4000002760003184",
    "authenticationRequiredOnSetup": "4000002500003155",
    "threeDSecureRequired": "4000000000003063",
    # The testing guide's current names for the decline cards.
    "visa_chargeDeclined": "4000000000000002",
    "visa_chargeDeclinedInsufficientFunds": "4000000000009995",
    "visa_chargeDeclinedLostCard": "4000000000009987",
    "visa_chargeDeclinedStolenCard": "4000000000009979",
    "visa_chargeDeclinedVelocityLimitExceeded": "4000000000006975",
    "radarBlock": "4100000000000019",
    "authenticationRequiredSetupForOffSession": "4000003800000446",
    "authenticationRequiredChargeDeclinedInsufficientFunds": "4000008260003178",
    "threeDSecureRequiredChargeDeclined": "4000008400001629",
    "threeDSecureRequiredProcessingError": "4000008400001280",
    "threeDSecureOptional": "4000000000003055",
}
TEST_TOKENS = {f"tok_{k}": v for k, v in _SHORTHANDS.items()}
TEST_PAYMENT_METHODS = {f"pm_card_{k}": v for k, v in _SHORTHANDS.items()}
# Stripe also accepts country-named test tokens such as tok_us; the common one:
TEST_TOKENS["tok_us"] = "4242424242424242"
TEST_PAYMENT_METHODS["pm_card_us"] = "4242424242424242"


def lookup(number: str) -> TestCard | None:
    return BY_NUMBER.get(number)


# US bank accounts (routing 110000000): account number -> outcome when charged.
BANK_ACCOUNTS = {
    "000123456789": "ok",
    "000111111116": "no_account",
    "000111111113": "account_closed",
    "000222222227": "insufficient_funds",
    "000333333335": "debit_not_authorized",
    "000444444440": "invalid_currency",
}
# Stripe's Connect testing tokens for US external accounts (payouts), each standing for
# one of the test bank accounts above.
TEST_BANK_TOKENS = {
    "btok_us_verified": "000123456789",
    "btok_us_verified_noAccount": "000111111116",
    "btok_us_verified_accountClosed": "000111111113",
    "btok_us_verified_insufficientFunds": "000222222227",
    "btok_us_verified_debitNotAuthorized": "000333333335",
    "btok_us_verified_invalidCurrency": "000444444440",
}
BANK_FAILURES = {
    "no_account": "The customer's bank account could not be located.",
    "account_closed": "The customer's bank account has been closed.",
    "insufficient_funds": "The customer's account has insufficient funds to cover this payment.",
    "debit_not_authorized": "The customer has notified their bank that this payment was "
                            "unauthorized.",
    "invalid_currency": "The bank was unable to process this payment because of its currency.",
}
TEST_ROUTING_NUMBERS = {"110000000": "STRIPE TEST BANK"}
MICRODEPOSIT_AMOUNTS = (32, 45)
