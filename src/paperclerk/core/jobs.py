"""Durable jobs: the database row is the truth, in embedded and in Celery mode alike.

A job is claimed with a lease that its worker renews while it runs. A worker killed mid-job
stops renewing; once the lease runs out the job is claimed again (by the next embedded worker
poll, by Celery's redelivery, or by the stale-job sweep). Every claim counts an attempt, so a
file that kills its worker every time ends ``failed`` after ``max_attempts`` instead of looping.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime, timedelta
from enum import StrEnum

from sqlalchemy import (
    JSON,
    Boolean,
    ColumnElement,
    Index,
    Integer,
    String,
    Text,
    delete,
    func,
    or_,
    select,
    update,
)
from sqlalchemy.orm import Mapped, Session, mapped_column

from paperclerk.core.db import Base, UTCDateTime, after_commit, new_id, utcnow


class JobStatus(StrEnum):
    QUEUED = "queued"
    RUNNING = "running"
    DONE = "done"
    FAILED = "failed"


class Queue(StrEnum):
    DEFAULT = "default"
    #: Slow work (OCR) runs on its own queue so that it cannot starve quick jobs.
    OCR = "ocr"


class Job(Base):
    __tablename__ = "jobs"
    __table_args__ = (Index("ix_jobs_claimable", "status", "queue", "run_after"),)

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    task: Mapped[str] = mapped_column(String(80))
    subject_id: Mapped[str] = mapped_column(String(36), index=True)
    queue: Mapped[str] = mapped_column(String(20), default=Queue.DEFAULT)
    status: Mapped[str] = mapped_column(String(20), default=JobStatus.QUEUED)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    max_attempts: Mapped[int] = mapped_column(Integer, default=3)
    run_after: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    lease_expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    worker: Mapped[str | None] = mapped_column(String(120))
    last_error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    #: When the broker confirmed taking this job's message (Celery); empty while queued and not yet sent.
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class WorkerHeartbeat(Base):
    """A worker process (Celery's main process, or a polling worker) says it is alive, what it consumes and
    whether it reaches its broker; detailed health lists these and flags queues that nobody consumes."""

    __tablename__ = "worker_heartbeats"

    name: Mapped[str] = mapped_column(String(120), primary_key=True)
    hostname: Mapped[str] = mapped_column(String(120))
    pid: Mapped[int] = mapped_column(Integer)
    queues: Mapped[list[str]] = mapped_column(JSON, default=list)
    #: The process ids that run its jobs (Celery's pool processes; itself for a polling worker).
    processes: Mapped[list[int]] = mapped_column(JSON, default=list)
    broker_ok: Mapped[bool | None] = mapped_column(Boolean)
    started_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_seen_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)


#: Called after commit with each job that became runnable (set by the active job backend).
Dispatcher = Callable[[Job, float], None]
_dispatcher: Dispatcher | None = None


def set_dispatcher(dispatcher: Dispatcher | None) -> None:
    global _dispatcher
    _dispatcher = dispatcher


def _dispatch_after_commit(session: Session, job: Job, delay: float = 0.0) -> None:
    if _dispatcher is not None:
        dispatcher = _dispatcher
        after_commit(session, lambda: dispatcher(job, delay))


def enqueue(session: Session, *, task: str, subject_id: str, queue: Queue = Queue.DEFAULT,
            max_attempts: int = 3) -> Job:
    job = Job(id=new_id(), task=task, subject_id=subject_id, queue=queue, max_attempts=max_attempts,
              run_after=utcnow(), sent_at=None)
    session.add(job)
    _dispatch_after_commit(session, job)
    return job


def _claimable(now: datetime) -> ColumnElement[bool]:
    return or_(
        (Job.status == JobStatus.QUEUED) & (Job.run_after <= now),
        (Job.status == JobStatus.RUNNING) & (Job.lease_expires_at < now),
    )


def claim_next(session: Session, *, queues: Sequence[str], worker: str, lease_seconds: float) -> Job | None:
    """Take the oldest runnable job of ``queues`` (embedded workers poll with this)."""
    now = utcnow()
    query = (
        select(Job)
        .where(Job.queue.in_(list(queues)), _claimable(now))
        .order_by(Job.run_after)
        .limit(1)
    )
    if session.get_bind().dialect.name == "postgresql":
        query = query.with_for_update(skip_locked=True)
    job = session.scalars(query).first()
    if job is None:
        return None
    _take(job, worker=worker, lease_seconds=lease_seconds, now=now)
    return job


class ClaimRefused(StrEnum):
    FINISHED = "finished"
    BUSY = "busy"  # another worker holds a live lease
    NOT_YET = "not_yet"  # waiting for its retry time
    MISSING = "missing"


def claim(session: Session, job_id: str, *, worker: str, lease_seconds: float,
          holder_dead: Callable[[str], bool] = lambda _holder: False) -> Job | ClaimRefused:
    """Take one named job (Celery delivers job ids); say why not when it cannot be taken.

    A live lease whose holder is known dead (``holder_dead``: its process is gone) does not make the job busy:
    Celery redelivers a task at once when its pool process dies, and the job is taken then, not a lease later.
    """
    query = select(Job).where(Job.id == job_id)
    if session.get_bind().dialect.name == "postgresql":
        query = query.with_for_update()
    job = session.scalars(query).first()
    now = utcnow()
    if job is None:
        return ClaimRefused.MISSING
    if job.status in (JobStatus.DONE, JobStatus.FAILED):
        return ClaimRefused.FINISHED
    if (job.status == JobStatus.RUNNING and job.lease_expires_at and job.lease_expires_at >= now
            and not holder_dead(job.worker or "")):
        return ClaimRefused.BUSY
    if job.status == JobStatus.QUEUED and job.run_after > now:
        return ClaimRefused.NOT_YET
    _take(job, worker=worker, lease_seconds=lease_seconds, now=now)
    return job


def _take(job: Job, *, worker: str, lease_seconds: float, now: datetime) -> None:
    job.status = JobStatus.RUNNING
    job.attempts += 1
    job.worker = worker
    job.lease_expires_at = now + timedelta(seconds=lease_seconds)


def renew_lease(session: Session, job_id: str, *, worker: str, lease_seconds: float) -> bool:
    """Extend a running job's lease; False if the job is no longer this worker's."""
    result = session.execute(
        update(Job)
        .where(Job.id == job_id, Job.worker == worker, Job.status == JobStatus.RUNNING)
        .values(lease_expires_at=utcnow() + timedelta(seconds=lease_seconds))
    )
    return bool(result.rowcount)  # type: ignore[attr-defined]


def finish(session: Session, job: Job, *, error: str | None = None) -> None:
    job.status = JobStatus.FAILED if error else JobStatus.DONE
    job.last_error = error
    job.finished_at = utcnow()
    job.lease_expires_at = None


def retry_later(session: Session, job: Job, *, delay_seconds: float, error: str) -> None:
    job.status = JobStatus.QUEUED
    job.last_error = error
    job.lease_expires_at = None
    job.run_after = utcnow() + timedelta(seconds=delay_seconds)
    job.sent_at = None
    _dispatch_after_commit(session, job, delay_seconds)


def move_to_queue(session: Session, job: Job, queue: Queue) -> None:
    """Hand a job to another queue (quick → OCR); moving is not a failed attempt."""
    job.status = JobStatus.QUEUED
    job.queue = queue
    job.attempts -= 1
    job.lease_expires_at = None
    job.run_after = utcnow()
    job.sent_at = None
    _dispatch_after_commit(session, job)


def requeue(session: Session, job: Job) -> None:
    """Start a finished job over with a fresh attempt budget (a person asked for a retry)."""
    job.status = JobStatus.QUEUED
    job.attempts = 0
    job.last_error = None
    job.finished_at = None
    job.run_after = utcnow()
    job.sent_at = None
    _dispatch_after_commit(session, job)


def mark_sent(session: Session, job_id: str) -> None:
    """The broker took the job's message."""
    session.execute(update(Job).where(Job.id == job_id, Job.status == JobStatus.QUEUED).values(sent_at=utcnow()))


def stale_jobs(session: Session, *, unsent_after_seconds: float, older_than_seconds: float) -> list[Job]:
    """Jobs a broker does not have or may have lost: queued and due but never sent (the send failed, or the
    process died between commit and send) for ``unsent_after_seconds``; sent but still queued for
    ``older_than_seconds``; or running on an expired lease.

    Call in a writing transaction: queued ones get a fresh ``run_after`` so that each is re-sent once
    per period, not by every worker's sweep for as long as a long backlog drains.
    """
    now = utcnow()
    query = select(Job).where(or_(
        (Job.status == JobStatus.QUEUED) & Job.sent_at.is_(None)
        & (Job.run_after <= now - timedelta(seconds=unsent_after_seconds)),
        (Job.status == JobStatus.QUEUED) & (Job.run_after <= now - timedelta(seconds=older_than_seconds)),
        (Job.status == JobStatus.RUNNING) & (Job.lease_expires_at < now),
    )).limit(1000)
    if session.get_bind().dialect.name == "postgresql":
        query = query.with_for_update(skip_locked=True)  # concurrent sweeps split the stale jobs
    stale = list(session.scalars(query))
    for job in stale:
        if job.status == JobStatus.QUEUED:
            job.run_after = now
    return stale


def release_dead_holders(session: Session, holder_dead: Callable[[str], bool]) -> int:
    """End the leases of running jobs whose holder is known dead, so that they are taken again now."""
    now = utcnow()
    released = 0
    for job in session.scalars(select(Job).where(Job.status == JobStatus.RUNNING, Job.lease_expires_at >= now)):
        if holder_dead(job.worker or ""):
            job.lease_expires_at = now - timedelta(microseconds=1)
            released += 1
    return released


def beat(session: Session, *, name: str, hostname: str, pid: int, queues: Sequence[str], processes: Sequence[int],
         broker_ok: bool | None) -> None:
    """Record that a worker process is alive (one row per worker, replaced on every beat)."""
    row = session.get(WorkerHeartbeat, name)
    if row is None:
        row = WorkerHeartbeat(name=name, started_at=utcnow())
        session.add(row)
    row.hostname, row.pid, row.queues, row.processes = hostname, pid, list(queues), list(processes)
    row.broker_ok = broker_ok
    row.last_seen_at = utcnow()


def forget_workers(session: Session, *, silent_for_seconds: float) -> None:
    """Drop the rows of workers that have not beaten for a long time (stopped for good)."""
    session.execute(delete(WorkerHeartbeat).where(
        WorkerHeartbeat.last_seen_at < utcnow() - timedelta(seconds=silent_for_seconds)))


def queue_depth(session: Session) -> dict[str, int]:
    rows = session.execute(
        select(Job.queue, func.count()).where(Job.status == JobStatus.QUEUED).group_by(Job.queue)
    )
    depth = {queue.value: 0 for queue in Queue}
    depth.update({queue: count for queue, count in rows})
    return depth
