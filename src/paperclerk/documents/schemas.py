"""API shapes of documents: what clients send and get back."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict

from paperclerk.documents.models import Document


class ErrorInfo(BaseModel):
    code: str
    message: str


class Progress(BaseModel):
    """How far processing has got while it runs (OCR reads page by page)."""

    stage: str
    page: int
    pages: int


class DocumentSummary(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: str
    filename: str
    media_type: str
    size_bytes: int
    source: str
    status: str
    kind: str | None
    language: str | None
    page_count: int | None
    parent_id: str | None
    error: ErrorInfo | None
    #: While processing: page n of N being read; null otherwise.
    progress: Progress | None = None
    created_at: datetime
    processed_at: datetime | None

    @classmethod
    def of(cls, document: Document) -> DocumentSummary:
        error = None
        if document.error_code:
            error = ErrorInfo(code=document.error_code, message=document.error_message or "")
        return cls.model_validate({**_columns(document), "error": error})


class PageOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    number: int
    method: str
    text: str
    width: float | None
    height: float | None
    ocr_confidence: float | None
    #: ``[start, end, x0, y0, x1, y1]`` per text segment: a character span and its box.
    segments: list[list[float]]


class HistoryEntry(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    stage: str
    outcome: str
    attempt: int
    duration_ms: float | None
    error_code: str | None
    message: str | None
    worker: str | None
    created_at: datetime


class DocumentDetail(DocumentSummary):
    sha256: str
    file_metadata: dict[str, Any]
    timings: dict[str, float]
    pages: list[PageOut]
    history: list[HistoryEntry]
    attachments: list[DocumentSummary]


class DocumentList(BaseModel):
    items: list[DocumentSummary]
    total: int
    limit: int
    offset: int


class DeletedDocument(DocumentSummary):
    """A deleted document: when, by whom and why."""

    deleted_at: datetime
    deleted_by: str
    deletion_reason: str

    @classmethod
    def of(cls, document: Document) -> DeletedDocument:
        return cls.model_validate({**DocumentSummary.of(document).model_dump(), "deleted_at": document.deleted_at,
                                   "deleted_by": document.deleted_by, "deletion_reason": document.deletion_reason})


class DeletedDocumentList(BaseModel):
    items: list[DeletedDocument]
    total: int
    limit: int
    offset: int


class UploadedDocument(BaseModel):
    id: str
    filename: str
    status: str
    duplicate: bool


class RejectedFile(BaseModel):
    filename: str
    error: dict[str, Any]


class UploadResult(BaseModel):
    documents: list[UploadedDocument]
    rejected: list[RejectedFile]


def _columns(document: Document) -> dict[str, Any]:
    return {column.key: getattr(document, column.key) for column in Document.__table__.columns}


def detail_of(document: Document, attachments: list[Document]) -> DocumentDetail:
    summary = DocumentSummary.of(document)
    return DocumentDetail(
        **summary.model_dump(), sha256=document.sha256, file_metadata=document.file_metadata or {},
        timings=document.timings or {},
        pages=[PageOut.model_validate(page) for page in document.pages],
        history=[HistoryEntry.model_validate(entry) for entry in document.history],
        attachments=[DocumentSummary.of(child) for child in attachments],
    )
