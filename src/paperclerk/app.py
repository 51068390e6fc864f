"""The FastAPI application: routers, middleware, and the one error shape for every failure."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager
from typing import Any

from fastapi import APIRouter, FastAPI, Request
from fastapi.encoders import jsonable_encoder
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from fastapi_offline import FastAPIOffline
from sqlalchemy.exc import TimeoutError as PoolTimeout
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.formparsers import MultiPartException

from paperclerk import __version__, plugins
from paperclerk.ai.api import router as ai_router
from paperclerk.auth.api import router as accounts_router
from paperclerk.auth.api import session_router
from paperclerk.auth.ratelimit import RateLimitMiddleware
from paperclerk.auth.settings import check_production_secrets
from paperclerk.auth.web import CSRFMiddleware
from paperclerk.auth.web import router as auth_web_router
from paperclerk.config import get_settings
from paperclerk.core.errors import DatabaseBusy, PaperclerkError
from paperclerk.core.lines import load_attribute
from paperclerk.core.worker import start_job_backend
from paperclerk.documents.api import router as documents_router
from paperclerk.ops import operational_metrics, system_events, tracing
from paperclerk.ops.health import router as health_router
from paperclerk.ops.middleware import RequestContextMiddleware, UploadLimitMiddleware
from paperclerk.ops.security import SecurityHeadersMiddleware, setup_cors
from paperclerk.search.api import router as search_router
from paperclerk.web import pages, pages_admin, shell

log = logging.getLogger(__name__)

#: Where Swagger UI's and ReDoc's own files are served (before the shell's /static mount).
DOCS_STATIC = "/static/docs"
HTTP_CODES = {400: "BAD_REQUEST", 401: "UNAUTHORIZED", 403: "FORBIDDEN", 404: "NOT_FOUND",
              405: "METHOD_NOT_ALLOWED", 406: "NOT_ACCEPTABLE", 413: "FILE_TOO_LARGE", 415: "FILE_UNSUPPORTED",
              422: "VALIDATION_ERROR", 429: "RATE_LIMITED"}


def api_routers() -> list[APIRouter]:
    """Every router under /api/v1, the core's then each line's; each route declares who may call it (see
    tests/test_access_matrix.py)."""
    core = [session_router, accounts_router, documents_router, search_router, ai_router]
    return [*core, *(load_attribute(reference) for line in plugins.lines() for reference in line.api_routers)]


def page_routers() -> list[APIRouter]:
    """Every router of pages, the core's then each line's; each page declares its permission with
    ``page_require`` (see tests/test_page_access_matrix.py)."""
    core = [auth_web_router, pages.router, pages_admin.router]
    return [*core, *(load_attribute(reference) for line in plugins.lines() for reference in line.page_routers)]


def create_app(*, embedded_workers: bool = False) -> FastAPI:
    """Build the app; ``embedded_workers`` runs job worker threads in this process (``serve``)."""
    settings = get_settings()
    check_production_secrets(settings)
    plugins.load()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        app.state.worker_pool = start_job_backend(settings, embedded_workers=embedded_workers)
        yield
        if app.state.worker_pool is not None:
            app.state.worker_pool.stop()

    # /docs and /redoc with Swagger UI and ReDoc served from this server (fastapi-offline ships them): no CDN.
    app = FastAPIOffline(title="paperclerk", version=__version__, lifespan=lifespan, static_url=DOCS_STATIC,
                         favicon_url="/static/favicon.svg",
                         description="Documents in; checked, searchable, reviewable data out.")
    operational_metrics.register()
    tracing.instrument_app(app)
    tracing.setup_sentry(settings.sentry_dsn.get_secret_value(), environment=settings.env)
    for router in (*api_routers(), health_router, *page_routers()):
        app.include_router(router)
    app.router.routes.extend(shell.static_mounts())
    # Outermost last: request context → upload limit → security headers → CORS → rate limit → CSRF.
    app.add_middleware(CSRFMiddleware)
    app.add_middleware(RateLimitMiddleware)
    setup_cors(app)
    app.add_middleware(SecurityHeadersMiddleware)
    app.add_middleware(UploadLimitMiddleware, max_bytes=settings.max_upload_bytes)
    app.add_middleware(RequestContextMiddleware)
    _add_error_handlers(app)
    return app


def error_response(status: int, code: str, message: str, details: dict[str, Any] | None = None) -> JSONResponse:
    return JSONResponse(status_code=status,
                        content={"error": {"code": code, "message": message, "details": details or {}}})


def _wants_page(request: Request) -> bool:
    """A person's browser asking for a page (not an API client, not a static file)."""
    machine_paths = ("/api/", "/health/", "/metrics", "/static/", "/openapi.json", "/docs")
    return "text/html" in request.headers.get("accept", "") and not request.url.path.startswith(machine_paths)


def _causes(exc: BaseException) -> Iterator[BaseException]:
    cause = exc.__cause__ or exc.__context__
    while cause is not None:
        yield cause
        cause = cause.__cause__ or cause.__context__


def _add_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(PaperclerkError)
    async def on_paperclerk_error(_: Request, exc: PaperclerkError) -> JSONResponse:
        if exc.http_status >= 500:
            log.warning("request failed", extra={"code": exc.code, "error": exc.message})
        return error_response(exc.http_status, exc.code, exc.message, jsonable_encoder(exc.details))

    @app.exception_handler(PoolTimeout)
    async def on_pool_exhausted(_: Request, exc: PoolTimeout) -> JSONResponse:
        # Handled here rather than by the catch-all, which re-raises to the server and drops the connection.
        error = DatabaseBusy("The database is busy; try again shortly.")
        log.warning("request failed", extra={"code": error.code, "error": str(exc)})
        response = error_response(error.http_status, error.code, error.message)
        response.headers["Retry-After"] = str(error.retry_after)
        return response

    @app.exception_handler(RequestValidationError)
    async def on_validation_error(_: Request, exc: RequestValidationError) -> JSONResponse:
        errors = [{"location": list(error.get("loc", ())), "message": error.get("msg", ""), "type": error.get("type")}
                  for error in exc.errors()]
        return error_response(422, "VALIDATION_ERROR", "The request is not valid.", {"errors": errors})

    @app.exception_handler(shell.PageRefused)
    async def on_page_refused(_: Request, exc: shell.PageRefused) -> Response:
        return exc.response

    @app.exception_handler(StarletteHTTPException)
    async def on_http_error(request: Request, exc: StarletteHTTPException) -> Response:
        if exc.status_code == 404 and _wants_page(request):
            return shell.not_found(request, "There is no page at this address.")
        causes = list(_causes(exc))
        for cause in causes:
            if isinstance(cause, PaperclerkError):  # e.g. the upload limit hit while parsing a multipart body
                return error_response(cause.http_status, cause.code, cause.message, jsonable_encoder(cause.details))
        if any(isinstance(cause, MultiPartException) for cause in causes):
            reason = str(causes[-1])
            return error_response(400, "UPLOAD_MALFORMED",
                                  "The upload could not be read as multipart form data "
                                  "(a part header over 4 KB, such as a very long file name, is refused).",
                                  {"reason": reason})
        code = HTTP_CODES.get(exc.status_code, f"HTTP_{exc.status_code}")
        return error_response(exc.status_code, code, str(exc.detail))

    @app.exception_handler(Exception)
    async def on_unexpected(request: Request, exc: Exception) -> JSONResponse:
        log.error("unhandled error", exc_info=exc)
        route = getattr(request.scope.get("route"), "path", None) or request.url.path
        await run_in_threadpool(system_events.error, exc, where=f"{request.method} {route}",
                                request_id=request.headers.get("x-request-id"))
        tracing.report_error(exc)
        return error_response(500, "INTERNAL_ERROR", "Something went wrong on our side; it has been logged.")
