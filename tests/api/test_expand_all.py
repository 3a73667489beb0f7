"""expand[] works for every expandable field of every implemented object.

For one instance of each object in a realistic state (expand_world.py), each field
Stripe lists as expandable (x-expandableFields, params/spec.json `expandable`) is
expanded on its own: an id comes back as the object it names (the right `object`,
the same id), a list as a list object, a hash unchanged, and a field that is unset
stays null (or absent, when Stripe shows it only where it applies). Fields the flow
should have set are checked to be set, so the expansion is really exercised. Nested
paths and isolation between platforms and connected accounts are tested at the end.

Decision (isolation): a connected account's direct charge names the platform's
application fee. Stripe lets the platform, acting as that account (Stripe-Account),
expand it (`application_fee` on the connected account's charge), since the caller
owns the fee; the sandbox does the same. Objects of another platform, or of another
connected account, are never expanded: their ids cannot even be stored, and the
expansion only looks in the acting account and its platform.
"""
from __future__ import annotations

import json
import secrets
from functools import lru_cache
from pathlib import Path

import pytest
import stripe

from connect_sandbox.params.validate import object_schema

from .expand_world import INSTANCES, build, fetch

DATA = Path(__file__).resolve().parent.parent / "data" / "stripe_schemas.json"
MISSING = object()


@lru_cache(maxsize=1)
def _schemas() -> dict:
    return json.loads(DATA.read_text())["schemas"]


def _alternatives(node: dict) -> list[dict]:
    if "$ref" in node:
        return _alternatives(_schemas()[node["$ref"].rsplit("/", 1)[-1]])
    if "anyOf" in node:
        return [a for alt in node["anyOf"] for a in _alternatives(alt)]
    return [node]


def _object_names(obj: str, field: str) -> tuple[bool, set[str]]:
    """(is an id when not expanded, object names it may expand to)."""
    node = _schemas()[obj]["properties"][field]
    alts = _alternatives(node)
    is_id = any(a.get("type") == "string" for a in alts)
    names = {a["properties"]["object"]["enum"][0] for a in alts
             if "object" in a.get("properties", {}) and "enum" in a["properties"]["object"]}
    return is_id, names


PAIRS = [(label, field) for label, (obj, _) in INSTANCES.items()
         for field in object_schema(obj).get("expandable") or ()]


@pytest.fixture(scope="module")
def world(server):
    client = stripe.StripeClient("sk_test_" + secrets.token_hex(12),
                                 base_addresses={"api": server.base}, max_network_retries=0)
    return client, build(client)


@pytest.mark.parametrize("label,field", PAIRS, ids=[f"{a}.{b}" for a, b in PAIRS])
def test_expand(world, label, field):
    client, where = world
    obj, must_set = INSTANCES[label]
    plain = fetch(client, where[label], [])
    got = fetch(client, where[label], [field])
    assert plain["object"] == obj and got["id" if "id" in got else "object"] == plain.get(
        "id", plain["object"])
    before, after = plain.get(field, MISSING), got.get(field, MISSING)
    if field in must_set:
        assert before not in (None, MISSING), f"{label}: the flow should set {field}"
    is_id, names = _object_names(obj, field)
    if isinstance(before, str) and is_id:
        assert isinstance(after, dict), f"{field} {before} was not expanded: {after!r}"
        assert after.get("object") in names, (after.get("object"), names)
        assert after.get("id") == before
    elif isinstance(after, dict) and after.get("object") == "list":
        assert isinstance(after["data"], list) and after["url"].startswith("/v1/")
    elif before is MISSING or before is None:
        # unset: stays unset, unless Stripe shows the property only when expanded
        assert after in (before, None) or (isinstance(after, dict) and (
            not names or after.get("object") in names)), after
    else:
        assert after == before, f"expanding the hash {field} changed it"


def test_every_implemented_object_has_an_instance():
    covered = {obj for obj, _ in INSTANCES.values()}
    for name in ("account", "application_fee", "balance", "balance_transaction",
                 "bank_account", "card", "charge", "customer", "event", "fee_refund",
                 "payment_intent", "payment_method", "refund", "setup_attempt",
                 "setup_intent", "source", "token", "transfer", "transfer_reversal"):
        assert name in covered, name


def test_nested_paths(world):
    client, where = world
    cus = fetch(client, where["customer"], ["invoice_settings.default_payment_method",
                                            "default_source.customer"])
    assert cus["invoice_settings"]["default_payment_method"]["object"] == "payment_method"
    assert cus["default_source"]["customer"]["id"] == cus["id"]
    ch = fetch(client, where["charge_destination"], [
        "transfer_data.destination", "transfer.destination_payment.balance_transaction",
        "application_fee.account", "refunds.data.balance_transaction"])
    assert ch["transfer_data"]["destination"]["object"] == "account"
    payment = ch["transfer"]["destination_payment"]
    assert payment["object"] == "charge" and payment["balance_transaction"]["type"] == "payment"
    assert ch["application_fee"]["account"]["object"] == "account"
    assert ch["refunds"]["data"][0]["balance_transaction"]["object"] == "balance_transaction"
    pi = fetch(client, where["payment_intent"], ["latest_charge.balance_transaction.source"])
    assert pi["latest_charge"]["balance_transaction"]["source"]["id"] == pi["latest_charge"]["id"]


def test_connected_account_expands_the_platform_fee_on_its_charge(world):
    client, where = world
    ch = fetch(client, where["charge_direct"], ["application_fee", "application"])
    assert ch["application_fee"]["object"] == "application_fee"
    assert ch["application_fee"]["charge"] == ch["id"]
    assert ch["application"]["object"] == "application"


def test_other_platforms_and_accounts_cannot_expand(world, server):
    client, where = world
    other = stripe.StripeClient("sk_test_" + secrets.token_hex(12),
                                base_addresses={"api": server.base}, max_network_retries=0)
    with pytest.raises(stripe.InvalidRequestError):
        fetch(other, where["charge_destination"], ["customer"])
    # Another connected account of the same platform sees neither the charge nor, through
    # its own objects, the first account's.
    sibling = client.v1.accounts.create(params={"type": "standard"}).id
    direct = where["charge_direct"]
    with pytest.raises(stripe.InvalidRequestError):
        fetch(client, type(direct)(direct.path, sibling), ["customer"])
    own = client.v1.charges.create(params={"amount": 2000, "currency": "usd",
                                           "source": "tok_visa"},
                                   options={"stripe_account": sibling})
    got = fetch(client, type(direct)(f"/v1/charges/{own.id}", sibling),
                ["balance_transaction", "application"])
    assert got["balance_transaction"]["object"] == "balance_transaction"


def test_absent_expandable_fields_stay_absent_and_unknown_ones_are_refused(world):
    client, where = world
    acct = fetch(client, where["account_standard"], ["company", "individual"])
    assert "company" not in acct and "individual" not in acct
    for bad in ("transfer_data.nonexistent", "nonexistent", "amount"):
        with pytest.raises(stripe.InvalidRequestError) as info:
            fetch(client, where["charge_destination"], [bad])
        assert info.value.json_body["error"]["param"] == "expand"
