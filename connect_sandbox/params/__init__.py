"""Typed request parameters: validated against the operation's schema from Stripe's
published OpenAPI description (spec.json, made by tools/extract_spec.py)."""
from .validate import Params, operation_params, validate

__all__ = ["Params", "operation_params", "validate"]
