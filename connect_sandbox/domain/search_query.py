"""Stripe's search query language, parsed and evaluated (pure: no I/O).

A query is one or more clauses `field operator value`, joined by spaces or by the
keywords AND / OR (either case); AND and OR may not be mixed and there are no
parentheses. A clause may be negated with a leading `-`.

    email:"jenny@example.com"          exact match (strings: case-insensitive)
    email~"example"                    substring (string fields, at least 3 characters)
    amount>1000  created<=1700000000   numeric comparison (> < >= <= and : or =)
    metadata["order"]:"6735"           a metadata key (single or double quotes)
    -status:"canceled"                 negation
    email:null  -metadata["k"]:null    a field without a value / a key that is set

String values must be quoted ('...' or "...", with \\" and \\' escapes); numbers may be
quoted or not. Each resource names its searchable fields and their kinds (FIELDS).
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, Mapping

from ..errors import InvalidRequestError

STRING, TOKEN, NUMBER, BOOLEAN = "string", "token", "number", "boolean"
MIN_SUBSTRING = 3
MAX_CLAUSES = 10

# Query fields per resource (Stripe's "Query fields for ..." tables).
FIELDS: dict[str, dict[str, str]] = {
    "customers": {"created": NUMBER, "email": STRING, "name": STRING, "phone": STRING},
    "charges": {
        "amount": NUMBER, "billing_details.address.postal_code": STRING, "created": NUMBER,
        "currency": TOKEN, "customer": TOKEN, "disputed": BOOLEAN,
        "payment_intent": TOKEN, "refunded": BOOLEAN, "status": TOKEN,
        "payment_method_details.card.last4": TOKEN,
        "payment_method_details.card.brand": TOKEN,
        "payment_method_details.card.exp_month": NUMBER,
        "payment_method_details.card.exp_year": NUMBER,
        "payment_method_details.card.fingerprint": TOKEN,
    },
    "payment_intents": {"amount": NUMBER, "created": NUMBER, "currency": TOKEN,
                        "customer": TOKEN, "status": TOKEN},
}

PARSE_ERROR = ("We were unable to parse your search query. Try using the format "
               "`metadata[\"key\"]:\"value\"` to query for metadata or `key:\"value\"` to "
               "query for other fields.")


@dataclass(frozen=True)
class Clause:
    field: str                 # "email", "payment_method_details.card.last4", "metadata"
    key: str | None            # the metadata key
    op: str                    # ":", "~", ">", "<", ">=", "<="
    value: Any                 # str, int/float, bool, or None (null)
    negated: bool = False
    kind: str = TOKEN          # STRING values compare without regard to case


@dataclass(frozen=True)
class Query:
    clauses: tuple[Clause, ...]
    any_of: bool = False       # OR (else AND)

    def matches(self, obj: Mapping[str, Any]) -> bool:
        results = (_holds(c, obj) for c in self.clauses)
        return any(results) if self.any_of else all(results)


def _error(message: str = PARSE_ERROR) -> InvalidRequestError:
    return InvalidRequestError(message, param="query")


_TOKEN = re.compile(r"""
    (?P<ws>\s+)
  | (?P<field>-?[A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z_][A-Za-z0-9_]*)*
        (?:\[\s*(?P<kq>["'])(?P<key>(?:\\.|(?!(?P=kq))[^\\])*)(?P=kq)\s*\])?)
    \s*(?P<op>>=|<=|:|~|>|<|=)\s*
    (?:(?P<q>["'])(?P<str>(?:\\.|(?!(?P=q))[^\\])*)(?P=q)|(?P<bare>[^\s"']+))
  | (?P<word>[^\s]+)
""", re.VERBOSE | re.DOTALL)


def _unescape(text: str) -> str:
    return re.sub(r"\\(.)", r"\1", text)


def parse(text: str, resource: str) -> Query:
    """The query for `resource` ("customers", "charges", "payment_intents"), or a 400
    naming `query`."""
    fields = FIELDS[resource]
    if not text or not text.strip():
        raise _error()
    clauses: list[Clause] = []
    joins: set[str] = set()
    expect_clause = True
    pos = 0
    while pos < len(text):
        m = _TOKEN.match(text, pos)
        if m is None:
            raise _error()
        pos = m.end()
        if m.group("ws"):
            continue
        word = m.group("word")
        if word is not None:
            if word.upper() in ("AND", "OR") and not expect_clause:
                joins.add(word.upper())
                expect_clause = True
                continue
            raise _error()
        if not expect_clause:
            joins.add("AND")  # clauses separated by a space only: AND
        clauses.append(_clause(m, fields, resource))
        expect_clause = False
    if expect_clause:  # empty, or ends with AND / OR
        raise _error()
    if len(joins) > 1:
        raise _error("Unsupported query: AND and OR operators cannot be combined in the same "
                     "query. Use one of them throughout.")
    if len(clauses) > MAX_CLAUSES:
        raise _error(f"Search queries can have at most {MAX_CLAUSES} clauses.")
    return Query(tuple(clauses), any_of=joins == {"OR"})


def _clause(m: re.Match, fields: Mapping[str, str], resource: str) -> Clause:
    field = m.group("field")
    negated = field.startswith("-")
    if negated:
        field = field[1:]
    key = None
    if "[" in field:
        field = field[:field.index("[")].strip()
        key = _unescape(m.group("key"))
        if field != "metadata":
            raise _error()
        kind = STRING
    elif field == "metadata":
        raise _error()
    else:
        kind = fields.get(field)
        if kind is None:
            raise _error(
                f"Field `{field}` is an unsupported search field for resource `{resource}`. "
                f"See https://stripe.com/docs/search#query-fields-for-{resource.replace('_', '')} "
                "for a list of supported fields.")
    op = "=" if m.group("op") == "=" else m.group("op")
    quoted = m.group("q") is not None
    raw = _unescape(m.group("str")) if quoted else m.group("bare")
    if not quoted and raw == "null":
        if op not in (":", "="):
            raise _error()
        return Clause(field, key, ":", None, negated, kind)
    if op == "~":
        if kind != STRING:
            raise _error(f"Substring matching (`~`) is not supported on field `{field}`: it "
                         "works on string fields only.")
        if not quoted:
            raise _error()
        if len(raw) < MIN_SUBSTRING:
            raise _error(f"Substring matching (`~`) needs a value of at least "
                         f"{MIN_SUBSTRING} characters.")
        return Clause(field, key, "~", raw.lower(), negated, kind)
    if kind == NUMBER:
        try:
            value: Any = int(raw) if re.fullmatch(r"-?[0-9]+", raw) else float(raw)
        except ValueError:
            raise _error(f"The value for field `{field}` must be a number.") from None
        return Clause(field, key, ":" if op == "=" else op, value, negated, kind)
    if op not in (":", "="):
        raise _error(f"Numeric comparisons (`{op}`) are only supported on numeric fields, "
                     f"not on `{field}`.")
    if kind == BOOLEAN:
        if raw.lower() not in ("true", "false"):
            raise _error(f"The value for field `{field}` must be true or false.")
        return Clause(field, key, ":", raw.lower() == "true", negated, kind)
    if not quoted:  # strings and tokens must be quoted
        raise _error()
    return Clause(field, key, ":", raw.lower() if kind == STRING else raw, negated, kind)


def _value(obj: Mapping[str, Any], clause: Clause) -> Any:
    if clause.key is not None:
        return (obj.get("metadata") or {}).get(clause.key)
    value: Any = obj
    for part in clause.field.split("."):
        if not isinstance(value, Mapping):
            return None
        value = value.get(part)
    if isinstance(value, Mapping) and isinstance(value.get("id"), str):
        value = value["id"]  # an expanded object stands for its id
    return value


def _holds(clause: Clause, obj: Mapping[str, Any]) -> bool:
    return _test(clause, _value(obj, clause)) != clause.negated


def _test(clause: Clause, actual: Any) -> bool:
    if clause.value is None:
        return actual is None or actual == ""
    if actual is None:
        return False
    if clause.op == "~":
        return isinstance(actual, str) and clause.value in actual.lower()
    if isinstance(clause.value, bool):
        return actual is clause.value
    if isinstance(clause.value, (int, float)):
        if isinstance(actual, bool) or not isinstance(actual, (int, float)):
            return False
        return {":": actual == clause.value, ">": actual > clause.value,
                "<": actual < clause.value, ">=": actual >= clause.value,
                "<=": actual <= clause.value}[clause.op]
    if not isinstance(actual, str):
        return False
    if clause.kind == STRING:
        return actual.lower() == clause.value
    return actual == clause.value
