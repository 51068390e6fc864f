"""Fixtures for the scaled-out mode: an S3 server, Celery settings on PostgreSQL + Redis, real processes."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.celery_workers import Processes
from tests.conftest import REDIS_URL, Env, _truncate_postgres, activate, require_service, reset_caches
from tests.s3_server import DUMMY_CREDENTIALS, MotoServer
from tests.scaled.support import LEASE_SECONDS, VISIBILITY_TIMEOUT, CeleryEnv


@pytest.fixture(scope="session")
def s3_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[MotoServer]:
    server = MotoServer(tmp_path_factory.mktemp("moto") / "moto.log").start()
    yield server
    server.stop()


@pytest.fixture
def aws_credentials(monkeypatch: pytest.MonkeyPatch) -> None:
    for key, value in DUMMY_CREDENTIALS.items():
        monkeypatch.setenv(key, value)


@pytest.fixture
def processes(tmp_path: Path) -> Iterator[Processes]:
    """Starts ``paperclerk`` subprocesses with this test's environment; kills them all afterwards."""
    log_dir = tmp_path / "logs"
    log_dir.mkdir()
    procs = Processes(log_dir, env={})
    try:
        yield procs
    finally:
        procs.close()
        # Shown by pytest only when the test failed.
        print(procs.logs())


@pytest.fixture
def celery_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, postgres_database: str, s3_server: MotoServer,
               aws_credentials: None) -> Iterator[CeleryEnv]:
    """The scaled-out setup: PostgreSQL, a Redis broker (its db flushed first) and an S3 bucket."""
    require_service("Redis", REDIS_URL)
    import redis

    try:
        redis.Redis.from_url(REDIS_URL, socket_connect_timeout=3).flushdb()
    except redis.RedisError as exc:
        pytest.fail(f"Redis at {REDIS_URL} is unreachable: {exc}", pytrace=False)
    _truncate_postgres(postgres_database)
    bucket = s3_server.new_bucket()
    env = Env(data_dir=tmp_path / "data", database_url=postgres_database, broker_url=REDIS_URL,
              storage_url=f"s3://{bucket}/paperclerk")
    activate(monkeypatch, env, PAPERCLERK_S3_ENDPOINT_URL=s3_server.url, PAPERCLERK_JOB_LEASE_SECONDS=LEASE_SECONDS,
             PAPERCLERK_BROKER_VISIBILITY_TIMEOUT=VISIBILITY_TIMEOUT, PAPERCLERK_LOG_LEVEL="INFO")
    yield CeleryEnv(env, s3_server, bucket, REDIS_URL)
    reset_caches()
