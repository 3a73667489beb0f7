"""Every request parameter the spec lists for a create/update route is stored and
echoed: sent with a plausible value (generated from the spec, see param_values.py),
it comes back under the same name in the response and in a later retrieve. The
parameters that do not map 1:1 onto a same-named property are listed, with the
reason, in echo_cases.py; a parameter neither echoed nor listed fails the test.

Also checked: every POST route of the URL table has a case (or is not a create/update),
and every listed exception names a parameter the spec really has.
"""
from __future__ import annotations

import secrets

import pytest
import stripe

from connect_sandbox.params.validate import operation_params
from connect_sandbox.routes import ROUTES

from .echo_cases import CASES, Case, World
from .param_values import NOTHING, echoed, merge, response_property, sample

# POST routes that neither create nor update an object with parameters of its own.
NOT_ECHOED = {
    "POST /v1/customers/{customer}/sources/{id}/verify": "amounts: an instruction",
    "POST /v1/payment_methods/{payment_method}/detach": "no parameters but expand",
    "POST /v1/test_helpers/balance/make_available": "sandbox helper",
    "POST /v1/test_helpers/charges/{charge}/settle": "sandbox helper",
    "POST /v1/test_helpers/payouts/{payout}/settle": "sandbox helper",
    "POST /v1/payouts/{payout}/cancel": "no parameters but expand",
    "POST /v1/payment_intents/{intent}/increment_authorization":
        "always refused: no authorization here supports increments",
    "POST /v1/events/{id}/retry": "sandbox helper",
    "POST /v1/webhook_endpoints/{webhook_endpoint}/sandbox_resend": "sandbox helper",
    "POST /v1/account_links": "returns a link (url, created, expires_at), not an object",
    "POST /v1/accounts/{account}/login_links": "no parameters but expand",
    "POST /v1/accounts/{account}/reject": "reason: an instruction (requirements "
                                          "shows rejected.<reason>)",
}

# Where a stored object is read back.
RETRIEVE = {
    "account": "/v1/accounts/{id}", "customer": "/v1/customers/{id}",
    "card": "/v1/customers/{customer}/sources/{id}",
    "bank_account": "/v1/customers/{customer}/sources/{id}", "token": "/v1/tokens/{id}",
    "source": "/v1/sources/{id}", "charge": "/v1/charges/{id}", "refund": "/v1/refunds/{id}",
    "application_fee": "/v1/application_fees/{id}",
    "fee_refund": "/v1/application_fees/{fee}/refunds/{id}",
    "transfer": "/v1/transfers/{id}", "payout": "/v1/payouts/{id}",
    "transfer_reversal": "/v1/transfers/{transfer}/reversals/{id}",
    "webhook_endpoint": "/v1/webhook_endpoints/{id}",
    "payment_method": "/v1/payment_methods/{id}",
    "payment_intent": "/v1/payment_intents/{id}", "setup_intent": "/v1/setup_intents/{id}",
}

# A connected account's own objects (its external accounts and capabilities).
EXTERNAL = {"bank_account": "/v1/accounts/{account}/external_accounts/{id}",
            "card": "/v1/accounts/{account}/external_accounts/{id}",
            "capability": "/v1/accounts/{account}/capabilities/{id}"}


def _params(case: Case) -> list[str]:
    return sorted(p for p in operation_params(case.op)["properties"] if p != "expand")


PAIRS = [(case, p) for case in CASES for p in _params(case) if p not in case.exceptions]


@pytest.fixture(scope="module")
def world(server) -> World:
    client = stripe.StripeClient("sk_test_" + secrets.token_hex(12),
                                 base_addresses={"api": server.base}, max_network_retries=0)
    return World(client)


@pytest.mark.parametrize("case,param", PAIRS, ids=[f"{c.op} {p}" for c, p in PAIRS])
def test_param_is_echoed(world, case, param):
    call = case.setup(world, param)
    spec = operation_params(case.op)["properties"][param]
    obj_name = case.obj or call.state["object"]
    generated = sample(spec, response_property(obj_name, param), param, tuple(case.skip),
                       param)
    if param in case.values:
        value = case.values[param](world, call, None if generated is NOTHING else generated)
    else:
        assert generated is not NOTHING, (
            f"{param} has no same-named property on {obj_name}: echo it, or list it in "
            "echo_cases.py with the reason")
        value = generated
    expand = [param] if param in case.expand else []
    body = merge(call.base, {param: value})
    if expand:
        body["expand"] = expand
    got = world.post(call.path, body, account=call.account)
    assert got["object"] == obj_name
    problems = echoed(value, got.get(param), param)
    assert not problems, f"not echoed in the response: {problems}"
    url = (EXTERNAL if got.get("account") else RETRIEVE)[got["object"]].format(**got)
    again = world.get(url, account=call.account, **({"expand": expand} if expand else {}))
    problems = echoed(value, again.get(param), param)
    assert not problems, f"not stored (retrieve): {problems}"


def test_every_post_route_has_a_case():
    covered = {case.op for case in CASES}
    for route in ROUTES:
        if route.method == "POST":
            assert route.spec in covered or route.spec in NOT_ECHOED, route.spec


def test_exceptions_name_real_parameters():
    """(Shared lists of reasons may name parameters another operation has.)"""
    known = {p for case in CASES for p in _params(case)}
    for case in CASES:
        for name in case.exceptions:
            assert name in known, f"{case.op}: {name} is not a parameter"
        for path in case.skip:
            assert path.split(".")[0] in known, f"{case.op}: {path} is not a parameter"


def test_identity_numbers_are_stored_as_flags_only(world):
    """company[tax_id], individual[id_number], individual[ssn_last_4] are accepted but
    never returned: Stripe shows tax_id_provided / id_number_provided instead."""
    acct = world.post("/v1/accounts", {
        "type": "custom", "business_type": "company",
        "company": {"name": "Echo Inc", "tax_id": "000000000", "vat_id": "DE123"},
        "individual": {"first_name": "Jenny", "id_number": "000000000",
                       "ssn_last_4": "0000", "metadata": {"k": "v"}}})
    assert acct["company"]["tax_id_provided"] is True
    assert acct["company"]["vat_id_provided"] is True and acct["company"]["name"] == "Echo Inc"
    person = acct["individual"]
    assert person["object"] == "person" and person["account"] == acct["id"]
    assert person["id_number_provided"] is True and person["ssn_last_4_provided"] is True
    assert person["metadata"] == {"k": "v"} and person["first_name"] == "Jenny"
    again = world.post(f"/v1/accounts/{acct['id']}", {"individual": {"last_name": "Rosen"}})
    assert again["individual"]["id"] == person["id"]
    assert again["individual"]["first_name"] == "Jenny"
    assert again["individual"]["last_name"] == "Rosen"
    text = str(world.get(f"/v1/accounts/{acct['id']}"))
    assert "000000000" not in text and "DE123" not in text and "'0000'" not in text
