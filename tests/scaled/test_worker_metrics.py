"""Metrics of work done in Celery's pool processes reach the worker's metrics port (issue 8, reliability 5)."""

from __future__ import annotations

import urllib.request

import pytest

from tests.celery_workers import Processes
from tests.conftest import wait_until_final
from tests.helpers import api_client, organization_id, upload
from tests.s3_server import free_port
from tests.scaled.support import CeleryEnv, mixed_batch, wait_for

pytestmark = [pytest.mark.celery, pytest.mark.postgres, pytest.mark.s3]


def scrape(port: int) -> str:
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=10) as response:
            return response.read().decode()  # type: ignore[no-any-return]
    except OSError:
        return ""


@pytest.mark.timeout(200)
def test_documents_processed_in_pool_processes_are_on_the_workers_metrics_port(celery_env: CeleryEnv,
                                                                              processes: Processes) -> None:
    port = free_port()
    processes.start("worker", "worker", "--queues", "default", "--concurrency", "2", "--metrics-port", str(port))
    batch = mixed_batch(pdfs=3, scans=0)
    with api_client(embedded_workers=False) as client:
        ids = [document["id"] for document in upload(client, *((s.name, s.data) for s in batch))["documents"]]
        wait_until_final(ids, timeout=120)
        outcomes = {client.get(f"/api/v1/documents/{document_id}").json()["status"] for document_id in ids}
    [outcome] = outcomes
    labels = f'kind="other",organization="{organization_id()}",outcome="{outcome}"'
    series = f"paperclerk_documents_processed_total{{{labels}}} 3.0"
    text = wait_for(lambda: (page := scrape(port)) and series in page and page, timeout=30,
                    what="the processed documents on the worker's metrics port")
    assert 'paperclerk_pipeline_stage_duration_seconds_count{stage="extract"} 3.0' in text
