"""Connect details checked against Stripe: a customer's source that is not its own, charges
and transfers refused for accounts that cannot charge or receive transfers (rejected, or a
capability removed), the transfer group of a PaymentIntent's destination charge, the order
of a destination charge's events, and the fields of external accounts."""
from __future__ import annotations

import json
from pathlib import Path

import stripe

from .money_support import balance, charge
from .support import BANK, as_, stripe_error

CANNOT_CHARGE = ("Your account cannot currently make charges. To find out why charge "
                 "creation is currently disabled, look at the `requirements.disabled_reason` "
                 "property on this account (/v1/accounts/{}).")
NO_TRANSFERS = ("Your destination account needs to have at least one of the following "
                "capabilities enabled: transfers, crypto_transfers, legacy_payments")
SCHEMAS = json.loads((Path(__file__).parents[1] / "data" / "stripe_schemas.json")
                     .read_text())["schemas"]


def _error(info) -> dict:
    return info.value.json_body["error"]


def _custom(client, **caps) -> str:
    """A custom account (the platform carries its losses, so it may reject it)."""
    caps = caps or {"card_payments": True, "transfers": True}
    return client.v1.accounts.create(params={"type": "custom", "capabilities": {
        name: {"requested": on} for name, on in caps.items()}}).id


def _events(client, account=None) -> list:
    """The account's events, oldest first."""
    evs = client.v1.events.list(params={"limit": 100},
                                options=as_(account) if account else {}).data
    return list(reversed(evs))


def _since(client, mark_ids: set, account=None) -> list:
    return [e for e in _events(client, account) if e.id not in mark_ids]


def _ids(client, account=None) -> set:
    return {e.id for e in _events(client, account)}


def _refused_charge(client, account):
    with stripe_error(stripe.InvalidRequestError, status=400,
                      message=CANNOT_CHARGE.format(account)) as info:
        charge(client, 1000, account=account)
    err = _error(info)
    assert err["type"] == "invalid_request_error"
    assert "code" not in err and "param" not in err


def _refused_transfer_destination(call):
    with stripe_error(stripe.InvalidRequestError, status=400,
                      code="insufficient_capabilities_for_transfer",
                      message=NO_TRANSFERS) as info:
        call()
    assert _error(info)["message"] == NO_TRANSFERS and "param" not in _error(info)
    return _error(info)


# -- 1. a source that is not the customer's -------------------------------------------

def test_charge_with_another_customers_or_unknown_source_is_404_missing(client):
    cus = client.v1.customers.create(params={"source": "tok_visa"})
    other = client.v1.customers.create(params={"source": "tok_mastercard"})
    for wanted in (other.default_source, "card_doesnotexist"):
        with stripe_error(stripe.InvalidRequestError, status=404, code="missing",
                          param="source") as info:
            charge(client, 500, customer=cus.id, source=wanted)
        assert _error(info)["message"] == \
            f"Customer {cus.id} does not have a linked source with ID {wanted}."
    assert client.v1.charges.list(params={"customer": cus.id}).data == []


# -- 2. accounts that cannot charge or receive transfers -------------------------------

def test_a_rejected_account_can_neither_charge_nor_receive(client):
    funding = charge(client, 5000, source="tok_bypassPending")  # the platform's funds
    acct = _custom(client)
    cus = client.v1.customers.create(params={"source": "tok_visa"})
    tok = client.v1.tokens.create(params={"customer": cus.id}, options=as_(acct))
    intent = client.v1.payment_intents.create(params={
        "amount": 1000, "currency": "usd", "payment_method": "pm_card_visa",
        "payment_method_types": ["card"]}, options=as_(acct))
    client.v1.accounts.reject(acct, params={"reason": "fraud"})
    before = balance(client)

    # direct charges: the Charges API and a PaymentIntent confirmation
    _refused_charge(client, acct)
    with stripe_error(stripe.InvalidRequestError, status=400,
                      message=CANNOT_CHARGE.format(acct)):
        charge(client, 1000, account=acct, source=tok.id)
    with stripe_error(stripe.InvalidRequestError, status=400,
                      message=CANNOT_CHARGE.format(acct)) as info:
        client.v1.payment_intents.confirm(intent.id, options=as_(acct))
    assert _error(info)["payment_intent"]["id"] == intent.id
    after = client.v1.payment_intents.retrieve(intent.id, options=as_(acct))
    assert after.status == "requires_confirmation" and after.latest_charge is None
    # created with confirm=true: the intent exists, unconfirmed, and says why
    with stripe_error(stripe.InvalidRequestError, status=400,
                      message=CANNOT_CHARGE.format(acct)) as info:
        client.v1.payment_intents.create(params={
            "amount": 1000, "currency": "usd", "payment_method": "pm_card_visa",
            "payment_method_types": ["card"], "confirm": True}, options=as_(acct))
    made = client.v1.payment_intents.retrieve(_error(info)["payment_intent"]["id"],
                                              options=as_(acct))
    assert made.status == "requires_confirmation" and made.latest_charge is None
    assert client.v1.charges.list(options=as_(acct)).data == []

    # the platform charging on its behalf, or sending it money
    with stripe_error(stripe.InvalidRequestError, status=400,
                      message=CANNOT_CHARGE.format(acct)):
        charge(client, 1000, on_behalf_of=acct)
    _refused_transfer_destination(
        lambda: charge(client, 1000, transfer_data={"destination": acct}))
    _refused_transfer_destination(lambda: client.v1.payment_intents.create(params={
        "amount": 1000, "currency": "usd", "transfer_data": {"destination": acct}}))
    _refused_transfer_destination(lambda: client.v1.transfers.create(params={
        "amount": 500, "currency": "usd", "destination": acct,
        "source_transaction": funding.id}))
    assert balance(client) == before
    assert client.v1.transfers.list(params={"destination": acct}).data == []
    assert balance(client, acct) == (0, 0)


def test_a_destination_intent_made_before_the_rejection_is_refused_at_confirmation(client):
    acct = _custom(client)
    pi = client.v1.payment_intents.create(params={
        "amount": 1200, "currency": "usd", "payment_method": "pm_card_visa",
        "payment_method_types": ["card"], "transfer_data": {"destination": acct}})
    client.v1.accounts.reject(acct, params={"reason": "terms_of_service"})
    err = _refused_transfer_destination(lambda: client.v1.payment_intents.confirm(pi.id))
    assert err["payment_intent"]["id"] == pi.id
    again = client.v1.payment_intents.retrieve(pi.id)
    assert again.status == "requires_confirmation" and again.latest_charge is None
    assert client.v1.charges.list(params={"payment_intent": pi.id}).data == []


def test_other_accounts_are_unaffected(client, seller):
    acct = _custom(client)
    client.v1.accounts.reject(_custom(client), params={"reason": "other"})
    funding = charge(client, 5000, source="tok_bypassPending")
    for account in (seller, acct):
        assert charge(client, 1000, account=account).status == "succeeded"
        pi = client.v1.payment_intents.create(params={
            "amount": 1000, "currency": "usd", "payment_method": "pm_card_visa",
            "payment_method_types": ["card"], "confirm": True}, options=as_(account))
        assert pi.status == "succeeded"
        ch = charge(client, 1000, transfer_data={"destination": account},
                    on_behalf_of=account)
        assert ch.transfer and ch.on_behalf_of == account
        tr = client.v1.transfers.create(params={"amount": 100, "currency": "usd",
                                                "destination": account,
                                                "source_transaction": funding.id})
        assert tr.destination == account


def test_capabilities_removed_with_requested_false(client):
    acct = _custom(client)
    client.v1.accounts.capabilities.update(acct, "card_payments",
                                           params={"requested": False})
    _refused_charge(client, acct)
    with stripe_error(stripe.InvalidRequestError, status=400,
                      message=CANNOT_CHARGE.format(acct)):
        charge(client, 1000, on_behalf_of=acct)
    # still a destination: its transfers capability is active
    ch = charge(client, 1000, transfer_data={"destination": acct})
    assert ch.status == "succeeded" and ch.transfer

    client.v1.accounts.capabilities.update(acct, "transfers", params={"requested": False})
    _refused_transfer_destination(
        lambda: charge(client, 1000, transfer_data={"destination": acct}))
    _refused_transfer_destination(lambda: client.v1.transfers.create(params={
        "amount": 100, "currency": "usd", "destination": acct,
        "source_transaction": ch.id}))

    # requested again, both work again
    for name in ("card_payments", "transfers"):
        client.v1.accounts.capabilities.update(acct, name, params={"requested": True})
    assert charge(client, 1000, account=acct).status == "succeeded"
    assert charge(client, 1000, transfer_data={"destination": acct}).transfer


def test_an_account_with_only_transfers_receives_but_cannot_charge(client):
    acct = _custom(client, transfers=True)
    assert charge(client, 800, transfer_data={"destination": acct}).transfer
    _refused_charge(client, acct)


# -- 3. a PaymentIntent destination charge's transfer group ----------------------------

def test_destination_intent_gets_its_own_transfer_group(client, seller):
    pi = client.v1.payment_intents.create(params={
        "amount": 2000, "currency": "usd", "payment_method": "pm_card_visa",
        "payment_method_types": ["card"], "transfer_data": {"destination": seller},
        "application_fee_amount": 100, "confirm": True,
        "expand": ["latest_charge.transfer"]})
    group = f"group_{pi.id}"
    assert pi.transfer_group == group
    assert pi.latest_charge.transfer_group == group
    assert pi.latest_charge.transfer.transfer_group == group
    assert client.v1.payment_intents.retrieve(pi.id).transfer_group == group
    listed = client.v1.transfers.list(params={"transfer_group": group}).data
    assert [t.id for t in listed] == [pi.latest_charge.transfer.id]
    assert [c.id for c in client.v1.charges.list(params={"transfer_group": group}).data] \
        == [pi.latest_charge.id]


def test_explicit_transfer_group_is_kept_and_plain_intents_get_none(client, seller):
    pi = client.v1.payment_intents.create(params={
        "amount": 1500, "currency": "usd", "payment_method": "pm_card_visa",
        "payment_method_types": ["card"], "transfer_data": {"destination": seller},
        "transfer_group": "ORDER_42", "confirm": True,
        "expand": ["latest_charge.transfer"]})
    assert pi.transfer_group == "ORDER_42"
    assert pi.latest_charge.transfer_group == "ORDER_42"
    assert pi.latest_charge.transfer.transfer_group == "ORDER_42"
    plain = client.v1.payment_intents.create(params={
        "amount": 1500, "currency": "usd", "payment_method": "pm_card_visa",
        "payment_method_types": ["card"], "confirm": True, "expand": ["latest_charge"]})
    assert plain.transfer_group is None and plain.latest_charge.transfer_group is None


def test_manual_capture_destination_intent_transfer_group(client, seller):
    pi = client.v1.payment_intents.create(params={
        "amount": 1800, "currency": "usd", "payment_method": "pm_card_visa",
        "payment_method_types": ["card"], "transfer_data": {"destination": seller},
        "capture_method": "manual", "confirm": True})
    assert pi.status == "requires_capture" and pi.transfer_group == f"group_{pi.id}"
    done = client.v1.payment_intents.capture(pi.id, params={
        "expand": ["latest_charge.transfer"]})
    assert done.transfer_group == f"group_{pi.id}"
    assert done.latest_charge.transfer.transfer_group == f"group_{pi.id}"


# -- 4. the order of a destination charge's events ------------------------------------

def _order(events, *wanted):
    """The position of each wanted type among `events` (each must occur once)."""
    found = [e.type for e in events]
    assert all(found.count(t) == 1 for t in wanted), found
    return [found.index(t) for t in wanted]


def test_destination_charge_event_comes_before_what_it_causes(client, seller):
    mark = _ids(client)
    ch = charge(client, 3000, transfer_data={"destination": seller},
                application_fee_amount=300)
    events = _since(client, mark)
    pos = _order(events, "charge.succeeded", "transfer.created")
    assert pos[0] < pos[1]
    snap = events[pos[0]].data.object
    assert snap.id == ch.id and snap.transfer == ch.transfer
    assert snap.application_fee == ch.application_fee and ch.application_fee
    assert snap.balance_transaction == ch.balance_transaction and ch.balance_transaction
    fee_events = [i for i, e in enumerate(events) if e.type == "application_fee.created"]
    assert all(i > pos[0] for i in fee_events)


def test_intent_destination_charge_event_order(client, seller):
    mark = _ids(client)
    pi = client.v1.payment_intents.create(params={
        "amount": 2500, "currency": "usd", "payment_method": "pm_card_visa",
        "payment_method_types": ["card"], "transfer_data": {"destination": seller},
        "confirm": True, "expand": ["latest_charge"]})
    events = _since(client, mark)
    created, charged, transferred, succeeded = _order(
        events, "payment_intent.created", "charge.succeeded", "transfer.created",
        "payment_intent.succeeded")
    assert created < charged < transferred
    assert charged < succeeded
    snap = events[charged].data.object
    assert snap.transfer == pi.latest_charge.transfer and snap.transfer
    assert snap.transfer_group == f"group_{pi.id}"
    assert events[transferred].data.object.source_transaction == pi.latest_charge.id


def test_captured_destination_charge_event_order(client, seller):
    pi = client.v1.payment_intents.create(params={
        "amount": 2200, "currency": "usd", "payment_method": "pm_card_visa",
        "payment_method_types": ["card"], "transfer_data": {"destination": seller},
        "capture_method": "manual", "confirm": True})
    mark = _ids(client)
    done = client.v1.payment_intents.capture(pi.id, params={"expand": ["latest_charge"]})
    events = _since(client, mark)
    captured, transferred = _order(events, "charge.captured", "transfer.created")
    assert captured < transferred
    snap = events[captured].data.object
    assert snap.transfer == done.latest_charge.transfer and snap.transfer
    assert snap.balance_transaction == done.latest_charge.balance_transaction


# -- 5. external accounts keep every field Stripe shows for them ------------------------

EXTERNAL_ONLY = {"card": {"account", "available_payout_methods", "currency",
                          "default_for_currency", "status"},
                 "bank_account": {"account", "available_payout_methods",
                                  "default_for_currency", "future_requirements",
                                  "requirements"}}


def _check_external(obj: dict, account: str) -> None:
    documented = set(SCHEMAS[obj["object"]]["properties"])
    if obj["object"] == "bank_account":
        documented.discard("customer")  # a customer's bank account only
    assert documented <= set(obj), sorted(documented - set(obj))
    assert obj["account"] == account and obj["status"] == "new"
    assert obj["currency"] == "usd" and isinstance(obj["default_for_currency"], bool)


def test_external_accounts_keep_their_payout_fields(client):
    acct = client.v1.accounts.create(params={"type": "custom",
                                             "external_account": "tok_visa_debit"}).id
    made = [client.v1.accounts.external_accounts.create(acct, params={"external_account": v})
            for v in ("tok_mastercard_debit",
                      {"object": "card", "number": "4000056655665556", "exp_month": 12,
                       "exp_year": 2034},
                      client.v1.tokens.create(params={"bank_account": dict(BANK)}).id,
                      {"object": "bank_account", **BANK, "account_number": "000111111116"})]
    assert [o.object for o in made] == ["card", "card", "bank_account", "bank_account"]
    seen = [o.to_dict() for o in made]
    seen += [o.to_dict() for o in client.v1.accounts.external_accounts.list(acct).data]
    seen += [client.v1.accounts.external_accounts.retrieve(acct, o.id).to_dict()
             for o in made]
    seen += client.v1.accounts.retrieve(acct).to_dict()["external_accounts"]["data"]
    seen += [client.v1.accounts.external_accounts.update(
        acct, made[0].id, params={"metadata": {"k": "v"}}).to_dict()]
    seen += [e.data.object.to_dict() for e in _events(client, acct)
             if e.type.startswith("account.external_account.")]
    assert len(seen) >= 20
    for obj in seen:
        _check_external(obj, acct)
    assert {o["object"] for o in seen} == {"card", "bank_account"}

    # a customer's card and bank account leave the payout fields out
    cus = client.v1.customers.create(params={"source": "tok_visa_debit"})
    card = client.v1.customers.payment_sources.retrieve(cus.id,
                                                        cus.default_source).to_dict()
    assert not EXTERNAL_ONLY["card"] & set(card)
    btok = client.v1.tokens.create(params={"bank_account": dict(BANK)})
    ba = client.v1.customers.payment_sources.create(cus.id,
                                                    params={"source": btok.id}).to_dict()
    assert not EXTERNAL_ONLY["bank_account"] & set(ba)
