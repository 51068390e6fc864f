"""Deleting a junk upload, softly, and bringing a deleted document back.

A deleted document keeps its row (when, by whom and why) and its stored bytes; it leaves every list, the search
indexes (its full-text row and its passages are dropped) and every read (``service.get`` answers "not found"), and
the same bytes uploaded again become a new document. A product line may refuse (``ProductLine.deletion_guard``):
an approved or exported invoice has been paid. An administrator lists the deleted documents and restores one; its
search entries are rebuilt from its stored pages.
"""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from paperclerk import plugins
from paperclerk.auth.principal import Principal
from paperclerk.core import events
from paperclerk.core.audit import record_audit
from paperclerk.core.db import utcnow
from paperclerk.core.errors import Conflict, InvalidRequest, NotFound
from paperclerk.core.lines import load_attribute
from paperclerk.documents.models import FINAL_STATUSES, Document, Page
from paperclerk.documents.service import add_history, get
from paperclerk.search import index, passages

MAX_REASON = 500


def delete(session: Session, document_id: str, *, organization_id: str, actor: Principal, reason: str,
           ip: str | None = None) -> Document:
    """Delete one of the organisation's documents (it must have finished processing), saying why."""
    reason = _reason(reason)
    document = get(session, document_id, organization_id=organization_id)
    session.refresh(document, with_for_update=True)
    if document.status not in FINAL_STATUSES:
        raise Conflict("This document is still being processed; delete it once it has been.",
                       code="DOCUMENT_BUSY", details={"status": document.status})
    for line in plugins.lines():
        if line.deletion_guard:
            load_attribute(line.deletion_guard)(session, document)
    document.deleted_at, document.deleted_by, document.deletion_reason = utcnow(), actor.label[:254], reason
    index.remove(session, document.id)
    passages.replace(session, document_id=document.id, organization_id=organization_id, spans=[], vectors=None,
                     model="")
    add_history(session, document.id, stage="intake", outcome="deleted", message=f"by {actor.label}: {reason}")
    record_audit(session, actor, "document.delete", ("document", document.id), ip=ip, organization_id=organization_id,
                 before={"filename": document.filename, "status": document.status},
                 after={"deleted_at": document.deleted_at.isoformat(), "reason": reason})
    events.record(session, "document.deleted", organization_id=organization_id, subject_type="document",
                  subject_id=document.id, payload={"filename": document.filename, "reason": reason})
    return document


def list_deleted(session: Session, *, organization_id: str, limit: int, offset: int) -> tuple[list[Document], int]:
    """The organisation's deleted documents, most recently deleted first."""
    clauses = (Document.organization_id == organization_id, Document.deleted_at.is_not(None))
    total = session.scalar(select(func.count()).select_from(Document).where(*clauses)) or 0
    items = session.scalars(select(Document).where(*clauses).order_by(Document.deleted_at.desc(), Document.id)
                            .limit(limit).offset(offset)).all()
    return list(items), total


def restore(session: Session, document_id: str, *, organization_id: str, actor: Principal,
            ip: str | None = None) -> Document:
    """Bring a deleted document back into the lists and the search, unless its bytes were uploaded again since."""
    document = session.scalars(select(Document).where(
        Document.id == document_id, Document.organization_id == organization_id, Document.deleted_at.is_not(None))
        .with_for_update()).first()
    if document is None:
        raise NotFound("No deleted document with this id.", details={"document_id": document_id})
    again = session.scalar(select(Document.id).where(Document.organization_id == organization_id,
                                                     Document.sha256 == document.sha256,
                                                     Document.deleted_at.is_(None)))
    if again is not None:
        raise Conflict("The same file was uploaded again after this one was deleted; use that document instead.",
                       code="DOCUMENT_UPLOADED_AGAIN", details={"document_id": again})
    before = {"deleted_at": document.deleted_at.isoformat() if document.deleted_at else None,
              "deleted_by": document.deleted_by, "reason": document.deletion_reason}
    document.deleted_at = document.deleted_by = document.deletion_reason = None
    _index_again(session, document)
    add_history(session, document.id, stage="intake", outcome="restored", message=f"by {actor.label}")
    record_audit(session, actor, "document.restore", ("document", document.id), ip=ip,
                 organization_id=organization_id, before=before, after={"deleted_at": None})
    events.record(session, "document.restored", organization_id=organization_id, subject_type="document",
                  subject_id=document.id, payload={"filename": document.filename})
    return document


def _index_again(session: Session, document: Document) -> None:
    """The full-text row and the passages, as the pipeline made them, from the stored pages."""
    texts = session.scalars(select(Page.text).where(Page.document_id == document.id).order_by(Page.number)).all()
    if not texts:  # a failed document was never indexed
        return
    title = str((document.file_metadata or {}).get("title") or document.filename)
    index.upsert(session, document_id=document.id, organization_id=document.organization_id, title=title,
                 body="\n\n".join(texts))
    passages.rebuild(session, document.id, document.organization_id)


def _reason(reason: str | None) -> str:
    reason = " ".join((reason or "").split())
    if not reason:
        raise InvalidRequest("Say why the document is deleted (the audit trail keeps the reason).",
                             code="REASON_REQUIRED")
    if len(reason) > MAX_REASON:
        raise InvalidRequest(f"The reason is longer than {MAX_REASON} characters.", code="REASON_TOO_LONG",
                             details={"max_length": MAX_REASON})
    return reason
