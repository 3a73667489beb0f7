"""Lists (newest first, limit, starting_after / ending_before, has_more, the SDK's
auto-pagination) and expand[] (nested, on lists with data., virtual properties)."""
from __future__ import annotations

import stripe

from .support import as_, stripe_error


def _customers(client, n: int) -> list[str]:
    return [client.v1.customers.create(params={"name": f"c{i}"}).id for i in range(n)]


def test_pages_newest_first(client):
    ids = _customers(client, 7)[::-1]  # newest first
    page = client.v1.customers.list(params={"limit": 3})
    assert [c.id for c in page.data] == ids[:3] and page.has_more is True
    page = client.v1.customers.list(params={"limit": 3, "starting_after": ids[2]})
    assert [c.id for c in page.data] == ids[3:6] and page.has_more is True
    page = client.v1.customers.list(params={"limit": 3, "starting_after": ids[5]})
    assert [c.id for c in page.data] == ids[6:] and page.has_more is False
    page = client.v1.customers.list(params={"limit": 3, "ending_before": ids[6]})
    assert [c.id for c in page.data] == ids[3:6] and page.has_more is True
    page = client.v1.customers.list(params={"limit": 3, "ending_before": ids[3]})
    assert [c.id for c in page.data] == ids[:3] and page.has_more is False
    page = client.v1.customers.list(params={"limit": 10, "ending_before": ids[1]})
    assert [c.id for c in page.data] == ids[:1] and page.has_more is False
    assert client.v1.customers.list(params={"starting_after": ids[6]}).data == []


def test_default_limit_is_ten(client):
    ids = _customers(client, 12)
    page = client.v1.customers.list()
    assert len(page.data) == 10 and page.has_more is True
    assert page.data[0].id == ids[-1]


def test_limit_bounds(client):
    _customers(client, 2)
    assert len(client.v1.customers.list(params={"limit": 1}).data) == 1
    assert len(client.v1.customers.list(params={"limit": 100}).data) == 2
    for bad in (0, 101, -1):
        with stripe_error(stripe.InvalidRequestError, status=400, param="limit"):
            client.v1.customers.list(params={"limit": bad})
    with stripe_error(stripe.InvalidRequestError, status=400, param="limit",
                      message="Invalid integer"):
        client.v1.customers.list(params={"limit": "ten"})


def test_unknown_cursor(client):
    with stripe_error(stripe.InvalidRequestError, status=404, param="starting_after"):
        client.v1.customers.list(params={"starting_after": "cus_nope"})
    with stripe_error(stripe.InvalidRequestError, status=404, param="ending_before"):
        client.v1.charges.list(params={"ending_before": "ch_nope"})


def test_cursor_of_another_platform_is_unknown(client, other):
    theirs = other.v1.customers.create().id
    with stripe_error(stripe.InvalidRequestError, status=404, param="starting_after"):
        client.v1.customers.list(params={"starting_after": theirs})


def test_auto_paging_iter_across_pages(client):
    cus = client.v1.customers.create(params={"source": "tok_visa"})
    ids = [client.v1.charges.create(params={"amount": 100 + i, "currency": "usd",
                                            "customer": cus.id}).id for i in range(12)]
    seen = [c.id for c in client.v1.charges.list(params={"limit": 5}).auto_paging_iter()]
    assert seen == ids[::-1]
    backwards = client.v1.charges.list(params={"limit": 5, "ending_before": ids[0]})
    assert [c.id for c in backwards.auto_paging_iter()] == ids[1:]
    filtered = client.v1.charges.list(params={"limit": 4, "customer": cus.id})
    assert len(list(filtered.auto_paging_iter())) == 12


def test_auto_paging_with_the_legacy_interface(legacy):
    ids = [legacy.Customer.create(email="p@example.com").id for _ in range(5)]
    seen = [c.id for c in legacy.Customer.list(limit=2, email="p@example.com")
            .auto_paging_iter()]
    assert seen == ids[::-1]


def test_list_on_a_connected_account(client, seller):
    mine = [client.v1.customers.create(options=as_(seller)).id for _ in range(3)]
    client.v1.customers.create()
    seen = [c.id for c in client.v1.customers.list(
        params={"limit": 2}, options=as_(seller)).auto_paging_iter()]
    assert seen == mine[::-1]


# -- expand ---------------------------------------------------------------------------

def test_expand_customer_on_a_charge(client):
    cus = client.v1.customers.create(params={"source": "tok_visa", "email": "e@example.com"})
    ch = client.v1.charges.create(params={"amount": 500, "currency": "usd",
                                          "customer": cus.id, "expand": ["customer"]})
    assert ch.customer.id == cus.id and ch.customer.email == "e@example.com"
    got = client.v1.charges.retrieve(ch.id, params={"expand": ["customer.default_source"]})
    assert got.customer.id == cus.id
    assert got.customer.default_source.id == cus.default_source
    assert got.customer.default_source.object == "card"
    plain = client.v1.charges.retrieve(ch.id)
    assert plain.customer == cus.id  # not expanded unless asked


def test_expand_default_source_on_a_customer(client):
    cus = client.v1.customers.create(params={"source": "tok_visa"})
    got = client.v1.customers.retrieve(cus.id, params={"expand": ["default_source"]})
    assert got.default_source.id == cus.default_source and got.default_source.last4 == "4242"
    both = client.v1.customers.retrieve(cus.id, params={"expand": ["default_source",
                                                                   "sources"]})
    assert both.sources.data[0].id == cus.default_source


def test_expand_in_lists(client):
    cus = client.v1.customers.create(params={"source": "tok_visa"})
    client.v1.charges.create(params={"amount": 500, "currency": "usd", "customer": cus.id})
    client.v1.charges.create(params={"amount": 600, "currency": "usd", "source": "tok_visa"})
    page = client.v1.charges.list(params={"expand": ["data.customer"]})
    assert page.data[0].customer is None
    assert page.data[1].customer.id == cus.id and page.data[1].customer.object == "customer"
    deep = client.v1.charges.list(params={"expand": ["data.customer.default_source"]})
    assert deep.data[1].customer.default_source.id == cus.default_source
    customers = client.v1.customers.list(params={"expand": ["data.default_source"]})
    assert customers.data[0].default_source.object == "card"


def test_expand_on_a_connected_account(client, seller):
    cus = client.v1.customers.create(params={"source": "tok_visa"}, options=as_(seller))
    ch = client.v1.charges.create(params={"amount": 500, "currency": "usd",
                                          "customer": cus.id, "expand": ["customer"]},
                                  options=as_(seller))
    assert ch.customer.id == cus.id


def test_expand_errors(client):
    cus = client.v1.customers.create(params={"source": "tok_visa"})
    ch = client.v1.charges.create(params={"amount": 500, "currency": "usd",
                                          "customer": cus.id})
    with stripe_error(stripe.InvalidRequestError, status=400, param="expand"):
        client.v1.charges.retrieve(ch.id, params={"expand": ["nonexistent"]})
    with stripe_error(stripe.InvalidRequestError, status=400, param="expand"):
        client.v1.charges.retrieve(ch.id, params={"expand": ["currency"]})
    with stripe_error(stripe.InvalidRequestError, status=400, param="expand",
                      message="more than 4 levels"):
        client.v1.charges.retrieve(ch.id, params={"expand": ["a.b.c.d.e"]})


def test_expand_of_a_null_property_stays_null(client):
    ch = client.v1.charges.create(params={"amount": 500, "currency": "usd",
                                          "source": "tok_visa", "expand": ["customer"]})
    assert ch.customer is None
