"""Every way a database cannot be used ends in one clear line, never a traceback."""

from __future__ import annotations

import threading
import time
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.exc import OperationalError

from mohlat.errors import (
    DatabaseBusy,
    DatabaseNotReady,
    DatabaseUnavailable,
    InvalidInput,
)
from mohlat.store import Database
from mohlat.store.database import _translated, safe_url


@pytest.mark.parametrize(
    "url",
    ["foo://somewhere", "postgres://user@host/db", "mysql://u@h/d", "sqlite+nothing:///x.db"],
    ids=["unknown-scheme", "postgres-alias", "unsupported-database", "unknown-driver"],
)
def test_an_unusable_url_is_bad_input_naming_the_forms(url: str) -> None:
    with pytest.raises(InvalidInput, match="postgresql\\+psycopg://USER@HOST/DATABASE"):
        Database(url)


def test_a_missing_sqlite_file_is_not_created_when_it_must_exist(tmp_path: Path) -> None:
    path = tmp_path / "typo.db"
    with pytest.raises(DatabaseNotReady, match="there is no database at"):
        Database(str(path), must_exist=True)
    assert not path.exists()


@pytest.mark.parametrize(
    ("content", "why"),
    [
        (b"root:x:0:0:root:/root:/bin/bash\n" * 40, "not a SQLite database"),
        (b"SQLite format 3\x00" + b"\xff" * 4000, "not a SQLite database|damaged"),
    ],
    ids=["a-text-file", "a-damaged-file"],
)
def test_a_file_that_is_no_database_is_named_as_such(
    tmp_path: Path, content: bytes, why: str
) -> None:
    path = tmp_path / "broken.db"
    path.write_bytes(content)
    db = Database(str(path), must_exist=True)
    with pytest.raises(DatabaseUnavailable, match=why):
        db.is_ready()
    with pytest.raises(DatabaseUnavailable, match=why), db.transaction() as tx:
        tx.execute(text("SELECT 1"))


def test_a_folder_that_does_not_exist_is_named(tmp_path: Path) -> None:
    db = Database(str(tmp_path / "no" / "such" / "folder.db"))
    with pytest.raises(DatabaseUnavailable, match="cannot open the file"):
        db.is_ready()


def test_a_server_that_does_not_answer_is_named_and_its_password_masked() -> None:
    db = Database("postgresql+psycopg://mohlat:s3cret@127.0.0.1:1/mohlat")
    with pytest.raises(DatabaseUnavailable, match="no server answers") as refused:
        db.is_ready()
    assert "s3cret" not in str(refused.value)
    assert "***" in str(refused.value)


def test_a_lock_held_past_the_busy_timeout_is_a_conflict_to_retry() -> None:
    error = OperationalError("BEGIN IMMEDIATE", {}, Exception("database is locked"))
    translated = _translated(error, "sqlite:///x.db")
    assert isinstance(translated, DatabaseBusy)
    assert translated.exit_code == 1
    assert "try again" in str(translated)


def test_passwords_never_appear_in_a_url_shown() -> None:
    assert "hunter2" not in safe_url("postgresql+psycopg://u:hunter2@h/db")


def test_a_read_only_transaction_does_not_wait_for_a_writer(db: Database) -> None:
    if db.dialect != "sqlite":
        pytest.skip("SQLite's write lock")
    writer_holds = threading.Event()
    release = threading.Event()

    def writer() -> None:
        with db.transaction():
            writer_holds.set()
            release.wait(10)

    thread = threading.Thread(target=writer)
    thread.start()
    assert writer_holds.wait(10)
    started = time.perf_counter()
    try:
        with db.transaction(read_only=True) as tx:
            assert tx.execute(text("SELECT count(*) FROM cases")).scalar() == 0
        waited = time.perf_counter() - started
    finally:
        release.set()
        thread.join()
    assert waited < 1.0
