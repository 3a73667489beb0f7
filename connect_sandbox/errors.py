"""The one tree of errors the API can answer with.

    StripeError                     every error; renders Stripe's {"error": {...}} body
    ├── InvalidRequestError         400 invalid_request_error (a param is named where known)
    │   ├── ResourceMissing         404 resource_missing, param "id" by default
    │   ├── UnknownParameter        400 "Received unknown parameter: x"
    │   └── RequestTooLarge         413
    ├── AuthenticationError         401 (missing, malformed or unknown key)
    ├── PermissionError_            403 (Stripe-Account not reachable, publishable key misuse)
    ├── CardError                   402 card_error, with code, decline_code and charge
    ├── IdempotencyError            400 idempotency_error
    ├── IdempotencyKeyInUse         409 idempotency_key_in_use
    └── APIError                    500 api_error (never raised on purpose)

Nothing here knows about HTTP frameworks; the app turns `status` and `to_wire()`
into a response.
"""
from __future__ import annotations

from typing import Any

DOC_BASE = "https://stripe.com/docs/error-codes/"


class StripeError(Exception):
    status = 400
    type = "invalid_request_error"
    default_code: str | None = None
    # When true, writes made before the error are kept (a declined charge is stored).
    persist = False

    def __init__(self, message: str, *, param: str | None = None, code: str | None = None,
                 decline_code: str | None = None, status: int | None = None,
                 extra: dict[str, Any] | None = None, persist: bool | None = None):
        super().__init__(message)
        self.message = message
        self.param = param
        self.code = code if code is not None else self.default_code
        self.decline_code = decline_code
        if status is not None:
            self.status = status
        if persist is not None:
            self.persist = persist
        self.extra = dict(extra or {})

    def to_wire(self) -> dict[str, Any]:
        err: dict[str, Any] = {"message": self.message, "type": self.type}
        if self.code:
            err["code"] = self.code
            err["doc_url"] = DOC_BASE + self.code.replace("_", "-")
        if self.decline_code:
            err["decline_code"] = self.decline_code
        if self.param is not None:
            err["param"] = self.param
        err.update(self.extra)
        err["request_log_url"] = None
        return {"error": err}


class InvalidRequestError(StripeError):
    pass


class ResourceMissing(InvalidRequestError):
    status = 404
    default_code = "resource_missing"

    def __init__(self, kind: str, obj_id: str, *, param: str = "id"):
        super().__init__(f"No such {kind}: '{obj_id}'", param=param)


class UnknownParameter(InvalidRequestError):
    default_code = "parameter_unknown"

    def __init__(self, name: str):
        super().__init__(f"Received unknown parameter: {name}", param=name)


class RequestTooLarge(InvalidRequestError):
    status = 413


class AuthenticationError(StripeError):
    status = 401


class PermissionError_(StripeError):
    status = 403


class CardError(StripeError):
    status = 402
    type = "card_error"
    persist = True


class IdempotencyError(StripeError):
    type = "idempotency_error"


class IdempotencyKeyInUse(StripeError):
    status = 409
    type = "invalid_request_error"
    default_code = "idempotency_key_in_use"


class APIError(StripeError):
    status = 500
    type = "api_error"


def missing_param(name: str) -> InvalidRequestError:
    return InvalidRequestError(f"Missing required param: {name}.", param=name,
                               code="parameter_missing")


def below_minimum(param: str, minimum: int = 1, **kw: Any) -> InvalidRequestError:
    """Stripe's answer to a number under its minimum ("... greater than or equal to 1.")."""
    return InvalidRequestError(f"This value must be greater than or equal to {minimum}.",
                               param=param, **kw)


def invalid(param: str, message: str, code: str | None = None) -> InvalidRequestError:
    return InvalidRequestError(message, param=param, code=code)


def no_linked_source(customer: str, source: str, param: str) -> InvalidRequestError:
    """Stripe's 404 (code `missing`) for a source that is not one of the customer's."""
    return InvalidRequestError(
        f"Customer {customer} does not have a linked source with ID {source}.",
        param=param, code="missing", status=404)
