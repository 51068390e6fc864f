"""The migrations build exactly the tables the models describe, on SQLite and PostgreSQL."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext

from paperclerk import plugins
from paperclerk.core.db import Base, get_engine

#: Full-text tables live in dialect-specific DDL (FTS5 / tsvector), not in models.
SEARCH_TABLES = ("search_index", "search_rowids")


def _is_search_table(diff: tuple) -> bool:
    kind, item = diff[0], diff[1]
    name = item.name if kind == "remove_table" else item.table.name if kind == "remove_index" else ""
    return name.startswith(SEARCH_TABLES)


def test_migration_matches_the_models(any_env):
    plugins.load()
    with get_engine().connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        differences = [diff for diff in compare_metadata(context, Base.metadata) if not _is_search_table(diff)]
    assert differences == []
