"""Pages of the judgment assistant: the requests and a form for a new one (the case file uploaded with it), a
request's page (progress while the draft is written; then the draft with each section's evidence beside it, the
source passages as printed in the file), and review (edit a section, accept or override the outcome, versions,
exports)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated
from urllib.parse import quote

from fastapi import APIRouter, Depends, File, Form, Query, Request, UploadFile
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy.orm import Session

from paperclerk.auth.dependencies import request_ip
from paperclerk.config import get_settings
from paperclerk.core.db import session_scope
from paperclerk.core.errors import NotFound, PaperclerkError
from paperclerk.judgments import service
from paperclerk.judgments.draft import JURISDICTIONS, LABELS, jurisdiction_of
from paperclerk.web.shell import Viewer, not_found, page_number, page_require, pager, render

router = APIRouter(include_in_schema=False)
BACK = "/judgments/{request_id}"
Reader = Annotated[Viewer, Depends(page_require("judgments:read"))]
NO_REQUEST = "There is no such judgment request."
PAGE_SIZE = 50
_RUNNING = ("queued", "running")


def _list(request: Request, viewer: Viewer, page: str | None, *, error: str | None = None,
          status_code: int = 200) -> HTMLResponse:
    number = page_number(page)
    with session_scope(readonly=True) as session:
        items, total = service.list_requests(session, viewer.principal.tenant, limit=PAGE_SIZE,
                                             offset=(number - 1) * PAGE_SIZE)
        return render(request, "judgments/requests.html", {
            "requests": items, "jurisdictions": JURISDICTIONS, "error": error,
            "can_request": viewer.can("judgments:request"), "max_mb": get_settings().judgment_max_file_mb,
            "pager": pager("/judgments", {}, number, total, PAGE_SIZE), "nav": "judgments"},
            viewer=viewer, status_code=status_code)


@router.get("/judgments", response_class=HTMLResponse, response_model=None)
def requests_page(request: Request, viewer: Reader,
                  page: Annotated[str | None, Query(max_length=10)] = None) -> Response:
    return _list(request, viewer, page)


@router.post("/judgments", response_model=None)
def new_request_page(request: Request,
                     viewer: Annotated[Viewer, Depends(page_require("judgments:request", back="/judgments"))],
                     title: Annotated[str, Form(max_length=300)] = "",
                     jurisdiction: Annotated[str, Form(max_length=10)] = "INDIA",
                     court_level: Annotated[str, Form(max_length=60)] = "",
                     questions: Annotated[str, Form(max_length=20_000)] = "",
                     files: Annotated[list[UploadFile] | None, File()] = None) -> Response:
    """Open the request, add the files (a refused file is named on the page; nothing is kept then) and queue the
    draft, in one transaction."""
    settings = get_settings()
    limit = settings.judgment_max_file_mb * 1024 * 1024
    chosen = [f for f in files or [] if f.filename]
    try:
        if not title.strip():
            raise PaperclerkError("Give the case a title.", code="JUDGMENT_TITLE_REQUIRED", http_status=400)
        if not chosen:
            raise PaperclerkError("Attach the case file's documents.", code="JUDGMENT_NO_FILES", http_status=400)
        try:
            canonical = jurisdiction_of(jurisdiction)
        except ValueError as exc:
            raise PaperclerkError(str(exc), code="JUDGMENT_BAD_JURISDICTION", http_status=400) from exc
        with session_scope() as session:
            opened = service.open_request(
                session, viewer.principal.tenant, title=title.strip(), jurisdiction=canonical,
                court_level=court_level.strip(), questions=[q.strip()[:1000] for q in questions.splitlines()
                                                            if q.strip()][:20],
                engine="precedent", legal_case_id=None, actor=viewer.principal, ip=request_ip(request))
            for upload in chosen:
                content = upload.file.read(limit + 1)
                try:
                    service.add_file(session, viewer.principal.tenant, opened.id, filename=str(upload.filename),
                                     content=content, max_bytes=limit, actor=viewer.principal,
                                     ip=request_ip(request))
                except PaperclerkError as refused:
                    refused.message = f"{upload.filename}: {refused.message}"
                    raise
            service.queue_draft(session, viewer.principal.tenant, opened.id, actor=viewer.principal,
                                ip=request_ip(request))
            request_id = opened.id
    except PaperclerkError as problem:
        return _list(request, viewer, None, error=problem.message, status_code=problem.http_status)
    return RedirectResponse(f"/judgments/{quote(request_id, safe='')}", status_code=303)


def _request_page(request: Request, viewer: Viewer, request_id: str, *, error: str | None = None,
                  status_code: int = 200) -> HTMLResponse:
    with session_scope(readonly=True) as session:
        try:
            found = service.get_request(session, viewer.principal.tenant, request_id)
        except NotFound:
            return not_found(request, NO_REQUEST, viewer)
        view = service.view(found)
        versions = [(v.number, v.change, v.author, v.note, v.created_at) for v in found.versions]
    return render(request, "judgments/request.html", {
        "judgment": view, "draft": view["draft"], "versions": versions, "running": view["status"] in _RUNNING,
        "labels": LABELS[view["jurisdiction"]], "error": error, "done": request.query_params.get("done", "")[:20],
        "can_review": viewer.can("judgments:review"), "can_decide": viewer.can("judgments:decide"),
        "can_export": viewer.can("documents:export"), "nav": "judgments"}, viewer=viewer, status_code=status_code)


@router.get("/judgments/{request_id}", response_class=HTMLResponse, response_model=None)
def request_page(request: Request, viewer: Reader, request_id: str) -> Response:
    return _request_page(request, viewer, request_id)


def _change(request: Request, viewer: Viewer, request_id: str, done: str,
            action: Callable[[Session], object]) -> Response:
    try:
        with session_scope() as session:
            action(session)
    except PaperclerkError as problem:
        if problem.code == "JUDGMENT_NOT_FOUND":
            return not_found(request, NO_REQUEST, viewer)
        return _request_page(request, viewer, request_id, error=problem.message, status_code=problem.http_status)
    return RedirectResponse(f"/judgments/{quote(request_id, safe='')}?done={done}", status_code=303)


@router.post("/judgments/{request_id}/sections/{index}", response_model=None)
def edit_section_page(request: Request,
                      viewer: Annotated[Viewer, Depends(page_require("judgments:review", back=BACK))],
                      request_id: str, index: int, text: Annotated[str, Form(max_length=50_000)] = "",
                      note: Annotated[str, Form(max_length=2000)] = "") -> Response:
    def action(session: Session) -> object:
        if not text.strip():
            raise PaperclerkError("A section cannot be empty.", code="JUDGMENT_SECTION_EMPTY", http_status=400)
        return service.edit_section(session, viewer.principal.tenant, request_id, index=index, text=text.strip(),
                                    note=note.strip(), actor=viewer.principal, ip=request_ip(request))

    return _change(request, viewer, request_id, "edited", action)


@router.post("/judgments/{request_id}/outcome", response_model=None)
def outcome_page(request: Request,
                 viewer: Annotated[Viewer, Depends(page_require("judgments:decide", back=BACK))],
                 request_id: str, label: Annotated[str, Form(max_length=20)] = "",
                 reasons: Annotated[str, Form(max_length=5000)] = "") -> Response:
    return _change(request, viewer, request_id, "decided", lambda session: service.decide_outcome(
        session, viewer.principal.tenant, request_id, label=label or None, reasons=reasons.strip(),
        actor=viewer.principal, ip=request_ip(request)))
