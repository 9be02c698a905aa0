"""A backup taken while others write is consistent, restores, and loses nothing that
was committed before it began."""

from __future__ import annotations

import shutil
import threading
from pathlib import Path

import pytest
from support import World, tehran

from mohlat.errors import InvalidInput
from mohlat.services.access import SYSTEM
from mohlat.services.backup import backup_database, check_database
from mohlat.services.cases import ActionRequest, act_many
from mohlat.store import Database


@pytest.fixture
def busy(db: Database) -> World:
    if db.dialect != "sqlite":
        pytest.skip("PostgreSQL is backed up with pg_dump")
    return World(db).setup(offices=180)


def _events(db: Database) -> int:
    with db.transaction(read_only=True) as tx:
        return int(tx.connection().exec_driver_sql("SELECT count(*) FROM events").scalar_one())


def test_a_backup_taken_while_actions_and_a_sweep_write_restores_whole(
    busy: World, tmp_path: Path
) -> None:
    writing = threading.Event()
    sweeping = threading.Event()

    def declare_then_sweep() -> None:
        for n, start in enumerate(range(0, len(busy.case_ids), 6)):
            batch = busy.case_ids[start : start + 6]
            requests = [
                ActionRequest(busy.office_actors[c], str(c), {"office_space": str(40 + n),
                              "staff_count": "4", "location": "city", "holder_years": "6"})
                for c in batch
            ]  # fmt: skip
            act_many(busy.db, "declare", requests, now=tehran(1400, 1, 20, 10), batch_size=3)
            writing.set()
        sweeping.set()
        busy.sweep(tehran(1400, 2, 6, 0, 5))  # the window closes: every case moves

    writer = threading.Thread(target=declare_then_sweep)
    writer.start()
    assert writing.wait(30)
    backups = []
    for name, moment in (("while-declaring", writing), ("while-sweeping", sweeping)):
        assert moment.wait(60)
        committed_before = _events(busy.db)
        target = tmp_path / f"{name}.db"
        report = backup_database(busy.db, actor=SYSTEM, target=str(target))
        assert report.ok, (name, report.integrity, report.faults())
        backups.append((target, committed_before))
    writer.join(60)
    for target, committed_before in backups:
        restored_path = tmp_path / f"restored-{target.name}"
        shutil.copyfile(target, restored_path)
        restored = Database(f"sqlite:///{restored_path}", must_exist=True)
        try:
            assert _events(restored) >= committed_before
            assert check_database(restored, actor=SYSTEM).ok
        finally:
            restored.dispose()


def test_a_backup_never_overwrites_a_file(busy: World, tmp_path: Path) -> None:
    target = tmp_path / "exists.db"
    target.write_text("precious")
    with pytest.raises(InvalidInput, match="it exists; choose another"):
        backup_database(busy.db, actor=SYSTEM, target=str(target))
    assert target.read_text() == "precious"


def test_check_names_what_the_engine_finds_damaged(busy: World, tmp_path: Path) -> None:
    target = tmp_path / "copy.db"
    backup_database(busy.db, actor=SYSTEM, target=str(target))
    data = bytearray(target.read_bytes())
    page = 4096
    for offset in range(page * 6, min(len(data), page * 9)):
        data[offset] = 0xAB
    target.write_bytes(bytes(data))
    damaged = Database(f"sqlite:///{target}", must_exist=True)
    try:
        try:
            report = check_database(damaged, actor=SYSTEM)
        except Exception as exc:  # a damaged file may not even open: a clear error then
            assert "damaged" in str(exc) or "not a SQLite database" in str(exc)
        else:
            assert not report.ok
    finally:
        damaged.dispose()
