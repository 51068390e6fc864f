"""Failed-login counters are forgotten once they neither lock nor count: a maintenance chore that every worker
runs, embedded and Celery alike."""

from __future__ import annotations

import time
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from paperclerk.auth import service
from paperclerk.auth.models import LoginAttempt
from paperclerk.core import celery_app
from paperclerk.core.db import session_scope, utcnow
from paperclerk.core.maintenance import Maintenance
from tests.conftest import Env
from tests.helpers import api_client


def _attempts(**rows: tuple[int, timedelta | None]) -> None:
    """``key=(failures, locked for)`` counters whose last failure was an hour ago (unless still locked)."""
    now = utcnow()
    with session_scope() as session:
        for key, (failures, locked_for) in rows.items():
            session.add(LoginAttempt(kind="ip", key=key, failed_logins=failures,
                                     last_failed_at=now - timedelta(hours=1) if locked_for is None else now,
                                     locked_until=now + locked_for if locked_for else None))


def _keys() -> set[str]:
    with session_scope(readonly=True) as session:
        return set(session.scalars(select(LoginAttempt.key)))


def _wait_for(keys: set[str], timeout: float = 20.0) -> None:
    deadline = time.monotonic() + timeout
    while _keys() != keys:
        assert time.monotonic() < deadline, f"still {_keys()}"
        time.sleep(0.1)


def test_prune_forgets_only_counters_that_no_longer_count(env: Env) -> None:
    _attempts(stale=(3, None), locked=(5, timedelta(minutes=10)))
    _attempts(recent=(2, timedelta(0)))  # a failure just now, not locked
    with session_scope() as session:
        assert service.prune_login_attempts(session) == 1
    assert _keys() == {"locked", "recent"}
    with session_scope() as session:  # much later, everything has expired
        assert service.prune_login_attempts(session, now=utcnow() + timedelta(hours=2)) == 2
        assert session.scalar(select(func.count()).select_from(LoginAttempt)) == 0


def test_embedded_workers_prune_on_their_schedule(env: Env) -> None:
    _attempts(stale=(3, None), locked=(5, timedelta(minutes=10)))
    with api_client():
        _wait_for({"locked"})


def test_celery_workers_prune_on_their_schedule(env: Env, monkeypatch: pytest.MonkeyPatch) -> None:
    started: list[Maintenance] = []

    class Recorded(Maintenance):
        def start(self) -> Maintenance:
            started.append(self)
            return super().start()

    monkeypatch.setattr(celery_app, "Maintenance", Recorded)
    _attempts(stale=(3, None), locked=(5, timedelta(minutes=10)))
    celery_app._on_worker_ready()
    try:
        _wait_for({"locked"})
    finally:
        for maintenance in started:
            maintenance.stop()
    assert len(started) == 1
