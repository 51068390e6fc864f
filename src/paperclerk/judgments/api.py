"""Judgment assistant routes under /api/v1/judgments: open a request, add the case file's documents (one per call,
the body is the file; over the limit is 413 before it is read), ask for the draft (a job: 202, then poll the
request or wait for ``judgments.draft.ready``), read it (served from the cache), edit a section, accept or override
the outcome, list versions, export DOCX/PDF. Thin: services do the work.

Reading needs ``judgments:read``; opening, adding files and drafting ``judgments:request``; editing
``judgments:review``; the outcome decision ``judgments:decide``; exports ``documents:export``.
"""

from __future__ import annotations

import json
import re
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Path, Query, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import Response
from sqlalchemy.orm import Session

from paperclerk.ai import service as ai
from paperclerk.api_errors import error_responses
from paperclerk.auth.dependencies import request_ip, require
from paperclerk.auth.principal import Principal
from paperclerk.config import get_settings
from paperclerk.core.db import read_session, session_scope
from paperclerk.core.errors import Conflict, FileTooLarge, InvalidRequest, NotFound
from paperclerk.judgments import cache, exports, service
from paperclerk.judgments.draft import jurisdiction_of
from paperclerk.judgments.schemas import (
    JudgmentList,
    JudgmentOut,
    JudgmentRequestIn,
    JudgmentSummary,
    OutcomeDecisionIn,
    SectionEditIn,
    VersionDetail,
    VersionOut,
)

router = APIRouter(prefix="/api/v1/judgments", tags=["judgments"], responses=error_responses(400, 401, 403, 422, 429))
Reader = Annotated[Principal, Depends(require("judgments:read"))]
Requester = Annotated[Principal, Depends(require("judgments:request"))]
ReadSession = Annotated[Session, Depends(read_session)]
RequestId = Annotated[str, Path(max_length=36)]
_FILENAME = re.compile(r"^[^/\\\x00-\x1f]{1,255}$")


@router.post("", status_code=201, response_model=JudgmentOut,
             summary="Open a judgment request (about a case of the legal registry when legal_case_id is given)",
             responses=error_responses(404, 413))
def open_request(body: JudgmentRequestIn, request: Request, principal: Requester) -> dict[str, Any]:
    try:
        jurisdiction = jurisdiction_of(body.jurisdiction)
    except ValueError as exc:
        raise InvalidRequest(str(exc), code="JUDGMENT_BAD_JURISDICTION") from exc
    if body.engine == "llm" and not ai.llm_configured():
        # The caller can fix this (choose the precedent engine): a refusal of the request, not an outage.
        raise InvalidRequest("No language model is configured here (PAPERCLERK_LLM_URL); use the precedent engine.",
                             code="LLM_NOT_CONFIGURED")
    with session_scope() as session:
        opened = service.open_request(session, principal.tenant, title=body.title, jurisdiction=jurisdiction,
                                      court_level=body.court_level, questions=list(body.questions),
                                      engine=body.engine, legal_case_id=body.legal_case_id, actor=principal,
                                      ip=request_ip(request))
        return service.view(opened)


@router.get("", response_model=JudgmentList, summary="Judgment requests, newest first")
def list_requests(session: ReadSession, principal: Reader, limit: Annotated[int, Query(ge=1, le=200)] = 50,
                  offset: Annotated[int, Query(ge=0, le=1_000_000)] = 0) -> JudgmentList:
    items, total = service.list_requests(session, principal.tenant, limit=limit, offset=offset)
    return JudgmentList(items=[JudgmentSummary.model_validate(i) for i in items], total=total, limit=limit,
                        offset=offset)


def served(organization_id: str, request_id: str) -> dict[str, Any]:
    """A request's view: from the cache, else from the database (and then cached)."""
    key = cache.served_key(organization_id, request_id)
    judgments = cache.get_cache()
    found = judgments.get(key)
    if found is not None:
        return found
    with session_scope() as session:
        value = service.view(service.get_request(session, organization_id, request_id))
    judgments.fill(key, value)
    return value


@router.get("/{request_id}", response_model=JudgmentOut, summary="A request: its case file, status and draft",
            responses=error_responses(404))
def get_request(request_id: RequestId, principal: Reader) -> Response:
    # The cached view is already the documented shape: written out as it is, not validated again.
    return Response(json.dumps(served(principal.tenant, request_id), ensure_ascii=False),
                    media_type="application/json")


@router.put("/{request_id}/files/{filename}", status_code=201, response_model=JudgmentOut,
            summary="Add a document to the case file: the body is the file (PDF, DOCX, text, scans); over "
                    "PAPERCLERK_JUDGMENT_MAX_FILE_MB is 413 before the body is read",
            responses=error_responses(404, 409, 413))
async def add_file(request_id: RequestId, filename: Annotated[str, Path(max_length=255)], request: Request,
                   principal: Requester) -> dict[str, Any]:
    if not _FILENAME.match(filename):
        raise InvalidRequest("The file name may not hold slashes or control characters.", code="BAD_FILENAME")
    limit = get_settings().judgment_max_file_mb * 1024 * 1024
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > limit:
        raise FileTooLarge(f"{filename} is larger than the {limit // (1024 * 1024)} MB limit.",
                           details={"max_bytes": limit})
    content = bytearray()
    async for chunk in request.stream():
        content += chunk
        if len(content) > limit:
            raise FileTooLarge(f"{filename} is larger than the {limit // (1024 * 1024)} MB limit.",
                               details={"max_bytes": limit})
    return await run_in_threadpool(_store_file, principal, request_id, filename, bytes(content),
                                   request_ip(request), limit)


def _store_file(principal: Principal, request_id: str, filename: str, content: bytes, ip: str | None,
                limit: int) -> dict[str, Any]:
    with session_scope() as session:
        service.add_file(session, principal.tenant, request_id, filename=filename, content=content, max_bytes=limit,
                         actor=principal, ip=ip)
        return service.view(service.get_request(session, principal.tenant, request_id))


@router.post("/{request_id}/draft", status_code=202, response_model=JudgmentOut,
             summary="Draft the judgment (a job; poll the request or wait for judgments.draft.ready)",
             responses=error_responses(404, 409))
def queue_draft(request_id: RequestId, request: Request, principal: Requester) -> dict[str, Any]:
    with session_scope() as session:
        return service.view(service.queue_draft(session, principal.tenant, request_id, actor=principal,
                                                ip=request_ip(request)))


@router.put("/{request_id}/sections/{index}", response_model=JudgmentOut,
            summary="Replace a section's text (a new version of the draft)", responses=error_responses(404, 409))
def edit_section(request_id: RequestId, index: Annotated[int, Path(ge=0, le=100)], body: SectionEditIn,
                 request: Request, principal: Annotated[Principal, Depends(require("judgments:review"))]
                 ) -> dict[str, Any]:
    with session_scope() as session:
        service.edit_section(session, principal.tenant, request_id, index=index, text=body.text, note=body.note,
                             actor=principal, ip=request_ip(request))
        return service.view(service.get_request(session, principal.tenant, request_id))


@router.post("/{request_id}/outcome", response_model=JudgmentOut,
             summary="Accept the predicted outcome, or override it with reasons (a new version)",
             responses=error_responses(404, 409))
def decide_outcome(request_id: RequestId, body: OutcomeDecisionIn, request: Request,
                   principal: Annotated[Principal, Depends(require("judgments:decide"))]) -> dict[str, Any]:
    with session_scope() as session:
        service.decide_outcome(session, principal.tenant, request_id, label=body.label, reasons=body.reasons,
                               actor=principal, ip=request_ip(request))
        return service.view(service.get_request(session, principal.tenant, request_id))


@router.get("/{request_id}/versions", response_model=list[VersionOut], summary="The draft's versions, oldest first",
            responses=error_responses(404))
def list_versions(request_id: RequestId, session: ReadSession, principal: Reader) -> list[VersionOut]:
    found = service.get_request(session, principal.tenant, request_id)
    return [VersionOut.model_validate(v) for v in found.versions]


@router.get("/{request_id}/versions/{number}", response_model=VersionDetail, summary="One version of the draft",
            responses=error_responses(404))
def get_version(request_id: RequestId, number: Annotated[int, Path(ge=1, le=100_000)], session: ReadSession,
                principal: Reader) -> VersionDetail:
    found = service.get_request(session, principal.tenant, request_id)
    for version in found.versions:
        if version.number == number:
            return VersionDetail.model_validate(version)
    raise NotFound("No such version of the draft.", code="JUDGMENT_VERSION_NOT_FOUND")


@router.get("/{request_id}/export", summary="The current draft as DOCX or PDF",
            responses={**error_responses(404, 409), 200: {"content": {
                "application/vnd.openxmlformats-officedocument.wordprocessingml.document": {},
                "application/pdf": {}}}})
def export(request_id: RequestId, session: ReadSession,
           principal: Annotated[Principal, Depends(require("documents:export"))],
           format: Annotated[Literal["docx", "pdf"], Query()] = "docx") -> Response:
    found = service.get_request(session, principal.tenant, request_id)
    if found.current is None:
        raise Conflict("The request has no draft yet.", code="JUDGMENT_NOT_DRAFTED")
    name = re.sub(r"[^A-Za-z0-9._-]+", "-", found.title).strip("-")[:80] or "judgment"
    if format == "pdf":
        body, media = exports.to_pdf(found.title, found.current.content), "application/pdf"
    else:
        body = exports.to_docx(found.title, found.current.content)
        media = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
    return Response(body, media_type=media,
                    headers={"Content-Disposition": f'attachment; filename="{name}-draft.{format}"'})
