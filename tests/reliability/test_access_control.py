"""Access control, one table for every route in connect_sandbox.routes.ROUTES.

The world: platform P with connected accounts S and S2, and another platform Q with its
own connected account QS. Every kind of object exists on P and on S (fees, transfers and
their refunds/reversals only on P, where Stripe keeps them). A RULES entry says which
path parameters and request parameters name which kind of object; the test then sends
each request as an intruder and expects a Stripe-shaped 403/404 (or a 400 naming the
parameter), and nothing written:

    other_platform            Q's key (as QS for the cloning routes) on P's objects
    other_platform_on_seller  Q's key on S's objects
    other_platform_header     Q's key with Stripe-Account: S        (always 403)
    connected_to_platform     P's key as S, on P's objects           (unless allowed)
    platform_to_connected     P's key without the header, on S's objects (unless allowed)
    seller_to_seller          P's key as S2, on S's objects          (unless allowed)
    publishable               pk_test_ of P: 403 unless the route is publishable

A list route must not show another account's objects. A GET route must show the
owner its own object (so the ids in the table are right). A route without a RULES
entry fails with a message saying where to add it.
"""
from __future__ import annotations

import secrets
import time
from dataclasses import dataclass, field
from typing import Any, Iterator
from urllib.parse import urlencode

import pytest
from stripe._encode import _api_encode

from connect_sandbox.http.auth import PUBLISHABLE
from connect_sandbox.routes import ROUTES

from .world import World, running_world

HERE = "tests/reliability/test_access_control.py"
PROBE = {"__access_probe": "1"}  # an unknown parameter: a request that passes auth stops at 400
BANK = {"country": "US", "currency": "usd", "routing_number": "110000000",
        "account_number": "000123456789", "account_holder_name": "Jenny Rosen",
        "account_holder_type": "individual"}


@dataclass(frozen=True)
class Rule:
    path: dict[str, str] = field(default_factory=dict)   # path parameter -> object kind
    refs: dict[str, str] = field(default_factory=dict)   # request parameter -> object kind
    params: dict[str, Any] = field(default_factory=dict)  # fixed request parameters
    allow: frozenset[str] = frozenset()                  # scenarios Stripe allows
    platform_only: bool = False   # the objects exist on platforms only (fees, transfers)
    clone: bool = False           # a cloning route: the intruder platform acts as its seller
    list: bool = False            # a list: check what it shows


def R(path: dict | None = None, refs: dict | None = None, params: dict | None = None,
      allow: tuple[str, ...] = (), **kw: Any) -> Rule:
    return Rule(path or {}, refs or {}, params or {}, frozenset(allow), **kw)


CUS = {"customer": "customer"}
AMOUNT = {"amount": 1000, "currency": "usd"}
ACCOUNT = dict(path={"account": "account"}, allow=("platform_to_connected",))
CLONE = dict(allow=("connected_to_platform",), clone=True)
# A connected account's capabilities and external accounts: "account" is a connected
# account (S2 for P's objects, S itself for S's), the other ids hang from it.
TO_SELLER = ("platform_to_connected",)
CAPABILITY = {"account": "account", "capability": "capability"}
EXTERNAL = {"account": "account", "id": "external_account"}
LINK = {"type": "account_onboarding", "refresh_url": "https://example.com/refresh",
        "return_url": "https://example.com/return"}
SEARCH = {"query": "created>0"}
# Sandbox-only webhook tools (the Stripe CLI's `events resend --account`): the platform's
# key acting as its connected account also reaches the platform's own endpoints.
SANDBOX_CLI = ("connected_to_platform",)

RULES: dict[str, Rule] = {
    "GET /v1/account": R(),
    "POST /v1/accounts": R(),
    "GET /v1/accounts": R(list=True),
    "GET /v1/accounts/{account}": R(**ACCOUNT),
    "POST /v1/accounts/{account}": R(**ACCOUNT),
    "DELETE /v1/accounts/{account}": R(**ACCOUNT),
    "POST /v1/accounts/{account}/reject": R(**ACCOUNT, params={"reason": "other"}),
    "POST /v1/account_links": R(refs={"account": "account"}, params=LINK,
                                allow=("platform_to_connected",)),
    "POST /v1/accounts/{account}/login_links": R(**ACCOUNT),
    "GET /v1/accounts/{account}/capabilities": R(**ACCOUNT),
    "GET /v1/accounts/{account}/capabilities/{capability}": R(CAPABILITY, allow=TO_SELLER),
    "POST /v1/accounts/{account}/capabilities/{capability}": R(CAPABILITY, allow=TO_SELLER),
    "POST /v1/accounts/{account}/external_accounts": R(**ACCOUNT),
    "GET /v1/accounts/{account}/external_accounts": R(**ACCOUNT),
    "GET /v1/accounts/{account}/external_accounts/{id}": R(EXTERNAL, allow=TO_SELLER),
    "POST /v1/accounts/{account}/external_accounts/{id}": R(EXTERNAL, allow=TO_SELLER),
    "DELETE /v1/accounts/{account}/external_accounts/{id}": R(EXTERNAL, allow=TO_SELLER),

    "POST /v1/customers": R(refs={"source": "token"}),
    "GET /v1/customers": R(list=True),
    "GET /v1/customers/search": R(params=SEARCH, list=True),
    "GET /v1/customers/{customer}": R(CUS),
    "POST /v1/customers/{customer}": R(CUS),
    "DELETE /v1/customers/{customer}": R(CUS),
    "POST /v1/customers/{customer}/sources": R(CUS, refs={"source": "token"}),
    "GET /v1/customers/{customer}/sources": R(CUS),
    "GET /v1/customers/{customer}/sources/{id}": R({**CUS, "id": "card"}),
    "POST /v1/customers/{customer}/sources/{id}": R({**CUS, "id": "card"}),
    "DELETE /v1/customers/{customer}/sources/{id}": R({**CUS, "id": "card"}),
    "POST /v1/customers/{customer}/sources/{id}/verify": R(
        {**CUS, "id": "bank_account"}, params={"amounts": [32, 45]}),
    "GET /v1/customers/{customer}/cards": R(CUS),
    "GET /v1/customers/{customer}/cards/{id}": R({**CUS, "id": "card"}),
    "GET /v1/customers/{customer}/bank_accounts": R(CUS),
    "GET /v1/customers/{customer}/bank_accounts/{id}": R({**CUS, "id": "bank_account"}),

    "POST /v1/tokens": R(refs=CUS, **CLONE),
    "GET /v1/tokens/{token}": R({"token": "token"}),

    "POST /v1/payment_methods": R(refs={**CUS, "payment_method": "payment_method"}, **CLONE),
    "GET /v1/payment_methods": R(refs=CUS, params={"type": "card"}, list=True),
    "GET /v1/payment_methods/{payment_method}": R({"payment_method": "payment_method"}),
    "POST /v1/payment_methods/{payment_method}": R({"payment_method": "payment_method"}),
    "POST /v1/payment_methods/{payment_method}/attach": R(
        {"payment_method": "payment_method"}, refs=CUS),
    "POST /v1/payment_methods/{payment_method}/detach": R({"payment_method": "payment_method"}),
    "GET /v1/customers/{customer}/payment_methods": R(CUS),
    "GET /v1/customers/{customer}/payment_methods/{payment_method}": R(
        {**CUS, "payment_method": "payment_method"}),

    "POST /v1/sources": R(refs={**CUS, "original_source": "source"}, params={"usage": "reusable"},
                          **CLONE),
    "GET /v1/sources/{source}": R({"source": "source"}),
    "POST /v1/sources/{source}": R({"source": "source"}),

    "POST /v1/payment_intents": R(refs={**CUS, "payment_method": "payment_method"},
                                  params=AMOUNT),
    "GET /v1/payment_intents": R(refs=CUS, list=True),
    "GET /v1/payment_intents/search": R(params=SEARCH, list=True),
    "GET /v1/payment_intents/{intent}": R({"intent": "payment_intent"}),
    "POST /v1/payment_intents/{intent}": R({"intent": "payment_intent"}),
    "POST /v1/payment_intents/{intent}/confirm": R({"intent": "payment_intent"}),
    "POST /v1/payment_intents/{intent}/capture": R({"intent": "payment_intent"}),
    "POST /v1/payment_intents/{intent}/cancel": R({"intent": "payment_intent"}),
    "POST /v1/payment_intents/{intent}/increment_authorization":
        R({"intent": "payment_intent"}, params={"amount": 3000}),

    "POST /v1/setup_intents": R(refs=CUS),
    "GET /v1/setup_intents": R(refs=CUS, list=True),
    "GET /v1/setup_intents/{intent}": R({"intent": "setup_intent"}),
    "POST /v1/setup_intents/{intent}": R({"intent": "setup_intent"}),
    "POST /v1/setup_intents/{intent}/confirm": R({"intent": "setup_intent"}),
    "POST /v1/setup_intents/{intent}/cancel": R({"intent": "setup_intent"}),
    "GET /v1/setup_attempts": R(refs={"setup_intent": "setup_intent"}, list=True),

    "POST /v1/charges": R(refs=CUS, params=AMOUNT),
    "GET /v1/charges": R(refs=CUS, list=True),
    "GET /v1/charges/search": R(params=SEARCH, list=True),
    "GET /v1/charges/{charge}": R({"charge": "charge"}),
    "POST /v1/charges/{charge}": R({"charge": "charge"}),
    "POST /v1/charges/{charge}/capture": R({"charge": "charge"}),
    "POST /v1/test_helpers/charges/{charge}/settle": R({"charge": "charge"}),
    "POST /v1/charges/{charge}/refunds": R({"charge": "captured_charge"}),
    "GET /v1/charges/{charge}/refunds": R({"charge": "captured_charge"}),
    "GET /v1/charges/{charge}/refunds/{refund}": R({"charge": "captured_charge",
                                                    "refund": "refund"}),
    "POST /v1/charges/{charge}/refunds/{refund}": R({"charge": "captured_charge",
                                                     "refund": "refund"}),

    "POST /v1/refunds": R(refs={"charge": "captured_charge"}),
    "GET /v1/refunds": R(refs={"charge": "captured_charge"}, list=True),
    "GET /v1/refunds/{refund}": R({"refund": "refund"}),
    "POST /v1/refunds/{refund}": R({"refund": "refund"}),

    "GET /v1/application_fees": R(list=True),
    "GET /v1/application_fees/{id}": R({"id": "fee"}, platform_only=True),
    "POST /v1/application_fees/{id}/refunds": R({"id": "fee"}, platform_only=True),
    "POST /v1/application_fees/{id}/refund": R({"id": "fee"}, platform_only=True),
    "GET /v1/application_fees/{id}/refunds": R({"id": "fee"}, platform_only=True),
    "GET /v1/application_fees/{fee}/refunds/{id}": R({"fee": "fee", "id": "fee_refund"},
                                                     platform_only=True),
    "POST /v1/application_fees/{fee}/refunds/{id}": R({"fee": "fee", "id": "fee_refund"},
                                                      platform_only=True),

    # P paying its own seller is the point of a transfer
    "POST /v1/transfers": R(refs={"destination": "account"}, params=AMOUNT,
                            allow=("platform_to_connected",)),
    "GET /v1/transfers": R(list=True),
    "GET /v1/transfers/{transfer}": R({"transfer": "transfer"}, platform_only=True),
    "POST /v1/transfers/{transfer}": R({"transfer": "transfer"}, platform_only=True),
    "POST /v1/transfers/{id}/reversals": R({"id": "transfer"}, platform_only=True),
    "GET /v1/transfers/{id}/reversals": R({"id": "transfer"}, platform_only=True),
    "GET /v1/transfers/{transfer}/reversals/{id}": R({"transfer": "transfer", "id": "reversal"},
                                                     platform_only=True),
    "POST /v1/transfers/{transfer}/reversals/{id}": R({"transfer": "transfer",
                                                       "id": "reversal"}, platform_only=True),

    "GET /v1/balance": R(),
    "GET /v1/balance_transactions": R(refs={"payout": "payout"}, list=True),
    "GET /v1/balance_transactions/{id}": R({"id": "balance_transaction"}),
    "GET /v1/balance/history": R(refs={"payout": "payout"}, list=True),
    "GET /v1/balance/history/{id}": R({"id": "balance_transaction"}),
    "POST /v1/test_helpers/balance/make_available": R(),

    # a payout goes to one of the acting account's own external accounts
    "POST /v1/payouts": R(refs={"destination": "external_account"}, params=AMOUNT),
    "GET /v1/payouts": R(refs={"destination": "external_account"}, list=True),
    "GET /v1/payouts/{payout}": R({"payout": "payout"}),
    "POST /v1/payouts/{payout}": R({"payout": "payout"}),
    "POST /v1/payouts/{payout}/cancel": R({"payout": "payout"}),
    "POST /v1/test_helpers/payouts/{payout}/settle": R({"payout": "payout"}),

    "GET /v1/events": R(list=True),
    "GET /v1/events/{id}": R({"id": "event"}),
    "POST /v1/events/{id}/retry": R({"id": "event"},
                                    refs={"webhook_endpoint": "webhook_endpoint"},
                                    allow=SANDBOX_CLI),

    "POST /v1/webhook_endpoints": R(),
    "GET /v1/webhook_endpoints": R(list=True),
    "GET /v1/webhook_endpoints/{webhook_endpoint}": R({"webhook_endpoint": "webhook_endpoint"}),
    "POST /v1/webhook_endpoints/{webhook_endpoint}": R({"webhook_endpoint": "webhook_endpoint"}),
    "DELETE /v1/webhook_endpoints/{webhook_endpoint}": R(
        {"webhook_endpoint": "webhook_endpoint"}),
    "POST /v1/webhook_endpoints/{webhook_endpoint}/sandbox_resend": R(
        {"webhook_endpoint": "webhook_endpoint"}, refs={"event": "event"}, allow=SANDBOX_CLI),
    "GET /v1/webhook_endpoints/{webhook_endpoint}/sandbox_attempts": R(
        {"webhook_endpoint": "webhook_endpoint"}, allow=SANDBOX_CLI),
}


# -- the world ------------------------------------------------------------------------

@dataclass
class Cast:
    world: World
    other_key: str
    s2: str = ""
    qs: str = ""

    @property
    def p(self) -> str:
        return self.world.platform

    @property
    def s(self) -> str:
        return self.world.seller


def _objects(client, account: str, opts: dict, objs: dict[str, str]) -> None:
    v1 = client.v1
    btok = v1.tokens.create(params={"bank_account": dict(BANK)}, options=opts)
    objs["bank_account"] = v1.customers.payment_sources.create(
        objs["customer"], params={"source": btok.id}, options=opts).id
    pm = v1.payment_methods.create(params={"type": "card", "card": {"token": "tok_visa"}},
                                   options=opts)
    v1.payment_methods.attach(pm.id, params={"customer": objs["customer"]}, options=opts)
    objs["payment_method"] = pm.id
    objs["source"] = v1.sources.create(params={"type": "card", "token": "tok_visa"},
                                       options=opts).id
    objs["payment_intent"] = v1.payment_intents.create(params={
        **AMOUNT, "customer": objs["customer"], "payment_method": pm.id}, options=opts).id
    objs["setup_intent"] = v1.setup_intents.create(params={
        "customer": objs["customer"], "payment_method": pm.id}, options=opts).id
    captured = v1.charges.create(params={**AMOUNT, "customer": objs["customer"]}, options=opts)
    objs["captured_charge"] = captured.id
    objs["balance_transaction"] = captured.balance_transaction
    objs["refund"] = v1.refunds.create(params={"charge": captured.id, "amount": 100},
                                       options=opts).id
    objs["webhook_endpoint"] = v1.webhook_endpoints.create(params={
        "url": "http://127.0.0.1:9/hook", "enabled_events": ["charge.dispute.created"]},
        options=opts).id
    objs["event"] = v1.events.list(params={"limit": 1}, options=opts).data[0].id


def build(world: World) -> Cast:
    client = world.sdk()
    cast = Cast(world, "sk_test_intruder" + secrets.token_hex(8))
    cast.s2 = client.v1.accounts.create(params={"type": "express"}).id
    cast.qs = world.sdk(cast.other_key).v1.accounts.create(params={"type": "standard"}).id
    for account in (cast.p, cast.s):
        opts = {} if account == cast.p else {"stripe_account": account}
        _objects(client, account, opts, world.objs[account])
    p = world.objs[cast.p]
    direct = client.v1.charges.create(params={**AMOUNT, "source": "tok_visa",
                                              "application_fee_amount": 100},
                                      options={"stripe_account": cast.s})
    p["fee"] = direct.application_fee
    p["fee_refund"] = client.v1.application_fees.refunds.create(
        direct.application_fee, params={"amount": 10}).id
    destination = client.v1.charges.create(params={
        **AMOUNT, "source": "tok_visa", "transfer_data": {"destination": cast.s}})
    p["transfer"] = destination.transfer
    p["reversal"] = client.v1.transfers.reversals.create(
        destination.transfer, params={"amount": 100}).id
    p["account"] = cast.s2                 # a seller of P that S must not reach
    world.objs[cast.s]["account"] = cast.s  # S itself, that S2 must not reach
    for objs, seller in ((p, cast.s2), (world.objs[cast.s], cast.s)):
        objs["capability"] = "card_payments"
        objs["external_account"] = client.v1.accounts.external_accounts.create(
            seller, params={"external_account": {"object": "bank_account", **BANK}}).id
    # a paid payout on P (to a bank account of its own) and on S
    client.v1.accounts.external_accounts.create(
        cast.p, params={"external_account": {"object": "bank_account", **BANK}})
    for account, opts in ((cast.p, {}), (cast.s, {"stripe_account": cast.s})):
        client.v1.charges.create(params={**AMOUNT, "source": "tok_bypassPending"},
                                 options=opts)
        po = client.v1.payouts.create(params={"amount": 500, "currency": "usd"},
                                      options=opts)
        world.objs[account]["payout"] = po.id
        deadline = time.monotonic() + 10  # settled by the job runner before the checks
        while client.v1.payouts.retrieve(po.id, options=opts).status == "pending":
            assert time.monotonic() < deadline, f"{po.id} still pending"
            time.sleep(0.05)
    return cast


@pytest.fixture(scope="module")
def cast(tmp_path_factory) -> Iterator[Cast]:
    with running_world("sqlite", tmp_path_factory) as world:
        yield build(world)


# -- the checks -----------------------------------------------------------------------

def _route(op) -> str:
    return f"{op.method} {op.path}"


def _fill(op, rule: Rule, objs: dict[str, str]) -> tuple[str, dict[str, Any]]:
    path = op.path
    for name, kind in rule.path.items():
        path = path.replace("{" + name + "}", objs[kind])
    params = {**rule.params, **{name: objs[kind] for name, kind in rule.refs.items()}}
    return path, params


def _send(cast: Cast, op, path: str, params: dict[str, Any], *, key: str | None = None,
          account: str | None = None):
    client = cast.world.http(key=key, account=account)
    encoded = list(_api_encode(params))  # Stripe's brackets, as the SDK writes them
    if op.method == "GET":
        return client.get(path, params=encoded)
    return client.request(op.method, path, content=urlencode(encoded).encode(),
                          headers={"Content-Type": "application/x-www-form-urlencoded"})


def _events(cast: Cast) -> list:
    out = []
    for key, account in ((None, None), (None, cast.s), (None, cast.s2), (cast.other_key, None)):
        data = cast.world.http(key=key, account=account).get(
            "/v1/events", params={"limit": 1}).json()
        out.append(data["data"][0]["id"] if data.get("data") else None)
    return out


def _foreign_ids(objs: dict[str, str]) -> set[str]:
    return {v for k, v in objs.items() if k not in ("account", "capability")}


def _refused(r, rule: Rule, scenario: str, route: str) -> None:
    where = f"{route} [{scenario}]"
    if rule.list and r.status_code == 200:
        return  # checked by the caller: shows nothing foreign
    assert r.status_code in (400, 403, 404), (where, r.status_code, r.text[:400])
    err = r.json()["error"]
    assert err["type"] == "invalid_request_error" and err["message"], (where, err)
    if r.status_code == 400:  # a 400 must be about the object named
        assert err.get("param") in set(rule.refs) | set(rule.path), (where, err)


def scenarios(cast: Cast, rule: Rule):
    """(name, key, Stripe-Account, the account whose objects fill the request)."""
    as_q = cast.qs if rule.clone else None
    yield "other_platform", cast.other_key, as_q, cast.p
    if not rule.platform_only:
        yield "other_platform_on_seller", cast.other_key, as_q, cast.s
        yield "platform_to_connected", None, None, cast.s
        yield "seller_to_seller", None, cast.s2, cast.s
    yield "connected_to_platform", None, cast.s, cast.p


def test_the_table_has_no_stale_entries():
    routed = {_route(op) for op in ROUTES}
    stale = sorted(set(RULES) - routed)
    assert not stale, f"RULES in {HERE} name routes that no longer exist: {stale}"


@pytest.mark.parametrize("op", ROUTES, ids=_route)
def test_access_control(cast, op):
    route = _route(op)
    rule = RULES.get(route)
    assert rule is not None, (
        f"{route} has no access-control rule: add it to RULES in {HERE} (which path and "
        "request parameters name which kind of object, and what Stripe allows).")
    world, objs = cast.world, cast.world.objs
    before = _events(cast)

    # A key of another platform never reaches through Stripe-Account.
    path, params = _fill(op, rule, objs[cast.p])
    r = _send(cast, op, path, params, key=cast.other_key, account=cast.s)
    assert r.status_code == 403 and r.json()["error"]["code"] == "account_invalid", (
        route, r.text[:300])

    # The publishable key: refused, unless the route is publishable.
    r = _send(cast, op, path, {**params, **PROBE}, key=world.pk)
    if op.publishable:
        assert PUBLISHABLE not in r.text, (route, "publishable route refused a pk_ key")
    else:
        assert r.status_code == 403, (route, r.status_code, r.text[:300])
        assert r.json()["error"]["message"] == PUBLISHABLE

    # Intruders: another platform, the connected account, the platform, another seller.
    if rule.path or rule.refs or rule.list:
        for name, key, account, owner in scenarios(cast, rule):
            if name in rule.allow:
                continue
            path, params = _fill(op, rule, objs[owner])
            r = _send(cast, op, path, params, key=key, account=account)
            _refused(r, rule, name, route)
            if r.status_code == 200:  # a list: nothing of the owner's in it
                shown = {o.get("id") for o in r.json().get("data", [])}
                leaked = shown & _foreign_ids(objs[owner])
                assert not leaked, (route, name, leaked)

    assert _events(cast) == before, f"{route}: a refused request wrote something"

    # The owner reaches its own objects (so the ids above were the right ones).
    if op.method == "GET" and rule.path:
        owners = [(cast.p, None)] + ([] if rule.platform_only else [(cast.s, cast.s)])
        for owner, account in owners:
            path, params = _fill(op, rule, objs[owner])
            r = _send(cast, op, path, params, account=account)
            assert r.status_code == 200, (route, "owner", owner, r.status_code, r.text[:300])
