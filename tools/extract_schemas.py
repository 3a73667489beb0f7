"""Copy the response-object schemas the API tests validate against (and everything they
reference) from Stripe's OpenAPI description into tests/data/stripe_schemas.json.

Run: python tools/extract_schemas.py ../shared/stripe-openapi/spec3.json
The tests must not depend on ../shared being present, so the subset is committed.
"""
from __future__ import annotations

import json
import sys
from pathlib import Path

ROOTS = [
    "account", "customer", "deleted_customer", "card", "bank_account", "token", "charge",
    "source", "payment_method", "payment_intent", "setup_intent", "setup_attempt", "refund",
    "application_fee", "fee_refund", "transfer", "transfer_reversal", "balance",
    "balance_transaction", "event", "webhook_endpoint", "deleted_webhook_endpoint",
    "deleted_account", "deleted_external_account", "deleted_payment_source",
    "account_link", "login_link", "capability",
]
DROP = ("description", "x-expandableFields", "x-resourceId", "x-stripeBypassValidation",
        "x-expansionResources", "x-stripeResource", "x-stripeMostCommon", "title")


def refs(node, found):
    if isinstance(node, dict):
        ref = node.get("$ref")
        if isinstance(ref, str):
            found.add(ref.rsplit("/", 1)[-1])
        for v in node.values():
            refs(v, found)
    elif isinstance(node, list):
        for v in node:
            refs(v, found)


def strip(node, *, names: bool = False):
    """Drop annotations; `names` marks a `properties` map, whose keys are property
    names (a property may well be called `description` or `title`)."""
    if isinstance(node, dict):
        if names:
            return {k: strip(v) for k, v in node.items()}
        return {k: strip(v, names=k == "properties") for k, v in node.items() if k not in DROP}
    if isinstance(node, list):
        return [strip(v) for v in node]
    return node


def main(path: str) -> None:
    schemas = json.loads(Path(path).read_text())["components"]["schemas"]
    todo, done = list(ROOTS), {}
    while todo:
        name = todo.pop()
        if name in done or name not in schemas:
            continue
        done[name] = strip(schemas[name])
        found: set[str] = set()
        refs(schemas[name], found)
        todo.extend(found - set(done))
    dest = Path(__file__).resolve().parent.parent / "tests" / "data" / "stripe_schemas.json"
    dest.write_text(json.dumps({"roots": ROOTS, "schemas": done}, sort_keys=True,
                               separators=(",", ":")))
    print(f"wrote {dest}: {len(done)} schemas, {dest.stat().st_size} bytes")


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "../shared/stripe-openapi/spec3.json")
