"""Health probes under concurrency and database stalls (issue 8, reliability findings 1 to 3)."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor, as_completed
from contextlib import contextmanager

from sqlalchemy import create_engine, text
from sqlalchemy.pool import NullPool

from tests.helpers import api_client, assert_error


def test_concurrent_readiness_never_reports_local_storage_down(env):
    with api_client(embedded_workers=False) as client, ThreadPoolExecutor(16) as pool:
        answers = list(pool.map(lambda _: client.get("/health/ready"), range(160)))
    failing = [answer.json() for answer in answers if answer.status_code != 200]
    assert not failing, failing[:3]
    assert not [path for path in (env.data_dir / "blobs").iterdir() if path.name.startswith(".ready")]


@contextmanager
def jobs_table_locked(database_url: str, mode: str = "EXCLUSIVE") -> Iterator[None]:
    """Another connection holds a lock on ``jobs`` (EXCLUSIVE: inserts wait; ACCESS EXCLUSIVE: reads too)."""
    engine = create_engine(database_url, poolclass=NullPool)
    with engine.connect() as connection:
        connection.execute(text(f"LOCK TABLE jobs IN {mode} MODE"))
        try:
            yield
        finally:
            connection.rollback()
    engine.dispose()


def test_a_stalled_database_is_reported_and_probes_still_answer(pg_env, monkeypatch):
    monkeypatch.setenv("PAPERCLERK_HEALTH_DATABASE_TIMEOUT_SECONDS", "1")
    with api_client(embedded_workers=False) as client, ThreadPoolExecutor(8) as pool:
        for mode in ("EXCLUSIVE", "ACCESS EXCLUSIVE"):
            with jobs_table_locked(pg_env.database_url, mode):
                # Each answer must come while the lock is held: a probe that waited on it would only answer after.
                live, ready, detailed, metrics = (future.result(timeout=60) for future in [
                    pool.submit(client.get, path)
                    for path in ("/health/live", "/health/ready", "/health/detailed", "/metrics")])
                assert live.status_code == 200
                error = assert_error(ready, 503, "NOT_READY")
                assert error["details"]["failing"] == ["database"], mode
                assert error["details"]["checks"]["database"]["state"] == "stalled"
                assert detailed.status_code == 503 and detailed.json()["status"] == "degraded"
                assert detailed.json()["checks"]["database"]["state"] == "stalled"
                assert metrics.status_code == 200 and "paperclerk_http_request_duration_seconds" in metrics.text
        assert client.get("/health/ready").json()["checks"]["database"]["state"] in ("ok", "slow")


def test_pool_exhaustion_answers_503_database_busy_with_retry_after(pg_env, monkeypatch):
    monkeypatch.setenv("PAPERCLERK_DATABASE_POOL_TIMEOUT_SECONDS", "1")
    clients = 48
    with api_client(embedded_workers=False) as client, ThreadPoolExecutor(clients) as pool:
        with jobs_table_locked(pg_env.database_url):
            uploads = [pool.submit(client.post, "/api/v1/documents",
                                   files=[("files", (f"f{n}.txt", f"pool {n} {uuid.uuid4()}".encode(), "text/plain"))])
                       for n in range(clients)]
            # Twenty requests hold every connection waiting on the lock; the others must not wait for them.
            first = next(as_completed(uploads, timeout=120)).result()
            assert client.get("/health/live").status_code == 200
        answers = [future.result(timeout=120) for future in uploads]
    busy = [answer for answer in answers if answer.status_code == 503]
    assert first.status_code == 503 and busy
    for answer in busy:
        assert_error(answer, 503, "DATABASE_BUSY")
        assert answer.headers["Retry-After"] == "5"
    assert {answer.status_code for answer in answers} == {202, 503}
