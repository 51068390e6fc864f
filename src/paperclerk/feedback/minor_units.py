"""Amounts in a currency's minor units (öre, cents; the yen has none), as card, POS and payout APIs count them.

ISO 4217 says how many decimals a currency has (SEK 2, JPY 0, KWD 3); a vendor may count a few currencies
differently (Stripe counts ISK in hundredths and MGA in whole units), so conversions take the vendor's exceptions.
An amount with more decimals than both allow is refused, never rounded.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from decimal import Decimal

from paperclerk.core.errors import InvalidRequest
from paperclerk.core.money import ISO_4217

_ZERO_DECIMALS = frozenset({"BIF", "CLP", "DJF", "GNF", "ISK", "JPY", "KMF", "KRW", "PYG", "RWF", "UGX", "VND", "VUV",
                            "XAF", "XOF", "XPF"})
_THREE_DECIMALS = frozenset({"BHD", "IQD", "JOD", "KWD", "LYD", "OMR", "TND"})
_CODE = re.compile(r"[A-Z]{3}")
_AMOUNT = re.compile(r"-?\d{1,15}(\.\d{1,6})?")


class CurrencyInvalid(InvalidRequest):
    code = "CURRENCY_INVALID"


class AmountInvalid(InvalidRequest):
    code = "AMOUNT_INVALID"


def currency_code(value: object) -> str:
    """The ISO 4217 code, upper case (``sek`` → ``SEK``); anything else is ``CURRENCY_INVALID``."""
    code = value.strip().upper() if isinstance(value, str) else ""
    if not _CODE.fullmatch(code) or code not in ISO_4217:
        raise CurrencyInvalid(f"{value!r} is not an ISO 4217 currency code.", details={"currency": str(value)})
    return code


def decimals(currency: str) -> int:
    """How many decimals ISO 4217 gives the currency."""
    code = currency_code(currency)
    return 0 if code in _ZERO_DECIMALS else 3 if code in _THREE_DECIMALS else 2


def to_minor(amount: Decimal, currency: str, exceptions: Mapping[str, int] | None = None) -> int:
    """The amount in minor units (12.50 SEK → 1250, 500 JPY → 500); ``exceptions`` are a vendor's own decimals."""
    code = currency_code(currency)
    if not isinstance(amount, Decimal) or not amount.is_finite():
        raise AmountInvalid(f"{amount!r} is not an amount.", details={"amount": str(amount)})
    iso = decimals(code)
    vendor = (exceptions or {}).get(code, iso)
    if amount != round(amount, min(iso, vendor)):
        raise AmountInvalid(f"{amount} {code} has more decimals than {code} allows ({min(iso, vendor)}).",
                            details={"amount": str(amount), "currency": code})
    return int(amount.scaleb(vendor))


def from_minor(minor: object, currency: str, exceptions: Mapping[str, int] | None = None) -> Decimal:
    """The amount of a count of minor units (1250 SEK → 12.50); a count that is not a whole number is refused."""
    code = currency_code(currency)
    if isinstance(minor, bool) or not isinstance(minor, int | str):
        raise AmountInvalid(f"{minor!r} is not a whole number of minor units.", details={"amount": repr(minor)})
    try:
        count = int(minor)
    except ValueError:
        raise AmountInvalid(f"{minor!r} is not a whole number of minor units.", details={"amount": minor}) from None
    places = (exceptions or {}).get(code, decimals(code))
    return Decimal(count).scaleb(-places).quantize(Decimal(1).scaleb(-places))


def parse_amount(text: object) -> Decimal:
    """A decimal amount written as text (``"598.94"``, ``"-3.50"``; a decimal comma is accepted): at most 15 digits
    before the point and 6 after, no exponent, no thousands separators."""
    cleaned = text.strip().replace(",", ".") if isinstance(text, str) else ""
    if not _AMOUNT.fullmatch(cleaned):
        raise AmountInvalid(f"{text!r} is not an amount.", details={"amount": repr(text)[:40]})
    return Decimal(cleaned)
