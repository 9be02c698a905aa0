"""Schema migrations with Alembic: ``mohlat init`` brings any database to the newest
schema; tests compare the migrated schema with the models."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy.engine import Engine

from mohlat.errors import DatabaseError
from mohlat.store import _dialect

__all__ = ["MIGRATIONS", "alembic_config", "revisions", "upgrade"]

MIGRATIONS = Path(__file__).parent / "migrations"


def alembic_config() -> Config:
    """The Alembic configuration of mohlat's migrations (no alembic.ini needed)."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    return config


def upgrade(engine: Engine) -> None:
    """Migrate the database behind ``engine`` to the newest schema, in one transaction.

    Refused (nothing changed) if the migrated rows break a foreign key.
    """
    config = alembic_config()
    with (
        engine.connect() as connection,
        _dialect.rebuilding_tables(connection),
        connection.begin(),
    ):
        config.attributes["connection"] = connection
        command.upgrade(config, "head")
        if dangling := _dialect.dangling_references(connection):
            raise DatabaseError(f"migrating leaves dangling references: {dangling[:5]}")


def revisions(engine: Engine) -> tuple[str | None, str | None]:
    """The database's schema revision (None: none yet) and the newest one there is."""
    from alembic.runtime.migration import MigrationContext
    from alembic.script import ScriptDirectory

    with engine.connect() as connection:
        current = MigrationContext.configure(connection).get_current_revision()
    head = ScriptDirectory.from_config(alembic_config()).get_current_head()
    return current, head
