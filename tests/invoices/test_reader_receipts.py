"""Real till receipts: the merchant's address stops before the phone number, the till's date and time or the first
field, and after the postcode and town; short-month dates with two-digit years ("23Nov17", "APR 11'17")."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from paperclerk.extraction.base import TEXT, ExtractedPage, Extraction
from paperclerk.invoices.dates import find_dates
from paperclerk.invoices.layout import extract_layout


def _read(*lines: str) -> dict[str, object]:
    result = extract_layout(Extraction(media_type=TEXT, pages=[ExtractedPage(1, "\n".join(lines), "text")]))
    return {name: result.value(name) for name in ("vendor_name", "vendor_address", "invoice_date", "total")}


@pytest.mark.parametrize(("lines", "address"), [
    (["2290 BROADWAY.", "New York, NY 10024", "(212) 579-5959", "TOTAL 48.40"], "2290 BROADWAY., New York, NY 10024"),
    (["226 Ironwood Ave", "Coeur d'Alene, Idaho 83814", "Check: 8465", "Server: Katie B", "Total 20.00"],
     "226 Ironwood Ave, Coeur d'Alene, Idaho 83814"),
    (["Rue de la Montagne 16", "1000 Bruxelles", "Table 106", "Total 122,10"], "Rue de la Montagne 16, 1000 Bruxelles"),
    (["1247 Kailua Road", "Kailua, HI 96734", "Save-A-Dollar", "Total $25.00"], "1247 Kailua Road, Kailua, HI 96734"),
    (["4269 Lougheed Hwy", "Burnaby, BC", "06/08/2015 19:22", "Total 27.30"], "4269 Lougheed Hwy, Burnaby, BC"),
])
def test_a_receipts_address_ends_where_the_till_takes_over(lines: list[str], address: str) -> None:
    assert _read("THE MERCHANT CO", *lines)["vendor_address"] == address


@pytest.mark.parametrize(("text", "expected"), [
    ("23Nov17", date(2017, 11, 23)), ("22 Nov'12", date(2012, 11, 22)), ("04 sept.16", date(2016, 9, 4)),
    ("17JUL89", date(1989, 7, 17)), ("APR 11'17 4:03", date(2017, 4, 11)), ("JAN24\u201913", date(2013, 1, 24)),
])
def test_short_month_dates_with_two_digit_years(text: str, expected: date) -> None:
    assert [found.value for found in find_dates(text)] == [expected]


@pytest.mark.parametrize("text", ["17 Nov 12:30", "5 x Tea 12", "2 pcs 12", "Qty 3 Box 12"])
def test_a_time_or_an_item_count_is_not_such_a_date(text: str) -> None:
    assert find_dates(text) == []


def test_a_total_whose_label_ocr_garbled_is_the_printed_sum_of_subtotal_and_tax() -> None:
    lines = ["SUBWAY", "Sub Total 7.24", "Sales Tax (7.75%) 0.47", "Total (Take Out) ll"]
    assert _read(*lines, "Visa 7.71", "Change 0.00")["total"] == Decimal("7.71")
    assert _read(*lines, "Change 0.00")["total"] is None  # 7.71 is printed nowhere: no total is made up


@pytest.mark.parametrize(("line", "total"), [("Total $42.28 ie NA 5", Decimal("42.28")),
                                             ("12 BAL DUE 37.00", Decimal("37.00")),
                                             ("Amt Due 64.15", Decimal("64.15")),
                                             ("UKUPNO kn 290,00", Decimal("290.00"))])
def test_a_receipts_total_under_short_labels_and_beside_ocr_crumbs(line: str, total: Decimal) -> None:
    """Real receipt photos (WildReceipt): a crumb of the photo's edge after the amount, 'BAL DUE', 'Amt Due' and
    the Croatian 'UKUPNO' (total)."""
    assert _read("CORNER CAFE", "12 Main Street", "01/02/2016 12:30", "1 COFFEE 3.50", line, "THANK YOU")["total"] \
        == total


@pytest.mark.parametrize(("first_line", "merchant"), [
    ("d AL MANAMA HYPERMARKET", "AL MANAMA HYPERMARKET"), ("ee nes TRADER JOE'S", "TRADER JOE'S"),
    ("if Thai village KE", "Thai village"), ("Cracker Barrel Store #337 eS", "Cracker Barrel Store #337"),
    ("2 ATHENS GENERAL MAIL FACILITY #", "ATHENS GENERAL MAIL FACILITY"), ("A & W Restaurant", "A & W Restaurant"),
])
def test_ocr_crumbs_of_the_photos_edge_are_not_part_of_the_merchants_name(first_line: str, merchant: str) -> None:
    """Tesseract reads the table beside a photographed receipt as scraps of letters at the ends of its lines."""
    lines = [first_line, "12 Main Street", "01/02/2016 12:30", "1 COFFEE 3.50", "TOTAL 3.50", "CASH 5.00",
             "CHANGE 1.50"]
    scanned = Extraction(media_type="image/jpeg", pages=[ExtractedPage(1, "\n".join(lines), "ocr")])
    assert extract_layout(scanned).value("vendor_name") == merchant
    assert _read(*lines)["vendor_name"] == first_line  # a text file has no such crumbs: read as printed


def test_a_date_whose_month_ocr_set_apart_and_a_name_before_its_phone() -> None:
    """Real receipt photos: "5- 4-2011" (the month set apart after its dash; never "2. 1.99", a quantity and a
    price) and a merchant printed with its branch number and phone on one line."""
    assert [match.value for match in find_dates("Tuesday — 5- 4-2011 14:19:48")] == [date(2011, 4, 5)]
    assert find_dates("2. 1.99") == []
    read = _read("Subway#15936-0 Phone 608-758-4560", "642 Midland road", "1 Footlong 7.00", "Total 7.00",
                 "Cash 10.00", "Change 3.00")
    assert read["vendor_name"] == "Subway#15936-0"


def test_an_item_total_before_a_discount_is_no_total() -> None:
    read = _read("EL BORRACHO", "Harborne Court", "2x Tapas 15.00", "1x Paella 136.95", "Item Total £ 151.95",
                 "Discount £ 15.00", "Total £ 136.95", "Total Paid £ 136.95", "Total Due £ 0.00")
    assert read["total"] == Decimal("136.95")


def test_without_a_total_line_the_amount_charged_to_a_card_is_the_total() -> None:
    """Real receipt photos whose total line OCR lost: the card's charge is the amount payable; cash tendered is not."""
    assert _read("VALERO", "3301 E CHAPMAN", "UNLEADED 0.27", "f | Debit $1.07 | ? f")["total"] == Decimal("1.07")
    assert _read("BAKKERIJ", "1 BROOD 2.50", "KAART 53.78")["total"] == Decimal("53.78")
    assert _read("BAKKERIJ", "1 BROOD 2.50", "CASH 60.00", "CARD NO XXXX1234")["total"] is None
