"""Liveness, readiness (database, storage, broker) and a detailed status for operators.

Readiness is about this process serving requests: a worker that died does not take the API out of service (it
would take every replica out at once), so readiness stays 200; detailed health lists the workers from their
heartbeats and turns ``degraded`` (503) when a queue has work and no live worker consumes it.

Liveness answers on the event loop and touches nothing. Readiness, detailed health and ``/metrics`` run on
threads of their own (never queued behind requests) and reach the database through the probe engine
(``core.db.probe_scope``): a connection of their own and a short statement and lock timeout, so a stalled
database is reported as ``stalled`` in time instead of hanging the probe.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from functools import partial
from typing import Annotated, Any, TypeVar

from fastapi import APIRouter, Depends, Request
from fastapi.responses import JSONResponse, PlainTextResponse
from prometheus_client import CONTENT_TYPE_LATEST, REGISTRY, generate_latest
from sqlalchemy import func, select, text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session

from paperclerk import __version__
from paperclerk.api_errors import error_responses
from paperclerk.auth.dependencies import optional_principal
from paperclerk.auth.principal import Principal
from paperclerk.config import Settings, get_settings
from paperclerk.core.celery_app import check_broker
from paperclerk.core.db import probe_scope, utcnow
from paperclerk.core.errors import ServiceUnavailable
from paperclerk.core.jobs import Job, JobStatus, WorkerHeartbeat, queue_depth
from paperclerk.core.storage import get_store
from paperclerk.documents.models import Document
from paperclerk.ops.schema_state import pending_heads

router = APIRouter(tags=["operations"])
_STARTED = time.time()
#: A database check that took longer than this is reported ``slow`` (the service stays ready).
SLOW_DATABASE_SECONDS = 0.5
#: PostgreSQL's "statement timeout" and "lock not available": the database is there but stuck.
_STALLED_SQLSTATES = frozenset({"57014", "55P03"})
_PROBE_THREADS = ThreadPoolExecutor(4, thread_name_prefix="health-probe")
T = TypeVar("T")


async def _off_the_request_threads(function: Callable[..., T], *args: Any) -> T:
    return await asyncio.get_running_loop().run_in_executor(_PROBE_THREADS, partial(function, *args))


def check_database() -> None:
    """The schema is current and (PostgreSQL) a write to the job table, which every upload makes, would not wait on
    a lock. SQLite's readers never wait (WAL) and its writers wait out the busy timeout, so there it reads only."""
    with probe_scope() as session:
        session.execute(text("SELECT 1"))
        pending = pending_heads(session.connection())
        if pending:
            raise RuntimeError(f"database schema is not up to date (pending {', '.join(pending)}): "
                               "run `paperclerk db upgrade`")
        if session.get_bind().dialect.name == "postgresql":
            session.execute(text("LOCK TABLE jobs IN ROW EXCLUSIVE MODE"))  # the lock an insert takes


def _stalled(exc: BaseException) -> bool:
    if not isinstance(exc, DBAPIError):
        return False
    return getattr(exc.orig, "sqlstate", None) in _STALLED_SQLSTATES or "database is locked" in str(exc.orig)


def check_storage() -> None:
    get_store().check()


def run_checks(settings: Settings) -> dict[str, dict[str, Any]]:
    checks: dict[str, Callable[[], None]] = {"database": check_database, "storage": check_storage}
    if settings.broker_url:
        checks["broker"] = lambda: check_broker(settings)
    results: dict[str, dict[str, Any]] = {}
    for name, check in checks.items():
        started = time.perf_counter()
        try:
            check()
            results[name] = {"ok": True}
        except Exception as exc:
            results[name] = {"ok": False, "error": f"{type(exc).__name__}: {exc}"[:300]}
            if name == "database":
                results[name]["state"] = "stalled" if _stalled(exc) else "unavailable"
        elapsed = time.perf_counter() - started
        results[name]["latency_ms"] = round(elapsed * 1000, 2)
        if name == "database" and results[name]["ok"]:
            results[name]["state"] = "slow" if elapsed > SLOW_DATABASE_SECONDS else "ok"
    return results


@router.get("/health/live", summary="The process is up")
async def live() -> dict[str, str]:
    return {"status": "ok"}  # on the event loop: no thread, no database, no pool to wait for


@router.get("/health/ready", summary="Database, storage and (when configured) broker are reachable",
            responses=error_responses(503))
async def ready() -> dict[str, Any]:
    checks = await _off_the_request_threads(run_checks, get_settings())
    failing = [name for name, result in checks.items() if not result["ok"]]
    if failing:
        raise ServiceUnavailable(f"Not ready: {', '.join(failing)} unavailable.", code="NOT_READY",
                                 details={"failing": failing, "checks": checks})
    return {"status": "ready", "checks": checks}


#: Who sees the document counts of ``/health/detailed`` (for their own organisation): its administrators.
OPERATOR_PERMISSION = "settings:manage"


@router.get("/health/detailed", summary="Checks, queues, workers, version; document counts of your organisation "
            "for its administrators", responses={503: {"description": "Degraded: a check failed (the body is the "
                                                                      "same report)"}})
async def detailed(request: Request,
                   principal: Annotated[Principal | None, Depends(optional_principal)]) -> JSONResponse:
    body = await _off_the_request_threads(_detailed_report, request, principal)
    return JSONResponse(body, status_code=200 if body["status"] == "ready" else 503)


def _detailed_report(request: Request, principal: Principal | None) -> dict[str, Any]:
    settings = get_settings()
    checks = run_checks(settings)
    body: dict[str, Any] = {
        "status": "ready" if all(result["ok"] for result in checks.values()) else "degraded",
        "version": __version__,
        "uptime_seconds": round(time.time() - _STARTED, 1),
        "mode": {
            "database": "postgresql" if not settings.is_sqlite else "sqlite",
            "jobs": "celery" if settings.broker_url else "embedded",
            "storage": "s3" if settings.storage_url else "local",
        },
        "checks": checks,
    }
    try:
        with probe_scope() as session:
            body["queues"] = queue_depth(session)
            if principal is not None and principal.can(OPERATOR_PERMISSION):
                body["documents"] = dict(session.execute(
                    select(Document.status, func.count()).where(Document.organization_id == principal.tenant,
                                                                Document.deleted_at.is_(None))
                    .group_by(Document.status)).all())
            body["workers"] = worker_report(session, settings)
    except Exception as exc:
        body["queues"] = body["workers"] = {"error": str(exc)[:300]}
    else:
        consumed = {queue for worker in body["workers"] if worker["alive"] for queue in worker["queues"]}
        body["unconsumed_queues"] = sorted(queue for queue, depth in body["queues"].items()
                                           if depth and queue not in consumed)
        if body["unconsumed_queues"]:
            body["status"] = "degraded"
    pool = getattr(request.app.state, "worker_pool", None)
    if pool is not None:
        body["worker_threads"] = pool.describe()
    return body


def worker_report(session: Session, settings: Settings) -> list[dict[str, Any]]:
    """Every worker that has sent a heartbeat: its queues, when it was last heard of, whether it counts as alive
    (heard of within three heartbeat periods), whether it reaches its broker, and the jobs it is running."""
    now = utcnow()
    running = list(session.scalars(select(Job).where(Job.status == JobStatus.RUNNING)))
    report = []
    for row in session.scalars(select(WorkerHeartbeat).order_by(WorkerHeartbeat.name)):
        holders = {f"{row.hostname}:{pid}" for pid in row.processes}
        silent = (now - row.last_seen_at).total_seconds()
        report.append({
            "name": row.name, "queues": row.queues, "processes": row.processes, "broker_ok": row.broker_ok,
            "started_at": row.started_at.isoformat(), "last_heartbeat": row.last_seen_at.isoformat(),
            "seconds_since_heartbeat": round(silent, 1),
            "alive": silent <= 3 * settings.worker_heartbeat_seconds,
            "current_jobs": [{"job_id": job.id, "task": job.task, "queue": job.queue, "attempt": job.attempts}
                             for job in running if ":".join((job.worker or "").split(":")[:2]) in holders],
        })
    return report


@router.get("/metrics", summary="Prometheus metrics", response_class=PlainTextResponse,
            responses=error_responses(429))
async def metrics() -> PlainTextResponse:
    exposition = await _off_the_request_threads(generate_latest, REGISTRY)
    return PlainTextResponse(exposition, media_type=CONTENT_TYPE_LATEST)
