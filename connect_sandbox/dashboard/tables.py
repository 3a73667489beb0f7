"""How each kind of object is listed: its columns, as cells the templates know how to
draw (id, money, time, status, text, account). One table description per object type;
an unknown type gets id / created / status."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable

from .format import payment_label


@dataclass(frozen=True)
class Cell:
    kind: str                # id | money | time | date | status | text
    value: Any
    currency: str | None = None
    note: str | None = None  # shown after an id: what it is ("Visa •••• 4242")


@dataclass(frozen=True)
class Table:
    caption: str
    headers: list[str]
    rows: list[list[Cell]]
    empty: str


Col = tuple[str, Callable[[dict[str, Any]], Cell]]


def _id(key: str = "id") -> Callable[[dict[str, Any]], Cell]:
    def cell(o: dict[str, Any]) -> Cell:
        value = o.get(key)
        return Cell("id", value.get("id") if isinstance(value, dict) else value)
    return cell


def _money(key: str) -> Callable[[dict[str, Any]], Cell]:
    return lambda o: Cell("money", o.get(key), o.get("currency"))


def _text(key: str) -> Callable[[dict[str, Any]], Cell]:
    return lambda o: Cell("text", o.get(key))


def _status(key: str = "status") -> Callable[[dict[str, Any]], Cell]:
    return lambda o: Cell("status", o.get(key))


_created: Col = ("Created (UTC)", lambda o: Cell("time", o.get("created")))
_owner: Col = ("Account", lambda o: Cell("id", o.get("_owner")))


def _charge_status(o: dict[str, Any]) -> Cell:
    if o.get("refunded"):
        return Cell("status", "refunded")
    if o.get("status") == "succeeded" and not o.get("captured"):
        return Cell("status", "uncaptured")
    return Cell("status", o.get("status"))


def _pm(o: dict[str, Any]) -> Cell:
    src = o.get("source") or o.get("payment_method_details") or o.get("payment_method")
    if isinstance(src, dict) and src.get("type") and isinstance(src.get(src["type"]), dict):
        inner = src[src["type"]]
        src = {"object": src["type"], **inner} if src["type"] == "card" else src
    return Cell("text", payment_label(src) if src else None)


def _time(key: str) -> Callable[[dict[str, Any]], Cell]:
    return lambda o: Cell("time", o.get(key))


def _account_state(o: dict[str, Any]) -> Cell:
    """rejected (with its reason), restricted (charges or payouts off), else enabled."""
    reason = (o.get("requirements") or {}).get("disabled_reason")
    if isinstance(reason, str) and reason.startswith("rejected"):
        return Cell("status", reason.replace(".", ": ", 1).replace("_", " "))
    if o.get("charges_enabled") is False or o.get("payouts_enabled") is False:
        return Cell("status", "restricted")
    return Cell("status", "enabled")


def _enabled(key: str) -> Callable[[dict[str, Any]], Cell]:
    return lambda o: Cell("status", "enabled" if o.get(key) else "disabled")


def _destination(o: dict[str, Any]) -> Cell:
    """A payout's destination: its id and, when the page looked it up, its label."""
    dest = o.get("destination")
    dest_id = dest.get("id") if isinstance(dest, dict) else dest
    label = o.get("_destination_label")
    return Cell("id", dest_id, note=label if isinstance(label, str) else None)


def _external_kind(o: dict[str, Any]) -> Cell:
    if o.get("object") == "card":
        return Cell("text", f"{o.get('funding') or ''} card".strip())
    return Cell("text", "bank account")


def _default(o: dict[str, Any]) -> Cell:
    cur = str(o.get("currency") or "").upper()
    return Cell("text", f"default for {cur}" if o.get("default_for_currency") else "no")


def _link_status(o: dict[str, Any]) -> Cell:
    return Cell("status", o.get("_state"))


def _lineage(o: dict[str, Any]) -> Cell:
    origin = o.get("_cloned_from")
    if not isinstance(origin, dict):
        return Cell("text", None)
    return Cell("id", origin.get("customer"))


COLUMNS: dict[str, list[Col]] = {
    "account": [("Account", _id()), ("Type", _text("type")), ("Email", _text("email")),
                ("Country", _text("country")), ("Status", _account_state),
                ("Charges", _enabled("charges_enabled")),
                ("Payouts", _enabled("payouts_enabled")), _created],
    "customer": [("Customer", _id()), ("Email", _text("email")), ("Name", _text("name")),
                 ("Default source", _id("default_source")), _created],
    "charge": [("Charge", _id()), ("Amount", _money("amount")),
               ("Status", _charge_status), ("Payment", _pm), ("Customer", _id("customer")),
               _created],
    "payment_intent": [("PaymentIntent", _id()), ("Amount", _money("amount")),
                       ("Status", _status()), ("Customer", _id("customer")), _created],
    "payment_method": [("PaymentMethod", _id()), ("Details", lambda o: Cell(
        "text", payment_label(o))), ("Customer", _id("customer")),
        ("Cloned from customer", _lineage), _created],
    "source": [("Source", _id()), ("Details", lambda o: Cell("text", payment_label(o))),
               ("Status", _status()), ("Customer", _id("customer")), _created],
    "card": [("Card", _id()), ("Details", lambda o: Cell("text", payment_label(o))),
             ("Fingerprint", _text("fingerprint")), ("Cloned from customer", _lineage)],
    "bank_account": [("Bank account", _id()), ("Details", lambda o: Cell(
        "text", payment_label(o))), ("Status", _status()), ("Cloned from customer", _lineage)],
    "refund": [("Refund", _id()), ("Amount", _money("amount")), ("Status", _status()),
               ("Reason", _text("reason")), _created],
    "application_fee": [("Fee", _id()), ("Amount", _money("amount")),
                        ("Refunded", _money("amount_refunded")), ("From account",
                                                                  _id("account")),
                        ("Charge", _id("charge")), _created],
    "transfer": [("Transfer", _id()), ("Amount", _money("amount")),
                 ("Reversed", _money("amount_reversed")),
                 ("Destination", _id("destination")), ("Source charge",
                                                       _id("source_transaction")), _created],
    "event": [("Event", _id()), ("Type", _text("type")), ("Object", lambda o: Cell(
        "id", ((o.get("data") or {}).get("object") or {}).get("id"))),
        ("Account", lambda o: Cell("id", o.get("account") or o.get("_owner"))), _created],
    "balance_transaction": [("Transaction", _id()), ("Type", _text("type")),
                            ("Amount", _money("amount")), ("Fee", _money("fee")),
                            ("Net", _money("net")), ("Source", _id("source")), _created],
    "payout": [("Payout", _id()), ("Amount", _money("amount")), ("Status", _status()),
               ("Arrival date (UTC)", lambda o: Cell("date", o.get("arrival_date"))),
               ("Destination", _destination),
               ("Failure", lambda o: Cell("text", o.get("failure_message"))), _created],
    # a connected account's bank accounts and debit cards (where its payouts go)
    "external_account": [("External account", _id()), ("Kind", _external_kind),
                         ("Details", lambda o: Cell("text", payment_label(o))),
                         ("Currency", lambda o: Cell("text", str(o.get("currency") or "")
                                                     .upper())),
                         ("Default", _default), ("Status", _status()),
                         ("Payout methods", lambda o: Cell("text", ", ".join(
                             o.get("available_payout_methods") or [])))],
    # the account's capabilities hash, one row per capability
    "capability": [("Capability", lambda o: Cell("text", o.get("id"))),
                   ("Status", _status()), ("Requested (UTC)", _time("requested_at"))],
    # account links and login links (kept privately as sandbox_link objects)
    "sandbox_link": [("Link", lambda o: Cell("text", o.get("_label"))),
                     ("Status", _link_status), _created,
                     ("Expires (UTC)", _time("expires_at"))],
    "setup_intent": [("SetupIntent", _id()), ("Status", _status()),
                     ("Customer", _id("customer")), ("PaymentMethod",
                                                     _id("payment_method")), _created],
}

CAPTIONS = {"account": "Sellers (connected accounts)", "customer": "Customers",
            "charge": "Charges", "payment_intent": "PaymentIntents",
            "payment_method": "PaymentMethods", "source": "Sources", "card": "Cards",
            "bank_account": "Bank accounts", "refund": "Refunds",
            "application_fee": "Application fees", "transfer": "Transfers",
            "event": "Events", "balance_transaction": "Balance transactions",
            "setup_intent": "SetupIntents", "payout": "Payouts",
            "external_account": "External accounts", "capability": "Capabilities",
            "sandbox_link": "Account and login links"}


def table(type_: str, objs: list[dict[str, Any]], *, caption: str | None = None,
          with_owner: bool = False, platform: str | None = None) -> Table:
    """`with_owner` adds the owning account's column; the `platform`'s own objects are
    marked as the platform's there."""
    cols = list(COLUMNS.get(type_) or [("Id", _id()), ("Status", _status()), _created])
    if with_owner and type_ not in ("event", "account"):
        cols.insert(1, _owner if platform is None else ("Account", lambda o: Cell(
            "id", o.get("_owner"), note="the platform" if o.get("_owner") == platform
            else None)))
    caption = caption or CAPTIONS.get(type_, type_.replace("_", " ").capitalize() + "s")
    return Table(caption, [c[0] for c in cols], [[fn(o) for _, fn in cols] for o in objs],
                 f"No {_lower_first(caption)} yet.")


def _lower_first(text: str) -> str:
    """"Recent charges" -> "recent charges", but "PaymentIntents" stays."""
    first = text.split(" ", 1)[0]
    return text[:1].lower() + text[1:] if first[1:].islower() else text
