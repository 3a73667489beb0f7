"""Events of the main Connect flows, account by account, as Stripe sends them: which
types, in which order, with which `data.object`, `data.previous_attributes` (only what
changed; a hash only its changed keys, an added key as null), `account` and `request`;
no `*.updated` event for an update that changes nothing; and a webhook endpoint's
`api_version` on the events delivered to it."""
from __future__ import annotations

import stripe

from tests.api.support import as_, event_log
from tests.api.support import last_event_id as last_id
from tests.api.webhook_support import make_receiver  # noqa: F401 (fixture)


def log(client, account=None):
    """The account's events, oldest first: [(type, event)]."""
    return [(e.type, e) for e in event_log(client, account)]


def since(client, mark, account=None):
    """The account's events recorded after the event `mark` (None: all of them)."""
    out = log(client, account)
    ids = [e.id for _, e in out]
    return out[ids.index(mark) + 1:] if mark else out


def types(entries):
    return [t for t, _ in entries]


def prev(event):
    return event.data.to_dict().get("previous_attributes")


def test_clone_charge_refund_events_on_each_account(client, seller):
    # The platform saves a customer with a card: the customer first, then its card.
    cus = client.v1.customers.create(params={"email": "jenny@example.com",
                                             "source": "tok_visa"})
    platform = log(client)
    assert types(platform) == ["customer.created", "customer.source.created"]
    created, card_created = platform[0][1], platform[1][1]
    assert created.data.object.id == cus.id
    assert created.data.object.default_source == cus.default_source  # as it was returned
    assert card_created.data.object.id == cus.default_source
    assert card_created.data.object.customer == cus.id
    assert created.request.id == card_created.request.id and created.request.id
    assert "account" not in created and "account" not in card_created
    assert prev(created) is None and prev(card_created) is None

    # Cloning the card with a token makes no event anywhere; the seller's customer
    # made from the token does, on the seller's account.
    mark = last_id(client)
    tok = client.v1.tokens.create(params={"customer": cus.id}, options=as_(seller))
    assert log(client, seller) == []
    seller_cus = client.v1.customers.create(params={"source": tok.id}, options=as_(seller))
    on_seller = log(client, seller)
    assert types(on_seller) == ["customer.created", "customer.source.created"]
    assert all(e.account == seller for _, e in on_seller)
    assert on_seller[0][1].data.object.default_source == seller_cus.default_source
    assert on_seller[1][1].data.object.fingerprint == tok.card.fingerprint
    assert since(client, mark) == []

    # A direct charge with a fee: charge.succeeded on the seller, the fee on the platform.
    seller_mark = last_id(client, seller)
    ch = client.v1.charges.create(params={
        "amount": 2000, "currency": "usd", "customer": seller_cus.id,
        "application_fee_amount": 150}, options=as_(seller))
    (charged,) = since(client, seller_mark, seller)
    assert charged[0] == "charge.succeeded" and charged[1].account == seller
    assert charged[1].data.object.id == ch.id
    assert charged[1].data.object.application_fee == ch.application_fee
    assert charged[1].data.object.balance_transaction == ch.balance_transaction
    (fee_created,) = since(client, mark)
    assert fee_created[0] == "application_fee.created" and "account" not in fee_created[1]
    fee = fee_created[1].data.object
    assert (fee.id, fee.charge, fee.account, fee.amount) == (ch.application_fee, ch.id,
                                                             seller, 150)
    assert fee_created[1].request.id == charged[1].request.id

    # A partial refund that refunds the fee in proportion.
    seller_mark, mark = last_id(client, seller), last_id(client)
    re = client.v1.refunds.create(params={"charge": ch.id, "amount": 500,
                                          "refund_application_fee": True},
                                  options=as_(seller))
    refunded = since(client, seller_mark, seller)
    assert types(refunded) == ["refund.created", "charge.refunded"]
    assert refunded[0][1].data.object.id == re.id
    assert refunded[1][1].data.object.amount_refunded == 500
    # only what changed: a partial refund leaves `refunded` false
    assert prev(refunded[1][1]) == {"amount_refunded": 0}
    (fee_refunded,) = since(client, mark)
    assert fee_refunded[0] == "application_fee.refunded"
    assert fee_refunded[1].data.object.amount_refunded == 38  # 150 * 500/2000, half up
    assert prev(fee_refunded[1]) == {"amount_refunded": 0}
    assert {e.request.id for _, e in refunded + [fee_refunded]} == {
        refunded[0][1].request.id}


def test_payment_intent_transfer_and_account_update(client, seller):
    pi = client.v1.payment_intents.create(params={
        "amount": 3000, "currency": "usd", "payment_method": "pm_card_visa", "confirm": True,
        "application_fee_amount": 200}, options=as_(seller))
    on_seller = log(client, seller)
    assert types(on_seller) == ["payment_intent.created", "charge.succeeded",
                                "payment_intent.succeeded"]
    assert on_seller[0][1].data.object.id == pi.id
    assert on_seller[2][1].data.object.status == "succeeded"
    assert on_seller[1][1].data.object.payment_intent == pi.id
    assert on_seller[2][1].data.object.latest_charge == pi.latest_charge
    assert types(log(client)) == ["application_fee.created"]

    # A transfer to the seller: transfer.created on the platform, and on the seller only
    # payment.created for the payment it receives (tests/api/test_event_sequences.py).
    funding = client.v1.charges.create(params={"amount": 5000, "currency": "usd",
                                               "source": "tok_bypassPending"})
    mark, seller_mark = last_id(client), last_id(client, seller)
    tr = client.v1.transfers.create(params={"amount": 700, "currency": "usd",
                                            "destination": seller,
                                            "source_transaction": funding.id})
    (created,) = since(client, mark)
    assert created[0] == "transfer.created" and created[1].data.object.id == tr.id
    assert types(since(client, seller_mark, seller)) == ["payment.created"]
    seller_mark = last_id(client, seller)

    # Updating the seller: account.updated on the seller's account, with only the keys
    # of business_profile and metadata that changed.
    client.v1.accounts.update(seller, params={"business_profile": {"name": "Shop"},
                                              "metadata": {"tier": "gold"}})
    (updated,) = since(client, seller_mark, seller)
    assert updated[0] == "account.updated" and updated[1].account == seller
    assert updated[1].data.object.business_profile.name == "Shop"
    assert prev(updated[1]) == {"business_profile": {"name": None},
                                "metadata": {"tier": None}}
    assert since(client, mark) == [created]


def test_previous_attributes_hold_only_changed_keys(client):
    cus = client.v1.customers.create(params={"metadata": {"a": "1", "b": "2"}})
    client.v1.customers.update(cus.id, params={
        "metadata": {"a": "9", "c": "3"}, "address": {"city": "Paris"},
        "description": "vip", "name": "Jenny"})
    (updated,) = [e for t, e in log(client) if t == "customer.updated"]
    assert prev(updated) == {"metadata": {"a": "1", "c": None}, "address": None,
                             "description": None, "name": None}
    mark = last_id(client)
    client.v1.customers.update(cus.id, params={"metadata": {"b": ""},
                                               "address": {"city": "Lyon"}})
    (updated,) = since(client, mark)
    assert prev(updated[1]) == {"metadata": {"b": "2"}, "address": {"city": "Paris"}}

    pm = client.v1.payment_methods.create(params={"type": "card",
                                                  "card": {"token": "tok_visa"}})
    client.v1.payment_methods.attach(pm.id, params={"customer": cus.id})
    mark = last_id(client)
    client.v1.payment_methods.update(pm.id, params={"billing_details": {"name": "Jenny"},
                                                    "metadata": {"k": "v"}})
    client.v1.customers.update(cus.id, params={
        "invoice_settings": {"default_payment_method": pm.id}})
    pm_updated, cus_updated = since(client, mark)
    assert pm_updated[0] == "payment_method.updated"
    assert prev(pm_updated[1]) == {"billing_details": {"name": None}, "metadata": {"k": None}}
    assert cus_updated[0] == "customer.updated"
    assert prev(cus_updated[1]) == {"invoice_settings": {"default_payment_method": None}}


def test_an_update_that_changes_nothing_sends_no_event(client, seller):
    cus = client.v1.customers.create(params={"description": "vip", "metadata": {"a": "1"}})
    mark = last_id(client)
    client.v1.customers.update(cus.id, params={"description": "vip", "metadata": {"a": "1"}})
    client.v1.customers.update(cus.id, params={"metadata": {"gone": ""}})
    assert since(client, mark) == []
    client.v1.customers.update(cus.id, params={"description": "gold"})
    assert types(since(client, mark)) == ["customer.updated"]

    client.v1.accounts.update(seller, params={"metadata": {"k": "v"}})
    client.v1.accounts.update(seller, params={"metadata": {"k": "v"}})
    (only,) = log(client, seller)
    assert prev(only[1]) == {"metadata": {"k": None}}

    funding = client.v1.charges.create(params={"amount": 5000, "currency": "usd",
                                               "source": "tok_bypassPending"})
    tr = client.v1.transfers.create(params={"amount": 700, "currency": "usd",
                                            "destination": seller,
                                            "source_transaction": funding.id,
                                            "description": "payout"})
    mark = last_id(client)
    client.v1.transfers.update(tr.id, params={"description": "payout"})
    assert since(client, mark) == []


def test_sources_and_default_source_events(client):
    cus = client.v1.customers.create()
    mark = last_id(client)
    first = client.v1.customers.payment_sources.create(cus.id, params={"source": "tok_visa"})
    added = since(client, mark)
    assert types(added) == ["customer.source.created", "customer.updated"]
    assert added[0][1].data.object.id == first.id
    assert added[1][1].data.object.default_source == first.id
    assert prev(added[1][1]) == {"default_source": None}

    # A second source does not change the default: no customer.updated.
    mark = last_id(client)
    second = client.v1.customers.payment_sources.create(cus.id,
                                                        params={"source": "tok_mastercard"})
    assert types(since(client, mark)) == ["customer.source.created"]

    mark = last_id(client)
    client.v1.customers.update(cus.id, params={"default_source": second.id})
    (changed,) = since(client, mark)
    assert changed[0] == "customer.updated"
    assert prev(changed[1]) == {"default_source": first.id}
    assert changed[1].data.object.default_source == second.id

    # Deleting the default source: the source's event, then the customer's new default.
    mark = last_id(client)
    client.v1.customers.payment_sources.delete(cus.id, second.id)
    deleted = since(client, mark)
    assert types(deleted) == ["customer.source.deleted", "customer.updated"]
    assert deleted[0][1].data.object.id == second.id
    assert deleted[0][1].data.object.customer == cus.id
    assert prev(deleted[1][1]) == {"default_source": second.id}
    assert deleted[1][1].data.object.default_source == first.id


def test_payment_method_attach_and_detach_events(client):
    cus = client.v1.customers.create(params={"payment_method": "pm_card_visa"})
    first = log(client)
    assert types(first) == ["customer.created", "payment_method.attached"]
    pm_id = first[1][1].data.object.id
    assert first[1][1].data.object.customer == cus.id
    assert first[0][1].request.id == first[1][1].request.id

    client.v1.customers.update(cus.id, params={
        "invoice_settings": {"default_payment_method": pm_id}})
    mark = last_id(client)
    client.v1.payment_methods.detach(pm_id)
    detached = since(client, mark)
    assert types(detached) == ["payment_method.detached", "customer.updated"]
    assert detached[0][1].data.object.customer is None
    assert prev(detached[0][1]) == {"customer": cus.id}
    assert prev(detached[1][1]) == {"invoice_settings": {"default_payment_method": pm_id}}

    other = client.v1.payment_methods.create(params={"type": "card",
                                                     "card": {"token": "tok_visa"}})
    mark = last_id(client)
    client.v1.payment_methods.attach(other.id, params={"customer": cus.id})
    (attached,) = since(client, mark)
    assert attached[0] == "payment_method.attached"
    assert prev(attached[1]) is None


def test_endpoint_api_version_is_the_delivered_events_version(client, make_receiver):
    pinned, plain = make_receiver(), make_receiver()
    we_pinned = client.v1.webhook_endpoints.create(params={
        "url": pinned.url, "enabled_events": ["customer.created"],
        "api_version": "2023-08-16"})
    we_plain = client.v1.webhook_endpoints.create(params={
        "url": plain.url, "enabled_events": ["customer.created"]})
    cus = client.v1.customers.create(params={"email": "v@example.com"})
    (listed,) = client.v1.events.list(params={"type": "customer.created"}).data
    (got_pinned,) = pinned.wait_type("customer.created")
    (got_plain,) = plain.wait_type("customer.created")
    ev = pinned.received[0].verify(we_pinned.secret)  # stripe.Webhook.construct_event
    assert isinstance(ev, stripe.Event) and ev.api_version == "2023-08-16"
    assert got_pinned["api_version"] == "2023-08-16"
    assert plain.received[0].verify(we_plain.secret).api_version == listed.api_version
    assert got_plain["api_version"] == listed.api_version != "2023-08-16"
    # otherwise the very event that the API lists
    for got in (got_pinned, got_plain):
        assert got["id"] == listed.id and got["data"]["object"]["id"] == cus.id
        same = {k: v for k, v in got.items() if k not in ("api_version", "pending_webhooks")}
        assert same == {k: v for k, v in listed.to_dict().items()
                        if k not in ("api_version", "pending_webhooks")}


def test_each_endpoint_receives_its_accounts_events_as_listed(client, seller, make_receiver):
    own, connect = make_receiver(), make_receiver()
    we_own = client.v1.webhook_endpoints.create(params={"url": own.url,
                                                        "enabled_events": ["*"]})
    we_connect = client.v1.webhook_endpoints.create(params={
        "url": connect.url, "enabled_events": ["*"], "connect": True})
    cus = client.v1.customers.create(params={"source": "tok_visa"})
    tok = client.v1.tokens.create(params={"customer": cus.id}, options=as_(seller))
    seller_cus = client.v1.customers.create(params={"source": tok.id}, options=as_(seller))
    ch = client.v1.charges.create(params={"amount": 1500, "currency": "usd",
                                          "customer": seller_cus.id,
                                          "application_fee_amount": 100}, options=as_(seller))
    client.v1.refunds.create(params={"charge": ch.id}, options=as_(seller))
    client.v1.accounts.update(seller, params={"metadata": {"plan": "pro"}})

    platform_events = [e for _, e in log(client)]
    seller_events = [e for _, e in log(client, seller)]
    assert types([(e.type, e) for e in platform_events]) == [
        "customer.created", "customer.source.created", "application_fee.created"]
    assert types([(e.type, e) for e in seller_events]) == [
        "customer.created", "customer.source.created", "charge.succeeded", "refund.created",
        "charge.refunded", "account.updated"]
    own.wait_for(lambda got: len(got) >= len(platform_events))
    connect.wait_for(lambda got: len(got) >= len(seller_events))
    for rec, we, listed in ((own, we_own, platform_events),
                            (connect, we_connect, seller_events)):
        by_id = {}
        for received in rec.received:
            ev = received.verify(we.secret)  # stripe.Webhook.construct_event
            by_id[ev.id] = received.event
        assert set(by_id) == {e.id for e in listed}  # nothing else, nothing missing
        for e in listed:
            body = by_id[e.id]
            assert body["pending_webhooks"] == 1  # as sent: this delivery was pending
            body.pop("pending_webhooks")
            expected = e.to_dict()
            expected.pop("pending_webhooks")
            assert body == expected
    assert all(e.account == seller for e in seller_events)
