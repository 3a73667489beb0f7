"""webhooks/signing.py is the exact inverse of the official SDK's signature check."""
from __future__ import annotations

import json
import time

import pytest
import stripe

from connect_sandbox.webhooks import signing

SECRET = "whsec_test_secret_0123456789abcdef"
BODY = json.dumps({"id": "evt_123", "object": "event", "type": "customer.created",
                   "data": {"object": {"id": "cus_1", "name": "Zoë"}}}, indent=2,
                  ensure_ascii=False).encode()


def test_header_verifies_with_the_sdk():
    header = signing.header(BODY, SECRET)
    assert stripe.WebhookSignature.verify_header(BODY, header, SECRET)
    event = stripe.Webhook.construct_event(BODY, header, SECRET)
    assert event.id == "evt_123" and event.data.object.name == "Zoë"


def test_header_format():
    header = signing.header(BODY, SECRET, timestamp=1700000000)
    t, v1 = header.split(",")
    assert t == "t=1700000000"
    assert v1.startswith("v1=") and len(v1) == 3 + 64
    assert int(v1[3:], 16) >= 0


def test_str_and_bytes_payloads_sign_alike():
    assert signing.header(BODY, SECRET, 1) == signing.header(BODY.decode(), SECRET, 1)


def test_sdk_generated_header_verifies_here():
    header = stripe.WebhookSignature.generate_signature_header(BODY.decode(), SECRET)
    assert signing.verify(BODY, header, SECRET) > 0


def test_tampered_body_fails_both_checks():
    header = signing.header(BODY, SECRET)
    tampered = BODY.replace(b"cus_1", b"cus_2")
    with pytest.raises(stripe.SignatureVerificationError):
        stripe.Webhook.construct_event(tampered, header, SECRET)
    with pytest.raises(signing.SignatureError):
        signing.verify(tampered, header, SECRET)


def test_wrong_secret_fails_both_checks():
    header = signing.header(BODY, SECRET)
    with pytest.raises(stripe.SignatureVerificationError):
        stripe.WebhookSignature.verify_header(BODY, header, "whsec_other")
    with pytest.raises(signing.SignatureError):
        signing.verify(BODY, header, "whsec_other")


def test_old_timestamp_is_outside_the_tolerance():
    old = int(time.time()) - 600
    header = signing.header(BODY, SECRET, timestamp=old)
    with pytest.raises(stripe.SignatureVerificationError, match="tolerance"):
        stripe.WebhookSignature.verify_header(BODY, header, SECRET, tolerance=300)
    with pytest.raises(signing.SignatureError, match="tolerance"):
        signing.verify(BODY, header, SECRET)
    assert signing.verify(BODY, header, SECRET, tolerance=None) == old


def test_any_of_several_v1_signatures_may_match():
    good = signing.header(BODY, SECRET, timestamp=int(time.time()))
    t, v1 = good.split(",")
    header = f"{t},v1={'0' * 64},{v1},v0=ignored"
    assert stripe.WebhookSignature.verify_header(BODY, header, SECRET)
    assert signing.verify(BODY, header, SECRET)


@pytest.mark.parametrize("header", [None, "", "v1=abc", "t=1", "t=x,v1=abc"])
def test_malformed_headers_are_refused(header):
    with pytest.raises(signing.SignatureError):
        signing.verify(BODY, header, SECRET)
