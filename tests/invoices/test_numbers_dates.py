"""Amounts and dates as invoices write them, in five languages and several local forms."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from paperclerk.invoices.dates import find_dates, infer_order, month_number, order_for, parse_date
from paperclerk.invoices.numbers import decimal_separator_hint, find_amounts, parse_amount, parse_number


@pytest.mark.parametrize(("text", "expected"), [
    ("1.234,56", "1234.56"),
    ("1,234.56", "1234.56"),
    ("1 234,56", "1234.56"),
    ("1\u00a0234,56", "1234.56"),
    ("1\u202f234,56", "1234.56"),
    ("1'234.56", "1234.56"),
    ("1234", "1234"),
    ("1234.5", "1234.5"),
    ("-12.00", "-12.00"),
    ("(12.00)", "-12.00"),
    ("12.00-", "-12.00"),
    ("\u221212,00", "-12.00"),
    ("€ 1.234,56", "1234.56"),
    ("€1,234.56", "1234.56"),
    ("1.234,56 €", "1234.56"),
    ("1.234,56 EUR", "1234.56"),
    ("EUR 1.234,56", "1234.56"),
    ("USD 1,041.60", "1041.60"),
    ("$12.50", "12.50"),
    ("-$12.50", "-12.50"),
    ("$-12.50", "-12.50"),
    ("£1,041.60", "1041.60"),
    ("CHF 1'050.00", "1050.00"),
    ("1.234.567,89", "1234567.89"),
    ("1,234,567.89", "1234567.89"),
    ("1,23,456.00", "123456.00"),  # Indian lakh grouping
    ("0,5", "0.5"),
    ("12,5", "12.5"),
    ("0.125", "0.125"),
    (",50", "0.50"),
])
def test_amounts_in_local_forms(text: str, expected: str) -> None:
    assert parse_amount(text) == Decimal(expected)


@pytest.mark.parametrize(("text", "hint", "expected"), [
    ("1.234", None, "1234"),  # a lone separator before three digits is a thousands group...
    ("1,234", None, "1234"),
    ("1,234", ",", "1.234"),  # ...unless the document writes decimals with that separator
    ("1.234", ".", "1.234"),
    ("1.234,5", ".", "1234.5"),  # both separators: the last one decides, whatever the hint
])
def test_ambiguous_separator_uses_the_document_hint(text: str, hint: str | None, expected: str) -> None:
    assert parse_amount(text, hint=hint) == Decimal(expected)


@pytest.mark.parametrize("text", ["", "abc", "1.2.3,4.5", "12:30", "1,2345,6", "EUR", "--"])
def test_non_amounts_are_none(text: str) -> None:
    assert parse_amount(text) is None


def test_find_amounts_spans_and_currency() -> None:
    text = "Total: 1.234,56 EUR, VAT 20%: £173.60 and (5.00)"
    found = find_amounts(text, known_codes=frozenset({"EUR"}))
    assert [(text[a.start:a.end], a.value, a.currency) for a in found] == [
        ("1.234,56 EUR", Decimal("1234.56"), "EUR"),
        ("£173.60", Decimal("173.60"), "GBP"),
        ("(5.00)", Decimal("-5.00"), None),
    ]


def test_unknown_three_letter_words_are_not_currencies() -> None:
    [found] = find_amounts("Qty 12.00 PCS", known_codes=frozenset({"EUR"}))
    assert found.currency is None and found.value == Decimal("12.00")


def test_amounts_are_decimals_never_floats() -> None:
    value = parse_amount("0,10")
    assert isinstance(value, Decimal) and value * 3 == Decimal("0.30")


@pytest.mark.parametrize(("text", "expected"), [
    ("Betrag 1.234,56 und 99,00", ","),
    ("Amount 1,234.56 and 99.00", "."),
    ("no numbers here", None),
])
def test_decimal_separator_hint(text: str, expected: str | None) -> None:
    assert decimal_separator_hint(text) == expected


@pytest.mark.parametrize(("token", "expected"), [("2", "2"), ("1,5", "1.5"), ("20%", "20"), ("-3", "-3"),
                                                 ("x2", None)])
def test_parse_number(token: str, expected: str | None) -> None:
    assert parse_number(token) == (Decimal(expected) if expected else None)


JULY_2 = date(2015, 7, 2)


@pytest.mark.parametrize(("text", "order", "expected"), [
    ("02/07/2015", "DMY", JULY_2),
    ("02/07/2015", "MDY", date(2015, 2, 7)),
    ("02.07.2015", "DMY", JULY_2),
    ("02-07-2015", "DMY", JULY_2),
    ("02.07.15", "DMY", JULY_2),
    ("13/02/2024", "MDY", date(2024, 2, 13)),  # a part above 12 decides by itself
    ("02/13/2024", "DMY", date(2024, 2, 13)),
    ("2015-07-02", "MDY", JULY_2),
    ("2015/07/02", "DMY", JULY_2),
    ("2 juillet 2015", "DMY", JULY_2),
    ("1er août 2024", "DMY", date(2024, 8, 1)),
    ("2. Juli 2015", "DMY", JULY_2),
    ("3. März 2024", "DMY", date(2024, 3, 3)),
    ("July 2, 2015", "DMY", JULY_2),
    ("Sep 3rd, 2024", "DMY", date(2024, 9, 3)),
    ("2nd July 2015", "MDY", JULY_2),
    ("2 de julio de 2015", "DMY", JULY_2),
    ("15 septiembre 2024", "DMY", date(2024, 9, 15)),
    ("2 juli 2015", "DMY", JULY_2),
    ("14 maart 2024", "DMY", date(2024, 3, 14)),
    ("14-Mar-2024", "DMY", date(2024, 3, 14)),
    ("15 sept. 2024", "DMY", date(2024, 9, 15)),
    ("Date: 31 décembre 2023.", "DMY", date(2023, 12, 31)),
])
def test_dates(text: str, order: str, expected: date) -> None:
    assert parse_date(text, order=order) == expected  # type: ignore[arg-type]


@pytest.mark.parametrize("text", ["31/02/2024", "2024-13-01", "no date", "32 juillet 2015", "12/2024", "Mayday 5 2024"])
def test_impossible_or_absent_dates_are_none(text: str) -> None:
    assert parse_date(text) is None


def test_find_dates_spans() -> None:
    text = "Issued 14.03.2024, due 13 avril 2024"
    found = find_dates(text)
    assert [(text[d.start:d.end], d.value) for d in found] == [
        ("14.03.2024", date(2024, 3, 14)), ("13 avril 2024", date(2024, 4, 13))]


@pytest.mark.parametrize(("word", "month"), [("Januar", 1), ("février", 2), ("mrt", 3), ("Mai", 5), ("juin", 6),
                                             ("agosto", 8), ("Okt.", 10), ("dic", 12), ("foo", None)])
def test_month_names(word: str, month: int | None) -> None:
    assert month_number(word) == month


@pytest.mark.parametrize(("currency", "country", "order"), [
    ("USD", None, "MDY"), ("EUR", None, "DMY"), ("GBP", None, "DMY"), (None, None, "DMY"),
    ("USD", "EC", "DMY"),  # Ecuador pays in dollars and writes the day first
    ("EUR", "US", "MDY"),
])
def test_order_for(currency: str | None, country: str | None, order: str) -> None:
    assert order_for(currency=currency, country=country) == order


@pytest.mark.parametrize(("text", "order"), [
    ("Issued 13/02/2024, due 02/03/2024", "DMY"),
    ("Issued 02/13/2024, due 03/02/2024", "MDY"),
    ("Issued 02/03/2024", "default"),
    ("13/02/2024 and 02/14/2024", "default"),  # a tie decides nothing
])
def test_infer_order_from_unambiguous_dates(text: str, order: str) -> None:
    assert infer_order(text, default="MDY") == ("MDY" if order == "default" else order)
    assert parse_date(text, order=infer_order(text)) is not None
