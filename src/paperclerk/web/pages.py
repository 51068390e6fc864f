"""Routes of the web pages (HTML); their data comes from the same services as the API.

Server-rendered Jinja2 with autoescaping always on; the one script (``static/app.js``) adds
uploads and live status updates on top of pages that already work without it. No inline script
or style anywhere, so a ``default-src 'self'`` Content-Security-Policy holds.

Every page needs a caller (the session cookie of the login page, or a token / API key) whose role
grants the page's permission: an anonymous visitor is sent to ``/login?next=<this page>``, a
caller without the permission gets the 403 page. Every query is scoped to ``principal.tenant``;
another organisation's document is "not found", exactly like one that does not exist. Pages carry
the CSRF token in ``<meta name="csrf-token">`` (for the script's ``X-CSRF-Token`` header) and as
the first field of every form that posts.
"""

from __future__ import annotations

import json
import math
import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from typing import Annotated, Any
from urllib.parse import quote, urlencode

import jinja2
from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates
from sqlalchemy import select
from sqlalchemy.orm import Session

from paperclerk import __version__
from paperclerk.auth import service as accounts
from paperclerk.auth.dependencies import authenticate_request, request_ip
from paperclerk.auth.errors import Unauthorized
from paperclerk.auth.models import AuditEntry
from paperclerk.auth.principal import Principal
from paperclerk.auth.web import csrf_token_for
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
AUDIT_PAGE_SIZE = 50
AUDIT_CHOICES = 200  # at most this many known actors / actions offered as suggestions in the filter form
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


def _compact(value: Any) -> str:
    """An audit entry's before/after state as compact one-line JSON (``∅`` when there is none)."""
    if value is None:
        return "∅"
    return json.dumps(value, sort_keys=True, ensure_ascii=False, separators=(",", ":"), default=str)


def _label(value: str | None) -> str:
    if not value:
        return "—"
    return STATUS_LABELS.get(value, value.replace("_", " ").capitalize())


def _environment() -> jinja2.Environment:
    env = jinja2.Environment(loader=jinja2.FileSystemLoader(HERE / "templates"), autoescape=True,
                             undefined=jinja2.StrictUndefined, trim_blocks=True, lstrip_blocks=True)
    env.filters.update(filesize=_filesize, when=_when, clock=_clock, meta=_meta, iso=_iso, ms=_ms, label=_label,
                       compact=_compact)
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


def page_number(value: str | None) -> int:
    try:
        return min(max(int(value or 1), 1), MAX_PAGE)
    except ValueError:
        return 1


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


def pager(path: str, params: dict[str, Any], page: int, total: int, size: int) -> dict[str, Any]:
    pages = max(1, math.ceil(total / size))

    def link(number: int) -> str:
        query = urlencode({key: value for key, value in {**params, "page": number}.items()
                           if value not in (None, "") and not (key == "page" and value == 1)})
        return f"{path}?{query}" if query else path

    return {"page": page, "pages": pages, "total": total,
            "first": (page - 1) * size + 1 if total else 0, "last": min(page * size, total),
            "previous": link(page - 1) if page > 1 else None,
            "next": link(page + 1) if page < pages else None}


# -- who is looking: authentication, permission, and what the top bar shows -----------------------------


@dataclass(frozen=True)
class Viewer:
    """The logged-in caller as the templates see it (the top bar, which controls to show)."""

    principal: Principal
    organization: str

    @property
    def label(self) -> str:
        return self.principal.label

    @property
    def role(self) -> str:
        return self.principal.role

    def can(self, permission: str) -> bool:
        return self.principal.can(permission)


PERMISSION_WORDS = {"documents:read": "view documents", "search:read": "search documents",
                    "documents:retry": "retry documents", "documents:upload": "upload documents",
                    "audit:read": "view the audit trail", "documents:export": "export invoices",
                    "settings:manage": "change the master data"}


def _caller(request: Request) -> Principal | None:
    """The caller, or ``None``: no credentials, or ones that no longer work (expired or logged out)."""
    try:
        return authenticate_request(request)
    except Unauthorized:
        return None


def _viewer(principal: Principal) -> Viewer:
    name = ""
    if principal.organization_id is not None:
        with session_scope(readonly=True) as session:
            try:
                name = accounts.get_organization(session, principal.organization_id).name
            except NotFound:
                name = ""
    return Viewer(principal, name)


def _login_redirect(request: Request, target: str | None = None) -> RedirectResponse:
    if target is None:
        target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    return RedirectResponse(f"/login?next={quote(target, safe='/')}", status_code=303)


def render(request: Request, template: str, context: dict[str, Any], *, viewer: Viewer | None,
           status_code: int = 200) -> HTMLResponse:
    """A page with what every page needs: the caller for the top bar and the CSRF token."""
    values = {"me": viewer, "csrf_token": csrf_token_for(request) if viewer is not None else "", **context}
    return templates.TemplateResponse(request, template, values, status_code=status_code)


def forbidden(request: Request, viewer: Viewer, permission: str) -> HTMLResponse:
    action = PERMISSION_WORDS.get(permission, permission)
    return render(request, "403.html", {"permission": permission, "action": action}, viewer=viewer,
                  status_code=403)


def gate(request: Request, permission: str, *, login_target: str | None = None) -> Viewer | Response:
    """The viewer when they may use ``permission``; otherwise the response to send instead."""
    principal = _caller(request)
    if principal is None:
        return _login_redirect(request, login_target)
    viewer = _viewer(principal)
    if principal.organization_id is None or not principal.can(permission):
        return forbidden(request, viewer, permission)
    return viewer


def not_found(request: Request, message: str, viewer: Viewer | None = None) -> HTMLResponse:
    """The 404 page (also the app's answer to any unknown address a browser asks for)."""
    if viewer is None and (principal := _caller(request)) is not None:
        viewer = _viewer(principal)
    return render(request, "404.html", {"message": message}, viewer=viewer, status_code=404)


# -- pages -------------------------------------------------------------------------------------------


@router.get("/", response_class=HTMLResponse, response_model=None)
def index_page(request: Request, session: Annotated[Session, Depends(read_session)],
               status: str | None = None, kind: str | None = None, page: str | None = None) -> Response:
    viewer = gate(request, "documents:read")
    if isinstance(viewer, Response):
        return viewer
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
    }, viewer=viewer)


NO_DOCUMENT = "There is no document with this id. It may have been deleted, or the link may be incomplete."


@router.get("/documents/{document_id}", response_class=HTMLResponse, response_model=None)
def document_page(request: Request, document_id: str,
                  session: Annotated[Session, Depends(read_session)]) -> Response:
    viewer = gate(request, "documents:read")
    if isinstance(viewer, Response):
        return viewer
    tenant = viewer.principal.tenant
    try:
        document = service.get(session, document_id, organization_id=tenant, with_pages=True)
    except NotFound:
        return not_found(request, NO_DOCUMENT, viewer)
    parent = None
    if document.parent_id:
        try:
            parent = DocumentSummary.of(service.get(session, document.parent_id, organization_id=tenant))
        except NotFound:
            parent = None
    detail = detail_of(document, service.children(session, document))
    return render(request, "document.html", {
        "doc": detail, "parent": parent, "is_final": detail.status in FINAL_STATUSES,
        "notice": request.query_params.get("notice"), "can_retry": viewer.can("documents:retry"),
    }, viewer=viewer)


@router.post("/documents/{document_id}/retry", response_model=None)
def retry_page(request: Request, document_id: str) -> Response:
    """Retry without JavaScript (a plain form post); the script calls the API instead."""
    viewer = gate(request, "documents:retry", login_target=f"/documents/{quote(document_id, safe='')}")
    if isinstance(viewer, Response):
        return viewer
    try:
        with session_scope() as session:
            service.retry(session, document_id, organization_id=viewer.principal.tenant, actor=viewer.principal,
                          ip=request_ip(request))
    except NotFound:
        return not_found(request, NO_DOCUMENT, viewer)
    except Conflict:
        return RedirectResponse(f"/documents/{quote(document_id, safe='')}?notice=not-failed", status_code=303)
    return RedirectResponse(f"/documents/{quote(document_id, safe='')}", status_code=303)


@router.get("/search", response_class=HTMLResponse, response_model=None)
def search_page(request: Request, session: Annotated[Session, Depends(read_session)], q: str | None = None,
                status: str | None = None, kind: str | None = None, page: str | None = None) -> Response:
    viewer = gate(request, "search:read")
    if isinstance(viewer, Response):
        return viewer
    filters = DocumentFilter(organization_id=viewer.principal.tenant, status=_status(status), kind=_kind(kind))
    number = page_number(page)
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
            context.update(hits=hits, pager=pager("/search", params, number, total, SEARCH_PAGE_SIZE))
    return render(request, "search.html", context, viewer=viewer)


@router.get("/audit", response_class=HTMLResponse, response_model=None)
def audit_page(request: Request, session: Annotated[Session, Depends(read_session)], actor: str | None = None,
               action: str | None = None, subject: str | None = None, since: str | None = None,
               until: str | None = None, page: str | None = None) -> Response:
    """The organisation's audit trail, newest first; the date range is whole days (UTC), both inclusive."""
    viewer = gate(request, "audit:read")
    if isinstance(viewer, Response):
        return viewer
    tenant = viewer.principal.tenant
    first, last = _day(since), _day(until)
    filters = accounts.AuditFilter(actor=_text(actor, 254), action=_text(action, 80), subject=_text(subject, 80),
                                   since=_midnight(first), until=_midnight(last + timedelta(days=1)) if last else None)
    number = page_number(page)
    entries, total = accounts.list_audit(session, tenant, filters, limit=AUDIT_PAGE_SIZE,
                                         offset=(number - 1) * AUDIT_PAGE_SIZE)
    params = {"actor": filters.actor, "action": filters.action, "subject": filters.subject,
              "since": first.isoformat() if first else None, "until": last.isoformat() if last else None}
    in_tenant = AuditEntry.organization_id == tenant
    return render(request, "audit.html", {
        "entries": entries, "params": params, "filtered": any(params.values()),
        "pager": pager("/audit", params, number, total, AUDIT_PAGE_SIZE),
        "actors": session.scalars(select(AuditEntry.actor_label).where(in_tenant).distinct()
                                  .order_by(AuditEntry.actor_label).limit(AUDIT_CHOICES)).all(),
        "actions": session.scalars(select(AuditEntry.action).where(in_tenant).distinct()
                                   .order_by(AuditEntry.action).limit(AUDIT_CHOICES)).all(),
    }, viewer=viewer)
