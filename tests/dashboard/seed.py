"""A small marketplace, made through the official stripe SDK, for the dashboard tests:
a platform customer with a card, two sellers that each clone it (token -> customer),
a direct charge with an application fee, a destination charge with a transfer, and a
partial refund; and (build_payouts) a seller with external accounts and payouts, one
paid and one failed, and a payout of the platform itself."""
from __future__ import annotations

import time
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


BANK = {"object": "bank_account", "country": "US", "currency": "usd",
        "routing_number": "110000000", "account_number": "000123456789",
        "account_holder_name": "Dora Baker", "account_holder_type": "individual"}
FAILING_NUMBER = "000111111116"   # Stripe's test account number for `no_account`


@dataclass
class Payouts:
    seller: str              # a custom account, "Dora's Donuts", with $100.00 available
    bank: str                # its default bank account for USD (•••• 6789)
    failing_bank: str        # a second bank account (•••• 1116) whose payouts fail
    debit_card: str          # a debit card (Visa •••• 5556)
    paid: str                # $10.00 to `bank`, paid
    failed: str              # $20.00 to `failing_bank`, failed with no_account
    platform: str            # the platform's own account
    platform_bank: str       # the platform's bank account
    platform_payout: str     # the platform's own payout, $7.00, paid


def settled(client: stripe.StripeClient, payout_id: str, account: str | None,
            timeout: float = 10.0) -> stripe.Payout:
    """Wait until the payout is no longer pending (it settles by itself 0.2 s after it
    was created on the test server)."""
    deadline = time.monotonic() + timeout
    opts = {"stripe_account": account} if account else {}
    while True:
        po = client.v1.payouts.retrieve(payout_id, options=opts)
        if po.status != "pending":
            return po
        if time.monotonic() > deadline:
            raise AssertionError(f"{payout_id} still pending after {timeout} s")
        time.sleep(0.05)


def fund(client: stripe.StripeClient, account: str | None, amount: int = 10000) -> None:
    """Available funds: a charge with tok_bypassPending."""
    client.v1.charges.create(params={"amount": amount, "currency": "usd",
                                     "source": "tok_bypassPending"},
                             options={"stripe_account": account} if account else {})


def build_payouts(client: stripe.StripeClient) -> Payouts:
    seller = client.v1.accounts.create(params={
        "type": "custom", "country": "US", "business_profile": {"name": "Dora's Donuts"},
        "capabilities": {"card_payments": {"requested": True},
                         "transfers": {"requested": True}}}).id
    externals = client.v1.accounts.external_accounts
    bank = externals.create(seller, params={"external_account": BANK}).id
    failing = externals.create(seller, params={"external_account": {
        **BANK, "account_number": FAILING_NUMBER}}).id
    card = externals.create(seller, params={"external_account": "tok_visa_debit"}).id
    fund(client, seller)
    opts = {"stripe_account": seller}
    paid = client.v1.payouts.create(params={"amount": 1000, "currency": "usd"},
                                    options=opts).id
    failed = client.v1.payouts.create(params={"amount": 2000, "currency": "usd",
                                              "destination": failing,
                                              "description": "Weekly takings"},
                                      options=opts).id
    platform = client.v1.accounts.retrieve_current().id
    platform_bank = externals.create(platform, params={"external_account": BANK}).id
    fund(client, None)
    platform_payout = client.v1.payouts.create(params={"amount": 700, "currency": "usd"}).id
    for po, account in ((paid, seller), (failed, seller), (platform_payout, None)):
        settled(client, po, account)
    return Payouts(seller, bank, failing, card, paid, failed, platform, platform_bank,
                   platform_payout)
