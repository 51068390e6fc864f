"""Prometheus metrics: HTTP latency, documents processed, stage durations, queue depth."""

from __future__ import annotations

import logging
import os
import shutil
from collections.abc import Iterator
from pathlib import Path

from prometheus_client import REGISTRY, CollectorRegistry, Counter, Histogram, multiprocess, values
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.registry import Collector

log = logging.getLogger(__name__)

HTTP_REQUEST_DURATION = Histogram(
    "paperclerk_http_request_duration_seconds",
    "HTTP request duration by route template, method and status.",
    ["method", "route", "status"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10),
)
DOCUMENTS_PROCESSED = Counter(
    "paperclerk_documents_processed_total",
    "Documents that reached a final state, by organisation (id), document kind and outcome.",
    ["organization", "kind", "outcome"],
)
STAGE_DURATION = Histogram(
    "paperclerk_pipeline_stage_duration_seconds",
    "Duration of each pipeline stage.",
    ["stage"],
    buckets=(0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60),
)
RATE_LIMIT_REQUESTS = Counter(
    "paperclerk_rate_limit_requests_total",
    "Requests the rate limiter judged, by group (default, login, upload) and outcome (allowed, limited).",
    ["group", "outcome"],
)
RATE_LIMIT_BACKEND_SECONDS = Histogram(
    "paperclerk_rate_limit_backend_seconds",
    "Time the rate limiter's counter store (memory or redis) took to count one request.",
    ["backend"],
    buckets=(0.0001, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5),
)
CACHE_EVENTS = Counter(
    "paperclerk_cache_events_total",
    "Cache look-ups and removals by cache (e.g. judgments), layer (memory, redis) and event (hit, miss, eviction).",
    ["cache", "layer", "event"],
)
RATE_LIMIT_FALLBACKS = Counter(
    "paperclerk_rate_limit_fallback_total",
    "Requests counted in this process because Redis, the shared counter store, was unreachable.",
)


class QueueDepthCollector(Collector):
    """Jobs waiting per queue, read from the job table at scrape time (true in every mode)."""

    def describe(self) -> list[GaugeMetricFamily]:
        # Registration must not touch the database (it may not be migrated yet).
        return [GaugeMetricFamily("paperclerk_queue_depth", "Jobs queued and waiting, by queue.", labels=["queue"])]

    def collect(self) -> Iterator[GaugeMetricFamily]:
        from paperclerk.core.db import probe_scope
        from paperclerk.core.jobs import queue_depth

        gauge = GaugeMetricFamily("paperclerk_queue_depth", "Jobs queued and waiting, by queue.", labels=["queue"])
        try:
            with probe_scope() as session:
                for queue, depth in queue_depth(session).items():
                    gauge.add_metric([queue], depth)
        except Exception:
            log.warning("queue depth unavailable", exc_info=True)
        yield gauge


REGISTRY.register(QueueDepthCollector())


def share_across_processes(metrics_dir: Path) -> CollectorRegistry:
    """Prometheus multiprocess mode for a worker: what its forked pool processes record (documents processed,
    stage durations) goes to files in a folder of this worker under ``metrics_dir``, and a registry reading them
    all is returned for the worker's metrics port. Call before the pool forks. Folders of workers that are gone
    are removed."""
    from paperclerk.core import processes

    directory = metrics_dir / f"worker-{os.getpid()}"
    metrics_dir.mkdir(parents=True, exist_ok=True)
    for old in metrics_dir.glob("worker-*"):
        pid = old.name.removeprefix("worker-")
        if old == directory or (pid.isdigit() and processes.gone(int(pid))):
            shutil.rmtree(old, ignore_errors=True)
    directory.mkdir()
    os.environ["PROMETHEUS_MULTIPROC_DIR"] = str(directory)
    # Metrics labelled from now on write to the shared files.
    values.ValueClass = values.get_value_class()  # type: ignore[no-untyped-call]
    registry = CollectorRegistry()
    multiprocess.MultiProcessCollector(registry, path=str(directory))  # type: ignore[no-untyped-call]
    return registry
