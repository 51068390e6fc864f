"""Health probes under concurrency and database stalls (issue 8, reliability findings 1 to 3)."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

from tests.helpers import api_client


def test_concurrent_readiness_never_reports_local_storage_down(env):
    with api_client(embedded_workers=False) as client, ThreadPoolExecutor(16) as pool:
        answers = list(pool.map(lambda _: client.get("/health/ready"), range(160)))
    failing = [answer.json() for answer in answers if answer.status_code != 200]
    assert not failing, failing[:3]
    assert not [path for path in (env.data_dir / "blobs").iterdir() if path.name.startswith(".ready")]
