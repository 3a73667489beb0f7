"""Tokens: raw card / bank account tokenization, and cloning a platform customer's
card or bank account into a single-use token on a connected account (the legacy
"clone customer payment information" flow)."""
from __future__ import annotations

import copy
from typing import Any

from ..context import RequestContext
from ..domain import testcards, tokenize
from ..domain.ids import new_id
from ..domain.jsoncopy import copy_json
from ..errors import InvalidRequestError, PermissionError_, ResourceMissing, no_linked_source
from ..http.auth import PUBLISHABLE
from ..params import Params
from ..store import Tx
from . import lineage

CLIENT_IP = "127.0.0.1"


def _token(kind: str, inner: dict[str, Any], ctx: RequestContext,
           prefix: str = "tok") -> dict[str, Any]:
    # A token's card or bank account belongs to no customer yet: Stripe leaves the
    # property out (it appears once the token is attached).
    inner.pop("customer", None)
    return {"id": new_id(prefix), "object": "token", kind: inner, "client_ip": CLIENT_IP,
            "created": ctx.now, "livemode": False, "type": kind, "used": False}


def create(tx: Tx, ctx: RequestContext, params: Params) -> dict[str, Any]:
    customer = params.get("customer")
    card = params.get("card")
    bank = params.get("bank_account")
    if customer:
        if ctx.publishable:  # the platform's customers are reachable with a secret key only
            raise PermissionError_(PUBLISHABLE)
        token = _clone(tx, ctx, customer, card, bank)
    elif isinstance(card, dict):
        token = _token("card", tokenize.card_from_params(card, ctx.platform, ctx.now), ctx)
    elif isinstance(bank, dict):
        token = _token("bank_account",
                       tokenize.bank_account_from_params(bank, ctx.platform), ctx, "btok")
    elif any(params.get(k) for k in OTHER_KINDS):
        token = _other_kind(params, ctx)
    elif isinstance(card, str) and card or isinstance(bank, str) and bank:
        param = "card" if isinstance(card, str) and card else "bank_account"
        raise InvalidRequestError(
            f"You can only pass a {param.replace('_', ' ')} ID together with `customer`, when "
            "cloning a platform customer's payment details onto a connected account.",
            param=param)
    else:
        raise InvalidRequestError(
            "You must supply either a card, customer, PII data, bank account, or account "
            "legal entity to create a token. If you're making this request with a library, "
            "be sure to pass all of the required parameters for creating a token. If you're "
            "making this request from a form, ensure that the inputs contain the correct "
            "name attributes.")
    tx.insert(ctx.account, token)
    return token


# Tokens that carry no card or bank account, by kind: their id prefix.
OTHER_KINDS = {"account": "ct", "person": "cpt", "pii": "pii", "cvc_update": "cvctok"}


def _other_kind(params: Params, ctx: RequestContext) -> dict[str, Any]:
    """An account, person, PII or CVC-update token: {id, object, client_ip, created,
    livemode, type, used} and nothing else. An account token keeps the account details
    privately, for `account_token` on POST /v1/accounts; the others keep nothing (the
    sandbox never needs the identity numbers or CVCs they stand for)."""
    kind = next(k for k in OTHER_KINDS if params.get(k))
    token = {"id": new_id(OTHER_KINDS[kind]), "object": "token", "client_ip": CLIENT_IP,
             "created": ctx.now, "livemode": False, "type": kind, "used": False}
    if kind == "account":
        token["_details"] = copy.deepcopy(params["account"])
    return token


def consume_account_token(tx: Tx, ctx: RequestContext, token_id: str,
                          param: str = "account_token") -> dict[str, Any]:
    """Use an account token once; return the account details it holds."""
    token = tx.get(ctx.account, token_id, "token", for_update=True)
    if token is None:
        raise ResourceMissing("token", token_id, param=param)
    if token["type"] != "account":
        raise InvalidRequestError(f"The token {token_id} is not an account token.",
                                  param=param)
    if token["used"]:
        raise InvalidRequestError(
            f"You cannot use a Stripe token more than once: {token_id}.", param=param,
            code="token_already_used")
    token["used"] = True
    tx.save(ctx.account, token)
    return copy.deepcopy(token.get("_details") or {})


def _clone(tx: Tx, ctx: RequestContext, customer_id: str, card: Any, bank: Any) -> dict[str, Any]:
    if not ctx.connected:
        raise InvalidRequestError(
            "You can only use `customer` to create a token when acting as a connected account "
            "(with the Stripe-Account header): the token clones the platform customer's card "
            "or bank account into that account.", param="customer")
    from . import sources
    cus = tx.get(ctx.platform, customer_id, "customer")
    if cus is None:
        raise ResourceMissing("customer", customer_id, param="customer")
    if isinstance(card, dict) or isinstance(bank, dict):
        param = "card" if isinstance(card, dict) else "bank_account"
        raise InvalidRequestError(
            f"When cloning a customer's payment details, `{param}` must be the ID of one of "
            "the customer's sources.", param=param)
    wanted = card or bank or None
    param = "card" if card else ("bank_account" if bank else "customer")
    if wanted is None:
        wanted = cus.get("default_source")
        if not wanted:
            raise InvalidRequestError(
                f"Customer {customer_id} does not have a default source, so there is nothing "
                "to clone. Pass `card` or `bank_account` with the ID of one of its sources.",
                param="customer")
    original = sources.find(tx, ctx, customer_id, wanted, account=ctx.platform)
    if original is None or (card and original["object"] != "card") or \
            (bank and original["object"] != "bank_account"):
        raise no_linked_source(customer_id, wanted, param)
    if original["object"] not in ("card", "bank_account"):  # a Source: share it as one
        raise InvalidRequestError(
            "You provide a customer without specifying a source. The default source of the "
            "customer is a source and cannot be shared from existing customers.",
            param=param)
    clone = tokenize.without_external_fields(copy_json(original))
    kind = clone["object"]
    clone["id"] = new_id("card" if kind == "card" else "ba")
    clone["metadata"] = {}
    clone["_cloned_from"] = {"account": ctx.platform, "customer": customer_id,
                             "source": original["id"]}
    token = _token(kind, clone, ctx, "btok" if kind == "bank_account" else "tok")
    lineage.record_clone(tx, ctx, {**token, "_cloned_from": clone["_cloned_from"]},
                         kind="token")
    return token


def retrieve(tx: Tx, ctx: RequestContext, params: Params, token: str) -> dict[str, Any]:
    obj = tx.get(ctx.account, token, "token")
    if obj is None:
        raise ResourceMissing("token", token)
    return obj


def consume(tx: Tx, ctx: RequestContext, token_id: str, param: str) -> dict[str, Any]:
    """Use a token once and return its card or bank account (a copy with a fresh id for
    test tokens such as tok_visa). A second use is refused, also under concurrency:
    the row is locked and marked used in the caller's transaction."""
    number = testcards.TEST_TOKENS.get(token_id)
    if number is not None:
        return tokenize.test_card_object(number, ctx.platform, ctx.now)
    token = tx.get(ctx.account, token_id, "token", for_update=True)
    if token is None:
        raise ResourceMissing("token", token_id, param=param)
    if token["used"]:
        raise InvalidRequestError(
            f"You cannot use a Stripe token more than once: {token_id}.", param=param,
            code="token_already_used")
    token["used"] = True
    tx.save(ctx.account, token)
    inner = copy_json(token[token["type"]])
    inner["_token"] = token_id
    inner.setdefault("customer", None)  # a one-time charge source shows `customer: null`
    return inner
