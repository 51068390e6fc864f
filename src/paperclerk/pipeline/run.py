"""Processing one document: the stages run without the database, then one transaction saves all.

Stages are plain functions over :class:`PipelineContext`, each timed. The final transaction
stores pages, language, kind, analyses, the search index entry, attachments, history and the
final status, and marks the job done — so a document reaches its final state exactly once.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import replace

from sqlalchemy import delete
from sqlalchemy.orm import Session

from paperclerk.ai import service as ai
from paperclerk.config import Settings, get_settings
from paperclerk.core import events
from paperclerk.core.db import after_commit, session_scope, utcnow
from paperclerk.core.errors import PaperclerkError
from paperclerk.core.jobs import Queue
from paperclerk.core.storage import get_store, scratch_prefix
from paperclerk.core.worker import JobRun, MoveToQueue, TaskSpec, as_error, register_task
from paperclerk.documents import service as documents
from paperclerk.documents.models import Document, DocumentStatus, Page
from paperclerk.extraction import sandbox
from paperclerk.extraction.base import Limits, NeedsOCR
from paperclerk.extraction.language import detect_language
from paperclerk.ops.metrics import DOCUMENTS_PROCESSED, STAGE_DURATION
from paperclerk.pipeline import progress
from paperclerk.pipeline.analyzers import analyzers_for
from paperclerk.pipeline.classify import classify
from paperclerk.pipeline.context import DocumentFacts, PipelineContext
from paperclerk.search import index, passages


def extract_text(context: PipelineContext) -> None:
    try:
        context.extraction = sandbox.extract(context.path, context.document.media_type, allow_ocr=context.allow_ocr,
                                             limits=context.limits, settings=get_settings())
    except NeedsOCR:
        raise MoveToQueue(Queue.OCR) from None


def detect_text_language(context: PipelineContext) -> None:
    assert context.extraction is not None
    context.language = detect_language(context.extraction.text)


def classify_kind(context: PipelineContext) -> None:
    """The kind the text reads as, unless the uploader declared it (the scores are kept either way)."""
    assert context.extraction is not None
    context.kind, context.kind_scores = classify(context.extraction.text)
    if context.document.declared_kind:
        context.kind = context.document.declared_kind


def analyze(context: PipelineContext) -> None:
    assert context.kind is not None
    context.analyses = [(analyzer, analyzer.analyze(context)) for analyzer in analyzers_for(context.kind)]


def find_passages(context: PipelineContext) -> None:
    """Paragraphs with their spans, embedded for semantic search (stored by the index step)."""
    assert context.extraction is not None
    context.passages = passages.prepare([(page.number, storable(page.text)) for page in context.extraction.pages],
                                        context.document.organization_id)


STAGES: list[tuple[str, Callable[[PipelineContext], None]]] = [
    ("extract", extract_text),
    ("language", detect_text_language),
    ("classify", classify_kind),
    ("analyze", analyze),
    ("passages", find_passages),
]


def _timed(context: PipelineContext, stage: str, step: Callable[[], None]) -> None:
    started = time.perf_counter()
    try:
        step()
    except MoveToQueue:
        raise
    except Exception as exc:
        error = as_error(exc)
        error.details.setdefault("stage", stage)
        raise error from exc
    finally:
        context.timings[stage] = round((time.perf_counter() - started) * 1000, 2)


def record_start(session: Session, run: JobRun) -> None:
    document = session.get(Document, run.subject_id)
    if document is not None:
        document.status = DocumentStatus.PROCESSING
        documents.add_history(session, document.id, stage="pipeline", outcome="started", attempt=run.attempt,
                              worker=run.worker, message=f"{run.queue} queue")


def process(run: JobRun) -> None:
    settings = get_settings()
    with session_scope(readonly=True) as session:
        document = session.get(Document, run.subject_id)
        if document is not None:
            facts = DocumentFacts(document.id, document.organization_id, document.sha256, document.filename,
                                  document.media_type, document.declared_kind)
    if document is None:  # deleted while queued
        with session_scope() as session:
            run.complete(session)
        return
    progress_file = settings.data_dir / "tmp" / f"{scratch_prefix('progress')}{run.job_id}"
    progress_file.parent.mkdir(parents=True, exist_ok=True)
    limits = replace(Limits.from_settings(settings), progress_file=str(progress_file))
    with get_store().local_path(facts.sha256) as path, progress.pages_read(facts.id, progress_file):
        context = PipelineContext(document=facts, path=path, allow_ocr=run.queue == Queue.OCR, limits=limits)
        for stage, step in STAGES:
            _timed(context, stage, lambda step=step: step(context))  # type: ignore[misc]
    with session_scope() as session:
        run.complete(session)
        _save(session, context, run, settings)


def storable(text: str) -> str:
    """Text as every database can hold it: NUL becomes U+FFFD (same length, so spans stay valid)."""
    return text.replace("\x00", "\ufffd")


def _save(session: Session, context: PipelineContext, run: JobRun, settings: Settings) -> None:
    extraction = context.extraction
    assert extraction is not None
    document = documents.get(session, context.document.id, organization_id=context.document.organization_id)
    session.execute(delete(Page).where(Page.document_id == document.id))
    session.add_all(
        Page(document_id=document.id, number=page.number, text=storable(page.text), method=page.method,
             width=page.width,
             height=page.height, ocr_confidence=page.ocr_confidence,
             segments=[[s.start, s.end, *(round(v, 2) for v in s.bbox)] for s in page.segments])
        for page in extraction.pages
    )
    # Every analyzer saves (a list, not any(): no short cut); each returns its routing decision.
    reviews = [analyzer.save(session, document, result) for analyzer, result in context.analyses]
    title = str(extraction.metadata.get("title") or document.filename)
    _timed(context, "index", lambda: _index(session, document, title, context))
    documents.link_attachments(session, document, [
        documents.receive_bytes(session, attachment.data, organization_id=document.organization_id,
                                filename=attachment.filename, source="email", settings=settings,
                                parent_id=document.id).document
        for attachment in extraction.attachments])
    document.page_count = len(extraction.pages)
    document.language = context.language
    document.kind = context.kind
    document.file_metadata = {key: value for key, value in extraction.metadata.items() if value is not None}
    document.timings = dict(context.timings)
    needs_review = context.needs_review or any(reviews)
    document.status = DocumentStatus.NEEDS_REVIEW if needs_review else DocumentStatus.PROCESSED
    document.progress = None
    document.processed_at = utcnow()
    document.error_code = document.error_message = None
    for stage, duration in context.timings.items():
        documents.add_history(session, document.id, stage=stage, outcome="succeeded", attempt=run.attempt,
                              duration_ms=duration, worker=run.worker, message=_stage_note(stage, context))
    documents.add_history(session, document.id, stage="pipeline", outcome=document.status, attempt=run.attempt,
                          duration_ms=round(sum(context.timings.values()), 2), worker=run.worker)
    events.record(session, "document.processed", organization_id=document.organization_id, subject_type="document",
                  subject_id=document.id,
                  payload={"kind": document.kind, "status": document.status, "pages": document.page_count})
    organization, kind, status, timings = (document.organization_id, document.kind or "other", document.status,
                                           dict(context.timings))
    after_commit(session, lambda: _observe(organization, kind, status, timings))


def _index(session: Session, document: Document, title: str, context: PipelineContext) -> None:
    assert context.extraction is not None and context.passages is not None
    index.upsert(session, document_id=document.id, organization_id=document.organization_id, title=title,
                 body=storable(context.extraction.text))
    found = context.passages
    passages.replace(session, document_id=document.id, organization_id=document.organization_id, spans=found.spans,
                     vectors=found.vectors, model=found.model)
    if found.tokens:
        ai.record_usage(session, document.organization_id, purpose="index", model=found.model,
                        prompt_tokens=found.tokens)


def _stage_note(stage: str, context: PipelineContext) -> str | None:
    extraction = context.extraction
    if stage == "extract" and extraction is not None:
        methods = sorted({page.method for page in extraction.pages})
        note = f"{len(extraction.pages)} page(s) via {', '.join(methods) or 'nothing'}"
        if extraction.attachments:
            note += f"; {len(extraction.attachments)} attachment(s)"
        return note
    if stage == "language":
        return context.language or "undetermined"
    if stage == "classify":
        return f"{context.kind} ({context.kind_scores.get(context.kind or '', 0)})"
    if stage == "passages" and context.passages is not None:
        found = context.passages
        if found.missing_vectors:
            return f"{len(found.spans)} passage(s), no vectors ({found.missing_vectors}): found by words only"
        return f"{len(found.spans)} passage(s), {found.model}"
    if stage == "analyze":
        return ", ".join(analyzer.name for analyzer, _ in context.analyses) or "no analyzer for this kind"
    return None


def _observe(organization: str, kind: str, outcome: str, timings: dict[str, float]) -> None:
    DOCUMENTS_PROCESSED.labels(organization=organization, kind=kind, outcome=outcome).inc()
    for stage, duration in timings.items():
        STAGE_DURATION.labels(stage=stage).observe(duration / 1000)


def record_failure(session: Session, run: JobRun, error: PaperclerkError) -> None:
    document = session.get(Document, run.subject_id)
    if document is None:
        return
    document.status = DocumentStatus.FAILED
    document.progress = None
    document.error_code = error.code
    document.error_message = error.message
    documents.add_history(session, document.id, stage=str(error.details.get("stage", "pipeline")), outcome="failed",
                          attempt=run.attempt, error_code=error.code, message=error.message, worker=run.worker)
    events.record(session, "document.failed", organization_id=document.organization_id, subject_type="document",
                  subject_id=document.id,
                  payload={"error_code": error.code})
    organization, kind = document.organization_id, document.kind or "unknown"
    after_commit(session, lambda: DOCUMENTS_PROCESSED.labels(organization=organization, kind=kind,
                                                             outcome="failed").inc())


def record_retry(session: Session, run: JobRun, error: PaperclerkError, delay: float) -> None:
    document = session.get(Document, run.subject_id)
    if document is None:
        return
    document.status = DocumentStatus.QUEUED
    document.progress = None
    documents.add_history(session, document.id, stage=str(error.details.get("stage", "pipeline")),
                          outcome="retrying", attempt=run.attempt, error_code=error.code,
                          message=f"{error.message} — retrying in {delay:.0f} s", worker=run.worker)


register_task(TaskSpec(name=documents.PROCESS_TASK, run=process, on_failure=record_failure, on_retry=record_retry,
                       on_claim=record_start))
