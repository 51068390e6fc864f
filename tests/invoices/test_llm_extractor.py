"""The optional LLM extractor against a real OpenAI-compatible HTTP server: merged with the layout reader by
confidence, every kept value found in the document's text, off by default, a model that fails never failing the
document, and its tokens recorded against the organisation."""

from __future__ import annotations

import json
import logging
from datetime import date
from decimal import Decimal

import pytest
from sqlalchemy import select

from paperclerk.ai.models import AIUsage
from paperclerk.auth import service as accounts
from paperclerk.core.db import session_scope
from paperclerk.extraction.base import TEXT, ExtractedPage, Extraction, TextSegment
from paperclerk.invoices.extractors import read_printed
from paperclerk.invoices.file_report import analyze_extraction
from paperclerk.invoices.llm_extractor import HEAD_CHARS, NAME, PURPOSE, SCHEMA, LLMExtractor, prompt_text
from tests.ai.llm_server import use_llm_server
from tests.helpers import api_client
from tests.invoices.ap import TAX_ID, invoice_pdf, upload_invoices

TEXT_INVOICE = ("Thank you for choosing brightwater studio for your project.\nINVOICE\nInvoice No: A-17\n"
                "Issued on 14 March 2024, please pay by 13 April 2024\nSubtotal: EUR 100.00\nVAT 20%: EUR 20.00\n"
                "Total: EUR 120.00\n")
ANSWER = {"vendor_name": "Brightwater Studio", "vendor_tax_id": None, "invoice_number": "A-17",
          "invoice_date": "2024-03-14", "due_date": "2024-04-13", "currency": "EUR", "subtotal": "100.00",
          "tax_total": "20.00", "total": "120.00"}


def text_invoice() -> Extraction:
    return Extraction(media_type=TEXT, pages=[ExtractedPage(1, TEXT_INVOICE, "text")])


@pytest.fixture
def org(env) -> str:
    with session_scope() as session:
        return accounts.create_organization(session, "Acme", slug="acme").id


@pytest.fixture
def llm_on(llm_server, monkeypatch):
    use_llm_server(monkeypatch, llm_server, invoice_llm_extractor="true")
    return llm_server


def usage_rows() -> list[tuple[str, str, int]]:
    with session_scope(readonly=True) as session:
        return [tuple(row) for row in session.execute(  # type: ignore[misc]
            select(AIUsage.organization_id, AIUsage.purpose, AIUsage.prompt_tokens))]


def test_the_models_reading_is_merged_with_the_layouts(org, llm_on) -> None:
    llm_on.replies = [json.dumps(ANSWER)]
    result = read_printed(text_invoice(), organization_id=org)
    # The model fills what the layout missed, with the printed span as evidence...
    due = result.fields["due_date"]
    assert (due.value, due.extractor, due.confidence) == (date(2024, 4, 13), NAME, 0.65)
    assert TEXT_INVOICE[due.evidence.start:due.evidence.end] == "13 April 2024"
    # ...beats the layout's guesses (an unlabelled top line, an unlabelled date) with the printed value...
    assert (result.value("vendor_name"), result.fields["vendor_name"].extractor) == ("brightwater studio", NAME)
    assert result.fields["invoice_date"].extractor == NAME
    # ...and where the layout read the same from a label, the layout's reading stands, made surer.
    total = result.fields["total"]
    assert (total.value, total.extractor, total.confidence) == (Decimal("120.00"), "layout", 1.0)
    assert result.fields["invoice_number"].extractor == "layout"
    request = llm_on.chat_requests()[0].body
    assert request["response_format"]["json_schema"]["schema"] == SCHEMA
    assert "Invoice No: A-17" in request["messages"][-1]["content"]
    assert usage_rows() and all(row[:2] == (org, PURPOSE) and row[2] > 0 for row in usage_rows())


def test_a_value_the_document_does_not_print_is_dropped(org, llm_on) -> None:
    llm_on.replies = [json.dumps({**ANSWER, "vendor_tax_id": "DE136695976", "total": "125.00",
                                  "due_date": "2024-05-01", "currency": "USD"})]
    result = read_printed(text_invoice(), organization_id=org)
    assert "vendor_tax_id" not in result.fields and "due_date" not in result.fields
    assert result.value("total") == Decimal("120.00") and result.value("currency") == "EUR"
    assert all(item.extractor == "layout" for item in result.candidates.get("total", []))
    assert "vendor_tax_id" not in analyze_extraction(text_invoice())["fields"]


def test_the_evidence_has_the_box_of_the_words_it_covers(org, llm_on) -> None:
    text = "Invoice No: A-17\nTotal: 1.234,50 EUR\n"
    page = ExtractedPage(1, text, "text_layer", 600, 800,
                         [TextSegment(0, 16, (10, 10, 200, 20)), TextSegment(17, 36, (10, 30, 220, 40))])
    llm_on.replies = [json.dumps({**dict.fromkeys(ANSWER), "total": "1234.50", "invoice_number": "a-17"})]
    result = LLMExtractor().extract_for(Extraction(media_type=TEXT, pages=[page]), org)
    total, number = result.fields["total"], result.fields["invoice_number"]
    assert total.value == Decimal("1234.50")
    assert (total.evidence.page, total.evidence.text, total.evidence.bbox) == (1, "1.234,50", (10, 30, 220, 40))
    assert (number.value, number.evidence.text, number.evidence.bbox) == ("A-17", "A-17", (10, 10, 200, 20))


def test_it_is_off_by_default_and_without_an_organisation(org, llm_server, monkeypatch) -> None:
    use_llm_server(monkeypatch, llm_server)
    read_printed(text_invoice(), organization_id=org)
    monkeypatch.setenv("PAPERCLERK_INVOICE_LLM_EXTRACTOR", "true")
    from paperclerk.config import get_settings
    get_settings.cache_clear()
    analyze_extraction(text_invoice())  # paperclerk extract: a file read on no organisation's account
    assert llm_server.chat_requests() == [] and usage_rows() == []


@pytest.mark.parametrize("budget", ["0", "1"])
def test_a_model_that_fails_leaves_the_layouts_reading(org, llm_on, monkeypatch, caplog, budget) -> None:
    from paperclerk.config import get_settings

    monkeypatch.setenv("PAPERCLERK_AI_MONTHLY_TOKEN_BUDGET", budget)
    get_settings.cache_clear()
    if budget == "1":
        with session_scope() as session:
            from paperclerk.ai import service as ai
            ai.record_usage(session, org, purpose="other", model="test-model", prompt_tokens=5)
    llm_on.fail(4, status=500)
    with caplog.at_level(logging.WARNING, logger="paperclerk.invoices.llm_extractor"):
        result = read_printed(text_invoice(), organization_id=org)
    assert result.value("total") == Decimal("120.00") and all(f.extractor == "layout" for f in result.fields.values())
    expected = "AI_BUDGET_EXCEEDED" if budget == "1" else "ML_001"
    assert [record.code for record in caplog.records] == [expected]  # type: ignore[attr-defined]


def test_a_long_document_is_sent_as_its_head_and_tail() -> None:
    long = Extraction(media_type=TEXT, pages=[ExtractedPage(1, "x" * 50_000 + "Total: 9.99", "text")])
    sent = prompt_text(long)
    assert len(sent) < HEAD_CHARS + 4000 and sent.endswith("Total: 9.99")


def test_the_pipeline_reads_with_the_model_and_counts_its_tokens(org, llm_on) -> None:
    llm_on.replies = [json.dumps({**dict.fromkeys(ANSWER), "vendor_tax_id": TAX_ID, "total": "1512.50"})]
    with api_client() as client:
        (invoice,) = upload_invoices(client, ("inv.pdf", invoice_pdf()))
    assert invoice["status"] != "failed"
    fields = {field["name"]: field for field in invoice["fields"]}
    assert fields["vendor_tax_id"]["value"] == TAX_ID
    # The model read the tax number the layout read too: agreement makes it surer; the due date it left alone.
    assert (fields["vendor_tax_id"]["confidence"], fields["due_date"]["confidence"]) == (1.0, 0.9)
    assert len(llm_on.chat_requests()) == 1
    assert [row[1] for row in usage_rows()] == [PURPOSE]


def test_answers_that_never_match_the_schema_are_counted_and_leave_the_layouts_reading(org, llm_on, caplog) -> None:
    llm_on.replies = ["The total is 120.00.", json.dumps({"total": 120}), "```json\n{}\n```"]
    with caplog.at_level(logging.WARNING, logger="paperclerk.invoices.llm_extractor"):
        result = read_printed(text_invoice(), organization_id=org)
    assert all(item.extractor == "layout" for item in result.fields.values())
    assert [record.code for record in caplog.records] == ["LLM_BAD_OUTPUT"]  # type: ignore[attr-defined]
    assert len(usage_rows()) == 3  # every ask's tokens were spent, and are counted
