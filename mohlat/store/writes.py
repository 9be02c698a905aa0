"""Applying plans: set-based, batched writes in the caller's transaction.

A :class:`~mohlat.workflow.engine.Plan` may hold one case's move or a sweep
batch of thousands. Each kind of write is one executemany statement, and a case
update only lands if the case still has the version the plan was made from; if
any does not, :class:`~mohlat.errors.ConcurrentUpdate` rolls the whole
transaction back.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Callable, Hashable, Mapping, Sequence
from datetime import datetime, timedelta
from functools import lru_cache
from typing import Any, TypeVar

from sqlalchemy import (
    JSON,
    String,
    Update,
    and_,
    bindparam,
    cast,
    event,
    insert,
    literal,
    or_,
    select,
    update,
)
from sqlalchemy.engine import Connection
from sqlalchemy.orm import Session
from sqlalchemy.sql import Executable

from mohlat.errors import ConcurrentUpdate
from mohlat.store._bulk import PRESERIALIZED, executemany
from mohlat.store._dialect import among_ids, sha256_hex
from mohlat.store.models import (
    OPEN_DEADLINE_STATUSES,
    Campaign,
    Case,
    CaseDetail,
    Deadline,
    Event,
    table_of,
)
from mohlat.store.types import UTCDateTime
from mohlat.workflow.bulk import CopyOf, GroupMove
from mohlat.workflow.definition import DeadlineKind
from mohlat.workflow.engine import CaseUpdate, DeadlineChange, Plan
from mohlat.workflow.timeline import NewEvent

__all__ = ["apply_groups", "apply_plan"]

_campaigns = table_of(Campaign)
_cases = Case.__table__  # type: ignore[attr-defined]
_details = table_of(CaseDetail)
_deadlines = Deadline.__table__  # type: ignore[attr-defined]
_events = Event.__table__  # type: ignore[attr-defined]

_K = TypeVar("_K", bound=Hashable)

_INSERT_EVENT = insert(_events).values(
    {c.name: bindparam(c.name) for c in _events.columns if c.name != "id"}
)
_ADD_EVENT_COUNTS = (
    update(_campaigns)
    .where(_campaigns.c.id == bindparam("_campaign"))
    .values(event_count=_campaigns.c.event_count + bindparam("_added"))
)


def apply_plan(tx: Session, plan: Plan) -> None:
    """Write everything ``plan`` holds, in the caller's transaction."""
    _update_cases(tx, plan.updates)
    if plan.events:
        executemany(tx.connection(), _INSERT_EVENT, [_event_row(e) for e in plan.events])
        _count_events(tx, Counter(e.campaign_id for e in plan.events))
    _change_deadlines(tx, plan.deadlines)


#: where a transaction keeps the event counts it will add to its campaigns
_PENDING_COUNTS = "mohlat.campaign_event_counts"


def _count_events(tx: Session, added: Mapping[int, int]) -> None:
    """Add to each campaign's event count the events just written for its cases.

    The campaign rows are updated when the transaction commits, in one statement in
    campaign order: every case row the transaction locks is locked before them, so
    two transactions cannot each hold what the other waits for.
    """
    pending: Counter[int] | None = tx.info.get(_PENDING_COUNTS)
    if pending is None:
        pending = tx.info[_PENDING_COUNTS] = Counter()
        event.listen(tx, "before_commit", _write_counts)
        event.listen(tx, "after_rollback", _forget_counts)
    pending.update(added)


def _write_counts(tx: Session) -> None:
    pending: Counter[int] | None = tx.info.pop(_PENDING_COUNTS, None)
    if not pending:
        return
    executemany(
        tx.connection(),
        _ADD_EVENT_COUNTS,
        [{"_campaign": campaign_id, "_added": n} for campaign_id, n in sorted(pending.items())],
    )


def _forget_counts(tx: Session) -> None:
    tx.info.pop(_PENDING_COUNTS, None)


#: case fields kept in ``case_details``, not on the case row
_DETAIL_FIELDS = frozenset(c.name for c in _details.columns if c.name != "case_id")


def _update_cases(tx: Session, updates: Sequence[CaseUpdate]) -> None:
    groups: dict[tuple[str, ...], list[CaseUpdate]] = defaultdict(list)
    details: dict[tuple[str, ...], list[dict[str, Any]]] = defaultdict(list)
    for u in updates:
        kept = _DETAIL_FIELDS.intersection(u.values)
        if kept:
            values = dict(u.values)
            detail = {name: values.pop(name) for name in kept}
            details[tuple(sorted(detail))].append({"_case": u.case_id, **detail})
            u = CaseUpdate(u.case_id, u.version, values)
        groups[tuple(sorted(u.values))].append(u)
    for columns, group in groups.items():
        rows = [{"_id": u.case_id, "_ver": u.version, **u.values} for u in group]
        written = executemany(tx.connection(), _case_update(columns), rows)
        if written != len(rows):
            raise ConcurrentUpdate(f"{len(rows) - written} of {len(rows)} case(s)")
    for columns, detail_rows in details.items():
        executemany(tx.connection(), _detail_update(columns), detail_rows)


# statements are immutable: each is built once for the set of columns it writes
@lru_cache(maxsize=256)
def _case_update(columns: tuple[str, ...]) -> Update:
    c = _cases.c
    return (
        update(_cases)
        .where(and_(c.id == bindparam("_id"), c.version == bindparam("_ver")))
        .values({name: bindparam(name) for name in columns})
    )


@lru_cache(maxsize=64)
def _detail_update(columns: tuple[str, ...]) -> Update:
    return (
        update(_details)
        .where(_details.c.case_id == bindparam("_case"))
        .values({name: bindparam(name) for name in columns})
    )


def _event_row(e: NewEvent) -> dict[str, Any]:
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
        "payload": dict(e.payload) if e.payload_json is None else PRESERIALIZED(e.payload_json),
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
        _close_deadlines(conn, ids, kind=kind, status=status, at=at)
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
            .values(
                status="pending",
                due_at=bindparam("_due"),
                remaining_us=None,
                started_at=None,
                # the time left had every extension in it
                extensions=None,
            ),
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
        _open_deadlines(conn, ids, kind=kind, due_at=due_at, started_at=started_at, at=at)


def _close_deadlines(
    conn: Connection, ids: Sequence[int], *, kind: DeadlineKind, status: str, at: datetime
) -> None:
    """Close the open ``kind`` deadline of these cases, with ``status``."""
    d = _deadlines.c
    conn.execute(
        update(_deadlines)
        .where(
            among_ids(d.case_id, ids),
            d.kind == kind.value,
            or_(*(d.status == s for s in OPEN_DEADLINE_STATUSES)),
        )
        .values(status=status, closed_at=at)
    )


def _open_deadlines(
    conn: Connection,
    ids: Sequence[int],
    *,
    kind: DeadlineKind,
    due_at: datetime | None,
    started_at: datetime | None,
    at: datetime,
) -> None:
    """Open a pending ``kind`` deadline due at ``due_at`` for each of these cases."""
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
            ).where(among_ids(c.id, ids)),
        )
    )


def apply_groups(
    tx: Session, groups: Sequence[GroupMove], progress: Callable[[int], None] | None = None
) -> None:
    """Write group moves set-based, in the caller's transaction: per group, one
    statement appends the cases' events (chain hashes worked out in SQL), one moves
    the cases onto them, and one per deadline step.

    The cases must have been read, and on PostgreSQL locked, in this transaction
    (:func:`~mohlat.store.snapshots.load_situations`); if one is missing,
    :class:`~mohlat.errors.ConcurrentUpdate` rolls the whole transaction back.
    ``progress`` is told how many cases each group moved.
    """
    conn = tx.connection()
    for group in groups:
        ids = group.case_ids
        conn.execute(_append_events(group, ids))
        # one event per case (the drivers' rowcount of INSERT … SELECT is not always
        # given: psycopg says -1); the move below checks every case was there
        _count_events(tx, {group.campaign_id: len(ids)})
        # the cases are locked since they were read (PostgreSQL rows, the SQLite
        # database); the count still guards the write against a case gone missing
        moved = conn.execute(_move_cases(group, ids)).rowcount
        if moved != len(ids):
            raise ConcurrentUpdate(f"{len(ids) - moved} of {len(ids)} case(s)")
        at = group.hasher.logical_at
        for step in group.deadlines:
            if step.op == "close":
                _close_deadlines(conn, ids, kind=step.kind, status=step.status, at=at)
            else:
                _open_deadlines(
                    conn,
                    ids,
                    kind=step.kind,
                    due_at=step.due_at,
                    started_at=step.started_at,
                    at=at,
                )
        if progress is not None:
            progress(len(ids))


def _append_events(group: GroupMove, ids: Sequence[int]) -> Executable:
    """INSERT … SELECT of each case's next event, hash-chained to its last one."""
    c = _cases.c
    head, middle, before_seq, tail = group.hasher.pieces
    seq = c.event_count + 1
    hashed_text = (
        c.last_hash
        + literal(head)
        + cast(c.id, String)
        + literal(middle + group.payload_json + before_seq)
        + cast(seq, String)
        + literal(tail)
    )
    hasher, move = group.hasher, group.move
    return insert(_events).from_select(
        [
            "case_id",
            "campaign_id",
            "seq",
            "action",
            "from_state",
            "to_state",
            "logical_at",
            "recorded_at",
            "actor",
            "payload",
            "prev_hash",
            "hash",
        ],
        select(
            c.id,
            c.campaign_id,
            seq,
            literal(group.action),
            literal(move.source.value),
            literal(move.dest.value),
            literal(hasher.logical_at, UTCDateTime),
            literal(hasher.recorded_at, UTCDateTime),
            literal(hasher.actor),
            literal(group.payload, JSON),
            c.last_hash,
            sha256_hex(hashed_text),
        ).where(among_ids(c.id, ids)),
    )


def _move_cases(group: GroupMove, ids: Sequence[int]) -> Executable:
    """UPDATE of the cases onto the events :func:`_append_events` added."""
    c, e = _cases.c, _events.c
    new_head = select(e.hash).where(e.case_id == c.id, e.seq == c.event_count + 1).scalar_subquery()
    values = {
        name: c[value.field] if isinstance(value, CopyOf) else value
        for name, value in group.values.items()
    }
    return (
        update(_cases)
        .where(among_ids(c.id, ids))
        .values(
            **values,
            version=c.version + 1,
            event_count=c.event_count + 1,
            last_hash=new_head,
        )
    )


#: the most case ids one statement of the one-by-one path names
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
