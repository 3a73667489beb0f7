"""Which event types exist (for validating a webhook endpoint's `enabled_events`) and
whether an endpoint wants a given event. The list is Stripe's own (its OpenAPI
description of `enabled_events`) plus types added in later API versions."""
from __future__ import annotations

from functools import lru_cache
from typing import Any, Iterable

# Types newer than the 2023-08-16 description the sandbox ships.
NEWER = (
    "billing.alert.triggered", "billing.meter.created", "billing.meter.deactivated",
    "billing.meter.reactivated", "billing.meter.updated", "climate.order.canceled",
    "climate.order.created", "climate.order.delayed", "climate.order.delivered",
    "climate.order.product_substituted", "climate.product.created",
    "climate.product.pricing_updated", "entitlements.active_entitlement_summary.updated",
    "financial_connections.account.refreshed_ownership",
    "financial_connections.account.refreshed_transactions", "invoice.overdue",
    "invoice.will_be_due", "invoice_payment.paid", "invoiceitem.updated",
    "issuing_personalization_design.activated", "issuing_personalization_design.deactivated",
    "issuing_personalization_design.rejected", "issuing_personalization_design.updated",
    "issuing_token.created", "issuing_token.updated",
    "refund.failed", "tax.form.updated", "terminal.reader.action_updated",
    "treasury.outbound_payment.tracking_details_updated",
    "treasury.outbound_transfer.tracking_details_updated",
)


@lru_cache(maxsize=1)
def known() -> frozenset[str]:
    from ..params.validate import _spec
    spec = _spec()["operations"]["POST /v1/webhook_endpoints"]["params"]
    listed = spec["enabled_events"]["items"]["enum"]
    return frozenset(listed) | frozenset(NEWER) | {"*"}


def unknown(enabled: Iterable[str]) -> tuple[int, str] | None:
    """The first (index, type) of `enabled` that is not a known event type."""
    names = known()
    for i, name in enumerate(enabled):
        if name not in names:
            return i, name
    return None


def wants(endpoint: dict[str, Any], type_: str) -> bool:
    """Whether an enabled endpoint subscribes to `type_` ("*" is every type)."""
    enabled = endpoint.get("enabled_events") or ()
    return endpoint.get("status") == "enabled" and ("*" in enabled or type_ in enabled)
