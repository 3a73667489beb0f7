"""Stripe's Connect guides followed step by step, as a platform engineer new to the
sandbox would, with both interfaces of stripe-python (StripeClient and the global
`stripe.api_key` style). Each test names the guide and the section it mirrors:

- "Clone customer payment information across connected accounts" (legacy),
  docs.stripe.com/connect/cloning-customers-across-accounts
- "Share payment methods across multiple accounts for direct charges",
  docs.stripe.com/connect/direct-charges-multiple-accounts
- "Create direct charges", docs.stripe.com/connect/direct-charges
- "Create destination charges", docs.stripe.com/connect/destination-charges

Where a guide confirms on the client (Stripe.js), the test confirms on the server with
a test PaymentMethod and the `return_url` the client would pass."""
from __future__ import annotations

import stripe

from .money_support import balance, stripe_fee, txns
from .payment_support import USED
from .support import BANK, as_, stripe_error

RETURN_URL = "https://example.com/order/123/complete"


# --- Legacy guide: Clone customer payment information across connected accounts ------

def test_legacy_guide_storing_customers_creating_tokens_creating_charges(legacy, seller):
    """All three steps, with the global interface the guide's Python snippets use."""
    # Storing customers: on the platform, with the platform's own key.
    customer = legacy.Customer.create(email="paying.user@example.com", source="tok_mastercard")
    assert customer.default_source.startswith("card_")
    platform_card = legacy.Customer.retrieve_source(customer.id, customer.default_source)
    # Creating tokens: the customer's default card, cloned into the connected account.
    token = legacy.Token.create(customer=customer.id, stripe_account=seller)
    assert token.object == "token" and token.type == "card" and token.used is False
    assert token.livemode is False and token.client_ip
    assert token.card.id.startswith("card_") and token.card.id != platform_card.id
    assert (token.card.brand, token.card.last4, token.card.fingerprint) == \
        ("MasterCard", "4444", platform_card.fingerprint)
    # Creating charges: attach the token to a customer on the connected account ...
    seller_customer = legacy.Customer.create(email="paying.user@example.com",
                                             source=token.id, stripe_account=seller)
    assert seller_customer.default_source == token.card.id
    # ... and charge that customer and its card (card_...) there.
    charge = legacy.Charge.create(amount=1000, currency="usd", customer=seller_customer.id,
                                  source=seller_customer.default_source, stripe_account=seller)
    assert charge.status == "succeeded" and charge.paid and charge.captured
    assert (charge.customer, charge.source.id) == (seller_customer.id, token.card.id)
    assert charge.payment_method == token.card.id
    assert charge.payment_method_details.card.fingerprint == platform_card.fingerprint
    # The same customer and card_ id also pay a PaymentIntent (`payment_method`).
    intent = legacy.PaymentIntent.create(amount=1000, currency="usd",
                                         customer=seller_customer.id,
                                         payment_method=seller_customer.default_source,
                                         confirm=True, return_url=RETURN_URL,
                                         application_fee_amount=123, stripe_account=seller)
    assert intent.status == "succeeded" and intent.payment_method == token.card.id
    # "Charges that are made on the cloned customer aren't reflected on the original."
    assert legacy.Charge.list(customer=customer.id).data == []
    assert [c.id for c in legacy.Charge.list(stripe_account=seller).data] == \
        [intent.latest_charge, charge.id]
    # The token was used by the customer creation: a token is single use.
    with stripe_error(stripe.InvalidRequestError, status=400, code="token_already_used"):
        legacy.Charge.create(amount=1000, currency="usd", source=token.id,
                             stripe_account=seller)
    # A fresh token can also be the one-time source of a charge.
    one_time = legacy.Token.create(customer=customer.id, stripe_account=seller)
    charge = legacy.Charge.create(amount=500, currency="usd", source=one_time.id,
                                  stripe_account=seller)
    assert charge.status == "succeeded" and charge.customer is None
    assert charge.source.fingerprint == platform_card.fingerprint


def test_legacy_guide_tokens_for_a_specific_card_or_bank_account(client, seller):
    """Creating tokens: "the card or bank account ID for that customer, if you want to
    charge a specific card or bank account rather than the default"."""
    customer = client.v1.customers.create(params={"email": "paying.user@example.com",
                                                  "source": "tok_visa"})
    amex = client.v1.customers.payment_sources.create(customer.id,
                                                      params={"source": "tok_amex"})
    btok = client.v1.tokens.create(params={"bank_account": dict(BANK)})
    bank = client.v1.customers.payment_sources.create(customer.id, params={"source": btok.id})
    client.v1.customers.payment_sources.verify(customer.id, bank.id,
                                               params={"amounts": [32, 45]})
    # card=card_... clones that card, not the default one
    token = client.v1.tokens.create(params={"customer": customer.id, "card": amex.id},
                                    options=as_(seller))
    assert token.type == "card" and token.card.brand == "American Express"
    assert token.card.fingerprint == amex.fingerprint
    seller_customer = client.v1.customers.create(params={"source": token.id},
                                                 options=as_(seller))
    charge = client.v1.charges.create(params={
        "amount": 1000, "currency": "usd", "customer": seller_customer.id,
        "source": seller_customer.default_source}, options=as_(seller))
    assert charge.status == "succeeded" and charge.source.last4 == amex.last4
    # bank_account=ba_... clones the bank account (a btok_ token)
    token = client.v1.tokens.create(params={"customer": customer.id, "bank_account": bank.id},
                                    options=as_(seller))
    assert token.id.startswith("btok_") and token.type == "bank_account"
    assert token.bank_account.id.startswith("ba_") and token.bank_account.id != bank.id
    assert (token.bank_account.last4, token.bank_account.routing_number,
            token.bank_account.fingerprint) == ("6789", "110000000", bank.fingerprint)
    seller_customer = client.v1.customers.create(params={"source": token.id},
                                                 options=as_(seller))
    charge = client.v1.charges.create(params={
        "amount": 1000, "currency": "usd", "customer": seller_customer.id,
        "source": seller_customer.default_source}, options=as_(seller))
    assert charge.status == "pending" and charge.payment_method_details.type == "ach_debit"
    assert charge.source.id == token.bank_account.id


def test_legacy_guide_what_cannot_be_cloned_with_a_token(client, seller):
    """The requests the legacy guide rules out answer Stripe's errors."""
    customer = client.v1.customers.create(params={"source": "tok_visa"})
    # `customer` on a token only makes sense for a connected account
    with stripe_error(stripe.InvalidRequestError, status=400, param="customer"):
        client.v1.tokens.create(params={"customer": customer.id})
    # a card or bank account that is not the customer's
    other = client.v1.customers.create(params={"source": "tok_mastercard"})
    for param, value in (("card", other.default_source), ("bank_account", "ba_nope")):
        with stripe_error(stripe.InvalidRequestError, status=404, param=param,
                          message=f"Customer {customer.id} does not have a linked source "
                                  f"with ID {value}."):
            client.v1.tokens.create(params={"customer": customer.id, param: value},
                                    options=as_(seller))
    # a customer without saved card or bank account: nothing to clone
    with stripe_error(stripe.InvalidRequestError, status=400, param="customer"):
        client.v1.tokens.create(params={"customer": client.v1.customers.create().id},
                                options=as_(seller))
    # "If your platform uses the Sources API, you must create a Source ... rather than
    # creating a token": a default source that is a Source cannot become a token
    src = client.v1.sources.create(params={"type": "card", "token": "tok_visa"})
    with_source = client.v1.customers.create(params={"source": src.id})
    with stripe_error(stripe.InvalidRequestError, status=400,
                      message="cannot be shared from existing customers"):
        client.v1.tokens.create(params={"customer": with_source.id}, options=as_(seller))
    # a platform customer unknown to this platform
    with stripe_error(stripe.InvalidRequestError, status=404, code="resource_missing",
                      param="customer"):
        client.v1.tokens.create(params={"customer": "cus_nope"}, options=as_(seller))


def test_legacy_guide_sources_note_clone_a_source_then_create_charges(legacy, seller):
    """Creating tokens, caution: with the Sources API, create a Source from the customer
    and "proceed to Creating charges without creating a token"."""
    customer = legacy.Customer.create(email="paying.user@example.com", source="tok_visa")
    single = legacy.Source.create(customer=customer.id, original_source=customer.default_source,
                                  usage="single_use", stripe_account=seller)
    assert single.id.startswith("src_") and single.type == "card"
    assert (single.status, single.usage) == ("chargeable", "single_use")
    charge = legacy.Charge.create(amount=1000, currency="usd", source=single.id,
                                  stripe_account=seller)
    assert charge.status == "succeeded" and charge.source.id == single.id
    with stripe_error(stripe.InvalidRequestError, status=400, code="source_unavailable"):
        legacy.Charge.create(amount=1000, currency="usd", source=single.id,
                             stripe_account=seller)
    # a reusable clone attached to a customer on the connected account
    reusable = legacy.Source.create(customer=customer.id,
                                    original_source=customer.default_source,
                                    usage="reusable", stripe_account=seller)
    seller_customer = legacy.Customer.create(source=reusable.id, stripe_account=seller)
    assert seller_customer.default_source == reusable.id
    for _ in range(2):
        charge = legacy.Charge.create(amount=1000, currency="usd", customer=seller_customer.id,
                                      source=reusable.id, stripe_account=seller)
        assert charge.status == "succeeded"


def test_legacy_guide_payment_methods_note(legacy, seller):
    """Creating charges, caution: with the Payment Methods API, clone a PaymentMethod and
    pass its id as `payment_method` (a PaymentIntent) instead of `source`. Passing a
    PaymentMethod where a legacy source is expected is refused as by Stripe."""
    customer = legacy.Customer.create(email="paying.user@example.com",
                                      payment_method="pm_card_visa")
    pm = legacy.Customer.list_payment_methods(customer.id).data[0]
    clone = legacy.PaymentMethod.create(customer=customer.id, payment_method=pm.id,
                                        stripe_account=seller)
    # the token flow has nothing to clone: the customer has no legacy source
    with stripe_error(stripe.InvalidRequestError, status=400, param="customer"):
        legacy.Token.create(customer=customer.id, stripe_account=seller)
    # a PaymentMethod is not a source for the Charges API ...
    for extra in ({}, {"customer": legacy.Customer.create(stripe_account=seller).id}):
        with stripe_error(stripe.InvalidRequestError, status=400, param="source",
                          message="You cannot create a charge with a PaymentMethod. "
                                  "Use the Payment Intents API instead."):
            legacy.Charge.create(amount=1000, currency="usd", source=clone.id,
                                 stripe_account=seller, **extra)
    # ... nor for a customer
    with stripe_error(stripe.InvalidRequestError, status=400, param="source",
                      message="You cannot use a PaymentMethod as a source for Customers."):
        legacy.Customer.create(source=clone.id, stripe_account=seller)
    seller_customer = legacy.Customer.create(stripe_account=seller)
    with stripe_error(stripe.InvalidRequestError, status=400, param="source",
                      message="use the PaymentMethods API to Attach a Customer"):
        legacy.Customer.create_source(seller_customer.id, source=clone.id,
                                      stripe_account=seller)
    with stripe_error(stripe.InvalidRequestError, status=400, param="source",
                      message="You cannot use a PaymentMethod as a source for Customers."):
        legacy.Customer.create(source="pm_card_visa")
    # the refusals used nothing up: the clone pays as `payment_method`
    intent = legacy.PaymentIntent.create(amount=1000, currency="usd", payment_method=clone.id,
                                         confirm=True, return_url=RETURN_URL,
                                         stripe_account=seller)
    assert intent.status == "succeeded"
    assert legacy.Charge.retrieve(intent.latest_charge, stripe_account=seller) \
        .payment_method_details.card.fingerprint == pm.card.fingerprint


# --- Share payment methods across multiple accounts for direct charges -----------------

def test_share_guide_setup_intent_clone_and_direct_charge(client, seller):
    """Save payment details on your platform (customer, SetupIntent, confirm), then
    Clone and create direct charges (clone, optional connected customer, PaymentIntent
    with an application fee), and the money on both balances."""
    platform_before = balance(client)
    # Create a customer on your platform
    # (the guide's snippets pass params and request options positionally)
    customer = client.v1.customers.create({"name": "Jenny Rosen"})
    # Create a SetupIntent on your platform
    setup = client.v1.setup_intents.create({"customer": customer.id})
    assert (setup.status, setup.usage, setup.customer) == \
        ("requires_payment_method", "off_session", customer.id)
    assert setup.client_secret.startswith(setup.id + "_secret_")
    # Confirm the SetupIntent (on the client in the guide)
    setup = client.v1.setup_intents.confirm(
        setup.id, params={"payment_method": "pm_card_visa", "return_url": RETURN_URL})
    assert setup.status == "succeeded" and setup.payment_method.startswith("pm_")
    saved = client.v1.payment_methods.retrieve(setup.payment_method)
    assert saved.customer == customer.id and saved.card.last4 == "4242"
    # Clone the payment method to the connected account
    clone = client.v1.payment_methods.create(
        {"customer": customer.id, "payment_method": saved.id}, {"stripe_account": seller})
    assert clone.id.startswith("pm_") and clone.id != saved.id
    assert clone.object == "payment_method" and clone.type == "card"
    assert clone.customer is None and clone.metadata.to_dict() == {}
    assert (clone.card.brand, clone.card.last4, clone.card.exp_month, clone.card.exp_year,
            clone.card.fingerprint) == (saved.card.brand, saved.card.last4,
                                        saved.card.exp_month, saved.card.exp_year,
                                        saved.card.fingerprint)
    with stripe_error(stripe.InvalidRequestError, status=404, code="resource_missing"):
        client.v1.payment_methods.retrieve(clone.id)  # it lives on the connected account
    # Create a customer on the connected account (optional), with the clone attached
    seller_customer = client.v1.customers.create(
        {"email": "jenny.rosen@example.com", "payment_method": clone.id},
        {"stripe_account": seller})
    assert client.v1.payment_methods.retrieve(clone.id, options=as_(seller)).customer == \
        seller_customer.id
    listed = client.v1.customers.payment_methods.list(seller_customer.id, options=as_(seller))
    assert [p.id for p in listed.data] == [clone.id]
    # Create a PaymentIntent on the connected account: a direct charge with a fee
    intent = client.v1.payment_intents.create({
        "amount": 1000, "currency": "usd", "automatic_payment_methods": {"enabled": True},
        "customer": seller_customer.id, "payment_method": clone.id,
        "return_url": RETURN_URL, "confirm": True, "application_fee_amount": 123},
        {"stripe_account": seller})
    assert intent.status == "succeeded" and intent.amount_received == 1000
    assert (intent.customer, intent.payment_method, intent.application_fee_amount) == \
        (seller_customer.id, clone.id, 123)
    assert intent.application.startswith("ca_")
    charge = client.v1.charges.retrieve(intent.latest_charge, options=as_(seller))
    assert (charge.payment_intent, charge.payment_method, charge.customer) == \
        (intent.id, clone.id, seller_customer.id)
    assert charge.application_fee_amount == 123 and charge.application == intent.application
    assert charge.payment_method_details.card.fingerprint == saved.card.fingerprint
    # The application fee is the platform's, and names the connected account's charge
    fee = client.v1.application_fees.retrieve(charge.application_fee)
    assert (fee.amount, fee.account, fee.charge, fee.currency, fee.amount_refunded) == \
        (123, seller, charge.id, "usd", 0)
    assert fee.application == intent.application and fee.originating_transaction is None
    assert [f.id for f in client.v1.application_fees.list(
        params={"charge": charge.id}).data] == [fee.id]
    # Money: the connected account pays Stripe's fee and the application fee ...
    seller_txn = client.v1.balance_transactions.retrieve(charge.balance_transaction,
                                                         options=as_(seller))
    assert (seller_txn.type, seller_txn.amount, seller_txn.source) == ("charge", 1000, charge.id)
    assert {d.type: d.amount for d in seller_txn.fee_details} == \
        {"stripe_fee": stripe_fee(1000), "application_fee": 123}
    assert seller_txn.net == 1000 - stripe_fee(1000) - 123 == 818
    assert balance(client, seller) == (0, 818)
    # ... and the platform receives the fee
    platform_txn = client.v1.balance_transactions.retrieve(fee.balance_transaction)
    assert (platform_txn.type, platform_txn.amount, platform_txn.net, platform_txn.source) == \
        ("application_fee", 123, 123, fee.id)
    assert [t.id for t in txns(client)] == [platform_txn.id]
    assert balance(client) == (platform_before[0], platform_before[1] + 123)
    # The platform customer has nothing on the platform: no charge there
    assert client.v1.charges.list().data == []


def test_share_guide_confirm_the_setup_intent_as_the_client_does(client, publishable, seller):
    """Confirm the SetupIntent: the front end confirms with the publishable key and the
    client secret, the card given inline (payment_method_data), as Stripe.js sends it."""
    customer = client.v1.customers.create({"name": "Jenny Rosen"})
    setup = client.v1.setup_intents.create({"customer": customer.id})
    setup = publishable.v1.setup_intents.confirm(setup.id, {
        "client_secret": setup.client_secret, "return_url": RETURN_URL,
        "payment_method_data": {"type": "card", "card": {"token": "tok_visa"},
                                "billing_details": {"name": "Jenny Rosen"}}})
    assert setup.status == "succeeded"
    saved = client.v1.payment_methods.retrieve(setup.payment_method)
    assert (saved.customer, saved.type, saved.card.last4, saved.billing_details.name) == \
        (customer.id, "card", "4242", "Jenny Rosen")
    clone = client.v1.payment_methods.create(
        {"customer": customer.id, "payment_method": saved.id}, {"stripe_account": seller})
    assert clone.billing_details.name == "Jenny Rosen"
    assert clone.card.fingerprint == saved.card.fingerprint


def test_share_guide_clone_for_each_connected_account(client):
    """"You only need to set up each payment method once": one saved card, a direct
    charge on two connected accounts, each from its own clone; an unattached clone
    pays once."""
    customer = client.v1.customers.create(params={"name": "Jenny Rosen"})
    setup = client.v1.setup_intents.create(params={
        "customer": customer.id, "payment_method": "pm_card_visa", "confirm": True,
        "return_url": RETURN_URL})
    sellers = [client.v1.accounts.create(params={"type": "standard"}).id for _ in range(2)]
    for seller in sellers:
        clone = client.v1.payment_methods.create(
            params={"customer": customer.id, "payment_method": setup.payment_method},
            options=as_(seller))
        params = {"amount": 2000, "currency": "usd", "payment_method": clone.id,
                  "confirm": True, "off_session": True, "application_fee_amount": 200}
        intent = client.v1.payment_intents.create(params=params, options=as_(seller))
        assert intent.status == "succeeded"
        with stripe_error(stripe.InvalidRequestError, status=400, param="payment_method",
                          message=USED):
            client.v1.payment_intents.create(params=params, options=as_(seller))
        assert balance(client, seller) == (0, 2000 - stripe_fee(2000) - 200)
    assert balance(client)[1] == 400
    fees = client.v1.application_fees.list().data
    assert sorted(f.account for f in fees) == sorted(sellers)


def test_share_guide_note_payment_intent_with_setup_future_usage_on_platform(legacy, seller):
    """Note: "instead of creating a SetupIntent, create a PaymentIntent with
    setup_future_usage. The funds ... go directly to your platform's balance." Global
    interface."""
    customer = legacy.Customer.create(name="Jenny Rosen")
    intent = legacy.PaymentIntent.create(amount=2000, currency="usd", customer=customer.id,
                                         setup_future_usage="off_session",
                                         payment_method="pm_card_visa", confirm=True,
                                         return_url=RETURN_URL)
    assert intent.status == "succeeded" and intent.setup_future_usage == "off_session"
    assert intent.application is None and intent.application_fee_amount is None
    saved = legacy.PaymentMethod.retrieve(intent.payment_method)
    assert saved.customer == customer.id
    platform = legacy.Balance.retrieve()
    assert [(b.currency, b.amount) for b in platform.pending] == \
        [("usd", 2000 - stripe_fee(2000))]
    clone = legacy.PaymentMethod.create(customer=customer.id, payment_method=saved.id,
                                        stripe_account=seller)
    seller_customer = legacy.Customer.create(email="jenny.rosen@example.com",
                                             stripe_account=seller)
    legacy.PaymentMethod.attach(clone.id, customer=seller_customer.id, stripe_account=seller)
    for _ in range(2):  # attached to a connected customer, the clone is reusable
        direct = legacy.PaymentIntent.create(amount=1000, currency="usd",
                                             customer=seller_customer.id,
                                             payment_method=clone.id, off_session=True,
                                             confirm=True, application_fee_amount=123,
                                             stripe_account=seller)
        assert direct.status == "succeeded"
    seller_balance = legacy.Balance.retrieve(stripe_account=seller)
    assert [(b.currency, b.amount) for b in seller_balance.pending] == [("usd", 2 * 818)]
    platform = legacy.Balance.retrieve()
    assert [b.amount for b in platform.pending] == [2000 - stripe_fee(2000) + 2 * 123]
    fees = legacy.ApplicationFee.list()
    assert [(f.amount, f.account) for f in fees.data] == [(123, seller)] * 2


def test_share_guide_setup_intent_on_behalf_of_the_connected_account(client, seller):
    """Create a SetupIntent on your platform: "you might need to use on_behalf_of to
    specify a connected account in that country"."""
    customer = client.v1.customers.create(params={"name": "Jenny Rosen"})
    setup = client.v1.setup_intents.create(params={"customer": customer.id,
                                                   "on_behalf_of": seller})
    assert setup.on_behalf_of == seller
    setup = client.v1.setup_intents.confirm(
        setup.id, params={"payment_method": "pm_card_visa", "return_url": RETURN_URL})
    assert setup.status == "succeeded" and setup.on_behalf_of == seller
    clone = client.v1.payment_methods.create(
        params={"customer": customer.id, "payment_method": setup.payment_method},
        options=as_(seller))
    intent = client.v1.payment_intents.create(params={
        "amount": 1000, "currency": "usd", "payment_method": clone.id, "confirm": True,
        "off_session": True, "application_fee_amount": 123}, options=as_(seller))
    assert intent.status == "succeeded"


# --- Create direct charges -----------------------------------------------------------

def test_direct_charges_guide_create_a_payment_intent_and_collect_fees(legacy, seller):
    """Create a PaymentIntent with the Stripe-Account header and application_fee_amount,
    confirm it (client side in the guide), then Issue refunds: a refund leaves the
    application fee with the platform unless refund_application_fee is set."""
    intent = legacy.PaymentIntent.create(amount=1000, currency="usd",
                                         automatic_payment_methods={"enabled": True},
                                         application_fee_amount=123, stripe_account=seller)
    assert intent.status == "requires_payment_method" and intent.client_secret
    assert intent.automatic_payment_methods.enabled is True
    with stripe_error(stripe.InvalidRequestError, status=404, code="resource_missing"):
        legacy.PaymentIntent.retrieve(intent.id)  # it is the connected account's
    intent = legacy.PaymentIntent.confirm(intent.id, payment_method="pm_card_visa",
                                          return_url=RETURN_URL, stripe_account=seller)
    assert intent.status == "succeeded"
    charge = legacy.Charge.retrieve(intent.latest_charge, stripe_account=seller)
    assert charge.application_fee_amount == 123 and charge.transfer_data is None
    assert balance_pending(legacy, seller) == 1000 - stripe_fee(1000) - 123
    assert balance_pending(legacy) == 123
    # Issue refunds: the application fee stays with the platform by default
    refund = legacy.Refund.create(payment_intent=intent.id, stripe_account=seller)
    assert refund.status == "succeeded" and refund.amount == 1000
    fee = legacy.ApplicationFee.retrieve(charge.application_fee)
    assert (fee.amount_refunded, fee.refunded) == (0, False)
    # with refund_application_fee the platform gives the fee back
    intent = legacy.PaymentIntent.create(amount=1000, currency="usd",
                                         application_fee_amount=123,
                                         payment_method="pm_card_visa", confirm=True,
                                         return_url=RETURN_URL, stripe_account=seller)
    legacy.Refund.create(payment_intent=intent.id, refund_application_fee=True,
                         stripe_account=seller)
    charge = legacy.Charge.retrieve(intent.latest_charge, stripe_account=seller)
    fee = legacy.ApplicationFee.retrieve(charge.application_fee)
    assert (fee.amount_refunded, fee.refunded) == (123, True)
    assert [r.amount for r in fee.refunds.data] == [123]
    # every account still equals the sum of its balance transactions
    for account in (None, seller):
        total = sum(t.net for t in legacy.BalanceTransaction.list(
            limit=100, **({"stripe_account": account} if account else {})).data)
        bal = legacy.Balance.retrieve(**({"stripe_account": account} if account else {}))
        assert total == sum(b.amount for b in bal.available + bal.pending)


def test_direct_charges_guide_client_confirms_with_the_connected_account(client, publishable,
                                                                        seller):
    """Collect payment details: the client initialises Stripe.js with the connected
    account (Stripe-Account) and confirms the PaymentIntent with the publishable key and
    its client secret; the card is given inline."""
    intent = client.v1.payment_intents.create({
        "amount": 1000, "currency": "usd", "automatic_payment_methods": {"enabled": True},
        "application_fee_amount": 123}, {"stripe_account": seller})
    as_seller = {"stripe_account": seller}
    intent = publishable.v1.payment_intents.confirm(intent.id, {
        "client_secret": intent.client_secret, "return_url": RETURN_URL,
        "payment_method_data": {"type": "card", "card": {"token": "tok_visa"}}}, as_seller)
    assert intent.status == "succeeded" and intent.payment_method.startswith("pm_")
    seen = publishable.v1.payment_intents.retrieve(
        intent.id, {"client_secret": intent.client_secret}, as_seller)
    assert seen.status == "succeeded"
    charge = client.v1.charges.retrieve(intent.latest_charge, options=as_seller)
    assert charge.application_fee_amount == 123
    assert client.v1.payment_methods.retrieve(intent.payment_method,
                                              options=as_seller).card.last4 == "4242"
    # a server can describe the card inline too, and a declining one declines
    intent = client.v1.payment_intents.create({
        "amount": 1000, "currency": "usd", "confirm": True, "return_url": RETURN_URL,
        "payment_method_data": {"type": "card", "card": {"token": "tok_mastercard"}},
        "application_fee_amount": 123}, as_seller)
    assert intent.status == "succeeded"
    with stripe_error(stripe.CardError, status=402, code="card_declined"):
        client.v1.payment_intents.create({
            "amount": 1000, "currency": "usd", "confirm": True, "return_url": RETURN_URL,
            "payment_method_data": {"type": "card", "card": {"token": "tok_chargeDeclined"}},
        }, as_seller)
    # errors name the nested parameter
    with stripe_error(stripe.InvalidRequestError, status=404, code="resource_missing",
                      param="payment_method_data[card][token]"):
        client.v1.payment_intents.create({
            "amount": 1000, "currency": "usd",
            "payment_method_data": {"type": "card", "card": {"token": "tok_nope"}}},
            as_seller)
    with stripe_error(stripe.InvalidRequestError, status=400, code="parameter_missing",
                      param="payment_method_data[card]"):
        client.v1.payment_intents.create({
            "amount": 1000, "currency": "usd", "payment_method_data": {"type": "card"}},
            as_seller)
    assert balance(client, seller) == (0, 2 * 818)


def balance_pending(legacy, account: str | None = None) -> int:
    bal = legacy.Balance.retrieve(**({"stripe_account": account} if account else {}))
    return sum(b.amount for b in bal.pending if b.currency == "usd")


# --- Create destination charges ------------------------------------------------------

def test_destination_charges_guide_application_fee(client, seller):
    """Create a PaymentIntent with transfer_data[destination] and application_fee_amount
    (Collect fees): the whole amount is transferred, then the fee comes back to the
    platform; the platform pays Stripe's fee."""
    intent = client.v1.payment_intents.create(params={
        "amount": 1000, "currency": "usd", "automatic_payment_methods": {"enabled": True},
        "application_fee_amount": 123, "transfer_data": {"destination": seller}})
    assert intent.transfer_data.destination == seller and intent.transfer_group is None
    intent = client.v1.payment_intents.confirm(
        intent.id, params={"payment_method": "pm_card_visa", "return_url": RETURN_URL})
    assert intent.status == "succeeded" and intent.transfer_group == f"group_{intent.id}"
    charge = client.v1.charges.retrieve(intent.latest_charge,
                                        params={"expand": ["transfer"]})
    assert charge.transfer_data.destination == seller
    transfer = charge.transfer
    assert (transfer.amount, transfer.destination, transfer.source_transaction) == \
        (1000, seller, charge.id)
    payment = client.v1.charges.retrieve(transfer.destination_payment, options=as_(seller))
    assert payment.id.startswith("py_") and payment.amount == 1000
    assert (payment.source_transfer, payment.application_fee) == (transfer.id,
                                                                  charge.application_fee)
    received = client.v1.balance_transactions.retrieve(payment.balance_transaction,
                                                       options=as_(seller))
    assert (received.type, received.amount, received.fee, received.net) == \
        ("payment", 1000, 123, 877)
    fee = client.v1.application_fees.retrieve(charge.application_fee)
    assert (fee.amount, fee.account, fee.charge, fee.originating_transaction) == \
        (123, seller, payment.id, charge.id)
    assert balance(client, seller) == (0, 1000 - 123)
    assert balance(client) == (0, 1000 - stripe_fee(1000) - 1000 + 123)
    # Issue refunds: reverse the transfer and give the fee back
    refund = client.v1.refunds.create(params={"payment_intent": intent.id,
                                              "reverse_transfer": True,
                                              "refund_application_fee": True})
    assert refund.transfer_reversal.startswith("trr_")
    assert sum(balance(client, seller)) == 0
    assert sum(balance(client)) == -stripe_fee(1000)


def test_destination_charges_guide_transfer_amount_and_on_behalf_of(legacy, seller):
    """Collect fees with transfer_data[amount], and the settlement merchant
    (on_behalf_of), with the global interface."""
    intent = legacy.PaymentIntent.create(amount=1000, currency="usd",
                                         automatic_payment_methods={"enabled": True},
                                         transfer_data={"destination": seller, "amount": 877},
                                         payment_method="pm_card_visa", confirm=True,
                                         return_url=RETURN_URL)
    assert intent.status == "succeeded" and intent.transfer_data.amount == 877
    transfer = legacy.Transfer.list(destination=seller).data[0]
    assert transfer.amount == 877
    assert balance_pending(legacy, seller) == 877
    assert balance_pending(legacy) == 1000 - stripe_fee(1000) - 877
    intent = legacy.PaymentIntent.create(amount=1000, currency="usd",
                                         application_fee_amount=123, on_behalf_of=seller,
                                         transfer_data={"destination": seller},
                                         payment_method="pm_card_visa", confirm=True,
                                         return_url=RETURN_URL)
    assert intent.on_behalf_of == seller
    charge = legacy.Charge.retrieve(intent.latest_charge)
    assert charge.on_behalf_of == seller and charge.transfer_data.destination == seller
    assert balance_pending(legacy, seller) == 877 + 877
