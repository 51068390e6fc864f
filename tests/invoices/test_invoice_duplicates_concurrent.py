"""Two copies of one invoice stored at the same instant (two workers) still find each other."""

from __future__ import annotations

import threading
from datetime import date
from decimal import Decimal

from sqlalchemy import select

from paperclerk.config import get_settings
from paperclerk.core.db import session_scope
from paperclerk.documents import service as documents
from paperclerk.documents.models import Document
from paperclerk.invoices.analyzer import InvoiceAnalyzer, ReadInvoice
from paperclerk.invoices.models import Invoice, InvoiceFinding
from paperclerk.invoices.reading import FieldValue, InvoiceExtraction
from paperclerk.pipeline.analyzers import AnalysisResult
from tests.helpers import api_client, organization_id


def _extraction() -> InvoiceExtraction:
    values = {"document_type": "invoice", "vendor_name": "Northwind Traders B.V.", "invoice_number": "INV-77",
              "invoice_date": date(2024, 3, 14), "currency": "EUR", "total": Decimal("121.00")}
    return InvoiceExtraction(fields={name: FieldValue(name, value, 0.9, "test") for name, value in values.items()})


def _document(organization: str, data: bytes) -> str:
    with session_scope() as session:
        intake = documents.receive_bytes(session, data, organization_id=organization, filename="copy.pdf",
                                         source="test", settings=get_settings())
        return intake.document.id


def _save(document_id: str, *, stored: threading.Event | None = None) -> None:
    """What the pipeline's final transaction does with the invoice; ``stored``: say so, then hold the
    transaction open a second before committing."""
    with session_scope() as session:
        document = session.get(Document, document_id)
        assert document is not None
        InvoiceAnalyzer().save(session, document, AnalysisResult(data=ReadInvoice("invoice", _extraction())))
        if stored is not None:
            stored.set()
            threading.Event().wait(1.0)


def test_simultaneous_copies_of_an_invoice_are_flagged_as_duplicates(any_env):
    with api_client(embedded_workers=False):
        organization = organization_id("acme")
    first, second = _document(organization, b"first copy"), _document(organization, b"second copy")
    stored = threading.Event()
    errors: list[BaseException] = []

    def first_worker() -> None:
        try:
            _save(first, stored=stored)
        except BaseException as exc:  # reported by the test below
            errors.append(exc)
            stored.set()

    worker = threading.Thread(target=first_worker)
    worker.start()
    assert stored.wait(30)
    _save(second)  # the second worker, while the first has not committed yet
    worker.join(30)
    assert not errors
    with session_scope(readonly=True) as session:
        copy = session.scalars(select(Invoice).where(Invoice.document_id == second)).one()
        rules = set(session.scalars(select(InvoiceFinding.rule_id).where(InvoiceFinding.invoice_id == copy.id)))
    assert "INV-DUP-001" in rules
