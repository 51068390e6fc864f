"""Embedded mode survives ``kill -9``: a restarted ``paperclerk serve`` finishes the batch, each document once."""

from __future__ import annotations

import httpx
import pytest

from paperclerk.core.db import session_scope
from paperclerk.core.jobs import Job
from tests.celery_workers import Processes
from tests.conftest import Env, wait_until_final
from tests.helpers import api_key
from tests.s3_server import free_port, wait_for_port
from tests.scaled.support import (
    LEASE_SECONDS,
    assert_exactly_once,
    final_count,
    mixed_batch,
    running_jobs,
    wait_for,
)


def start_serve(processes: Processes, name: str) -> str:
    port = free_port()
    proc = processes.start(name, "serve", "--port", str(port))
    wait_for_port(port, timeout=60, process=proc.process)
    return f"http://127.0.0.1:{port}"


@pytest.mark.timeout(150)
def test_serve_killed_mid_batch_finishes_every_document_once(env: Env, processes: Processes,
                                                             monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PAPERCLERK_JOB_LEASE_SECONDS", LEASE_SECONDS)
    batch = mixed_batch(pdfs=22, scans=8)
    server = start_serve(processes, "serve-1")
    response = httpx.post(f"{server}/api/v1/documents", timeout=60, headers={"X-API-Key": api_key()},
                          files=[("files", (s.name, s.data, "application/octet-stream")) for s in batch])
    assert response.status_code == 202, response.text
    ids = [document["id"] for document in response.json()["documents"]]
    assert len(ids) == len(batch)

    # Kill once some documents are final and others are being worked on (OCR takes a second each).
    wait_for(lambda: final_count(ids) >= 3 and running_jobs(), timeout=60, what="a batch in progress")
    processes.started[0].kill_group()
    in_flight = running_jobs()
    assert in_flight, "the kill must land while jobs are running"
    assert final_count(ids) < len(ids)

    start_serve(processes, "serve-2")
    wait_until_final(ids, timeout=90)

    started = assert_exactly_once(ids, batch)
    assert any(count >= 2 for count in started.values()), started
    with session_scope(readonly=True) as session:
        for job in in_flight:  # claimed again from the killed process
            again = session.get(Job, job.id)
            assert again is not None and again.status == "done" and again.attempts >= 2, again.__dict__
