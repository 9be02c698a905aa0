"""Reading cases as the planner sees them: one query for one case or a batch."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from functools import cache
from typing import Any

from sqlalchemy import ColumnElement, Select, and_, case, exists, select
from sqlalchemy.orm import Session, aliased

from mohlat.store._dialect import among_ids
from mohlat.store.models import Case, CaseDetail, Deadline, table_of
from mohlat.workflow.bulk import Situation
from mohlat.workflow.definition import STATE_DEADLINES, State
from mohlat.workflow.engine import CaseSnapshot

__all__ = ["DueDeadline", "load_situations", "load_snapshots", "next_due"]

_cases = Case.__table__  # type: ignore[attr-defined]
_details = table_of(CaseDetail)

#: the states in which a case may have a paused clock (from the workflow's declaration)
_STATES_WITH_PAUSED_CLOCKS = sorted(
    {state.value for rule in STATE_DEADLINES.values() for state in rule.paused_in}
)
_deadlines = Deadline.__table__  # type: ignore[attr-defined]


@cache  # statements are immutable: built once, narrowed by each caller's .where()
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
        c.declared_at.is_not(None),
        c.reviewed_at.is_not(None),
        pending.c.due_at,
        paused.c.remaining_us,
        c.total,
        c.grade,
    ]
    if with_data:
        columns += [_details.c.declaration, c.association_score, c.violations]
    query = (
        select(*columns)
        .select_from(_cases)
        .outerjoin(pending, and_(pending.c.case_id == c.id, pending.c.status == "pending"))
        .outerjoin(paused, and_(paused.c.case_id == c.id, paused.c.status == "paused"))
    )
    if with_data:
        query = query.outerjoin(_details, _details.c.case_id == c.id)
    return query


def load_snapshots(
    tx: Session, case_ids: Sequence[int], *, with_data: bool, lock: bool = True
) -> list[CaseSnapshot]:
    """The snapshots of these cases, in id order; missing ids are left out.

    ``with_data`` also loads the scoring inputs (for actions that may change them).
    ``lock`` takes row locks where the database has them (PostgreSQL), so nobody
    changes the cases before we write.
    """
    if not case_ids:
        return []
    query = _snapshot_query(with_data).where(among_ids(_cases.c.id, case_ids))
    query = query.order_by(_cases.c.id)
    if lock and tx.get_bind().dialect.name == "postgresql":
        query = query.with_for_update(of=_cases)
    return [_snapshot(row, with_data) for row in tx.execute(query)]


def _snapshot(row: Any, with_data: bool) -> CaseSnapshot:
    remaining = row[11]
    extra: dict[str, Any] = {}
    if with_data:
        extra = {
            "declaration": row[14],
            "association_score": row[15],
            "violations": row[16],
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
        declared=bool(row[8]),
        reviewed=bool(row[9]),
        due_at=row[10],
        paused_left=timedelta(microseconds=remaining) if remaining is not None else None,
        total=row[12],
        grade=row[13],
        **extra,
    )


def load_situations(
    tx: Session,
    case_ids: Sequence[int] | None = None,
    *,
    at: datetime,
    where: ColumnElement[bool] | None = None,
    lock: bool = True,
) -> dict[Situation, list[int]]:
    """The ids of these cases (or of the cases ``where`` selects) grouped by their
    :class:`~mohlat.workflow.bulk.Situation` at ``at``, each list in id order
    (missing ids are left out); one lean query, with row locks as
    :func:`load_snapshots` takes them."""
    if case_ids is not None:
        if not case_ids:
            return {}
        where = among_ids(_cases.c.id, case_ids)
    if where is None:
        raise ValueError("load_situations needs case ids or a condition")
    c, d = _cases.c, _deadlines.c
    pending = aliased(_deadlines, name="pending")
    # only a case in a state where a clock pauses can have a paused one: the others
    # skip the lookup
    has_paused = case(
        (
            c.state.in_(_STATES_WITH_PAUSED_CLOCKS),
            exists().where(d.case_id == c.id, d.status == "paused"),
        ),
        else_=False,
    )
    query = (
        select(
            c.id,
            c.state,
            c.declared_at.is_not(None),
            c.reviewed_at.is_not(None),
            c.region,
            c.province,
            pending.c.id.is_not(None),
            has_paused,
            pending.c.due_at < at,
        )
        .select_from(_cases)
        .outerjoin(pending, and_(pending.c.case_id == c.id, pending.c.status == "pending"))
        .where(where)
        .order_by(c.id)
    )
    if lock and tx.get_bind().dialect.name == "postgresql":
        query = query.with_for_update(of=_cases)
    grouped: dict[tuple[Any, ...], list[int]] = {}
    for case_id, *rest in tx.execute(query):
        grouped.setdefault(tuple(rest), []).append(case_id)
    situations: dict[Situation, list[int]] = {}
    for key, ids in grouped.items():
        state, declared, reviewed, region, province, has_pending, has_paused, overdue = key
        situation = Situation(
            State(state),
            bool(declared),
            bool(reviewed),
            region,
            province,
            bool(has_pending),
            bool(has_paused),
            bool(overdue),
        )
        situations[situation] = ids
    return situations


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
