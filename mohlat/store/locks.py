"""Locks the services take: the sweep's, so one scheduler sweeps at a time."""

from __future__ import annotations

from sqlalchemy import text
from sqlalchemy.orm import Session

__all__ = ["SWEEP_LOCK_KEY", "lock_for_sweep"]

#: key of the PostgreSQL advisory lock held by the sweeping scheduler
SWEEP_LOCK_KEY = 0x6D6F686C  # "mohl"


def lock_for_sweep(session: Session) -> bool:
    """Take the sweep lock for this transaction; False if another scheduler holds it.

    On SQLite, ``BEGIN IMMEDIATE`` already serializes writers.
    """
    if session.get_bind().dialect.name != "postgresql":
        return True
    got = session.execute(text("SELECT pg_try_advisory_xact_lock(:k)"), {"k": SWEEP_LOCK_KEY})
    return bool(got.scalar())
