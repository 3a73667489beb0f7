"""The world the parameter-echo cases start from (echo_cases.py): one platform with a
connected account, and makers of fresh objects in the states the cases need."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import stripe

CARD = {"number": "4242424242424242", "exp_month": 12, "exp_year": 2034, "cvc": "123"}
BANK = {"country": "US", "currency": "usd", "routing_number": "110000000",
        "account_number": "000123456789", "account_holder_name": "Jenny Rosen",
        "account_holder_type": "individual"}


class World:
    """One platform (its own key) with a connected account, and makers of the objects
    the cases start from. Each maker returns a fresh object."""

    def __init__(self, client: stripe.StripeClient):
        self.client = client
        self.seller = client.v1.accounts.create(params={"type": "standard"}).id
        self._funded = False

    def call(self, method: str, path: str, params: dict[str, Any],
             account: str | None) -> dict[str, Any]:
        # The SDK's requestor, as client.raw_request uses it (raw_request itself would
        # take a `usage` parameter for its own telemetry).
        req = self.client._requestor
        opts: Any = {"stripe_account": account} if account else {}
        body, code, headers = req.request_raw(method, path, params=params, options=opts,
                                              base_address="api", api_mode="V1")
        return req._interpret_response(body, code, headers, "V1").data

    def post(self, path: str, params: dict[str, Any] | None = None, *,
             account: str | None = None) -> dict[str, Any]:
        return self.call("post", path, params or {}, account)

    def get(self, path: str, *, account: str | None = None, **params) -> dict[str, Any]:
        return self.call("get", path, params, account)

    def customer(self, source: str | None = None, *, account: str | None = None) -> dict:
        return self.post("/v1/customers", {"source": source} if source else {},
                         account=account)

    def pm(self, customer: str | None = None, *, account: str | None = None) -> str:
        pm = self.post("/v1/payment_methods", {"type": "card", "card": {"token": "tok_visa"}},
                       account=account)["id"]
        if customer:
            self.post(f"/v1/payment_methods/{pm}/attach", {"customer": customer},
                      account=account)
        return pm

    def charge(self, *, account: str | None = None, **params) -> dict[str, Any]:
        return self.post("/v1/charges", {"amount": 2000, "currency": "usd",
                                         "source": "tok_bypassPending", **params},
                         account=account)

    def intent(self, *, account: str | None = None, **params) -> dict[str, Any]:
        return self.post("/v1/payment_intents", {"amount": 2000, "currency": "usd",
                                                 "payment_method_types": ["card"], **params},
                         account=account)

    def setup_intent(self, **params) -> dict[str, Any]:
        return self.post("/v1/setup_intents", {"payment_method_types": ["card"], **params})

    def fund(self) -> None:
        """Available funds on the platform, for transfers."""
        if not self._funded:
            self.charge(amount=500000)
            self._funded = True

    def fee(self) -> dict[str, Any]:
        ch = self.charge(account=self.seller, application_fee_amount=300)
        return self.get(f"/v1/application_fees/{ch['application_fee']}")

    def transfer(self) -> dict[str, Any]:
        self.fund()
        return self.post("/v1/transfers", {"amount": 1000, "currency": "usd",
                                           "destination": self.seller})

    def custom_account(self) -> str:
        return self.post("/v1/accounts", {"type": "custom", "country": "US"})["id"]


@dataclass
class Call:
    path: str
    base: dict[str, Any] = field(default_factory=dict)
    account: str | None = None
    state: dict[str, Any] = field(default_factory=dict)
