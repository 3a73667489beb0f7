"""The whole URL table, one line per route: method, path, spec operation, service.

The pipeline (http/pipeline.py) does the translation every handler would repeat
(decode, validate against the spec operation, transaction, expand, render), so a
route points straight at its service function fn(tx, ctx, params, **path_params).
"""
from __future__ import annotations

from .http.pipeline import Operation
from .services import accounts, ach, charges, customers, sources, tokens
from .services import events, webhook_endpoints
from .services import application_fees, balance, refunds, transfers
from .services import payment_intents, payment_methods, setup_intents, source_objects
from .services import account_links, account_reject, capabilities, external_accounts, search
from .services import payouts

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
    op("POST", "/accounts/{account}/reject", account_reject.reject),
    op("POST", "/account_links", account_links.create_account_link),
    op("POST", "/accounts/{account}/login_links", account_links.create_login_link),
    op("GET", "/accounts/{account}/capabilities", capabilities.list_),
    op("GET", "/accounts/{account}/capabilities/{capability}", capabilities.retrieve),
    op("POST", "/accounts/{account}/capabilities/{capability}", capabilities.update),
    op("POST", "/accounts/{account}/external_accounts", external_accounts.create),
    op("GET", "/accounts/{account}/external_accounts", external_accounts.list_),
    op("GET", "/accounts/{account}/external_accounts/{id}", external_accounts.retrieve),
    op("POST", "/accounts/{account}/external_accounts/{id}", external_accounts.update),
    op("DELETE", "/accounts/{account}/external_accounts/{id}", external_accounts.delete),

    op("POST", "/customers", customers.create),
    op("GET", "/customers", customers.list_),
    op("GET", "/customers/search", search.customers),  # before /customers/{customer}
    op("GET", "/customers/{customer}", customers.retrieve),
    op("POST", "/customers/{customer}", customers.update),
    op("DELETE", "/customers/{customer}", customers.delete),

    op("POST", "/customers/{customer}/sources", sources.create_for_customer),
    op("GET", "/customers/{customer}/sources", sources.list_for_customer),
    op("GET", "/customers/{customer}/sources/{id}", sources.retrieve_for_customer),
    op("POST", "/customers/{customer}/sources/{id}", sources.update_for_customer),
    op("DELETE", "/customers/{customer}/sources/{id}", sources.delete_for_customer),
    op("POST", "/customers/{customer}/sources/{id}/verify", sources.verify_bank_account),
    op("GET", "/customers/{customer}/cards", sources.list_cards,
       spec_path="/customers/{customer}/sources"),
    op("GET", "/customers/{customer}/cards/{id}", sources.retrieve_card,
       spec_path="/customers/{customer}/sources/{id}"),
    op("GET", "/customers/{customer}/bank_accounts", sources.list_bank_accounts,
       spec_path="/customers/{customer}/sources"),
    op("GET", "/customers/{customer}/bank_accounts/{id}", sources.retrieve_bank_account,
       spec_path="/customers/{customer}/sources/{id}"),

    op("POST", "/tokens", tokens.create, publishable=True),
    op("GET", "/tokens/{token}", tokens.retrieve),

    op("POST", "/payment_methods", payment_methods.create, publishable=True),
    op("GET", "/payment_methods", payment_methods.list_),
    op("GET", "/payment_methods/{payment_method}", payment_methods.retrieve),
    op("POST", "/payment_methods/{payment_method}", payment_methods.update),
    op("POST", "/payment_methods/{payment_method}/attach", payment_methods.attach),
    op("POST", "/payment_methods/{payment_method}/detach", payment_methods.detach),
    op("GET", "/customers/{customer}/payment_methods", payment_methods.list_for_customer),
    op("GET", "/customers/{customer}/payment_methods/{payment_method}",
       payment_methods.retrieve_for_customer),

    op("POST", "/sources", source_objects.create, publishable=True),
    op("GET", "/sources/{source}", source_objects.retrieve, publishable=True),
    op("POST", "/sources/{source}", source_objects.update),

    op("POST", "/payment_intents", payment_intents.create),
    op("GET", "/payment_intents", payment_intents.list_),
    op("GET", "/payment_intents/search", search.payment_intents),
    op("GET", "/payment_intents/{intent}", payment_intents.retrieve, publishable=True),
    op("POST", "/payment_intents/{intent}", payment_intents.update),
    op("POST", "/payment_intents/{intent}/confirm", payment_intents.confirm, publishable=True),
    op("POST", "/payment_intents/{intent}/capture", payment_intents.capture),
    op("POST", "/payment_intents/{intent}/cancel", payment_intents.cancel),
    op("POST", "/payment_intents/{intent}/increment_authorization",
       payment_intents.increment_authorization),

    op("POST", "/setup_intents", setup_intents.create),
    op("GET", "/setup_intents", setup_intents.list_),
    op("GET", "/setup_intents/{intent}", setup_intents.retrieve, publishable=True),
    op("POST", "/setup_intents/{intent}", setup_intents.update),
    op("POST", "/setup_intents/{intent}/confirm", setup_intents.confirm, publishable=True),
    op("POST", "/setup_intents/{intent}/cancel", setup_intents.cancel),
    op("GET", "/setup_attempts", setup_intents.list_attempts),

    op("POST", "/charges", charges.create),
    op("GET", "/charges", charges.list_),
    op("GET", "/charges/search", search.charges),
    op("GET", "/charges/{charge}", charges.retrieve),
    op("POST", "/charges/{charge}", charges.update),
    op("POST", "/charges/{charge}/capture", charges.capture),
    op("POST", "/charges/{charge}/refunds", refunds.create_for_charge),
    op("GET", "/charges/{charge}/refunds", refunds.list_for_charge),
    op("GET", "/charges/{charge}/refunds/{refund}", refunds.retrieve_for_charge),
    op("POST", "/charges/{charge}/refunds/{refund}", refunds.update_for_charge),

    op("POST", "/refunds", refunds.create),
    op("GET", "/refunds", refunds.list_),
    op("GET", "/refunds/{refund}", refunds.retrieve),
    op("POST", "/refunds/{refund}", refunds.update),

    op("GET", "/application_fees", application_fees.list_),
    op("GET", "/application_fees/{id}", application_fees.retrieve),
    op("POST", "/application_fees/{id}/refunds", application_fees.create_refund),
    op("POST", "/application_fees/{id}/refund", application_fees.legacy_refund),
    op("GET", "/application_fees/{id}/refunds", application_fees.list_refunds),
    op("GET", "/application_fees/{fee}/refunds/{id}", application_fees.retrieve_refund),
    op("POST", "/application_fees/{fee}/refunds/{id}", application_fees.update_refund),

    op("POST", "/transfers", transfers.create),
    op("GET", "/transfers", transfers.list_),
    op("GET", "/transfers/{transfer}", transfers.retrieve),
    op("POST", "/transfers/{transfer}", transfers.update),
    op("POST", "/transfers/{id}/reversals", transfers.create_reversal),
    op("GET", "/transfers/{id}/reversals", transfers.list_reversals),
    op("GET", "/transfers/{transfer}/reversals/{id}", transfers.retrieve_reversal),
    op("POST", "/transfers/{transfer}/reversals/{id}", transfers.update_reversal),

    op("GET", "/balance", balance.retrieve),
    op("GET", "/balance_transactions", balance.list_transactions),
    op("GET", "/balance_transactions/{id}", balance.retrieve_transaction),
    op("GET", "/balance/history", balance.list_history, spec_path="/balance_transactions"),
    op("GET", "/balance/history/{id}", balance.retrieve_transaction,
       spec_path="/balance_transactions/{id}"),
    op("POST", "/test_helpers/balance/make_available", balance.make_available),  # sandbox
    op("POST", "/test_helpers/charges/{charge}/settle", ach.settle_now),  # sandbox

    op("POST", "/payouts", payouts.create),
    op("GET", "/payouts", payouts.list_),
    op("GET", "/payouts/{payout}", payouts.retrieve),
    op("POST", "/payouts/{payout}", payouts.update),
    op("POST", "/payouts/{payout}/cancel", payouts.cancel),
    op("POST", "/test_helpers/payouts/{payout}/settle", payouts.settle_now),  # sandbox

    op("GET", "/events", events.list_),
    op("GET", "/events/{id}", events.retrieve),
    op("POST", "/events/{id}/retry", webhook_endpoints.event_retry),  # sandbox (Stripe CLI)

    op("POST", "/webhook_endpoints", webhook_endpoints.create),
    op("GET", "/webhook_endpoints", webhook_endpoints.list_),
    op("GET", "/webhook_endpoints/{webhook_endpoint}", webhook_endpoints.retrieve),
    op("POST", "/webhook_endpoints/{webhook_endpoint}", webhook_endpoints.update),
    op("DELETE", "/webhook_endpoints/{webhook_endpoint}", webhook_endpoints.delete),
    op("POST", "/webhook_endpoints/{webhook_endpoint}/sandbox_resend",
       webhook_endpoints.sandbox_resend),
    op("GET", "/webhook_endpoints/{webhook_endpoint}/sandbox_attempts",
       webhook_endpoints.sandbox_attempts),
]
