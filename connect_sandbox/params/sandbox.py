"""Parameters of the sandbox's own operations, which Stripe's description does not list
(resending an event, reading delivery attempts). Same format as spec.json's entries."""
from __future__ import annotations

from typing import Any

_STR = {"type": "string", "maxLength": 5000}
_EXPAND = {"type": "array", "items": _STR}

SANDBOX_OPERATIONS: dict[str, dict[str, Any]] = {
    "POST /v1/webhook_endpoints/{webhook_endpoint}/sandbox_resend": {
        "params": {"event": _STR, "expand": _EXPAND}, "required": ["event"]},
    "GET /v1/webhook_endpoints/{webhook_endpoint}/sandbox_attempts": {
        "params": {"event": _STR, "limit": {"type": "integer"}, "expand": _EXPAND},
        "required": []},
    # The Stripe CLI's `stripe events resend` (not in the public description).
    "POST /v1/events/{id}/retry": {
        "params": {"webhook_endpoint": _STR, "expand": _EXPAND},
        "required": ["webhook_endpoint"]},
    # Release the acting account's pending funds now (services/balance.py).
    "POST /v1/test_helpers/balance/make_available": {
        "params": {"expand": _EXPAND}, "required": []},
    # Settle a pending legacy ACH charge now (services/ach.py).
    "POST /v1/test_helpers/charges/{charge}/settle": {
        "params": {"expand": _EXPAND}, "required": []},
    # Settle a pending payout now (services/payouts.py).
    "POST /v1/test_helpers/payouts/{payout}/settle": {
        "params": {"expand": _EXPAND}, "required": []},
}
