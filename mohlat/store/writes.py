"""Applying plans: set-based, batched writes in the caller's transaction.

A :class:`~mohlat.workflow.engine.Plan` may hold one case's move or a sweep
batch of thousands. Each kind of write is one executemany statement, and a case
update only lands if the case still has the version the plan was made from; if
any does not, :class:`~mohlat.errors.ConcurrentUpdate` rolls the whole
transaction back.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Hashable, Sequence
from datetime import timedelta
from typing import Any, TypeVar

from sqlalchemy import and_, bindparam, insert, literal, or_, select, update
from sqlalchemy.orm import Session

from mohlat.errors import ConcurrentUpdate
from mohlat.store.models import Case, Deadline, Event
from mohlat.store.types import UTCDateTime
from mohlat.workflow.engine import CaseUpdate, DeadlineChange, Plan

__all__ = ["apply_plan"]

_cases = Case.__table__  # type: ignore[attr-defined]
_deadlines = Deadline.__table__  # type: ignore[attr-defined]
_events = Event.__table__  # type: ignore[attr-defined]

_K = TypeVar("_K", bound=Hashable)

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
    # Closing and opening are set-based: one statement per group of changes that
    # share their values (a sweep batch is usually one group of thousands of cases).
    for (kind, status, at), ids in _grouped(by_op["close"], lambda c: (c.kind, c.status, c.at)):
        conn.execute(
            update(_deadlines)
            .where(
                d.case_id.in_(ids),
                d.kind == kind.value,
                or_(*(d.status == s for s in _OPEN_STATUSES)),
            )
            .values(status=status, closed_at=at)
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
            # a resumed clock runs on the time it had left: no calendar recounts it
            .values(status="pending", due_at=bindparam("_due"), remaining_us=None, started_at=None),
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
    opened = _grouped(by_op["open"], lambda c: (c.kind, c.due_at, c.started_at, c.at))
    for (kind, due_at, started_at, at), ids in opened:
        c = _cases.c
        conn.execute(
            insert(_deadlines).from_select(
                [
                    "campaign_id",
                    "case_id",
                    "region",
                    "kind",
                    "status",
                    "due_at",
                    "started_at",
                    "opened_at",
                ],
                select(
                    c.campaign_id,
                    c.id,
                    c.region,
                    literal(kind.value),
                    literal("pending"),
                    literal(due_at, UTCDateTime),
                    literal(started_at, UTCDateTime),
                    literal(at, UTCDateTime),
                ).where(c.id.in_(ids)),
            )
        )


#: the most case ids one statement names (PostgreSQL takes at most 65,535 parameters)
MAX_IDS = 5000


def _grouped(
    changes: Sequence[DeadlineChange], key: Callable[[DeadlineChange], _K]
) -> list[tuple[_K, list[int]]]:
    """The case ids of ``changes``, grouped by ``key`` (in first-seen order), in lists of
    at most :data:`MAX_IDS`."""
    groups: dict[_K, list[int]] = {}
    for change in changes:
        groups.setdefault(key(change), []).append(change.case_id)
    return [
        (value, ids[start : start + MAX_IDS])
        for value, ids in groups.items()
        for start in range(0, len(ids), MAX_IDS)
    ]


def _micros(change: DeadlineChange) -> int:
    assert change.remaining is not None
    return change.remaining // timedelta(microseconds=1)
