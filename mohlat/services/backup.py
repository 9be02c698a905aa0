"""Backups and health checks of the database, for the operator of the server host.

* :func:`backup_database` copies a SQLite database to a new file as one consistent
  snapshot while the scheduler and users keep writing (SQLite's online backup API),
  then checks the copy: its integrity and every timeline. A PostgreSQL database is
  backed up with ``pg_dump`` (the README's recipe), not by mohlat.
* :func:`check_database` runs the database engine's own integrity check and
  :func:`~mohlat.services.verify.verify_timelines` over every campaign.

Restoring is copying the backup file back in place while nothing runs (README,
"Backups").
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from mohlat.errors import InvalidInput
from mohlat.services.access import SYSTEM, Actor, authorize
from mohlat.services.verify import VerifyReport, verify_timelines
from mohlat.store import Database

__all__ = ["CheckReport", "backup_database", "check_database"]


@dataclass(frozen=True)
class CheckReport:
    """What :func:`check_database` found."""

    #: what the database engine's integrity check reports (empty: nothing)
    integrity: list[str]
    timelines: VerifyReport

    @property
    def ok(self) -> bool:
        """Whether the database and every timeline hold."""
        return not self.integrity and self.timelines.ok


def backup_database(db: Database, *, actor: Actor, target: str) -> CheckReport:
    """Copy the database to the new file ``target`` and check the copy; the file must
    not exist yet (a backup never overwrites anything)."""
    authorize(actor, "database.backup")
    path = Path(target).expanduser()
    if path.exists():
        raise InvalidInput("backup file", str(path), "a new file (it exists; choose another)")
    if not path.parent.is_dir():
        raise InvalidInput("backup file", str(path), "a file in an existing folder")
    db.backup(path)
    copy = Database(f"sqlite:///{path}", must_exist=True)
    try:
        return check_database(copy, actor=actor)
    finally:
        copy.dispose()


def check_database(db: Database, *, actor: Actor) -> CheckReport:
    """The database engine's integrity check and the verification of every timeline."""
    authorize(actor, "database.check")
    return CheckReport(
        integrity=db.integrity_problems(), timelines=verify_timelines(db, actor=SYSTEM)
    )
