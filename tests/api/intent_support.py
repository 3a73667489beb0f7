"""Helpers for the PaymentIntent / SetupIntent tests: drive the sandbox's 3-D Secure
page over plain HTTP, as a browser without JavaScript would."""
from __future__ import annotations

import re
from html.parser import HTMLParser
from urllib.parse import urljoin

import httpx

CARD = {"number": "4242424242424242", "exp_month": 12, "exp_year": 2034, "cvc": "123"}


class _Forms(HTMLParser):
    """Collects the page's forms: action, method, hidden inputs, submit buttons."""

    def __init__(self) -> None:
        super().__init__()
        self.forms: list[dict] = []
        self.scripts = 0

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "script":
            self.scripts += 1
        elif tag == "form":
            self.forms.append({"action": a.get("action"), "method": a.get("method"),
                               "fields": {}, "buttons": {}})
        elif tag == "input" and self.forms:
            self.forms[-1]["fields"][a.get("name")] = a.get("value", "")
        elif tag == "button" and self.forms:
            self.forms[-1]["buttons"][a.get("value")] = a.get("name")


def page_url(intent) -> str:
    """The 3-D Secure page of next_action: redirect_to_url.url (confirmed with a
    return_url) or use_stripe_sdk.stripe_js (without one, as Stripe answers)."""
    action = intent.next_action
    if action.type == "use_stripe_sdk":
        return action.use_stripe_sdk.stripe_js
    return action.redirect_to_url.url


def open_page(intent) -> tuple[httpx.Response, _Forms]:
    url = page_url(intent)
    page = httpx.get(url, timeout=10)
    parsed = _Forms()
    parsed.feed(page.text)
    return page, parsed


def authenticate(intent, action: str = "complete") -> httpx.Response:
    """Open the intent's 3-D Secure page and press the `action` button (complete|fail).
    Returns the response to the form post (not following the redirect)."""
    page, parsed = open_page(intent)
    assert page.status_code == 200, page.text
    assert parsed.scripts == 0  # works without JavaScript
    (form,) = parsed.forms
    assert form["method"] == "post"
    data = dict(form["fields"])
    data[form["buttons"][action]] = action
    target = urljoin(page_url(intent), form["action"])
    return httpx.post(target, data=data, timeout=10)


def account_of(url: str) -> str:
    return re.search(r"account=([^&]+)", url).group(1)
