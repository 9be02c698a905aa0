"""The small seam where SQLite and PostgreSQL differ."""

from __future__ import annotations

from typing import Any

from sqlalchemy import event, text
from sqlalchemy.engine import Engine
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session

__all__ = ["configure", "engine_options", "is_conflict", "lock_for_sweep"]

#: key of the PostgreSQL advisory lock held by the sweeping scheduler
_SWEEP_LOCK_KEY = 0x6D6F686C  # "mohl"


def engine_options(url: str) -> dict[str, Any]:
    """Extra ``create_engine`` arguments for this URL's database."""
    if url.startswith("sqlite"):
        return {"connect_args": {"timeout": 30}}
    return {"pool_pre_ping": True}


def configure(engine: Engine) -> None:
    """Connection settings: for SQLite, WAL, foreign keys and write-ahead BEGIN IMMEDIATE."""
    if engine.dialect.name != "sqlite":
        return

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None  # we issue BEGIN ourselves
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA busy_timeout=30000")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Any) -> None:
        # Take the write lock at the start, so a read-then-write transaction never
        # fails half-way on a lock upgrade.
        connection.exec_driver_sql("BEGIN IMMEDIATE")


def lock_for_sweep(session: Session) -> bool:
    """Take the sweep lock for this transaction; False if another scheduler holds it.

    On SQLite, ``BEGIN IMMEDIATE`` already serializes writers.
    """
    if session.get_bind().dialect.name != "postgresql":
        return True
    got = session.execute(text("SELECT pg_try_advisory_xact_lock(:k)"), {"k": _SWEEP_LOCK_KEY})
    return bool(got.scalar())


def is_conflict(exc: DBAPIError) -> bool:
    """Whether the error is a lock or serialization conflict worth retrying."""
    message = str(exc.orig).lower()
    return any(
        token in message
        for token in (
            "database is locked",
            "could not serialize",
            "deadlock detected",
            "lock not available",
        )
    )
