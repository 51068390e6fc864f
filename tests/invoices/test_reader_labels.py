"""Labels and forms seen on real German and English invoices: a due date under its column header, "remit until",
"Due payable", a number after a glued title ("Rechnungskorrektur Nr."), a party's numbers above its name."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from paperclerk.extraction.base import TEXT, ExtractedPage, Extraction
from paperclerk.invoices.layout import extract_layout
from paperclerk.invoices.reading import InvoiceExtraction


def _read(*lines: str) -> InvoiceExtraction:
    return extract_layout(Extraction(media_type=TEXT, pages=[ExtractedPage(1, "\n".join(lines), "text")]))


def test_a_due_date_under_its_column_header() -> None:
    result = _read("Handelsrechnung Nr. TX-471102 vom 30.10.2018", "Zahlungsbedingungen:",
                   "Beschreibung      Fälligkeit      Teilzahlung", "                  29.11.2018",
                   "Bruttosumme 18,08")
    assert result.value("due_date") == date(2018, 11, 29)
    assert result.value("invoice_date") == date(2018, 10, 30)


def test_remit_until_dates_the_payment_and_due_payable_is_the_amount() -> None:
    result = _read("Invoice # RE-20190610/507 issued at 2019-06-10", "Total: 496.00 €", "VAT total: 75.04 €",
                   "Due payable: 571.04 €", "Please remit until 2019-07-01.")
    assert result.value("due_date") == date(2019, 7, 1)
    assert result.value("amount_due") == Decimal("571.04")
    assert "payment_terms" not in result.fields


def test_a_number_after_a_glued_german_title_and_the_name_under_the_partys_numbers() -> None:
    result = _read("Rechnungskorrektur Nr. RK21012345 vom 16.09.2018", "Verkäufer:", "GLN 4333741000005",
                   "Lief-Nr: 549910", "MUSTERLIEFERANT GMBH", "BAHNHOFSTRASSE 99", "DE 99199 MUSTERHAUSEN",
                   "Bruttosumme -8,79")
    assert result.value("invoice_number") == "RK21012345"
    assert result.value("vendor_name") == "MUSTERLIEFERANT GMBH"
