"""LEDES 1998B, 1998BI and XML 2.0/2.1 read from their content; broken files refused line- and field-exact."""

from __future__ import annotations

from decimal import Decimal

import pytest

from paperclerk.legal_billing.ledes import LedesMalformed, read_ledes, sniff_ledes
from tests.legal_billing.ledes_samples import (
    LEDES_98BI,
    LEDES_1998B,
    LEDES_XML_20,
    LEDES_XML_21,
    lines_1998b,
    replace_field,
)


def test_1998b_two_invoices_with_exact_totals_and_an_invoice_adjustment() -> None:
    first, second = read_ledes(LEDES_1998B.read_bytes())
    assert (first.format, first.invoice_number, first.total) == ("LEDES1998B", "INV-1001", Decimal("2317.50"))
    assert first.lines_total == first.total
    assert [line.type for line in first.lines] == ["F", "F", "E", "F", "IF"]
    assert first.lines[1].adjustment == Decimal("-63.00")
    assert first.lines[4].total == Decimal("-13.50")
    assert (second.invoice_number, second.total, second.lines[0].source_line) == ("INV-1002", Decimal("840.00"), 8)
    assert second.lines[0].description == "Draft answer and affirmative defenses\nto amended complaint"


def test_1998bi_tax_currency_and_split_names() -> None:
    (invoice,) = read_ledes(LEDES_98BI.read_bytes())
    assert (invoice.format, invoice.currency, invoice.tax_total) == ("LEDES98BI", "GBP", Decimal("216.00"))
    assert invoice.law_firm_name == "Hale & Pryce LLP"
    fee = invoice.lines[0]
    assert (fee.tax_total, fee.timekeeper_name, fee.expected_total) == (Decimal("150.00"), "Hale, Imogen",
                                                                        Decimal("900.00"))
    assert invoice.lines_total == invoice.total == Decimal("1296.00")


@pytest.mark.parametrize("path, version", [(LEDES_XML_20, "2.0"), (LEDES_XML_21, "2.1")])
def test_xml_versions(path, version) -> None:
    (invoice,) = read_ledes(path.read_bytes())
    assert invoice.format == f"LEDES XML {version}"
    assert (invoice.invoice_number, invoice.total, invoice.law_firm_id) == ("BS-3001", Decimal("1389.00"),
                                                                             "94-7654321")
    fee, expense = invoice.lines
    assert (fee.task_code, fee.activity_code, fee.timekeeper_classification) == ("L330", "A109", "PARTNR")
    assert (expense.type, expense.expense_code, expense.total) == ("E", "E115", Decimal("189.00"))


def test_sniffed_from_content_not_name() -> None:
    assert sniff_ledes(b"\xef\xbb\xbf\r\nLEDES1998B[]\r\nINVOICE_DATE|...") == "LEDES1998B"
    assert sniff_ledes("LEDES98BI V2[]\n") == "LEDES98BI"
    assert sniff_ledes(LEDES_XML_21.read_bytes()) == "LEDES XML 2.1"
    assert sniff_ledes(b"Invoice 42\nLEDES1998B is what we send") is None
    assert sniff_ledes(b"<Invoice xmlns='urn:oasis:names:specification:ubl:schema:xsd:Invoice-2'/>") is None


def _refused(text: str) -> list[dict]:
    with pytest.raises(LedesMalformed) as caught:
        read_ledes(text.encode())
    assert caught.value.code == "LEDES_MALFORMED" and caught.value.http_status == 422
    return caught.value.details["errors"]


def _with_line(index: int, new: str) -> str:
    lines = lines_1998b()
    lines[index] = new
    return "\r\n".join(lines)


@pytest.mark.parametrize("field_index, value, field", [
    (13, "20250132", "LINE_ITEM_DATE"),
    (13, "2025-01-12", "LINE_ITEM_DATE"),
    (12, "1,625.00", "LINE_ITEM_TOTAL"),
    (9, "X", "EXP/FEE/INV_ADJ_TYPE"),
    (10, "", "LINE_ITEM_NUMBER_OF_UNITS"),
    (17, "", "TIMEKEEPER_ID"),
    (8, "0", "LINE_ITEM_NUMBER"),
    (4, "2400.00", "INVOICE_TOTAL"),
])
def test_bad_field_is_named_with_its_line(field_index, value, field) -> None:
    lines = lines_1998b()
    errors = _refused(_with_line(3, replace_field(lines[3], field_index, value)))
    assert errors[0]["line"] == 4 and errors[0]["field"] == field, errors


def test_wrong_field_count_missing_terminator_and_header() -> None:
    lines = lines_1998b()
    assert _refused(_with_line(4, lines[4][:-2] + "|extra[]"))[0] == {
        "line": 5, "field": None, "message": "the record has 25 fields; the header names 24"}
    assert _refused(_with_line(5, lines[5][:-2]))[0]["line"] == 6
    header = lines[1].replace("|TIMEKEEPER_NAME", "")
    errors = _refused(_with_line(1, header))
    assert {key: errors[0][key] for key in ("line", "field")} == {"line": 2, "field": "TIMEKEEPER_NAME"}
    assert _refused(_with_line(0, "LEDES1998B"))[0]["line"] == 1
    assert _refused("LEDES1998B[]\r\n")[0]["message"] == "the header line naming the fields is missing"


def test_every_error_is_listed() -> None:
    lines = lines_1998b()
    lines[2] = replace_field(lines[2], 13, "bad")
    lines[6] = replace_field(lines[6], 12, "abc")
    errors = _refused("\r\n".join(lines))
    assert [(error["line"], error["field"]) for error in errors] == [(3, "LINE_ITEM_DATE"), (7, "LINE_ITEM_TOTAL")]


def test_broken_xml_is_refused_with_its_line() -> None:
    text = LEDES_XML_21.read_text()
    broken = text.replace("<units>2.0</units>", "<units>2.0</unit>")
    assert _refused(broken)[0]["line"] == 34
    missing = text.replace("<inv_id>BS-3001</inv_id>", "")
    assert _refused(missing)[0] == {"line": 9, "field": "inv_id", "message": "is required but empty"}
    bad_units = text.replace("<units>2.0</units>", "<units>two</units>")
    assert _refused(bad_units)[0]["field"] == "units" and _refused(bad_units)[0]["line"] == 34
    assert "document type" in _refused(text.replace("<ledesxmlebilling2.1>", "<!DOCTYPE x [<!ENTITY a 'b'>]>"
                                                                             "<ledesxmlebilling2.1>"))[0]["message"]


def test_ledes_files_classify_as_legal_invoices() -> None:
    from paperclerk.pipeline.classify import classify

    for path in (LEDES_1998B, LEDES_98BI, LEDES_XML_20, LEDES_XML_21):
        assert classify(path.read_text())[0] == "legal_invoice", path


def test_xml_without_an_invoice_total_is_the_sum_of_its_lines() -> None:
    text = LEDES_XML_21.read_text().replace("<inv_total_net_due>1389.00</inv_total_net_due>", "")
    (invoice,) = read_ledes(text)
    assert invoice.total == invoice.lines_total == Decimal("1389.00")
    bad = LEDES_XML_21.read_text().replace("<inv_total_net_due>1389.00", "<inv_total_net_due>lots")
    assert _refused(bad)[0]["field"] == "inv_total_net_due"
