"""Document intake and reads: plain functions over a session; the caller owns the transaction."""

from __future__ import annotations

import hashlib
import io
import os
import re
import tempfile
import unicodedata
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from sqlalchemy import delete, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, selectinload

from paperclerk.auth.principal import Principal
from paperclerk.config import Settings
from paperclerk.core import events, jobs
from paperclerk.core.audit import record_audit
from paperclerk.core.errors import Conflict, FileEmpty, FileTooLarge, NotFound
from paperclerk.core.jobs import Job, Queue
from paperclerk.core.storage import CHUNK, get_store, private_dir, scratch_prefix
from paperclerk.documents.filters import DocumentFilter
from paperclerk.documents.models import Document, DocumentAttachment, DocumentStatus, ProcessingEvent
from paperclerk.extraction.base import IMAGE_TYPES
from paperclerk.extraction.sniff import detect_media_type

PROCESS_TASK = "document.process"
MAX_FILENAME_BYTES = 200
_UNSAFE = re.compile(r"[\x00-\x1f\x7f<>:\"|?*]")


@dataclass(frozen=True)
class SpooledFile:
    """An incoming file copied to local scratch space, with its digest and size."""

    path: Path
    sha256: str
    size: int


@dataclass(frozen=True)
class Intake:
    document: Document
    duplicate: bool


#: Unicode categories never kept in a name: controls, invisible format characters (bidi overrides such as
#: U+202E, zero-width spaces), line and paragraph separators, lone surrogates.
_INVISIBLE_CATEGORIES = frozenset({"Cc", "Cf", "Cs", "Zl", "Zp"})


def sanitize_filename(name: str | None) -> str:
    """Keep a file's own name only: no directories, control or invisible characters, or absurd lengths."""
    name = unicodedata.normalize("NFC", name or "")
    name = "".join(char for char in name if unicodedata.category(char) not in _INVISIBLE_CATEGORIES)
    name = name.replace("\\", "/").split("/")[-1]
    name = _UNSAFE.sub("", name).strip(" .")
    if not name:
        return "unnamed"
    stem, dot, suffix = name.rpartition(".")
    if not dot or len(suffix) > 10:
        stem, suffix = name, ""
    suffix_bytes = len(suffix.encode()) + (1 if suffix else 0)
    stem = stem.encode()[: MAX_FILENAME_BYTES - suffix_bytes].decode(errors="ignore").strip(" .") or "unnamed"
    return f"{stem}.{suffix}" if suffix else stem


@contextmanager
def spool(stream: BinaryIO, *, settings: Settings) -> Iterator[SpooledFile]:
    """Copy ``stream`` to scratch space while hashing it; refuse it past the upload limit."""
    scratch = private_dir(settings.data_dir / "tmp")
    digest = hashlib.sha256()
    size = 0
    fd, name = tempfile.mkstemp(dir=scratch, prefix=scratch_prefix("upload"))
    try:
        with os.fdopen(fd, "wb") as out:
            while chunk := stream.read(CHUNK):
                size += len(chunk)
                if size > settings.max_upload_bytes:
                    raise FileTooLarge(
                        f"The file is larger than the {settings.max_upload_mb} MB upload limit.",
                        details={"max_upload_mb": settings.max_upload_mb},
                    )
                digest.update(chunk)
                out.write(chunk)
        yield SpooledFile(Path(name), digest.hexdigest(), size)
    finally:
        Path(name).unlink(missing_ok=True)


def receive(session: Session, spooled: SpooledFile, *, organization_id: str, filename: str | None, source: str,
            settings: Settings, parent_id: str | None = None, actor: Principal | None = None,
            ip: str | None = None, declared_kind: str | None = None) -> Intake:
    """Store a new file once and queue it for processing; the same bytes again return the first copy.

    The file is checked and stored before the first query, so that (on SQLite) the write lock is
    not held while bytes are copied; storing is content-addressed, so a duplicate costs nothing.
    """
    if spooled.size == 0:
        raise FileEmpty("The file is empty (0 bytes).")
    media_type = detect_media_type(spooled.path)
    get_store().put(spooled.sha256, spooled.path)
    existing = _by_sha256(session, organization_id, spooled.sha256)
    if existing is not None:
        return Intake(existing, duplicate=True)
    document = Document(organization_id=organization_id, sha256=spooled.sha256, filename=sanitize_filename(filename),
                        media_type=media_type, size_bytes=spooled.size, source=source, parent_id=parent_id,
                        declared_kind=declared_kind, status=DocumentStatus.QUEUED)
    try:
        with session.begin_nested():
            session.add(document)
            session.flush()
    except IntegrityError:  # the same bytes arrived concurrently
        return Intake(_by_sha256(session, organization_id, spooled.sha256), duplicate=True)  # type: ignore[arg-type]
    add_history(session, document.id, stage="intake", outcome="received",
                message=f"{spooled.size} bytes, {media_type}, from {source}")
    queue = Queue.OCR if media_type in IMAGE_TYPES else Queue.DEFAULT
    jobs.enqueue(session, task=PROCESS_TASK, subject_id=document.id, queue=queue,
                 max_attempts=settings.job_max_attempts)
    events.record(session, "document.received", organization_id=organization_id, subject_type="document",
                  subject_id=document.id,
                  payload={"filename": document.filename, "media_type": media_type, "source": source})
    if actor is not None:
        record_audit(session, actor, "document.upload", ("document", document.id), ip=ip,
                     organization_id=organization_id,
                     after={"filename": document.filename, "sha256": document.sha256, "media_type": media_type,
                            "size_bytes": document.size_bytes, "source": source})
    return Intake(document, duplicate=False)


def follow_review(session: Session, document_id: str, *, organization_id: str, needs_review: bool) -> None:
    """A product line's decision that its document does (or no longer does) need a person, e.g. once its invoice
    was approved: ``needs_review`` or ``processed``. A document still queued, processing or failed keeps its
    status (the pipeline decides then)."""
    document = session.scalars(select(Document).where(Document.id == document_id,
                                                      Document.organization_id == organization_id)).first()
    if document is not None and document.status in (DocumentStatus.PROCESSED, DocumentStatus.NEEDS_REVIEW):
        document.status = DocumentStatus.NEEDS_REVIEW if needs_review else DocumentStatus.PROCESSED


def receive_bytes(session: Session, data: bytes, *, organization_id: str, filename: str | None, source: str,
                  settings: Settings, parent_id: str | None = None) -> Intake:
    with spool(io.BytesIO(data), settings=settings) as spooled:
        return receive(session, spooled, organization_id=organization_id, filename=filename, source=source,
                       settings=settings, parent_id=parent_id)


def _by_sha256(session: Session, organization_id: str, sha256: str) -> Document | None:
    """The organisation's document in use holding these bytes (a deleted one is not matched)."""
    return session.scalars(select(Document).where(Document.organization_id == organization_id,
                                                  Document.sha256 == sha256, Document.deleted_at.is_(None))).first()


def get(session: Session, document_id: str, *, organization_id: str, with_pages: bool = False) -> Document:
    """One of the organisation's documents; another organisation's, or a deleted one, is 'not found', never
    'forbidden'."""
    query = select(Document).where(Document.id == document_id, Document.organization_id == organization_id,
                                   Document.deleted_at.is_(None))
    if with_pages:
        query = query.options(selectinload(Document.pages), selectinload(Document.history))
    document = session.scalars(query).first()
    if document is None:
        raise NotFound("No document with this id.", details={"document_id": document_id})
    return document


def list_documents(session: Session, *, filters: DocumentFilter, limit: int, offset: int
                   ) -> tuple[list[Document], int]:
    clauses = filters.clauses()
    total = session.scalar(select(func.count()).select_from(Document).where(*clauses)) or 0
    items = session.scalars(
        select(Document).where(*clauses).order_by(Document.created_at.desc(), Document.id).limit(limit).offset(offset)
    ).all()
    return list(items), total


def link_attachments(session: Session, email: Document, attachments: list[Document]) -> None:
    """Record an e-mail's attachments in order, each with the document holding its bytes: one already stored
    (an earlier upload, another e-mail's attachment) keeps its own parent but is listed here too."""
    session.execute(delete(DocumentAttachment).where(DocumentAttachment.email_id == email.id))
    session.add_all(DocumentAttachment(email_id=email.id, position=position, document_id=child.id)
                    for position, child in enumerate(attachments, start=1))


def attachments(session: Session, email: Document) -> list[Document]:
    """An e-mail's attachments in the order they came (one document per attachment, even when stored once)."""
    return list(session.scalars(
        select(Document).join(DocumentAttachment, DocumentAttachment.document_id == Document.id)
        .where(DocumentAttachment.email_id == email.id, Document.organization_id == email.organization_id,
               Document.deleted_at.is_(None))
        .order_by(DocumentAttachment.position)))


def retry(session: Session, document_id: str, *, organization_id: str, actor: Principal,
          ip: str | None = None) -> Document:
    """Process a failed document again, from the start, with a fresh attempt budget."""
    document = get(session, document_id, organization_id=organization_id)
    if document.status != DocumentStatus.FAILED:
        raise Conflict(f"Only failed documents can be retried; this one is {document.status}.",
                       code="DOCUMENT_NOT_FAILED", details={"status": document.status})
    before = {"status": document.status, "error_code": document.error_code}
    document.status = DocumentStatus.QUEUED
    document.error_code = None
    document.error_message = None
    add_history(session, document.id, stage="intake", outcome="retry_requested", message=f"by {actor.label}")
    record_audit(session, actor, "document.retry", ("document", document.id), ip=ip,
                 organization_id=organization_id, before=before, after={"status": document.status})
    job = session.scalars(select(Job).where(Job.task == PROCESS_TASK, Job.subject_id == document.id)).first()
    if job is None:
        jobs.enqueue(session, task=PROCESS_TASK, subject_id=document.id)
    else:
        jobs.requeue(session, job)
    return document


def add_history(session: Session, document_id: str, *, stage: str, outcome: str, attempt: int = 0,
                duration_ms: float | None = None, error_code: str | None = None, message: str | None = None,
                worker: str | None = None) -> None:
    session.add(ProcessingEvent(document_id=document_id, attempt=attempt, stage=stage, outcome=outcome,
                                duration_ms=duration_ms, error_code=error_code, message=message, worker=worker))
