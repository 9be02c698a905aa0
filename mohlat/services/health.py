"""Whether the service can serve: the database reachable, its schema current, the
scheduler keeping up (what ``/readyz`` answers and a load balancer asks)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from mohlat.errors import MohlatError
from mohlat.services.sweep import LAST_SWEEP_KEY
from mohlat.store import Database
from mohlat.store import queries as q

__all__ = ["Readiness", "readiness"]


@dataclass(frozen=True)
class Readiness:
    """What readiness found."""

    ready: bool
    database: str
    schema_revision: str | None
    schema_head: str | None
    #: the instant the last whole sweep applied everything due up to (None: never)
    last_sweep_at: datetime | None
    #: deadlines already due that no sweep has applied yet
    deadlines_due: int
    #: how long the earliest of them has been due, in seconds (0: caught up)
    lag_seconds: float
    problem: str = ""


def readiness(db: Database, *, now: datetime) -> Readiness:
    """Whether ``db`` is reachable and at the newest schema, and how far behind the
    sweep is at ``now``. A lagging sweep does not make the service unready (requests
    are still answered correctly: deadlines are enforced at each action too)."""
    try:
        current, head = db.schema_revisions()
        with db.transaction(read_only=True) as tx:
            due, earliest = q.pending_due(tx, now=now)
            last = q.settings(tx).get(LAST_SWEEP_KEY)
    except MohlatError as exc:
        return Readiness(False, "unreachable", None, None, None, 0, 0.0, str(exc))
    lag = (now - earliest).total_seconds() if earliest is not None else 0.0
    current_schema = current == head
    return Readiness(
        ready=current_schema,
        database="reachable",
        schema_revision=current,
        schema_head=head,
        last_sweep_at=datetime.fromisoformat(last) if last else None,
        deadlines_due=due,
        lag_seconds=max(lag, 0.0),
        problem="" if current_schema else "the schema is not the newest: run `mohlat init`",
    )
