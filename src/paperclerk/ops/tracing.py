"""Optional tracing and error reporting. OpenTelemetry traces go out when the standard variables say where
(``OTEL_EXPORTER_OTLP_ENDPOINT`` or ``OTEL_EXPORTER_OTLP_TRACES_ENDPOINT``; ``OTEL_SERVICE_NAME`` and the rest as
the SDK reads them): a request's span, the Celery message it sends and the worker's task share one trace (Celery's
pool processes inherit the exporter; its batch processor restarts its thread after a fork). Unexpected
errors go to Sentry when ``PAPERCLERK_SENTRY_DSN`` is set. Both need the ``observability`` extra (in the image).
"""

from __future__ import annotations

import logging
import os
import threading
from typing import Any

from paperclerk import __version__

log = logging.getLogger(__name__)
_lock = threading.Lock()
_tracing: bool | None = None
_sentry = False
#: Probes and scrapes would drown the useful spans.
EXCLUDED_URLS = "health/live,health/ready,metrics"


def tracing_requested() -> bool:
    if os.environ.get("OTEL_SDK_DISABLED", "").lower() == "true":
        return False
    if os.environ.get("OTEL_TRACES_EXPORTER", "otlp").lower() in ("none", ""):
        return False
    return bool(os.environ.get("OTEL_EXPORTER_OTLP_ENDPOINT") or os.environ.get("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT"))


def setup_tracing(service: str) -> bool:
    """Install the tracer provider and the Celery instrumentation once per process; False when not configured."""
    global _tracing
    with _lock:
        if _tracing is not None:
            return _tracing
        _tracing = False
        if not tracing_requested():
            return False
        try:
            from opentelemetry import trace
            from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter
            from opentelemetry.instrumentation.celery import CeleryInstrumentor
            from opentelemetry.sdk.resources import SERVICE_NAME, SERVICE_VERSION, Resource
            from opentelemetry.sdk.trace import TracerProvider
            from opentelemetry.sdk.trace.export import BatchSpanProcessor
        except ImportError:
            log.warning("OTEL_* is set but OpenTelemetry is not installed: pip install 'paperclerk[observability]'")
            return False
        defaults = {SERVICE_VERSION: __version__}
        if not os.environ.get("OTEL_SERVICE_NAME"):
            defaults[SERVICE_NAME] = service
        provider = TracerProvider(resource=Resource.create(defaults))
        provider.add_span_processor(BatchSpanProcessor(OTLPSpanExporter()))
        trace.set_tracer_provider(provider)
        CeleryInstrumentor().instrument()  # type: ignore[no-untyped-call]
        _tracing = True
        log.info("tracing to OpenTelemetry", extra={"service": service})
        return True


def instrument_app(app: Any) -> None:
    """Trace the API's requests (no-op unless tracing is configured)."""
    if setup_tracing("paperclerk-api"):
        from opentelemetry.instrumentation.fastapi import FastAPIInstrumentor

        FastAPIInstrumentor.instrument_app(app, excluded_urls=EXCLUDED_URLS)


def flush() -> None:
    """Send the spans still buffered (before a process exits)."""
    if _tracing:
        from opentelemetry import trace

        provider = trace.get_tracer_provider()
        force_flush = getattr(provider, "force_flush", None)
        if force_flush is not None:
            force_flush(5000)


def setup_sentry(dsn: str, *, environment: str) -> bool:
    global _sentry
    if not dsn or _sentry:
        return _sentry
    try:
        import sentry_sdk
    except ImportError:
        log.warning("PAPERCLERK_SENTRY_DSN is set but sentry-sdk is not installed: "
                    "pip install 'paperclerk[observability]'")
        return False
    sentry_sdk.init(dsn=dsn, release=f"paperclerk@{__version__}", environment=environment,
                    traces_sample_rate=0.0)
    _sentry = True
    return True


def report_error(exc: BaseException) -> None:
    if _sentry:
        import sentry_sdk

        sentry_sdk.capture_exception(exc)
