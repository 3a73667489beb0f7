"""Extract the request-parameter and object schemas the sandbox needs from Stripe's
OpenAPI description into a compact JSON file shipped with the package.

Run: python tools/extract_spec.py ../shared/stripe-openapi/spec3.json
Writes connect_sandbox/params/spec.json. The output is data derived from Stripe's
published (MIT-licensed) description: parameter names, types, enums, limits and the
property lists of response objects. Descriptions are dropped.
"""
from __future__ import annotations

import json
import sys
from pathlib import Path

OPERATIONS = [
    ("GET", "/v1/account"),
    ("GET", "/v1/accounts"), ("POST", "/v1/accounts"),
    ("GET", "/v1/accounts/{account}"), ("POST", "/v1/accounts/{account}"),
    ("DELETE", "/v1/accounts/{account}"),
    ("GET", "/v1/customers"), ("POST", "/v1/customers"),
    ("GET", "/v1/customers/{customer}"), ("POST", "/v1/customers/{customer}"),
    ("DELETE", "/v1/customers/{customer}"),
    ("GET", "/v1/customers/{customer}/sources"), ("POST", "/v1/customers/{customer}/sources"),
    ("GET", "/v1/customers/{customer}/sources/{id}"),
    ("POST", "/v1/customers/{customer}/sources/{id}"),
    ("DELETE", "/v1/customers/{customer}/sources/{id}"),
    ("POST", "/v1/customers/{customer}/sources/{id}/verify"),
    ("GET", "/v1/customers/{customer}/payment_methods"),
    ("GET", "/v1/customers/{customer}/payment_methods/{payment_method}"),
    ("POST", "/v1/tokens"), ("GET", "/v1/tokens/{token}"),
    ("GET", "/v1/charges"), ("POST", "/v1/charges"),
    ("GET", "/v1/charges/{charge}"), ("POST", "/v1/charges/{charge}"),
    ("POST", "/v1/charges/{charge}/capture"),
    ("GET", "/v1/charges/{charge}/refunds"), ("POST", "/v1/charges/{charge}/refunds"),
    ("GET", "/v1/charges/{charge}/refunds/{refund}"),
    ("POST", "/v1/charges/{charge}/refunds/{refund}"),
    ("POST", "/v1/sources"), ("GET", "/v1/sources/{source}"), ("POST", "/v1/sources/{source}"),
    ("GET", "/v1/payment_methods"), ("POST", "/v1/payment_methods"),
    ("GET", "/v1/payment_methods/{payment_method}"),
    ("POST", "/v1/payment_methods/{payment_method}"),
    ("POST", "/v1/payment_methods/{payment_method}/attach"),
    ("POST", "/v1/payment_methods/{payment_method}/detach"),
    ("GET", "/v1/payment_intents"), ("POST", "/v1/payment_intents"),
    ("GET", "/v1/payment_intents/{intent}"), ("POST", "/v1/payment_intents/{intent}"),
    ("POST", "/v1/payment_intents/{intent}/confirm"),
    ("POST", "/v1/payment_intents/{intent}/capture"),
    ("POST", "/v1/payment_intents/{intent}/cancel"),
    ("POST", "/v1/payment_intents/{intent}/increment_authorization"),
    ("GET", "/v1/setup_intents"), ("POST", "/v1/setup_intents"),
    ("GET", "/v1/setup_intents/{intent}"), ("POST", "/v1/setup_intents/{intent}"),
    ("POST", "/v1/setup_intents/{intent}/confirm"),
    ("POST", "/v1/setup_intents/{intent}/cancel"),
    ("GET", "/v1/setup_attempts"),
    ("GET", "/v1/refunds"), ("POST", "/v1/refunds"),
    ("GET", "/v1/refunds/{refund}"), ("POST", "/v1/refunds/{refund}"),
    ("GET", "/v1/application_fees"), ("GET", "/v1/application_fees/{id}"),
    ("GET", "/v1/application_fees/{id}/refunds"), ("POST", "/v1/application_fees/{id}/refunds"),
    ("GET", "/v1/application_fees/{fee}/refunds/{id}"),
    ("POST", "/v1/application_fees/{fee}/refunds/{id}"),
    ("POST", "/v1/application_fees/{id}/refund"),
    ("GET", "/v1/transfers"), ("POST", "/v1/transfers"),
    ("GET", "/v1/transfers/{transfer}"), ("POST", "/v1/transfers/{transfer}"),
    ("GET", "/v1/transfers/{id}/reversals"), ("POST", "/v1/transfers/{id}/reversals"),
    ("GET", "/v1/transfers/{transfer}/reversals/{id}"),
    ("POST", "/v1/transfers/{transfer}/reversals/{id}"),
    ("GET", "/v1/balance"), ("GET", "/v1/balance_transactions"),
    ("GET", "/v1/balance_transactions/{id}"),
    ("GET", "/v1/events"), ("GET", "/v1/events/{id}"),
    ("GET", "/v1/webhook_endpoints"), ("POST", "/v1/webhook_endpoints"),
    ("GET", "/v1/webhook_endpoints/{webhook_endpoint}"),
    ("POST", "/v1/webhook_endpoints/{webhook_endpoint}"),
    ("DELETE", "/v1/webhook_endpoints/{webhook_endpoint}"),
    ("POST", "/v1/account_links"), ("POST", "/v1/accounts/{account}/login_links"),
    ("POST", "/v1/accounts/{account}/reject"),
    ("GET", "/v1/accounts/{account}/capabilities"),
    ("GET", "/v1/accounts/{account}/capabilities/{capability}"),
    ("POST", "/v1/accounts/{account}/capabilities/{capability}"),
    ("GET", "/v1/accounts/{account}/external_accounts"),
    ("POST", "/v1/accounts/{account}/external_accounts"),
    ("GET", "/v1/accounts/{account}/external_accounts/{id}"),
    ("POST", "/v1/accounts/{account}/external_accounts/{id}"),
    ("DELETE", "/v1/accounts/{account}/external_accounts/{id}"),
    ("GET", "/v1/customers/search"), ("GET", "/v1/charges/search"),
    ("GET", "/v1/payment_intents/search"),
    ("GET", "/v1/payouts"), ("POST", "/v1/payouts"),
    ("GET", "/v1/payouts/{payout}"), ("POST", "/v1/payouts/{payout}"),
    ("POST", "/v1/payouts/{payout}/cancel"),
]

OBJECTS = [
    "account", "customer", "card", "bank_account", "token", "charge", "source",
    "payment_method", "payment_intent", "setup_intent", "setup_attempt", "refund",
    "application_fee", "fee_refund", "transfer", "transfer_reversal", "balance",
    "balance_transaction", "event", "webhook_endpoint", "deleted_customer", "deleted_account",
    "deleted_webhook_endpoint", "deleted_external_account",
    # nested shapes the services fill from request parameters
    "legal_entity_company", "person",
    "account_link", "login_link", "capability", "payout",
]

KEEP = ("type", "enum", "maxLength", "required", "nullable", "format")


def simplify(node, spec, depth=0):
    """Reduce a schema node to what validation needs: types, enums, limits, nesting."""
    if "$ref" in node:
        name = node["$ref"].rsplit("/", 1)[-1]
        return {"ref": name}
    out = {k: node[k] for k in KEEP if k in node}
    if "anyOf" in node:
        out["anyOf"] = [simplify(n, spec, depth + 1) for n in node["anyOf"]]
    if "properties" in node:
        out["properties"] = {k: simplify(v, spec, depth + 1) for k, v in node["properties"].items()}
    ap = node.get("additionalProperties")
    if isinstance(ap, dict):
        out["additionalProperties"] = simplify(ap, spec, depth + 1)
    if "items" in node:
        out["items"] = simplify(node["items"], spec, depth + 1)
    if "x-expandableFields" in node:
        out["expandable"] = node["x-expandableFields"]
    return out


def main(path: str) -> None:
    spec = json.loads(Path(path).read_text())
    ops = {}
    for method, route in OPERATIONS:
        op = spec["paths"][route][method.lower()]
        params = {}
        required = []
        for p in op.get("parameters", []):
            if p["in"] != "query":
                continue
            params[p["name"]] = simplify(p["schema"], spec)
            if p.get("required"):
                required.append(p["name"])
        body = op.get("requestBody", {}).get("content", {}).get(
            "application/x-www-form-urlencoded", {}).get("schema")
        if body:
            for name, sub in body.get("properties", {}).items():
                params[name] = simplify(sub, spec)
            required += body.get("required", [])
        ops[f"{method} {route}"] = {"params": params, "required": sorted(set(required))}
    objects = {}
    for name in OBJECTS:
        schema = spec["components"]["schemas"][name]
        objects[name] = simplify(schema, spec)
    out = {"api_version": spec["info"]["version"], "operations": ops, "objects": objects}
    dest = Path(__file__).resolve().parent.parent / "connect_sandbox" / "params" / "spec.json"
    dest.write_text(json.dumps(out, separators=(",", ":"), sort_keys=True))
    print(f"wrote {dest} ({dest.stat().st_size} bytes, {len(ops)} operations)")


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "../shared/stripe-openapi/spec3.json")
