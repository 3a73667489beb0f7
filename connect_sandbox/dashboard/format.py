"""Jinja filters: money as money, times as UTC times, ids as links, payment details as
"Visa •••• 4242"."""
from __future__ import annotations

import datetime as dt
from typing import Any

import orjson
from markupsafe import Markup, escape

from ..domain.ids import type_of
from ..domain.money import THREE_DECIMAL, ZERO_DECIMAL
from ..http.render import public

_SYMBOLS = {"usd": "$", "eur": "€", "gbp": "£", "jpy": "¥", "cad": "CA$", "aud": "A$",
            "nzd": "NZ$", "hkd": "HK$", "sgd": "S$", "inr": "₹", "chf": "CHF "}

_NONE = '<span class="none">—</span>'

# Which dashboard page shows an object, by its type; anything else is a generic page.
_PAGES = {"account": "accounts", "customer": "customers", "charge": "charges",
          "payment_intent": "payment_intents", "event": "events", "payout": "payouts"}


def money(amount: Any, currency: Any = "usd") -> str:
    """1234, "usd" -> "$12.34"; 500, "jpy" -> "¥500"; -50, "sek" -> "−0.50 SEK"."""
    if not isinstance(amount, int) or isinstance(amount, bool):
        return "—"
    cur = (currency or "usd").lower() if isinstance(currency, str) else "usd"
    sign, value = ("−", -amount) if amount < 0 else ("", amount)
    if cur in ZERO_DECIMAL:
        number = f"{value:,}"
    elif cur in THREE_DECIMAL:
        number = f"{value // 1000:,}.{value % 1000:03d}"
    else:
        number = f"{value // 100:,}.{value % 100:02d}"
    symbol = _SYMBOLS.get(cur)
    return f"{sign}{symbol}{number}" if symbol else f"{sign}{number} {cur.upper()}"


def utc(ts: Any) -> str:
    if not isinstance(ts, (int, float)) or isinstance(ts, bool):
        return "—"
    return dt.datetime.fromtimestamp(ts, dt.timezone.utc).strftime("%Y-%m-%d %H:%M:%S UTC")


def when(ts: Any) -> Markup:
    """A <time> element: machine-readable ISO 8601, shown as a UTC date and time."""
    if not isinstance(ts, (int, float)) or isinstance(ts, bool):
        return Markup("—")
    iso = dt.datetime.fromtimestamp(ts, dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
    return Markup(f'<time datetime="{iso}">{escape(utc(ts))}</time>')


def day(ts: Any) -> Markup:
    """A <time> element for a date (a payout's arrival date): the UTC day, with the
    full machine-readable time."""
    if not isinstance(ts, (int, float)) or isinstance(ts, bool):
        return Markup("—")
    moment = dt.datetime.fromtimestamp(ts, dt.timezone.utc)
    return Markup('<time datetime="{}">{}</time>').format(
        moment.strftime("%Y-%m-%dT%H:%M:%SZ"), moment.strftime("%Y-%m-%d"))


def href(obj_id: Any) -> str | None:
    if not isinstance(obj_id, str) or not obj_id:
        return None
    kind = type_of(obj_id) or ""
    page = _PAGES.get(kind)
    return f"/dashboard/{page or 'objects'}/{obj_id}"


def ident(obj_id: Any, link: bool = True) -> Markup:
    """An id as a copyable <code> (select-all on click), linked to its page."""
    if isinstance(obj_id, dict):
        obj_id = obj_id.get("id")
    if not isinstance(obj_id, str) or not obj_id:
        return Markup(_NONE)
    code = Markup('<code class="id">{}</code>').format(obj_id)
    target = href(obj_id) if link else None
    return Markup('<a href="{}">{}</a>').format(target, code) if target else code


def payment_label(obj: Any) -> str:
    """A card, bank account, Source or PaymentMethod as a person names it."""
    if isinstance(obj, str):
        return obj
    if not isinstance(obj, dict):
        return "—"
    kind = obj.get("object")
    card = obj if kind == "card" else (obj.get("card") if isinstance(obj.get("card"), dict)
                                       else None)
    if card:
        brand = card.get("brand") or "Card"
        brand = {"visa": "Visa", "mastercard": "Mastercard", "amex": "American Express"
                 }.get(str(brand).lower(), brand)
        return f"{brand} •••• {card.get('last4') or '????'}"
    bank = obj if kind == "bank_account" else obj.get("us_bank_account")
    if isinstance(bank, dict):
        return f"{bank.get('bank_name') or 'Bank account'} •••• {bank.get('last4') or '????'}"
    return str(obj.get("type") or kind or "—")


def status_class(status: Any) -> str:
    s = str(status or "").lower()
    if s in ("succeeded", "paid", "active", "chargeable", "verified", "validated", "enabled",
             "true", "valid"):
        return "ok"
    if s in ("failed", "canceled", "disabled", "errored", "false", "expired", "inactive",
             "rejected", "verification_failed", "restricted") or s.startswith("rejected"):
        return "bad"
    if s.startswith("requires") or s in ("pending", "processing", "new", "retrying",
                                         "in_transit"):
        return "wait"
    return "neutral"


def pretty(obj: Any) -> str:
    return orjson.dumps(public(obj), option=orjson.OPT_INDENT_2 | orjson.OPT_SORT_KEYS).decode()


def blank(value: Any) -> bool:
    """Nothing worth a line in a list of facts: None, "", "—" or an empty id."""
    return value is None or str(value).strip() in ("", "—", _NONE)


FILTERS = {"blank": blank, "money": money, "utc": utc, "when": when, "day": day, "href": href,
           "ident": ident, "payment_label": payment_label, "status_class": status_class,
           "pretty": pretty}
