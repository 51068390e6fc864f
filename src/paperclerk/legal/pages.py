"""Pages of the legal document line: the cases (list, CSV import, one case with its registry tree, upload, calendar,
summary and questions; editing), a registry document (versions with their processing history, move, what changed
between two versions), a document's analysis with its evidence highlighted, and the daily statistics."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any
from urllib.parse import quote

from fastapi import APIRouter, Depends, File, Form, Query, Request, UploadFile
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy.orm import Session

from paperclerk.ai import service as ai
from paperclerk.auth.dependencies import request_ip
from paperclerk.core.db import session_scope
from paperclerk.core.errors import NotFound, PaperclerkError
from paperclerk.documents import service as documents
from paperclerk.documents.api import receive_uploads
from paperclerk.documents.models import Page
from paperclerk.legal import assistant, calendar, cases, findings, registry, statistics
from paperclerk.legal.cases import CaseValues
from paperclerk.legal.models import CaseStatus, FindingKind
from paperclerk.web.shell import Viewer, not_found, page_number, page_require, pager, render

router = APIRouter(include_in_schema=False)
Reader = Annotated[Viewer, Depends(page_require("documents:read"))]
CASE = "/legal/cases/{case_id}"
ENTRY = "/legal/registry/{entry_id}"
DOCUMENT = "/legal/documents/{document_id}"
NO_CASE, NO_ENTRY, NO_DOCUMENT = ("There is no such case.", "There is no such document in the registry.",
                                  "There is no such document.")
PAGE_SIZE = 50


def _manage(back: str) -> Any:
    return Depends(page_require("legal:manage", back=back))


def _ask(back: str) -> Any:
    return Depends(page_require("legal:ask", back=back))


# Cases ---------------------------------------------------------------------------------------------------------

def _cases(request: Request, viewer: Viewer, *, status: str = "", q: str = "", page: str | None = None,
           report: dict[str, Any] | None = None, error: str | None = None, status_code: int = 200) -> HTMLResponse:
    chosen = status if status in {item.value for item in CaseStatus} else ""
    number = page_number(page)
    with session_scope(readonly=True) as session:
        items, total = cases.list_cases(session, viewer.principal.tenant, status=chosen or None, text=q or None,
                                        limit=PAGE_SIZE, offset=(number - 1) * PAGE_SIZE)
        return render(request, "legal/cases.html", {
            "cases": items, "status": chosen, "q": q, "statuses": list(CaseStatus), "report": report, "error": error,
            "pager": pager("/legal/cases", {"status": chosen, "q": q}, number, total, PAGE_SIZE),
            "can_manage": viewer.can("legal:manage"), "nav": "legal_cases"}, viewer=viewer, status_code=status_code)


@router.get("/legal/cases", response_class=HTMLResponse, response_model=None)
def cases_page(request: Request, viewer: Reader, status: Annotated[str, Query(max_length=20)] = "",
               q: Annotated[str, Query(max_length=100)] = "",
               page: Annotated[str | None, Query(max_length=10)] = None) -> Response:
    return _cases(request, viewer, status=status, q=q, page=page)


def _form_values(number: str, form: dict[str, str]) -> CaseValues:
    """A case form's fields (parties one ``Name (role)`` per line, the responsible people one per line)."""
    def dated(name: str) -> date | None:
        try:
            return date.fromisoformat(form[name]) if form.get(name) else None
        except ValueError:
            raise PaperclerkError(f"{name.replace('_', ' ')} is not a date.", code="CASE_DATES_INVALID",
                                  http_status=400) from None

    try:
        parties = cases.parse_parties(";".join(form.get("parties", "").splitlines()))
    except cases.RowError as problem:
        raise PaperclerkError(str(problem), code="CASE_PARTY_INVALID", http_status=400) from None
    status = form.get("status") or None
    return CaseValues(number=number.strip(), title=form.get("title", "").strip() or None, court=form.get("court", ""),
                      jurisdiction=form.get("jurisdiction", ""),
                      status=CaseStatus(status) if status in {item.value for item in CaseStatus} else None,
                      opened_on=dated("opened_on"), closed_on=dated("closed_on"),
                      responsible=[line.strip() for line in form.get("responsible", "").splitlines() if line.strip()],
                      description=form.get("description", ""), parties=parties)


async def _form(request: Request) -> dict[str, str]:
    form = await request.form()
    return {key: str(value)[:5000] for key, value in form.items() if isinstance(value, str)}


@router.post("/legal/cases", response_model=None)
async def create_case_page(request: Request, viewer: Annotated[Viewer, _manage("/legal/cases")]) -> Response:
    form = await _form(request)
    try:
        if not form.get("number", "").strip() or not form.get("title", "").strip():
            raise PaperclerkError("A case needs a number and a title.", code="CASE_FIELDS_REQUIRED", http_status=400)
        with session_scope() as session:
            case = cases.create_case(session, viewer.principal.tenant, _form_values(form["number"][:60], form),
                                     actor=viewer.principal, ip=request_ip(request))
            case_id = case.id
    except PaperclerkError as problem:
        return _cases(request, viewer, error=problem.message, status_code=problem.http_status)
    return RedirectResponse(f"/legal/cases/{quote(case_id, safe='')}", status_code=303)


@router.post("/legal/cases/import", response_model=None)
def import_cases_page(request: Request, viewer: Annotated[Viewer, _manage("/legal/cases")],
                      file: Annotated[UploadFile | None, File()] = None) -> Response:
    try:
        if file is None:
            raise PaperclerkError("Choose a CSV file.", code="NO_FILE", http_status=400)
        text = cases.csv_text(file.file)
        with session_scope() as session:
            outcome = cases.import_csv(session, viewer.principal.tenant, text, actor=viewer.principal,
                                       ip=request_ip(request))
    except PaperclerkError as problem:
        return _cases(request, viewer, error=problem.message, status_code=problem.http_status)
    return _cases(request, viewer, report={
        "created": outcome.created, "updated": outcome.updated,
        "rejected": [(problem["row"], problem["message"]) for problem in outcome.problems]})


def _case(request: Request, viewer: Viewer, case_id: str, *, status_code: int = 200, **extra: Any) -> HTMLResponse:
    tenant = viewer.principal.tenant
    with session_scope(readonly=True) as session:
        try:
            case = cases.get_case(session, tenant, case_id)
        except NotFound:
            return not_found(request, NO_CASE, viewer)
        filed = registry.entries(session, tenant, case.id)
        return render(request, "legal/case.html", {
            "case": case, "folders": registry.tree(filed), "entries": filed,
            "deadlines": calendar.deadlines(session, tenant, case.id), "can_manage": viewer.can("legal:manage"),
            "can_ask": viewer.can("legal:ask"), "llm": ai.llm_configured(), "error": None, "done": None,
            "answer": None, "summary": None, "nav": "legal_cases", **extra}, viewer=viewer, status_code=status_code)


@router.get(CASE, response_class=HTMLResponse, response_model=None)
def case_page(request: Request, viewer: Reader, case_id: str) -> Response:
    done = {"filed": "The document was filed; it is being processed."}.get(request.query_params.get("done", ""))
    return _case(request, viewer, case_id, done=done)


@router.get(CASE + "/edit", response_class=HTMLResponse, response_model=None)
def edit_case_page(request: Request, viewer: Annotated[Viewer, _manage(CASE + "/edit")], case_id: str) -> Response:
    with session_scope(readonly=True) as session:
        try:
            case = cases.get_case(session, viewer.principal.tenant, case_id)
        except NotFound:
            return not_found(request, NO_CASE, viewer)
        return render(request, "legal/case_edit.html", {"case": case, "statuses": list(CaseStatus), "error": None,
                                                        "nav": "legal_cases"}, viewer=viewer)


@router.post(CASE + "/edit", response_model=None)
async def save_case_page(request: Request, viewer: Annotated[Viewer, _manage(CASE + "/edit")],
                         case_id: str) -> Response:
    form = await _form(request)
    try:
        with session_scope() as session:
            case = cases.get_case(session, viewer.principal.tenant, case_id)
            cases.update_case(session, viewer.principal.tenant, case.id,
                              _form_values(form.get("number", "")[:60] or case.number, form), actor=viewer.principal,
                              ip=request_ip(request))
    except NotFound:
        return not_found(request, NO_CASE, viewer)
    except PaperclerkError as problem:
        with session_scope(readonly=True) as session:
            case = cases.get_case(session, viewer.principal.tenant, case_id)
            return render(request, "legal/case_edit.html", {"case": case, "statuses": list(CaseStatus),
                                                            "error": problem.message, "nav": "legal_cases"},
                          viewer=viewer, status_code=problem.http_status)
    return RedirectResponse(f"/legal/cases/{quote(case_id, safe='')}", status_code=303)


@router.post(CASE + "/documents", response_model=None)
def file_upload_page(request: Request, viewer: Annotated[Viewer, _manage(CASE)], case_id: str,
                     file: Annotated[UploadFile | None, File()] = None,
                     folder: Annotated[str, Form(max_length=1000)] = "/",
                     version_of: Annotated[str, Form(max_length=36)] = "",
                     note: Annotated[str, Form(max_length=500)] = "") -> Response:
    tenant, ip = viewer.principal.tenant, request_ip(request)
    try:
        with session_scope(readonly=True) as session:
            case = cases.get_case(session, tenant, case_id)
            registry.normalize_folder(folder)
            if version_of and registry.get_entry(session, tenant, version_of).case_id != case.id:
                raise NotFound(NO_ENTRY, code="REGISTRY_ENTRY_NOT_FOUND")
        if file is None or not file.filename:
            raise PaperclerkError("Choose a file to file.", code="NO_FILE", http_status=400)

        def file_it(session: Session, intake: documents.Intake) -> None:
            registry.file_document(session, tenant, case_id, intake.document, folder=folder,
                                   version_of=version_of or None, note=note or None, actor=viewer.principal, ip=ip)

        receive_uploads([file], source="legal", principal=viewer.principal, ip=ip, then=file_it)
    except PaperclerkError as problem:
        if problem.code == "CASE_NOT_FOUND":
            return not_found(request, NO_CASE, viewer)
        return _case(request, viewer, case_id, error=problem.message, status_code=problem.http_status)
    return RedirectResponse(f"/legal/cases/{quote(case_id, safe='')}?done=filed", status_code=303)


@router.post(CASE + "/summary", response_model=None)
def case_summary_page(request: Request, viewer: Annotated[Viewer, _ask(CASE)], case_id: str) -> Response:
    try:
        with session_scope() as session:
            case = cases.get_case(session, viewer.principal.tenant, case_id)
            summary = (assistant.summarize_case(session, viewer.principal.tenant, case) if ai.llm_configured()
                       else None)
    except NotFound:
        return not_found(request, NO_CASE, viewer)
    except PaperclerkError as problem:
        return _case(request, viewer, case_id, error=problem.message, status_code=problem.http_status)
    return _case(request, viewer, case_id, summary=summary or assistant.NO_MODEL)


@router.post(CASE + "/ask", response_model=None)
def ask_page(request: Request, viewer: Annotated[Viewer, _ask(CASE)], case_id: str,
             question: Annotated[str, Form(max_length=1000)] = "") -> Response:
    try:
        if len(question.strip()) < 3:
            raise PaperclerkError("Ask a question (at least three characters).", code="QUESTION_REQUIRED",
                                  http_status=400)
        with session_scope() as session:
            case = cases.get_case(session, viewer.principal.tenant, case_id)
            answer = assistant.answer(session, viewer.principal.tenant, case, question.strip())
    except NotFound:
        return not_found(request, NO_CASE, viewer)
    except PaperclerkError as problem:
        return _case(request, viewer, case_id, error=problem.message, status_code=problem.http_status)
    return _case(request, viewer, case_id, answer=answer)


# Registry ------------------------------------------------------------------------------------------------------

def _entry(request: Request, viewer: Viewer, entry_id: str, *, status_code: int = 200, **extra: Any) -> HTMLResponse:
    tenant = viewer.principal.tenant
    with session_scope(readonly=True) as session:
        try:
            entry = registry.get_entry(session, tenant, entry_id)
        except NotFound:
            return not_found(request, NO_ENTRY, viewer)
        ids = [version.document_id for version in entry.versions]
        return render(request, "legal/entry.html", {
            "entry": entry, "case": cases.get_case(session, tenant, entry.case_id),
            "files": registry.documents_of(session, ids), "history": registry.history(session, ids),
            "can_manage": viewer.can("legal:manage"), "error": None, "nav": "legal_cases", **extra},
            viewer=viewer, status_code=status_code)


@router.get(ENTRY, response_class=HTMLResponse, response_model=None)
def entry_page(request: Request, viewer: Reader, entry_id: str) -> Response:
    return _entry(request, viewer, entry_id)


@router.post(ENTRY + "/move", response_model=None)
def move_page(request: Request, viewer: Annotated[Viewer, _manage(ENTRY)], entry_id: str,
              folder: Annotated[str, Form(max_length=1000)] = "/",
              title: Annotated[str, Form(max_length=255)] = "") -> Response:
    try:
        with session_scope() as session:
            registry.move_entry(session, viewer.principal.tenant, entry_id, folder=folder, title=title.strip() or None,
                                actor=viewer.principal, ip=request_ip(request))
    except NotFound:
        return not_found(request, NO_ENTRY, viewer)
    except PaperclerkError as problem:
        return _entry(request, viewer, entry_id, error=problem.message, status_code=problem.http_status)
    return RedirectResponse(f"/legal/registry/{quote(entry_id, safe='')}", status_code=303)


@router.get(ENTRY + "/diff", response_class=HTMLResponse, response_model=None)
def diff_page(request: Request, viewer: Reader, entry_id: str,
              from_version: Annotated[int, Query(alias="from", ge=1, le=10_000)] = 1,
              to_version: Annotated[int | None, Query(alias="to", ge=1, le=10_000)] = None) -> Response:
    tenant = viewer.principal.tenant
    with session_scope(readonly=True) as session:
        try:
            entry = registry.get_entry(session, tenant, entry_id)
            old = registry.version_by_number(entry, from_version)
            new = registry.version_by_number(entry, to_version or entry.current_version)
        except NotFound as problem:
            return not_found(request, NO_ENTRY if problem.code == "REGISTRY_ENTRY_NOT_FOUND" else problem.message,
                             viewer)
        changes = registry.diff(registry.paragraphs(session, old.document_id),
                                registry.paragraphs(session, new.document_id))
        return render(request, "legal/diff.html", {
            "entry": entry, "old": old, "new": new, "changes": changes,
            "changed": sum(change.op != "equal" for change in changes), "nav": "legal_cases"}, viewer=viewer)


# A document's analysis -----------------------------------------------------------------------------------------

def _document(request: Request, viewer: Viewer, document_id: str, *, status_code: int = 200,
              **extra: Any) -> HTMLResponse:
    tenant = viewer.principal.tenant
    with session_scope(readonly=True) as session:
        try:
            document = documents.get(session, document_id, organization_id=tenant)
        except NotFound:
            return not_found(request, NO_DOCUMENT, viewer)
        found = findings.stored(session, tenant, document.id)
        marked = [*found.entities, *found.clauses, *found.risks, *found.deadlines] if found else []
        pages = [(page.number, findings.highlighted(page.text, page.number, marked))
                 for page in session.query(Page).filter(Page.document_id == document.id).order_by(Page.number)]
        filed = registry.version_of_document(session, tenant, document.id)
        entry = registry.get_entry(session, tenant, filed.entry_id) if filed else None
        return render(request, "legal/document.html", {
            "doc": document, "found": found, "pages": pages, "filed": filed, "entry": entry,
            "case": cases.get_case(session, tenant, entry.case_id) if entry else None,
            "can_ask": viewer.can("legal:ask"), "llm": ai.llm_configured(), "error": None, "nav": "legal_cases",
            "summary": None, "explained": None, "explanation": None, **extra}, viewer=viewer, status_code=status_code)


@router.get(DOCUMENT, response_class=HTMLResponse, response_model=None)
def document_page(request: Request, viewer: Reader, document_id: str) -> Response:
    return _document(request, viewer, document_id)


@router.post(DOCUMENT + "/summary", response_model=None)
def document_summary_page(request: Request, viewer: Annotated[Viewer, _ask(DOCUMENT)], document_id: str) -> Response:
    try:
        with session_scope() as session:
            document = documents.get(session, document_id, organization_id=viewer.principal.tenant)
            summary = (assistant.summarize_document(session, viewer.principal.tenant, document)
                       if ai.llm_configured() else None)
    except NotFound:
        return not_found(request, NO_DOCUMENT, viewer)
    except PaperclerkError as problem:
        return _document(request, viewer, document_id, error=problem.message, status_code=problem.http_status)
    return _document(request, viewer, document_id, summary=summary or assistant.NO_MODEL)


@router.post(DOCUMENT + "/clauses/{finding_id}/explain", response_model=None)
def explain_page(request: Request, viewer: Annotated[Viewer, _ask(DOCUMENT)], document_id: str,
                 finding_id: str) -> Response:
    try:
        with session_scope() as session:
            clause = findings.finding(session, viewer.principal.tenant, finding_id)
            if clause is None or clause.kind != FindingKind.CLAUSE or clause.document_id != document_id:
                raise NotFound("There is no such clause.", code="CLAUSE_NOT_FOUND")
            explanation = (assistant.explain_clause(session, viewer.principal.tenant, clause)
                           if ai.llm_configured() else None)
    except NotFound:
        return not_found(request, "There is no such clause.", viewer)
    except PaperclerkError as problem:
        return _document(request, viewer, document_id, error=problem.message, status_code=problem.http_status)
    return _document(request, viewer, document_id, explained=finding_id,
                     explanation=explanation or assistant.NO_MODEL)


# Statistics ----------------------------------------------------------------------------------------------------

@router.get("/legal/statistics", response_class=HTMLResponse, response_model=None)
def statistics_page(request: Request, viewer: Reader) -> Response:
    since, until = statistics.default_period()
    with session_scope(readonly=True) as session:
        by_type = statistics.by_type(session, viewer.principal.tenant, since=since, until=until)
        daily = statistics.daily(session, viewer.principal.tenant, since=since, until=until)
    charts = [("Documents analysed, by type", statistics.bars([(item.legal_type, item.documents) for item in by_type]),
               "count"),
              ("Average processing time (ms), by type",
               statistics.bars([(item.legal_type, item.average_ms) for item in by_type], unit=" ms"), "time")]
    return render(request, "legal/statistics.html", {"since": since, "until": until, "by_type": by_type,
                                                     "daily": daily, "charts": charts, "nav": "legal_cases"},
                  viewer=viewer)
