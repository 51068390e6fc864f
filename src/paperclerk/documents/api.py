"""Document routes: upload, list, detail, original file, retry, delete (and, for administrators, the deleted
documents and restoring one). Thin: services do the work."""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated
from urllib.parse import quote

from fastapi import APIRouter, Depends, File, Query, Request, UploadFile
from fastapi.responses import FileResponse, Response, StreamingResponse
from sqlalchemy.orm import Session

from paperclerk.api_errors import error_responses
from paperclerk.auth.dependencies import request_ip, require
from paperclerk.auth.principal import Principal
from paperclerk.config import get_settings
from paperclerk.core.db import read_session, session_scope
from paperclerk.core.errors import FileRejected, InvalidRequest
from paperclerk.core.moments import UTCMoment
from paperclerk.core.storage import LocalBlobStore, get_store
from paperclerk.documents import deletion, service
from paperclerk.documents.filters import DocumentFilter
from paperclerk.documents.models import DocumentStatus
from paperclerk.documents.schemas import (
    DeletedDocument,
    DeletedDocumentList,
    DocumentDetail,
    DocumentList,
    DocumentSummary,
    RejectedFile,
    UploadedDocument,
    UploadResult,
    detail_of,
)

router = APIRouter(prefix="/api/v1/documents", tags=["documents"], responses=error_responses(401, 403, 422, 429))


def document_filter(
    principal: Annotated[Principal, Depends(require("documents:read"))],
    status: Annotated[DocumentStatus | None, Query(description="queued, processing, processed, needs_review, failed")
                      ] = None,
    kind: Annotated[str | None, Query(max_length=40, description="invoice, contract, judgment, …")] = None,
    created_after: Annotated[UTCMoment | None, Query(description="ISO date or datetime, inclusive")] = None,
    created_before: Annotated[UTCMoment | None, Query(description="ISO date or datetime, exclusive")] = None,
) -> DocumentFilter:
    return DocumentFilter(organization_id=principal.tenant, status=status, kind=kind,
                           created_after=created_after,
                          created_before=created_before)


@router.post("", status_code=202, response_model=UploadResult,
             summary="Upload one or many files; processing is asynchronous",
             responses=error_responses(400, 413, 415, 503))
def upload(files: Annotated[list[UploadFile], File(description="One or more files")], request: Request,
           principal: Annotated[Principal, Depends(require("documents:upload"))]) -> UploadResult:
    return receive_uploads(files, source="api", principal=principal, ip=request_ip(request))


def receive_uploads(files: list[UploadFile], *, source: str, principal: Principal, ip: str | None,
                    declared_kind: str | None = None,
                    then: Callable[[Session, service.Intake], None] | None = None) -> UploadResult:
    """Store each file in its own transaction; refuse the request only if every file was refused. ``then``
    runs in each file's transaction after it was received (a domain's intake records its own rows there)."""
    settings = get_settings()
    if not files:
        raise InvalidRequest("Attach at least one file in the 'files' field.", code="NO_FILES")
    accepted: list[UploadedDocument] = []
    rejected: list[tuple[RejectedFile, FileRejected]] = []
    for upload_file in files:
        try:
            with service.spool(upload_file.file, settings=settings) as spooled, session_scope() as session:
                intake = service.receive(session, spooled, organization_id=principal.tenant,
                                         filename=upload_file.filename, source=source, settings=settings,
                                         actor=principal, ip=ip, declared_kind=declared_kind)
                if then is not None:
                    then(session, intake)
                document = intake.document
                accepted.append(UploadedDocument(id=document.id, filename=document.filename,
                                                 status=document.status, duplicate=intake.duplicate))
        except FileRejected as refusal:
            name = service.sanitize_filename(upload_file.filename)
            rejected.append((RejectedFile(filename=name, error=refusal.to_dict()), refusal))
    if not accepted:
        first = rejected[0][1]
        if len(rejected) > 1:
            first.details = {**first.details, "rejected": [item.model_dump() for item, _ in rejected]}
        raise first
    return UploadResult(documents=accepted, rejected=[item for item, _ in rejected])


@router.get("", response_model=DocumentList, summary="List documents, newest first")
def list_documents(
    session: Annotated[Session, Depends(read_session)],
    filters: Annotated[DocumentFilter, Depends(document_filter)],
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
    offset: Annotated[int, Query(ge=0, le=1_000_000)] = 0,
) -> DocumentList:
    items, total = service.list_documents(session, filters=filters, limit=limit, offset=offset)
    return DocumentList(items=[DocumentSummary.of(item) for item in items], total=total, limit=limit, offset=offset)


@router.get("/deleted", response_model=DeletedDocumentList, summary="Deleted documents, most recently deleted first")
def list_deleted(
    session: Annotated[Session, Depends(read_session)],
    principal: Annotated[Principal, Depends(require("documents:delete"))],
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
    offset: Annotated[int, Query(ge=0, le=1_000_000)] = 0,
) -> DeletedDocumentList:
    items, total = deletion.list_deleted(session, organization_id=principal.tenant, limit=limit, offset=offset)
    return DeletedDocumentList(items=[DeletedDocument.of(item) for item in items], total=total, limit=limit,
                               offset=offset)


@router.get("/{document_id}", response_model=DocumentDetail, summary="A document: metadata, pages, history",
            responses=error_responses(404))
def get_document(document_id: str, session: Annotated[Session, Depends(read_session)],
                 principal: Annotated[Principal, Depends(require("documents:read"))]) -> DocumentDetail:
    document = service.get(session, document_id, organization_id=principal.tenant, with_pages=True)
    return detail_of(document, service.attachments(session, document))


@router.get("/{document_id}/file", summary="The original file, byte for byte",
            response_class=Response, responses={**error_responses(404, 503), 200: {
                "description": "The file with the media type it was stored as (e.g. application/pdf)",
                "content": {"*/*": {"schema": {"type": "string", "format": "binary"}}}}})
def get_file(document_id: str, session: Annotated[Session, Depends(read_session)],
             principal: Annotated[Principal, Depends(require("documents:read"))]) -> Response:
    document = service.get(session, document_id, organization_id=principal.tenant)
    store = get_store()
    headers = {"X-Content-Type-Options": "nosniff", "Cache-Control": "private, max-age=3600"}
    if isinstance(store, LocalBlobStore):
        with store.local_path(document.sha256) as path:
            return FileResponse(path, media_type=document.media_type, filename=document.filename,
                                headers=headers)
    body = store.open(document.sha256)
    return StreamingResponse(iter(lambda: body.read(1024 * 1024), b""), media_type=document.media_type,
                             headers={**headers, "Content-Disposition": _attachment(document.filename),
                                      "Content-Length": str(document.size_bytes)})


def _attachment(filename: str) -> str:
    return f"attachment; filename*=utf-8''{quote(filename)}"


@router.post("/{document_id}/retry", status_code=202, response_model=DocumentSummary,
             summary="Process a failed document again", responses=error_responses(404, 409, 413))
def retry(document_id: str, request: Request,
          principal: Annotated[Principal, Depends(require("documents:retry"))]) -> DocumentSummary:
    with session_scope() as session:
        return DocumentSummary.of(service.retry(session, document_id, organization_id=principal.tenant,
                                                actor=principal, ip=request_ip(request)))


@router.delete("/{document_id}", response_model=DeletedDocument,
               summary="Delete a document (kept for the record and restorable; gone from lists, search and reads)",
               responses=error_responses(400, 404, 409))
def delete_document(document_id: str, request: Request,
                    principal: Annotated[Principal, Depends(require("documents:delete"))],
                    reason: Annotated[str, Query(min_length=1, max_length=deletion.MAX_REASON,
                                                 description="Why it is deleted (kept in the audit trail)")]
                    ) -> DeletedDocument:
    with session_scope() as session:
        return DeletedDocument.of(deletion.delete(session, document_id, organization_id=principal.tenant,
                                                  actor=principal, reason=reason, ip=request_ip(request)))


@router.post("/{document_id}/restore", response_model=DocumentSummary, summary="Restore a deleted document",
             responses=error_responses(404, 409))
def restore_document(document_id: str, request: Request,
                     principal: Annotated[Principal, Depends(require("documents:delete"))]) -> DocumentSummary:
    with session_scope() as session:
        return DocumentSummary.of(deletion.restore(session, document_id, organization_id=principal.tenant,
                                                   actor=principal, ip=request_ip(request)))
