"""No value the document does not print: a currency is one whose code or sign is on the page, never guessed from the
supplier's country, and a capitalised word that happens to be an ISO code ("PEN", "TOP") beside a price is no
currency."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from paperclerk.extraction.base import TEXT, ExtractedPage, Extraction
from paperclerk.invoices.dates import find_dates
from paperclerk.invoices.layout import extract_layout
from paperclerk.invoices.numbers import SYMBOLS
from tests.invoices import receipts


def _text(text: str, method: str = "text") -> Extraction:
    return Extraction(media_type=TEXT if method == "text" else "image/png", pages=[ExtractedPage(1, text, method)])


def _printed(code: str, text: str) -> bool:
    return code in text or any(symbol in text for symbol, known in SYMBOLS.items() if known == code)


def test_a_scan_that_lost_its_currency_sign_has_no_currency() -> None:
    """OCR dropped the euro signs; the German IBAN and VAT number do not print a currency, so none is reported."""
    text = "\n".join(["Muster GmbH", "USt-IdNr.: DE136695976", "IBAN: DE89 3704 0044 0532 0130 00", "RECHNUNG",
                      "Rechnungsnummer: 2024-17", "Datum: 03.04.2024", "Nettobetrag 100,00", "MwSt 19 % 19,00",
                      "Gesamtbetrag 119,00"])
    result = extract_layout(_text(text, "ocr"))
    assert result.value("total") == Decimal("119.00") and result.value("vendor_iban") is not None
    assert result.value("currency") is None


def test_a_word_that_is_also_a_currency_code_is_not_the_currency() -> None:
    text = "\n".join(["SANYU STATIONERY SHOP", "NO. 31G, JALAN SETIA INDAH", "12/01/2018 13:05",
                      "BLACK PEN 0.5        2.50", "TOP 12 SHEETS        3.99", "TOTAL                6.49",
                      "CASH                10.00", "CHANGE               3.51"])
    result = extract_layout(_text(text))
    assert result.value("total") == Decimal("6.49")
    assert result.value("currency") is None


def test_every_currency_read_from_generated_receipts_is_printed_on_them() -> None:
    for receipt in receipts.receipts(receipts.SEEN + receipts.UNSEEN, 4):
        text = receipts.text(receipt).decode("utf-8")
        currency = extract_layout(_text(text)).value("currency")
        assert currency is None or _printed(currency, text), (receipt.name, currency)


def test_a_printed_code_or_sign_is_still_read() -> None:
    """A word-like code counts when a label or a bracket names it as the currency."""
    for text, code in (("Currency: PEN\nTotal: 12.00 PEN", "PEN"), ("Total (TOP) 5.00", "TOP"),
                       ("Total (EUR) 10,00", "EUR"), ("TOTAL RM 12.50", "MYR"), ("Total: 12.00 USD", "USD")):
        assert extract_layout(_text(text)).value("currency") == code, text


def test_a_date_is_never_pieced_together_from_two_lines() -> None:
    """A real receipt (WildReceipt) printed the guest count over the date: "Gst 2" / "Jul19'14" was read as
    2 July 2019, a date printed nowhere."""
    text = "\n".join(["SERIOUS PIE", "316 Virginia St", "Seattle, WA 98121", "Tbl 31/1 Chk 1441 Gst 2",
                      "Jul19'14 12:36PM", "1 Ben SPECIAL 12.50", "TOTAL 12.50"])
    assert [match.value for match in find_dates(text)] == [date(2014, 7, 19)]
    assert extract_layout(_text(text)).value("invoice_date") == date(2014, 7, 19)
    assert find_dates("Paid 2\nMarch 2024") == []
