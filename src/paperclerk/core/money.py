"""Money and quantities as text, one way everywhere: ``plain`` for files and APIs (1512.50), ``display`` for people
(1,512.50 EUR), ``quantity`` for counts and rates (2.5). Amounts are ``Decimal``; a value with more than two
decimals keeps them (0.125 is never rounded away)."""

from __future__ import annotations

from decimal import Decimal

#: Active ISO 4217 currency codes (fund and precious-metal codes such as XAU are deliberately left out).
ISO_4217 = frozenset([
    "AED", "AFN", "ALL", "AMD", "ANG", "AOA", "ARS", "AUD", "AWG", "AZN", "BAM", "BBD", "BDT", "BGN", "BHD", "BIF",
    "BMD", "BND", "BOB", "BRL", "BSD", "BTN", "BWP", "BYN", "BZD", "CAD", "CDF", "CHF", "CLP", "CNY", "COP", "CRC",
    "CUP", "CVE", "CZK", "DJF", "DKK", "DOP", "DZD", "EGP", "ERN", "ETB", "EUR", "FJD", "FKP", "GBP", "GEL", "GHS",
    "GIP", "GMD", "GNF", "GTQ", "GYD", "HKD", "HNL", "HTG", "HUF", "IDR", "ILS", "INR", "IQD", "IRR", "ISK", "JMD",
    "JOD", "JPY", "KES", "KGS", "KHR", "KMF", "KPW", "KRW", "KWD", "KYD", "KZT", "LAK", "LBP", "LKR", "LRD", "LSL",
    "LYD", "MAD", "MDL", "MGA", "MKD", "MMK", "MNT", "MOP", "MRU", "MUR", "MVR", "MWK", "MXN", "MYR", "MZN", "NAD",
    "NGN", "NIO", "NOK", "NPR", "NZD", "OMR", "PAB", "PEN", "PGK", "PHP", "PKR", "PLN", "PYG", "QAR", "RON", "RSD",
    "RUB", "RWF", "SAR", "SBD", "SCR", "SDG", "SEK", "SGD", "SHP", "SLE", "SOS", "SRD", "SSP", "STN", "SVC", "SYP",
    "SZL", "THB", "TJS", "TMT", "TND", "TOP", "TRY", "TTD", "TWD", "TZS", "UAH", "UGX", "USD", "UYU", "UZS", "VES",
    "VND", "VUV", "WST", "XAF", "XCD", "XCG", "XOF", "XPF", "YER", "ZAR", "ZMW", "ZWG"
])


def _decimals(value: Decimal) -> bool:
    """Whether the value has at most two decimals once trailing zeros are dropped."""
    exponent = value.normalize().as_tuple().exponent
    return isinstance(exponent, int) and exponent >= -2


def plain(value: Decimal | None) -> str | None:
    """An amount for a file or an API: two decimals, or more when it has them; no grouping."""
    if value is None:
        return None
    return str(value.quantize(Decimal("0.01")) if _decimals(value) else value.normalize())


def display(value: Decimal | None, currency: str | None = None) -> str:
    """An amount for people: grouped thousands, two decimals (or more when it has them), the currency after it."""
    if value is None:
        return "—"
    text = f"{value:,.2f}" if _decimals(value) else f"{value.normalize():,f}"
    return f"{text} {currency}" if currency else text


def quantity(value: Decimal) -> str:
    """A quantity or rate without trailing zeros and without an exponent (10, 2.5, 0.125)."""
    return format(value.normalize(), "f")
