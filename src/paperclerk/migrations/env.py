"""Alembic environment: runs migrations on paperclerk's own engine (SQLite or PostgreSQL)."""

from alembic import context
from sqlalchemy import Connection

from paperclerk import plugins
from paperclerk.core.db import Base, get_engine

plugins.load()
target_metadata = Base.metadata


def run_migrations() -> None:
    connectable = context.config.attributes.get("connection")
    if connectable is not None:
        _run(connectable)
        return
    with get_engine().connect() as connection:
        _run(connection)


def _known(item: object, name: str | None, type_: str, reflected: bool, compare_to: object) -> bool:
    """Autogenerate never drops a table the models do not describe: a product line not installed here, or the
    full-text tables (dialect-specific DDL)."""
    return not (type_ == "table" and reflected and compare_to is None)


def _run(connection: Connection) -> None:
    context.configure(connection=connection, target_metadata=target_metadata, include_object=_known,
                      render_as_batch=connection.dialect.name == "sqlite", compare_type=True)
    with context.begin_transaction():
        context.run_migrations()


run_migrations()
