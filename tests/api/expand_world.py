"""One instance of every implemented object, in a realistic state, for test_expand_all.py.

`build(client)` runs the flows (a destination charge with a fee, refunded with its
transfer reversed and its fee refunded; a direct charge with a fee on a connected
account; PaymentIntents that succeed, need 3-D Secure, or are declined; SetupIntents;
tokens, cards, bank accounts, Sources, PaymentMethods; a custom account...) and returns
where each instance is read: INSTANCES names them, with the fields that must be set.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import stripe

CARD = {"number": "4242424242424242", "exp_month": 12, "exp_year": 2034, "cvc": "123"}
BANK = {"country": "US", "currency": "usd", "routing_number": "110000000",
        "account_number": "000123456789", "account_holder_name": "Jenny Rosen",
        "account_holder_type": "individual"}
ADDRESS = {"line1": "1 Main St", "city": "San Francisco", "state": "CA",
           "postal_code": "94107", "country": "US"}


@dataclass(frozen=True)
class Where:
    path: str                     # GET path (a list path: expand under data.)
    account: str | None = None    # Stripe-Account
    params: tuple = ()            # extra query parameters ((k, v), ...)
    listed: bool = False


# label -> (object name, fields that must be set on it)
INSTANCES: dict[str, tuple[str, tuple[str, ...]]] = {
    "charge_destination": ("charge", (
        "balance_transaction", "customer", "application_fee", "on_behalf_of", "transfer",
        "transfer_data", "billing_details", "outcome", "payment_method_details",
        "fraud_details", "shipping")),
    "charge_of_intent": ("charge", ("payment_intent", "customer", "balance_transaction")),
    "charge_direct": ("charge", ("application", "application_fee", "customer",
                                 "balance_transaction")),
    "payment": ("charge", ("source_transfer", "balance_transaction")),
    "payment_intent": ("payment_intent", (
        "customer", "payment_method", "latest_charge", "on_behalf_of", "transfer_data",
        "amount_details", "automatic_payment_methods", "payment_method_options", "shipping")),
    "payment_intent_direct": ("payment_intent", ("application", "latest_charge",
                                                 "payment_method")),
    "payment_intent_action": ("payment_intent", ("next_action", "payment_method")),
    "payment_intent_declined": ("payment_intent", ("last_payment_error",)),
    "setup_intent": ("setup_intent", ("application", "customer", "payment_method",
                                      "latest_attempt", "on_behalf_of",
                                      "payment_method_options")),
    "setup_intent_action": ("setup_intent", ("next_action", "payment_method")),
    "setup_intent_failed": ("setup_intent", ("last_setup_error", "latest_attempt")),
    "setup_attempt": ("setup_attempt", ("application", "customer", "on_behalf_of",
                                        "payment_method", "payment_method_details",
                                        "setup_intent")),
    "token_card": ("token", ("card",)),
    "token_bank_account": ("token", ("bank_account",)),
    "card": ("card", ("customer",)),
    "bank_account": ("bank_account", ("customer",)),
    "source": ("source", ("owner",)),
    "payment_method": ("payment_method", ("customer", "billing_details", "card")),
    "refund": ("refund", ("balance_transaction", "charge", "transfer_reversal")),
    "refund_of_intent": ("refund", ("payment_intent", "charge")),
    "application_fee": ("application_fee", ("account", "application", "balance_transaction",
                                            "charge", "originating_transaction", "refunds")),
    "application_fee_direct": ("application_fee", ("account", "application", "charge")),
    "fee_refund": ("fee_refund", ("balance_transaction", "fee")),
    "transfer": ("transfer", ("balance_transaction", "destination", "destination_payment",
                              "reversals", "source_transaction")),
    "transfer_reversal": ("transfer_reversal", ("balance_transaction",
                                                "destination_payment_refund", "source_refund",
                                                "transfer")),
    "txn_charge": ("balance_transaction", ("source", "fee_details")),
    "txn_refund": ("balance_transaction", ("source",)),
    "txn_transfer": ("balance_transaction", ("source",)),
    "txn_application_fee": ("balance_transaction", ("source",)),
    "txn_fee_refund": ("balance_transaction", ("source",)),
    "txn_transfer_refund": ("balance_transaction", ("source",)),
    "txn_payment": ("balance_transaction", ("source", "fee_details")),
    "txn_payment_refund": ("balance_transaction", ("source",)),
    "txn_seller_fee_refund": ("balance_transaction", ("source",)),
    "event": ("event", ("data", "request")),
    "customer": ("customer", ("address", "default_source", "invoice_settings", "shipping")),
    "account_custom": ("account", ("business_profile", "capabilities", "company", "controller",
                                   "external_accounts", "individual", "requirements",
                                   "settings", "tos_acceptance")),
    "account_standard": ("account", ("business_profile", "capabilities", "controller",
                                     "requirements", "settings")),
    "balance": ("balance", ("available", "pending")),
}


def _txn(client: stripe.StripeClient, txn_id: str, account: str | None = None) -> Where:
    return Where(f"/v1/balance_transactions/{txn_id}", account)


def build(client: stripe.StripeClient) -> dict[str, Where]:
    v1 = client.v1
    seller = v1.accounts.create(params={"type": "standard"}).id
    as_seller = {"stripe_account": seller}
    out: dict[str, Where] = {}

    # The platform's customer, with a card, an address, and a default PaymentMethod.
    cus = v1.customers.create(params={
        "source": "tok_visa", "address": ADDRESS, "tax": {"ip_address": "203.0.113.7"},
        "shipping": {"name": "Jenny Rosen", "address": ADDRESS}})
    pm = v1.payment_methods.create(params={"type": "card", "card": {"token": "tok_visa"},
                                           "billing_details": {"name": "Jenny Rosen"}})
    v1.payment_methods.attach(pm.id, params={"customer": cus.id})
    v1.customers.update(cus.id, params={"invoice_settings": {"default_payment_method": pm.id}})
    out["customer"] = Where(f"/v1/customers/{cus.id}")
    out["payment_method"] = Where(f"/v1/payment_methods/{pm.id}")
    out["card"] = Where(f"/v1/customers/{cus.id}/sources/{cus.default_source}")

    # A destination charge with a fee, partly refunded: transfer reversed, fee refunded.
    ch = v1.charges.create(params={
        "amount": 10000, "currency": "usd", "customer": cus.id,
        "transfer_data": {"destination": seller}, "application_fee_amount": 1000,
        "on_behalf_of": seller, "shipping": {"name": "Jenny Rosen", "address": ADDRESS}})
    re = v1.refunds.create(params={"charge": ch.id, "amount": 5000, "reverse_transfer": True,
                                   "refund_application_fee": True})
    ch = v1.charges.retrieve(ch.id)
    tr = v1.transfers.retrieve(ch.transfer)
    fee = v1.application_fees.retrieve(ch.application_fee)
    fr = fee.refunds.data[0]
    rev = v1.transfers.reversals.retrieve(tr.id, re.transfer_reversal)
    out["charge_destination"] = Where(f"/v1/charges/{ch.id}")
    out["refund"] = Where(f"/v1/refunds/{re.id}")
    out["transfer"] = Where(f"/v1/transfers/{tr.id}")
    out["transfer_reversal"] = Where(f"/v1/transfers/{tr.id}/reversals/{rev.id}")
    out["application_fee"] = Where(f"/v1/application_fees/{fee.id}")
    out["fee_refund"] = Where(f"/v1/application_fees/{fee.id}/refunds/{fr.id}")
    out["payment"] = Where(f"/v1/charges/{tr.destination_payment}", seller)
    payment = v1.charges.retrieve(tr.destination_payment, options=as_seller)
    out["txn_charge"] = _txn(client, ch.balance_transaction)
    out["txn_refund"] = _txn(client, re.balance_transaction)
    out["txn_transfer"] = _txn(client, tr.balance_transaction)
    out["txn_application_fee"] = _txn(client, fee.balance_transaction)
    out["txn_fee_refund"] = _txn(client, fr.balance_transaction)
    out["txn_transfer_refund"] = _txn(client, rev.balance_transaction)
    out["txn_payment"] = _txn(client, payment.balance_transaction, seller)
    seller_txns = v1.balance_transactions.list(params={"limit": 100}, options=as_seller).data
    by_type = {t.type: t.id for t in seller_txns}
    out["txn_payment_refund"] = _txn(client, by_type["payment_refund"], seller)
    out["txn_seller_fee_refund"] = _txn(client, by_type["application_fee_refund"], seller)

    # PaymentIntents: a destination payment that succeeds, a direct one with a fee, one
    # waiting for 3-D Secure, one declined; and a refund of the first.
    pi = v1.payment_intents.create(params={
        "amount": 3000, "currency": "usd", "customer": cus.id, "payment_method": pm.id,
        "confirm": True, "transfer_data": {"destination": seller}, "on_behalf_of": seller,
        "shipping": {"name": "Jenny Rosen", "address": ADDRESS},
        "automatic_payment_methods": {"enabled": True, "allow_redirects": "never"}})
    out["payment_intent"] = Where(f"/v1/payment_intents/{pi.id}")
    out["charge_of_intent"] = Where(f"/v1/charges/{pi.latest_charge}")
    re2 = v1.refunds.create(params={"payment_intent": pi.id, "amount": 100})
    out["refund_of_intent"] = Where(f"/v1/refunds/{re2.id}")
    seller_cus = v1.customers.create(params={"source": "tok_visa"}, options=as_seller)
    direct = v1.payment_intents.create(params={
        "amount": 2000, "currency": "usd", "payment_method": "pm_card_visa", "confirm": True,
        "application_fee_amount": 100, "payment_method_types": ["card"]}, options=as_seller)
    out["payment_intent_direct"] = Where(f"/v1/payment_intents/{direct.id}", seller)
    action = v1.payment_intents.create(params={
        "amount": 2000, "currency": "usd", "payment_method": "pm_card_threeDSecureRequired",
        "confirm": True, "payment_method_types": ["card"]})
    out["payment_intent_action"] = Where(f"/v1/payment_intents/{action.id}")
    declined = v1.payment_intents.create(params={"amount": 2000, "currency": "usd",
                                                 "payment_method_types": ["card"]})
    try:
        v1.payment_intents.confirm(declined.id, params={"payment_method": "pm_card_chargeDeclined"})
    except stripe.CardError:
        pass
    out["payment_intent_declined"] = Where(f"/v1/payment_intents/{declined.id}")

    # A direct charge with a fee, on the connected account.
    dch = v1.charges.create(params={"amount": 2000, "currency": "usd", "customer": seller_cus.id,
                                    "application_fee_amount": 150}, options=as_seller)
    out["charge_direct"] = Where(f"/v1/charges/{dch.id}", seller)
    out["application_fee_direct"] = Where(f"/v1/application_fees/{dch.application_fee}")

    # SetupIntents (on the connected account: it carries the platform's application).
    seti = v1.setup_intents.create(params={
        "customer": seller_cus.id, "payment_method": "pm_card_visa", "confirm": True,
        "on_behalf_of": seller, "payment_method_types": ["card"]}, options=as_seller)
    out["setup_intent"] = Where(f"/v1/setup_intents/{seti.id}", seller)
    out["setup_attempt"] = Where("/v1/setup_attempts", seller, (("setup_intent", seti.id),),
                                 listed=True)
    seti_action = v1.setup_intents.create(params={
        "payment_method": "pm_card_authenticationRequiredOnSetup", "confirm": True,
        "payment_method_types": ["card"]})
    out["setup_intent_action"] = Where(f"/v1/setup_intents/{seti_action.id}")
    seti_failed = v1.setup_intents.create(params={"payment_method_types": ["card"]})
    try:
        v1.setup_intents.confirm(seti_failed.id,
                                 params={"payment_method": "pm_card_chargeDeclined"})
    except stripe.CardError:
        pass
    out["setup_intent_failed"] = Where(f"/v1/setup_intents/{seti_failed.id}")

    # Tokens, a bank account, a Source.
    out["token_card"] = Where(f"/v1/tokens/{v1.tokens.create(params={'card': CARD}).id}")
    btok = v1.tokens.create(params={"bank_account": BANK})
    out["token_bank_account"] = Where(f"/v1/tokens/{btok.id}")
    bcus = v1.customers.create(params={"source": v1.tokens.create(
        params={"bank_account": BANK}).id})
    out["bank_account"] = Where(f"/v1/customers/{bcus.id}/sources/{bcus.default_source}")
    src = v1.sources.create(params={"type": "card", "token": "tok_visa",
                                    "owner": {"name": "Jenny Rosen", "email": "j@example.com"}})
    out["source"] = Where(f"/v1/sources/{src.id}")

    # Events, accounts, balance.
    event = v1.events.list(params={"type": "charge.succeeded", "limit": 1}).data[0]
    out["event"] = Where(f"/v1/events/{event.id}")
    custom = v1.accounts.create(params={
        "type": "custom", "country": "US", "business_type": "company",
        "company": {"name": "Echo Inc", "tax_id": "000000000", "address": ADDRESS},
        "individual": {"first_name": "Jenny", "last_name": "Rosen"},
        "business_profile": {"mcc": "5734", "url": "https://example.com"},
        "tos_acceptance": {"date": 1700000000, "ip": "203.0.113.7"},
        "settings": {"payments": {"statement_descriptor": "ECHO INC"}}})
    out["account_custom"] = Where(f"/v1/accounts/{custom.id}")
    out["account_standard"] = Where(f"/v1/accounts/{seller}")
    out["balance"] = Where("/v1/balance")
    assert set(out) == set(INSTANCES), set(out) ^ set(INSTANCES)
    return out


def fetch(client: stripe.StripeClient, where: Where, expand: list[str]) -> dict[str, Any]:
    """GET the instance (the first item of a list) with `expand[]`."""
    req = client._requestor
    params: dict[str, Any] = dict(where.params)
    if expand:
        params["expand"] = [f"data.{e}" for e in expand] if where.listed else expand
    opts: Any = {"stripe_account": where.account} if where.account else {}
    body, code, headers = req.request_raw("get", where.path, params=params, options=opts,
                                          base_address="api", api_mode="V1")
    data = req._interpret_response(body, code, headers, "V1").data
    return data["data"][0] if where.listed else data
