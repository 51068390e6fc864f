"""Legal document routes under /api/v1/legal: cases (CRUD, CSV import), each case's registry (filing uploads into a
folder, new versions, moves, version history, what changed), a document's stored analysis, the case calendar (JSON
and iCalendar), daily statistics, legal search with saved searches, and the language-model features. Thin: services
do the work.

Reading needs ``documents:read``, searching ``search:read``; changing cases and filing documents ``legal:manage``;
the model features ``legal:ask`` (they spend the organisation's token budget).
"""

from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import APIRouter, Depends, File, Form, Path, Query, Request, UploadFile
from fastapi.responses import Response
from sqlalchemy.orm import Session

from paperclerk.ai import service as ai
from paperclerk.api_errors import error_responses
from paperclerk.auth.dependencies import request_ip, require
from paperclerk.auth.principal import Principal
from paperclerk.core.db import read_session, session_scope
from paperclerk.core.errors import InvalidRequest, NotFound
from paperclerk.core.moments import UTCMoment
from paperclerk.documents import service as documents
from paperclerk.documents.api import receive_uploads
from paperclerk.documents.schemas import UploadResult
from paperclerk.legal import assistant, calendar, cases, findings, registry, searches, statistics
from paperclerk.legal.models import CaseStatus, DocumentFinding, FindingKind
from paperclerk.legal.schemas import (
    AnalysisOut,
    AnswerOut,
    AssistantText,
    CaseIn,
    CaseList,
    CaseOut,
    ChangeOut,
    DayStatistic,
    DeadlineOut,
    DiffOut,
    EntryDetail,
    EntryOut,
    FindingOut,
    HistoryItem,
    HitList,
    HitOut,
    ImportResult,
    MoveIn,
    QuestionIn,
    SavedSearchIn,
    SavedSearchOut,
    StatisticsOut,
    TypeStatistic,
    VersionDetail,
)

router = APIRouter(prefix="/api/v1/legal", tags=["legal documents"],
                   responses=error_responses(400, 401, 403, 422, 429))
Reader = Annotated[Principal, Depends(require("documents:read"))]
Searcher = Annotated[Principal, Depends(require("search:read"))]
Manager = Annotated[Principal, Depends(require("legal:manage"))]
Asker = Annotated[Principal, Depends(require("legal:ask"))]
ReadSession = Annotated[Session, Depends(read_session)]
CaseId = Annotated[str, Path(max_length=36)]
EntryId = Annotated[str, Path(max_length=36)]
DocumentId = Annotated[str, Path(max_length=36)]
FindingId = Annotated[str, Path(max_length=36)]


# Cases ---------------------------------------------------------------------------------------------------------

@router.get("/cases", response_model=CaseList, summary="Cases, by number")
def list_cases(session: ReadSession, principal: Reader,
               status: Annotated[CaseStatus | None, Query()] = None,
               q: Annotated[str | None, Query(max_length=100, description="part of the number or title")] = None,
               limit: Annotated[int, Query(ge=1, le=200)] = 50,
               offset: Annotated[int, Query(ge=0, le=1_000_000)] = 0) -> CaseList:
    items, total = cases.list_cases(session, principal.tenant, status=status, text=q, limit=limit, offset=offset)
    return CaseList(items=[CaseOut.model_validate(item) for item in items], total=total, limit=limit, offset=offset)


@router.post("/cases", status_code=201, response_model=CaseOut, summary="Open a case (number and title required)",
             responses=error_responses(409))
def create_case(body: CaseIn, request: Request, principal: Manager) -> CaseOut:
    if not body.number or not body.title:
        raise InvalidRequest("A case needs a number and a title.", code="CASE_FIELDS_REQUIRED")
    with session_scope() as session:
        case = cases.create_case(session, principal.tenant, body.values(body.number), actor=principal,
                                 ip=request_ip(request))
        return CaseOut.model_validate(case)


@router.post("/cases/import", response_model=ImportResult,
             summary="Import cases from CSV (number, title, court, jurisdiction, status, opened_on, closed_on, "
                     "responsible, parties, description); existing numbers are updated, bad rows listed")
def import_cases(file: Annotated[UploadFile, File(description="CSV, UTF-8 or Windows-1252")], request: Request,
                 principal: Manager) -> ImportResult:
    text = cases.csv_text(file.file)
    with session_scope() as session:
        outcome = cases.import_csv(session, principal.tenant, text, actor=principal, ip=request_ip(request))
    return ImportResult(created=outcome.created, updated=outcome.updated, problems=outcome.problems)


@router.get("/cases/{case_id}", response_model=CaseOut, summary="A case with its parties",
            responses=error_responses(404))
def get_case(case_id: CaseId, session: ReadSession, principal: Reader) -> CaseOut:
    return CaseOut.model_validate(cases.get_case(session, principal.tenant, case_id))


@router.patch("/cases/{case_id}", response_model=CaseOut, summary="Change a case (absent fields stay as they are)",
              responses=error_responses(404, 409))
def update_case(case_id: CaseId, body: CaseIn, request: Request, principal: Manager) -> CaseOut:
    with session_scope() as session:
        current = cases.get_case(session, principal.tenant, case_id)
        case = cases.update_case(session, principal.tenant, case_id, body.values(current.number), actor=principal,
                                 ip=request_ip(request))
        return CaseOut.model_validate(case)


# Registry ------------------------------------------------------------------------------------------------------

@router.get("/cases/{case_id}/documents", response_model=list[EntryOut],
            summary="The case's registry: every document with its folder and versions, by folder",
            responses=error_responses(404))
def list_entries(case_id: CaseId, session: ReadSession, principal: Reader) -> list[EntryOut]:
    case = cases.get_case(session, principal.tenant, case_id)
    return [EntryOut.model_validate(entry) for entry in registry.entries(session, principal.tenant, case.id)]


@router.post("/cases/{case_id}/documents", status_code=202, response_model=UploadResult,
             summary="File an upload into the case: under a folder, or as the new current version of a document",
             responses=error_responses(404, 409, 413, 415, 503))
def file_upload(case_id: CaseId, request: Request, principal: Manager,
                file: Annotated[UploadFile, File(description="The document")],
                folder: Annotated[str, Form(max_length=1000, description="/pleadings/motions")] = "/",
                title: Annotated[str | None, Form(max_length=255)] = None,
                version_of: Annotated[str | None, Form(max_length=36, description="a registry entry's id")] = None,
                note: Annotated[str | None, Form(max_length=500)] = None) -> UploadResult:
    with session_scope(readonly=True) as session:  # refuse a wrong case, entry or folder before storing anything
        case = cases.get_case(session, principal.tenant, case_id)
        if version_of:
            entry = registry.get_entry(session, principal.tenant, version_of)
            if entry.case_id != case.id:
                raise NotFound("There is no such document in this case's registry.",
                               code="REGISTRY_ENTRY_NOT_FOUND")
        registry.normalize_folder(folder)
    ip = request_ip(request)

    def file_it(session: Session, intake: documents.Intake) -> None:
        registry.file_document(session, principal.tenant, case_id, intake.document, folder=folder, title=title,
                               version_of=version_of, note=note, actor=principal, ip=ip)

    return receive_uploads([file], source="legal", principal=principal, ip=ip, then=file_it)


@router.get("/registry/{entry_id}", response_model=EntryDetail,
            summary="A registry document: its versions, each with its file, status and processing history",
            responses=error_responses(404))
def get_entry(entry_id: EntryId, session: ReadSession, principal: Reader) -> EntryDetail:
    entry = registry.get_entry(session, principal.tenant, entry_id)
    ids = [version.document_id for version in entry.versions]
    files, history = registry.documents_of(session, ids), registry.history(session, ids)
    return EntryDetail(id=entry.id, case_id=entry.case_id, folder=entry.folder, title=entry.title,
                       current_version=entry.current_version, versions=[
                           VersionDetail(version=version.version, document_id=version.document_id, note=version.note,
                                         filed_by=version.filed_by, filed_at=version.filed_at,
                                         filename=files[version.document_id].filename,
                                         status=files[version.document_id].status,
                                         history=[HistoryItem.model_validate(item)
                                                  for item in history[version.document_id]])
                           for version in entry.versions])


@router.post("/registry/{entry_id}/move", response_model=EntryOut,
             summary="Move a document (all its versions) to another folder or case, or rename it",
             responses=error_responses(404))
def move_entry(entry_id: EntryId, body: MoveIn, request: Request, principal: Manager) -> EntryOut:
    with session_scope() as session:
        entry = registry.move_entry(session, principal.tenant, entry_id, folder=body.folder, case_id=body.case_id,
                                    title=body.title, actor=principal, ip=request_ip(request))
        return EntryOut.model_validate(entry)


@router.get("/registry/{entry_id}/diff", response_model=DiffOut,
            summary="What changed between two versions, paragraph by paragraph", responses=error_responses(404))
def diff_versions(entry_id: EntryId, session: ReadSession, principal: Reader,
                  from_version: Annotated[int, Query(alias="from", ge=1, le=10_000)],
                  to_version: Annotated[int, Query(alias="to", ge=1, le=10_000)]) -> DiffOut:
    entry = registry.get_entry(session, principal.tenant, entry_id)
    old = registry.version_by_number(entry, from_version)
    new = registry.version_by_number(entry, to_version)
    changes = registry.diff(registry.paragraphs(session, old.document_id),
                            registry.paragraphs(session, new.document_id))
    return DiffOut(entry_id=entry.id, from_version=from_version, to_version=to_version,
                   changes=[ChangeOut(op=change.op, old=list(change.old), new=list(change.new)) for change in changes])


# Analysis, calendar, statistics --------------------------------------------------------------------------------

@router.get("/documents/{document_id}/analysis", response_model=AnalysisOut,
            summary="A document's legal analysis: type, entities, clauses, risks and deadlines with their spans",
            responses=error_responses(404))
def get_analysis(document_id: DocumentId, session: ReadSession, principal: Reader) -> AnalysisOut:
    found = findings.stored(session, principal.tenant, document_id)
    if found is None:
        raise NotFound("This document has no legal analysis.", code="LEGAL_ANALYSIS_NOT_FOUND")
    return AnalysisOut(document_id=document_id, legal_type=found.analysis.legal_type,
                       type_confidence=found.analysis.type_confidence, analyzed_at=found.analysis.analyzed_at,
                       **{name: [FindingOut.model_validate(item) for item in getattr(found, name)]
                          for name in ("entities", "clauses", "risks", "deadlines")})


@router.get("/cases/{case_id}/deadlines", response_model=list[DeadlineOut],
            summary="The deadlines found in the current versions of the case's documents",
            responses=error_responses(404))
def list_deadlines(case_id: CaseId, session: ReadSession, principal: Reader) -> list[DeadlineOut]:
    case = cases.get_case(session, principal.tenant, case_id)
    return [DeadlineOut.model_validate(item, from_attributes=True)
            for item in calendar.deadlines(session, principal.tenant, case.id)]


@router.get("/cases/{case_id}/calendar.ics", response_class=Response,
            summary="The case's dated deadlines as an iCalendar feed (text/calendar)",
            responses={**error_responses(404), 200: {"content": {"text/calendar": {}}}})
def calendar_feed(case_id: CaseId, request: Request, session: ReadSession, principal: Reader) -> Response:
    case = cases.get_case(session, principal.tenant, case_id)
    body = calendar.ics(case, calendar.deadlines(session, principal.tenant, case.id),
                        host=request.url.hostname or "paperclerk")
    return Response(body, media_type="text/calendar; charset=utf-8",
                    headers={"Content-Disposition": f'attachment; filename="case-{case.id}.ics"'})


@router.get("/statistics", response_model=StatisticsOut,
            summary="Documents analysed per day and legal type, with their average processing time")
def get_statistics(session: ReadSession, principal: Reader,
                   since: Annotated[date | None, Query(description="first day (default: 29 days ago)")] = None,
                   until: Annotated[date | None, Query(description="last day (default: today)")] = None
                   ) -> StatisticsOut:
    first, last = statistics.default_period()
    since, until = since or first, until or last
    return StatisticsOut(
        since=since, until=until,
        by_type=[TypeStatistic.model_validate(item, from_attributes=True)
                 for item in statistics.by_type(session, principal.tenant, since=since, until=until)],
        daily=[DayStatistic.model_validate(item, from_attributes=True)
               for item in statistics.daily(session, principal.tenant, since=since, until=until)])


# Search --------------------------------------------------------------------------------------------------------

def _hit(hit: object) -> HitOut:
    return HitOut.model_validate(hit, from_attributes=True)


@router.get("/search", response_model=HitList,
            summary="Hybrid passage search over legal documents; filters case:, type:, party:, clause:",
            responses=error_responses(503))
def search(session: ReadSession, principal: Searcher,
           q: Annotated[str, Query(min_length=1, max_length=500)],
           filter: Annotated[list[str], Query(max_length=10, description="case:2024-117, type:nda, party:acme, "
                                                                         "clause:Governing Law")] = [],  # noqa: B006
           after: Annotated[UTCMoment | None, Query(description="documents received from (inclusive)")] = None,
           before: Annotated[UTCMoment | None, Query(description="documents received before")] = None,
           limit: Annotated[int, Query(ge=1, le=50)] = 20) -> HitList:
    hits = searches.search(session, principal.tenant, q, filter, after=after, before=before, limit=limit)
    return HitList(items=[_hit(hit) for hit in hits])


@router.get("/clauses/{finding_id}/similar", response_model=HitList,
            summary="Passages of other documents nearest in meaning to a clause", responses=error_responses(404, 409))
def similar_clauses(finding_id: FindingId, session: ReadSession, principal: Searcher,
                    limit: Annotated[int, Query(ge=1, le=50)] = 10) -> HitList:
    clause = _clause(session, principal.tenant, finding_id)
    return HitList(items=[_hit(hit) for hit in searches.similar_clauses(session, principal.tenant, clause,
                                                                        limit=limit)])


def _clause(session: Session, organization_id: str, finding_id: str) -> DocumentFinding:
    clause = findings.finding(session, organization_id, finding_id)
    if clause is None or clause.kind != FindingKind.CLAUSE:
        raise NotFound("There is no such clause.", code="CLAUSE_NOT_FOUND")
    return clause


@router.get("/searches", response_model=list[SavedSearchOut], summary="Saved legal searches and their last results")
def list_saved(session: ReadSession, principal: Searcher) -> list[SavedSearchOut]:
    return [SavedSearchOut.model_validate(item) for item in searches.saved(session, principal.tenant)]


@router.post("/searches", status_code=201, response_model=SavedSearchOut,
             summary="Save a search; it runs in the background and records legal.search_complete when done")
def save_search(body: SavedSearchIn, request: Request, principal: Manager) -> SavedSearchOut:
    with session_scope() as session:
        item = searches.save_search(session, principal.tenant, name=body.name.strip(), query=body.query,
                                    filters=body.filters, actor=principal, ip=request_ip(request))
        return SavedSearchOut.model_validate(item)


@router.get("/searches/{search_id}", response_model=SavedSearchOut, summary="A saved search and its last results",
            responses=error_responses(404))
def get_saved(search_id: Annotated[str, Path(max_length=36)], session: ReadSession,
              principal: Searcher) -> SavedSearchOut:
    return SavedSearchOut.model_validate(searches.get_saved(session, principal.tenant, search_id))


@router.post("/searches/{search_id}/run", status_code=202, response_model=SavedSearchOut,
             summary="Run a saved search again in the background", responses=error_responses(404))
def run_saved(search_id: Annotated[str, Path(max_length=36)], principal: Manager) -> SavedSearchOut:
    with session_scope() as session:
        item = searches.get_saved(session, principal.tenant, search_id)
        searches.run_later(session, item)
        return SavedSearchOut.model_validate(item)


# The language model --------------------------------------------------------------------------------------------

@router.post("/cases/{case_id}/summary", response_model=AssistantText,
             summary="A summary of the case and its documents by the configured language model",
             responses=error_responses(404, 503))
def case_summary(case_id: CaseId, principal: Asker) -> AssistantText:
    with session_scope() as session:
        case = cases.get_case(session, principal.tenant, case_id)
        if not ai.llm_configured():
            return AssistantText(text=None, note=assistant.NO_MODEL)
        return AssistantText(text=assistant.summarize_case(session, principal.tenant, case))


@router.post("/documents/{document_id}/summary", response_model=AssistantText,
             summary="A summary of one document by the configured language model",
             responses=error_responses(404, 503))
def document_summary(document_id: DocumentId, principal: Asker) -> AssistantText:
    with session_scope() as session:
        document = documents.get(session, document_id, organization_id=principal.tenant)
        if not ai.llm_configured():
            return AssistantText(text=None, note=assistant.NO_MODEL)
        return AssistantText(text=assistant.summarize_document(session, principal.tenant, document))


@router.post("/clauses/{finding_id}/explain", response_model=AssistantText,
             summary="What a clause means, explained by the configured language model",
             responses=error_responses(404, 503))
def explain_clause(finding_id: FindingId, principal: Asker) -> AssistantText:
    with session_scope() as session:
        clause = _clause(session, principal.tenant, finding_id)
        if not ai.llm_configured():
            return AssistantText(text=None, note=assistant.NO_MODEL)
        return AssistantText(text=assistant.explain_clause(session, principal.tenant, clause))


@router.post("/cases/{case_id}/ask", response_model=AnswerOut,
             summary="Answer a question from the case's passages, citing them (an answer citing none is withheld)",
             responses=error_responses(404, 503))
def ask(case_id: CaseId, body: QuestionIn, principal: Asker) -> AnswerOut:
    with session_scope() as session:
        case = cases.get_case(session, principal.tenant, case_id)
        found = assistant.answer(session, principal.tenant, case, body.question)
        return AnswerOut(question=body.question, answer=found.text, note=found.note,
                         citations=[_hit(hit) for hit in found.cited], passages=[_hit(hit) for hit in found.passages])
