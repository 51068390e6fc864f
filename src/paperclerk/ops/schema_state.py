"""Is the database schema at head? "At head" means every head of the migration graph is applied, so the answer
stays right when product lines add branches of their own (``alembic upgrade heads``).

A database migrated by a newer release (a revision this release does not know) counts as up to date: migrations are
backwards compatible across one release (expand, migrate, contract), so old processes keep serving during a rollout.
"""

from __future__ import annotations

from functools import lru_cache

from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory

from paperclerk.core.schema import alembic_config


@lru_cache
def _scripts() -> ScriptDirectory:
    return ScriptDirectory.from_config(alembic_config())


def pending_heads() -> list[str]:
    """The heads of this release's migrations that the configured database has not reached."""
    from paperclerk.core.db import get_engine

    scripts = _scripts()
    with get_engine().connect() as connection:
        current = set(MigrationContext.configure(connection).get_current_heads())
    known = {script.revision for script in scripts.walk_revisions()}
    if current - known:
        return []
    applied: set[str] = set()
    for revision in current:
        applied.update(script.revision for script in scripts.iterate_revisions(revision, "base"))
    return sorted(set(scripts.get_heads()) - applied)
