"""Applying plans: set-based, batched writes in the caller's transaction.

A :class:`~mohlat.workflow.engine.Plan` may hold one case's move or a sweep
batch of thousands. Each kind of write is one executemany statement, and a case
update only lands if the case still has the version the plan was made from; if
any does not, :class:`~mohlat.errors.ConcurrentUpdate` rolls the whole
transaction back.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from datetime import timedelta
from typing import Any

from sqlalchemy import and_, bindparam, insert, or_, update
from sqlalchemy.orm import Session

from mohlat.errors import ConcurrentUpdate
from mohlat.store.models import Case, Deadline, Event
from mohlat.workflow.engine import CaseUpdate, DeadlineChange, Plan

__all__ = ["apply_plan"]

_cases = Case.__table__  # type: ignore[attr-defined]
_deadlines = Deadline.__table__  # type: ignore[attr-defined]
_events = Event.__table__  # type: ignore[attr-defined]

_OPEN_STATUSES = ("pending", "paused")


def apply_plan(tx: Session, plan: Plan) -> None:
    """Write everything ``plan`` holds, in the caller's transaction."""
    _update_cases(tx, plan.updates)
    if plan.events:
        tx.execute(insert(_events), [_event_row(e) for e in plan.events])
    _change_deadlines(tx, plan.deadlines)


def _update_cases(tx: Session, updates: Sequence[CaseUpdate]) -> None:
    groups: dict[tuple[str, ...], list[CaseUpdate]] = defaultdict(list)
    for u in updates:
        groups[tuple(sorted(u.values))].append(u)
    for columns, group in groups.items():
        stmt = (
            update(_cases)
            .where(and_(_cases.c.id == bindparam("_id"), _cases.c.version == bindparam("_ver")))
            .values({c: bindparam(c) for c in columns})
        )
        rows = [{"_id": u.case_id, "_ver": u.version, **u.values} for u in group]
        result = tx.connection().execute(stmt, rows)
        if result.rowcount != len(rows):
            raise ConcurrentUpdate(f"{len(rows) - result.rowcount} of {len(rows)} case(s)")


def _event_row(e: Any) -> dict[str, Any]:
    return {
        "case_id": e.case_id,
        "campaign_id": e.campaign_id,
        "seq": e.seq,
        "action": e.action,
        "from_state": e.from_state,
        "to_state": e.to_state,
        "logical_at": e.logical_at,
        "recorded_at": e.recorded_at,
        "actor": e.actor,
        "payload": dict(e.payload),
        "prev_hash": e.prev_hash,
        "hash": e.hash,
    }


def _change_deadlines(tx: Session, changes: Sequence[DeadlineChange]) -> None:
    by_op: dict[str, list[DeadlineChange]] = defaultdict(list)
    for change in changes:
        by_op[change.op].append(change)
    conn = tx.connection()
    d = _deadlines.c
    same_case = and_(d.case_id == bindparam("_case"), d.kind == bindparam("_kind"))
    if by_op["close"]:
        conn.execute(
            update(_deadlines)
            .where(same_case, or_(*(d.status == s for s in _OPEN_STATUSES)))
            .values(status=bindparam("_status"), closed_at=bindparam("_at")),
            [
                {"_case": c.case_id, "_kind": c.kind.value, "_status": c.status, "_at": c.at}
                for c in by_op["close"]
            ],
        )
    if by_op["pause"]:
        conn.execute(
            update(_deadlines)
            .where(same_case, d.status == "pending")
            .values(status="paused", due_at=None, remaining_us=bindparam("_left")),
            [
                {"_case": c.case_id, "_kind": c.kind.value, "_left": _micros(c)}
                for c in by_op["pause"]
            ],
        )
    if by_op["resume"]:
        conn.execute(
            update(_deadlines)
            .where(same_case, d.status == "paused")
            .values(status="pending", due_at=bindparam("_due"), remaining_us=None),
            [
                {"_case": c.case_id, "_kind": c.kind.value, "_due": c.due_at}
                for c in by_op["resume"]
            ],
        )
    if by_op["move"]:
        conn.execute(
            update(_deadlines)
            .where(same_case, d.status == "pending")
            .values(due_at=bindparam("_due")),
            [{"_case": c.case_id, "_kind": c.kind.value, "_due": c.due_at} for c in by_op["move"]],
        )
    if by_op["open"]:
        conn.execute(
            insert(_deadlines),
            [
                {
                    "campaign_id": c.campaign_id,
                    "case_id": c.case_id,
                    "region": c.region,
                    "kind": c.kind.value,
                    "status": "pending",
                    "due_at": c.due_at,
                    "started_at": c.started_at,
                    "opened_at": c.at,
                }
                for c in by_op["open"]
            ],
        )


def _micros(change: DeadlineChange) -> int:
    assert change.remaining is not None
    return change.remaining // timedelta(microseconds=1)
