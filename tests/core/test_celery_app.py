"""The Celery side without a broker: the stale-job resend (a maintenance chore) and the pool-process start hook."""

from __future__ import annotations

from datetime import timedelta

import pytest

from paperclerk.config import get_settings
from paperclerk.core import celery_app, db, jobs
from paperclerk.core.db import session_scope, utcnow
from paperclerk.core.jobs import Job, JobStatus
from tests.conftest import Env


def make_job(*, status: JobStatus, age_seconds: float = 0, lease_left_seconds: float | None = None,
             sent: bool = True) -> str:
    with session_scope() as session:
        job = jobs.enqueue(session, task="document.process", subject_id=f"s-{status}-{age_seconds}-{sent}")
        job.status = status
        job.run_after = utcnow() - timedelta(seconds=age_seconds)
        job.sent_at = utcnow() - timedelta(seconds=age_seconds) if sent else None
        if lease_left_seconds is not None:
            job.worker = "someone"
            job.lease_expires_at = utcnow() + timedelta(seconds=lease_left_seconds)
        return job.id


def _resend_stale_jobs() -> int:
    """The chore as the maintenance thread runs it: in its own transaction, sending after the commit."""
    with session_scope() as session:
        return celery_app.resend_stale_jobs(session)


def test_sweep_resends_lost_jobs_once_per_window(any_env: Env, monkeypatch: pytest.MonkeyPatch) -> None:
    sent: list[str] = []
    monkeypatch.setattr(celery_app, "dispatch", lambda job, delay=0.0: sent.append(job.id))
    dead_worker = make_job(status=JobStatus.RUNNING, lease_left_seconds=-1)
    lost_message = make_job(status=JobStatus.QUEUED, age_seconds=600)
    make_job(status=JobStatus.QUEUED, age_seconds=1)  # just queued: its message is on its way
    make_job(status=JobStatus.RUNNING, lease_left_seconds=30)  # alive
    make_job(status=JobStatus.DONE, age_seconds=600)

    assert _resend_stale_jobs() == 2
    assert sorted(sent) == sorted([dead_worker, lost_message])
    # A queued job is not re-sent by every sweep while it waits (a long backlog would multiply).
    sent.clear()
    assert _resend_stale_jobs() == 1
    assert sent == [dead_worker]
    with session_scope(readonly=True) as session:
        job = session.get(Job, lost_message)
        assert job is not None and job.status == JobStatus.QUEUED and job.run_after <= utcnow()


def test_a_job_whose_send_was_never_confirmed_is_resent_within_seconds(any_env: Env,
                                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    """The server died between commit and send, or the broker refused the send: not a minute-long wait."""
    sent: list[str] = []
    monkeypatch.setattr(celery_app, "dispatch", lambda job, delay=0.0: sent.append(job.id))
    settings = get_settings()
    grace = settings.job_resend_unsent_seconds
    unsent = make_job(status=JobStatus.QUEUED, age_seconds=grace + 1, sent=False)
    make_job(status=JobStatus.QUEUED, age_seconds=grace + 1)  # the broker has it: wait behind the backlog
    make_job(status=JobStatus.QUEUED, age_seconds=1, sent=False)  # its send is still on its way

    assert _resend_stale_jobs() == 1
    assert sent == [unsent]
    assert celery_app.sweep_interval(settings) <= grace / 2


def test_dispatch_records_that_the_broker_took_the_job(any_env: Env, monkeypatch: pytest.MonkeyPatch) -> None:
    messages: list[list[str]] = []
    app = celery_app.get_celery()
    monkeypatch.setattr(app, "send_task", lambda name, *, args, queue, countdown: messages.append(args))
    job_id = make_job(status=JobStatus.QUEUED, sent=False)
    celery_app.dispatch(load(job_id))  # after commit, as jobs.enqueue arranges it
    assert load(job_id).sent_at is not None
    assert messages == [[job_id]]

    def refuse(name: str, **_: object) -> None:
        raise ConnectionError("broker down")

    refused = make_job(status=JobStatus.QUEUED, age_seconds=5, sent=False)
    monkeypatch.setattr(app, "send_task", refuse)
    celery_app.dispatch(load(refused))
    assert load(refused).sent_at is None


def load(job_id: str) -> Job:
    with session_scope(readonly=True) as session:
        job = session.get(Job, job_id)
        assert job is not None
        return job


def test_pool_process_drops_database_connections_inherited_from_its_parent(env: Env) -> None:
    engine = db.get_engine()
    with engine.connect() as connection:  # the parent (its sweeper) has used the pool
        raw = connection.connection.dbapi_connection
    inherited_pool = engine.pool
    assert inherited_pool.checkedin() == 1

    celery_app._on_worker_process_init()

    assert engine.pool is not inherited_pool  # the child starts with a pool of its own
    raw.execute("SELECT 1")  # and did not close the parent's connection under it
