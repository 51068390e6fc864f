"""Scaled-out job execution: Celery carries job ids; the job table stays the truth.

Queues are ``paperclerk.default`` and ``paperclerk.ocr``, so OCR workers can be scaled (or
started) separately and cannot starve quick jobs. Messages are acknowledged late and
re-delivered when a worker dies; the job lease decides who may run a job.
"""

from __future__ import annotations

import logging
from functools import lru_cache

from celery import Celery, signals
from sqlalchemy.orm import Session

from paperclerk.config import Settings, get_settings
from paperclerk.core import db, jobs
from paperclerk.core.db import after_commit, session_scope
from paperclerk.core.jobs import Job
from paperclerk.core.lines import Chore
from paperclerk.core.maintenance import Maintenance, all_chores

log = logging.getLogger(__name__)
RUN_JOB = "paperclerk.run_job"


def queue_name(queue: str) -> str:
    return f"paperclerk.{queue}"


def make_celery(settings: Settings) -> Celery:
    app = Celery("paperclerk", broker=settings.broker_url, set_as_current=False)
    app.conf.update(
        task_acks_late=True,
        task_reject_on_worker_lost=True,
        task_acks_on_failure_or_timeout=True,
        worker_prefetch_multiplier=1,
        task_ignore_result=True,
        task_default_queue=queue_name(jobs.Queue.DEFAULT),
        task_time_limit=settings.job_time_limit_seconds + 30,
        task_soft_time_limit=settings.job_time_limit_seconds,
        # kombu only scans for messages past their visibility timeout every 10th restore tick (~100 s);
        # scan on every tick (10 s) so that a dead worker's messages come back about when configured.
        broker_transport_options={"visibility_timeout": settings.broker_visibility_timeout,
                                  "unacked_restore_throttle": 1},
        broker_connection_retry_on_startup=True,
        worker_hijack_root_logger=False,
        worker_send_task_events=True,
        task_send_sent_event=True,
    )

    @app.task(name=RUN_JOB)  # type: ignore[untyped-decorator]  # celery ships no types
    def run_job(job_id: str) -> str:
        from paperclerk.core.worker import execute

        return execute(job_id)

    return app


@lru_cache
def get_celery() -> Celery:
    return make_celery(get_settings())


def dispatch(job: Job, delay: float = 0.0) -> None:
    """Send a committed job to its Celery queue and record that the broker has it; an unconfirmed send is
    repeated by the stale-job sweep after ``job_resend_unsent_seconds``."""
    try:
        get_celery().send_task(RUN_JOB, args=[job.id], queue=queue_name(job.queue), countdown=delay or None)
    except Exception:
        log.exception("could not send job to the broker; the sweep will resend it", extra={"job_id": job.id})
        return
    try:
        with session_scope() as session:
            jobs.mark_sent(session, job.id)
    except Exception:  # sent all the same; the sweep sends it once more and the claim drops the duplicate
        log.warning("could not record a sent job", extra={"job_id": job.id}, exc_info=True)


def resend_stale_jobs(session: Session) -> int:
    """Re-send jobs whose worker died (expired lease), whose send was never confirmed or whose message was lost,
    once the chore's transaction has committed (their fresh ``run_after`` keeps other workers from sending them
    too)."""
    settings = get_settings()
    stale = jobs.stale_jobs(session, unsent_after_seconds=settings.job_resend_unsent_seconds,
                            older_than_seconds=max(60.0, settings.job_lease_seconds * 4))
    if stale:
        after_commit(session, lambda: _resend(stale))
    return len(stale)


def _resend(stale: list[Job]) -> None:
    for job in stale:
        dispatch(job)
    log.info("re-sent stale jobs", extra={"count": len(stale)})


def sweep_interval(settings: Settings) -> float:
    return min(settings.job_lease_seconds, settings.job_resend_unsent_seconds / 2)


#: Only Celery workers need it: embedded workers read the job table itself, with no broker to lose a message.
RESEND_STALE_JOBS = Chore("resend_stale_jobs", "paperclerk.core.celery_app:resend_stale_jobs", every=sweep_interval)


def check_broker(settings: Settings) -> None:
    """Raise unless the broker answers within two seconds."""
    from kombu.connection import Connection

    with Connection(settings.broker_url, connect_timeout=2) as connection:  # type: ignore[no-untyped-call]
        connection.ensure_connection(max_retries=1, timeout=2)


def _broker_reachable(settings: Settings) -> bool:
    try:
        check_broker(settings)
    except Exception:
        return False
    return True


def start_heartbeat(settings: Settings, queues: list[str]) -> None:
    """Beat from before the first broker connection, so a worker that cannot reach its broker is seen too."""
    from paperclerk.core.worker import Heartbeat, child_processes

    Heartbeat(settings, queues=queues, processes=child_processes,
              broker_ok=lambda: _broker_reachable(settings)).start()


@signals.worker_ready.connect  # type: ignore[untyped-decorator]
def _on_worker_ready(**_: object) -> None:
    from paperclerk.core.worker import release_dead_holders

    release_dead_holders()
    Maintenance(get_settings(), (*all_chores(), RESEND_STALE_JOBS)).start()


@signals.worker_process_init.connect  # type: ignore[untyped-decorator]
def _on_worker_process_init(**_: object) -> None:
    # A pool process forked after the sweeper ran (a replacement for a dead one) inherits the parent's
    # pooled database connections; using them from two processes corrupts both. Drop them unclosed.
    if db.get_engine.cache_info().currsize:
        db.get_engine().dispose(close=False)
