"""3-D Secure: a card that needs authentication moves the intent to requires_action with
next_action.redirect_to_url pointing at this server's test page; completing or failing
it there (plain HTML forms, driven over HTTP) moves the intent on as Stripe's does and
redirects to return_url."""
from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import httpx
import stripe

from .intent_support import account_of, authenticate, open_page
from .payment_support import charge
from .support import as_, stripe_error

RETURN = "https://shop.example/return?order=7"


def _needs_3ds(client, options=None, **params):
    pi = charge(client, "pm_card_authenticationRequiredOnSetup", return_url=RETURN,
                options=options, **params)
    assert pi.status == "requires_action"
    return pi


def test_completed_authentication(client, server):
    pi = _needs_3ds(client)
    action = pi.next_action
    assert action.type == "redirect_to_url"
    assert action.redirect_to_url.return_url == RETURN
    assert action.redirect_to_url.url.startswith(server.base + "/sandbox/3ds/" + pi.id)
    assert pi.latest_charge is None and pi.amount_received == 0
    page, forms = open_page(pi)
    assert page.status_code == 200 and "text/html" in page.headers["content-type"]
    assert "$20.00" in page.text and forms.scripts == 0
    done = authenticate(pi, "complete")
    assert done.status_code == 303
    target = urlsplit(done.headers["location"])
    assert (target.scheme, target.netloc, target.path) == ("https", "shop.example", "/return")
    query = parse_qs(target.query)
    assert query == {"order": ["7"], "payment_intent": [pi.id],
                     "payment_intent_client_secret": [pi.client_secret],
                     "redirect_status": ["succeeded"]}
    pi = client.v1.payment_intents.retrieve(pi.id)
    assert pi.status == "succeeded" and pi.next_action is None and pi.amount_received == 2000
    ch = client.v1.charges.retrieve(pi.latest_charge)
    assert ch.payment_method_details.card.three_d_secure.result == "authenticated"
    types = [e.type for e in client.v1.events.list(params={"type": "payment_intent.*"}).data]
    assert types[:3] == ["payment_intent.succeeded", "payment_intent.requires_action",
                         "payment_intent.created"]
    # the page is finished: showing it says so, posting again is refused
    again = httpx.get(action.redirect_to_url.url, timeout=10)
    assert again.status_code == 200 and "succeeded" in again.text
    assert _post(action, pi).status_code == 409


def _post(action, pi, choice="complete"):
    """Post the page's form as a browser that kept an old copy of it would."""
    return httpx.post(action.redirect_to_url.url.split("?")[0], data={
        "account": account_of(action.redirect_to_url.url), "client_secret": pi.client_secret,
        "action": choice}, timeout=10)


def test_failed_authentication(client):
    pi = _needs_3ds(client)
    done = authenticate(pi, "fail")
    assert done.status_code == 303
    assert parse_qs(urlsplit(done.headers["location"]).query)["redirect_status"] == ["failed"]
    pi = client.v1.payment_intents.retrieve(pi.id)
    assert pi.status == "requires_payment_method" and pi.payment_method is None
    assert pi.last_payment_error.code == "payment_intent_authentication_failure"
    assert pi.last_payment_error.payment_method.card.last4 == "3155"
    assert pi.latest_charge is None
    # the customer retries with another card
    pi = client.v1.payment_intents.confirm(pi.id, params={"payment_method": "pm_card_visa"})
    assert pi.status == "succeeded"


def test_without_return_url_the_page_shows_the_outcome(client):
    pi = charge(client, "pm_card_authenticationRequired")
    # without a return_url Stripe answers use_stripe_sdk (for Stripe.js)
    assert pi.next_action.type == "use_stripe_sdk"
    assert "/sandbox/3ds/" + pi.id in pi.next_action.use_stripe_sdk.stripe_js
    done = authenticate(pi, "complete")
    assert done.status_code == 200 and "succeeded" in done.text


def test_manual_capture_and_manual_confirmation(client):
    pi = _needs_3ds(client, capture_method="manual")
    authenticate(pi)
    pi = client.v1.payment_intents.retrieve(pi.id)
    assert pi.status == "requires_capture" and pi.amount_capturable == 2000
    assert client.v1.payment_intents.capture(pi.id).status == "succeeded"
    manual = client.v1.payment_intents.create(params={
        "amount": 2000, "currency": "usd", "confirmation_method": "manual",
        "payment_method": "pm_card_authenticationRequired"})
    manual = client.v1.payment_intents.confirm(manual.id, params={"return_url": RETURN})
    assert manual.status == "requires_action"
    authenticate(manual)
    manual = client.v1.payment_intents.retrieve(manual.id)
    assert manual.status == "requires_confirmation" and manual.latest_charge is None
    assert client.v1.payment_intents.confirm(manual.id).status == "succeeded"


def test_requires_action_can_be_canceled_or_reconfirmed(client):
    pi = _needs_3ds(client)
    pi = client.v1.payment_intents.confirm(pi.id, params={"payment_method": "pm_card_visa"})
    assert pi.status == "succeeded"
    other = _needs_3ds(client)
    assert client.v1.payment_intents.cancel(other.id).status == "canceled"
    assert _post(other.next_action, other).status_code == 409


def test_wrong_secret_or_account_is_not_found(client, seller):
    pi = _needs_3ds(client)
    url = pi.next_action.redirect_to_url.url
    assert httpx.get(url.replace("client_secret=", "client_secret=x"), timeout=10) \
        .status_code == 404
    assert httpx.get(url.replace(account_of(url), seller), timeout=10).status_code == 404
    bad = httpx.post(url.split("?")[0], data={"account": account_of(url),
                                              "client_secret": "nope", "action": "complete"},
                     timeout=10)
    assert bad.status_code == 404
    assert client.v1.payment_intents.retrieve(pi.id).status == "requires_action"


def test_on_a_connected_account(client, seller):
    pi = _needs_3ds(client, options=as_(seller))
    assert account_of(pi.next_action.redirect_to_url.url) == seller
    authenticate(pi)
    pi = client.v1.payment_intents.retrieve(pi.id, options=as_(seller))
    assert pi.status == "succeeded"
    events = client.v1.events.list(params={"type": "payment_intent.succeeded"},
                                   options=as_(seller)).data
    assert events and events[0].account == seller


def test_setup_intent_authentication_failure(client):
    cus = client.v1.customers.create()
    si = client.v1.setup_intents.create(params={
        "customer": cus.id, "confirm": True, "return_url": RETURN,
        "payment_method": "pm_card_authenticationRequired"})
    assert si.next_action.redirect_to_url.return_url == RETURN
    done = authenticate(si, "fail")
    query = parse_qs(urlsplit(done.headers["location"]).query)
    assert query["setup_intent"] == [si.id] and query["redirect_status"] == ["failed"]
    si = client.v1.setup_intents.retrieve(si.id)
    assert si.status == "requires_payment_method"
    assert si.last_setup_error.code == "setup_intent_authentication_failure"
    assert client.v1.customers.payment_methods.list(cus.id).data == []
    assert client.v1.setup_intents.cancel(si.id).status == "canceled"
    with stripe_error(stripe.InvalidRequestError, code="setup_intent_unexpected_state"):
        client.v1.setup_intents.cancel(si.id)
