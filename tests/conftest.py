"""Shared fixtures: a fresh data dir and database per test, and the real services when configured.

SQLite runs always. PostgreSQL, Redis (Celery) and S3 tests run when their URLs are set
(``PAPERCLERK_TEST_POSTGRES_URL``, ``PAPERCLERK_TEST_REDIS_URL``); with ``CI=true`` a missing
or unreachable service fails the run loudly instead of skipping.
"""

from __future__ import annotations

import os
import re
import time
import uuid
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from sqlalchemy import create_engine, select, text
from sqlalchemy.engine import make_url

from paperclerk.core import db, jobs, storage
from paperclerk.core.schema import upgrade

#: ``llm_server``: an OpenAI-compatible server on loopback for any test that uses a model.
#: ``server``, ``browser_page``: a real server and a real Chromium for the page tests.
pytest_plugins = ["tests.ai.llm_server", "tests.browser"]

IN_CI = os.environ.get("CI", "").lower() == "true"
POSTGRES_URL = os.environ.get("PAPERCLERK_TEST_POSTGRES_URL", "")


def _worker_redis_url(url: str) -> str:
    """Each pytest-xdist worker gets its own Redis database (gw0: the configured db N, gw1: N-1, …), so one
    worker's Celery tests never take another's jobs; PostgreSQL needs nothing (each test process creates its own
    database)."""
    worker = os.environ.get("PYTEST_XDIST_WORKER", "")
    match = re.fullmatch(r"(rediss?://[^/]+)(?:/(\d+))?/?", url)
    if not worker.startswith("gw") or match is None:
        return url
    database = int(match.group(2) or 0) - int(worker[2:])
    if database < 0:
        raise RuntimeError(f"{url}: too many test workers for the Redis databases at and below it")
    return f"{match.group(1)}/{database}"


REDIS_URL = _worker_redis_url(os.environ.get("PAPERCLERK_TEST_REDIS_URL", ""))
FINAL = {"processed", "needs_review", "failed"}


def require_service(name: str, url: str) -> None:
    """Skip a service test on a laptop without the service; fail it in CI."""
    if url:
        return
    message = f"{name} is not configured (set its PAPERCLERK_TEST_* URL)"
    if IN_CI:
        pytest.fail(f"CI must run the {name} tests: {message}", pytrace=False)
    pytest.skip(message)


@dataclass
class Env:
    """One configured paperclerk: its data dir and settings, as a test sees it."""

    data_dir: Path
    database_url: str
    broker_url: str = ""
    storage_url: str = ""

    @property
    def variables(self) -> dict[str, str]:
        return {
            "PAPERCLERK_DATA_DIR": str(self.data_dir),
            "PAPERCLERK_DATABASE_URL": self.database_url,
            "PAPERCLERK_BROKER_URL": self.broker_url,
            "PAPERCLERK_STORAGE_URL": self.storage_url,
            "PAPERCLERK_LOG_JSON": "true",
            "PAPERCLERK_JOB_RETRY_BASE_SECONDS": "0.2",
            "PAPERCLERK_SECRET_KEY": "test-secret-key-of-more-than-thirty-two-characters",
            # cheap argon2: the policy is under test, not the cost
            "PAPERCLERK_PASSWORD_TIME_COST": "1",
            "PAPERCLERK_PASSWORD_MEMORY_KIB": "1024",
            "PAPERCLERK_PASSWORD_PARALLELISM": "1",
            "PAPERCLERK_RATE_LIMIT_ENABLED": "false",
        }


def reset_caches() -> None:
    from paperclerk.auth import settings as auth_settings
    from paperclerk.core.celery_app import get_celery

    auth_settings.reset()
    db.reset()
    storage.get_store.cache_clear()
    get_celery.cache_clear()
    jobs.set_dispatcher(None)


def activate(monkeypatch: pytest.MonkeyPatch, env: Env, **extra: str) -> Env:
    for key, value in {**env.variables, **extra}.items():
        monkeypatch.setenv(key, value)
    reset_caches()
    upgrade()
    return env


@pytest.fixture(scope="session")
def postgres_database() -> Iterator[str]:
    """A throw-away PostgreSQL database for this test session."""
    require_service("PostgreSQL", POSTGRES_URL)
    admin_url = make_url(POSTGRES_URL)
    name = f"paperclerk_test_{uuid.uuid4().hex[:10]}"
    admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as connection:
            connection.execute(text(f'CREATE DATABASE "{name}"'))
    except Exception as exc:
        pytest.fail(f"PostgreSQL at {admin_url.render_as_string(hide_password=True)} is unreachable: {exc}",
                    pytrace=False)
    yield admin_url.set(database=name).render_as_string(hide_password=False)
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


def _truncate_postgres(url: str) -> None:
    engine = create_engine(url)
    with engine.begin() as connection:
        tables = connection.execute(text(
            "SELECT tablename FROM pg_tables WHERE schemaname = 'public' AND tablename <> 'alembic_version'"
        )).scalars().all()
        if tables:
            connection.execute(text(f"TRUNCATE {', '.join(tables)} CASCADE"))
    engine.dispose()


@pytest.fixture
def env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Env]:
    """Embedded paperclerk: SQLite and local blobs in a fresh data dir."""
    yield activate(monkeypatch, Env(data_dir=tmp_path / "data", database_url=""))
    reset_caches()


@pytest.fixture
def pg_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, postgres_database: str) -> Iterator[Env]:
    """paperclerk on PostgreSQL (local blobs, embedded workers), emptied before each test."""
    _truncate_postgres(postgres_database)
    yield activate(monkeypatch, Env(data_dir=tmp_path / "data", database_url=postgres_database))
    reset_caches()


@pytest.fixture(params=["sqlite", "postgresql"])
def any_env(request: pytest.FixtureRequest) -> Env:
    """Runs the test once on SQLite and once on PostgreSQL."""
    return request.getfixturevalue("env" if request.param == "sqlite" else "pg_env")  # type: ignore[no-any-return]


def wait_until_final(document_ids: Iterable[str], *, timeout: float = 60.0) -> dict[str, str]:
    """Poll the database until every document is in a final state; returns id → status."""
    from paperclerk.core.db import session_scope
    from paperclerk.documents.models import Document

    ids = list(document_ids)
    deadline = time.monotonic() + timeout
    while True:
        with session_scope(readonly=True) as session:
            statuses = dict(session.execute(select(Document.id, Document.status).where(Document.id.in_(ids))).all())
        if len(statuses) == len(ids) and all(status in FINAL for status in statuses.values()):
            return statuses
        if time.monotonic() > deadline:
            raise AssertionError(f"documents not final after {timeout} s: {statuses}")
        time.sleep(0.1)
