"""Currencies and amounts: which currencies exist, which have no minor unit, the
minimum and maximum charge amounts, and money formatting for messages."""
from __future__ import annotations

from typing import Any, Mapping

from ..errors import InvalidRequestError, below_minimum, missing_param

CURRENCIES = frozenset("""
usd aed afn all amd ang aoa ars aud awg azn bam bbd bdt bgn bhd bif bmd bnd bob brl bsd bwp byn
bzd cad cdf chf clp cny cop crc cve czk djf dkk dop dzd egp etb eur fjd fkp gbp gel gip gmd gnf
gtq gyd hkd hnl htg huf idr ils inr isk jmd jod jpy kes kgs khr kmf krw kwd kyd kzt lak lbp lkr
lrd lsl mad mdl mga mkd mmk mnt mop mur mvr mwk mxn myr mzn nad ngn nio nok npr nzd omr pab pen
pgk php pkr pln pyg qar ron rsd rub rwf sar sbd scr sek sgd shp sle sos srd std szl thb tjs top
try ttd twd tzs uah ugx uyu uzs vnd vuv wst xaf xcd xof xpf yer zar zmw
""".split())
ZERO_DECIMAL = frozenset("bif clp djf gnf jpy kmf krw mga pyg rwf ugx vnd vuv xaf xof xpf".split())
THREE_DECIMAL = frozenset("bhd jod kwd omr tnd".split())
MINIMUMS = {"usd": 50, "eur": 50, "gbp": 30, "cad": 50, "aud": 50, "jpy": 50, "chf": 50,
            "dkk": 250, "nok": 300, "sek": 300, "hkd": 400, "mxn": 1000, "nzd": 50, "sgd": 50,
            "brl": 50, "czk": 1500, "huf": 17500, "pln": 200, "ron": 200, "inr": 50,
            "aed": 200, "bgn": 100, "thb": 1000, "myr": 200}
MAX_AMOUNT = 99_999_999
SYMBOLS = {"usd": "$", "eur": "€", "gbp": "£", "jpy": "¥", "cad": "$", "aud": "$"}


def currency(value: str, param: str = "currency") -> str:
    cur = value.lower()
    if cur not in CURRENCIES:
        raise InvalidRequestError(
            f"Invalid currency: {value[:20]}. Stripe currently supports these currencies: "
            + ", ".join(sorted(CURRENCIES)), param=param)
    return cur


def fmt(amount: int, cur: str) -> str:
    symbol = SYMBOLS.get(cur, "")
    if cur in ZERO_DECIMAL:
        return f"{symbol}{amount:,}"
    return f"{symbol}{amount / 100:,.2f}"


def required_amount(params: Mapping[str, Any], param: str = "amount") -> int:
    """A required amount of at least 1 minor unit (transfers, payouts)."""
    if param not in params:
        raise missing_param(param)
    if params[param] < 1:
        raise below_minimum(param)
    return params[param]


def charge_amount(amount: int, cur: str, param: str = "amount") -> int:
    minimum = MINIMUMS.get(cur, 50)
    if amount < minimum:
        raise InvalidRequestError(f"Amount must be at least {fmt(minimum, cur)} {cur}",
                                  param=param, code="amount_too_small")
    if amount > MAX_AMOUNT:
        raise InvalidRequestError(f"Amount must be no more than {fmt(MAX_AMOUNT, cur)}",
                                  param=param, code="amount_too_large")
    return amount
