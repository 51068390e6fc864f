"""A second invoice extractor (as an LLM one will be) plugs in by registering; its readings are merged with the
layout extractor's by confidence, in the CLI's analysis and the pipeline alike."""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal

import pytest

from paperclerk.extraction.base import TEXT, ExtractedPage, Extraction
from paperclerk.invoices.extractors import register_extractor, unregister_extractor
from paperclerk.invoices.file_report import analyze_extraction
from paperclerk.invoices.reading import FieldValue, InvoiceExtraction
from tests.helpers import api_client
from tests.invoices.ap import invoice_pdf, upload_invoices

TEXT_INVOICE = ("ACME Ltd\nINVOICE\nInvoice No: A-17\nInvoice date: 2024-03-14\nSubtotal: EUR 100.00\n"
                "VAT 20%: EUR 20.00\nTotal: EUR 120.00\n")


class Confident:
    """Reads a purchase order number the layout cannot see, and a total that disagrees with the page."""

    name = "confident"

    def extract(self, extraction: Extraction) -> InvoiceExtraction:
        return InvoiceExtraction(fields={
            "purchase_order": FieldValue("purchase_order", "PO-99", 0.8, self.name),
            "total": FieldValue("total", Decimal("125.00"), 0.5, self.name)})


@pytest.fixture
def second_extractor() -> Iterator[None]:
    register_extractor(Confident())
    try:
        yield
    finally:
        unregister_extractor("confident")


def test_readings_are_merged_field_by_field(second_extractor: None) -> None:
    report = analyze_extraction(Extraction(media_type=TEXT, pages=[ExtractedPage(1, TEXT_INVOICE, "text")]))
    assert report["fields"]["purchase_order"] == "PO-99"
    assert report["evidence"]["purchase_order"]["extractor"] == "confident"
    assert report["fields"]["total"] == "120.00" and report["evidence"]["total"]["extractor"] == "layout"
    assert "INV-TOT-002" in {finding["rule_id"] for finding in report["findings"]}  # the rival total is kept


def test_an_extractor_registers_once() -> None:
    with pytest.raises(ValueError, match="already registered"):
        register_extractor(type("Layout", (), {"name": "layout", "extract": Confident.extract})())


def test_the_pipeline_uses_every_registered_extractor(env, second_extractor: None) -> None:
    with api_client() as client:
        (invoice,) = upload_invoices(client, ("inv.pdf", invoice_pdf(po=None)))
    fields = {field["name"]: field for field in invoice["fields"]}
    assert fields["purchase_order"]["value"] == "PO-99" and fields["purchase_order"]["extractor"] == "confident"
