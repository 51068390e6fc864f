"""Recovery after a crash: how soon a job whose worker was killed (``kill -9``) mid-job is taken again.

A polling worker (SQLite, no broker) runs a scanned PDF's OCR job; the benchmark kills its process group while the
job runs and starts a new worker, as an orchestrator would. The job used to wait for its lease to run out (a dead
worker stops renewing it); now the new worker sees that the lease holder is a process of this machine that is gone
and takes the job at once. The value is kill → job running again; the ratio compares it with the lease.
"""

from __future__ import annotations

import os
import signal
import time

from benchmarks.common import Proc, Row, SectionResult, bench_organization, org_kwargs, paperclerk_command

SECTION = "9 recovery"
LEASE_SECONDS = 30.0


def _job() -> tuple[str, int] | None:
    from sqlalchemy import select

    from paperclerk.core.db import session_scope
    from paperclerk.core.jobs import Job

    with session_scope(readonly=True) as session:
        job = session.scalars(select(Job)).first()
        return (job.status, job.attempts) if job is not None else None


def _wait(condition, timeout: float) -> float:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise RuntimeError(f"timed out after {timeout:.0f} s")
        time.sleep(0.05)
    return time.monotonic()


def run(quick: bool) -> SectionResult:
    from paperclerk import samples
    from paperclerk.config import get_settings
    from paperclerk.core.db import session_scope
    from paperclerk.core.schema import upgrade
    from paperclerk.documents import service

    upgrade()
    settings = get_settings()
    organization = bench_organization()
    pages = [f"Scanned statement page {number}\nBalance carried forward 1{number}0.00 EUR" for number in range(1, 9)]
    with session_scope() as session:
        service.receive_bytes(session, samples.scanned_pdf(pages), filename="statement.pdf", source="api",
                              settings=settings, **org_kwargs(organization))
    env = {**os.environ, "PAPERCLERK_JOB_LEASE_SECONDS": str(LEASE_SECONDS)}
    log_dir = settings.data_dir.parent
    worker = [*paperclerk_command(), "worker", "--queues", "ocr,default", "--concurrency", "1"]

    first = Proc(worker, env=env, log=log_dir / "recovery-worker-1.log")
    _wait(lambda: _job() == ("running", 1), 120)
    time.sleep(1.0)  # well inside the job: OCR of eight pages
    os.killpg(first.pid, signal.SIGKILL)
    killed = time.monotonic()
    first.wait(10)
    second = Proc(worker, env=env, log=log_dir / "recovery-worker-2.log")
    taken = _wait(lambda: (_job() or ("", 0))[1] >= 2, LEASE_SECONDS * 4)
    _wait(lambda: (_job() or ("", 0))[0] == "done", 300)
    second.stop()
    recovery = taken - killed
    return SectionResult([
        Row(SECTION, "worker killed mid-job (kill -9) and restarted: job taken again after", round(recovery, 2),
            "s", LEASE_SECONDS, "the job lease (what it waited before)", "max",
            note="includes starting the new worker process"),
    ])
