"""The store contract: what every backend (SQLite, PostgreSQL) must do through the Store/Tx
API. Each test runs on both; see conftest.py for how the backends are made. Transactions,
locking and migrations are in test_contract_locking.py."""
from __future__ import annotations

import time

import pytest
from sqlalchemy.exc import IntegrityError

from connect_sandbox.errors import InvalidRequestError
from connect_sandbox.store import Store

from .helpers import A, B, cus, fill, ids


# -- objects ---------------------------------------------------------------------------

def test_insert_get_scoped_by_account(store: Store) -> None:
    with store.transaction() as tx:
        tx.insert(A, cus(1, email="a@x"))
    with store.transaction(write=False) as tx:
        assert tx.get(A, "cus_1") == cus(1, email="a@x")
        assert tx.get(B, "cus_1") is None
        assert tx.get(A, "cus_missing") is None
        assert tx.owner_of("cus_1") == A
        assert tx.owner_of("cus_missing") is None


def test_get_type_filter(store: Store) -> None:
    with store.transaction() as tx:
        tx.insert(A, cus(1))
        assert tx.get(A, "cus_1", "customer")["id"] == "cus_1"
        assert tx.get(A, "cus_1", "charge") is None


def test_duplicate_id_refused(store: Store) -> None:
    with store.transaction() as tx:
        tx.insert(A, cus(1))
    with pytest.raises(IntegrityError), store.transaction() as tx:
        tx.insert(B, cus(1))
    with store.transaction() as tx:
        assert tx.owner_of("cus_1") == A


def test_missing_created_defaults_to_now(store: Store) -> None:
    before = int(time.time())
    with store.transaction() as tx:
        tx.insert(A, {"id": "cus_1", "object": "customer"})
        page = tx.list(A, "customer", created={"gte": before})
    assert ids(page.data) == ["cus_1"]


def test_save_replaces_body_and_keeps_index(store: Store) -> None:
    with store.transaction() as tx:
        tx.insert(A, cus(1, email="old@x"), parent="acct_p", lookup="old@x")
        tx.save(A, cus(1, email="new@x"))
    with store.transaction() as tx:
        assert tx.get(A, "cus_1") == cus(1, email="new@x")
        assert ids(tx.list(A, "customer", lookup="old@x").data) == ["cus_1"]
        assert ids(tx.list(A, "customer", parent="acct_p").data) == ["cus_1"]


def test_save_with_new_index(store: Store) -> None:
    with store.transaction() as tx:
        tx.insert(A, cus(1, email="old@x"), parent="acct_p", lookup="old@x")
        tx.save(A, cus(1, email="new@x"), parent="acct_q", lookup="new@x", keep_index=False)
        assert tx.list(A, "customer", lookup="old@x").data == []
        assert tx.list(A, "customer", parent="acct_p").data == []
        assert ids(tx.list(A, "customer", lookup="new@x").data) == ["cus_1"]
        assert ids(tx.list(A, "customer", parent="acct_q").data) == ["cus_1"]
        tx.save(A, cus(1), keep_index=False)
        assert tx.list(A, "customer", lookup="new@x").data == []


def test_save_missing_or_other_account_raises(store: Store) -> None:
    with store.transaction() as tx:
        tx.insert(A, cus(1))
        with pytest.raises(LookupError):
            tx.save(B, cus(1, email="stolen@x"))
        with pytest.raises(LookupError):
            tx.save(A, cus(2))
        assert tx.get(A, "cus_1") == cus(1)


def test_tombstone(store: Store) -> None:
    fill(store, 2)
    stub = {"id": "cus_1", "object": "customer", "deleted": True}
    with store.transaction() as tx:
        tx.tombstone(B, stub)  # another account's tombstone changes nothing
        assert tx.get(A, "cus_1") == cus(1, created=101)
        tx.tombstone(A, stub)
    with store.transaction() as tx:
        assert tx.get(A, "cus_1") == stub
        assert tx.get(A, "cus_1", "customer") is None
        assert ids(tx.list(A, "customer").data) == ["cus_2"]


def test_delete(store: Store) -> None:
    fill(store, 2)
    with store.transaction() as tx:
        tx.delete(B, "cus_1")
        assert tx.get(A, "cus_1") is not None
        tx.delete(A, "cus_1")
        assert tx.get(A, "cus_1") is None
        assert tx.owner_of("cus_1") is None
        assert ids(tx.list(A, "customer").data) == ["cus_2"]


def test_rejects_values_the_columns_cannot_hold(store: Store) -> None:
    with store.transaction() as tx:
        with pytest.raises(ValueError):
            tx.insert(A, cus(1), lookup="x" * 513)
        with pytest.raises(ValueError):
            tx.insert(A, {"id": "cus_" + "x" * 300, "object": "customer"})
        with pytest.raises(ValueError):
            tx.insert(A, cus(1), lookup="a\x00b")
        tx.insert(A, cus(1, note="nul \x00 in the body is fine"), lookup="x" * 512)
        assert tx.get(A, "cus_1")["note"] == "nul \x00 in the body is fine"
        with pytest.raises(ValueError):
            tx.idem_put(A, "k" * 256, "fp", 200, "{}", 1)


# -- lists -----------------------------------------------------------------------------

def test_list_newest_first_limit_has_more(store: Store) -> None:
    fill(store, 5)
    fill(store, 2, account=B, tag="b")
    with store.transaction(write=False) as tx:
        page = tx.list(A, "customer")
        assert ids(page.data) == [f"cus_{i}" for i in (5, 4, 3, 2, 1)]
        assert page.has_more is False
        page = tx.list(A, "customer", limit=2)
        assert ids(page.data) == ["cus_5", "cus_4"] and page.has_more is True
        page = tx.list(A, "customer", limit=5)
        assert len(page.data) == 5 and page.has_more is False
        assert tx.list(A, "charge").data == []


def test_list_orders_by_insertion_not_created(store: Store) -> None:
    with store.transaction() as tx:
        tx.insert(A, cus("old", created=300))
        tx.insert(A, cus("new", created=100))
        assert ids(tx.list(A, "customer").data) == ["cus_new", "cus_old"]


def test_pagination_starting_after(store: Store) -> None:
    fill(store, 7)
    with store.transaction(write=False) as tx:
        p1 = tx.list(A, "customer", limit=3)
        p2 = tx.list(A, "customer", limit=3, starting_after=p1.data[-1]["id"])
        p3 = tx.list(A, "customer", limit=3, starting_after=p2.data[-1]["id"])
    assert (ids(p1.data), p1.has_more) == (["cus_7", "cus_6", "cus_5"], True)
    assert (ids(p2.data), p2.has_more) == (["cus_4", "cus_3", "cus_2"], True)
    assert (ids(p3.data), p3.has_more) == (["cus_1"], False)


def test_pagination_ending_before(store: Store) -> None:
    fill(store, 7)
    with store.transaction(write=False) as tx:
        p1 = tx.list(A, "customer", limit=3, ending_before="cus_1")
        p2 = tx.list(A, "customer", limit=3, ending_before=p1.data[0]["id"])
        p3 = tx.list(A, "customer", limit=3, ending_before="cus_7")
    assert (ids(p1.data), p1.has_more) == (["cus_4", "cus_3", "cus_2"], True)
    assert (ids(p2.data), p2.has_more) == (["cus_7", "cus_6", "cus_5"], False)
    assert (ids(p3.data), p3.has_more) == ([], False)


def test_pagination_cursor_must_belong_to_account(store: Store) -> None:
    fill(store, 2)
    with store.transaction(write=False) as tx:
        for param in ("starting_after", "ending_before"):
            assert tx.list(A, "customer", **{param: "cus_1"}) is not None
            for account, cursor in ((A, "cus_nope"), (B, "cus_1")):
                with pytest.raises(InvalidRequestError) as err:
                    tx.list(account, "customer", **{param: cursor})
                assert err.value.param == param and err.value.code == "resource_missing"


def test_list_parent_and_lookup_filters(store: Store) -> None:
    with store.transaction() as tx:
        tx.insert(A, {"id": "card_1", "object": "card", "created": 1}, parent="cus_1")
        tx.insert(A, {"id": "card_2", "object": "card", "created": 2}, parent="cus_2")
        tx.insert(A, {"id": "card_3", "object": "card", "created": 3}, parent="cus_1")
        tx.insert(B, {"id": "card_4", "object": "card", "created": 4}, parent="cus_1")
        tx.insert(A, cus(1), lookup="a@x")
        tx.insert(A, cus(2), lookup="b@x")
        tx.insert(A, cus(3), lookup="a@x")
    with store.transaction(write=False) as tx:
        assert ids(tx.list(A, "card", parent="cus_1").data) == ["card_3", "card_1"]
        assert ids(tx.list(A, "card", parent="cus_9").data) == []
        assert ids(tx.list(A, "customer", lookup="a@x").data) == ["cus_3", "cus_1"]
        assert ids(tx.list(A, "customer", lookup="A@X").data) == []  # exact match
        assert ids(tx.list(A, "customer", lookup="a@x", limit=1).data) == ["cus_3"]
        assert ids(tx.children(A, "card", "cus_1")) == ["card_3", "card_1"]
        assert ids(tx.children(B, "card", "cus_1")) == ["card_4"]
        assert tx.children(A, "card", "cus_9") == []
        assert tx.children(A, "bank_account", "cus_1") == []


@pytest.mark.parametrize("created, expected", [
    ({"gt": 103}, [5, 4]),
    ({"gte": 103}, [5, 4, 3]),
    ({"lt": 103}, [2, 1]),
    ({"lte": 103}, [3, 2, 1]),
    ({"eq": 103}, [3]),
    ({"gt": 101, "lt": 105}, [4, 3, 2]),
    ({"gte": 200}, []),
])
def test_list_created_filters(store: Store, created: dict[str, int],
                              expected: list[int]) -> None:
    fill(store, 5)  # created 101..105
    with store.transaction(write=False) as tx:
        assert ids(tx.list(A, "customer", created=created).data) == \
            [f"cus_{i}" for i in expected]


def test_created_filter_with_pagination(store: Store) -> None:
    fill(store, 6)
    with store.transaction(write=False) as tx:
        p1 = tx.list(A, "customer", created={"gte": 102}, limit=2)
        p2 = tx.list(A, "customer", created={"gte": 102}, limit=2, starting_after="cus_5")
        p3 = tx.list(A, "customer", created={"gte": 102}, limit=2, starting_after="cus_3")
    assert (ids(p1.data), p1.has_more) == (["cus_6", "cus_5"], True)
    assert (ids(p2.data), p2.has_more) == (["cus_4", "cus_3"], True)
    assert (ids(p3.data), p3.has_more) == (["cus_2"], False)


# -- platforms and idempotency ---------------------------------------------------------

def test_platform_account_is_idempotent(store: Store) -> None:
    with store.transaction() as tx:
        assert tx.platform_account("abc", "acct_first", 1) == "acct_first"
        assert tx.platform_account("abc", "acct_first", 2) == "acct_first"
    with store.transaction() as tx:
        assert tx.platform_account("abc", "acct_other", 3) == "acct_first"
        assert tx.platform_account("xyz", "acct_xyz", 3) == "acct_xyz"


def test_idempotency_put_get_expire(store: Store) -> None:
    with store.transaction() as tx:
        assert tx.idem_get(A, "k1") is None
        tx.idem_put(A, "k1", "fp1", 200, '{"id": "cus_1"}', now=100)
        tx.idem_put(A, "k2", "fp2", 402, '{"error": {}}', now=200)
        tx.idem_put(B, "k1", "fpB", 200, "{}", now=100)
    with store.transaction() as tx:
        assert tx.idem_get(A, "k1") == ("fp1", 200, '{"id": "cus_1"}')
        assert tx.idem_get(B, "k1") == ("fpB", 200, "{}")
        assert tx.idem_get("acct_C", "k1") is None
    with pytest.raises(IntegrityError), store.transaction() as tx:
        tx.idem_put(A, "k1", "fp1", 200, "{}", now=300)
    with store.transaction() as tx:
        assert tx.idem_expire(before=100) == 0
        assert tx.idem_expire(before=150) == 2
        assert tx.idem_get(A, "k1") is None and tx.idem_get(B, "k1") is None
        assert tx.idem_get(A, "k2") == ("fp2", 402, '{"error": {}}')
