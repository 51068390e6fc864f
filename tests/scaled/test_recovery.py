"""Recovery with real Celery workers, well inside a long lease: a job whose pool process died is taken again at
once, and a job whose send never reached the broker is sent again within seconds (issue 8, reliability 7)."""

from __future__ import annotations

import os

import pytest
from sqlalchemy import select

from paperclerk.config import get_settings
from paperclerk.core.db import session_scope
from paperclerk.core.jobs import Job
from tests.celery_workers import Processes
from tests.conftest import reset_caches, wait_until_final
from tests.helpers import api_client, upload
from tests.scaled.support import CeleryEnv, mixed_batch, running_jobs, wait_for

pytestmark = [pytest.mark.celery, pytest.mark.postgres, pytest.mark.s3]

#: Far longer than either recovery may take: a job finished before it ran out was not waiting for it.
LONG_LEASE = "300"


@pytest.fixture
def long_lease(celery_env: CeleryEnv, monkeypatch: pytest.MonkeyPatch) -> CeleryEnv:
    monkeypatch.setenv("PAPERCLERK_JOB_LEASE_SECONDS", LONG_LEASE)
    monkeypatch.setenv("PAPERCLERK_JOB_RESEND_UNSENT_SECONDS", "4")
    get_settings.cache_clear()
    return celery_env


@pytest.mark.timeout(240)
def test_a_job_whose_pool_process_died_is_taken_again_before_its_lease_ends(long_lease: CeleryEnv,
                                                                             processes: Processes) -> None:
    batch = mixed_batch(pdfs=0, scans=3)
    proc = processes.worker("worker", queues="ocr", concurrency=1)
    with api_client(embedded_workers=False) as client:
        ids = [document["id"] for document in upload(client, *((s.name, s.data) for s in batch))["documents"]]
    [victim, *_] = wait_for(running_jobs, timeout=120, what="a pool process running a job")
    os.kill(int((victim.worker or "").split(":")[1]), 9)

    wait_until_final(ids, timeout=150)  # well before the victim's lease (300 s) runs out
    with session_scope(readonly=True) as session:
        again = session.get(Job, victim.id)
    assert again is not None and again.status == "done" and again.attempts == 2
    assert proc.alive()


@pytest.mark.timeout(240)
def test_a_job_whose_send_was_lost_is_sent_again_within_seconds(long_lease: CeleryEnv, processes: Processes,
                                                                monkeypatch: pytest.MonkeyPatch) -> None:
    processes.worker("worker", queues="default", concurrency=1)
    monkeypatch.setenv("PAPERCLERK_BROKER_URL", "redis://127.0.0.1:1/0")  # this server cannot reach the broker
    reset_caches()
    batch = mixed_batch(pdfs=2, scans=0)
    with api_client(embedded_workers=False) as client:
        ids = [document["id"] for document in upload(client, *((s.name, s.data) for s in batch))["documents"]]
    with session_scope(readonly=True) as session:
        assert set(session.scalars(select(Job.sent_at).where(Job.subject_id.in_(ids)))) == {None}

    wait_until_final(ids, timeout=150)  # the worker's sweep sent them (the lost-message sweep waits 1,200 s)
