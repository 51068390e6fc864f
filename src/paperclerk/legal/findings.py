"""A document's legal analysis as stored: its legal type and every entity, clause, risk and deadline with the span of
page text that supports it. Stored by the pipeline's final transaction (which also keeps the daily statistics and
tells people when a case's document is analysed); read by the document page, the calendar and the search filters."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from itertools import pairwise

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from paperclerk.core import events
from paperclerk.documents.models import Document
from paperclerk.legal import statistics
from paperclerk.legal.analysis.types import LegalAnalysis, Span
from paperclerk.legal.models import DocumentFinding, FindingKind, LegalAnalysisRow
from paperclerk.legal.registry import case_of_document


def _span(span: Span | None) -> dict[str, object]:
    if span is None:
        return {}
    return {"page": span.page, "start": span.start, "end": span.end, "text": span.text}


def rows_of(organization_id: str, document_id: str, analysis: LegalAnalysis) -> list[DocumentFinding]:
    def finding(kind: FindingKind, label: str, span: Span | None, **values: object) -> DocumentFinding:
        return DocumentFinding(organization_id=organization_id, document_id=document_id, kind=kind, label=label[:300],
                            **_span(span), **values)

    return [
        *(finding(FindingKind.ENTITY, item.type, item.span, value=item.value and item.value[:300], role=item.role)
          for item in analysis.entities),
        *(finding(FindingKind.CLAUSE, item.category, item.span, confidence=item.confidence)
          for item in analysis.clauses),
        *(finding(FindingKind.RISK, item.category, item.span, value=item.code, severity=item.severity,
                  reason=item.reason) for item in analysis.risks),
        *(finding(FindingKind.DEADLINE, item.description, item.span, due=item.due,
                  role=item.party and item.party[:100]) for item in analysis.deadlines),
    ]


def store(session: Session, document: Document, analysis: LegalAnalysis, *, processing_ms: float) -> None:
    """Replace the document's stored analysis, count it in today's statistics and, when the document is filed in a
    case, record ``legal.analysis_complete`` (people who asked are told, by e-mail too)."""
    session.execute(delete(DocumentFinding).where(DocumentFinding.document_id == document.id))
    row = session.get(LegalAnalysisRow, document.id)
    if row is None:
        row = LegalAnalysisRow(document_id=document.id, organization_id=document.organization_id)
        session.add(row)
    row.legal_type = analysis.legal_type
    row.type_confidence = round(float(analysis.type_confidence), 4)
    row.elapsed_ms = round(float(analysis.elapsed_ms), 2)
    session.add_all(rows_of(document.organization_id, document.id, analysis))
    session.flush()
    statistics.count(session, document.organization_id, analysis.legal_type, processing_ms)
    case = case_of_document(session, document.organization_id, document.id)
    if case is not None:
        events.record(session, "legal.analysis_complete", organization_id=document.organization_id,
                      subject_type="document", subject_id=document.id,
                      payload={"filename": document.filename, "case_number": case.number, "case_title": case.title,
                               "legal_type": analysis.legal_type, "clauses": len(analysis.clauses),
                               "risks": len(analysis.risks), "deadlines": len(analysis.deadlines)})


@dataclass(frozen=True)
class StoredAnalysis:
    analysis: LegalAnalysisRow
    entities: list[DocumentFinding]
    clauses: list[DocumentFinding]
    risks: list[DocumentFinding]
    deadlines: list[DocumentFinding]


def stored(session: Session, organization_id: str, document_id: str) -> StoredAnalysis | None:
    row = session.scalar(select(LegalAnalysisRow).where(LegalAnalysisRow.document_id == document_id,
                                                        LegalAnalysisRow.organization_id == organization_id))
    if row is None:
        return None
    found: dict[str, list[DocumentFinding]] = {kind: [] for kind in FindingKind}
    for finding in session.scalars(select(DocumentFinding).where(DocumentFinding.document_id == document_id)
                                   .order_by(DocumentFinding.page, DocumentFinding.start, DocumentFinding.label)):
        found[finding.kind].append(finding)
    return StoredAnalysis(row, found[FindingKind.ENTITY], found[FindingKind.CLAUSE], found[FindingKind.RISK],
                          found[FindingKind.DEADLINE])


def finding(session: Session, organization_id: str, finding_id: str) -> DocumentFinding | None:
    return session.scalar(select(DocumentFinding).where(DocumentFinding.id == finding_id,
                                                     DocumentFinding.organization_id == organization_id))


@dataclass(frozen=True)
class Piece:
    """A stretch of a page's text; ``marks`` names the findings whose evidence covers it (empty: plain text),
    ``starting`` those whose evidence starts here (where a link to the finding lands)."""

    text: str
    marks: tuple[DocumentFinding, ...] = ()
    starting: tuple[DocumentFinding, ...] = ()


def highlighted(page_text: str, page: int, findings: Sequence[DocumentFinding]) -> list[Piece]:
    """The page cut at every evidence span's edges, so that a template can mark each stretch with its findings."""
    spans = [(item.start, item.end, item) for item in findings
             if item.page == page and item.start is not None and item.end is not None
             and 0 <= item.start < item.end <= len(page_text)]
    edges = sorted({0, len(page_text), *(start for start, _, _ in spans), *(end for _, end, _ in spans)})
    pieces = []
    for left, right in pairwise(edges):
        covering = tuple(item for start, end, item in spans if start <= left and right <= end)
        pieces.append(Piece(page_text[left:right], covering,
                            tuple(item for item in covering if item.start == left)))
    return pieces
