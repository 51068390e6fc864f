"""Running jobs: the task registry, one job's execution, and the embedded worker pool.

The same :func:`execute` runs a job whether an embedded worker thread claimed it from the
database or Celery delivered its id. A task writes its result and marks its job done in one
transaction (:meth:`JobRun.complete`), fenced by the lease, so that a job re-run after a
crash produces its final state exactly once.
"""

from __future__ import annotations

import logging
import os
import socket
import threading
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from billiard.exceptions import SoftTimeLimitExceeded
from sqlalchemy import select
from sqlalchemy.exc import DBAPIError, OperationalError
from sqlalchemy.orm import Session

from paperclerk.config import Settings, get_settings
from paperclerk.core import jobs, processes
from paperclerk.core.db import session_scope, utcnow
from paperclerk.core.errors import PaperclerkError, TransientError
from paperclerk.core.jobs import ClaimRefused, Job, JobStatus, Queue
from paperclerk.core.maintenance import Maintenance

log = logging.getLogger(__name__)


class MoveToQueue(Exception):
    """Raised by a task that must continue on another queue (a scan found on the quick queue)."""

    def __init__(self, queue: Queue) -> None:
        super().__init__(queue.value)
        self.queue = queue


class LeaseLost(Exception):
    """This worker's lease ran out and another worker took the job: drop this run's result."""


@dataclass(frozen=True)
class JobRun:
    task: str
    job_id: str
    subject_id: str
    queue: str
    attempt: int
    worker: str

    def complete(self, session: Session) -> None:
        """Mark the job done inside the caller's transaction, if it is still this worker's."""
        jobs.finish(session, self._own(session))

    def _own(self, session: Session) -> Job:
        query = select(Job).where(Job.id == self.job_id)
        if session.get_bind().dialect.name == "postgresql":
            query = query.with_for_update()
        job = session.scalars(query).one()
        if job.worker != self.worker or job.status != JobStatus.RUNNING:
            raise LeaseLost(self.job_id)
        return job


@dataclass(frozen=True)
class TaskSpec:
    name: str
    #: Does the work; must call ``run.complete(session)`` in the transaction that saves the result.
    run: Callable[[JobRun], None]
    #: Records a final failure on the subject, inside the transaction that fails the job.
    on_failure: Callable[[Session, JobRun, PaperclerkError], None]
    #: Records that a failed attempt will be retried.
    on_retry: Callable[[Session, JobRun, PaperclerkError, float], None]
    #: Records that work started, inside the transaction that claimed the job (no extra write).
    on_claim: Callable[[Session, JobRun], None] | None = None


TASKS: dict[str, TaskSpec] = {}


def register_task(spec: TaskSpec) -> None:
    TASKS[spec.name] = spec


_PROCESS_NONCE = ""


def _new_process_nonce() -> None:
    global _PROCESS_NONCE
    _PROCESS_NONCE = uuid.uuid4().hex[:8]


_new_process_nonce()
os.register_at_fork(after_in_child=_new_process_nonce)


def worker_name() -> str:
    # Lease fencing needs this unique among live workers; hostname:pid alone is not (containers that
    # share a hostname, e.g. with host networking, reuse the same pids), hence the per-process nonce.
    # host:pid:namespace-nonce:thread (the pid namespace lets a dead holder be recognised).
    return (f"{processes.HOSTNAME}:{os.getpid()}:{processes.PID_NAMESPACE}-{_PROCESS_NONCE}:"
            f"{threading.current_thread().name}")[:120]


def holder_is_dead(holder: str) -> bool:
    """Is the process named by a lease holder (see :func:`worker_name`) known to be gone?"""
    host, _, rest = holder.partition(":")
    pid, _, nonce = rest.partition(":")
    return pid.isdigit() and processes.gone(int(pid), hostname=host, namespace=nonce.split("-", 1)[0])


def as_error(exc: BaseException) -> PaperclerkError:
    if isinstance(exc, PaperclerkError):
        return exc
    if isinstance(exc, SoftTimeLimitExceeded):
        return PaperclerkError("Processing took longer than the job time limit.", code="JOB_TIMEOUT")
    if isinstance(exc, OperationalError | DBAPIError | OSError):
        return TransientError(f"{type(exc).__name__}: {exc}")
    if isinstance(exc, MemoryError):
        return PaperclerkError("The file needed more memory than allowed.", code="FILE_TOO_COMPLEX")
    return PaperclerkError(f"Unexpected error: {type(exc).__name__}", code="INTERNAL_ERROR")


def backoff_seconds(attempt: int, base: float) -> float:
    return float(base * (2 ** max(attempt - 1, 0)))


class LeaseKeeper:
    """One thread per process renewing the leases of the jobs this process is running."""

    def __init__(self, lease_seconds: float) -> None:
        self.lease_seconds = lease_seconds
        self._active: dict[str, str] = {}
        self._lock = threading.Lock()
        self._thread: threading.Thread | None = None

    def hold(self, job_id: str, worker: str) -> None:
        with self._lock:
            self._active[job_id] = worker
            if self._thread is None or not self._thread.is_alive():
                self._thread = threading.Thread(target=self._loop, name="lease-keeper", daemon=True)
                self._thread.start()

    def release(self, job_id: str) -> None:
        with self._lock:
            self._active.pop(job_id, None)

    def _loop(self) -> None:
        interval = self.lease_seconds / 3
        while True:
            threading.Event().wait(interval)
            with self._lock:
                held = dict(self._active)
            for job_id, worker in held.items():
                try:
                    with session_scope() as session:
                        jobs.renew_lease(session, job_id, worker=worker, lease_seconds=self.lease_seconds)
                except Exception:
                    log.warning("could not renew a job lease", extra={"job_id": job_id}, exc_info=True)


_keeper: LeaseKeeper | None = None


def _lease_keeper(settings: Settings) -> LeaseKeeper:
    global _keeper
    if _keeper is None or _keeper.lease_seconds != settings.job_lease_seconds:
        _keeper = LeaseKeeper(settings.job_lease_seconds)
    return _keeper


def execute(job_id: str) -> str:
    """Claim and run one job by id (Celery's entry point); returns what happened."""
    settings = get_settings()
    worker = worker_name()
    with session_scope() as session:
        claimed = jobs.claim(session, job_id, worker=worker, lease_seconds=settings.job_lease_seconds,
                             holder_dead=holder_is_dead)
        if isinstance(claimed, ClaimRefused):
            if claimed is ClaimRefused.NOT_YET:
                # An early delivery: hand it back to the dispatcher for its due time.
                job = session.get(Job, job_id)
                assert job is not None
                jobs.retry_later(session, job, delay_seconds=(job.run_after - utcnow()).total_seconds(),
                                 error=job.last_error or "")
            return claimed.value
        run = _run_of(claimed, worker)
        abandoned = _abandon_if_exhausted(session, claimed, run)
        if not abandoned:
            _start(session, run)
    if abandoned:
        return "failed"
    return run_claimed(run, settings)


def claim_and_run_next(queues: Sequence[str], settings: Settings) -> bool:
    """Claim and run the next due job of ``queues`` (embedded workers); False if none was due."""
    worker = worker_name()
    with session_scope() as session:
        job = jobs.claim_next(session, queues=queues, worker=worker, lease_seconds=settings.job_lease_seconds)
        if job is None:
            return False
        run = _run_of(job, worker)
        abandoned = _abandon_if_exhausted(session, job, run)
        if not abandoned:
            _start(session, run)
    if not abandoned:
        run_claimed(run, settings)
    return True


def _run_of(job: Job, worker: str) -> JobRun:
    return JobRun(task=job.task, job_id=job.id, subject_id=job.subject_id, queue=job.queue, attempt=job.attempts,
                  worker=worker)


def _start(session: Session, run: JobRun) -> None:
    on_claim = TASKS[run.task].on_claim
    if on_claim is not None:
        on_claim(session, run)


def _abandon_if_exhausted(session: Session, job: Job, run: JobRun) -> bool:
    """A job claimed more often than allowed keeps killing its workers: fail it instead of running it."""
    if job.attempts <= job.max_attempts:
        return False
    error = PaperclerkError(
        f"Processing stopped its worker {job.max_attempts} times; giving up.", code="WORKER_LOST"
    )
    jobs.finish(session, job, error=f"{error.code}: {error.message}")
    TASKS[job.task].on_failure(session, run, error)
    return True


def run_claimed(run: JobRun, settings: Settings) -> str:
    spec = TASKS[run.task]
    keeper = _lease_keeper(settings)
    keeper.hold(run.job_id, run.worker)
    try:
        spec.run(run)
        return "done"
    except LeaseLost:
        log.warning("job lease lost; result discarded", extra={"job_id": run.job_id})
        return "lease_lost"
    except MoveToQueue as move:
        try:
            with session_scope() as session:
                jobs.move_to_queue(session, run._own(session), move.queue)
        except LeaseLost:
            return "lease_lost"
        return f"moved:{move.queue.value}"
    except Exception as exc:
        return _record_failure(run, spec, as_error(exc), settings, exc)
    finally:
        keeper.release(run.job_id)


def _record_failure(run: JobRun, spec: TaskSpec, error: PaperclerkError, settings: Settings,
                    exc: BaseException) -> str:
    if error.code == "INTERNAL_ERROR":
        log.error("job failed unexpectedly", extra={"job_id": run.job_id}, exc_info=exc)
    try:
        with session_scope() as session:
            job = run._own(session)
            message = f"{error.code}: {error.message}"
            if error.retryable and job.attempts < job.max_attempts:
                delay = backoff_seconds(job.attempts, settings.job_retry_base_seconds)
                jobs.retry_later(session, job, delay_seconds=delay, error=message)
                spec.on_retry(session, run, error, delay)
                return "retrying"
            jobs.finish(session, job, error=message)
            spec.on_failure(session, run, error)
            return "failed"
    except LeaseLost:
        return "lease_lost"


def child_processes() -> list[int]:
    """This process's children (Celery's pool processes run its jobs)."""
    pid = os.getpid()
    try:
        return [int(child) for child in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]
    except OSError:
        return []


class Heartbeat:
    """A thread writing this worker process's heartbeat row (``jobs.WorkerHeartbeat``) every
    ``worker_heartbeat_seconds``: its queues, the processes running its jobs and whether it reaches its broker."""

    #: Rows of workers silent for this long are removed (stopped for good, or renamed by a new host).
    FORGET_AFTER_SECONDS = 7 * 24 * 3600

    def __init__(self, settings: Settings, *, queues: Sequence[str], processes: Callable[[], list[int]],
                 broker_ok: Callable[[], bool | None] = lambda: None) -> None:
        self.settings = settings
        self.queues = list(queues)
        self.processes = processes
        self.broker_ok = broker_ok
        self.name = f"{socket.gethostname()}:{os.getpid()}"
        self._stop = threading.Event()

    def start(self) -> None:
        threading.Thread(target=self._loop, name="worker-heartbeat", daemon=True).start()

    def stop(self) -> None:
        self._stop.set()

    def beat(self) -> None:
        broker_ok = self.broker_ok()
        with session_scope() as session:
            jobs.beat(session, name=self.name, hostname=socket.gethostname(), pid=os.getpid(), queues=self.queues,
                      processes=self.processes(), broker_ok=broker_ok)
            jobs.forget_workers(session, silent_for_seconds=self.FORGET_AFTER_SECONDS)

    def _loop(self) -> None:
        while not self._stop.is_set():
            try:
                self.beat()
            except Exception:
                log.warning("could not write the worker heartbeat", exc_info=True)
            self._stop.wait(self.settings.worker_heartbeat_seconds)


class WorkerPool:
    """Worker threads inside ``paperclerk serve`` (or ``paperclerk worker`` without a broker).

    Quick-queue threads never take OCR jobs; OCR threads prefer OCR jobs and help with quick
    ones when idle. Threads poll the database and are woken at once by local enqueues.
    """

    def __init__(self, settings: Settings, *, poll_seconds: float = 1.0) -> None:
        self.settings = settings
        self.poll_seconds = poll_seconds
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._threads: list[threading.Thread] = []
        self.maintenance = Maintenance(settings)
        self._heartbeat: Heartbeat | None = None

    def start(self) -> None:
        release_dead_holders()
        self.maintenance.start()
        plan = [("quick", [[Queue.DEFAULT.value]])] * self.settings.workers
        plan += [("ocr", [[Queue.OCR.value], [Queue.DEFAULT.value]])] * self.settings.ocr_workers
        if plan:
            queues = sorted({queue for _, order in plan for queues in order for queue in queues})
            self._heartbeat = Heartbeat(self.settings, queues=queues, processes=lambda: [os.getpid()])
            self._heartbeat.start()
        for index, (label, queue_order) in enumerate(plan):
            thread = threading.Thread(target=self._loop, args=(queue_order,), name=f"{label}-worker-{index}",
                                      daemon=True)
            thread.start()
            self._threads.append(thread)

    def describe(self) -> list[dict[str, object]]:
        return [{"name": thread.name, "alive": thread.is_alive()} for thread in self._threads]

    def wake(self, _job: Job | None = None, _delay: float = 0.0) -> None:
        self._wake.set()

    def stop(self, timeout: float = 30.0) -> None:
        if self._heartbeat is not None:
            self._heartbeat.stop()
        self._stop.set()
        self._wake.set()
        self.maintenance.stop()
        for thread in self._threads:
            thread.join(timeout)

    def _loop(self, queue_order: list[list[str]]) -> None:
        while not self._stop.is_set():
            try:
                worked = any(claim_and_run_next(queues, self.settings) for queues in queue_order)
            except Exception:
                log.exception("worker loop error")
                worked = False
            if not worked:
                self._wake.wait(self.poll_seconds)
                self._wake.clear()


def start_job_backend(settings: Settings, *, embedded_workers: bool) -> WorkerPool | None:
    """Choose where jobs go: Celery when a broker is configured, else this process's worker threads."""
    from paperclerk import plugins
    from paperclerk.ops.blob_sweep import clean_dead_scratch

    plugins.load()
    clean_dead_scratch(settings)
    if settings.broker_url:
        from paperclerk.core.celery_app import dispatch

        jobs.set_dispatcher(dispatch)
        return None
    if not embedded_workers:
        jobs.set_dispatcher(None)
        return None
    pool = WorkerPool(settings)
    jobs.set_dispatcher(pool.wake)
    pool.start()
    return pool


def release_dead_holders() -> None:
    """Jobs left running by a process of this machine that died (a server killed and restarted) are taken again
    at once instead of a lease later."""
    try:
        with session_scope() as session:
            released = jobs.release_dead_holders(session, holder_is_dead)
    except Exception:  # the database may not be there yet; leases still run out
        log.warning("could not look for jobs of dead workers", exc_info=True)
        return
    if released:
        log.info("released the jobs of dead workers", extra={"count": released})
