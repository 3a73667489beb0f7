"""Card numbers: Luhn, brand, fingerprint. Pure functions; the number itself is never
kept after tokenization (only last4, brand, fingerprint and the test outcome)."""
from __future__ import annotations

import hmac

BRANDS = [  # (prefix ranges, brand, lengths)
    ((("4",),), "Visa", (13, 16, 19)),
    (((tuple(str(i) for i in range(51, 56))), tuple(str(i) for i in range(2221, 2721))),
     "MasterCard", (16,)),
    ((("34", "37"),), "American Express", (15,)),
    ((("6011", "65") + tuple(str(i) for i in range(644, 650)),), "Discover", (16, 19)),
    ((("300", "301", "302", "303", "304", "305", "36", "38", "39"),), "Diners Club", (14, 16)),
    ((tuple(str(i) for i in range(3528, 3590)),), "JCB", (16, 19)),
    ((("62", "81"),), "UnionPay", (16, 19)),
]


def luhn_ok(number: str) -> bool:
    if not (number.isascii() and number.isdigit()) or not 12 <= len(number) <= 19:
        return False
    total = 0
    for i, ch in enumerate(reversed(number)):
        d = int(ch)
        if i % 2 == 1:
            d *= 2
            if d > 9:
                d -= 9
        total += d
    return total % 10 == 0


def brand_of(number: str) -> str:
    for groups, brand, _lengths in BRANDS:
        for prefixes in groups:
            if number.startswith(prefixes):
                return brand
    return "Unknown"


def fingerprint(scope: str, number: str) -> str:
    """Identifies a card number within one scope (the platform whose customers clone
    it): 16 base62-ish characters, as Stripe's are."""
    # hmac.digest() with a digest name is OpenSSL's one-shot HMAC, all in C: the same
    # bytes as hmac.new(...).digest() without building an HMAC object in Python (whose
    # key pads cost ~50k instructions a fingerprint).
    n = int.from_bytes(hmac.digest(scope.encode(), number.encode(), "sha256"), "big")
    out = []
    for _ in range(16):
        n, r = divmod(n, 62)
        out.append(_ALPHABET[r])
    return "".join(out)


_ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"


def normalise_number(raw: str) -> str:
    return raw.replace(" ", "").replace("-", "")
