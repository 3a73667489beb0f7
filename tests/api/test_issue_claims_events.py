"""Event types of the events requirements that no other test names: charge.updated,
customer.source.updated and transfer.updated, each with `data.previous_attributes`
holding only what changed (an added key as null), the request's id and idempotency key,
and `account` set when the change was made on a connected account."""
from __future__ import annotations

from tests.api.support import as_


def only(client, type_, options=None):
    (ev,) = client.v1.events.list(params={"type": type_}, options=options or {}).data
    return ev


def test_charge_updated_with_previous_attributes(client, seller):
    ch = client.v1.charges.create(params={"amount": 1000, "currency": "usd",
                                          "source": "tok_visa", "description": "before"})
    client.v1.charges.update(ch.id, params={"description": "after", "metadata": {"k": "v"}},
                             options={"idempotency_key": "charge-upd-1"})
    ev = only(client, "charge.updated")
    assert ev.data.object.id == ch.id and ev.data.object.description == "after"
    assert ev.data.previous_attributes.to_dict() == {"description": "before",
                                                     "metadata": {"k": None}}
    assert ev.request.id.startswith("req_") and ev.request.idempotency_key == "charge-upd-1"
    assert "account" not in ev

    # On a connected account the event is that account's, with `account` set.
    sch = client.v1.charges.create(params={"amount": 1000, "currency": "usd",
                                           "source": "tok_visa"}, options=as_(seller))
    client.v1.charges.update(sch.id, params={"metadata": {"order": "7"}}, options=as_(seller))
    sev = only(client, "charge.updated", as_(seller))
    assert sev.account == seller and sev.data.object.id == sch.id
    assert sev.data.previous_attributes.to_dict() == {"metadata": {"order": None}}
    assert [e.id for e in client.v1.events.list(params={"type": "charge.updated"}).data] \
        == [ev.id]  # the platform's list does not show the seller's event


def test_customer_source_updated_with_previous_attributes(client):
    cus = client.v1.customers.create(params={"source": "tok_visa"})
    old = client.v1.customers.payment_sources.retrieve(cus.id, cus.default_source).exp_month
    new = 1 if old != 1 else 2
    card = client.v1.customers.payment_sources.update(
        cus.id, cus.default_source, params={"name": "Jenny Rosen", "exp_month": new})
    assert card.name == "Jenny Rosen" and card.exp_month == new
    ev = only(client, "customer.source.updated")
    assert ev.data.object.id == card.id and ev.data.object.object == "card"
    prev = ev.data.previous_attributes.to_dict()
    assert prev == {"name": None, "exp_month": old}


def test_transfer_updated_with_previous_attributes(client, seller):
    client.v1.charges.create(params={"amount": 5000, "currency": "usd",
                                     "source": "tok_bypassPending"})
    tr = client.v1.transfers.create(params={"amount": 1000, "currency": "usd",
                                            "destination": seller})
    client.v1.transfers.update(tr.id, params={"description": "weekly", "metadata": {"a": "1"}})
    ev = only(client, "transfer.updated")
    assert ev.data.object.id == tr.id and ev.data.object.description == "weekly"
    assert ev.data.previous_attributes.to_dict() == {"description": None,
                                                     "metadata": {"a": None}}
    # An update that changes nothing sends no event.
    client.v1.transfers.update(tr.id, params={"description": "weekly"})
    assert len(client.v1.events.list(params={"type": "transfer.updated"}).data) == 1
