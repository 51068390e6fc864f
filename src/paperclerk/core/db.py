"""Engine, sessions and the declarative base: one code path for SQLite (embedded) and PostgreSQL.

Services take a session and never commit; the request, the task or the CLI command owns the
transaction through :func:`session_scope`. Work that must only happen once the transaction is
durable (sending a job to the broker, waking a worker) is registered with :func:`after_commit`.
"""

from __future__ import annotations

import math
import os
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from datetime import UTC, datetime
from functools import lru_cache
from pathlib import Path
from typing import Any

from sqlalchemy import DateTime, Engine, MetaData, create_engine, event, make_url, text
from sqlalchemy.orm import DeclarativeBase, Session, sessionmaker
from sqlalchemy.pool import NullPool
from sqlalchemy.types import TypeDecorator

from paperclerk.config import Settings, get_settings
from paperclerk.core.storage import private_dir

NAMING = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)


class UTCDateTime(TypeDecorator[datetime]):
    """Timezone-aware UTC datetimes on every backend (SQLite stores them naive)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is not None and value.tzinfo is None:
            raise ValueError("naive datetime")
        return value.astimezone(UTC) if value is not None else None

    def process_result_value(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is not None and value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value


def utcnow() -> datetime:
    return datetime.now(UTC)


def new_id() -> str:
    return str(uuid.uuid4())


def make_engine(settings: Settings) -> Engine:
    url = settings.resolved_database_url
    if url.startswith("sqlite"):
        _create_private_database_file(url, settings)
        engine = create_engine(
            url,
            connect_args={"timeout": settings.sqlite_busy_timeout_ms / 1000, "check_same_thread": False},
            pool_size=16,
            max_overflow=16,
            pool_timeout=settings.database_pool_timeout_seconds,
        )
        _configure_sqlite(engine, settings.sqlite_busy_timeout_ms)
        return engine
    return create_engine(url, pool_pre_ping=True, pool_size=10, max_overflow=10,
                         pool_timeout=settings.database_pool_timeout_seconds)


def make_probe_engine(settings: Settings) -> Engine:
    """Connections for health checks and metrics: one per probe (never waiting for the request pool), each
    statement and lock wait cut off after ``health_database_timeout_seconds``, so a stalled database is
    reported in time instead of hanging the probe."""
    url = settings.resolved_database_url
    timeout = settings.health_database_timeout_seconds
    if url.startswith("sqlite"):
        settings.data_dir.mkdir(parents=True, exist_ok=True)
        engine = create_engine(url, poolclass=NullPool, connect_args={"timeout": timeout, "check_same_thread": False})
        _configure_sqlite(engine, int(timeout * 1000))
        return engine
    milliseconds = int(timeout * 1000)
    return create_engine(url, poolclass=NullPool, connect_args={
        "connect_timeout": max(1, math.ceil(timeout)),
        "options": f"-c statement_timeout={milliseconds} -c lock_timeout={milliseconds}",
    })


def _create_private_database_file(url: str, settings: Settings) -> None:
    """Create the SQLite file 0600 in a 0700 data dir before SQLite does (it would follow the umask, 0644);
    SQLite gives its -wal and -shm files the database file's mode."""
    private_dir(settings.data_dir)
    database = make_url(url).database
    if not database or database == ":memory:" or database.startswith("file:"):
        return
    path = Path(database)
    private_dir(path.parent)
    with suppress(FileExistsError):
        os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))


def _lower(value: Any) -> Any:
    return value.lower() if isinstance(value, str) else value


def _configure_sqlite(engine: Engine, busy_timeout_ms: int) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        # Let SQLAlchemy issue BEGIN itself so that BEGIN IMMEDIATE can be used for writes.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute(f"PRAGMA busy_timeout={int(busy_timeout_ms)}")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.close()
        # SQLite's lower() folds ASCII only; Python's folds every letter, as PostgreSQL's does ('Ú' -> 'ú'), so
        # case-insensitive matches (vendor names, filters) answer the same on both databases.
        dbapi_connection.create_function("lower", 1, _lower, deterministic=True)

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Any) -> None:
        # Writing transactions take the write lock up front: a deferred transaction that reads and
        # then writes fails with SQLITE_BUSY instead of waiting out the busy timeout. Read-only
        # sessions stay deferred so that WAL readers never wait for writers.
        if connection.get_execution_options().get(READONLY_OPTION):
            connection.exec_driver_sql("BEGIN")
        else:
            connection.exec_driver_sql("BEGIN IMMEDIATE")


@lru_cache
def get_engine() -> Engine:
    return make_engine(get_settings())


@lru_cache
def get_probe_engine() -> Engine:
    return make_probe_engine(get_settings())


READONLY_OPTION = "paperclerk_readonly"


@lru_cache
def get_sessionmaker(readonly: bool = False) -> sessionmaker[Session]:
    engine = get_engine()
    bind = engine.execution_options(**{READONLY_OPTION: True}) if readonly else engine
    return sessionmaker(bind=bind, expire_on_commit=False)


def reset() -> None:
    """Forget the cached engine and settings (tests and CLI commands that change configuration)."""
    if get_engine.cache_info().currsize:
        get_engine().dispose()
    get_engine.cache_clear()
    get_probe_engine.cache_clear()
    get_sessionmaker.cache_clear()
    get_settings.cache_clear()


@contextmanager
def session_scope(*, readonly: bool = False) -> Iterator[Session]:
    """A unit of work: commits on success, rolls back on error, always closes."""
    session = get_sessionmaker(readonly)()
    try:
        yield session
        session.commit()
    except BaseException:
        session.rollback()
        raise
    finally:
        session.close()


@contextmanager
def probe_scope() -> Iterator[Session]:
    """A session for a health check or a metric on the probe engine; never commits."""
    session = Session(bind=get_probe_engine().execution_options(**{READONLY_OPTION: True}))
    try:
        yield session
    finally:
        session.rollback()
        session.close()


def serialize(session: Session, key: str) -> None:
    """Hold a lock named ``key`` until the session's transaction ends, so that transactions which check
    for each other's rows (e.g. duplicate invoices) run one after the other. PostgreSQL: a transaction-level
    advisory lock. SQLite: nothing to do, a writing transaction already holds the database's write lock."""
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("SELECT pg_advisory_xact_lock(hashtextextended(:key, 0))"), {"key": key})


_AFTER_COMMIT_KEY = "paperclerk_after_commit"


def after_commit(session: Session, callback: Callable[[], None]) -> None:
    """Run ``callback`` once the session's current transaction has committed (never on rollback)."""
    session.info.setdefault(_AFTER_COMMIT_KEY, []).append(callback)


@event.listens_for(Session, "after_commit")
def _run_after_commit(session: Session) -> None:
    callbacks = session.info.pop(_AFTER_COMMIT_KEY, [])
    for callback in callbacks:
        callback()


@event.listens_for(Session, "after_rollback")
def _drop_after_commit(session: Session) -> None:
    session.info.pop(_AFTER_COMMIT_KEY, None)


def read_session() -> Iterator[Session]:
    """A read-only session for a request (FastAPI dependency)."""
    with session_scope(readonly=True) as session:
        yield session
