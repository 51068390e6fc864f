"""Liveness, readiness (database, storage, broker) and a detailed status for operators."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import JSONResponse, PlainTextResponse
from prometheus_client import CONTENT_TYPE_LATEST, REGISTRY, generate_latest
from sqlalchemy import func, select, text

from paperclerk import __version__
from paperclerk.api_errors import error_responses
from paperclerk.auth.dependencies import optional_principal
from paperclerk.auth.principal import Principal
from paperclerk.config import Settings, get_settings
from paperclerk.core.db import session_scope
from paperclerk.core.errors import ServiceUnavailable
from paperclerk.core.jobs import queue_depth
from paperclerk.core.storage import get_store
from paperclerk.documents.models import Document
from paperclerk.ops.schema_state import pending_heads

router = APIRouter(tags=["operations"])
_STARTED = time.time()


def check_database() -> None:
    with session_scope(readonly=True) as session:
        session.execute(text("SELECT 1"))
    pending = pending_heads()
    if pending:
        raise RuntimeError(f"database schema is not up to date (pending {', '.join(pending)}): "
                           "run `paperclerk db upgrade`")


def check_storage() -> None:
    get_store().check()


def check_broker(settings: Settings) -> None:
    from kombu import Connection

    with Connection(settings.broker_url, connect_timeout=2) as connection:
        connection.ensure_connection(max_retries=1, timeout=2)


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
        results[name]["latency_ms"] = round((time.perf_counter() - started) * 1000, 2)
    return results


@router.get("/health/live", summary="The process is up")
def live() -> dict[str, str]:
    return {"status": "ok"}


@router.get("/health/ready", summary="Database, storage and (when configured) broker are reachable",
            responses=error_responses(503))
def ready() -> dict[str, Any]:
    checks = run_checks(get_settings())
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
def detailed(request: Request, principal: Annotated[Principal | None, Depends(optional_principal)]) -> JSONResponse:
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
        with session_scope(readonly=True) as session:
            body["queues"] = queue_depth(session)
            if principal is not None and principal.can(OPERATOR_PERMISSION):
                body["documents"] = dict(session.execute(
                    select(Document.status, func.count()).where(Document.organization_id == principal.tenant)
                    .group_by(Document.status)).all())
    except Exception as exc:
        body["queues"] = {"error": str(exc)[:300]}
    pool = getattr(request.app.state, "worker_pool", None)
    if pool is not None:
        body["workers"] = pool.describe()
    return JSONResponse(body, status_code=200 if body["status"] == "ready" else 503)


@router.get("/metrics", summary="Prometheus metrics", response_class=PlainTextResponse,
            responses=error_responses(429))
def metrics() -> PlainTextResponse:
    return PlainTextResponse(generate_latest(REGISTRY), media_type=CONTENT_TYPE_LATEST)
