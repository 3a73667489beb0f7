"""An account's `company` and `individual` (a Person) from the request's hashes.

Stripe shows what the platform filled in, in the documented shape, and never returns
the identity numbers themselves: `company[tax_id]` shows as `tax_id_provided: true`,
`individual[id_number]` as `id_number_provided: true`, and so on. Keys the response
does not document are not kept.
"""
from __future__ import annotations

from typing import Any

from ..domain import metadata as md
from ..domain.ids import new_id
from ..params.validate import object_schema
from ..wire.current import newer
from ..wire.shape import blank
from .passthrough import clean, merge_hash

# request key -> the flag shown instead of the value
_COMPANY_SECRETS = {"tax_id": "tax_id_provided", "vat_id": "vat_id_provided"}
_PERSON_SECRETS = {"id_number": "id_number_provided",
                   "id_number_secondary": "id_number_secondary_provided",
                   "ssn_last_4": "ssn_last_4_provided"}


_COMPUTED = {"id", "object", "account", "created", "metadata", "requirements",
             "future_requirements"}


def _address() -> dict[str, Any]:
    return {k: None for k in ("city", "country", "line1", "line2", "postal_code", "state")}


def _document() -> dict[str, Any]:
    return {"back": None, "details": None, "details_code": None, "front": None}


def _requirements() -> dict[str, Any]:
    return {"alternatives": [], "currently_due": [], "errors": [], "eventually_due": [],
            "past_due": [], "pending_verification": []}


def _fill(current: dict[str, Any], given: dict[str, Any], secrets: dict[str, str],
          shape: str) -> dict[str, Any]:
    """`given` laid over `current`, keeping only the properties `shape` documents."""
    documented = set(object_schema(shape)["properties"]) - _COMPUTED
    given = dict(given)
    for key, flag in secrets.items():
        if key in given:
            current[flag] = bool(given.pop(key))
    allowed = {k: v for k, v in given.items() if k in documented}
    return merge_hash(current, allowed)


def company(current: dict[str, Any] | None, given: dict[str, Any]) -> dict[str, Any]:
    if current is None:
        current = blank("legal_entity_company", address=_address(), directors_provided=False,
                        executives_provided=False, owners_provided=False,
                        tax_id_provided=False, vat_id_provided=False,
                        verification={"document": _document()})
    return _fill(current, given, _COMPANY_SECRETS, "legal_entity_company")


def individual(current: dict[str, Any] | None, given: dict[str, Any], *, account: str,
               now: int) -> dict[str, Any]:
    if current is None:
        current = blank(
            "person", id=new_id("person", 16), account=account, created=now,
            address=_address(), dob={"day": None, "month": None, "year": None},
            id_number_provided=False, id_number_secondary_provided=False,
            ssn_last_4_provided=False, political_exposure="none",
            relationship=newer("person_relationship", {
                "director": False, "executive": False, "owner": False,
                "percent_ownership": None, "representative": True, "title": None}),
            requirements=_requirements(), future_requirements=_requirements(),
            verification={"additional_document": _document(), "details": None,
                          "details_code": None, "document": _document(),
                          "status": "verified"})
        current.setdefault("registered_address", _address())
    out = _fill(current, given, _PERSON_SECRETS, "person")
    if "metadata" in given:
        out["metadata"] = md.merge(out.get("metadata") or {}, given["metadata"],
                                   param="individual[metadata]")
    if given.get("full_name_aliases") == "":
        out["full_name_aliases"] = []
    return clean(out)
