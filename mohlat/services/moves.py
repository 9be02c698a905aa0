"""Moving cases inside a transaction: the shared core of actions, publication and sweeps."""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from mohlat.errors import TransitionNotAllowed
from mohlat.scoring import Position, RankEntry, place_within, positions_among
from mohlat.store import Transaction
from mohlat.store import queries as q
from mohlat.store.ranking import number_positions
from mohlat.store.snapshots import load_situations, load_snapshots
from mohlat.store.writes import apply_groups, apply_plan
from mohlat.workflow.bulk import Situation, plan_groups
from mohlat.workflow.definition import PUBLICATION_KIND, STATE_DEADLINES, State
from mohlat.workflow.engine import CampaignRules, DeadlineChange, plan_moves

__all__ = [
    "CHUNK",
    "Publication",
    "assign_late_positions",
    "fire",
    "move_situations",
    "place_among_ranked",
    "publish_in",
]

log = logging.getLogger(__name__)

#: how many cases a sweep step reads and moves at once (one transaction each)
CHUNK = 5000
#: how many neighbouring cases one set-based statement moves: fewer, larger statements
#: cost less to prepare; the ids are not bind parameters, so no driver limit applies
MOVE_CHUNK = 25_000


def fire(
    tx: Transaction,
    action: str,
    case_ids: Sequence[int],
    *,
    rules: CampaignRules,
    at: datetime,
    recorded_at: datetime,
    actor: str,
    by_deadline: bool,
    progress: Callable[[int], None] | None = None,
) -> Counter[tuple[str, str, str]]:
    """Fire ``action`` on many cases of one campaign at ``at`` and write the result, in
    chunks; returns how many moved, by (action, from state, to state).

    Cases in the same situation move together, set-based
    (:func:`~mohlat.workflow.bulk.plan_groups`); the few whose move needs their own
    numbers (a resumed clock) are planned one by one.
    """
    moved: Counter[tuple[str, str, str]] = Counter()
    for start in range(0, len(case_ids), CHUNK):
        chunk = case_ids[start : start + CHUNK]
        moved += move_situations(
            tx,
            action,
            load_situations(tx, chunk, at=at),
            rules=rules,
            at=at,
            recorded_at=recorded_at,
            actor=actor,
            by_deadline=by_deadline,
        )
        if progress is not None:
            progress(len(chunk))
    return moved


def move_situations(
    tx: Transaction,
    action: str,
    situations: Mapping[Situation, list[int]],
    *,
    rules: CampaignRules,
    at: datetime,
    recorded_at: datetime,
    actor: str,
    by_deadline: bool,
    progress: Callable[[int], None] | None = None,
) -> Counter[tuple[str, str, str]]:
    """:func:`fire` for cases already grouped by situation, in chunks of neighbouring
    ids (rows close together in the tables); ``progress`` is told how many cases
    each step moved."""
    firing = _Firing(action, rules, at, recorded_at, actor, by_deadline)
    moved: Counter[tuple[str, str, str]] = Counter()
    for chunk in _id_ranges(situations, MOVE_CHUNK):
        moved += _move_chunk(tx, firing, chunk, progress)
    return moved


@dataclass(frozen=True)
class _Firing:
    """One action fired on many cases of one campaign at one instant."""

    action: str
    rules: CampaignRules
    at: datetime
    recorded_at: datetime
    actor: str
    #: the scheduler fires it for deadlines that fell due at ``at``
    by_deadline: bool


def _id_ranges(
    situations: Mapping[Situation, list[int]], size: int
) -> Iterator[dict[Situation, list[int]]]:
    """The same cases by situation, cut into chunks of at most ``size`` ids in id order."""
    flat = sorted((case_id, situation) for situation, ids in situations.items() for case_id in ids)
    for start in range(0, len(flat), size):
        chunk: dict[Situation, list[int]] = {}
        for case_id, situation in flat[start : start + size]:
            chunk.setdefault(situation, []).append(case_id)
        yield chunk


def _move_chunk(
    tx: Transaction,
    firing: _Firing,
    situations: Mapping[Situation, list[int]],
    progress: Callable[[int], None] | None,
) -> Counter[tuple[str, str, str]]:
    bulk = plan_groups(
        situations,
        firing.action,
        rules=firing.rules,
        at=firing.at,
        recorded_at=firing.recorded_at,
        actor=firing.actor,
        by_deadline=firing.by_deadline,
    )
    apply_groups(tx, bulk.groups, progress)
    moved: Counter[tuple[str, str, str]] = Counter()
    for group in bulk.groups:
        moved[(firing.action, group.move.source.value, group.move.dest.value)] += len(
            group.case_ids
        )
    one_by_one = list(bulk.one_by_one)
    for ids, refusal in bulk.refused:
        if not firing.by_deadline or not isinstance(refusal, TransitionNotAllowed):
            raise refusal
        one_by_one.extend(ids)  # closed as stale there, each with a warning
    if one_by_one:
        moved += _fire_one_by_one(tx, firing, sorted(one_by_one))
        if progress is not None:
            progress(len(one_by_one))
    return moved


def _fire_one_by_one(
    tx: Transaction, firing: _Firing, case_ids: Sequence[int]
) -> Counter[tuple[str, str, str]]:
    """Cases planned one by one (:func:`~mohlat.workflow.engine.plan_moves`).

    A deadline that fell due for a case no longer in a state it governs (it cannot
    happen through the product) is closed as stale, with a warning, so a sweep
    always makes progress.
    """
    plan, refused = plan_moves(
        load_snapshots(tx, case_ids, with_data=False),
        firing.action,
        rules=firing.rules,
        at=firing.at,
        recorded_at=firing.recorded_at,
        actor=firing.actor,
        by_deadline=firing.by_deadline,
    )
    for snapshot, refusal in refused:
        if not firing.by_deadline or not isinstance(refusal, TransitionNotAllowed):
            raise refusal
        log.warning("case %s: stale deadline closed: %s", snapshot.case_id, refusal)
        plan.deadlines.append(
            _stale(
                snapshot.case_id, snapshot.campaign_id, snapshot.region, firing.action, firing.at
            )
        )
    apply_plan(tx, plan)
    return Counter((e.action, e.from_state, e.to_state) for e in plan.events)


def _stale(
    case_id: int, campaign_id: int, region: int, action: str, at: datetime
) -> DeadlineChange:
    kind = next(r.kind for r in STATE_DEADLINES.values() if r.on_expiry == action)
    return DeadlineChange("close", case_id, campaign_id, region, kind, at, status="stale")


@dataclass(frozen=True)
class Publication:
    """What publishing a campaign did."""

    moves: Counter[tuple[str, str, str]]
    positions: int


def publish_in(
    tx: Transaction,
    *,
    rules: CampaignRules,
    at: datetime,
    recorded_at: datetime,
    actor: str,
    progress: Callable[[int, int], None] | None = None,
) -> Publication:
    """Publish the campaign's ranks at ``at``: rank every reviewed case and every case
    whose review time ran out by ``at``, each with its appeal window, and number the
    ranking. ``rules`` must say published at ``at``. ``progress(done, total)`` is told
    how far it is.

    Publication comes before the case deadlines that fall due at the same instant
    (see :func:`~mohlat.store.snapshots.next_due`), so each case is ranked by one
    move that also opens its appeal window.
    """
    campaign_id = rules.campaign_id
    review = State.REGIONAL_REVIEW.value
    classes = [
        # reviewed cases are ranked by publication
        ("publish", False, q.in_state(campaign_id=campaign_id, state=review, reviewed=True)),
        # the review time of the others ran out: ranked on the data they have
        (
            "close_review",
            True,
            q.in_state(campaign_id=campaign_id, state=review, reviewed=False, deadline_due_by=at),
        ),
        # ranked earlier without an appeal window (not expected): publication opens it
        (
            "publish",
            False,
            q.in_state(campaign_id=campaign_id, state=State.RANKED.value, without_deadline=True),
        ),
    ]
    loaded = [
        (action, by_deadline, load_situations(tx, at=at, where=condition))
        for action, by_deadline, condition in classes
    ]
    total = sum(len(ids) for _, _, situations in loaded for ids in situations.values())
    done = 0

    def advance(count: int) -> None:
        nonlocal done
        done += count
        if progress is not None:
            progress(done, total)

    moves: Counter[tuple[str, str, str]] = Counter()
    for action, by_deadline, situations in loaded:
        moves += move_situations(
            tx,
            action,
            situations,
            rules=rules,
            at=at,
            recorded_at=recorded_at,
            actor=actor,
            by_deadline=by_deadline,
            progress=advance,
        )
    q.set_campaign_published(tx, campaign_id=campaign_id, at=at)
    q.close_campaign_deadline(
        tx, campaign_id=campaign_id, kind=PUBLICATION_KIND, status="expired", at=recorded_at
    )
    # Scores are on the cases since their inputs last changed: numbering is one query.
    positions = number_positions(
        tx, campaign_id=campaign_id, tie_breakers=rules.rubric.tie_breakers
    )
    return Publication(moves, positions)


def assign_late_positions(tx: Transaction, *, rules: CampaignRules) -> int:
    """Give cases ranked after publication their place, without renumbering the others."""
    late_ids = set(q.unranked_positions(tx, campaign_id=rules.campaign_id))
    if not late_ids:
        return 0
    entries = [_entry(row) for row in q.rank_entries(tx, campaign_id=rules.campaign_id)]
    late = [e for e in entries if e.case_id in late_ids]
    published = [e for e in entries if e.case_id not in late_ids]
    placed = positions_among(late, published, rules.rubric.tie_breakers)
    q.set_positions(tx, positions=[(cid, *_position_tuple(p)) for cid, p in placed.items()])
    return len(placed)


def place_among_ranked(
    tx: Transaction, *, rules: CampaignRules, entries: Sequence[RankEntry]
) -> dict[int, Position]:
    """The places that ``entries`` (cases re-summed by appeal decisions, with their new
    totals) take in the campaign's ranking as it stands with them, without renumbering
    anyone else; by case id."""
    moved = {entry.case_id: entry for entry in entries}
    standing = [
        moved.get(row[0]) or _entry(row)
        for row in q.rank_entries(tx, campaign_id=rules.campaign_id)
    ]
    return place_within(entries, standing, rules.rubric.tie_breakers)


def _position_tuple(position: Position) -> tuple[int, int, int]:
    return position.national, position.regional, position.provincial


def _entry(row: Sequence[Any]) -> RankEntry:
    """A ranking entry from a :func:`~mohlat.store.queries.rank_entries` row."""
    return RankEntry(
        case_id=row[0],
        total=row[1],
        region=row[2],
        province=row[3],
        association_score=row[4],
        violations_count=row[5],
        declared_at=row[6],
        office_code=row[7],
    )
