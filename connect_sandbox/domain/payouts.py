"""Pure payout rules: when a payout arrives, Stripe's failure codes and messages, and
the wording of the errors a payout request can get.

The failing test bank accounts of Stripe's Connect testing guide (000111111116,
000111111113, 000222222227, 000333333335, 000444444440; domain/testcards.BANK_ACCOUNTS)
make a payout fail with the same codes as an ACH debit does; the messages are those of
Stripe's list of payout failures.
"""
from __future__ import annotations

DAY = 86400

# Stripe's "Types of payout failures" (the payout object's failure_code).
FAILURES = {
    "no_account": "The bank account details on file are probably incorrect. No bank account "
                  "could be located with those details.",
    "account_closed": "The bank account has been closed.",
    "insufficient_funds": "Your Stripe account has insufficient funds to cover the payout.",
    "debit_not_authorized": "Debit transactions are not approved on the bank account. "
                            "(Stripe requires bank accounts to be set up for both credit "
                            "and debit payouts.)",
    "invalid_currency": "The bank was unable to process this payout because of its "
                        "currency. This is probably because the bank account cannot accept "
                        "payments in that currency.",
}

# Stripe's description of the instant_payouts_unsupported error code.
INSTANT_UNSUPPORTED = ("This card is not eligible for Instant Payouts. Try a debit card from "
                       "a supported bank.")

# Stripe's description of the payouts_not_allowed error code.
PAYOUTS_NOT_ALLOWED = ("Payouts have been disabled on the connected account. Check the "
                       "connected account’s status to see if any additional information "
                       "needs to be provided, or if payouts have been disabled for another "
                       "reason.")

_SOURCE_LABEL = {"card": "card", "bank_account": "bank account", "fpx": "fpx"}


def insufficient(source_type: str) -> str:
    """Stripe's balance_insufficient message for a payout (seen with source_type card)."""
    return ("You have insufficient funds in your Stripe account for this transfer. Your "
            f"{_SOURCE_LABEL.get(source_type, source_type)} balance is too low.  You can use "
            "the /v1/balance endpoint to view your Stripe balance (for more details, see "
            "stripe.com/docs/api#balance).")


def no_external_account(currency: str) -> str:
    return f"Sorry, you don't have any external accounts in that currency ({currency})."


def arrival_date(created: int, method: str) -> int:
    """An instant payout arrives at once; a standard one is dated 00:00 UTC of the next
    day (as in the API reference's example payout)."""
    if method == "instant":
        return created
    return (created // DAY + 1) * DAY


def in_range(value: int, bounds: dict[str, int]) -> bool:
    """A list filter on a timestamp: {"eq"|"gt"|"gte"|"lt"|"lte": n}."""
    checks = {"eq": value.__eq__, "gt": value.__gt__, "gte": value.__ge__,
              "lt": value.__lt__, "lte": value.__le__}
    return all(checks[op](n) for op, n in bounds.items())
