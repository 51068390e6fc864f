"""Readiness's view of the schema: which heads of this release's migrations (the core's and every product line's
branch) the database has not reached.

A database migrated by a newer release (a revision this release does not know) counts as up to date: migrations
are backwards compatible across one release (expand, migrate, contract), so the pods of the previous release keep
serving while the new ones roll out. ``core.schema.at_heads`` answers no there, which suits ``db upgrade``'s own
checks but would take every old pod out of service the moment the migration job finishes.
"""

from __future__ import annotations

from functools import lru_cache

from alembic.script import ScriptDirectory
from sqlalchemy import Connection

from paperclerk.core.schema import alembic_config, current_revisions, head_revisions


@lru_cache
def _scripts() -> ScriptDirectory:
    return ScriptDirectory.from_config(alembic_config())


def pending_heads(connection: Connection | None = None) -> list[str]:
    """The heads of this release's migrations that the configured database has not reached."""
    scripts = _scripts()
    current = current_revisions(connection)
    known = {script.revision for script in scripts.walk_revisions()}
    if current - known:
        return []
    applied: set[str] = set()
    if current:
        applied = {script.revision for script in scripts.iterate_revisions(tuple(current), "base")
                   if script is not None}
    return sorted(head_revisions() - applied)
