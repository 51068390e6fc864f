"""Judgment requests: open one, add the case file's documents, queue the drafting job, read, review (edit a
section, accept or override the outcome), every change a new version of the draft and an audit entry. Plain
functions taking a session; they never commit."""

from __future__ import annotations

import copy
import hashlib
import re
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from paperclerk.core import jobs
from paperclerk.core.audit import Actor, record_audit
from paperclerk.core.db import after_commit
from paperclerk.core.errors import Conflict, FileEmpty, FileTooLarge, InvalidRequest, NotFound
from paperclerk.judgments import cache
from paperclerk.judgments.draft import LABELS
from paperclerk.judgments.models import CaseFileDocument, DraftVersion, JudgmentRequest, RequestStatus
from paperclerk.legal import cases

DRAFT_TASK = "judgments.draft"
#: Control characters (tab and line breaks aside) have no place in a judgment and no document format holds them.
_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
MAX_FILES = 50
_SUBJECT = "judgment_request"


def view(request: JudgmentRequest) -> dict[str, Any]:
    """What the API serves for a request (and the cache keeps): its fields, case file and current draft."""
    current = request.current
    return {
        "id": request.id, "title": request.title, "jurisdiction": request.jurisdiction,
        "court_level": request.court_level, "questions": list(request.questions), "engine": request.engine,
        "status": request.status, "error": request.error, "legal_case_id": request.legal_case_id,
        "tokens": request.tokens, "outcome_decision": request.outcome_decision, "version": request.revision,
        "draft_version": current.number if current else None,
        "files": [{"filename": f.filename, "size": f.size, "sha256": f.sha256, "error": f.error}
                  for f in request.files],
        "draft": current.content if current else None,
        "created_by": request.created_by, "created_at": request.created_at.isoformat(),
    }


def changed(session: Session, request: JudgmentRequest) -> None:
    """Bump the request's revision; once committed, its new view replaces every cached copy."""
    request.revision = (request.revision or 1) + 1
    session.flush()
    value = view(request)
    key = cache.served_key(request.organization_id, request.id)
    after_commit(session, lambda: cache.get_cache().publish(key, value))


def draft_key(request: JudgmentRequest) -> str:
    """The key an engine's draft of this case is cached under."""
    return cache.draft_key(request.organization_id, [
        *sorted(f.sha256 for f in request.files), request.jurisdiction, request.court_level,
        *request.questions, request.engine])


def get_request(session: Session, organization_id: str, request_id: str) -> JudgmentRequest:
    found = session.scalars(select(JudgmentRequest).where(JudgmentRequest.id == request_id,
                                                          JudgmentRequest.organization_id == organization_id)).first()
    if found is None:
        raise NotFound("No such judgment request.", code="JUDGMENT_NOT_FOUND")
    return found


def list_requests(session: Session, organization_id: str, *, limit: int, offset: int
                  ) -> tuple[list[JudgmentRequest], int]:
    scoped = select(JudgmentRequest).where(JudgmentRequest.organization_id == organization_id)
    total = session.scalar(select(func.count()).select_from(scoped.subquery())) or 0
    items = session.scalars(scoped.order_by(JudgmentRequest.created_at.desc(), JudgmentRequest.id)
                            .limit(limit).offset(offset)).all()
    return list(items), total


def open_request(session: Session, organization_id: str, *, title: str, jurisdiction: str, court_level: str,
                 questions: list[str], engine: str, legal_case_id: str | None, actor: Actor,
                 ip: str | None = None) -> JudgmentRequest:
    if legal_case_id is not None:
        cases.get_case(session, organization_id, legal_case_id)  # the organisation's case, or CASE_NOT_FOUND
    request = JudgmentRequest(organization_id=organization_id, title=title, jurisdiction=jurisdiction,
                              court_level=court_level, questions=questions, engine=engine,
                              legal_case_id=legal_case_id, created_by=actor.label)
    session.add(request)
    session.flush()
    record_audit(session, actor, "judgments.request.opened", (_SUBJECT, request.id), ip=ip,
                 after={"title": title, "jurisdiction": jurisdiction, "engine": engine, "questions": questions})
    return request


def add_file(session: Session, organization_id: str, request_id: str, *, filename: str, content: bytes,
             max_bytes: int, actor: Actor, ip: str | None = None) -> CaseFileDocument:
    request = get_request(session, organization_id, request_id)
    if request.status not in (RequestStatus.OPEN, RequestStatus.FAILED):
        raise Conflict("The case file of a request being drafted or drafted cannot change.",
                       code="JUDGMENT_NOT_OPEN")
    if len(content) > max_bytes:
        raise FileTooLarge(f"{filename} is larger than the {max_bytes // (1024 * 1024)} MB limit.",
                           details={"max_bytes": max_bytes})
    if not content:
        raise FileEmpty(f"{filename} is empty.")
    if len(request.files) >= MAX_FILES:
        raise InvalidRequest(f"A case file holds at most {MAX_FILES} documents.", code="JUDGMENT_TOO_MANY_FILES")
    if any(f.filename == filename for f in request.files):
        raise Conflict(f"The case file already has a document called {filename}.", code="JUDGMENT_FILE_EXISTS")
    document = CaseFileDocument(organization_id=organization_id, request_id=request.id, filename=filename,
                                size=len(content), sha256=hashlib.sha256(content).hexdigest(), content=content)
    request.files.append(document)
    changed(session, request)
    record_audit(session, actor, "judgments.file.added", (_SUBJECT, request.id), ip=ip,
                 after={"filename": filename, "bytes": len(content), "sha256": document.sha256})
    return document


def queue_draft(session: Session, organization_id: str, request_id: str, *, actor: Actor,
                ip: str | None = None) -> JudgmentRequest:
    request = get_request(session, organization_id, request_id)
    if request.status in (RequestStatus.QUEUED, RequestStatus.RUNNING):
        raise Conflict("The draft is already being written.", code="JUDGMENT_RUNNING")
    if not request.files:
        raise InvalidRequest("Add at least one document to the case file first.", code="JUDGMENT_NO_FILES")
    before = request.status
    request.status, request.error = RequestStatus.QUEUED, None
    jobs.enqueue(session, task=DRAFT_TASK, subject_id=request.id, max_attempts=2)
    changed(session, request)
    record_audit(session, actor, "judgments.draft.requested", (_SUBJECT, request.id), ip=ip,
                 before={"status": before}, after={"status": request.status})
    return request


def add_version(session: Session, request: JudgmentRequest, content: dict[str, Any], *, change: str,
                note: str, author: str) -> DraftVersion:
    version = DraftVersion(organization_id=request.organization_id, request_id=request.id,
                           number=len(request.versions) + 1, content=content, change=change, note=note,
                           author=author)
    request.versions.append(version)
    changed(session, request)
    return version


def _drafted(session: Session, organization_id: str, request_id: str) -> tuple[JudgmentRequest, DraftVersion]:
    request = get_request(session, organization_id, request_id)
    if request.current is None:
        raise Conflict("The request has no draft yet.", code="JUDGMENT_NOT_DRAFTED")
    return request, request.current


def edit_section(session: Session, organization_id: str, request_id: str, *, index: int, text: str, note: str,
                 actor: Actor, ip: str | None = None) -> DraftVersion:
    """A reviewer's text for one section; the sources stay those of the engine's text (the page shows them)."""
    if _CONTROL.search(text) or _CONTROL.search(note):
        raise InvalidRequest("The text holds control characters.", code="JUDGMENT_TEXT_INVALID")
    request, current = _drafted(session, organization_id, request_id)
    content = copy.deepcopy(current.content)
    sections = content["sections"]
    if not 0 <= index < len(sections):
        raise NotFound("No such section.", code="JUDGMENT_SECTION_NOT_FOUND")
    before = sections[index]["text"]
    sections[index]["text"] = text
    sections[index]["edited"] = True
    version = add_version(session, request, content, change="edit", note=note, author=actor.label)
    record_audit(session, actor, "judgments.section.edited", (_SUBJECT, request.id), ip=ip,
                 before={"section": sections[index]["title"], "text": before, "version": current.number},
                 after={"section": sections[index]["title"], "text": text, "version": version.number,
                        "note": note})
    return version


def decide_outcome(session: Session, organization_id: str, request_id: str, *, label: str | None, reasons: str,
                   actor: Actor, ip: str | None = None) -> DraftVersion:
    """Accept the predicted outcome (``label`` None or the same) or override it with another label; reasons are
    required for an override."""
    if _CONTROL.search(reasons):
        raise InvalidRequest("The reasons hold control characters.", code="JUDGMENT_TEXT_INVALID")
    request, current = _drafted(session, organization_id, request_id)
    content = copy.deepcopy(current.content)
    predicted = content["outcome"]["label"]
    chosen = label or predicted
    if chosen not in LABELS[request.jurisdiction]:
        raise InvalidRequest(f"The outcome must be one of {', '.join(LABELS[request.jurisdiction])}.",
                             code="JUDGMENT_BAD_OUTCOME")
    overridden = chosen != predicted
    if overridden and not reasons.strip():
        raise InvalidRequest("Say why the outcome is overridden.", code="JUDGMENT_REASONS_REQUIRED")
    content["review"] = {"outcome": chosen, "predicted": predicted, "decision": "overridden" if overridden
                         else "accepted", "reasons": reasons, "by": actor.label}
    before = request.outcome_decision
    request.outcome_decision = "overridden" if overridden else "accepted"
    version = add_version(session, request, content, change="outcome", note=reasons, author=actor.label)
    record_audit(session, actor, "judgments.outcome." + request.outcome_decision, (_SUBJECT, request.id), ip=ip,
                 before={"decision": before, "predicted": predicted},
                 after={"decision": request.outcome_decision, "outcome": chosen, "reasons": reasons,
                        "version": version.number})
    return version
