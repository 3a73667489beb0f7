"""Instances for test_current_api_fields.py, each read back through the SDK: the objects
of expand_world.py (every implemented object in a realistic state) and the states that
world does not reach: a webhook endpoint as created (with its secret), charges that
went through 3-D Secure, were declined or blocked, or were paid with a card, a Source
or a bank account; a refunded authorization; a SetupAttempt with 3-D Secure; and an
event of a connected account."""
from __future__ import annotations

from typing import Any

import stripe

from .expand_world import build
from .intent_support import authenticate
from .payment_support import charge
from .support import verified_bank_customer

RETURN = "https://shop.example/return"


def _get(client: stripe.StripeClient, path: str, account: str | None = None,
         params: dict | None = None) -> Any:
    """GET `path` through the SDK's requestor: the StripeObject the SDK builds."""
    options: Any = {"stripe_account": account} if account else {}
    obj = client._requestor.request("get", path, params=params or {}, options=options,
                                    base_address="api")
    return obj.data[0] if getattr(obj, "object", None) == "list" else obj


def _blocked_charge(client: stripe.StripeClient) -> str:
    try:
        client.v1.charges.create(params={"amount": 2000, "currency": "usd",
                                         "source": "tok_chargeDeclinedFraudulent"})
    except stripe.CardError as err:
        return err.json_body["error"]["charge"]
    raise AssertionError("the fraudulent test card was not blocked")


def instances(client: stripe.StripeClient) -> dict[str, Any]:
    """label -> the SDK object as the SDK reads it."""
    v1 = client.v1
    out = {label: _get(client, w.path, w.account, dict(w.params))
           for label, w in build(client).items()}
    out["webhook_endpoint_created"] = v1.webhook_endpoints.create(params={
        "url": "https://example.com/hook", "enabled_events": ["charge.succeeded"]})
    out["webhook_endpoint"] = v1.webhook_endpoints.retrieve(out["webhook_endpoint_created"].id)

    # 3-D Secure, completed on the sandbox's page.
    pi = charge(client, "pm_card_authenticationRequiredOnSetup", return_url=RETURN)
    assert authenticate(pi).status_code == 303
    out["charge_3ds"] = v1.charges.retrieve(v1.payment_intents.retrieve(pi.id).latest_charge)
    cus = v1.customers.create()
    si = v1.setup_intents.create(params={"customer": cus.id, "confirm": True,
                                         "payment_method": "pm_card_authenticationRequiredOnSetup",
                                         "return_url": RETURN})
    assert authenticate(si).status_code == 303
    out["setup_attempt_3ds"] = v1.setup_attempts.list(params={"setup_intent": si.id}).data[0]

    # Declines: by the issuer (through a PaymentIntent) and blocked before the network.
    declined = v1.payment_intents.create(params={"amount": 2000, "currency": "usd",
                                                 "payment_method_types": ["card"]})
    try:
        v1.payment_intents.confirm(declined.id, params={
            "payment_method": "pm_card_chargeDeclinedInsufficientFunds"})
    except stripe.CardError:
        pass
    declined = v1.payment_intents.retrieve(declined.id)
    out["payment_intent_declined_funds"] = declined
    out["charge_declined"] = v1.charges.retrieve(declined.latest_charge)
    out["charge_blocked"] = v1.charges.retrieve(_blocked_charge(client))

    # Legacy charges: a card token, a Source, a verified bank account.
    out["charge_card"] = v1.charges.create(params={"amount": 1500, "currency": "usd",
                                                   "source": "tok_amex"})
    src = v1.sources.create(params={"type": "card", "token": "tok_visa"})
    out["charge_source"] = v1.charges.create(params={"amount": 1500, "currency": "usd",
                                                     "source": src.id})
    bank_cus, _ = verified_bank_customer(client)
    out["charge_bank"] = v1.charges.create(params={"amount": 1500, "currency": "usd",
                                                   "customer": bank_cus.id})

    # An authorization released by a refund; a PaymentMethod of another brand.
    held = v1.charges.create(params={"amount": 1500, "currency": "usd", "source": "tok_visa",
                                     "capture": False})
    out["refund_reversal"] = v1.refunds.create(params={"charge": held.id})
    out["payment_method_amex"] = v1.payment_methods.create(params={
        "type": "card", "card": {"token": "tok_amex"}})

    out["token_account"] = v1.tokens.create(params={"account": {
        "business_type": "individual", "tos_shown_and_accepted": True}})

    # An event of a connected account (carries `account`).
    seller = v1.accounts.create(params={"type": "standard"}).id
    v1.customers.create(options={"stripe_account": seller})
    out["event_connected"] = v1.events.list(params={"limit": 1},
                                            options={"stripe_account": seller}).data[0]
    return out
