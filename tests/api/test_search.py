"""GET /v1/customers/search, /v1/charges/search, /v1/payment_intents/search: Stripe's
search query language, the `search_result` shape, `page` / `next_page`, `total_count`,
and the errors, through the SDK's search methods."""
from __future__ import annotations

import pytest
import stripe

from .support import as_, stripe_error


def _ids(result) -> list[str]:
    return [o.id for o in result.data]


@pytest.fixture
def people(client):
    """Three customers, oldest first."""
    jenny = client.v1.customers.create(params={
        "email": "Jenny.Rosen@example.com", "name": "Jenny Rosen", "phone": "+15555550100",
        "metadata": {"plan": "gold", "order": "6735"}})
    bob = client.v1.customers.create(params={
        "email": "bob@other.org", "name": "Bob Smith", "metadata": {"plan": "silver"}})
    anon = client.v1.customers.create(params={"description": "no email"})
    return jenny, bob, anon


def test_search_result_shape(client, people):
    jenny, bob, anon = people
    result = client.v1.customers.search(params={"query": "email:'jenny.rosen@example.com'"})
    assert result.object == "search_result"
    assert result.url == "/v1/customers/search"
    assert _ids(result) == [jenny.id]
    assert result.has_more is False and result.next_page is None
    assert "total_count" not in result


def test_customer_fields(client, people):
    jenny, bob, anon = people
    search = client.v1.customers.search
    # exact string match ignores case; substring needs ~
    assert _ids(search(params={"query": 'name:"JENNY ROSEN"'})) == [jenny.id]
    assert _ids(search(params={"query": "name:'Jenny'"})) == []
    assert _ids(search(params={"query": "email~'example.com'"})) == [jenny.id]
    assert _ids(search(params={"query": "phone:'+15555550100'"})) == [jenny.id]
    assert _ids(search(params={"query": "metadata['plan']:'gold'"})) == [jenny.id]
    assert _ids(search(params={"query": 'metadata["order"]:"6735"'})) == [jenny.id]
    # null: no value / negated: has a value
    assert _ids(search(params={"query": "email:null"})) == [anon.id]
    assert set(_ids(search(params={"query": "-email:null"}))) == {jenny.id, bob.id}
    assert _ids(search(params={"query": "metadata['plan']:null"})) == [anon.id]


def test_boolean_combinations_and_negation(client, people):
    jenny, bob, anon = people
    search = client.v1.customers.search
    assert _ids(search(params={"query": "metadata['plan']:'gold' OR name:'bob smith'"})) == \
        [bob.id, jenny.id]
    assert _ids(search(params={"query": "metadata['plan']:'gold' or name:'bob smith'"})) == \
        [bob.id, jenny.id]
    assert _ids(search(params={"query": "metadata['plan']:'gold' AND name:'bob smith'"})) == []
    # a space is AND
    assert _ids(search(params={"query": "-email:null -metadata['plan']:'gold'"})) == [bob.id]
    assert _ids(search(params={"query": "-name:'Jenny Rosen' and -email:null"})) == [bob.id]


def test_created_comparisons(client, people):
    jenny, bob, anon = people
    search = client.v1.customers.search
    everyone = {jenny.id, bob.id, anon.id}
    assert set(_ids(search(params={"query": f"created>={jenny.created}"}))) == everyone
    assert _ids(search(params={"query": f"created<{jenny.created}"})) == []
    assert set(_ids(search(params={"query": f"created:{bob.created}"}))) >= {bob.id}
    assert set(_ids(search(params={"query": f"created<='{anon.created}'"}))) == everyone
    assert _ids(search(params={"query": f"created>{anon.created}"})) == []


def test_pagination_with_next_page(client):
    made = [client.v1.customers.create(params={"email": f"page{i}@example.com"}).id
            for i in range(5)]
    query = "email~'example.com'"
    seen: list[str] = []
    page = client.v1.customers.search(params={"query": query, "limit": 2})
    while True:
        assert len(page.data) <= 2
        seen += _ids(page)
        if not page.has_more:
            assert page.next_page is None
            break
        assert isinstance(page.next_page, str) and page.next_page
        page = client.v1.customers.search(params={"query": query, "limit": 2,
                                                  "page": page.next_page})
    assert seen == list(reversed(made))
    # the SDK's auto-pagination walks the same pages
    auto = client.v1.customers.search(params={"query": query, "limit": 2})
    assert [c.id for c in auto.auto_paging_iter()] == seen


def test_total_count_only_when_expanded(client, people):
    result = client.v1.customers.search(params={
        "query": "-email:null", "limit": 1, "expand": ["total_count"]})
    assert result.total_count == 2 and len(result.data) == 1 and result.has_more
    second = client.v1.customers.search(params={
        "query": "-email:null", "limit": 1, "page": result.next_page,
        "expand": ["total_count"]})
    assert second.total_count == 2 and _ids(second) != _ids(result)
    assert second.has_more is False and second.next_page is None


def test_search_is_per_account(client, people):
    jenny = people[0]
    seller = client.v1.accounts.create(params={"type": "standard"})
    theirs = client.v1.customers.create(params={"email": "jenny.rosen@example.com"},
                                        options=as_(seller.id))
    query = {"query": "email:'jenny.rosen@example.com'"}
    assert _ids(client.v1.customers.search(params=query)) == [jenny.id]
    assert _ids(client.v1.customers.search(params=query, options=as_(seller.id))) == \
        [theirs.id]


def test_deleted_customers_are_not_found(client, people):
    jenny = people[0]
    client.v1.customers.delete(jenny.id)
    assert _ids(client.v1.customers.search(params={"query": "name:'jenny rosen'"})) == []


def test_charge_search(client):
    cus = client.v1.customers.create(params={"source": "tok_visa"})
    big = client.v1.charges.create(params={
        "amount": 5000, "currency": "usd", "customer": cus.id, "metadata": {"order": "A1"}})
    small = client.v1.charges.create(params={"amount": 700, "currency": "eur",
                                             "source": "tok_mastercard"})
    client.v1.refunds.create(params={"charge": small.id})
    search = client.v1.charges.search
    assert _ids(search(params={"query": "amount>1000"})) == [big.id]
    assert _ids(search(params={"query": "amount<=700"})) == [small.id]
    assert _ids(search(params={"query": "amount:5000"})) == [big.id]
    assert _ids(search(params={"query": "currency:'eur'"})) == [small.id]
    assert _ids(search(params={"query": f"customer:'{cus.id}'"})) == [big.id]
    assert _ids(search(params={"query": "metadata['order']:'A1'"})) == [big.id]
    assert _ids(search(params={"query": "refunded:'true'"})) == [small.id]
    assert _ids(search(params={"query": "refunded:false"})) == [big.id]
    assert _ids(search(params={"query": "payment_method_details.card.last4:'4444'"})) == \
        [small.id]
    assert _ids(search(params={"query": "payment_method_details.card.brand:'visa'"})) == \
        [big.id]
    assert set(_ids(search(params={"query": "status:'succeeded'"}))) == {big.id, small.id}
    assert _ids(search(params={"query": "disputed:'true'"})) == []
    assert _ids(search(params={"query": "-currency:'usd' AND amount<1000"})) == [small.id]
    expanded = search(params={"query": "amount>1000", "expand": ["data.customer"]})
    assert expanded.data[0].customer.id == cus.id
    assert expanded.url == "/v1/charges/search"


def test_payment_intent_search(client):
    cus = client.v1.customers.create()
    done = client.v1.payment_intents.create(params={
        "amount": 2000, "currency": "usd", "customer": cus.id, "payment_method": "pm_card_visa",
        "confirm": True, "metadata": {"cart": "42"},
        "automatic_payment_methods": {"enabled": True, "allow_redirects": "never"}})
    waiting = client.v1.payment_intents.create(params={"amount": 300, "currency": "usd"})
    search = client.v1.payment_intents.search
    assert _ids(search(params={"query": "status:'succeeded'"})) == [done.id]
    assert _ids(search(params={"query": "status:'requires_payment_method'"})) == [waiting.id]
    assert _ids(search(params={"query": "amount>=2000 AND metadata['cart']:'42'"})) == [done.id]
    assert _ids(search(params={"query": f"customer:'{cus.id}'"})) == [done.id]
    assert _ids(search(params={"query": "currency:'usd' -status:'succeeded'"})) == [waiting.id]
    result = search(params={"query": "amount>0"})
    assert result.object == "search_result" and result.url == "/v1/payment_intents/search"


@pytest.mark.parametrize("query, message", [
    ("email:'a@example.com' AND name:'x' OR phone:'1'", "AND and OR"),
    ("nickname:'x'", "unsupported search field"),
    ("email~'ab'", "at least 3 characters"),
    ("email:jenny", "unable to parse"),
    ("email:'unterminated", "unable to parse"),
    ("email:'a' AND", "unable to parse"),
    ("   ", "unable to parse"),
    ("name>'x'", "numeric fields"),
    ("created:'yesterday'", "must be a number"),
    ("created~'123'", "string fields"),
    ("metadata:'x'", "unable to parse"),
])
def test_query_errors(client, query, message):
    with stripe_error(stripe.InvalidRequestError, status=400, param="query", message=message):
        client.v1.customers.search(params={"query": query})


def test_other_errors(client, people):
    with stripe_error(stripe.InvalidRequestError, status=400, code="parameter_missing",
                      param="query"):
        client.v1.customers.search(params={})
    with stripe_error(stripe.InvalidRequestError, status=400, param="page"):
        client.v1.customers.search(params={"query": "created>0", "page": "garbage!"})
    # a page token belongs to its query
    first = client.v1.customers.search(params={"query": "created>0", "limit": 1})
    with stripe_error(stripe.InvalidRequestError, status=400, param="page"):
        client.v1.customers.search(params={"query": "created>1", "page": first.next_page})
    with stripe_error(stripe.InvalidRequestError, status=400, param="limit"):
        client.v1.customers.search(params={"query": "created>0", "limit": 101})
    with stripe_error(stripe.InvalidRequestError, status=400, param="query"):
        client.v1.charges.search(params={"query": "email:'x@example.com'"})
    with stripe_error(stripe.InvalidRequestError, status=400, param="query"):
        client.v1.payment_intents.search(params={"query": "refunded:'true'"})


def test_publishable_key_cannot_search(publishable):
    with stripe_error(stripe.PermissionError, status=403):
        publishable.v1.customers.search(params={"query": "created>0"})
