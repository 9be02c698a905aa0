"""The thin I/O layer: each service call checks access, reads, plans with the pure
workflow, and writes through the store in one transaction.

Front ends (the CLI, a future HTTP API) call these services and nothing below them;
they get a database handle from :func:`open_database`. Importing this package is
cheap: the database layer loads when a database is opened.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:  # for annotations only: the front ends name no store module
    from pathlib import Path

    from mohlat.store import Database

__all__ = ["Database", "is_demo_database", "open_database", "prepare_database", "shown_url"]


def __getattr__(name: str) -> object:
    """``Database``, loaded when first asked for (it brings in SQLAlchemy)."""
    if name == "Database":
        from mohlat.store import Database

        return Database
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def open_database(url: str | None = None, *, ready: bool = True) -> Database:
    """The mohlat database at ``url`` (default: ``$MOHLAT_DB`` or ``./mohlat.db``);
    :class:`~mohlat.errors.DatabaseNotReady` when ``ready`` and it has no schema yet.

    A SQLite file that does not exist is not created (except by
    :func:`prepare_database`): a mistyped path is refused, leaving nothing behind."""
    from mohlat.errors import DatabaseNotReady
    from mohlat.store import Database, safe_url

    db = Database(url, must_exist=ready)
    if ready and not db.is_ready():
        raise DatabaseNotReady(safe_url(db.url))
    return db


def prepare_database(url: str | None = None, *, demo: bool = False) -> Database:
    """The database at ``url``, brought to the newest schema (created if new);
    ``demo``: marked as the demo's own, which a later demo may replace."""
    db = open_database(url, ready=False)
    db.create_schema()
    if demo:
        db.mark_as_demo()
    return db


def shown_url(url: str) -> str:
    """A database URL as it may be printed: its password masked."""
    from mohlat.store import safe_url

    return safe_url(url)


def is_demo_database(path: Path) -> bool:
    """Whether the file at ``path`` is a database ``mohlat demo`` made."""
    from mohlat.store import is_demo_file

    return is_demo_file(path)
