"""Minor units per currency, as the vendors count them."""

from __future__ import annotations

from decimal import Decimal

import pytest

from paperclerk.core.errors import PaperclerkError
from paperclerk.feedback.minor_units import from_minor, parse_amount, to_minor
from paperclerk.feedback.payments.stripe_connect import STRIPE_DECIMALS


@pytest.mark.parametrize(("amount", "currency", "minor"), [
    ("12.50", "SEK", 1250), ("12.5", "sek", 1250), ("500", "JPY", 500), ("1.234", "KWD", 1234), ("7", "EUR", 700),
])
def test_iso_minor_units(amount: str, currency: str, minor: int) -> None:
    assert to_minor(Decimal(amount), currency) == minor
    assert from_minor(minor, currency) == Decimal(amount)


def test_stripe_counts_isk_and_ugx_in_hundredths_and_mga_in_whole_units() -> None:
    assert to_minor(Decimal("500"), "ISK", STRIPE_DECIMALS) == 50000
    assert from_minor(50000, "ISK", STRIPE_DECIMALS) == Decimal("500.00")
    assert to_minor(Decimal("300"), "MGA", STRIPE_DECIMALS) == 300
    with pytest.raises(PaperclerkError):
        to_minor(Decimal("5.5"), "ISK", STRIPE_DECIMALS)
    with pytest.raises(PaperclerkError):
        to_minor(Decimal("300.50"), "MGA", STRIPE_DECIMALS)


@pytest.mark.parametrize("minor", [10.5, True, None, "1e3", [1]])
def test_minor_units_are_whole_numbers(minor: object) -> None:
    with pytest.raises(PaperclerkError) as caught:
        from_minor(minor, "SEK")
    assert caught.value.code == "AMOUNT_INVALID"


@pytest.mark.parametrize(("text", "value"), [("598.94", "598.94"), (" 12,50 ", "12.50"), ("-3.50", "-3.50")])
def test_amounts_as_text(text: str, value: str) -> None:
    assert parse_amount(text) == Decimal(value)


@pytest.mark.parametrize("text", ["1,234.50", "1e3", "Infinity", "", "12.5.1", "1" * 16, None, 12])
def test_ambiguous_or_absurd_amounts_are_refused(text: object) -> None:
    with pytest.raises(PaperclerkError):
        parse_amount(text)
