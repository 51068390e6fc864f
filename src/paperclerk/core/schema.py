"""Schema management: ``upgrade`` applies pending Alembic migrations to the configured database."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from alembic import command
from alembic.config import Config


def alembic_config() -> Config:
    config = Config()
    config.set_main_option("script_location", str(Path(__file__).resolve().parent.parent / "migrations"))
    return config


def upgrade() -> None:
    """Apply pending migrations to the configured database (idempotent)."""
    from paperclerk.core.db import get_engine

    config = alembic_config()
    with get_engine().begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, "head")


def current_revision() -> str | None:
    from alembic.runtime.migration import MigrationContext

    from paperclerk.core.db import get_engine

    with get_engine().connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()


@lru_cache
def head_revision() -> str | None:
    from alembic.script import ScriptDirectory

    return ScriptDirectory.from_config(alembic_config()).get_current_head()
