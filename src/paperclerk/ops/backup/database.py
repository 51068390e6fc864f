"""The database half of a backup: a consistent snapshot (SQLite's online backup API, ``pg_dump`` in custom format
inside one exported snapshot) with the row count of every table in the models' metadata, and its restore.

Nothing here names a table: whatever the installed product lines add to the metadata is counted and restored.
"""

from __future__ import annotations

import importlib
import os
import sqlite3
import subprocess
from collections.abc import Iterator
from contextlib import closing, contextmanager
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import Connection, inspect, select, text
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import SQLAlchemyError

from paperclerk import plugins
from paperclerk.config import Settings
from paperclerk.core.db import Base
from paperclerk.core.errors import PaperclerkError


class DatabaseBackupError(PaperclerkError):
    code = "BACKUP_DATABASE_FAILED"
    http_status = 500


@dataclass(frozen=True)
class Snapshot:
    dialect: str
    #: Alembic revisions the snapshot is at.
    revisions: list[str]
    #: Rows per table of the metadata, as in the snapshot.
    tables: dict[str, int]


def dump_name(dialect: str) -> str:
    return "database.sqlite" if dialect == "sqlite" else "database.pgdump"


def load_models() -> None:
    """The core's and every product line's tables in the metadata (without importing their pipelines)."""
    for module in plugins.CORE_MODEL_MODULES:
        importlib.import_module(module)
    for line in plugins.lines():
        for module in line.model_modules:
            importlib.import_module(module)


def count_rows(connection: Connection) -> dict[str, int]:
    """Rows of every metadata table present in the database (absent tables are left out)."""
    present = set(inspect(connection).get_table_names())
    counts: dict[str, int] = {}
    for table in Base.metadata.sorted_tables:
        if table.name in present:
            counts[table.name] = int(connection.execute(select(text("count(*)")).select_from(table)).scalar_one())
    return counts


def revisions(connection: Connection) -> list[str]:
    if "alembic_version" not in inspect(connection).get_table_names():
        return []
    return sorted(connection.execute(text("SELECT version_num FROM alembic_version")).scalars())


def snapshot(settings: Settings, destination: Path) -> Snapshot:
    load_models()
    if settings.is_sqlite:
        return _snapshot_sqlite(_sqlite_path(settings), destination)
    return _snapshot_postgres(settings.resolved_database_url, destination)


def _sqlite_path(settings: Settings) -> Path:
    database = make_url(settings.resolved_database_url).database
    if not database or database == ":memory:":
        raise DatabaseBackupError("An in-memory SQLite database cannot be backed up.")
    return Path(database)


def _snapshot_sqlite(source: Path, destination: Path) -> Snapshot:
    if not source.is_file():
        raise DatabaseBackupError(f"There is no database at {source}.")
    # The online backup API copies a consistent image while writers go on (they wait at most one step).
    with closing(sqlite3.connect(source, timeout=30)) as live, closing(sqlite3.connect(destination)) as copy:
        live.backup(copy, pages=4096)
        copy.execute("PRAGMA journal_mode=DELETE")  # one self-contained file, no -wal beside it
    return _describe_sqlite(destination)


def _describe_sqlite(path: Path) -> Snapshot:
    from sqlalchemy import create_engine

    engine = create_engine(f"sqlite:///{path}")
    try:
        with engine.connect() as connection:
            return Snapshot("sqlite", revisions(connection), count_rows(connection))
    finally:
        engine.dispose()


def libpq(url: str) -> tuple[str, dict[str, str]]:
    """A SQLAlchemy PostgreSQL URL as a libpq URL for pg_dump/pg_restore, the password moved to PGPASSWORD."""
    parsed: URL = make_url(url)
    environment = {**os.environ}
    if parsed.password is not None:
        environment["PGPASSWORD"] = str(parsed.password)
    plain = parsed.set(drivername="postgresql", password=None)
    return plain.render_as_string(hide_password=False), environment


def _snapshot_postgres(url: str, destination: Path) -> Snapshot:
    from sqlalchemy import create_engine

    engine = create_engine(url, isolation_level="REPEATABLE READ")
    dsn, environment = libpq(url)
    try:
        with engine.connect() as connection:
            # pg_dump reads the same snapshot as this transaction, so the counts describe the dump exactly.
            exported = connection.execute(text("SELECT pg_export_snapshot()")).scalar_one()
            _run(["pg_dump", "--format=custom", "--no-owner", "--no-privileges", f"--snapshot={exported}",
                  f"--file={destination}", f"--dbname={dsn}"], environment, "pg_dump")
            result = Snapshot("postgresql", revisions(connection), count_rows(connection))
            connection.rollback()
            return result
    finally:
        engine.dispose()


def check_dump(dialect: str, path: Path) -> None:
    """Open the dump the way restore will: SQLite's integrity check, or pg_restore reading its table of contents."""
    if dialect == "sqlite":
        try:
            with closing(sqlite3.connect(f"file:{path}?mode=ro", uri=True)) as connection:
                verdict = connection.execute("PRAGMA integrity_check").fetchone()
        except sqlite3.DatabaseError as exc:
            raise DatabaseBackupError(f"The database snapshot is damaged: {exc}", code="BACKUP_CORRUPT") from exc
        if not verdict or verdict[0] != "ok":
            raise DatabaseBackupError(f"The database snapshot is damaged: {verdict}", code="BACKUP_CORRUPT")
        return
    _run(["pg_restore", "--list", str(path)], dict(os.environ), "pg_restore --list", code="BACKUP_CORRUPT")


def restore(settings: Settings, dialect: str, dump: Path) -> None:
    """Replace the configured database's content with the dump (the caller has made sure it may)."""
    current = "sqlite" if settings.is_sqlite else "postgresql"
    if current != dialect:
        raise DatabaseBackupError(
            f"This backup holds a {dialect} database and the instance uses {current}: restore it into a "
            f"{dialect} instance.", code="BACKUP_DIALECT_MISMATCH", http_status=409)
    from paperclerk.core import db

    db.get_engine().dispose()
    if dialect == "sqlite":
        target = _sqlite_path(settings)
        target.parent.mkdir(parents=True, exist_ok=True)
        with closing(sqlite3.connect(dump)) as source, closing(sqlite3.connect(target, timeout=30)) as live:
            source.backup(live)
            live.execute("PRAGMA journal_mode=WAL")
        return
    try:
        with _postgres(settings.resolved_database_url) as connection:
            # Everything in the schema goes (the tables of this release included): the dump lands in an empty one.
            connection.execute(text("DROP SCHEMA public CASCADE"))
            connection.execute(text("CREATE SCHEMA public"))
    except SQLAlchemyError as exc:
        raise DatabaseBackupError(f"Could not empty the database's public schema (the database's owner can): {exc}"
                                  ) from exc
    dsn, environment = libpq(settings.resolved_database_url)
    _run(["pg_restore", "--no-owner", "--no-privileges", "--exit-on-error", "--single-transaction",
          f"--dbname={dsn}", str(dump)], environment, "pg_restore")


def current_counts(settings: Settings) -> dict[str, int]:
    load_models()
    from paperclerk.core.db import get_engine

    with get_engine().connect() as connection:
        return count_rows(connection)


@contextmanager
def _postgres(url: str) -> Iterator[Connection]:
    from sqlalchemy import create_engine

    engine = create_engine(url, isolation_level="AUTOCOMMIT")
    try:
        with engine.connect() as connection:
            yield connection
    finally:
        engine.dispose()


def _run(command: list[str], environment: dict[str, str], what: str, *, code: str = "BACKUP_DATABASE_FAILED") -> None:
    try:
        completed = subprocess.run(command, env=environment, capture_output=True, text=True, check=False)
    except FileNotFoundError as exc:
        raise DatabaseBackupError(f"{command[0]} is not installed (Debian: postgresql-client, the server's major "
                                  "version or newer).", code="BACKUP_TOOL_MISSING") from exc
    if completed.returncode != 0:
        raise DatabaseBackupError(f"{what} failed: {completed.stderr.strip()[-800:]}", code=code)
