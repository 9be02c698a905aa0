"""The migrations build exactly the schema the models declare."""

from __future__ import annotations

from typing import Any

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import CheckConstraint, inspect
from sqlmodel import SQLModel
from support import World, tehran

from mohlat.errors import DatabaseError
from mohlat.store import Database
from mohlat.store.migrate import alembic_config


def test_the_migrated_schema_matches_the_models(db: Database) -> None:
    with db.engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        assert compare_metadata(context, SQLModel.metadata) == []


def test_migrating_twice_changes_nothing(db: Database) -> None:
    db.create_schema()
    assert db.is_ready()


def _checks(tables: Any) -> dict[str, str]:
    return {
        check["name"]: " ".join(str(check["sqltext"]).split())
        for table in tables
        for check in table
    }


def test_the_migrated_checks_allow_what_the_models_declare(db: Database) -> None:
    declared = {
        constraint.name: str(constraint.sqltext)
        for table in SQLModel.metadata.tables.values()
        for constraint in table.constraints
        if isinstance(constraint, CheckConstraint)
    }
    assert set(declared) == {
        "ck_accounts_role",
        "ck_cases_state",
        "ck_closures_kind",
        "ck_deadlines_kind",
        "ck_deadlines_status",
    }
    inspector = inspect(db.engine)
    migrated = _checks(inspector.get_check_constraints(t) for t in inspector.get_table_names())
    if db.dialect == "sqlite":  # PostgreSQL rewrites the text: compare the names only
        assert migrated == declared
    assert set(migrated) == set(declared)


#: the revision before the schema invariants (0005)
BEFORE_INVARIANTS = "0004"


def _before_invariants(db: Database) -> None:
    """Empty ``db`` and build the schema of the revision before the invariants in it."""
    db.drop_everything()
    config = alembic_config()
    with db.engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, BEFORE_INVARIANTS)


def _revision(db: Database) -> str | None:
    with db.engine.connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()


def test_a_database_with_cases_in_it_is_migrated_to_the_newest_schema(db: Database) -> None:
    _before_invariants(db)
    world = World(db).setup()
    world.act("declare", world.case_ids[0], tehran(1400, 1, 20, 9))
    before = [world.chain(case_id) for case_id in world.case_ids]

    db.create_schema()  # 0005 rebuilds tables that other rows point at

    assert [world.chain(case_id) for case_id in world.case_ids] == before
    assert world.state(world.case_ids[0]) == "declaring"
    assert [d.kind for d in world.deadlines(world.case_ids[0])] == ["declaration"]


def test_a_migration_that_would_leave_dangling_references_changes_nothing(db: Database) -> None:
    if db.dialect != "sqlite":
        pytest.skip("only SQLite can hold rows that point at nothing")
    _before_invariants(db)
    world = World(db).setup()
    with db.engine.connect() as connection:
        raw = connection.connection.driver_connection
        assert raw is not None
        raw.execute("PRAGMA foreign_keys=OFF")
        raw.execute("UPDATE deadlines SET case_id = 999999 WHERE case_id = 1")
        raw.execute("PRAGMA foreign_keys=ON")

    with pytest.raises(DatabaseError, match=r"dangling references: .*deadlines row"):
        db.create_schema()

    assert _revision(db) == BEFORE_INVARIANTS
    assert inspect(db.engine).get_check_constraints("cases") == []
    assert world.state(world.case_ids[1]) == "declaring"
