"""Schema management: the core's Alembic revisions plus each product line's version location, upgraded to
``heads`` (one head per branch: the core's and every line's)."""

from __future__ import annotations

import os
from functools import lru_cache
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from alembic.script import Script, ScriptDirectory
from alembic.script.revision import RevisionError
from alembic.util import to_tuple
from sqlalchemy import Connection

from paperclerk import plugins

MIGRATIONS = Path(__file__).resolve().parent.parent / "migrations"


def version_locations() -> list[Path]:
    """The core's versions folder, then each line's migrations folder."""
    lines = [line.migrations_folder for line in plugins.lines() if line.migrations_folder is not None]
    return [MIGRATIONS / "versions", *lines]


def alembic_config() -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.set_main_option("path_separator", "os")
    config.set_main_option("version_locations", os.pathsep.join(str(path) for path in version_locations()))
    return config


def new_revision(line_name: str, message: str, *, autogenerate: bool = True) -> Path:
    """Write a product line's next migration into its version location: the first one starts the branch
    (``branch_labels=(line,)``, ``depends_on`` the core's head), later ones follow the branch's head.
    Autogenerate compares the models with the configured database, which should be at heads."""
    line = next((line for line in plugins.lines() if line.name == line_name), None)
    if line is None or line.migrations_folder is None:
        raise ValueError(f"{line_name!r} is not a product line with a migrations folder")
    line.migrations_folder.mkdir(exist_ok=True)
    config = alembic_config()
    script = ScriptDirectory.from_config(config)
    if any(line.name in revision.branch_labels for revision in script.walk_revisions()):
        branch: dict[str, Any] = {"head": f"{line.name}@head"}
    else:
        core = MIGRATIONS / "versions"
        # The newest of the core's own chain (a branch that depends on it makes it no Alembic head).
        chain = [revision for revision in script.walk_revisions() if Path(revision.path).parent == core]
        parents = {parent for revision in chain for parent in to_tuple(revision.down_revision, default=())}
        core_heads = sorted(revision.revision for revision in chain if revision.revision not in parents)
        branch = {"head": "base", "branch_label": line.name, "depends_on": core_heads}
    written = command.revision(config, message, autogenerate=autogenerate,
                               version_path=str(line.migrations_folder), **branch)
    if not isinstance(written, Script):
        raise RuntimeError("Alembic wrote no single revision")
    return Path(written.path)


def upgrade() -> None:
    """Apply pending migrations of the core and every line to the configured database (idempotent).

    On SQLite a migration that changes a constraint rebuilds the table (copy, drop, rename); with foreign-key
    actions on, dropping ``documents`` would delete every page, invoice and bill that refers to it. So the
    migrations run with them off, as SQLite prescribes for such changes, and every reference is checked before
    the transaction commits."""
    from paperclerk.core.db import get_engine

    config = alembic_config()
    with get_engine().connect() as connection:
        sqlite = connection.dialect.name == "sqlite"
        if sqlite:
            _sqlite_foreign_keys(connection, enabled=False)
        try:
            with connection.begin():
                config.attributes["connection"] = connection
                command.upgrade(config, "heads")
                if sqlite:
                    _check_references(connection)
        finally:
            if sqlite:
                _sqlite_foreign_keys(connection, enabled=True)


def _sqlite_foreign_keys(connection: Connection, *, enabled: bool) -> None:
    """Outside any transaction (SQLite ignores the pragma inside one), on the driver's own connection."""
    if connection.in_transaction():
        raise RuntimeError("foreign keys can only be switched outside a transaction")
    driver = connection.connection.driver_connection
    assert driver is not None
    driver.execute(f"PRAGMA foreign_keys={'ON' if enabled else 'OFF'}")


def _check_references(connection: Connection) -> None:
    broken = connection.exec_driver_sql("PRAGMA foreign_key_check").all()
    if broken:
        raise RuntimeError(f"a migration left rows referring to missing rows: {broken[:5]}")


def current_revisions(connection: Connection | None = None) -> frozenset[str]:
    """The revisions the database records (empty before the first upgrade); a branch's head that another
    branch depends on is implied by it, not recorded. Read on ``connection`` when given (health checks)."""
    from alembic.runtime.migration import MigrationContext

    from paperclerk.core.db import get_engine

    if connection is not None:
        return frozenset(MigrationContext.configure(connection).get_current_heads())
    with get_engine().connect() as own:
        return frozenset(MigrationContext.configure(own).get_current_heads())


@lru_cache
def head_revisions() -> frozenset[str]:
    """The newest revision of every branch."""
    return frozenset(ScriptDirectory.from_config(alembic_config()).get_heads())


def at_heads() -> bool:
    """Whether the database has every migration of the core and of every line."""
    current = current_revisions()
    if not current:
        return False
    script = ScriptDirectory.from_config(alembic_config())
    try:
        applied = {revision.revision for revision in script.iterate_revisions(tuple(current), "base")
                   if revision is not None}
    except RevisionError:  # a revision this code does not know (a newer release, or a line no longer installed)
        return False
    return head_revisions() <= applied
