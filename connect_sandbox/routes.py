"""The whole URL table, one line per route: method, path, spec operation, service.

The pipeline (http/pipeline.py) does the translation every handler would repeat
(decode, validate against the spec operation, transaction, expand, render), so a
route points straight at its service function fn(tx, ctx, params, **path_params).
"""
from __future__ import annotations

from .http.pipeline import Operation
from .services import accounts, charges, customers, sources, tokens

V = "/v1"


def op(method: str, path: str, fn, *, spec_path: str | None = None,
       publishable: bool = False) -> Operation:
    return Operation(method, V + path, f"{method} {V}{spec_path or path}", fn, publishable)


ROUTES: list[Operation] = [
    op("GET", "/account", accounts.current),
    op("POST", "/accounts", accounts.create),
    op("GET", "/accounts", accounts.list_),
    op("GET", "/accounts/{account}", accounts.retrieve),
    op("POST", "/accounts/{account}", accounts.update),
    op("DELETE", "/accounts/{account}", accounts.delete),

    op("POST", "/customers", customers.create),
    op("GET", "/customers", customers.list_),
    op("GET", "/customers/{customer}", customers.retrieve),
    op("POST", "/customers/{customer}", customers.update),
    op("DELETE", "/customers/{customer}", customers.delete),

    op("POST", "/customers/{customer}/sources", sources.create_for_customer),
    op("GET", "/customers/{customer}/sources", sources.list_for_customer),
    op("GET", "/customers/{customer}/sources/{id}", sources.retrieve_for_customer),
    op("POST", "/customers/{customer}/sources/{id}", sources.update_for_customer),
    op("DELETE", "/customers/{customer}/sources/{id}", sources.delete_for_customer),
    op("POST", "/customers/{customer}/sources/{id}/verify", sources.verify_bank_account),

    op("POST", "/tokens", tokens.create, publishable=True),
    op("GET", "/tokens/{token}", tokens.retrieve),

    op("POST", "/charges", charges.create),
    op("GET", "/charges", charges.list_),
    op("GET", "/charges/{charge}", charges.retrieve),
    op("POST", "/charges/{charge}", charges.update),
    op("POST", "/charges/{charge}/capture", charges.capture),
]
