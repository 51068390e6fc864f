"""Legal search: the core's hybrid passage search over the organisation's legal documents, narrowed by the line's
filters (``case:``, ``type:``, ``party:``, ``clause:``, registered with ``search.hybrid.register_filter`` so the
search API takes them too); and saved searches, run in the background by a job that records
``legal.search_complete`` when it finishes."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, and_, exists, func, or_, select
from sqlalchemy.orm import Session

from paperclerk.core import events, jobs
from paperclerk.core.audit import Actor, record_audit
from paperclerk.core.db import session_scope, utcnow
from paperclerk.core.errors import InvalidRequest, NotFound, PaperclerkError
from paperclerk.core.worker import JobRun, TaskSpec, register_task
from paperclerk.documents.filters import DocumentFilter
from paperclerk.documents.models import Document
from paperclerk.legal.analysis.types import LEGAL_TYPES
from paperclerk.legal.models import (
    Case,
    CaseParty,
    DocumentFinding,
    DocumentVersion,
    FindingKind,
    LegalAnalysisRow,
    RegistryEntry,
    SavedSearch,
)
from paperclerk.search import hybrid
from paperclerk.search.models import Passage
from paperclerk.search.query import validate

RUN_TASK = "legal.saved_search"
#: The document kinds legal search looks in (besides any document filed in a case).
LEGAL_KINDS = frozenset(LEGAL_TYPES.values())
MAX_FILTERS = 10
SAVED_HITS = 50


def _filed_in(case_condition: ColumnElement[bool], organization_id: str) -> ColumnElement[bool]:
    return Document.id.in_(
        select(DocumentVersion.document_id)
        .join(RegistryEntry, RegistryEntry.id == DocumentVersion.entry_id)
        .join(Case, Case.id == RegistryEntry.case_id)
        .where(DocumentVersion.organization_id == organization_id, case_condition))


def case_filter(value: str, organization_id: str) -> ColumnElement[bool]:
    """``case:2024-117``: the documents filed in the case with that number."""
    return _filed_in(and_(Case.organization_id == organization_id, Case.number == value), organization_id)


def type_filter(value: str, organization_id: str) -> ColumnElement[bool]:
    """``type:nda``: documents the analysis read as that legal type."""
    if value not in LEGAL_TYPES:
        raise InvalidRequest(f"Unknown legal type {value!r}: use one of {', '.join(LEGAL_TYPES)}.",
                             code="SEARCH_FILTER_INVALID", details={"known": list(LEGAL_TYPES)})
    return Document.id.in_(select(LegalAnalysisRow.document_id).where(
        LegalAnalysisRow.organization_id == organization_id, LegalAnalysisRow.legal_type == value))


def party_filter(value: str, organization_id: str) -> ColumnElement[bool]:
    """``party:acme``: documents naming the party (a party the analysis found) or filed in a case it is party to."""
    pattern = f"%{value.lower()}%"
    named = Document.id.in_(select(DocumentFinding.document_id).where(
        DocumentFinding.organization_id == organization_id, DocumentFinding.kind == FindingKind.ENTITY,
        DocumentFinding.label == "party", or_(func.lower(DocumentFinding.text).like(pattern),
                                           func.lower(DocumentFinding.value).like(pattern))))
    party_of_case = Case.id.in_(select(CaseParty.case_id).where(CaseParty.organization_id == organization_id,
                                                                func.lower(CaseParty.name).like(pattern)))
    return or_(named, _filed_in(party_of_case, organization_id))


def clause_filter(value: str, organization_id: str) -> ColumnElement[bool]:
    """``clause:Governing Law``: the passages that hold a clause of that CUAD category (case-insensitive)."""
    return exists(select(DocumentFinding.id).where(
        DocumentFinding.organization_id == organization_id, DocumentFinding.document_id == Passage.document_id,
        DocumentFinding.kind == FindingKind.CLAUSE, func.lower(DocumentFinding.label) == value.lower(),
        DocumentFinding.page == Passage.page, DocumentFinding.start < Passage.end, DocumentFinding.end > Passage.start))


hybrid.register_filter("case", case_filter)
hybrid.register_filter("type", type_filter)
hybrid.register_filter("party", party_filter)
hybrid.register_filter("clause", clause_filter)


def legal_documents(organization_id: str) -> ColumnElement[bool]:
    """What legal search looks in: documents of a legal kind and every document filed in a case, but not the
    versions a newer one replaced (they stay readable in the registry)."""
    superseded = Document.id.in_(
        select(DocumentVersion.document_id).join(RegistryEntry, RegistryEntry.id == DocumentVersion.entry_id)
        .where(DocumentVersion.organization_id == organization_id,
               DocumentVersion.version != RegistryEntry.current_version))
    return and_(or_(Document.kind.in_(sorted(LEGAL_KINDS)),
                    _filed_in(Case.organization_id == organization_id, organization_id)), ~superseded)


def search(session: Session, organization_id: str, query: str, filters: Sequence[str], *,
           after: datetime | None = None, before: datetime | None = None, limit: int = 20) -> list[hybrid.PassageHit]:
    if len(filters) > MAX_FILTERS:
        raise InvalidRequest(f"At most {MAX_FILTERS} filters.", code="SEARCH_FILTER_INVALID")
    conditions = [legal_documents(organization_id), *hybrid.line_conditions(filters, organization_id)]
    return hybrid.search(session, query, filters=DocumentFilter(organization_id=organization_id, created_after=after,
                                                                created_before=before),
                         conditions=conditions, limit=limit)


def similar_clauses(session: Session, organization_id: str, finding: DocumentFinding, *, limit: int = 10
                    ) -> list[hybrid.PassageHit]:
    """Passages of other documents nearest in meaning to the passage that holds the clause."""
    passage_id = session.scalar(select(Passage.id).where(
        Passage.organization_id == organization_id, Passage.document_id == finding.document_id,
        Passage.page == finding.page, Passage.start < finding.end, Passage.end > finding.start)
        .order_by(Passage.start))
    if passage_id is None:
        raise NotFound("The clause's passage is not indexed yet.", code="PASSAGE_NOT_FOUND")
    return hybrid.similar_passages(session, passage_id, organization_id=organization_id, limit=limit)


# -- saved searches ---------------------------------------------------------------------------------------------

def saved(session: Session, organization_id: str) -> Sequence[SavedSearch]:
    return session.scalars(select(SavedSearch).where(SavedSearch.organization_id == organization_id)
                           .order_by(SavedSearch.name)).all()


def get_saved(session: Session, organization_id: str, search_id: str) -> SavedSearch:
    found = session.scalar(select(SavedSearch).where(SavedSearch.id == search_id,
                                                     SavedSearch.organization_id == organization_id))
    if found is None:
        raise NotFound("There is no such saved search.", code="SAVED_SEARCH_NOT_FOUND")
    return found


def save_search(session: Session, organization_id: str, *, name: str, query: str, filters: Sequence[str],
                actor: Actor, ip: str | None = None) -> SavedSearch:
    """Keep a search (checked first: a query or filter that cannot run is refused now, not in the background)
    and queue its first run."""
    hybrid.line_conditions(filters, organization_id)
    validate(query)
    item = SavedSearch(organization_id=organization_id, name=name[:200], query=query, filters=list(filters),
                       created_by=actor.label[:254] if actor else None, last_results=[])
    session.add(item)
    session.flush()
    record_audit(session, actor, "legal_search.save", ("legal_saved_search", item.id), ip=ip,
                 organization_id=organization_id, after={"name": item.name, "query": query, "filters": list(filters)})
    run_later(session, item)
    return item


def run_later(session: Session, item: SavedSearch) -> None:
    jobs.enqueue(session, task=RUN_TASK, subject_id=item.id)


def _hit(hit: hybrid.PassageHit) -> dict[str, Any]:
    return {"passage_id": hit.passage_id, "document_id": hit.document_id, "filename": hit.filename, "page": hit.page,
            "start": hit.start, "end": hit.end, "score": hit.score, "text": hit.text}


def _run(run: JobRun) -> None:
    with session_scope() as session:
        item = session.get(SavedSearch, run.subject_id)
        if item is None:  # deleted while queued
            run.complete(session)
            return
        started = utcnow()
        hits = search(session, item.organization_id, item.query, item.filters, limit=SAVED_HITS)
        item.last_run_at = utcnow()
        item.last_results = [_hit(hit) for hit in hits]
        events.record(session, "legal.search_complete", organization_id=item.organization_id,
                      subject_type="legal_saved_search", subject_id=item.id,
                      payload={"name": item.name, "query": item.query, "hits": len(hits),
                               "seconds": round((item.last_run_at - started).total_seconds(), 3)})
        run.complete(session)


def _failed(session: Session, run: JobRun, error: PaperclerkError) -> None:
    item = session.get(SavedSearch, run.subject_id)
    if item is not None:
        item.last_run_at = utcnow()
        item.last_results = [{"error": error.code, "message": error.message}]


def _retrying(session: Session, run: JobRun, error: PaperclerkError, delay: float) -> None:
    """A retried run leaves the last results as they are."""


register_task(TaskSpec(name=RUN_TASK, run=_run, on_failure=_failed, on_retry=_retrying))
