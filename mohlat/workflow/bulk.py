"""Planning one move for many cases at once, as set-based writes, without I/O.

A sweep or a publication moves thousands of cases that are in the same situation:
same state and flags, same region and province (so the same deadline dates). For
each such :class:`Situation`, :func:`plan_groups` decides once, from the same
declaration and the same helpers as :func:`~mohlat.workflow.engine.plan_move`,
and returns a :class:`GroupMove`: what every case in it gets (values, one event
with a shared payload, deadline steps). The store applies a group with a few
set-based statements, the chain hashes included (the shared part of each event's
canonical text is known here; only the case id, seq and previous hash differ).

Cases whose move needs their own numbers (a paused clock resumed with the time it
had left, a binding deadline already past) are left to the one-by-one planner.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from mohlat.errors import MohlatError, NotYetOpen, TransitionNotAllowed
from mohlat.workflow.definition import Facts, State
from mohlat.workflow.engine import (
    CampaignRules,
    DeadlineStep,
    DueDates,
    action_says,
    action_values,
    binding_rule,
    check_window_opened,
    deadline_steps,
    due_payload,
)
from mohlat.workflow.rulebook import Move, decide
from mohlat.workflow.timeline import EventHasher, canonical

__all__ = ["BulkPlan", "CopyOf", "GroupMove", "Situation", "plan_groups"]


@dataclass(frozen=True, slots=True)
class Situation:
    """What decides a move for a case, shared by many cases."""

    state: State
    declared: bool
    reviewed: bool
    region: int
    province: str
    #: the deadline the state carries is pending
    has_pending: bool
    #: a paused clock waits for the case to come back
    has_paused: bool
    #: the pending deadline fell due before the move's instant
    overdue: bool


@dataclass(frozen=True, slots=True)
class CopyOf:
    """A value taken from another field of the same case."""

    field: str


@dataclass
class GroupMove:
    """One move made by many cases at the same instant, with the same writes."""

    action: str
    move: Move
    case_ids: list[int]
    #: the case fields set (a value, or a :class:`CopyOf`), state included
    values: dict[str, Any]
    payload: dict[str, Any]
    #: ``payload`` as canonical JSON, as the hashes cover it
    payload_json: str
    #: the shared part of each event's hash (instants and actor included)
    hasher: EventHasher
    deadlines: list[DeadlineStep]
    #: the campaign the cases are in (its event count grows with them)
    campaign_id: int


@dataclass
class BulkPlan:
    """The groups, the ids left to the one-by-one planner, and the refused ids."""

    groups: list[GroupMove] = field(default_factory=list)
    one_by_one: list[int] = field(default_factory=list)
    refused: list[tuple[list[int], MohlatError]] = field(default_factory=list)


def plan_groups(
    situations: Mapping[Situation, list[int]],
    action: str,
    *,
    rules: CampaignRules,
    at: datetime,
    recorded_at: datetime,
    actor: str,
    by_deadline: bool,
) -> BulkPlan:
    """The group moves of ``action`` at ``at`` for the cases in each situation (case
    ids by :class:`Situation`); situations that lead to the same writes share a group."""
    plan = BulkPlan()
    published = rules.is_published(at)
    due_of = DueDates(rules)
    groups: dict[tuple[Any, ...], GroupMove] = {}
    for situation, case_ids in situations.items():
        try:
            move = decide(
                action,
                Facts(situation.state, situation.declared, situation.reviewed, published),
            )
            if not by_deadline:
                check_window_opened(situation.state, action, rules, at)
        except (TransitionNotAllowed, NotYetOpen) as refusal:
            plan.refused.append((list(case_ids), refusal))
            continue
        if not by_deadline and situation.overdue and binding_rule(situation.state):
            plan.one_by_one.extend(case_ids)  # each is refused with its own due instant
            continue
        steps = deadline_steps(
            move,
            has_pending=situation.has_pending,
            has_paused=situation.has_paused,
            region=situation.region,
            province=situation.province,
            rules=rules,
            at=at,
            by_deadline=by_deadline,
            due_of=due_of,
        )
        if any(step.op in ("pause", "resume") for step in steps):
            plan.one_by_one.extend(case_ids)  # each keeps its own time left
            continue
        payload = {**action_says(action), **due_payload(steps, due_of)}
        payload_json = canonical(payload)
        key = (move, tuple(steps), payload_json)
        group = groups.get(key)
        if group is None:
            hasher = EventHasher(action, move.source.value, move.dest.value, at, recorded_at, actor)
            if not hasher.shareable:
                plan.one_by_one.extend(case_ids)
                continue
            group = groups[key] = GroupMove(
                action,
                move,
                [],
                _values(action, move, at),
                payload,
                payload_json,
                hasher,
                steps,
                rules.campaign_id,
            )
        group.case_ids.extend(case_ids)
    plan.groups.extend(groups.values())
    return plan


def _values(action: str, move: Move, at: datetime) -> dict[str, Any]:
    """The fields every case of the group gets, as the one-by-one planner sets them
    for a move without inputs of its own."""
    values = action_values(action, move, at)
    if move.dest is State.FINAL:
        # no new inputs: the final score is the published one
        values["final_total"] = CopyOf("total")
        values["final_grade"] = CopyOf("grade")
    return values
