"""The legacy "clone customer payment information" flow against connect-sandbox.
Run the server (`connect-sandbox serve`), then: python examples/clone_flow.py"""
import os

import stripe

client = stripe.StripeClient(
    "sk_test_my_platform",  # any test key: each distinct key is its own platform
    base_addresses={"api": os.environ.get("SANDBOX_URL", "http://127.0.0.1:12111")})

# 1. Store the customer once, on the platform.
customer = client.v1.customers.create(params={"email": "jenny@example.com", "source": "tok_visa"})
# 2. A seller (connected account).
seller = client.v1.accounts.create(params={"type": "standard"})
as_seller = {"stripe_account": seller.id}
# 3. Clone the customer's default card into the seller's account as a token.
token = client.v1.tokens.create(params={"customer": customer.id}, options=as_seller)
# 4. Attach it to a customer on the seller's account, and charge it there.
seller_customer = client.v1.customers.create(params={"source": token.id}, options=as_seller)
charge = client.v1.charges.create(params={
    "amount": 2000, "currency": "usd", "customer": seller_customer.id,
    "source": seller_customer.default_source}, options=as_seller)
print(charge.id, charge.status, charge.source.fingerprint == token.card.fingerprint)
