"""Schema management: the core's Alembic revisions plus each product line's version location, upgraded to
``heads`` (one head per branch: the core's and every line's)."""

from __future__ import annotations

import os
from functools import lru_cache
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.script import ScriptDirectory
from alembic.script.revision import RevisionError

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


def upgrade() -> None:
    """Apply pending migrations of the core and every line to the configured database (idempotent)."""
    from paperclerk.core.db import get_engine

    config = alembic_config()
    with get_engine().begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, "heads")


def current_revisions() -> frozenset[str]:
    """The revisions the database records (empty before the first upgrade); a branch's head that another
    branch depends on is implied by it, not recorded."""
    from alembic.runtime.migration import MigrationContext

    from paperclerk.core.db import get_engine

    with get_engine().connect() as connection:
        return frozenset(MigrationContext.configure(connection).get_current_heads())


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
