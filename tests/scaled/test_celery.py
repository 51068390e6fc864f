"""Scaled-out mode end to end: the API in-process, real ``paperclerk worker`` processes, PostgreSQL, Redis, S3.

Jobs go through Celery queues (quick work on ``default``, OCR on ``ocr``) and a worker killed with
``kill -9`` mid-batch loses nothing: its jobs are claimed again (at once: its processes are known dead), and every
document reaches its final state exactly once.
"""

from __future__ import annotations

import os
import time
import uuid

import pytest
from sqlalchemy import select

from paperclerk import samples
from paperclerk.core.db import session_scope
from paperclerk.core.jobs import Job
from paperclerk.documents.models import ProcessingEvent
from tests.celery_workers import Proc, Processes
from tests.conftest import wait_until_final
from tests.helpers import api_client, upload
from tests.scaled.support import (
    CeleryEnv,
    assert_exactly_once,
    final_count,
    mixed_batch,
    running_jobs,
    wait_for,
)

pytestmark = [pytest.mark.celery, pytest.mark.postgres, pytest.mark.s3]


def job_of(document_id: str) -> Job:
    with session_scope(readonly=True) as session:
        job = session.scalars(select(Job).where(Job.subject_id == document_id)).one()
        return job


def started_entries(document_id: str) -> list[ProcessingEvent]:
    with session_scope(readonly=True) as session:
        return list(session.scalars(select(ProcessingEvent).where(
            ProcessingEvent.document_id == document_id, ProcessingEvent.stage == "pipeline",
            ProcessingEvent.outcome == "started").order_by(ProcessingEvent.id)))


def belongs_to(worker_name: str, proc: Proc) -> bool:
    """Was the job taken by one of ``proc``'s pool processes? (``worker`` is host:pid:nonce:thread)."""
    try:
        return os.getpgid(int(worker_name.split(":")[1])) == proc.pid
    except (ProcessLookupError, ValueError, IndexError):
        return False


@pytest.mark.timeout(150)
def test_scans_go_to_the_ocr_queue_and_text_pdfs_to_default(celery_env: CeleryEnv, processes: Processes) -> None:
    # Digits only: the receipt's tag must come back exactly from OCR, and a random mix of letters and digits in
    # a small bitmap font is a coin toss for any engine (tesseract read a '9a68…' as '9468…').
    tag = f"{uuid.uuid4().int % 10**8:08d}"
    pdf = samples.text_pdf([f"Tenancy agreement {tag}, page 1.", f"Tenancy agreement {tag}, page 2."])
    image = samples.scan_image(f"Receipt {tag}\nTotal 12.40 EUR")
    scanned_pdf = samples.scanned_pdf([f"Scanned letter {tag}\nDear Sir or Madam"])
    quick = processes.worker("default-worker", queues="default", concurrency=1)

    with api_client(embedded_workers=False) as client:
        result = upload(client, ("lease.pdf", pdf), ("receipt.png", image), ("scan.pdf", scanned_pdf))
        pdf_id, image_id, scan_id = (document["id"] for document in result["documents"])
        assert job_of(image_id).queue == "ocr"  # routed at intake by its type
        assert job_of(pdf_id).queue == job_of(scan_id).queue == "default"

        wait_until_final([pdf_id], timeout=60)
        # The scanned PDF had no text layer: the quick worker handed it to the OCR queue (no attempt spent).
        wait_for(lambda: job_of(scan_id).queue == "ocr", timeout=30, what="the scanned PDF moving to ocr")
        time.sleep(1.0)  # a default-only worker must leave OCR work alone
        for waiting in (image_id, scan_id):
            job = job_of(waiting)
            assert (job.queue, job.status, job.attempts) == ("ocr", "queued", 0)
        assert client.get(f"/api/v1/documents/{image_id}").json()["status"] == "queued"

        ocr = processes.worker("ocr-worker", queues="ocr", concurrency=1)
        wait_until_final([image_id, scan_id], timeout=90)

        detail = client.get(f"/api/v1/documents/{pdf_id}").json()
        assert detail["status"] in ("processed", "needs_review")
        assert len(detail["pages"]) == 2
        downloaded = client.get(f"/api/v1/documents/{pdf_id}/file")
        assert downloaded.status_code == 200 and downloaded.content == pdf  # served from the S3 bucket
        image_detail = client.get(f"/api/v1/documents/{image_id}").json()
        assert tag in image_detail["pages"][0]["text"], image_detail["pages"]

    [pdf_run] = started_entries(pdf_id)
    assert pdf_run.message == "default queue" and belongs_to(pdf_run.worker or "", quick)
    [image_run] = started_entries(image_id)
    assert image_run.message == "ocr queue" and belongs_to(image_run.worker or "", ocr)
    scan_runs = started_entries(scan_id)
    assert [run.message for run in scan_runs] == ["default queue", "ocr queue"]
    assert belongs_to(scan_runs[0].worker or "", quick) and belongs_to(scan_runs[1].worker or "", ocr)
    assert job_of(scan_id).attempts == 1
    # The blobs live in the bucket, not on local disk.
    keys = celery_env.s3.client().list_objects_v2(Bucket=celery_env.bucket)["KeyCount"]
    assert keys == 3
    assert not (celery_env.env.data_dir / "blobs").exists()


@pytest.mark.timeout(170)
def test_worker_killed_mid_batch_loses_nothing(celery_env: CeleryEnv, processes: Processes) -> None:
    batch = mixed_batch(pdfs=20, scans=8)
    victim = processes.worker("worker-a")
    survivor = processes.worker("worker-b")

    with api_client(embedded_workers=False) as client:
        ids = [document["id"] for document in upload(client, *((s.name, s.data) for s in batch))["documents"]]
    assert len(ids) == len(batch)

    def victim_busy() -> list[Job]:
        if final_count(ids) < 3:
            return []
        return [job for job in running_jobs() if belongs_to(job.worker or "", victim)]

    in_flight = wait_for(victim_busy, timeout=90, what="worker-a running jobs after the first documents are final")
    victim.kill_group()
    assert final_count(ids) < len(ids)

    wait_until_final(ids, timeout=120)
    assert_exactly_once(ids, batch)
    # Taken over from the killed worker (it may have died between claiming a job and starting its first stage, so
    # the proof is the job's second attempt, not a stage started twice).
    for job in in_flight:
        again = job_of(job.subject_id)
        assert again.status == "done" and again.attempts >= 2, (again.status, again.attempts)
        assert not belongs_to(again.worker or "", victim)
    assert survivor.alive()


def pool_children(proc: Proc) -> set[int]:
    with open(f"/proc/{proc.pid}/task/{proc.pid}/children") as children:
        return {int(pid) for pid in children.read().split()}


@pytest.mark.timeout(150)
def test_pool_process_killed_mid_job_is_replaced_and_the_job_finishes(celery_env: CeleryEnv,
                                                                      processes: Processes) -> None:
    """What the OOM killer does to an OCR job: only the pool process dies; Celery forks a replacement
    (from a parent whose sweeper already opened database connections) and the job runs again."""
    batch = mixed_batch(pdfs=4, scans=4)
    proc = processes.worker("worker")
    with api_client(embedded_workers=False) as client:
        ids = [document["id"] for document in upload(client, *((s.name, s.data) for s in batch))["documents"]]

    def busy_child() -> list[Job]:
        return [job for job in running_jobs() if belongs_to(job.worker or "", proc)] if final_count(ids) else []

    [victim_job, *_] = wait_for(busy_child, timeout=90, what="a pool process running a job")
    victim_pid = int((victim_job.worker or "").split(":")[1])
    before = pool_children(proc)
    assert victim_pid in before
    os.kill(victim_pid, 9)

    wait_until_final(ids, timeout=90)
    assert proc.alive()
    replacements = pool_children(proc) - before
    assert replacements, "Celery should have forked a replacement pool process"
    assert_exactly_once(ids, batch)
    again = job_of(victim_job.subject_id)
    assert again.attempts >= 2 and again.worker is not None and int(again.worker.split(":")[1]) != victim_pid
    log = proc.log_path.read_text()
    assert "OperationalError" not in log and "INTERNAL_ERROR" not in log
