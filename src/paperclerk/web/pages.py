"""The core's pages: the inbox (upload, document list with live status), a document (retry, delete), the deleted
documents (restore), search, the audit trail.

The shell (``web.shell``) provides what every page shares: permissions declared with ``page_require``,
rendering, the 403 and 404 pages, paging. Every query is scoped to ``viewer.principal.tenant``; another
organisation's document is "not found", exactly like one that does not exist.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from typing import Annotated, Any
from urllib.parse import quote

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy.orm import Session

from paperclerk import plugins
from paperclerk.ai.errors import BudgetExceeded, ModelUnavailable
from paperclerk.auth.dependencies import request_ip
from paperclerk.config import get_settings
from paperclerk.core import audit
from paperclerk.core.db import read_session, session_scope
from paperclerk.core.errors import Conflict, InvalidRequest, NotFound, PaperclerkError
from paperclerk.core.lines import load_attribute
from paperclerk.documents import deletion, service
from paperclerk.documents.filters import DocumentFilter
from paperclerk.documents.models import FINAL_STATUSES, Document, DocumentStatus
from paperclerk.documents.schemas import DocumentSummary, detail_of
from paperclerk.pipeline import classify
from paperclerk.search import hybrid, index
from paperclerk.web.shell import Viewer, not_found, page_number, page_require, pager, render

INBOX_PAGE_SIZE = 25
SEARCH_PAGE_SIZE = 20
AUDIT_PAGE_SIZE = 50
AUDIT_CHOICES = 200  # at most this many known actors / actions offered as suggestions in the filter form

router = APIRouter(include_in_schema=False)


# -- query-string helpers: pages are lenient where the API is strict (bad values fall back) ----------


def _status(value: str | None) -> str | None:
    return value if value in {status.value for status in DocumentStatus} else None


def _kind(value: str | None) -> str | None:
    value = (value or "").strip()
    return value[:40] or None


def _text(value: str | None, limit: int) -> str | None:
    value = (value or "").strip()
    return value[:limit] or None


def _day(value: str | None) -> date | None:
    try:
        return date.fromisoformat((value or "").strip()[:10])
    except ValueError:
        return None


def _midnight(day: date | None) -> datetime | None:
    return datetime.combine(day, time.min, tzinfo=UTC) if day is not None else None


def _kinds(selected: str | None) -> list[str]:
    known = set(classify.kinds())
    if selected:
        known.add(selected)
    return sorted(known)


@router.get("/", response_class=HTMLResponse, response_model=None)
def index_page(request: Request, viewer: Annotated[Viewer, Depends(page_require("documents:read"))],
               session: Annotated[Session, Depends(read_session)],
               status: str | None = None, kind: str | None = None, page: str | None = None) -> Response:
    filters = DocumentFilter(organization_id=viewer.principal.tenant, status=_status(status), kind=_kind(kind))
    number = page_number(page)
    items, total = service.list_documents(session, filters=filters, limit=INBOX_PAGE_SIZE,
                                          offset=(number - 1) * INBOX_PAGE_SIZE)
    params = {"status": filters.status, "kind": filters.kind}
    return render(request, "index.html", {
        "documents": [DocumentSummary.of(item) for item in items],
        "filters": filters, "kinds": _kinds(filters.kind),
        "pager": pager("/", params, number, total, INBOX_PAGE_SIZE), "page_size": INBOX_PAGE_SIZE,
        "max_upload_mb": get_settings().max_upload_mb, "can_upload": viewer.can("documents:upload"),
        "can_delete": viewer.can("documents:delete"), "notice": request.query_params.get("notice"),
    }, viewer=viewer)


NO_DOCUMENT = "There is no document with this id. It may have been deleted, or the link may be incomplete."


DELETED_PAGE_SIZE = 25


@router.get("/documents/deleted", response_class=HTMLResponse, response_model=None)
def deleted_page(request: Request, viewer: Annotated[Viewer, Depends(page_require("documents:delete"))],
                 session: Annotated[Session, Depends(read_session)], page: str | None = None) -> Response:
    """The organisation's deleted documents, each with who deleted it, when and why, and a way to restore it."""
    number = page_number(page)
    items, total = deletion.list_deleted(session, organization_id=viewer.principal.tenant, limit=DELETED_PAGE_SIZE,
                                         offset=(number - 1) * DELETED_PAGE_SIZE)
    return render(request, "deleted.html", {
        "documents": items, "pager": pager("/documents/deleted", {}, number, total, DELETED_PAGE_SIZE),
        "notice": request.query_params.get("notice"), "nav": "inbox",
    }, viewer=viewer)


@router.get("/documents/{document_id}", response_class=HTMLResponse, response_model=None)
def document_page(request: Request, viewer: Annotated[Viewer, Depends(page_require("documents:read"))],
                  document_id: str,
                  session: Annotated[Session, Depends(read_session)]) -> Response:
    try:
        document = service.get(session, document_id, organization_id=viewer.principal.tenant, with_pages=True)
    except NotFound:
        return not_found(request, NO_DOCUMENT, viewer)
    return _document(request, viewer, session, document)


def _document(request: Request, viewer: Viewer, session: Session, document: Document, *,
              delete_error: str | None = None, status_code: int = 200) -> Response:
    tenant = viewer.principal.tenant
    parent = None
    if document.parent_id:
        try:
            parent = DocumentSummary.of(service.get(session, document.parent_id, organization_id=tenant))
        except NotFound:
            parent = None
    detail = detail_of(document, service.attachments(session, document))
    links = [link for line in plugins.lines() if line.document_links
             for link in load_attribute(line.document_links)(session, document)]
    return render(request, "document.html", {
        "doc": detail, "parent": parent, "is_final": detail.status in FINAL_STATUSES, "line_links": links,
        "notice": request.query_params.get("notice"), "can_retry": viewer.can("documents:retry"),
        "can_delete": viewer.can("documents:delete"), "delete_error": delete_error,
    }, viewer=viewer, status_code=status_code)


@router.post("/documents/{document_id}/retry", response_model=None)
def retry_page(request: Request,
               viewer: Annotated[Viewer, Depends(page_require("documents:retry", back="/documents/{document_id}"))],
               document_id: str) -> Response:
    """Retry without JavaScript (a plain form post); the script calls the API instead."""
    try:
        with session_scope() as session:
            service.retry(session, document_id, organization_id=viewer.principal.tenant, actor=viewer.principal,
                          ip=request_ip(request))
    except NotFound:
        return not_found(request, NO_DOCUMENT, viewer)
    except Conflict:
        return RedirectResponse(f"/documents/{quote(document_id, safe='')}?notice=not-failed", status_code=303)
    return RedirectResponse(f"/documents/{quote(document_id, safe='')}", status_code=303)


@router.post("/documents/{document_id}/delete", response_model=None)
def delete_page(request: Request,
                viewer: Annotated[Viewer, Depends(page_require("documents:delete", back="/documents/{document_id}"))],
                document_id: str, reason: Annotated[str, Form(max_length=2000)] = "") -> Response:
    """The document page's confirmed delete (with the reason typed there); back to the inbox, which says so."""
    try:
        with session_scope() as session:
            deletion.delete(session, document_id, organization_id=viewer.principal.tenant, actor=viewer.principal,
                            reason=reason, ip=request_ip(request))
    except NotFound:
        return not_found(request, NO_DOCUMENT, viewer)
    except PaperclerkError as refusal:  # no reason, still processing, or a product line refuses
        with session_scope(readonly=True) as session:
            document = service.get(session, document_id, organization_id=viewer.principal.tenant, with_pages=True)
            return _document(request, viewer, session, document, delete_error=refusal.message,
                             status_code=refusal.http_status)
    return RedirectResponse("/?notice=deleted", status_code=303)


@router.post("/documents/{document_id}/restore", response_model=None)
def restore_page(request: Request,
                 viewer: Annotated[Viewer, Depends(page_require("documents:delete", back="/documents/deleted"))],
                 document_id: str) -> Response:
    try:
        with session_scope() as session:
            deletion.restore(session, document_id, organization_id=viewer.principal.tenant, actor=viewer.principal,
                             ip=request_ip(request))
    except NotFound:
        return not_found(request, "There is no deleted document with this id.", viewer)
    except Conflict:
        return RedirectResponse("/documents/deleted?notice=uploaded-again", status_code=303)
    return RedirectResponse(f"/documents/{quote(document_id, safe='')}?notice=restored", status_code=303)


PASSAGES_ON_SEARCH_PAGE = 5


@router.get("/search", response_class=HTMLResponse, response_model=None)
def search_page(request: Request, viewer: Annotated[Viewer, Depends(page_require("search:read"))],
                session: Annotated[Session, Depends(read_session)], q: str | None = None,
                status: str | None = None, kind: str | None = None, page: str | None = None) -> Response:
    filters = DocumentFilter(organization_id=viewer.principal.tenant, status=_status(status), kind=_kind(kind))
    number = page_number(page)
    context: dict[str, Any] = {"q": q or "", "filters": filters, "kinds": _kinds(filters.kind),
                               "hits": [], "passages": [], "error": None, "pager": None, "searched": q is not None}
    if q is not None:
        try:
            hits, total = index.search(session, q, filters=filters, limit=SEARCH_PAGE_SIZE,
                                       offset=(number - 1) * SEARCH_PAGE_SIZE)
        except InvalidRequest as problem:
            context["error"] = problem.message
        else:
            params = {"q": q, "status": filters.status, "kind": filters.kind}
            context.update(hits=hits, pager=pager("/search", params, number, total, SEARCH_PAGE_SIZE),
                           passages=_best_passages(session, q, filters) if number == 1 else [])
    return render(request, "search.html", context, viewer=viewer)


def _best_passages(session: Session, q: str, filters: DocumentFilter) -> list[hybrid.PassageHit]:
    """The paragraphs that answer the query best; by words alone when the embedding model cannot be asked."""
    try:
        return hybrid.search(session, q, filters=filters, limit=PASSAGES_ON_SEARCH_PAGE)
    except (ModelUnavailable, BudgetExceeded):
        return hybrid.search(session, q, filters=filters, mode=hybrid.Mode.FULLTEXT, limit=PASSAGES_ON_SEARCH_PAGE)


@router.get("/audit", response_class=HTMLResponse, response_model=None)
def audit_page(request: Request, viewer: Annotated[Viewer, Depends(page_require("audit:read"))],
               session: Annotated[Session, Depends(read_session)], actor: str | None = None,
               action: str | None = None, subject: str | None = None, since: str | None = None,
               until: str | None = None, page: str | None = None) -> Response:
    """The organisation's audit trail, newest first; the date range is whole days (UTC), both inclusive."""
    tenant = viewer.principal.tenant
    first, last = _day(since), _day(until)
    filters = audit.AuditFilter(actor=_text(actor, 254), action=_text(action, 80), subject=_text(subject, 80),
                                since=_midnight(first), until=_midnight(last + timedelta(days=1)) if last else None)
    number = page_number(page)
    entries, total = audit.list_audit(session, tenant, filters, limit=AUDIT_PAGE_SIZE,
                                      offset=(number - 1) * AUDIT_PAGE_SIZE)
    params = {"actor": filters.actor, "action": filters.action, "subject": filters.subject,
              "since": first.isoformat() if first else None, "until": last.isoformat() if last else None}
    return render(request, "audit.html", {
        "entries": entries, "params": params, "filtered": any(params.values()),
        "pager": pager("/audit", params, number, total, AUDIT_PAGE_SIZE),
        "actors": audit.known_actors(session, tenant, limit=AUDIT_CHOICES),
        "actions": audit.known_actions(session, tenant, limit=AUDIT_CHOICES),
    }, viewer=viewer)
