"""A small marketplace, made through the official stripe SDK, for the dashboard tests:
a platform customer with a card, two sellers that each clone it (token -> customer),
a direct charge with an application fee, a destination charge with a transfer, and a
partial refund."""
from __future__ import annotations

from dataclasses import dataclass

import stripe


@dataclass
class Marketplace:
    customer: str            # the platform customer
    card: str                # its card (the original)
    sellers: list[str]
    tokens: list[str]        # one clone token per seller
    seller_customers: list[str]
    seller_cards: list[str]  # the card each seller's customer got from its token
    direct_charge: str       # $43.21 on sellers[0], application fee $5.00, partly refunded
    refund: str
    destination_charge: str  # $120.00 on the platform, transferred to sellers[1]


def build(client: stripe.StripeClient) -> Marketplace:
    cus = client.v1.customers.create(params={
        "email": "jenny.rosen@example.com", "name": "Jenny Rosen", "source": "tok_visa"})
    sellers, tokens, customers, cards = [], [], [], []
    for name in ("Bob's Bikes", "Cora's Ceramics"):
        seller = client.v1.accounts.create(params={
            "type": "standard", "email": name.split("'")[0].lower() + "@example.com",
            "business_profile": {"name": name}})
        opts = {"stripe_account": seller.id}
        tok = client.v1.tokens.create(params={"customer": cus.id}, options=opts)
        scus = client.v1.customers.create(params={
            "source": tok.id, "email": "jenny.rosen@example.com"}, options=opts)
        sellers.append(seller.id)
        tokens.append(tok.id)
        customers.append(scus.id)
        cards.append(scus.default_source)
    direct = client.v1.charges.create(params={
        "amount": 4321, "currency": "usd", "customer": customers[0],
        "application_fee_amount": 500, "description": "Blue bike bell"},
        options={"stripe_account": sellers[0]})
    refund = client.v1.refunds.create(params={"charge": direct.id, "amount": 1000},
                                      options={"stripe_account": sellers[0]})
    destination = client.v1.charges.create(params={
        "amount": 12000, "currency": "usd", "customer": cus.id,
        "transfer_data": {"destination": sellers[1]}, "application_fee_amount": 1200,
        "description": "Teapot"})
    return Marketplace(cus.id, cus.default_source, sellers, tokens, customers, cards,
                       direct.id, refund.id, destination.id)
