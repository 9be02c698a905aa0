"""Reading cases as the planner sees them: one query for one case or a batch."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Select, and_, select
from sqlalchemy.orm import Session, aliased

from mohlat.store.models import Case, Deadline
from mohlat.workflow.definition import State
from mohlat.workflow.engine import CaseSnapshot

__all__ = ["DueDeadline", "load_snapshots", "next_due"]

_cases = Case.__table__  # type: ignore[attr-defined]
_deadlines = Deadline.__table__  # type: ignore[attr-defined]


def _snapshot_query(with_data: bool) -> Select[Any]:
    c = _cases.c
    pending = aliased(_deadlines, name="pending")
    paused = aliased(_deadlines, name="paused")
    columns = [
        c.id,
        c.campaign_id,
        c.region,
        c.province,
        c.state,
        c.version,
        c.event_count,
        c.last_hash,
        c.declared_at,
        c.reviewed_at,
        pending.c.due_at,
        paused.c.remaining_us,
    ]
    if with_data:
        columns += [c.declaration, c.association_score, c.violations]
    return (
        select(*columns)
        .select_from(_cases)
        .outerjoin(pending, and_(pending.c.case_id == c.id, pending.c.status == "pending"))
        .outerjoin(paused, and_(paused.c.case_id == c.id, paused.c.status == "paused"))
    )


def load_snapshots(
    tx: Session, case_ids: Sequence[int], *, with_data: bool, lock: bool = True
) -> list[CaseSnapshot]:
    """The snapshots of these cases, in id order; missing ids are left out.

    ``with_data`` also loads the scoring inputs. ``lock`` takes row locks where the
    database has them (PostgreSQL), so nobody changes the cases before we write.
    """
    if not case_ids:
        return []
    query = _snapshot_query(with_data).where(_cases.c.id.in_(list(case_ids))).order_by(_cases.c.id)
    if lock and tx.get_bind().dialect.name == "postgresql":
        query = query.with_for_update(of=_cases)
    return [_snapshot(row, with_data) for row in tx.execute(query)]


def _snapshot(row: Any, with_data: bool) -> CaseSnapshot:
    remaining = row[11]
    extra: dict[str, Any] = {}
    if with_data:
        extra = {
            "declaration": row[12],
            "association_score": row[13],
            "violations": row[14],
        }
    return CaseSnapshot(
        case_id=row[0],
        campaign_id=row[1],
        region=row[2],
        province=row[3],
        state=State(row[4]),
        version=row[5],
        event_count=row[6],
        last_hash=row[7],
        declared=row[8] is not None,
        reviewed=row[9] is not None,
        due_at=row[10],
        paused_left=timedelta(microseconds=remaining) if remaining is not None else None,
        **extra,
    )


class DueDeadline:
    """One group of deadlines that fell due at the same instant: of one kind and one
    campaign (``case_campaign_id``), or one campaign's own deadline (``campaign_id``)."""

    __slots__ = ("campaign_id", "case_campaign_id", "case_ids", "due_at", "kind")

    def __init__(
        self,
        due_at: datetime,
        kind: str,
        campaign_id: int | None,
        case_ids: list[int],
        case_campaign_id: int = 0,
    ) -> None:
        self.due_at = due_at
        self.kind = kind
        self.campaign_id = campaign_id
        self.case_ids = case_ids
        self.case_campaign_id = case_campaign_id


def next_due(tx: Session, *, now: datetime, limit: int) -> DueDeadline | None:
    """The earliest group of pending deadlines due at or before ``now``.

    A campaign's own deadline (publication) comes before the case deadlines due at
    the same instant: publication ranks the cases whose review ends then, each in
    one move. At most ``limit`` case ids are returned; the rest come in the next call.
    """
    d = _deadlines.c
    first = tx.execute(
        select(d.due_at).where(d.status == "pending", d.due_at <= now).order_by(d.due_at).limit(1)
    ).scalar()
    if first is None:
        return None
    head = tx.execute(
        select(d.kind, d.campaign_id, d.case_id)
        .where(d.status == "pending", d.due_at == first)
        .order_by(d.case_id.is_not(None), d.kind, d.campaign_id)
        .limit(1)
    ).one()
    kind, campaign_id, case_id = head
    if case_id is None:
        return DueDeadline(first, kind, campaign_id, [])
    ids = tx.execute(
        select(d.case_id)
        .where(
            d.status == "pending", d.due_at == first, d.kind == kind, d.campaign_id == campaign_id
        )
        .order_by(d.case_id)
        .limit(limit)
    ).scalars()
    return DueDeadline(first, kind, None, list(ids), case_campaign_id=campaign_id)
