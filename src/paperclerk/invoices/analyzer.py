"""The pipeline's invoice analyzer: reads the invoice (e-invoice XML when the PDF or file carries it, else
the registered printed-text extractors), then stores it with its evidence and findings in the pipeline's final
transaction."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import TYPE_CHECKING

from paperclerk.core import events
from paperclerk.core.db import serialize
from paperclerk.core.errors import ExtractionError
from paperclerk.extraction.base import PDF
from paperclerk.invoices import service, validation
from paperclerk.invoices.einvoice import EInvoiceExtractor, embedded_einvoice, read_einvoice
from paperclerk.invoices.extractors import read_printed
from paperclerk.invoices.file_report import OTHER, declared_invoice, read_kind
from paperclerk.invoices.models import FindingStatus, InvoiceStatus
from paperclerk.invoices.reading import CREDIT_NOTE, INVOICE, InvoiceExtraction
from paperclerk.pipeline.analyzers import AnalysisResult, register_analyzer

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from paperclerk.documents.models import Document
    from paperclerk.pipeline.context import PipelineContext

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class ReadInvoice:
    kind: str  # invoice | credit_note | receipt
    extraction: InvoiceExtraction


def read(context: PipelineContext) -> ReadInvoice | None:
    """The invoice in the document, or None when it does not read as one (a quote, an order, a letter) and was
    not uploaded as one: what the invoice intake received stays an invoice, for a person to check or reject."""
    extraction = context.extraction
    assert extraction is not None
    einvoice: InvoiceExtraction | None = None
    try:
        if context.document.media_type == PDF:
            embedded = embedded_einvoice(context.path)
            if embedded is not None:
                einvoice = read_einvoice(embedded, page=0)
        if einvoice is None:
            einvoice = EInvoiceExtractor().extract(extraction)
    except ExtractionError as exc:  # broken embedded XML: the printed invoice is still there
        log.warning("e-invoice XML unreadable; using the layout", extra={"code": exc.code,
                                                                         "document": context.document.id})
        einvoice = None
    if einvoice is not None and einvoice.fields:
        return ReadInvoice(CREDIT_NOTE if einvoice.is_credit_note else INVOICE, einvoice)
    result = read_printed(extraction, organization_id=context.document.organization_id)
    if context.document.declared_kind == INVOICE:
        return ReadInvoice(declared_invoice(extraction, result), result)
    kind, _confidence = read_kind(extraction, result)
    return None if kind == OTHER else ReadInvoice(kind, result)


class InvoiceAnalyzer:
    name = "invoices"
    kinds = frozenset({"invoice", "receipt"})

    def analyze(self, context: PipelineContext) -> AnalysisResult:
        found = read(context)
        if found is None:
            return AnalysisResult(data=None, summary={"invoice": False})
        # Whether it needs review is decided in save: the checks need the organisation's policy and master data.
        return AnalysisResult(data=found, summary={"invoice": True, "kind": found.kind,
                                                   "fields": len(found.extraction.fields),
                                                   "lines": len(found.extraction.lines)})

    def save(self, session: Session, document: Document, result: AnalysisResult) -> bool:
        """Store the invoice and check it; returns whether it needs review (master-data findings are only known
        here, inside the transaction)."""
        if result.data is None:
            return False
        # Two copies of one invoice processed at the same instant must see each other: one after the other.
        serialize(session, f"invoices:{document.organization_id}")
        invoice = service.store(session, document, result.data.kind, result.data.extraction)
        open_findings = validation.revalidate(session, invoice)
        needs_review = invoice.status == InvoiceStatus.NEEDS_REVIEW
        payload = {**service.event_subject(invoice), "document_id": document.id, "status": invoice.status,
                   "kind": invoice.kind, "open_findings": sorted({item.rule_id for item in open_findings})}
        events.record(session, "invoice.processed", organization_id=invoice.organization_id, subject_type="invoice",
                      subject_id=invoice.id, payload=payload)
        if needs_review:
            flagged = [item for item in open_findings
                       if item.status == FindingStatus.OPEN and item.severity in service.REVIEW_SEVERITIES]
            events.record(session, "invoice.flagged", organization_id=invoice.organization_id,
                          subject_type="invoice", subject_id=invoice.id,
                          payload={**service.event_subject(invoice),
                                   "findings": [{"rule_id": item.rule_id, "severity": item.severity}
                                                for item in flagged]})
        return needs_review


register_analyzer(InvoiceAnalyzer())
