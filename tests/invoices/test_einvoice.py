"""UBL 2.1 / Peppol BIS 3 and UN/CEFACT CII read exactly; Factur-X XML found in the PDF; hostile XML refused."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest

from paperclerk.core.errors import ExtractionError
from paperclerk.extraction.base import TEXT, Attachment, ExtractedPage, Extraction
from paperclerk.invoices.einvoice import (
    EInvoiceExtractor,
    embedded_einvoice,
    parse_xml,
    read_einvoice,
    sniff_einvoice,
)
from paperclerk.invoices.reading import LineItem
from paperclerk.invoices.rules import RuleConfig, validate
from paperclerk.samples import text_pdf
from tests.invoices import generate

DOC = generate.EInvoice()
EXPECTED = {
    "document_type": "invoice", "invoice_number": "INV-2024-0042", "invoice_date": date(2024, 3, 14),
    "due_date": date(2024, 4, 13), "currency": "EUR", "purchase_order": "PO-7781",
    "payment_terms": "Payment within 30 days", "vendor_name": "De Vries Techniek B.V.",
    "vendor_address": "Keizersgracht 221, 1016 DV Amsterdam, NL", "vendor_tax_id": "NL004495445B01",
    "customer_name": "Contoso Retail", "vendor_iban": DOC.iban, "vendor_bic": "ABNANL2A",
    "subtotal": Decimal("1589.70"), "tax_total": Decimal("333.84"), "total": Decimal("1923.54"),
    "amount_due": Decimal("1923.54"),
}
LINES = [("Consulting hours", Decimal("12"), Decimal("95.00"), Decimal("1140.00"), Decimal("21")),
         ("USB-C docking station", Decimal("3"), Decimal("149.90"), Decimal("449.70"), Decimal("21"))]


def _rows(lines: list[LineItem]) -> list[tuple[object, ...]]:
    return [(line.description, line.quantity, line.unit_price, line.amount, line.tax_rate) for line in lines]


@pytest.mark.parametrize(("make", "extractor"), [(generate.ubl, "ubl"), (generate.cii, "cii")])
def test_every_field_exactly(make, extractor: str) -> None:  # type: ignore[no-untyped-def]
    data = make(DOC)
    result = read_einvoice(data)
    assert {name: found.value for name, found in result.fields.items()} == EXPECTED
    assert _rows(result.lines) == LINES
    text = data.decode("utf-8")
    for name, found in result.fields.items():
        assert found.confidence == 1.0 and found.extractor == extractor
        evidence = found.evidence
        assert evidence is not None and evidence.page == 1 and evidence.bbox is None
        assert evidence.text in text[evidence.start:evidence.end], name
    assert all(isinstance(result.value(name), Decimal) for name in ("subtotal", "tax_total", "total"))


@pytest.mark.parametrize("make", [generate.ubl, generate.cii])
def test_credit_notes(make) -> None:  # type: ignore[no-untyped-def]
    result = read_einvoice(make(generate.EInvoice(credit_note=True)))
    assert result.value("document_type") == "credit_note"
    assert result.is_credit_note
    assert result.value("total") == EXPECTED["total"]
    assert _rows(result.lines) == LINES


def test_ubl_invoice_with_credit_type_code_is_a_credit_note() -> None:
    data = generate.ubl(DOC).replace(b"<cbc:InvoiceTypeCode>380<", b"<cbc:InvoiceTypeCode>381<")
    assert read_einvoice(data).value("document_type") == "credit_note"


def test_allowances_charges_and_prepayment() -> None:
    total = DOC.amounts()[2]
    data = generate.ubl(DOC).replace(
        b"<cbc:TaxInclusiveAmount", b'<cbc:AllowanceTotalAmount currencyID="EUR">0.00</cbc:AllowanceTotalAmount>'
        b'<cbc:ChargeTotalAmount currencyID="EUR">0.00</cbc:ChargeTotalAmount><cbc:TaxInclusiveAmount') \
        .replace(b"<cbc:PayableAmount", b'<cbc:PrepaidAmount currencyID="EUR">100.00</cbc:PrepaidAmount>'
                 b"<cbc:PayableAmount").replace(b'<cbc:PayableAmount currencyID="EUR">' + str(total).encode(),
                                                 b'<cbc:PayableAmount currencyID="EUR">' + str(total - 100).encode())
    result = read_einvoice(data)
    assert (result.value("allowance_total"), result.value("charge_total"), result.value("prepaid_amount")) == (
        Decimal("0.00"), Decimal("0.00"), Decimal("100.00"))
    assert result.value("amount_due") == total - 100
    assert validate(result, RuleConfig(today=date(2024, 4, 1))) == []


def test_price_base_quantity_gives_the_unit_price() -> None:
    data = generate.ubl(DOC).replace(
        b'<cbc:PriceAmount currencyID="EUR">95.00</cbc:PriceAmount>',
        b'<cbc:PriceAmount currencyID="EUR">950.00</cbc:PriceAmount><cbc:BaseQuantity>10</cbc:BaseQuantity>')
    assert read_einvoice(data).lines[0].unit_price == Decimal("95")


def test_tax_total_in_document_currency_is_chosen() -> None:
    data = generate.ubl(DOC).replace(
        b"<cac:TaxTotal>",
        b'<cac:TaxTotal><cbc:TaxAmount currencyID="SEK">3800.00</cbc:TaxAmount></cac:TaxTotal><cac:TaxTotal>', 1)
    assert read_einvoice(data).value("tax_total") == Decimal("333.84")


def test_bad_values_are_left_out_not_guessed() -> None:
    data = generate.ubl(DOC).replace(b"<cbc:IssueDate>2024-03-14", b"<cbc:IssueDate>2024-02-30") \
        .replace(b'<cbc:PayableAmount currencyID="EUR">1923.54', b'<cbc:PayableAmount currencyID="EUR">12,00')
    result = read_einvoice(data)
    assert "invoice_date" not in result.fields and "amount_due" not in result.fields
    assert result.value("total") == Decimal("1923.54")


def test_facturx_pdf_embedded_xml(tmp_path: Path) -> None:
    path = tmp_path / "facturx.pdf"
    path.write_bytes(generate.facturx_pdf(DOC))
    data = embedded_einvoice(path)
    assert data is not None and sniff_einvoice(data) == "cii"
    result = read_einvoice(data, page=0)
    assert result.value("total") == EXPECTED["total"]
    assert all(found.evidence.page == 0 for found in result.fields.values())


def test_attachments_are_looked_for_in_the_sandbox(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from paperclerk.invoices import einvoice

    path = tmp_path / "facturx.pdf"
    path.write_bytes(generate.facturx_pdf(DOC))
    calls: list[str] = []
    real_run = einvoice.sandbox.run

    def recording(function, *args, **kwargs):  # type: ignore[no-untyped-def]
        calls.append(function.__name__)
        return real_run(function, *args, **kwargs)

    monkeypatch.setattr(einvoice.sandbox, "run", recording)
    assert embedded_einvoice(path) is not None and calls == ["attached_einvoice"]


def test_pdf_without_attachment_has_no_einvoice(tmp_path: Path) -> None:
    path = tmp_path / "plain.pdf"
    path.write_bytes(text_pdf(["INVOICE 1"]))
    assert embedded_einvoice(path) is None
    broken = tmp_path / "broken.pdf"
    broken.write_bytes(b"%PDF-1.4 nonsense")
    assert embedded_einvoice(broken) is None


def test_extractor_reads_attachments_and_xml_text() -> None:
    extractor = EInvoiceExtractor()
    with_attachment = Extraction(media_type="application/pdf", pages=[ExtractedPage(1, "x", "text_layer")],
                                 attachments=[Attachment("factur-x.xml", generate.cii(DOC))])
    assert extractor.extract(with_attachment).value("invoice_number") == "INV-2024-0042"
    as_text = Extraction(media_type=TEXT, pages=[ExtractedPage(1, generate.ubl(DOC).decode(), "text")])
    assert extractor.extract(as_text).fields["total"].extractor == "ubl"
    assert extractor.extract(Extraction(media_type=TEXT, pages=[ExtractedPage(1, "hello", "text")])).fields == {}


@pytest.mark.parametrize(("data", "kind"), [
    (generate.ubl(DOC), "ubl"), (generate.cii(DOC), "cii"), (generate.ubl(generate.EInvoice(credit_note=True)), "ubl"),
    (b"\xef\xbb\xbf" + generate.cii(DOC), "cii"), (generate.ubl(DOC).decode().encode("utf-16"), "ubl"),
    (b"<note><to>Tove</to></note>", None), (b"%PDF-1.4", None), (b"Invoice total 12.00", None),
])
def test_sniff(data: bytes, kind: str | None) -> None:
    assert sniff_einvoice(data) == kind


def test_utf16_xml_is_read() -> None:
    assert read_einvoice(generate.cii(DOC).decode().replace('encoding="UTF-8"', 'encoding="UTF-16"')
                         .encode("utf-16")).value("total") == EXPECTED["total"]


@pytest.mark.parametrize(("data", "code"), [
    (generate.XXE, "XML_UNSAFE"),
    (generate.BILLION_LAUGHS, "XML_UNSAFE"),
    (b'<?xml version="1.0"?><!DOCTYPE r SYSTEM "http://example.com/evil.dtd"><r/>', "XML_UNSAFE"),
    (generate.XXE.decode().encode("utf-16"), "XML_UNSAFE"),
    (generate.MALFORMED, "XML_MALFORMED"),
    (b"<Invoice>", "XML_MALFORMED"),
    (b"", "XML_MALFORMED"),
    (b"\x00\x01\x02", "XML_MALFORMED"),
    (b"<a>" * 300 + b"x" + b"</a>" * 300, "XML_MALFORMED"),  # nesting beyond libxml2's safe depth is refused
])
@pytest.mark.timeout(60)  # an expanded entity bomb would not come back at all
def test_hostile_and_broken_xml_is_refused(data: bytes, code: str) -> None:
    with pytest.raises(ExtractionError) as caught:
        read_einvoice(data)
    assert caught.value.code == code
    assert caught.value.message


def test_other_xml_is_unsupported() -> None:
    with pytest.raises(ExtractionError) as caught:
        read_einvoice(b"<note><to>Tove</to></note>")
    assert caught.value.code == "FILE_UNSUPPORTED"


def test_oversized_xml_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    from paperclerk.invoices import einvoice

    monkeypatch.setattr(einvoice, "MAX_XML_BYTES", 1000)
    with pytest.raises(ExtractionError) as caught:
        parse_xml(generate.ubl(DOC))
    assert caught.value.code == "XML_UNSAFE"


def test_amounts_with_exponents_or_absurd_sizes_are_refused() -> None:
    data = generate.ubl(DOC).replace(b'<cbc:TaxInclusiveAmount currencyID="EUR">1923.54',
                                     b'<cbc:TaxInclusiveAmount currencyID="EUR">1E+999999999') \
        .replace(b'<cbc:PayableAmount currencyID="EUR">1923.54',
                 b'<cbc:PayableAmount currencyID="EUR">' + b"9" * 40)
    result = read_einvoice(data)
    assert "total" not in result.fields and "amount_due" not in result.fields
    assert result.value("subtotal") == Decimal("1589.70")
