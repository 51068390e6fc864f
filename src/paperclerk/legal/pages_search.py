"""Legal search pages: hybrid passage search with the line's filters and highlighted passages, documents and
clauses similar to one, and saved searches (kept, run in the background, their last results)."""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from typing import Annotated, Any
from urllib.parse import quote

from fastapi import APIRouter, Depends, Form, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from paperclerk.auth.dependencies import request_ip
from paperclerk.core.db import session_scope
from paperclerk.core.errors import NotFound, PaperclerkError
from paperclerk.legal import findings, searches
from paperclerk.legal.analysis.types import LEGAL_TYPES
from paperclerk.legal.models import FindingKind
from paperclerk.search import hybrid
from paperclerk.web.shell import Viewer, not_found, page_require, render

router = APIRouter(include_in_schema=False)
Searcher = Annotated[Viewer, Depends(page_require("search:read"))]
SAVED = "/legal/searches/{search_id}"
#: The search form's filter fields, in the order the page shows them.
FILTER_FIELDS = ("case", "type", "party", "clause")


def _day(value: str) -> datetime | None:
    try:
        return datetime.combine(date.fromisoformat(value), time(), tzinfo=UTC) if value else None
    except ValueError:
        raise PaperclerkError(f"{value!r} is not a date (YYYY-MM-DD).", code="SEARCH_DATE_INVALID",
                              http_status=400) from None


def _filters(values: dict[str, str]) -> list[str]:
    return [f"{name}:{values[name].strip()}" for name in FILTER_FIELDS if values.get(name, "").strip()]


@router.get("/legal/search", response_class=HTMLResponse, response_model=None)
def search_page(request: Request, viewer: Searcher, q: Annotated[str, Query(max_length=500)] = "",
                case: Annotated[str, Query(max_length=60)] = "", type: Annotated[str, Query(max_length=40)] = "",
                party: Annotated[str, Query(max_length=200)] = "", clause: Annotated[str, Query(max_length=100)] = "",
                after: Annotated[str, Query(max_length=10)] = "", before: Annotated[str, Query(max_length=10)] = ""
                ) -> Response:
    form = {"q": q, "case": case, "type": type, "party": party, "clause": clause, "after": after, "before": before}
    hits: list[hybrid.PassageHit] = []
    error, status_code = None, 200
    with session_scope(readonly=True) as session:
        if q.strip():
            try:
                hits = searches.search(session, viewer.principal.tenant, q, _filters(form), after=_day(after),
                                       before=_day(before))
            except PaperclerkError as problem:
                error, status_code = problem.message, problem.http_status if problem.http_status < 500 else 200
        saved = searches.saved(session, viewer.principal.tenant)
        return render(request, "legal/search.html", {
            "form": form, "hits": hits, "error": error, "searched": bool(q.strip()), "types": list(LEGAL_TYPES),
            "saved": saved, "can_save": viewer.can("legal:manage"), "nav": "legal_search"}, viewer=viewer,
            status_code=status_code)


@router.get("/legal/documents/{document_id}/similar", response_class=HTMLResponse, response_model=None)
def similar_documents_page(request: Request, viewer: Searcher, document_id: str) -> Response:
    with session_scope(readonly=True) as session:
        try:
            similar = hybrid.similar_documents(session, document_id, organization_id=viewer.principal.tenant)
            error = None
        except NotFound:
            return not_found(request, "There is no such document.", viewer)
        except PaperclerkError as problem:
            similar, error = [], problem.message
        return render(request, "legal/similar.html", {
            "title": "Similar documents", "document_id": document_id, "documents": similar, "hits": [], "clause": None,
            "error": error, "nav": "legal_search"}, viewer=viewer)


@router.get("/legal/clauses/{finding_id}/similar", response_class=HTMLResponse, response_model=None)
def similar_clauses_page(request: Request, viewer: Searcher, finding_id: str) -> Response:
    with session_scope(readonly=True) as session:
        clause = findings.finding(session, viewer.principal.tenant, finding_id)
        if clause is None or clause.kind != FindingKind.CLAUSE:
            return not_found(request, "There is no such clause.", viewer)
        try:
            hits, error = searches.similar_clauses(session, viewer.principal.tenant, clause), None
        except PaperclerkError as problem:
            hits, error = [], problem.message
        return render(request, "legal/similar.html", {
            "title": f"Clauses like this {clause.label} clause", "document_id": clause.document_id, "clause": clause,
            "documents": [], "hits": hits, "error": error, "nav": "legal_search"}, viewer=viewer)


@router.post("/legal/searches", response_model=None)
def save_search_page(request: Request, viewer: Annotated[Viewer, Depends(page_require("legal:manage",
                                                                                     back="/legal/search"))],
                     name: Annotated[str, Form(max_length=200)] = "", q: Annotated[str, Form(max_length=500)] = "",
                     case: Annotated[str, Form(max_length=60)] = "", type: Annotated[str, Form(max_length=40)] = "",
                     party: Annotated[str, Form(max_length=200)] = "",
                     clause: Annotated[str, Form(max_length=100)] = "") -> Response:
    form: dict[str, Any] = {"case": case, "type": type, "party": party, "clause": clause}
    try:
        if not name.strip() or not q.strip():
            raise PaperclerkError("Give the search a name and a query.", code="SAVED_SEARCH_INVALID",
                                  http_status=400)
        with session_scope() as session:
            item = searches.save_search(session, viewer.principal.tenant, name=name.strip(), query=q,
                                        filters=_filters(form), actor=viewer.principal, ip=request_ip(request))
            search_id = item.id
    except PaperclerkError as problem:
        with session_scope(readonly=True) as session:
            return render(request, "legal/search.html", {
                "form": {**form, "q": q, "after": "", "before": ""}, "hits": [], "error": problem.message,
                "searched": False, "types": list(LEGAL_TYPES),
                "saved": searches.saved(session, viewer.principal.tenant), "can_save": True, "nav": "legal_search"},
                viewer=viewer, status_code=problem.http_status)
    return RedirectResponse(f"/legal/searches/{quote(search_id, safe='')}", status_code=303)


@router.get(SAVED, response_class=HTMLResponse, response_model=None)
def saved_search_page(request: Request, viewer: Searcher, search_id: str) -> Response:
    with session_scope(readonly=True) as session:
        try:
            item = searches.get_saved(session, viewer.principal.tenant, search_id)
        except NotFound:
            return not_found(request, "There is no such saved search.", viewer)
        return render(request, "legal/saved_search.html", {
            "item": item, "can_run": viewer.can("legal:manage"), "nav": "legal_search"}, viewer=viewer)


@router.post(SAVED + "/run", response_model=None)
def run_saved_page(request: Request, viewer: Annotated[Viewer, Depends(page_require("legal:manage", back=SAVED))],
                   search_id: str) -> Response:
    try:
        with session_scope() as session:
            searches.run_later(session, searches.get_saved(session, viewer.principal.tenant, search_id))
    except NotFound:
        return not_found(request, "There is no such saved search.", viewer)
    return RedirectResponse(f"/legal/searches/{quote(search_id, safe='')}", status_code=303)
