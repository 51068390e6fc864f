"""Durable jobs on SQLite and PostgreSQL: claims, leases, attempts, retries, queue moves and fencing."""

from __future__ import annotations

import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from paperclerk.config import get_settings
from paperclerk.core import jobs, worker
from paperclerk.core.db import session_scope, utcnow
from paperclerk.core.errors import PaperclerkError, TransientError
from paperclerk.core.events import Event
from paperclerk.core.jobs import ClaimRefused, Job, JobStatus, Queue
from paperclerk.core.worker import JobRun, LeaseLost, MoveToQueue, TaskSpec
from tests.conftest import Env

TASK = "test.throwaway"


@dataclass
class Recorder:
    """A throwaway task: ``behaviour`` decides what each run does; calls are recorded."""

    behaviour: Callable[[JobRun], None] = lambda run: None
    runs: list[JobRun] = field(default_factory=list)
    failures: list[tuple[JobRun, PaperclerkError]] = field(default_factory=list)
    retries: list[tuple[JobRun, PaperclerkError, float]] = field(default_factory=list)

    def run(self, run: JobRun) -> None:
        self.runs.append(run)
        self.behaviour(run)
        with session_scope() as session:
            run.complete(session)
            events_marker(session, run)

    def on_failure(self, session: object, run: JobRun, error: PaperclerkError) -> None:
        self.failures.append((run, error))

    def on_retry(self, session: object, run: JobRun, error: PaperclerkError, delay: float) -> None:
        self.retries.append((run, error, delay))


def events_marker(session, run: JobRun) -> None:  # type: ignore[no-untyped-def]
    """The task's 'result': an event row written in the same transaction as complete() (stored directly: recording
    an event would also queue its delivery job, which these tests would then claim)."""
    session.add(Event(name="test.result", organization_id=None, subject_type="job", subject_id=run.job_id,
                      payload={"worker": run.worker}))


def results(job_id: str) -> int:
    with session_scope(readonly=True) as session:
        return session.scalar(select(func.count()).where(Event.name == "test.result", Event.subject_id == job_id)) or 0


@pytest.fixture
def task(any_env: Env) -> Iterator[Recorder]:
    recorder = Recorder()
    worker.register_task(TaskSpec(name=TASK, run=recorder.run, on_failure=recorder.on_failure,
                                  on_retry=recorder.on_retry))
    yield recorder
    worker.TASKS.pop(TASK, None)


def enqueue(queue: Queue = Queue.DEFAULT, max_attempts: int = 3, subject: str = "subject") -> str:
    with session_scope() as session:
        job = jobs.enqueue(session, task=TASK, subject_id=subject, queue=queue, max_attempts=max_attempts)
        return job.id


def load(job_id: str) -> Job:
    with session_scope(readonly=True) as session:
        job = session.get(Job, job_id)
        assert job is not None
        return job


def claim_next(name: str, queues: tuple[str, ...] = ("default",), lease: float = 30.0) -> Job | None:
    with session_scope() as session:
        return jobs.claim_next(session, queues=list(queues), worker=name, lease_seconds=lease)


def claim(job_id: str, name: str, lease: float = 30.0) -> Job | ClaimRefused:
    with session_scope() as session:
        return jobs.claim(session, job_id, worker=name, lease_seconds=lease)


def run_of(job: Job, name: str) -> JobRun:
    return JobRun(task=job.task, job_id=job.id, subject_id=job.subject_id, queue=job.queue, attempt=job.attempts,
                  worker=name)


def test_claim_next_takes_due_jobs_of_its_queues_oldest_first(task: Recorder) -> None:
    first, second = enqueue(), enqueue()
    ocr = enqueue(Queue.OCR)
    with session_scope() as session:  # not due yet
        later = jobs.enqueue(session, task=TASK, subject_id="later")
        later.run_after = utcnow() + timedelta(hours=1)

    taken = claim_next("w1")
    assert taken is not None and taken.id == first
    stored = load(first)
    assert (stored.status, stored.attempts, stored.worker) == (JobStatus.RUNNING, 1, "w1")
    assert stored.lease_expires_at is not None and stored.lease_expires_at > utcnow() + timedelta(seconds=25)
    assert claim_next("w2").id == second  # type: ignore[union-attr]
    assert claim_next("w3") is None  # a live lease is not claimable, the OCR job is on another queue
    assert claim_next("w4", ("ocr",)).id == ocr  # type: ignore[union-attr]


def test_claim_by_id_says_why_it_refuses(task: Recorder) -> None:
    job_id = enqueue()
    assert claim("no-such-job", "w1") is ClaimRefused.MISSING
    taken = claim(job_id, "w1")
    assert isinstance(taken, Job) and taken.attempts == 1
    assert claim(job_id, "w2") is ClaimRefused.BUSY
    with session_scope() as session:
        jobs.finish(session, session.get(Job, job_id))  # type: ignore[arg-type]
    assert claim(job_id, "w2") is ClaimRefused.FINISHED

    waiting = enqueue()
    with session_scope() as session:
        jobs.retry_later(session, session.get(Job, waiting), delay_seconds=60, error="x")  # type: ignore[arg-type]
    assert claim(waiting, "w1") is ClaimRefused.NOT_YET


def test_expired_lease_is_claimed_again_and_counts_an_attempt(task: Recorder) -> None:
    job_id = enqueue()
    assert claim_next("dead", lease=0.2) is not None
    assert claim_next("alive") is None
    time.sleep(0.3)
    again = claim_next("alive")
    assert again is not None and again.id == job_id
    assert (again.attempts, again.worker) == (2, "alive")
    time.sleep(0.3)  # by id too (Celery redelivery)
    assert claim(job_id, "third", lease=0.2) is ClaimRefused.BUSY
    with session_scope() as session:
        job = session.get(Job, job_id)
        job.lease_expires_at = utcnow() - timedelta(seconds=1)  # type: ignore[union-attr]
    taken = claim(job_id, "third")
    assert isinstance(taken, Job) and taken.attempts == 3


def test_job_that_keeps_killing_its_worker_fails_with_worker_lost(task: Recorder) -> None:
    job_id = enqueue(max_attempts=2)
    settings = get_settings()
    for dead in ("dead-1", "dead-2"):  # two workers died holding it
        with session_scope() as session:
            job = jobs.claim_next(session, queues=["default"], worker=dead, lease_seconds=30)
            assert job is not None
            job.lease_expires_at = utcnow() - timedelta(seconds=1)

    assert worker.claim_and_run_next(["default"], settings) is True
    job = load(job_id)
    assert job.status == JobStatus.FAILED and job.attempts == 3
    assert job.last_error is not None and job.last_error.startswith("WORKER_LOST")
    assert task.runs == []  # not run a third time
    [(run, error)] = task.failures
    assert error.code == "WORKER_LOST" and run.attempt == 3
    assert worker.claim_and_run_next(["default"], settings) is False


def test_transient_errors_are_retried_with_backoff_then_fail(task: Recorder) -> None:
    dispatched: list[tuple[str, float]] = []
    jobs.set_dispatcher(lambda job, delay: dispatched.append((job.id, delay)))
    task.behaviour = lambda run: (_ for _ in ()).throw(TransientError("storage hiccup"))
    settings = get_settings()
    base = settings.job_retry_base_seconds
    job_id = enqueue(max_attempts=3)
    assert dispatched == [(job_id, 0.0)]

    assert worker.claim_and_run_next(["default"], settings)
    job = load(job_id)
    assert job.status == JobStatus.QUEUED and job.last_error == "TRANSIENT_ERROR: storage hiccup"
    assert job.run_after > utcnow()
    assert worker.claim_and_run_next(["default"], settings) is False  # not due before its back-off
    time.sleep(base + 0.05)
    assert worker.claim_and_run_next(["default"], settings)
    time.sleep(2 * base + 0.05)
    assert worker.claim_and_run_next(["default"], settings)

    assert [delay for _, _, delay in task.retries] == [base, 2 * base]
    assert dispatched[1:] == [(job_id, base), (job_id, 2 * base)]  # the broker hears of each retry
    [(run, error)] = task.failures
    assert run.attempt == 3 and error.code == "TRANSIENT_ERROR"
    job = load(job_id)
    assert (job.status, job.attempts) == (JobStatus.FAILED, 3)
    assert results(job_id) == 0


def test_moving_to_another_queue_does_not_count_an_attempt(task: Recorder) -> None:
    dispatched: list[str] = []
    jobs.set_dispatcher(lambda job, delay: dispatched.append(job.queue))
    task.behaviour = lambda run: None if run.queue == Queue.OCR else (_ for _ in ()).throw(MoveToQueue(Queue.OCR))
    job_id = enqueue(max_attempts=1)
    settings = get_settings()

    assert worker.claim_and_run_next(["default"], settings)
    job = load(job_id)
    assert (job.queue, job.status, job.attempts) == ("ocr", JobStatus.QUEUED, 0)
    assert dispatched == ["default", "ocr"]
    assert worker.claim_and_run_next(["default"], settings) is False
    assert worker.claim_and_run_next(["ocr"], settings)
    job = load(job_id)
    assert (job.status, job.attempts) == (JobStatus.DONE, 1)  # max_attempts=1 was enough
    assert [run.queue for run in task.runs] == ["default", "ocr"]
    assert results(job_id) == 1


def test_a_worker_whose_job_was_taken_over_writes_nothing(task: Recorder) -> None:
    job_id = enqueue()
    slow = claim_next("slow", lease=0.2)
    assert slow is not None
    slow_run = run_of(slow, "slow")
    time.sleep(0.3)
    fast = claim_next("fast")
    assert fast is not None and fast.id == job_id
    with session_scope() as session:
        assert not jobs.renew_lease(session, job_id, worker="slow", lease_seconds=30)

    # The slow worker finishes late: its result transaction is refused and rolled back entirely.
    assert worker.run_claimed(slow_run, get_settings()) == "lease_lost"
    with pytest.raises(LeaseLost), session_scope() as session:
        events_marker(session, slow_run)
        slow_run.complete(session)
    job = load(job_id)
    assert (job.status, job.worker) == (JobStatus.RUNNING, "fast")
    assert results(job_id) == 0
    assert task.failures == [] and task.retries == []

    assert worker.run_claimed(run_of(fast, "fast"), get_settings()) == "done"
    assert load(job_id).status == JobStatus.DONE
    assert results(job_id) == 1
    # Even a failure report from the stale run must not touch the finished job.
    task.behaviour = lambda run: (_ for _ in ()).throw(TransientError("late"))
    assert worker.run_claimed(slow_run, get_settings()) == "lease_lost"
    assert load(job_id).status == JobStatus.DONE and task.retries == []


def test_a_taken_over_worker_cannot_move_the_job_either(task: Recorder) -> None:
    task.behaviour = lambda run: (_ for _ in ()).throw(MoveToQueue(Queue.OCR))
    enqueue()
    slow = claim_next("slow", lease=0.2)
    assert slow is not None
    time.sleep(0.3)
    assert claim_next("fast") is not None
    assert worker.run_claimed(run_of(slow, "slow"), get_settings()) == "lease_lost"
    job = load(slow.id)
    assert (job.queue, job.status, job.worker, job.attempts) == ("default", JobStatus.RUNNING, "fast", 2)


def test_lease_keeper_renews_a_long_job(task: Recorder, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PAPERCLERK_JOB_LEASE_SECONDS", "0.6")
    get_settings.cache_clear()
    release = threading.Event()
    task.behaviour = lambda run: release.wait(5) and None
    job_id = enqueue()
    runner = threading.Thread(target=worker.claim_and_run_next, args=(["default"], get_settings()))
    runner.start()
    try:
        while load(job_id).status != JobStatus.RUNNING:
            time.sleep(0.01)
        deadline = time.monotonic() + 1.8  # three leases long
        while time.monotonic() < deadline:
            assert claim_next("thief", lease=30) is None
            time.sleep(0.1)
    finally:
        release.set()
        runner.join(10)
    job = load(job_id)
    assert (job.status, job.attempts) == (JobStatus.DONE, 1)


def test_concurrent_claim_next_never_hands_a_job_to_two_workers(task: Recorder) -> None:
    job_ids = {enqueue(subject=f"s{n}") for n in range(40)}
    claimed: dict[str, list[str]] = {}
    errors: list[BaseException] = []
    start = threading.Barrier(8)

    def work(name: str) -> None:
        mine: list[str] = []
        try:
            start.wait(10)
            while (job := claim_next(name)) is not None:
                mine.append(job.id)
        except BaseException as exc:
            errors.append(exc)
        claimed[name] = mine

    threads = [threading.Thread(target=work, args=(f"w{n}",)) for n in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert not errors, errors
    taken = [job_id for mine in claimed.values() for job_id in mine]
    assert len(taken) == len(set(taken)) == 40 and set(taken) == job_ids
    with session_scope(readonly=True) as session:
        assert set(session.scalars(select(Job.attempts))) == {1}


def test_concurrent_claims_of_one_job_by_id_let_exactly_one_win(task: Recorder) -> None:
    job_id = enqueue()
    outcomes: list[object] = []
    start = threading.Barrier(6)

    def take(name: str) -> None:
        start.wait(10)
        result = claim(job_id, name)
        outcomes.append(result if isinstance(result, ClaimRefused) else "won")

    threads = [threading.Thread(target=take, args=(f"w{n}",)) for n in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert sorted(map(str, outcomes)) == ["busy"] * 5 + ["won"]
    assert load(job_id).attempts == 1


def dead_process_holder() -> str:
    """A lease holder name, as this machine's worker processes make them, of a process that has exited."""
    child = subprocess.Popen([sys.executable, "-c", "pass"])
    child.wait()
    host, _pid, rest = worker.worker_name().split(":", 2)
    return f"{host}:{child.pid}:{rest}"


def test_holder_is_dead_only_for_gone_processes_of_this_pid_space() -> None:
    me = worker.worker_name()
    assert not worker.holder_is_dead(me)
    assert worker.holder_is_dead(dead_process_holder())
    host, pid, rest = dead_process_holder().split(":", 2)
    assert not worker.holder_is_dead(f"elsewhere:{pid}:{rest}")  # another machine: presumed alive
    namespace, nonce = rest.split(":")[0].split("-")
    assert not worker.holder_is_dead(f"{host}:{pid}:ffff{namespace}-{nonce}:t")  # another container
    assert not worker.holder_is_dead("someone")


def test_a_redelivered_job_whose_holder_died_is_taken_at_once(task: Recorder) -> None:
    job_id = enqueue()
    assert isinstance(claim(job_id, worker.worker_name(), lease=300), Job)
    assert claim(job_id, "other") is ClaimRefused.BUSY  # its holder (this process) lives

    with session_scope() as session:
        session.get(Job, job_id).worker = dead_process_holder()  # type: ignore[union-attr]
    with session_scope() as session:
        taken = jobs.claim(session, job_id, worker="next", lease_seconds=30, holder_dead=worker.holder_is_dead)
        assert isinstance(taken, Job) and (taken.worker, taken.attempts) == ("next", 2)


def test_a_restarted_pool_takes_the_jobs_its_dead_predecessor_held(task: Recorder) -> None:
    dead, alive = enqueue(subject="dead"), enqueue(subject="alive")
    for job_id, holder in ((dead, dead_process_holder()), (alive, worker.worker_name())):
        assert isinstance(claim(job_id, holder, lease=300), Job)
    worker.release_dead_holders()
    assert claim_next("restarted").id == dead  # type: ignore[union-attr]
    assert claim_next("restarted") is None
