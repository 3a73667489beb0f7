"""Customers: create, retrieve, update, delete, list (by email)."""
from __future__ import annotations

from typing import Any

from ..context import RequestContext
from ..domain import metadata as md
from ..domain.ids import new_id
from ..errors import InvalidRequestError, ResourceMissing
from ..http.expand import virtual
from ..http.pagination import list_object, page
from ..params import Params
from ..store import Tx
from ..wire.shape import blank
from . import customer_includes, events, passthrough, payment_methods  # noqa: F401 (expansions)
from . import sources

_SIMPLE = ("email", "name", "description", "phone", "balance", "preferred_locales",
           "tax_exempt", "invoice_prefix", "next_invoice_sequence")
_HASHES = ("address", "shipping")
_INCLUDABLE = ("cash_balance", "invoice_credit_balance")


def get(tx: Tx, account: str, customer_id: str, *, param: str = "id",
        for_update: bool = False) -> dict[str, Any]:
    cus = tx.get(account, customer_id, "customer", for_update=for_update)
    if cus is None:
        raise ResourceMissing("customer", customer_id, param=param)
    return cus


def _apply_fields(cus: dict[str, Any], params: Params, previous: dict[str, Any]) -> None:
    passthrough.apply(cus, params, _SIMPLE + _HASHES + ("invoice_settings",),
                      merge=("invoice_settings",), previous=previous)
    if params.has("metadata"):
        previous["metadata"] = cus["metadata"]
        cus["metadata"] = md.merge(cus["metadata"], params["metadata"])
    if params.has("tax"):  # shown when expanded (services/customer_includes.py)
        cus["_tax"] = passthrough.merge_hash(cus.get("_tax"),
                                             params["tax"] or {"ip_address": ""})
    if cus.get("preferred_locales") is None:
        cus["preferred_locales"] = []
    if cus.get("balance") is None:
        cus["balance"] = 0


def create(tx: Tx, ctx: RequestContext, params: Params) -> dict[str, Any]:
    cus = blank("customer", id=new_id("cus"), created=ctx.now, balance=0, delinquent=False,
                preferred_locales=[], invoice_prefix=new_id("x", 8)[2:].upper(),
                next_invoice_sequence=1, tax_exempt="none",
                invoice_settings={"custom_fields": None, "default_payment_method": None,
                                  "footer": None, "rendering_options": None})
    # Shown only when expanded (Stripe's customer objects leave them out otherwise):
    # services/customer_includes.py.
    for key in _INCLUDABLE:
        cus.pop(key, None)
    _apply_fields(cus, params, {})
    tx.insert(ctx.account, cus, lookup=cus["email"])
    created = events.record(tx, ctx, "customer.created", cus)  # before its sources' events
    if params.get("source"):
        src = sources.attach(tx, ctx, cus, params["source"], param="source")
        if cus.get("default_source") != src["id"]:  # (else attach has set and saved it)
            cus["default_source"] = src["id"]
            tx.save(ctx.account, cus)
    if params.get("payment_method"):
        payment_methods.attach_to(tx, ctx, params["payment_method"], cus, param="payment_method")
    _check_default_pm(tx, ctx, cus)  # after attaching: payment_method may be the default
    # Only a source changes the customer after its event (default_source); attaching a
    # payment_method leaves `cus` as the event already shows it (re-taking that snapshot
    # rewrote the event unchanged).
    if params.get("source"):
        events.refresh(tx, created, cus)
    return cus


def _check_default_pm(tx: Tx, ctx: RequestContext, cus: dict[str, Any]) -> None:
    pm_id = cus["invoice_settings"].get("default_payment_method")
    if pm_id:
        pm = tx.get(ctx.account, pm_id, "payment_method")
        if pm is None:
            raise ResourceMissing("PaymentMethod", pm_id,
                                  param="invoice_settings[default_payment_method]")
        if pm.get("customer") != cus["id"]:
            raise InvalidRequestError(
                f"The PaymentMethod {pm_id} does not belong to the Customer you supplied "
                f"{cus['id']}. Please attach it to the Customer before using it as the "
                "default payment method.", param="invoice_settings[default_payment_method]")


def retrieve(tx: Tx, ctx: RequestContext, params: Params, customer: str) -> dict[str, Any]:
    obj = tx.get(ctx.account, customer)
    if obj is None or obj.get("object") != "customer":
        raise ResourceMissing("customer", customer)
    return obj


def update(tx: Tx, ctx: RequestContext, params: Params, customer: str) -> dict[str, Any]:
    cus = get(tx, ctx.account, customer, for_update=True)
    previous: dict[str, Any] = {}
    _apply_fields(cus, params, previous)
    if "invoice_settings" in previous:
        _check_default_pm(tx, ctx, cus)
    if params.get("source"):
        old_default = cus.get("default_source")
        src = sources.attach(tx, ctx, cus, params["source"], param="source")
        if old_default:
            sources.remove(tx, ctx, cus, old_default)
        previous["default_source"] = old_default
        cus["default_source"] = src["id"]
    if params.has("default_source"):
        wanted = params["default_source"] or None
        if wanted is not None and sources.find(tx, ctx, cus["id"], wanted) is None:
            raise ResourceMissing("source", wanted, param="default_source")
        previous["default_source"] = cus.get("default_source")
        cus["default_source"] = wanted
    tx.save(ctx.account, cus, lookup=cus["email"], keep_index=False)
    changed = {k: v for k, v in previous.items() if cus.get(k) != v}
    if changed:
        events.record(tx, ctx, "customer.updated", cus, previous=changed)
    return cus


def delete(tx: Tx, ctx: RequestContext, params: Params, customer: str) -> dict[str, Any]:
    cus = get(tx, ctx.account, customer, for_update=True)
    for src in sources.of_customer(tx, ctx, cus["id"]):
        if src["object"] == "source":  # a Source outlives the customer, consumed
            from . import source_objects
            source_objects.detach(tx, ctx, src)
        else:
            tx.delete(ctx.account, src["id"])
    payment_methods.detach_all(tx, ctx, cus["id"])
    stub = {"id": cus["id"], "object": "customer", "deleted": True}
    tx.tombstone(ctx.account, stub)
    events.record(tx, ctx, "customer.deleted", cus)
    return stub


def list_(tx: Tx, ctx: RequestContext, params: Params) -> dict[str, Any]:
    return page(tx, ctx.account, "customer", params, "/v1/customers",
                lookup=params.get("email"))


@virtual("customer", "sources")
def _expand_sources(tx: Tx, ctx: RequestContext, cus: dict[str, Any]) -> dict[str, Any]:
    data = sources.of_customer(tx, ctx, cus["id"])
    return list_object(f"/v1/customers/{cus['id']}/sources", data, False)
