"""Each case's registry: documents filed under a folder path (``/pleadings/motions``), listed as a tree, moved, and
given new versions (the newest is current, the earlier ones stay readable); what changed between two versions, by
paragraph. The caller owns the transaction; every change is audited."""

from __future__ import annotations

import difflib
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

from sqlalchemy import func, select
from sqlalchemy.orm import Session, selectinload

from paperclerk.core.audit import Actor, record_audit
from paperclerk.core.errors import Conflict, InvalidRequest, NotFound
from paperclerk.core.lines import DocumentLink
from paperclerk.documents.models import Document, Page, ProcessingEvent
from paperclerk.legal.cases import get_case
from paperclerk.legal.models import Case, DocumentVersion, LegalAnalysisRow, RegistryEntry

MAX_FOLDER_DEPTH = 12
MAX_SEGMENT = 80
_SEGMENT = re.compile(r"^[^\x00-\x1f\x7f/\\]+$")
_PARAGRAPH_BREAK = re.compile(r"\n[ \t\r\f\v]*\n")


def normalize_folder(path: str | None) -> str:
    """``"pleadings//motions/"`` → ``"/pleadings/motions"``; ``.``/``..`` and control characters are refused."""
    segments = [segment.strip() for segment in (path or "").replace("\\", "/").split("/") if segment.strip()]
    for segment in segments:
        if segment in (".", "..") or not _SEGMENT.match(segment) or len(segment) > MAX_SEGMENT:
            raise InvalidRequest(f"The folder name {segment[:MAX_SEGMENT]!r} is not allowed: use letters, digits, "
                                 f"spaces and punctuation other than '/', at most {MAX_SEGMENT} characters.",
                                 code="FOLDER_INVALID", details={"folder": path})
    if len(segments) > MAX_FOLDER_DEPTH:
        raise InvalidRequest(f"Folders nest at most {MAX_FOLDER_DEPTH} deep.", code="FOLDER_INVALID",
                             details={"folder": path})
    return "/" + "/".join(segments)


def get_entry(session: Session, organization_id: str, entry_id: str) -> RegistryEntry:
    entry = session.scalar(select(RegistryEntry).where(RegistryEntry.id == entry_id,
                                                       RegistryEntry.organization_id == organization_id)
                           .options(selectinload(RegistryEntry.versions)))
    if entry is None:
        raise NotFound("There is no such document in the registry.", code="REGISTRY_ENTRY_NOT_FOUND")
    return entry


def entries(session: Session, organization_id: str, case_id: str) -> Sequence[RegistryEntry]:
    return session.scalars(select(RegistryEntry).where(RegistryEntry.organization_id == organization_id,
                                                       RegistryEntry.case_id == case_id)
                           .options(selectinload(RegistryEntry.versions))
                           .order_by(RegistryEntry.folder, RegistryEntry.title)).all()


def version_of_document(session: Session, organization_id: str, document_id: str) -> DocumentVersion | None:
    return session.scalar(select(DocumentVersion).where(DocumentVersion.organization_id == organization_id,
                                                        DocumentVersion.document_id == document_id))


def case_of_document(session: Session, organization_id: str, document_id: str) -> Case | None:
    return session.scalar(select(Case).join(RegistryEntry, RegistryEntry.case_id == Case.id)
                          .join(DocumentVersion, DocumentVersion.entry_id == RegistryEntry.id)
                          .where(DocumentVersion.organization_id == organization_id,
                                 DocumentVersion.document_id == document_id))


def file_document(session: Session, organization_id: str, case_id: str, document: Document, *, folder: str | None,
                  title: str | None = None, version_of: str | None = None, note: str | None = None,
                  actor: Actor, ip: str | None = None) -> DocumentVersion:
    """File an uploaded document into a case: a new registry entry under ``folder``, or (``version_of``: an entry
    of the same case) its next version, which becomes the current one."""
    case = get_case(session, organization_id, case_id)
    if document.organization_id != organization_id:
        raise NotFound("No such document.", code="DOCUMENT_NOT_FOUND")
    filed = version_of_document(session, organization_id, document.id)
    if filed is not None:
        raise Conflict("This file is already in the registry (the same bytes were filed before).",
                       code="DOCUMENT_ALREADY_FILED", details={"entry_id": filed.entry_id, "version": filed.version})
    if version_of:
        entry = get_entry(session, organization_id, version_of)
        if entry.case_id != case.id:
            raise NotFound("There is no such document in this case's registry.", code="REGISTRY_ENTRY_NOT_FOUND")
        number = max((version.version for version in entry.versions), default=0) + 1
        entry.current_version = number
    else:
        entry = RegistryEntry(organization_id=organization_id, case_id=case.id, folder=normalize_folder(folder),
                              title=(title or document.filename)[:255], current_version=1, versions=[])
        session.add(entry)
        number = 1
    version = DocumentVersion(organization_id=organization_id, version=number, document_id=document.id,
                              note=(note or None) and note[:500], filed_by=actor.label[:254] if actor else None)
    entry.versions.append(version)
    session.flush()
    record_audit(session, actor, "legal_document.file", ("legal_registry_entry", entry.id), ip=ip,
                 organization_id=organization_id,
                 after={"case": case.number, "folder": entry.folder, "title": entry.title, "version": number,
                        "document_id": document.id})
    return version


def move_entry(session: Session, organization_id: str, entry_id: str, *, folder: str | None,
               case_id: str | None = None, title: str | None = None, actor: Actor,
               ip: str | None = None) -> RegistryEntry:
    """Move a document (all its versions) to another folder, another case, or rename it."""
    entry = get_entry(session, organization_id, entry_id)
    before = {"case_id": entry.case_id, "folder": entry.folder, "title": entry.title}
    if case_id is not None:
        entry.case_id = get_case(session, organization_id, case_id).id
    if folder is not None:
        entry.folder = normalize_folder(folder)
    if title:
        entry.title = title[:255]
    session.flush()
    record_audit(session, actor, "legal_document.move", ("legal_registry_entry", entry.id), before=before,
                 after={"case_id": entry.case_id, "folder": entry.folder, "title": entry.title}, ip=ip,
                 organization_id=organization_id)
    return entry


def current(entry: RegistryEntry) -> DocumentVersion:
    return next(version for version in entry.versions if version.version == entry.current_version)


# -- the tree ---------------------------------------------------------------------------------------------------

@dataclass
class Folder:
    path: str
    name: str
    depth: int
    entries: list[RegistryEntry] = field(default_factory=list)


def tree(filed: Sequence[RegistryEntry]) -> list[Folder]:
    """The folders in depth-first order (every ancestor of a used folder included), each with its documents."""
    folders: dict[str, Folder] = {"/": Folder("/", "/", 0)}
    for entry in filed:
        parts = [part for part in entry.folder.split("/") if part]
        for depth in range(1, len(parts) + 1):
            path = "/" + "/".join(parts[:depth])
            folders.setdefault(path, Folder(path, parts[depth - 1], depth))
        folders[entry.folder if parts else "/"].entries.append(entry)
    return [folders[path] for path in sorted(folders, key=lambda path: [p.lower() for p in path.split("/") if p])]


# -- versions: text, history, what changed --------------------------------------------------------------------

def version_by_number(entry: RegistryEntry, number: int) -> DocumentVersion:
    for version in entry.versions:
        if version.version == number:
            return version
    raise NotFound(f"This document has no version {number}.", code="VERSION_NOT_FOUND",
                   details={"versions": [version.version for version in entry.versions]})


def paragraphs(session: Session, document_id: str) -> list[str]:
    """The document's text as paragraphs (blank lines between them), page after page."""
    found: list[str] = []
    for text in session.scalars(select(Page.text).where(Page.document_id == document_id).order_by(Page.number)):
        found.extend(" ".join(part.split()) for part in _PARAGRAPH_BREAK.split(text) if part.strip())
    return found


@dataclass(frozen=True)
class Change:
    op: Literal["equal", "insert", "delete", "replace"]
    old: tuple[str, ...]
    new: tuple[str, ...]


def diff(old: Sequence[str], new: Sequence[str]) -> list[Change]:
    """What changed from ``old`` to ``new``, paragraph by paragraph (a paragraph edited in place is a replace)."""
    matcher = difflib.SequenceMatcher(a=list(old), b=list(new), autojunk=False)
    return [Change(op, tuple(old[i1:i2]), tuple(new[j1:j2]))
            for op, i1, i2, j1, j2 in matcher.get_opcodes()]


def history(session: Session, document_ids: Sequence[str]) -> dict[str, list[ProcessingEvent]]:
    """Each document's processing history (the pipeline's stages), oldest first."""
    found: dict[str, list[ProcessingEvent]] = {document_id: [] for document_id in document_ids}
    for event in session.scalars(select(ProcessingEvent).where(ProcessingEvent.document_id.in_(list(document_ids)))
                                 .order_by(ProcessingEvent.id)):
        found[event.document_id].append(event)
    return found


def documents_of(session: Session, document_ids: Sequence[str]) -> dict[str, Document]:
    return {document.id: document for document in session.scalars(
        select(Document).where(Document.id.in_(list(document_ids))))}


def document_count(session: Session, organization_id: str, case_id: str) -> int:
    return session.scalar(select(func.count(RegistryEntry.id)).where(
        RegistryEntry.organization_id == organization_id, RegistryEntry.case_id == case_id)) or 0


def document_links(session: Session, document: Document) -> list[DocumentLink]:
    """The document page's buttons: the document's legal page (its case, version and analysis)."""
    filed = version_of_document(session, document.organization_id, document.id)
    analysed = session.get(LegalAnalysisRow, document.id) is not None
    if filed is None and not analysed:
        return []
    return [DocumentLink("Legal analysis and registry", f"/legal/documents/{document.id}")]


def describe(entry: RegistryEntry) -> dict[str, Any]:
    return {"id": entry.id, "case_id": entry.case_id, "folder": entry.folder, "title": entry.title,
            "current_version": entry.current_version}
