"""Tables of the document core: documents, their pages and their processing history."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, Integer, String, Text, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from paperclerk.core.db import Base, UTCDateTime, new_id, utcnow


class DocumentStatus(StrEnum):
    QUEUED = "queued"
    PROCESSING = "processing"
    PROCESSED = "processed"
    NEEDS_REVIEW = "needs_review"
    FAILED = "failed"

    @property
    def is_final(self) -> bool:
        return self in FINAL_STATUSES


FINAL_STATUSES = frozenset({DocumentStatus.PROCESSED, DocumentStatus.NEEDS_REVIEW, DocumentStatus.FAILED})


#: A deleted document keeps its row; only the documents still in use hold their bytes once per organisation.
LIVE = "deleted_at IS NULL"


class Document(Base):
    """A file an organisation sent in. Deleting one (a junk upload) keeps the row with ``deleted_at``: it leaves
    every list, search and read, and the same bytes may arrive again as a new document."""

    __tablename__ = "documents"
    __table_args__ = (
        Index("uq_documents_live_sha256", "organization_id", "sha256", unique=True,
              sqlite_where=text(LIVE), postgresql_where=text(LIVE)),
        Index("ix_documents_organization_id_created_at", "organization_id", "created_at"),
    )

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    organization_id: Mapped[str] = mapped_column(ForeignKey("organizations.id", ondelete="RESTRICT"))
    sha256: Mapped[str] = mapped_column(String(64))
    filename: Mapped[str] = mapped_column(String(255))
    media_type: Mapped[str] = mapped_column(String(100))
    size_bytes: Mapped[int] = mapped_column(Integer)
    source: Mapped[str] = mapped_column(String(20), default="api")
    status: Mapped[str] = mapped_column(String(20), default=DocumentStatus.QUEUED, index=True)
    kind: Mapped[str | None] = mapped_column(String(40), index=True)
    #: The kind the uploader declared (a domain's own intake, e.g. the invoice upload); classification keeps it.
    declared_kind: Mapped[str | None] = mapped_column(String(40))
    language: Mapped[str | None] = mapped_column(String(8))
    page_count: Mapped[int | None] = mapped_column(Integer)
    error_code: Mapped[str | None] = mapped_column(String(60))
    error_message: Mapped[str | None] = mapped_column(Text)
    parent_id: Mapped[str | None] = mapped_column(ForeignKey("documents.id", ondelete="SET NULL"), index=True)
    #: Facts read from the file itself (title, author, e-mail headers).
    file_metadata: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    #: While processing: how far it has got, ``{"stage": "extract", "page": n, "pages": N}``; empty otherwise.
    progress: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    #: Milliseconds per pipeline stage of the last successful run.
    timings: Mapped[dict[str, float]] = mapped_column(JSON, default=dict)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
    processed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    deleted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    #: Who deleted it (the person's or key's label) and why.
    deleted_by: Mapped[str | None] = mapped_column(String(254))
    deletion_reason: Mapped[str | None] = mapped_column(Text)

    pages: Mapped[list[Page]] = relationship(
        back_populates="document", order_by="Page.number", cascade="all, delete-orphan", passive_deletes=True
    )
    history: Mapped[list[ProcessingEvent]] = relationship(
        order_by="ProcessingEvent.id", cascade="all, delete-orphan", passive_deletes=True
    )


class DocumentAttachment(Base):
    """An e-mail's attachment, in the order it came: the document holding its bytes (stored once, so possibly an
    earlier upload or another e-mail's attachment)."""

    __tablename__ = "document_attachments"

    email_id: Mapped[str] = mapped_column(ForeignKey("documents.id", ondelete="CASCADE"), primary_key=True)
    position: Mapped[int] = mapped_column(Integer, primary_key=True)
    document_id: Mapped[str] = mapped_column(ForeignKey("documents.id", ondelete="CASCADE"), index=True)


class Page(Base):
    __tablename__ = "pages"
    __table_args__ = (UniqueConstraint("document_id", "number"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    document_id: Mapped[str] = mapped_column(ForeignKey("documents.id", ondelete="CASCADE"))
    number: Mapped[int] = mapped_column(Integer)
    text: Mapped[str] = mapped_column(Text)
    method: Mapped[str] = mapped_column(String(20))
    width: Mapped[float | None]
    height: Mapped[float | None]
    #: ``[[start, end, x0, y0, x1, y1], …]``: character spans of ``text`` and their boxes.
    segments: Mapped[list[list[float]]] = mapped_column(JSON, default=list)
    ocr_confidence: Mapped[float | None]

    document: Mapped[Document] = relationship(back_populates="pages")


class ProcessingEvent(Base):
    """One line of a document's processing history: a stage started, succeeded, failed or was deferred."""

    __tablename__ = "processing_events"
    __table_args__ = (Index("ix_processing_events_document_id_id", "document_id", "id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    document_id: Mapped[str] = mapped_column(ForeignKey("documents.id", ondelete="CASCADE"))
    attempt: Mapped[int] = mapped_column(Integer, default=1)
    stage: Mapped[str] = mapped_column(String(40))
    outcome: Mapped[str] = mapped_column(String(20))
    duration_ms: Mapped[float | None]
    error_code: Mapped[str | None] = mapped_column(String(60))
    message: Mapped[str | None] = mapped_column(Text)
    worker: Mapped[str | None] = mapped_column(String(120))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
