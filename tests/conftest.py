"""Shared fixtures: a fresh database per test and a small world of offices to act in.

The database is a SQLite file in the test's temporary folder, or, when
``MOHLAT_TEST_DB`` names a PostgreSQL URL, a freshly emptied schema there.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from support import World, fresh_database

from mohlat.identity import configure
from mohlat.store import Database


@pytest.fixture(autouse=True, scope="session")
def _cheap_password_hashing() -> Iterator[None]:
    configure(time_cost=1, memory_cost=8, parallelism=1)
    yield
    configure()


@pytest.fixture(autouse=True)
def _no_kept_login(tmp_path: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    """No test reads a login the user running the tests keeps, or their server."""
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    monkeypatch.delenv("MOHLAT_SERVER", raising=False)


@pytest.fixture
def db(tmp_path: Any) -> Iterator[Database]:
    database = fresh_database(tmp_path / "test.db")
    yield database
    database.dispose()


@pytest.fixture
def world(db: Database) -> World:
    return World(db).setup()
