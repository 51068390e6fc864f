"""The pipeline's legal-invoice analyzer: a document classified (or uploaded) as a legal invoice is read as LEDES
when its content is LEDES — a broken file fails the document with ``LEDES_MALFORMED`` and its line- and field-exact
errors, the other documents of the batch going on — else as a printed bill (PDF or scan: ``printed.py``) from its
extracted text; every invoice in it is stored and reviewed in the pipeline's final transaction."""

from __future__ import annotations

from typing import TYPE_CHECKING

from paperclerk.core import events
from paperclerk.core.db import serialize
from paperclerk.legal_billing import service
from paperclerk.legal_billing.ledes import read_ledes, sniff_ledes
from paperclerk.legal_billing.ledes.read import MAX_LEDES_BYTES
from paperclerk.legal_billing.models import LegalInvoiceStatus
from paperclerk.legal_billing.printed import read_printed_bill
from paperclerk.pipeline.analyzers import AnalysisResult, register_analyzer

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from paperclerk.documents.models import Document
    from paperclerk.pipeline.context import PipelineContext


class LegalInvoiceAnalyzer:
    name = "legal_billing"
    kinds = frozenset({"legal_invoice"})

    def analyze(self, context: PipelineContext) -> AnalysisResult:
        with context.path.open("rb") as handle:
            data = handle.read(MAX_LEDES_BYTES + 1)
        format_name = sniff_ledes(data)
        if format_name is None:
            bill = read_printed_bill(context.extraction) if context.extraction is not None else None
            if bill is None:
                return AnalysisResult(data=None, summary={"ledes": False, "time_entries": 0})
            return AnalysisResult(data=[bill], needs_review=True,
                                  summary={"ledes": False, "printed": True, "lines": len(bill.lines)})
        invoices = read_ledes(data)
        return AnalysisResult(data=invoices, needs_review=True,
                              summary={"ledes": format_name, "invoices": len(invoices),
                                       "lines": sum(len(invoice.lines) for invoice in invoices)})

    def save(self, session: Session, document: Document, result: AnalysisResult) -> bool:
        if result.data is None:
            return False
        # Daily hours and duplicates are counted across invoices: two bills processed at once see each other.
        serialize(session, f"legal_billing:{document.organization_id}")
        flagged = False
        for invoice in result.data:
            row = service.store(session, document.organization_id, document.id, invoice)
            payload = {**service.event_subject(row), "document_id": document.id, "status": row.status,
                       "total": str(row.total), "proposed_adjustments": str(row.proposed_adjustments)}
            events.record(session, "legal.invoice.processed", organization_id=row.organization_id,
                          subject_type="legal_invoice", subject_id=row.id, payload=payload)
            if row.status == LegalInvoiceStatus.NEEDS_REVIEW:
                flagged = True
                events.record(session, "legal.invoice.flagged", organization_id=row.organization_id,
                              subject_type="legal_invoice", subject_id=row.id,
                              payload={**payload, "rules": sorted({item.rule_id for item in row.findings})})
        return flagged


register_analyzer(LegalInvoiceAnalyzer())
