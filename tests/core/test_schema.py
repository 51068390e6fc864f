"""The migrations build exactly the tables the models describe, on SQLite and PostgreSQL."""

from __future__ import annotations

from typing import Any

from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import Connection, create_engine, inspect, text

from paperclerk import plugins
from paperclerk.core import db
from paperclerk.core.db import Base, get_engine
from paperclerk.core.schema import alembic_config, at_heads, current_revisions, head_revisions, upgrade

#: Full-text tables live in dialect-specific DDL (FTS5 / tsvector), not in models.
SEARCH_TABLES = ("search_index", "search_rowids", "passage_index")
#: … and so do the passages' tsvector (and, with pgvector, vector) columns and their index.
SEARCH_COLUMNS = {("passages", "tsv"), ("passages", "vec")}
SEARCH_INDEXES = {"ix_passages_tsv"}


def _is_search_table(diff: tuple) -> bool:
    kind, item = diff[0], diff[1]
    if kind == "remove_column":
        return (diff[2], diff[3].name) in SEARCH_COLUMNS
    if kind == "remove_index" and item.name in SEARCH_INDEXES:
        return True
    name = item.name if kind == "remove_table" else item.table.name if kind == "remove_index" else ""
    return name.startswith(SEARCH_TABLES)


def test_migration_matches_the_models(any_env):
    plugins.load()
    with get_engine().connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        differences = [diff for diff in compare_metadata(context, Base.metadata) if not _is_search_table(diff)]
    assert differences == []


def _schema(connection: Connection) -> dict[str, Any]:
    """Everything a migration can make: tables with columns, keys, indexes and constraints, triggers, and the
    revisions recorded."""
    inspector = inspect(connection)
    tables = {}
    for table in sorted(inspector.get_table_names()):
        tables[table] = {
            "columns": [(column["name"], str(column["type"]), column["nullable"], str(column.get("default")))
                        for column in inspector.get_columns(table)],
            "primary_key": inspector.get_pk_constraint(table),
            "foreign_keys": sorted(map(repr, inspector.get_foreign_keys(table))),
            "indexes": sorted(map(repr, inspector.get_indexes(table))),
            "unique": sorted(map(repr, inspector.get_unique_constraints(table))),
        }
    if connection.dialect.name == "sqlite":
        triggers = connection.execute(text("SELECT name, sql FROM sqlite_master WHERE type = 'trigger'")).all()
    else:
        triggers = connection.execute(text("SELECT trigger_name, event_object_table, action_statement "
                                           "FROM information_schema.triggers")).all()
    versions = connection.execute(text("SELECT version_num FROM alembic_version")).scalars()
    return {"tables": tables, "triggers": sorted(map(tuple, triggers)), "versions": sorted(versions)}


def _migrate(url: str, *targets: str) -> dict[str, Any]:
    """Upgrade the database at ``url`` to each target in turn (each a separate run, as separate releases do)."""
    engine = create_engine(url)
    try:
        for target in targets:
            config = alembic_config()
            with engine.begin() as connection:
                config.attributes["connection"] = connection
                command.upgrade(config, target)
        with engine.connect() as connection:
            return _schema(connection)
    finally:
        engine.dispose()


def _empty(url: str) -> str:
    if url.startswith("postgresql"):
        engine = create_engine(url)
        with engine.begin() as connection:
            connection.execute(text("DROP SCHEMA public CASCADE"))
            connection.execute(text("CREATE SCHEMA public"))
        engine.dispose()
    return url


def test_a_database_from_before_the_lines_and_a_fresh_one_end_identical(any_env, tmp_path):
    """Revisions 0001 to 0005 were applied as one chain before lines had branches: a database left at 0005 and a
    new one both end at every branch's head with the same schema and the same recorded revisions."""
    db.reset()
    if any_env.database_url:
        fresh = _migrate(_empty(any_env.database_url), "heads")
        upgraded = _migrate(_empty(any_env.database_url), "0005", "heads")
    else:
        fresh = _migrate(f"sqlite:///{tmp_path / 'fresh.db'}", "heads")
        upgraded = _migrate(f"sqlite:///{tmp_path / 'old.db'}", "0005", "heads")
    assert upgraded == fresh
    assert {"documents", "invoices", "audit_entries"} <= set(fresh["tables"])
    assert "declared_kind" in [column[0] for column in fresh["tables"]["documents"]["columns"]]


def test_readiness_wants_every_branch_at_its_head(env, tmp_path, monkeypatch):
    assert at_heads()
    monkeypatch.setenv("PAPERCLERK_DATABASE_URL", f"sqlite:///{tmp_path / 'behind.db'}")
    db.reset()
    assert not at_heads()  # nothing applied
    _migrate(f"sqlite:///{tmp_path / 'behind.db'}", "0004")
    assert not at_heads()
    upgrade()
    assert at_heads() and current_revisions() <= head_revisions()
