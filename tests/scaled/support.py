"""Shared by the scaled tests: settings, a mixed batch of unique documents, and the exactly-once checks."""

from __future__ import annotations

import time
import uuid
from collections import Counter
from dataclasses import dataclass

from sqlalchemy import func, select

from paperclerk import samples
from paperclerk.core.db import session_scope
from paperclerk.core.events import Event
from paperclerk.core.jobs import Job, JobStatus
from paperclerk.documents.models import Document, Page, ProcessingEvent
from tests.conftest import FINAL, Env
from tests.s3_server import MotoServer

#: A killed worker's jobs come back at once (its processes are known dead), not when this runs out; long enough
#: that a live worker whose lease keeper is starved on a loaded machine keeps its jobs.
LEASE_SECONDS = "20"
VISIBILITY_TIMEOUT = "5"


@dataclass
class CeleryEnv:
    env: Env
    s3: MotoServer
    bucket: str
    redis_url: str


@dataclass(frozen=True)
class Sample:
    name: str
    data: bytes
    pages: int


def mixed_batch(pdfs: int, scans: int, *, pages: int = 4) -> list[Sample]:
    """Multi-page text PDFs (quick) and scanned images (OCR takes about a second each), all unique."""
    tag = uuid.uuid4().hex[:8]
    batch = [
        Sample(f"letter-{tag}-{n}.pdf",
               samples.text_pdf([f"Letter {tag} number {n}, page {p + 1}. " + "Rent is due on the first. " * 40
                                 for p in range(pages)]), pages)
        for n in range(pdfs)
    ]
    batch += [
        Sample(f"scan-{tag}-{n}.png",
               samples.scan_image(f"Invoice {tag}-{n}\nACME Ltd, 12 Harbour Road, Bristol\nTotal due: {n + 10}.50 EUR"),
               1)
        for n in range(scans)
    ]
    # Interleave so that quick and slow jobs are queued side by side.
    return sorted(batch, key=lambda sample: sample.name.split("-")[-1].split(".")[0].zfill(4))


def final_count(ids: list[str]) -> int:
    with session_scope(readonly=True) as session:
        return session.scalar(select(func.count()).where(Document.id.in_(ids), Document.status.in_(FINAL))) or 0


def running_jobs() -> list[Job]:
    with session_scope(readonly=True) as session:
        return list(session.scalars(select(Job).where(Job.status == JobStatus.RUNNING)))


def wait_for(condition, *, timeout: float, what: str, interval: float = 0.05):  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + timeout
    while True:
        value = condition()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout} s waiting for {what}")
        time.sleep(interval)


def assert_exactly_once(ids: list[str], batch: list[Sample]) -> dict[str, int]:
    """Each document final with one terminal history entry, one processed event and no duplicate pages.

    Returns document id → number of ``started`` entries (more than one: it was run again).
    """
    expected_pages = {sample.name: sample.pages for sample in batch}
    with session_scope(readonly=True) as session:
        documents = {doc.id: doc for doc in session.scalars(select(Document).where(Document.id.in_(ids)))}
        history = session.execute(select(ProcessingEvent.document_id, ProcessingEvent.stage, ProcessingEvent.outcome)
                                  .where(ProcessingEvent.document_id.in_(ids))).all()
        pages = session.execute(select(Page.document_id, Page.number).where(Page.document_id.in_(ids))).all()
        processed_events = Counter(session.scalars(
            select(Event.subject_id).where(Event.name == "document.processed", Event.subject_id.in_(ids))))
        jobs = {job.subject_id: job for job in session.scalars(select(Job).where(Job.subject_id.in_(ids)))}
    assert len(documents) == len(ids)
    terminal = Counter(document_id for document_id, _stage, outcome in history if outcome in FINAL)
    pipeline_terminal = Counter(document_id for document_id, stage, outcome in history
                                if stage == "pipeline" and outcome in FINAL)
    started = Counter(document_id for document_id, stage, outcome in history
                      if stage == "pipeline" and outcome == "started")
    page_rows = Counter(pages)
    problems = []
    for doc in documents.values():
        if doc.status not in FINAL:
            problems.append(f"{doc.filename}: not final ({doc.status})")
            continue
        if terminal[doc.id] != 1:
            problems.append(f"{doc.filename}: {terminal[doc.id]} terminal history entries")
        if doc.status != "failed":
            if pipeline_terminal[doc.id] != 1:
                problems.append(f"{doc.filename}: {pipeline_terminal[doc.id]} pipeline outcomes")
            if processed_events[doc.id] != 1:
                problems.append(f"{doc.filename}: {processed_events[doc.id]} document.processed events")
            numbers = sorted(number for (document_id, number) in page_rows if document_id == doc.id)
            if numbers != list(range(1, expected_pages[doc.filename] + 1)) or doc.page_count != len(numbers):
                problems.append(f"{doc.filename}: pages {numbers}, page_count {doc.page_count}")
        else:
            problems.append(f"{doc.filename}: failed {doc.error_code}: {doc.error_message}")
        if jobs[doc.id].status != ("failed" if doc.status == "failed" else "done"):
            problems.append(f"{doc.filename}: job {jobs[doc.id].status}")
    duplicated = [key for key, count in page_rows.items() if count > 1]
    assert not duplicated, f"duplicated pages: {duplicated}"
    assert not problems, "\n".join(problems)
    return dict(started)
