"""Gauges for operators, read at scrape time: when the last backup finished, how long the oldest queued job has
waited, how big the database is, how full the data directory's disk is, when the TLS certificates expire.

Each reading is independent: one that fails (the database is down) is left out and logged, the others are served.
"""

from __future__ import annotations

import logging
import shutil
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path

from prometheus_client import REGISTRY
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.registry import Collector

log = logging.getLogger(__name__)

BACKUP_LAST_SUCCESS = "paperclerk_backup_last_success_timestamp_seconds"
QUEUE_OLDEST_AGE = "paperclerk_queue_oldest_job_age_seconds"
DATABASE_SIZE = "paperclerk_database_size_bytes"
DATA_DIR_FREE = "paperclerk_data_dir_free_bytes"
DATA_DIR_SIZE = "paperclerk_data_dir_size_bytes"
CERTIFICATE_EXPIRY = "paperclerk_tls_certificate_expiry_timestamp_seconds"


def _families() -> dict[str, GaugeMetricFamily]:
    return {
        BACKUP_LAST_SUCCESS: GaugeMetricFamily(
            BACKUP_LAST_SUCCESS, "When the last backup finished (Unix time); absent before the first one."),
        QUEUE_OLDEST_AGE: GaugeMetricFamily(
            QUEUE_OLDEST_AGE, "Seconds the oldest runnable queued job has waited, by queue (0: none waiting).",
            labels=["queue"]),
        DATABASE_SIZE: GaugeMetricFamily(DATABASE_SIZE, "Size of the database (file or PostgreSQL database)."),
        DATA_DIR_FREE: GaugeMetricFamily(DATA_DIR_FREE, "Free bytes on the data directory's file system."),
        DATA_DIR_SIZE: GaugeMetricFamily(DATA_DIR_SIZE, "Size of the data directory's file system."),
        CERTIFICATE_EXPIRY: GaugeMetricFamily(
            CERTIFICATE_EXPIRY, "When each configured TLS certificate expires (Unix time).",
            labels=["file", "subject"]),
    }


class OperationsCollector(Collector):
    def describe(self) -> list[GaugeMetricFamily]:
        return list(_families().values())  # registration must not touch the database

    def collect(self) -> Iterator[GaugeMetricFamily]:
        families = _families()
        readings: tuple[Callable[[dict[str, GaugeMetricFamily]], None], ...] = (
            _backup, _queue_age, _database_size, _disk, _certificates)
        for reading in readings:
            try:
                reading(families)
            except Exception:
                log.warning("an operations metric is unavailable", extra={"reading": reading.__name__},
                            exc_info=True)
        yield from families.values()


def _backup(families: dict[str, GaugeMetricFamily]) -> None:
    from sqlalchemy import func, select

    from paperclerk.core.db import probe_scope
    from paperclerk.core.events import Event

    with probe_scope() as session:
        last = session.scalar(select(func.max(Event.created_at)).where(Event.name == "backup.created"))
    if last is not None:
        if last.tzinfo is None:
            last = last.replace(tzinfo=UTC)
        families[BACKUP_LAST_SUCCESS].add_metric([], last.timestamp())


def _queue_age(families: dict[str, GaugeMetricFamily]) -> None:
    from sqlalchemy import func, select

    from paperclerk.core.db import probe_scope, utcnow
    from paperclerk.core.jobs import Job, JobStatus, Queue

    now = utcnow()
    with probe_scope() as session:
        rows = dict(session.execute(
            select(Job.queue, func.min(Job.run_after))
            .where(Job.status == JobStatus.QUEUED, Job.run_after <= now).group_by(Job.queue)).all())
    for queue in sorted({*(queue.value for queue in Queue), *rows}):
        oldest: datetime | None = rows.get(queue)
        if oldest is not None and oldest.tzinfo is None:
            oldest = oldest.replace(tzinfo=UTC)
        families[QUEUE_OLDEST_AGE].add_metric([queue], max(0.0, (now - oldest).total_seconds()) if oldest else 0.0)


def _database_size(families: dict[str, GaugeMetricFamily]) -> None:
    from sqlalchemy import text

    from paperclerk.config import get_settings
    from paperclerk.core.db import probe_scope

    settings = get_settings()
    if settings.is_sqlite:
        from sqlalchemy.engine import make_url

        database = Path(make_url(settings.resolved_database_url).database or "")
        size = sum(path.stat().st_size for path in (database, Path(f"{database}-wal")) if path.is_file())
    else:
        with probe_scope() as session:
            size = int(session.execute(text("SELECT pg_database_size(current_database())")).scalar_one())
    families[DATABASE_SIZE].add_metric([], float(size))


def _disk(families: dict[str, GaugeMetricFamily]) -> None:
    from paperclerk.config import get_settings

    directory = get_settings().data_dir
    usage = shutil.disk_usage(directory if directory.exists() else directory.parent)
    families[DATA_DIR_FREE].add_metric([], float(usage.free))
    families[DATA_DIR_SIZE].add_metric([], float(usage.total))


def _certificates(families: dict[str, GaugeMetricFamily]) -> None:
    from cryptography import x509

    from paperclerk.config import get_settings

    for name in get_settings().tls_certificate_files:
        try:
            certificate = x509.load_pem_x509_certificate(Path(name).read_bytes())
        except (OSError, ValueError):
            log.warning("cannot read the TLS certificate", extra={"file": name}, exc_info=True)
            continue
        families[CERTIFICATE_EXPIRY].add_metric([name, certificate.subject.rfc4514_string()],
                                                certificate.not_valid_after_utc.timestamp())


_registered = False


def register() -> None:
    """Serve these gauges from /metrics (once per process)."""
    global _registered
    if not _registered:
        REGISTRY.register(OperationsCollector())
        _registered = True
