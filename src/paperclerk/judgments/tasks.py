"""The drafting job (``judgments.draft``), run by the embedded workers or Celery like every job: mark the request
running, read the case file's new documents (in the sandbox, no transaction open; a file that cannot be read is
recorded with its reason and the rest used), draft with the request's engine (an identical case drafted before is
taken from the cache), store version 1 and record ``judgments.draft.ready`` (or ``judgments.draft.failed``)."""

from __future__ import annotations

import logging
import tempfile
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session, undefer

from paperclerk.config import get_settings
from paperclerk.core import events
from paperclerk.core.db import session_scope
from paperclerk.core.errors import PaperclerkError
from paperclerk.core.worker import JobRun, TaskSpec, register_task
from paperclerk.judgments import cache, llm_engine, precedent_engine, precedents, service
from paperclerk.judgments.casefile import CaseDocument, CaseFile, read_document
from paperclerk.judgments.draft import Draft
from paperclerk.judgments.models import CaseFileDocument, JudgmentRequest, RequestStatus

log = logging.getLogger(__name__)
_SUBJECT = "judgment_request"


def _read_new_files(request_id: str) -> None:
    """Read the documents not read yet (in the sandbox, outside any transaction) and keep their pages, or why they
    could not be read, on their rows: later drafts reuse them."""
    settings = get_settings()
    with session_scope(readonly=True) as session:
        unread = [(row.id, row.filename, row.content) for row in session.scalars(
            select(CaseFileDocument).where(CaseFileDocument.request_id == request_id, CaseFileDocument.pages.is_(None),
                                           CaseFileDocument.error.is_(None))
            .options(undefer(CaseFileDocument.content)))]
    results: dict[int, list[str] | dict[str, str]] = {}
    for row_id, filename, content in unread:
        with tempfile.TemporaryDirectory(prefix="paperclerk-judgment-") as folder:
            path = Path(folder) / (Path(filename).name or "document")
            path.write_bytes(content)
            try:
                results[row_id] = list(read_document(path, settings=settings).pages)
            except PaperclerkError as error:
                results[row_id] = {"code": error.code, "message": error.message}
    with session_scope() as session:
        for row_id, result in results.items():
            row = session.get(CaseFileDocument, row_id)
            if row is None:
                continue
            if isinstance(result, dict):
                row.error = result
            else:
                row.pages = result


def _case_file(session: Session, request: JudgmentRequest) -> CaseFile:
    case = CaseFile()
    rows = session.scalars(select(CaseFileDocument).where(CaseFileDocument.request_id == request.id)
                           .options(undefer(CaseFileDocument.pages)).order_by(CaseFileDocument.id)).all()
    for row in rows:
        if row.error is not None:
            case.errors.append({"file": row.filename, **row.error})
        elif row.pages is not None:
            case.documents.append(CaseDocument(row.filename, tuple(row.pages)))
    return case


def _write(session: Session, request: JudgmentRequest, case: CaseFile) -> Draft:
    store = precedents.shipped()
    if request.engine == llm_engine.ENGINE:
        return llm_engine.draft(session, request.organization_id, case, name=request.title,
                                jurisdiction=request.jurisdiction, store=store, questions=list(request.questions))
    return precedent_engine.draft(case, name=request.title, jurisdiction=request.jurisdiction, store=store,
                                  questions=list(request.questions))


def draft_request(run: JobRun) -> None:
    """Mark the request running, read its new documents (no transaction open meanwhile), then draft and save."""
    with session_scope() as session:
        request = session.get(JudgmentRequest, run.subject_id)
        if request is None:
            run.complete(session)
            return
        request.status = RequestStatus.RUNNING
        service.changed(session, request)
    _read_new_files(run.subject_id)
    fresh: tuple[str, dict[str, object]] | None = None
    with session_scope() as session:
        request = session.get(JudgmentRequest, run.subject_id)
        if request is None:
            run.complete(session)
            return
        case = _case_file(session, request)
        if not case.documents:
            raise PaperclerkError("No document of the case file could be read.", code="JUDGMENT_NO_READABLE_FILE",
                                  http_status=422)
        key = service.draft_key(request)
        found = cache.get_cache().get(key)
        if found is not None:
            result, tokens = Draft.from_json(found["draft"]), 0
        else:
            result = _write(session, request, case)
            tokens = result.tokens
            fresh = (key, {"version": 0, "draft": result.to_json()})
        request.tokens += tokens
        request.status = RequestStatus.DRAFTED
        service.add_version(session, request, result.to_json(), change=f"engine:{result.engine}", note="",
                            author=f"engine:{result.engine}")
        events.record(session, "judgments.draft.ready", organization_id=request.organization_id,
                      subject_type=_SUBJECT, subject_id=request.id,
                      payload={"outcome": result.outcome_label, "engine": result.engine, "tokens": tokens})
        run.complete(session)
    if fresh is not None:  # committed: an identical case asked again is answered from the cache
        cache.get_cache().fill(*fresh)


def _failed(session: Session, run: JobRun, error: PaperclerkError) -> None:
    request = session.get(JudgmentRequest, run.subject_id)
    if request is None:
        return
    request.status, request.error = RequestStatus.FAILED, f"{error.code}: {error.message}"
    service.changed(session, request)
    events.record(session, "judgments.draft.failed", organization_id=request.organization_id,
                  subject_type=_SUBJECT, subject_id=request.id, payload={"code": error.code})


def _will_retry(_session: Session, run: JobRun, error: PaperclerkError, delay: float) -> None:
    log.warning("a draft judgment will be tried again", extra={"request_id": run.subject_id, "code": error.code,
                                                               "delay": delay})


register_task(TaskSpec(name=service.DRAFT_TASK, run=draft_request, on_failure=_failed, on_retry=_will_retry))
