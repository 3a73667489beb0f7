"""Shared steps of the PaymentMethod / PaymentIntent tests."""
from __future__ import annotations

import stripe

USED = ("The provided PaymentMethod was previously used with a PaymentIntent without "
        "Customer attachment")


def platform_customer_with_pm(client: stripe.StripeClient, shorthand: str = "pm_card_visa"):
    """A platform customer with a saved (attached) card PaymentMethod."""
    pm = client.v1.payment_methods.create(params={
        "type": "card", "card": {"token": shorthand.replace("pm_card_", "tok_")},
        "billing_details": {"name": "Jenny Rosen"}})
    cus = client.v1.customers.create(params={"payment_method": pm.id, "name": "Jenny Rosen"})
    return cus, client.v1.payment_methods.retrieve(pm.id)


def charge(client: stripe.StripeClient, payment_method: str, *, amount: int = 2000,
           options: dict | None = None, **params) -> stripe.PaymentIntent:
    """Create and confirm a PaymentIntent for `payment_method`."""
    return client.v1.payment_intents.create(params={
        "amount": amount, "currency": "usd", "payment_method": payment_method,
        "confirm": True, **params}, options=options or {})
