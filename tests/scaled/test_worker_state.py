"""Worker state when scaled out (issue 8, reliability 6): detailed health lists each worker from its heartbeat,
with its queues, last heartbeat and current job; a queue with work and no live consumer makes it degraded, while
readiness (this API process can serve) stays 200; a worker that cannot reach its broker is listed too."""

from __future__ import annotations

import pytest

from paperclerk.config import get_settings
from tests.celery_workers import Processes
from tests.conftest import wait_until_final
from tests.helpers import api_client, upload
from tests.scaled.support import CeleryEnv, mixed_batch, wait_for

pytestmark = [pytest.mark.celery, pytest.mark.postgres, pytest.mark.s3]


@pytest.mark.timeout(240)
def test_detailed_health_lists_workers_and_flags_a_queue_nobody_consumes(celery_env: CeleryEnv,
                                                                        processes: Processes,
                                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PAPERCLERK_WORKER_HEARTBEAT_SECONDS", "1")
    get_settings.cache_clear()
    ocr = processes.worker("ocr-worker", queues="ocr", concurrency=1)
    scans = mixed_batch(pdfs=0, scans=3)
    texts = mixed_batch(pdfs=2, scans=0)
    with api_client(embedded_workers=False) as client:
        def report() -> dict:  # type: ignore[type-arg]
            return client.get("/health/detailed").json()  # type: ignore[no-any-return]

        def workers_on(queue: str) -> list[dict]:  # type: ignore[type-arg]
            return [worker for worker in report()["workers"] if queue in worker["queues"] and worker["alive"]]

        text_ids = [d["id"] for d in upload(client, *((s.name, s.data) for s in texts))["documents"]]
        scan_ids = [d["id"] for d in upload(client, *((s.name, s.data) for s in scans))["documents"]]
        [worker] = wait_for(lambda: workers_on("ocr"), timeout=60, what="the OCR worker's heartbeat")
        assert worker["queues"] == ["ocr"] and worker["broker_ok"] is True and worker["last_heartbeat"]
        busy = wait_for(lambda: [w for w in workers_on("ocr") if w["current_jobs"]], timeout=120,
                        what="the OCR worker's current job")
        assert busy[0]["current_jobs"][0]["queue"] == "ocr"

        body = client.get("/health/detailed")
        assert body.status_code == 503 and body.json()["status"] == "degraded"
        assert body.json()["unconsumed_queues"] == ["default"]
        assert client.get("/health/ready").status_code == 200  # the API itself can serve

        quick = processes.worker("default-worker", queues="default", concurrency=1)
        wait_until_final([*text_ids, *scan_ids], timeout=150)
        assert report()["unconsumed_queues"] == []

        quick.kill_group()
        wait_for(lambda: not workers_on("default"), timeout=30, what="the killed worker reported dead")
        assert ocr.alive()

        monkeypatch.setenv("PAPERCLERK_BROKER_URL", "redis://127.0.0.1:1/0")
        processes.worker("cut-off-worker", queues="default", concurrency=1)
        cut_off = wait_for(lambda: [w for w in report()["workers"] if w["alive"] and w["broker_ok"] is False],
                           timeout=60, what="the worker without a broker")
        assert cut_off[0]["queues"] == ["default"]
