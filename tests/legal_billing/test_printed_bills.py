"""Law-firm bills printed as PDF: the header and every time entry and expense read into the LEDES model (columns in
the orders firms print them, wrapped descriptions), reviewed by the same rules from ``paperclerk legal review`` and
through the document pipeline, where the classifier picks ``legal_invoice``; a PDF without time entries or a broken
one is reported and the other files go on."""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import select
from typer.testing import CliRunner

from paperclerk.cli import app
from paperclerk.config import get_settings
from paperclerk.core.db import session_scope
from paperclerk.extraction import sandbox
from paperclerk.extraction.base import PDF, Limits
from paperclerk.legal_billing.ledes import read_ledes
from paperclerk.legal_billing.models import LegalInvoice
from paperclerk.legal_billing.printed import read_printed_bill
from paperclerk.samples import text_pdf, truncated_pdf
from tests.helpers import api_client, upload_and_wait
from tests.legal_billing.bill_pdfs import ENTRIES, EXPENSES, bill_pdf, sample_bill

runner = CliRunner()


def _read(tmp_path: Path, data: bytes):
    path = tmp_path / "bill.pdf"
    path.write_bytes(data)
    settings = get_settings()
    extraction = sandbox.extract(path, PDF, allow_ocr=False, limits=Limits.from_settings(settings), settings=settings)
    return read_printed_bill(extraction)


@pytest.mark.parametrize("style", ["plain", "initials_after", "utbms"])
def test_every_entry_and_expense_is_read_whatever_the_column_order(env, tmp_path: Path, style: str) -> None:
    bill = _read(tmp_path, bill_pdf(sample_bill(style)))
    assert bill is not None
    assert (bill.format, bill.invoice_number, bill.invoice_date.isoformat()) == ("PDF", "2024-117", "2024-03-05")
    assert (bill.law_firm_name, bill.law_firm_matter_id) == ("Smith & Jones LLP", "4410-002")
    assert bill.billing_end_date is not None and bill.billing_end_date.isoformat() == "2024-02-29"
    assert bill.total == Decimal("2370.00") == bill.lines_total
    fees = [line for line in bill.lines if line.is_fee]
    assert [(line.date, line.timekeeper_id, line.units, line.total, line.description) for line in fees] == [
        (entry.day, entry.timekeeper, entry.hours, entry.amount, entry.description) for entry in ENTRIES]
    if style != "initials_after":  # that layout prints no rate
        assert [line.unit_cost for line in fees] == [entry.rate for entry in ENTRIES]
    if style == "utbms":
        assert [(line.task_code, line.activity_code) for line in fees] == [
            (entry.task, entry.activity) for entry in ENTRIES]
    expenses = [line for line in bill.lines if line.is_expense]
    assert [(line.date, line.total, line.description) for line in expenses] == [
        (expense.day, expense.amount, expense.description) for expense in EXPENSES]
    assert [line.number for line in bill.lines] == list(range(1, 7))


def test_a_pdf_without_time_entries_is_no_bill(env, tmp_path: Path) -> None:
    assert _read(tmp_path, text_pdf(["Dear counsel,\nplease find our invoice for March attached.\nRegards"])) is None


def test_the_cli_reviews_a_pdf_bill_and_reports_a_broken_one(env, tmp_path: Path) -> None:
    bill, broken, letter = tmp_path / "bill.pdf", tmp_path / "broken.pdf", tmp_path / "letter.pdf"
    bill.write_bytes(bill_pdf(sample_bill("utbms")))
    broken.write_bytes(truncated_pdf())
    letter.write_bytes(text_pdf(["Dear counsel, thank you for your letter of March 3."]))
    result = runner.invoke(app, ["legal", "review", "--json", str(broken), str(bill), str(letter)])
    assert result.exit_code == 2, result.output
    first, review, last = (json.loads(line) for line in result.output.splitlines())
    assert first["file"] == str(broken) and first["error"]["code"].startswith("FILE_")
    assert last["file"] == str(letter) and last["error"]["code"] == "LEDES_UNSUPPORTED"
    assert review["invoice"]["invoice_number"] == "2024-117" and len(review["lines"]) == 6
    found = {(finding["category"], tuple(finding["lines"])) for finding in review["findings"]}
    assert {("vague_description", (3,)), ("administrative_task", (4,)), ("block_billing", (1,))} <= found
    assert review["totals"]["billed"] == "2370.00"
    assert Decimal(review["totals"]["approved"]) < Decimal("2370.00")


def test_a_pdf_bill_through_the_pipeline_is_classified_and_reviewed(env) -> None:
    with api_client() as client:
        (document,) = upload_and_wait(client, ("smith-jones-2024-117.pdf", bill_pdf(sample_bill("utbms"))))
        assert (document["kind"], document["status"]) == ("legal_invoice", "needs_review"), document
        (listed,) = client.get("/api/v1/legal/invoices").json()["items"]
        detail = client.get(f"/api/v1/legal/invoices/{listed['id']}").json()
        # The adjusted bill exports as LEDES that reads back, though the PDF states no client id or tax id.
        (exported,) = read_ledes(client.get(f"/api/v1/legal/invoices/{listed['id']}/export").text)
    assert (detail["invoice_number"], detail["format"], detail["total"]) == ("2024-117", "PDF", "2370.00")
    assert [line["timekeeper_id"] for line in detail["lines"]][:4] == ["JDS", "MKL", "JDS", "PRG"]
    assert {finding["category"] for finding in detail["findings"]} >= {"vague_description", "block_billing"}
    assert exported.total == Decimal(detail["approved_total"]) == exported.lines_total
    assert (exported.law_firm_id, exported.client_id) == ("Smith & Jones LLP", "4410-002")
    with session_scope() as session:
        stored = session.scalars(select(LegalInvoice)).one()
        assert stored.document_id == document["id"] and stored.law_firm_name == "Smith & Jones LLP"
