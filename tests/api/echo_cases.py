"""The table behind test_param_echo.py: for every POST route that creates or updates an
object, how to reach it (a fresh object in the right state and the base parameters the
call needs), which object comes back, the values some parameters need (ids of related
objects), and the spec parameters that do not come back under their own name, each
with its reason. All other values are generated from the spec (param_values.sample).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Callable

from .echo_world import BANK, CARD, Call, World

# Why a parameter is not echoed under its own name.
ACTION = "an instruction for this request, not a property of the object"
ALIAS = "an older spelling of a parameter tested under its current name"
CLONE = "names what to clone from the platform; the result is a new object"
CARD_ONLY = "details of a payment method type the sandbox does not implement (cards only)"
NO_REF = "refers to an object the sandbox does not implement"
SECRET = "the client secret authenticating a publishable-key call"
FILES = "identity documents are File ids; the sandbox does not implement the Files API"
PM_TYPES = ("acss_debit", "affirm", "afterpay_clearpay", "alipay", "au_becs_debit",
            "bacs_debit", "bancontact", "blik", "boleto", "card_present", "cashapp",
            "customer_balance", "eps", "fpx", "giropay", "grabpay", "ideal",
            "interac_present", "klarna", "konbini", "link", "oxxo", "p24", "paynow",
            "paypal", "pix", "promptpay", "sepa_debit", "sofort", "us_bank_account",
            "wechat_pay", "zip")


# value(world, call, generated) -> the value to send instead of the generated one
Value = Callable[[World, Call, Any], Any]


@dataclass
class Case:
    op: str                                   # the spec operation, "POST /v1/customers"
    obj: str | None                           # the response's object name (None: varies)
    setup: Callable[[World, str], Call]
    exceptions: dict[str, str] = field(default_factory=dict)
    skip: dict[str, str] = field(default_factory=dict)   # nested paths left out, and why
    values: dict[str, Value] = field(default_factory=dict)
    expand: tuple[str, ...] = ()              # properties shown only when expanded


def const(value: Any) -> Value:
    return lambda w, call, gen: value


def state(key: str) -> Value:
    return lambda w, call, gen: call.state[key]


SELLER: Value = lambda w, call, gen: w.seller
NEW_CUSTOMER: Value = lambda w, call, gen: w.customer()["id"]
NEW_PM: Value = lambda w, call, gen: w.pm()
TRANSFER_DATA: Value = lambda w, call, gen: {"amount": 1500, "destination": w.seller}
CARD_TYPES = const(["card"])
CARD_OPTIONS = {f"payment_method_options.{t}": CARD_ONLY for t in PM_TYPES}
PERSON = {"company.verification": FILES, "individual.verification": FILES}


def _account_create(w: World, p: str) -> Call:
    return Call("/v1/accounts", {"type": "custom"})


def _external_update(w: World, p: str) -> Call:
    """A connected account's external bank account, or debit card for the card fields."""
    acct = w.custom_account()
    card = p.startswith("address_") or p in ("exp_month", "exp_year", "name")
    ext = w.post(f"/v1/accounts/{acct}/external_accounts", {"external_account": (
        "tok_visa_debit" if card else {"object": "bank_account", **BANK})})
    return Call(f"/v1/accounts/{acct}/external_accounts/{ext['id']}",
                state={"object": ext["object"]})


def _payout(w: World) -> Call:
    """The platform with available funds and a bank account of its own to pay out to."""
    w.fund()
    platform = w.get("/v1/account")["id"]
    ba = w.post(f"/v1/accounts/{platform}/external_accounts",
                {"external_account": {"object": "bank_account", **BANK}})
    return Call("/v1/payouts", {"amount": 1000, "currency": "usd"}, state={"ba": ba["id"]})


def _payout_update(w: World, p: str) -> Call:
    call = _payout(w)
    return Call(f"/v1/payouts/{w.post(call.path, call.base)['id']}")


def _account_update(w: World, p: str) -> Call:
    return Call(f"/v1/accounts/{w.custom_account()}")


ACCOUNT_EXCEPTIONS = {
    "account_token": "fills the account from an account token (an instruction)",
    "bank_account": "an older spelling of external_account",
    "external_account": "adds an external account (listed under external_accounts)",
    "documents": FILES,
    "capabilities": "requested capabilities come back as their status, not as the request",
    "controller": "(newer API versions) shown in Stripe's own form: controller[type] ...",
}


def _customer_create(w: World, p: str) -> Call:
    if p == "invoice_settings":
        pm = w.pm()
        return Call("/v1/customers", {"payment_method": pm}, state={"pm": pm})
    return Call("/v1/customers")


def _customer_update(w: World, p: str) -> Call:
    cus = w.customer("tok_visa")
    pm = w.pm(cus["id"]) if p == "invoice_settings" else None
    return Call(f"/v1/customers/{cus['id']}", state={"pm": pm, "id": cus["id"]})


def _default_pm(w: World, call: Call, gen: Any) -> Any:
    return {**gen, "default_payment_method": call.state["pm"]}


def _second_source(w: World, call: Call, gen: Any) -> str:
    return w.post(f"/v1/customers/{call.state['id']}/sources", {"source": "tok_mastercard"})["id"]


CUSTOMER_EXCEPTIONS = {
    "cash_balance": "cash balances (customer_balance payments) are not implemented",
    "coupon": NO_REF, "promotion_code": NO_REF, "test_clock": NO_REF,
    "tax_id_data": "creates TaxId objects (listed under tax_ids)",
    "payment_method": "attaches that PaymentMethod (an instruction)",
    "source": "attaches that card or bank account (shown as default_source)",
}


def _source_update(w: World, p: str) -> Call:
    if p.startswith("account_holder_"):
        tok = w.post("/v1/tokens", {"bank_account": BANK})["id"]
        cus = w.customer(tok)
    elif p == "owner":
        cus = w.customer()
        src = w.post("/v1/sources", {"type": "card", "token": "tok_visa"})["id"]
        w.post(f"/v1/customers/{cus['id']}/sources", {"source": src})
        cus = w.get(f"/v1/customers/{cus['id']}")
    else:
        cus = w.customer("tok_visa")
    src = w.get(f"/v1/customers/{cus['id']}/sources/{cus['default_source']}")
    return Call(f"/v1/customers/{cus['id']}/sources/{src['id']}",
                state={"object": src["object"]})


def _charge_create(w: World, p: str) -> Call:
    if p == "customer":
        return Call("/v1/charges", {"amount": 2000, "currency": "usd"})
    return Call("/v1/charges", {"amount": 2000, "currency": "usd", "source": "tok_visa"},
                account=w.seller if p == "application_fee_amount" else None)


def _charge_capture(w: World, p: str) -> Call:
    if p == "application_fee_amount":
        ch = w.charge(account=w.seller, capture=False)
        return Call(f"/v1/charges/{ch['id']}/capture", account=w.seller)
    extra = {"transfer_data": {"destination": w.seller}} if p == "transfer_data" else {}
    ch = w.charge(capture=False, **extra)
    return Call(f"/v1/charges/{ch['id']}/capture")


def _refund(scoped: bool) -> Callable[[World, str], Call]:
    def setup(w: World, p: str) -> Call:
        if p == "payment_intent":
            pi = w.intent(payment_method="pm_card_visa", confirm=True)
            ch = pi["latest_charge"]
        else:
            pi, ch = None, w.charge()["id"]
        state = {"charge": ch, "pi": pi and pi["id"]}
        if scoped:
            return Call(f"/v1/charges/{ch}/refunds", state=state)
        base = {} if p in ("charge", "payment_intent") else {"charge": ch}
        return Call("/v1/refunds", base, state=state)
    return setup


REFUND_EXCEPTIONS = {
    "customer": "refunds a customer's cash balance (origin=customer_balance), not implemented",
    "origin": "refunds a customer's cash balance (origin=customer_balance), not implemented",
    "refund_application_fee": ACTION, "reverse_transfer": ACTION,
}


def _intent_update(w: World, p: str) -> Call:
    extra = {"transfer_data": {"destination": w.seller}} \
        if p in ("transfer_data", "application_fee_amount") else {}
    return Call(f"/v1/payment_intents/{w.intent(**extra)['id']}")


def _intent_confirm(w: World, p: str) -> Call:
    pi = w.intent(payment_method=w.pm())
    return Call(f"/v1/payment_intents/{pi['id']}/confirm")


def _intent_capture(w: World, p: str) -> Call:
    extra = {"transfer_data": {"destination": w.seller}} \
        if p in ("transfer_data", "application_fee_amount") else {}
    pi = w.intent(payment_method="pm_card_visa", confirm=True, capture_method="manual",
                  **extra)
    return Call(f"/v1/payment_intents/{pi['id']}/capture")


INTENT_EXCEPTIONS = {
    "confirm": ACTION, "error_on_requires_action": ACTION, "off_session": ACTION,
    "return_url": ACTION, "use_stripe_sdk": ACTION,
    "mandate": "mandates are not implemented", "mandate_data": "mandates are not implemented",
    "payment_method_data": "creates the PaymentMethod shown as payment_method",
    "radar_options": "passed on to the charge (a PaymentIntent has no radar_options)",
    "client_secret": SECRET,
}


def _setup_confirm(w: World, p: str) -> Call:
    si = w.setup_intent(payment_method=w.pm())
    return Call(f"/v1/setup_intents/{si['id']}/confirm")


def _pm_update(w: World, p: str) -> Call:
    return Call(f"/v1/payment_methods/{w.pm(w.customer()['id'])}")


# Endpoints that nothing is sent to: events the cases never cause, and a local port
# that refuses connections (the shared test server's delivery worker must not wait on
# the network).
HOOK = {"url": "http://127.0.0.1:9/hook", "enabled_events": ["account.application.authorized"]}
HOOK_VALUES = {"url": const("http://127.0.0.1:9/echo"),
               "enabled_events": const(["account.application.authorized",
                                        "account.application.deauthorized"])}


def _webhook_update(w: World, p: str) -> Call:
    we = w.post("/v1/webhook_endpoints", HOOK)
    return Call(f"/v1/webhook_endpoints/{we['id']}")


def _reversal(w: World, p: str) -> Call:
    tr = w.transfer()
    return Call(f"/v1/transfers/{tr['id']}/reversals")


def _reversal_update(w: World, p: str) -> Call:
    tr = w.transfer()
    rev = w.post(f"/v1/transfers/{tr['id']}/reversals", {"amount": 100})
    return Call(f"/v1/transfers/{tr['id']}/reversals/{rev['id']}")


def _fee_refund_update(w: World, p: str) -> Call:
    fee = w.fee()
    fr = w.post(f"/v1/application_fees/{fee['id']}/refunds", {"amount": 100})
    return Call(f"/v1/application_fees/{fee['id']}/refunds/{fr['id']}")


def _refund_update(scoped: bool) -> Callable[[World, str], Call]:
    def setup(w: World, p: str) -> Call:
        ch = w.charge()["id"]
        re = w.post("/v1/refunds", {"charge": ch, "amount": 100})["id"]
        return Call(f"/v1/charges/{ch}/refunds/{re}" if scoped else f"/v1/refunds/{re}")
    return setup


def _source_object_update(w: World, p: str) -> Call:
    src = w.post("/v1/sources", {"type": "card", "token": "tok_visa"})
    return Call(f"/v1/sources/{src['id']}")


SOURCE_EXCEPTIONS = {
    "mandate": "no property of that name on a Source (mandates are not implemented)",
    "receiver": "only for flow=receiver Sources (the sandbox makes card Sources, flow=none)",
    "redirect": "only for flow=redirect Sources (the sandbox makes card Sources, flow=none)",
    "source_order": "only for Klarna Sources; " + CARD_ONLY,
}

CASES: list[Case] = [
    Case("POST /v1/accounts", "account", _account_create, ACCOUNT_EXCEPTIONS, PERSON),
    Case("POST /v1/accounts/{account}", "account", _account_update,
         {k: v for k, v in ACCOUNT_EXCEPTIONS.items() if k not in ("bank_account", "controller")},
         PERSON),
    Case("POST /v1/customers", "customer", _customer_create, CUSTOMER_EXCEPTIONS,
         values={"invoice_settings": _default_pm}, expand=("tax",)),
    Case("POST /v1/customers/{customer}", "customer", _customer_update,
         {**{k: v for k, v in CUSTOMER_EXCEPTIONS.items()
             if k not in ("test_clock", "tax_id_data", "payment_method")},
          "bank_account": ALIAS, "card": ALIAS,
          "default_alipay_account": ALIAS, "default_bank_account": ALIAS,
          "default_card": ALIAS},
         values={"invoice_settings": _default_pm, "default_source": _second_source},
         expand=("tax",)),
    Case("POST /v1/customers/{customer}/sources", "card",
         lambda w, p: Call(f"/v1/customers/{w.customer()['id']}/sources",
                           {"source": "tok_visa"}),
         {"alipay_account": CARD_ONLY, "bank_account": ACTION, "card": ACTION,
          "source": ACTION}),
    Case("POST /v1/customers/{customer}/sources/{id}", None, _source_update,
         values={"exp_month": const(11), "exp_year": const(2031)}),
    Case("POST /v1/tokens", "token",
         lambda w, p: Call("/v1/tokens", {"bank_account": BANK} if p == "bank_account"
                           else {"card": CARD} if p == "card" else {}),
         {"customer": CLONE,
          "account": "makes an account token (type=account), which shows no details",
          "person": "makes a person token (type=person), which shows no details",
          "pii": "makes a PII token (type=pii), which shows no details",
          "cvc_update": "makes a CVC update token (type=cvc_update), which shows no details"}),
    Case("POST /v1/charges", "charge", _charge_create,
         {"application_fee": "an older spelling of application_fee_amount (`application_fee` "
          "on a charge is the fee's id)", "capture": "shown as captured",
          "card": ALIAS, "destination": "an older spelling of transfer_data[destination]",
          "source": "the card to charge, shown as the source card object"},
         values={"customer": lambda w, c, g: w.customer("tok_visa")["id"],
                 "on_behalf_of": SELLER, "transfer_data": TRANSFER_DATA}),
    Case("POST /v1/charges/{charge}", "charge",
         lambda w, p: Call(f"/v1/charges/{w.charge()['id']}"),
         values={"customer": NEW_CUSTOMER}),
    Case("POST /v1/charges/{charge}/capture", "charge", _charge_capture,
         {"amount": "the amount to capture, shown as amount_captured",
          "application_fee": "an older spelling of application_fee_amount"},
         values={"application_fee_amount": const(150), "transfer_data": const({"amount": 1500})}),
    Case("POST /v1/charges/{charge}/refunds", "refund", _refund(True), REFUND_EXCEPTIONS,
         values={"payment_intent": state("pi")}),
    Case("POST /v1/refunds", "refund", _refund(False), REFUND_EXCEPTIONS,
         values={"payment_intent": state("pi"), "charge": state("charge")}),
    Case("POST /v1/charges/{charge}/refunds/{refund}", "refund", _refund_update(True)),
    Case("POST /v1/refunds/{refund}", "refund", _refund_update(False)),
    Case("POST /v1/application_fees/{id}/refunds", "fee_refund",
         lambda w, p: Call(f"/v1/application_fees/{w.fee()['id']}/refunds"),
         values={"amount": const(100)}),
    Case("POST /v1/application_fees/{id}/refund", "application_fee",
         lambda w, p: Call(f"/v1/application_fees/{w.fee()['id']}/refund"),
         {"amount": "the amount to refund, shown as amount_refunded", "directive": ACTION}),
    Case("POST /v1/application_fees/{fee}/refunds/{id}", "fee_refund", _fee_refund_update),
    Case("POST /v1/transfers", "transfer",
         lambda w, p: (w.fund(), Call("/v1/transfers", {"amount": 1000, "currency": "usd",
                                                        "destination": w.seller}))[1],
         values={"destination": SELLER,
                 "source_transaction": lambda w, c, g: w.charge()["id"]}),
    Case("POST /v1/transfers/{transfer}", "transfer",
         lambda w, p: Call(f"/v1/transfers/{w.transfer()['id']}")),
    Case("POST /v1/transfers/{id}/reversals", "transfer_reversal", _reversal,
         {"description": "describes the balance transaction (a reversal has no description)",
          "refund_application_fee": ACTION},
         values={"amount": const(100)}),
    Case("POST /v1/transfers/{transfer}/reversals/{id}", "transfer_reversal",
         _reversal_update),
    Case("POST /v1/payouts", "payout", lambda w, p: _payout(w),
         values={"destination": state("ba"), "method": const("standard"),
                 "source_type": const("card")}),
    Case("POST /v1/payouts/{payout}", "payout", _payout_update),
    Case("POST /v1/webhook_endpoints", "webhook_endpoint",
         lambda w, p: Call("/v1/webhook_endpoints", HOOK),
         {"connect": "makes a Connect endpoint (no property of that name)"},
         values=HOOK_VALUES),
    Case("POST /v1/webhook_endpoints/{webhook_endpoint}", "webhook_endpoint",
         _webhook_update, {"disabled": "shown as status=disabled"},
         values=HOOK_VALUES),
    Case("POST /v1/payment_methods", "payment_method",
         lambda w, p: Call("/v1/payment_methods", {"type": "card", "card": CARD}),
         {"customer": CLONE, "payment_method": CLONE,
          **{t: CARD_ONLY for t in PM_TYPES if t != "card_present"}},
         values={"type": const("card"), "allow_redisplay": const("always")}),
    Case("POST /v1/payment_methods/{payment_method}", "payment_method", _pm_update,
         {"link": CARD_ONLY, "us_bank_account": CARD_ONLY},
         values={"allow_redisplay": const("limited")}),
    Case("POST /v1/payment_methods/{payment_method}/attach", "payment_method",
         lambda w, p: Call(f"/v1/payment_methods/{w.pm()}/attach"),
         values={"customer": NEW_CUSTOMER}),
    Case("POST /v1/payment_intents", "payment_intent",
         lambda w, p: Call("/v1/payment_intents", {"amount": 2000, "currency": "usd", **(
             {"transfer_data": {"destination": w.seller}}
             if p == "application_fee_amount" else {})}),
         INTENT_EXCEPTIONS, CARD_OPTIONS,
         values={"customer": NEW_CUSTOMER, "on_behalf_of": SELLER, "payment_method": NEW_PM,
                 "payment_method_types": CARD_TYPES, "transfer_data": TRANSFER_DATA,
                 "capture_method": const("manual"), "confirmation_method": const("manual")}),
    Case("POST /v1/payment_intents/{intent}", "payment_intent", _intent_update,
         INTENT_EXCEPTIONS, CARD_OPTIONS,
         values={"customer": NEW_CUSTOMER, "payment_method": NEW_PM,
                 "payment_method_types": CARD_TYPES, "transfer_data": const({"amount": 1500}),
                 "capture_method": const("manual")}),
    Case("POST /v1/payment_intents/{intent}/confirm", "payment_intent", _intent_confirm,
         INTENT_EXCEPTIONS, CARD_OPTIONS,
         values={"payment_method": NEW_PM, "payment_method_types": CARD_TYPES,
                 "capture_method": const("manual")}),
    Case("POST /v1/payment_intents/{intent}/capture", "payment_intent", _intent_capture,
         {"amount_to_capture": "the amount to capture, shown as amount_received"},
         values={"application_fee_amount": const(150), "transfer_data": const({"amount": 1500})}),
    Case("POST /v1/payment_intents/{intent}/cancel", "payment_intent",
         lambda w, p: Call(f"/v1/payment_intents/{w.intent()['id']}/cancel")),
    Case("POST /v1/setup_intents", "setup_intent", lambda w, p: Call("/v1/setup_intents"),
         {**INTENT_EXCEPTIONS, "single_use": "a one-time mandate (single_use_mandate); shown "
          "as usage=on_session"}, CARD_OPTIONS,
         values={"customer": NEW_CUSTOMER, "on_behalf_of": SELLER, "payment_method": NEW_PM,
                 "payment_method_types": CARD_TYPES, "usage": const("on_session")}),
    Case("POST /v1/setup_intents/{intent}", "setup_intent",
         lambda w, p: Call(f"/v1/setup_intents/{w.setup_intent()['id']}"),
         INTENT_EXCEPTIONS, CARD_OPTIONS,
         values={"customer": NEW_CUSTOMER, "payment_method": NEW_PM,
                 "payment_method_types": CARD_TYPES}),
    Case("POST /v1/setup_intents/{intent}/confirm", "setup_intent", _setup_confirm,
         INTENT_EXCEPTIONS, CARD_OPTIONS, values={"payment_method": NEW_PM}),
    Case("POST /v1/setup_intents/{intent}/cancel", "setup_intent",
         lambda w, p: Call(f"/v1/setup_intents/{w.setup_intent()['id']}/cancel")),
    Case("POST /v1/sources", "source",
         lambda w, p: Call("/v1/sources", {"type": "card", **(
             {"card": CARD} if p == "card" else {"token": "tok_visa"})}),
         {**SOURCE_EXCEPTIONS, "customer": CLONE, "original_source": CLONE,
          "token": "the card token the Source is made from"},
         values={"type": const("card"), "flow": const("none"), "usage": const("single_use")}),
    Case("POST /v1/sources/{source}", "source", _source_object_update, SOURCE_EXCEPTIONS),
    Case("POST /v1/accounts/{account}/capabilities/{capability}", "capability",
         lambda w, p: Call(f"/v1/accounts/{w.custom_account()}/capabilities/"
                           "us_bank_account_ach_payments"),
         values={"requested": const(True)}),
    Case("POST /v1/accounts/{account}/external_accounts", "bank_account",
         lambda w, p: Call(f"/v1/accounts/{w.custom_account()}/external_accounts",
                           {"external_account": {"object": "bank_account", **BANK}}),
         {"external_account": "the token or details the external account is made from",
          "bank_account": ALIAS},
         values={"default_for_currency": const(True)}),
    Case("POST /v1/accounts/{account}/external_accounts/{id}", None, _external_update,
         {"documents": FILES},
         values={"default_for_currency": const(True), "exp_month": const(12),
                 "exp_year": const(2031), "account_holder_type": const("company")}),
]
