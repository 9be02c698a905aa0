"""Moving cases inside a transaction: the shared core of actions, publication and sweeps."""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from mohlat.errors import TransitionNotAllowed
from mohlat.scoring import RankEntry, positions_among, rank
from mohlat.store import Transaction
from mohlat.store import queries as q
from mohlat.store.snapshots import load_snapshots
from mohlat.store.writes import apply_plan
from mohlat.workflow.definition import PUBLICATION_KIND, State
from mohlat.workflow.engine import CampaignRules, DeadlineChange, Plan, plan_move
from mohlat.workflow.rulebook import possible_destinations

__all__ = ["CHUNK", "Publication", "assign_late_positions", "fire", "publish_in"]

log = logging.getLogger(__name__)

_SCORING_STATES = frozenset({State.RANKED, State.FINAL})


def needs_scoring_data(action: str) -> bool:
    """Whether ``action`` may score a case (and so needs its scoring inputs loaded)."""
    return bool(possible_destinations(action) & _SCORING_STATES)


#: how many cases are read and written at once inside a transaction (bind-parameter
#: limits: PostgreSQL takes at most 65,535 per statement)
CHUNK = 5000


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
    with_data: bool | None = None,
    progress: Callable[[int], None] | None = None,
) -> Counter[tuple[str, str, str]]:
    """Fire ``action`` on many cases of one campaign at ``at`` and write the result, in
    chunks; returns how many moved, by (action, from state, to state).

    A deadline that fell due for a case no longer in a state it governs (it cannot
    happen through the product) is closed as stale, with a warning, so a sweep
    always makes progress.
    """
    moved: Counter[tuple[str, str, str]] = Counter()
    scoring = needs_scoring_data(action) if with_data is None else with_data
    for start in range(0, len(case_ids), CHUNK):
        plan = Plan()
        for snapshot in load_snapshots(tx, case_ids[start : start + CHUNK], with_data=scoring):
            try:
                plan.extend(
                    plan_move(
                        snapshot,
                        action,
                        rules=rules,
                        at=at,
                        recorded_at=recorded_at,
                        actor=actor,
                        by_deadline=by_deadline,
                    )
                )
            except TransitionNotAllowed as refused:
                if not by_deadline:
                    raise
                log.warning("case %s: stale deadline closed: %s", snapshot.case_id, refused)
                plan.deadlines.append(
                    _stale(snapshot.case_id, snapshot.campaign_id, snapshot.region, action, at)
                )
        apply_plan(tx, plan)
        moved.update((e.action, e.from_state, e.to_state) for e in plan.events)
        if progress is not None:
            progress(len(case_ids[start : start + CHUNK]))
    return moved


def _stale(
    case_id: int, campaign_id: int, region: int, action: str, at: datetime
) -> DeadlineChange:
    from mohlat.workflow.definition import STATE_DEADLINES

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
    reviewed = q.case_ids_in_state(
        tx, campaign_id=campaign_id, state=State.REGIONAL_REVIEW, reviewed=True
    )
    ran_out = q.case_ids_in_state(
        tx,
        campaign_id=campaign_id,
        state=State.REGIONAL_REVIEW,
        reviewed=False,
        deadline_due_by=at,
    )
    # ranked earlier without an appeal window (not expected): publication opens it
    waiting = q.case_ids_in_state(
        tx, campaign_id=campaign_id, state=State.RANKED, without_deadline=True
    )
    total = len(reviewed) + len(ran_out) + len(waiting)
    done = 0

    def advance(count: int) -> None:
        nonlocal done
        done += count
        if progress is not None:
            progress(done, total)

    common: dict[str, Any] = {
        "rules": rules,
        "at": at,
        "recorded_at": recorded_at,
        "actor": actor,
        "progress": advance,
    }
    moves = fire(tx, "publish", reviewed, by_deadline=False, **common)
    moves += fire(tx, "close_review", ran_out, by_deadline=True, **common)
    moves += fire(tx, "publish", waiting, by_deadline=False, with_data=False, **common)
    q.set_campaign_published(tx, campaign_id=campaign_id, at=at)
    q.close_campaign_deadline(
        tx, campaign_id=campaign_id, kind=PUBLICATION_KIND, status="expired", at=recorded_at
    )
    entries = [_entry(row) for row in q.ranked_entries(tx, campaign_id=campaign_id)]
    positions = rank(entries, rules.rubric.tie_breakers)
    q.set_positions(
        tx, positions=[(cid, p.national, p.regional, p.provincial) for cid, p in positions.items()]
    )
    return Publication(moves, len(positions))


def assign_late_positions(tx: Transaction, *, rules: CampaignRules) -> int:
    """Give cases ranked after publication their place, without renumbering the others."""
    late_ids = set(q.unranked_positions(tx, campaign_id=rules.campaign_id))
    if not late_ids:
        return 0
    entries = [_entry(r) for r in q.ranked_entries(tx, campaign_id=rules.campaign_id)]
    late = [e for e in entries if e.case_id in late_ids]
    published = [e for e in entries if e.case_id not in late_ids]
    placed = positions_among(late, published, rules.rubric.tie_breakers)
    q.set_positions(
        tx, positions=[(cid, p.national, p.regional, p.provincial) for cid, p in placed.items()]
    )
    return len(placed)


def _entry(row: Sequence[Any]) -> RankEntry:
    violations: Mapping[str, int] = row[5] or {}
    return RankEntry(
        case_id=row[0],
        total=row[1],
        region=row[2],
        province=row[3],
        association_score=row[4],
        violations_count=sum(violations.values()),
        declared_at=row[6],
        office_code=row[7],
    )
