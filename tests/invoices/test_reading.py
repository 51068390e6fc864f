"""Combining several extractors' results per field, and the JSON form of values."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from paperclerk.invoices.reading import Evidence, FieldValue, InvoiceExtraction, LineItem, json_value, merge


def _result(extractor: str, lines: int = 0, **values: tuple[object, float]) -> InvoiceExtraction:
    evidence = Evidence(1, 0, 1, None, "x")
    return InvoiceExtraction(
        fields={name: FieldValue(name, value, confidence, extractor, evidence)
                for name, (value, confidence) in values.items()},
        lines=[LineItem(f"{extractor} line {n}", Decimal(1), Decimal(1), Decimal(1)) for n in range(lines)])


def test_merge_takes_the_most_confident_value_per_field() -> None:
    layout = _result("layout", lines=2, total=(Decimal("120.00"), 0.95), invoice_number=("A-1", 0.6))
    llm = _result("llm", lines=3, total=(Decimal("12.00"), 0.7), invoice_number=("A-17", 0.8), po=("PO-9", 0.5))
    merged = merge([layout, llm])
    assert merged.value("total") == Decimal("120.00") and merged.fields["total"].extractor == "layout"
    assert merged.value("invoice_number") == "A-17" and merged.fields["invoice_number"].extractor == "llm"
    assert merged.value("po") == "PO-9"
    # The losing values stay visible (for the conflicting-totals rule and for review).
    assert [c.value for c in merged.candidates["total"]] == [Decimal("12.00")]
    assert [c.extractor for c in merged.candidates["invoice_number"]] == ["layout"]
    # Lines come from the result most confident about its total.
    assert [line.description for line in merged.lines] == ["layout line 0", "layout line 1"]


def test_agreement_raises_confidence_and_ties_keep_the_first() -> None:
    first = _result("layout", total=(Decimal("5.00"), 0.7))
    second = _result("llm", total=(Decimal("5.00"), 0.7))
    merged = merge([first, second])
    assert merged.fields["total"].extractor == "layout"
    assert merged.fields["total"].confidence == 0.8
    assert "total" not in merged.candidates
    assert merge([_result("a", total=(Decimal(1), 0.95)), _result("b", total=(Decimal(1), 0.95))]) \
        .fields["total"].confidence == 1.0


def test_merge_of_nothing_and_of_one() -> None:
    assert merge([]).fields == {} and merge([]).lines == []
    only = _result("layout", lines=1, total=(Decimal("1.00"), 0.5))
    assert merge([only]).fields == only.fields and merge([only]).lines == only.lines


def test_json_values() -> None:
    assert json_value(Decimal("1041.60")) == "1041.60"
    assert json_value(date(2024, 3, 14)) == "2024-03-14"
    assert json_value("EUR") == "EUR" and json_value(None) is None


def test_extractors_only_fill_declared_fields_with_typed_values() -> None:
    from paperclerk.extraction.base import TEXT, ExtractedPage, Extraction
    from paperclerk.invoices.einvoice import read_einvoice
    from paperclerk.invoices.layout import extract_layout
    from paperclerk.invoices.reading import AMOUNT_FIELDS, DATE_FIELDS, FIELDS
    from tests.invoices import generate

    results = [read_einvoice(generate.ubl(generate.EInvoice())), read_einvoice(generate.cii(generate.EInvoice()))]
    results += [extract_layout(Extraction(media_type=TEXT, pages=[ExtractedPage(n + 1, page, "text")
                                                                  for n, page in enumerate(generate.render(spec))]))
                for spec in generate.corpus(16)]
    for result in results:
        assert set(result.fields) <= set(FIELDS)
        for name, found in result.fields.items():
            assert found.name == name
            if name in AMOUNT_FIELDS:
                assert isinstance(found.value, Decimal)
            elif name in DATE_FIELDS:
                assert isinstance(found.value, date)
            else:
                assert isinstance(found.value, str) and found.value
