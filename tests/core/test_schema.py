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
from tests.core.test_product_line_is_additive import CORE_HEAD

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
            "indexes": sorted(repr({**index, "dialect_options": {key: str(value) for key, value in
                                                                  index.get("dialect_options", {}).items()}})
                              for index in inspector.get_indexes(table)),  # a partial index's WHERE, as text
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


def _core_tables() -> set[str]:
    """The tables of the core's own models (not of a line, nor of the core's plug-in packages with branches)."""
    plugins.load()
    return {mapper.local_table.name for mapper in Base.registry.mappers
            if mapper.class_.__module__ in plugins.CORE_MODEL_MODULES}


def test_the_core_chain_alone_makes_every_core_table_and_no_line_branch_changes_one(any_env, tmp_path):
    """Every core column comes from the core's own chain (``documents.declared_kind`` too, from 0005, applied before
    lines had branches); the branches of the lines and of the core's plug-ins touch no core table. Upgrading from the
    last release's head (0010, before 0011 rebuilt ``documents``) ends like a fresh install."""
    db.reset()
    core = _core_tables()
    assert {"documents", "pages", "jobs", "audit_entries", "users"} <= core
    if any_env.database_url:
        core_only = _migrate(_empty(any_env.database_url), CORE_HEAD)
        fresh = _migrate(_empty(any_env.database_url), "heads")
        from_last_release = _migrate(_empty(any_env.database_url), "0010", "heads")
    else:
        core_only = _migrate(f"sqlite:///{tmp_path / 'core.db'}", CORE_HEAD)
        fresh = _migrate(f"sqlite:///{tmp_path / 'fresh.db'}", "heads")
        from_last_release = _migrate(f"sqlite:///{tmp_path / 'release.db'}", "0010", "heads")
    assert core_only["versions"] == [CORE_HEAD]
    assert {table: fresh["tables"][table] for table in core} == {table: core_only["tables"][table] for table in core}
    assert from_last_release == fresh


def test_readiness_wants_every_branch_at_its_head(env, tmp_path, monkeypatch):
    assert at_heads()
    monkeypatch.setenv("PAPERCLERK_DATABASE_URL", f"sqlite:///{tmp_path / 'behind.db'}")
    db.reset()
    assert not at_heads()  # nothing applied
    _migrate(f"sqlite:///{tmp_path / 'behind.db'}", "0004")
    assert not at_heads()
    upgrade()
    assert at_heads() and current_revisions() <= head_revisions()


def _insert(connection: Connection, table: str, **values: Any) -> None:
    """A row with ``values``; every other required column gets a plain value of its type."""
    for column in inspect(connection).get_columns(table):
        if column["name"] in values or column["nullable"] or column.get("default") is not None:
            continue
        kind = str(column["type"]).upper()
        values[column["name"]] = (0 if "INT" in kind or "NUMERIC" in kind or "FLOAT" in kind else
                                  False if "BOOL" in kind else "{}" if "JSON" in kind else
                                  "2026-01-01 00:00:00.000000" if "DATE" in kind else "x")
    names = ", ".join(values)
    connection.execute(text(f"INSERT INTO {table} ({names}) VALUES ({', '.join(':' + key for key in values)})"),
                       values)


def test_an_upgrade_that_rebuilds_documents_on_sqlite_keeps_what_refers_to_them(env, tmp_path, monkeypatch):
    """0011 rebuilds ``documents`` on SQLite (a changed constraint); with the app's foreign-key actions on, dropping
    the old table would delete every page and invoice of every document. ``upgrade`` runs with them off."""
    url = f"sqlite:///{tmp_path / 'deployed.db'}"
    _migrate(url, "0010")
    engine = create_engine(url)
    with engine.begin() as connection:
        _insert(connection, "organizations", id="org-1", slug="acme", name="Acme")
        _insert(connection, "documents", id="doc-1", organization_id="org-1", sha256="a" * 64, filename="a.pdf",
                status="processed")
        _insert(connection, "pages", document_id="doc-1", number=1, text="page one", method="text")
        _insert(connection, "invoices", id="inv-1", organization_id="org-1", document_id="doc-1", status="approved")
    engine.dispose()
    monkeypatch.setenv("PAPERCLERK_DATABASE_URL", url)
    db.reset()
    upgrade()
    with get_engine().connect() as connection:
        assert connection.execute(text("SELECT count(*) FROM pages WHERE document_id = 'doc-1'")).scalar() == 1
        assert connection.execute(text("SELECT count(*) FROM invoices WHERE document_id = 'doc-1'")).scalar() == 1
        assert connection.execute(text("SELECT deleted_at FROM documents")).all() == [(None,)]
        assert connection.execute(text("PRAGMA foreign_keys")).scalar() == 1  # on again for the app
