"""Routes of the web pages (HTML); their data comes from the same services as the API.

Server-rendered Jinja2 with autoescaping always on; the one script (``static/app.js``) adds
uploads and live status updates on top of pages that already work without it. No inline script
or style anywhere, so a ``default-src 'self'`` Content-Security-Policy holds.
"""

from __future__ import annotations

import math
import re
from datetime import datetime
from pathlib import Path
from typing import Annotated, Any
from urllib.parse import urlencode

import jinja2
from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates
from sqlalchemy.orm import Session

from paperclerk import __version__
from paperclerk.config import get_settings
from paperclerk.core.db import read_session, session_scope
from paperclerk.core.errors import Conflict, InvalidRequest, NotFound
from paperclerk.documents import service
from paperclerk.documents.filters import DocumentFilter
from paperclerk.documents.models import FINAL_STATUSES, DocumentStatus
from paperclerk.documents.schemas import DocumentSummary, detail_of
from paperclerk.pipeline import classify
from paperclerk.search import index

HERE = Path(__file__).resolve().parent
INBOX_PAGE_SIZE = 25
SEARCH_PAGE_SIZE = 20
MAX_PAGE = 10_000
STATUS_LABELS: dict[str, str] = {
    DocumentStatus.QUEUED: "Queued",
    DocumentStatus.PROCESSING: "Processing",
    DocumentStatus.PROCESSED: "Processed",
    DocumentStatus.NEEDS_REVIEW: "Needs review",
    DocumentStatus.FAILED: "Failed",
}

router = APIRouter(include_in_schema=False)


def _filesize(size: int | None) -> str:
    if size is None:
        return "—"
    value = float(size)
    for unit in ("bytes", "KB", "MB", "GB"):
        if value < 1024 or unit == "GB":
            return f"{int(value)} {unit}" if unit == "bytes" else f"{value:.1f} {unit}"
        value /= 1024
    return f"{size} bytes"  # pragma: no cover


def _when(moment: datetime | None) -> str:
    return moment.strftime("%Y-%m-%d %H:%M UTC") if moment else "—"


def _clock(moment: datetime | None) -> str:
    return moment.strftime("%Y-%m-%d %H:%M:%S") if moment else "—"


def _iso(moment: datetime | None) -> str:
    return moment.isoformat() if moment else ""


def _ms(value: float | None) -> str:
    if value is None:
        return "—"
    return f"{value:,.0f} ms" if value >= 10 else f"{value:.1f} ms"


_PDF_DATE = re.compile(r"^D:(\d{4})(\d{2})(\d{2})(?:(\d{2})(\d{2})(\d{2})?)?")


def _meta(value: Any) -> str:
    """A file-metadata value for people: PDF dates (``D:20240314093000Z``) become ISO-like dates."""
    if isinstance(value, dict):
        return "; ".join(f"{key}: {_meta(item)}" for key, item in value.items())
    if isinstance(value, list | tuple):
        return ", ".join(_meta(item) for item in value)
    text = "" if value is None else str(value)
    match = _PDF_DATE.match(text)
    if match:
        year, month, day, hour, minute, second = match.groups()
        date = f"{year}-{month}-{day}"
        return f"{date} {hour}:{minute}:{second or '00'}" if hour else date
    return text


def _label(value: str | None) -> str:
    if not value:
        return "—"
    return STATUS_LABELS.get(value, value.replace("_", " ").capitalize())


def _environment() -> jinja2.Environment:
    env = jinja2.Environment(loader=jinja2.FileSystemLoader(HERE / "templates"), autoescape=True,
                             undefined=jinja2.StrictUndefined, trim_blocks=True, lstrip_blocks=True)
    env.filters.update(filesize=_filesize, when=_when, clock=_clock, meta=_meta, iso=_iso, ms=_ms, label=_label)
    env.globals.update(version=__version__, statuses=[(status.value, label) for status, label in STATUS_LABELS.items()],
                       final_statuses=sorted(FINAL_STATUSES))
    return env


templates = Jinja2Templates(env=_environment())


def static_files() -> StaticFiles:
    return StaticFiles(directory=HERE / "static")


# -- query-string helpers: pages are lenient where the API is strict (bad values fall back) ----------


def _status(value: str | None) -> str | None:
    return value if value in {status.value for status in DocumentStatus} else None


def _kind(value: str | None) -> str | None:
    value = (value or "").strip()
    return value[:40] or None


def _page(value: str | None) -> int:
    try:
        return min(max(int(value or 1), 1), MAX_PAGE)
    except ValueError:
        return 1


def _kinds(selected: str | None) -> list[str]:
    known = set(classify.kinds())
    if selected:
        known.add(selected)
    return sorted(known)


def _pager(path: str, params: dict[str, Any], page: int, total: int, size: int) -> dict[str, Any]:
    pages = max(1, math.ceil(total / size))

    def link(number: int) -> str:
        query = urlencode({key: value for key, value in {**params, "page": number}.items()
                           if value not in (None, "") and not (key == "page" and value == 1)})
        return f"{path}?{query}" if query else path

    return {"page": page, "pages": pages, "total": total,
            "first": (page - 1) * size + 1 if total else 0, "last": min(page * size, total),
            "previous": link(page - 1) if page > 1 else None,
            "next": link(page + 1) if page < pages else None}


def not_found(request: Request, message: str) -> HTMLResponse:
    return templates.TemplateResponse(request, "404.html", {"message": message}, status_code=404)


# -- pages -------------------------------------------------------------------------------------------


@router.get("/", response_class=HTMLResponse)
def index_page(request: Request, session: Annotated[Session, Depends(read_session)],
               status: str | None = None, kind: str | None = None, page: str | None = None) -> HTMLResponse:
    filters = DocumentFilter(status=_status(status), kind=_kind(kind))
    number = _page(page)
    items, total = service.list_documents(session, filters=filters, limit=INBOX_PAGE_SIZE,
                                          offset=(number - 1) * INBOX_PAGE_SIZE)
    params = {"status": filters.status, "kind": filters.kind}
    return templates.TemplateResponse(request, "index.html", {
        "documents": [DocumentSummary.of(item) for item in items],
        "filters": filters, "kinds": _kinds(filters.kind),
        "pager": _pager("/", params, number, total, INBOX_PAGE_SIZE), "page_size": INBOX_PAGE_SIZE,
        "max_upload_mb": get_settings().max_upload_mb,
    })


@router.get("/documents/{document_id}", response_class=HTMLResponse)
def document_page(request: Request, document_id: str,
                  session: Annotated[Session, Depends(read_session)]) -> HTMLResponse:
    try:
        document = service.get(session, document_id, with_pages=True)
    except NotFound:
        return not_found(request, "There is no document with this id. It may have been deleted, "
                                   "or the link may be incomplete.")
    parent = None
    if document.parent_id:
        try:
            parent = DocumentSummary.of(service.get(session, document.parent_id))
        except NotFound:
            parent = None
    detail = detail_of(document, service.children(session, document.id))
    return templates.TemplateResponse(request, "document.html", {
        "doc": detail, "parent": parent, "is_final": detail.status in FINAL_STATUSES,
        "notice": request.query_params.get("notice"),
    })


@router.post("/documents/{document_id}/retry", response_model=None)
def retry_page(request: Request, document_id: str) -> Response:
    """Retry without JavaScript (a plain form post); the script calls the API instead."""
    try:
        with session_scope() as session:
            service.retry(session, document_id)
    except NotFound:
        return not_found(request, "There is no document with this id.")
    except Conflict:
        return RedirectResponse(f"/documents/{document_id}?notice=not-failed", status_code=303)
    return RedirectResponse(f"/documents/{document_id}", status_code=303)


@router.get("/search", response_class=HTMLResponse)
def search_page(request: Request, session: Annotated[Session, Depends(read_session)], q: str | None = None,
                status: str | None = None, kind: str | None = None, page: str | None = None) -> HTMLResponse:
    filters = DocumentFilter(status=_status(status), kind=_kind(kind))
    number = _page(page)
    context: dict[str, Any] = {"q": q or "", "filters": filters, "kinds": _kinds(filters.kind),
                               "hits": [], "error": None, "pager": None, "searched": q is not None}
    if q is not None:
        try:
            hits, total = index.search(session, q, filters=filters, limit=SEARCH_PAGE_SIZE,
                                       offset=(number - 1) * SEARCH_PAGE_SIZE)
        except InvalidRequest as problem:
            context["error"] = problem.message
        else:
            params = {"q": q, "status": filters.status, "kind": filters.kind}
            context.update(hits=hits, pager=_pager("/search", params, number, total, SEARCH_PAGE_SIZE))
    return templates.TemplateResponse(request, "search.html", context)
