"""Money and quantities as text, one way everywhere: ``plain`` for files and APIs (1512.50), ``display`` for people
(1,512.50 EUR), ``quantity`` for counts and rates (2.5). Amounts are ``Decimal``; a value with more than two
decimals keeps them (0.125 is never rounded away)."""

from __future__ import annotations

from decimal import Decimal


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
