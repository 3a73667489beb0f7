"""A customer's payment sources (cards, bank accounts, and Source objects):
/v1/customers/{customer}/sources, attach from a token, test token, card hash or
src_ id; default-source bookkeeping; bank account micro-deposit verification."""
from __future__ import annotations

import datetime as dt
from typing import Any

from ..context import RequestContext
from ..domain import metadata as md
from ..domain import charging, testcards, tokenize
from ..domain.testcards import DECLINES
from ..errors import CardError, InvalidRequestError, ResourceMissing
from ..http.pagination import limit_of, list_object
from ..params import Params
from ..store import Tx
from . import events, lineage, tokens

SOURCE_TYPES = ("card", "bank_account", "source")


def of_customer(tx: Tx, ctx: RequestContext, customer_id: str, *,
                account: str | None = None) -> list[dict[str, Any]]:
    """The customer's cards, bank accounts and Sources, most recently added first."""
    return tx.children(account or ctx.account, SOURCE_TYPES, customer_id)


def find(tx: Tx, ctx: RequestContext, customer_id: str, source_id: str, *,
         account: str | None = None) -> dict[str, Any] | None:
    obj = tx.get(account or ctx.account, source_id)
    if obj is None or obj.get("object") not in SOURCE_TYPES or obj.get("customer") != customer_id:
        return None
    return obj


def is_payment_method(tx: Tx, ctx: RequestContext, value: Any) -> bool:
    """A PaymentMethod id (or a `pm_card_*` test shorthand) given where a legacy source
    (token, card, bank account, Source) is expected."""
    if not isinstance(value, str) or not value.startswith("pm_"):
        return False
    return (value in testcards.TEST_PAYMENT_METHODS
            or tx.get(ctx.account, value, "payment_method") is not None)


# Stripe's wording, as its API answers it (no space after "Customers.").
PAYMENT_METHOD_AS_SOURCE = (
    "You cannot use a PaymentMethod as a source for Customers.Instead, use the "
    "PaymentMethods API to Attach a Customer to a PaymentMethod. See "
    "https://stripe.com/docs/api/payment_methods/attach")


def _decline_on_attach(card: dict[str, Any]) -> None:
    outcome = card.get("_behaviour", {}).get("attach", "ok")
    if outcome != "ok":
        d = DECLINES[outcome]
        raise CardError(d.message, code=d.code, decline_code=d.decline_code, param=d.param,
                        persist=False)


def attach(tx: Tx, ctx: RequestContext, cus: dict[str, Any], value: Any, *,
           param: str = "source") -> dict[str, Any]:
    """Attach a token id, test token, src_ id or card hash to `cus` (in ctx.account).
    Makes it the default source if the customer has none. Returns the new source."""
    if isinstance(value, dict):
        if value.get("object") == "bank_account":
            obj = tokenize.bank_account_from_params(value, ctx.platform, param_prefix=param)
        else:
            obj = tokenize.card_from_params(value, ctx.platform, ctx.now, param_prefix=param)
    elif value.startswith("src_"):
        from . import source_objects
        return source_objects.attach_to_customer(tx, ctx, cus, value, param=param)
    elif value.startswith(("tok_", "btok_")) or value in testcards.TEST_TOKENS:
        # (consume answers a missing token with ResourceMissing("token", value, param):
        # no separate look-up first, which read the token's body twice)
        obj = tokens.consume(tx, ctx, value, param)
    elif value.startswith(("card_", "ba_")):
        raise InvalidRequestError(
            f"The source {value} cannot be attached: pass a token (tok_...) or a card "
            "hash. Card and bank account ids belong to the customer they were created on.",
            param=param)
    elif is_payment_method(tx, ctx, value):
        raise InvalidRequestError(PAYMENT_METHOD_AS_SOURCE, param=param)
    else:
        raise ResourceMissing("source", value, param=param)
    if obj["object"] == "card":
        _decline_on_attach(obj)
        charging.settle_checks(obj)
    elif obj["object"] == "bank_account" and any(
            o["object"] == "bank_account" and o.get("fingerprint") == obj.get("fingerprint")
            for o in of_customer(tx, ctx, cus["id"])):
        raise InvalidRequestError(
            "A bank account with that routing number and account number already exists for "
            "this customer.", param=param, code="bank_account_exists")
    obj["customer"] = cus["id"]
    token_id = obj.pop("_token", None)
    tx.insert(ctx.account, obj, parent=cus["id"])
    if obj.get("_cloned_from"):
        lineage.record_clone(tx, ctx, obj, via=token_id)
    events.record(tx, ctx, "customer.source.created", obj)
    if not cus.get("default_source"):
        cus["default_source"] = obj["id"]
        tx.save(ctx.account, cus)
    return obj


def remove(tx: Tx, ctx: RequestContext, cus: dict[str, Any], source_id: str) -> dict[str, Any]:
    obj = find(tx, ctx, cus["id"], source_id)
    if obj is None:
        raise ResourceMissing("source", source_id)
    if obj["object"] == "source":
        from . import source_objects
        source_objects.detach(tx, ctx, obj)
    else:
        tx.delete(ctx.account, source_id)
    events.record(tx, ctx, "customer.source.deleted", obj)
    if cus.get("default_source") == source_id:
        rest = of_customer(tx, ctx, cus["id"])
        cus["default_source"] = rest[0]["id"] if rest else None
    return obj


# -- /v1/customers/{customer}/sources ----------------------------------------------

def _customer(tx: Tx, ctx: RequestContext, customer_id: str) -> dict[str, Any]:
    cus = tx.get(ctx.account, customer_id, "customer")
    if cus is None:
        raise ResourceMissing("customer", customer_id)
    return cus


def create_for_customer(tx: Tx, ctx: RequestContext, params: Params,
                        customer: str) -> dict[str, Any]:
    cus = _customer(tx, ctx, customer)
    name = next((k for k in ("source", "card", "bank_account") if params.get(k)), None)
    if name is None:
        from ..errors import missing_param
        raise missing_param("source")
    value = params[name]
    if isinstance(value, dict) and name == "bank_account":
        value = {**value, "object": "bank_account"}
    had_default = cus.get("default_source")
    obj = attach(tx, ctx, cus, value, param=name)
    if params.get("metadata"):
        obj["metadata"] = md.merge(obj.get("metadata"), params["metadata"])
        tx.save(ctx.account, obj)
    if not had_default:
        events.record(tx, ctx, "customer.updated", cus, previous={"default_source": None})
    return obj


def list_for_customer(tx: Tx, ctx: RequestContext, params: Params,
                      customer: str) -> dict[str, Any]:
    _customer(tx, ctx, customer)
    data = of_customer(tx, ctx, customer)
    if params.get("object"):
        data = [o for o in data if o["object"] == params["object"]]
    return paginate(data, params, f"/v1/customers/{customer}/sources")


# The API reference's "List all cards" / "Retrieve a card" (and bank accounts) use the
# older paths /v1/customers/{customer}/cards[/{id}] and /bank_accounts[/{id}]: the same
# sources, one kind only.
_KIND_PATHS = {"card": "cards", "bank_account": "bank_accounts"}


def _list_kind(tx: Tx, ctx: RequestContext, params: Params, customer: str,
               kind: str) -> dict[str, Any]:
    if params.has("object"):  # validated against the sources list, which has it
        from ..errors import UnknownParameter
        raise UnknownParameter("object")
    _customer(tx, ctx, customer)
    data = [o for o in of_customer(tx, ctx, customer) if o["object"] == kind]
    return paginate(data, params, f"/v1/customers/{customer}/{_KIND_PATHS[kind]}")


def _retrieve_kind(tx: Tx, ctx: RequestContext, customer: str, id: str,
                   kind: str) -> dict[str, Any]:
    _customer(tx, ctx, customer)
    obj = find(tx, ctx, customer, id)
    if obj is None or obj["object"] != kind:
        raise ResourceMissing("source", id)
    return obj


def list_cards(tx: Tx, ctx: RequestContext, params: Params, customer: str) -> dict[str, Any]:
    return _list_kind(tx, ctx, params, customer, "card")


def list_bank_accounts(tx: Tx, ctx: RequestContext, params: Params,
                       customer: str) -> dict[str, Any]:
    return _list_kind(tx, ctx, params, customer, "bank_account")


def retrieve_card(tx: Tx, ctx: RequestContext, params: Params, customer: str,
                  id: str) -> dict[str, Any]:
    return _retrieve_kind(tx, ctx, customer, id, "card")


def retrieve_bank_account(tx: Tx, ctx: RequestContext, params: Params, customer: str,
                          id: str) -> dict[str, Any]:
    return _retrieve_kind(tx, ctx, customer, id, "bank_account")


def paginate(data: list[dict[str, Any]], params: Params, url: str) -> dict[str, Any]:
    """Paginate a short, already ordered (newest first) in-memory list."""
    limit = limit_of(params)
    ids = [o["id"] for o in data]
    if params.get("starting_after"):
        cursor = params["starting_after"]
        if cursor not in ids:
            raise ResourceMissing("source", cursor, param="starting_after")
        data = data[ids.index(cursor) + 1:]
    elif params.get("ending_before"):
        cursor = params["ending_before"]
        if cursor not in ids:
            raise ResourceMissing("source", cursor, param="ending_before")
        data = data[:ids.index(cursor)]
        return list_object(url, data[-limit:], len(data) > limit)
    return list_object(url, data[:limit], len(data) > limit)


def retrieve_for_customer(tx: Tx, ctx: RequestContext, params: Params, customer: str,
                          id: str) -> dict[str, Any]:
    _customer(tx, ctx, customer)
    obj = find(tx, ctx, customer, id)
    if obj is None:
        raise ResourceMissing("source", id)
    return obj


_CARD_FIELDS = ("address_city", "address_country", "address_line1", "address_line2",
                "address_state", "address_zip", "name")
_BANK_FIELDS = ("account_holder_name", "account_holder_type")


def update_for_customer(tx: Tx, ctx: RequestContext, params: Params, customer: str,
                        id: str) -> dict[str, Any]:
    _customer(tx, ctx, customer)
    obj = find(tx, ctx, customer, id)
    if obj is None:
        raise ResourceMissing("source", id)
    previous: dict[str, Any] = {}
    allowed = {"card": _CARD_FIELDS + ("exp_month", "exp_year"), "bank_account": _BANK_FIELDS,
               "source": ("owner",)}[obj["object"]]
    for key, value in params.items():
        if key in ("metadata", "expand"):
            continue
        if key not in allowed:
            raise InvalidRequestError(
                f"Received unknown parameter: {key}", param=key, code="parameter_unknown")
        previous[key] = obj.get(key)
        if key in ("exp_month", "exp_year"):
            value = tokenize._int(value, key, f"invalid_expiry_{key[4:]}",
                                  f"Your card's expiration {key[4:]} is invalid.")
            if key == "exp_month" and not 1 <= value <= 12:
                raise CardError("Your card's expiration month is invalid.",
                                code="invalid_expiry_month", param="exp_month", persist=False)
            if key == "exp_year":
                value += 2000 if value < 100 else 0
                this_year = dt.datetime.fromtimestamp(ctx.now, dt.timezone.utc).year
                if not this_year <= value <= this_year + 50:
                    raise CardError("Your card's expiration year is invalid.",
                                    code="invalid_expiry_year", param="exp_year", persist=False)
        obj[key] = value or None
    if params.has("metadata"):
        previous["metadata"] = obj.get("metadata")
        obj["metadata"] = md.merge(obj.get("metadata"), params["metadata"])
    tx.save(ctx.account, obj)
    events.record(tx, ctx, "customer.source.updated", obj, previous=previous)
    return obj


def delete_for_customer(tx: Tx, ctx: RequestContext, params: Params, customer: str,
                        id: str) -> dict[str, Any]:
    cus = _customer(tx, ctx, customer)
    was_default = cus.get("default_source") == id
    obj = remove(tx, ctx, cus, id)
    if was_default:
        tx.save(ctx.account, cus)
        events.record(tx, ctx, "customer.updated", cus, previous={"default_source": id})
    if obj["object"] == "source":
        return obj
    return {"id": obj["id"], "object": obj["object"], "deleted": True}


def verify_bank_account(tx: Tx, ctx: RequestContext, params: Params, customer: str,
                        id: str) -> dict[str, Any]:
    _customer(tx, ctx, customer)
    obj = find(tx, ctx, customer, id)
    if obj is None or obj["object"] != "bank_account":
        raise ResourceMissing("bank account", id)
    if obj["status"] == "verified":
        raise InvalidRequestError("This bank account has already been verified.",
                                  param="amounts", code="bank_account_verification_failed")
    amounts = params.get("amounts")
    if not amounts:
        from ..errors import missing_param
        raise missing_param("amounts")
    if sorted(amounts) != sorted(testcards.MICRODEPOSIT_AMOUNTS):
        raise InvalidRequestError(
            "The amounts provided do not match the amounts that were sent to the bank "
            "account.", param="amounts", code="bank_account_verification_failed")
    previous = {"status": obj["status"]}
    obj["status"] = "verified"
    tx.save(ctx.account, obj)
    events.record(tx, ctx, "customer.source.updated", obj, previous=previous)
    return obj
