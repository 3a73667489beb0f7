"""Which events each Connect money movement sends, on which account: a transfer (on its
own, or made by a destination charge through the Charges or PaymentIntents API) sends
transfer.created on the platform and payment.created on the connected account, about
the payment (py_...) the account receives; cloning a PaymentMethod or a card into a
connected account sends none. The other sequences are pinned in test_events_fidelity2.py."""
from __future__ import annotations

from tests.api.support import as_
from tests.api.support import event_log as log
from tests.api.support import events_after as after
from tests.api.support import last_event_id as last_id


def types(evs):
    return [e.type for e in evs]


def fund(client):
    client.v1.charges.create(params={"amount": 50000, "currency": "usd",
                                     "source": "tok_bypassPending"})


def test_transfer_sends_payment_created_to_the_connected_account(client, seller):
    fund(client)
    mark = last_id(client)
    tr = client.v1.transfers.create(params={"amount": 1200, "currency": "usd",
                                            "destination": seller},
                                    options={"idempotency_key": "seq-transfer-1"})
    assert types(after(client, mark)) == ["transfer.created"]
    (paid,) = log(client, seller)
    assert paid.type == "payment.created" and paid.account == seller
    py = paid.data.object
    assert (py.id, py.object, py.amount, py.source_transfer) == (
        tr.destination_payment, "charge", 1200, tr.id)
    assert py.status == "succeeded" and py.captured is True
    assert paid.request.id.startswith("req_")
    assert paid.request.idempotency_key == "seq-transfer-1"
    assert paid.livemode is False and paid.api_version
    assert "previous_attributes" not in paid.data.to_dict()
    # It is the seller's event: the platform's list does not show it, and the platform
    # reads it only as the seller.
    assert client.v1.events.list(params={"type": "payment.created"}).data == []
    assert client.v1.events.retrieve(paid.id, options=as_(seller)).id == paid.id

    # A reversal sends transfer.reversed on the platform, and no new payment.created.
    seller_mark = last_id(client, seller)
    client.v1.transfers.reversals.create(tr.id, params={"amount": 200})
    assert "payment.created" not in types(after(client, seller_mark, seller))


def test_destination_charge_events_on_each_account(client, seller):
    ch = client.v1.charges.create(params={
        "amount": 2000, "currency": "usd", "source": "tok_visa",
        "transfer_data": {"destination": seller}, "application_fee_amount": 300})
    platform = log(client)
    assert sorted(types(platform)) == ["application_fee.created", "charge.succeeded",
                                       "transfer.created"]
    assert types(platform)[0] == "charge.succeeded"
    (paid,) = log(client, seller)
    assert paid.type == "payment.created" and paid.account == seller
    tr = client.v1.transfers.retrieve(ch.transfer)
    py = paid.data.object
    assert py.id == tr.destination_payment and py.amount == 2000
    # the payment as it ends the request: the platform's fee taken from it
    assert py.application_fee == ch.application_fee and py.application_fee_amount == 300
    assert py.to_dict() == client.v1.charges.retrieve(
        py.id, options=as_(seller)).to_dict()
    assert {e.request.id for e in platform} == {paid.request.id}


def test_destination_payment_intent_events_on_each_account(client, seller):
    pi = client.v1.payment_intents.create(params={
        "amount": 2500, "currency": "usd", "payment_method": "pm_card_visa",
        "confirm": True, "payment_method_types": ["card"],
        "transfer_data": {"destination": seller, "amount": 2000}})
    platform = types(log(client))
    assert platform[0] == "payment_intent.created"
    assert platform[-1] == "payment_intent.succeeded"
    assert sorted(platform[1:-1]) == ["charge.succeeded", "transfer.created"]
    (paid,) = log(client, seller)
    assert paid.type == "payment.created"
    charge = client.v1.charges.retrieve(pi.latest_charge)
    tr = client.v1.transfers.retrieve(charge.transfer)
    assert paid.data.object.id == tr.destination_payment
    assert paid.data.object.amount == 2000


def test_captured_later_destination_charge_announces_the_payment_at_capture(client,
                                                                            seller):
    pi = client.v1.payment_intents.create(params={
        "amount": 1500, "currency": "usd", "payment_method": "pm_card_visa",
        "confirm": True, "capture_method": "manual", "payment_method_types": ["card"],
        "transfer_data": {"destination": seller}})
    assert log(client, seller) == []
    client.v1.payment_intents.capture(pi.id)
    (paid,) = log(client, seller)
    assert paid.type == "payment.created" and paid.data.object.amount == 1500


def test_cloning_into_a_connected_account_sends_no_event(client, seller):
    cus = client.v1.customers.create(params={"payment_method": "pm_card_visa",
                                             "source": "tok_visa"})
    pm = client.v1.customers.payment_methods.list(cus.id).data[0]
    mark = last_id(client)
    clone = client.v1.payment_methods.create(
        params={"customer": cus.id, "payment_method": pm.id}, options=as_(seller))
    client.v1.tokens.create(params={"customer": cus.id}, options=as_(seller))
    assert clone.id != pm.id
    assert log(client, seller) == [] and after(client, mark) == []
