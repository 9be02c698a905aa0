"""Planning what an action does to a case, without I/O.

:func:`plan_move` takes a snapshot of a case, the campaign's rules, an action and
the instant it happens, and returns a :class:`Plan`: the case's new values, the
timeline event (hash-chained) and the deadline changes. The store applies plans,
one at a time for a person's action or thousands at once for a sweep; both come
from this one function and the one declaration in
:mod:`mohlat.workflow.definition`.

Deadline policy, as applied here:

* Leaving a state closes the deadline it carries, or pauses it (keeping the time
  left) when the new state is in its rule's ``paused_in``.
* Entering a state opens its deadline, or resumes the paused one with the time it
  had left. A deadline anchored on publication opens only once the campaign's
  ranks are published (then from the later of entry and publication).
* A person's action in a state whose binding deadline has passed is refused, even
  if no sweep has run yet: "every deadline is checked at the moment of the action".
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from functools import lru_cache
from typing import Any, Literal

from mohlat.calendars import JalaliDate, WorkCalendar, format_instant, period_end, window_close
from mohlat.errors import DeadlinePassed, NotYetOpen
from mohlat.scoring import Rubric, score_case
from mohlat.workflow.definition import (
    STATE_DEADLINES,
    Anchor,
    DeadlineKind,
    DeadlineRule,
    Facts,
    State,
)
from mohlat.workflow.rulebook import Move, decide
from mohlat.workflow.settings import CampaignSettings
from mohlat.workflow.timeline import NewEvent

__all__ = [
    "CampaignRules",
    "CaseSnapshot",
    "CaseUpdate",
    "DeadlineChange",
    "Plan",
    "plan_move",
    "plan_note",
]


@dataclass(frozen=True)
class CaseSnapshot:
    """What the planner needs to know of one case."""

    case_id: int
    campaign_id: int
    region: int
    province: str
    state: State
    version: int
    event_count: int
    last_hash: str
    declared: bool = False
    reviewed: bool = False
    #: the due instant of the deadline the current state carries, if one is open
    due_at: datetime | None = None
    #: the time left on a paused deadline (the review clock during a correction)
    paused_left: timedelta | None = None
    #: scoring inputs; loaded only for actions that may rank the case
    declaration: Mapping[str, Any] | None = None
    association_score: float | None = None
    violations: Mapping[str, int] | None = None


@dataclass(frozen=True)
class CampaignRules:
    """What the planner needs to know of a campaign."""

    campaign_id: int
    opens_at: datetime
    closes_at: datetime
    #: the declaration window's last day, as the campaign gave it
    last_day: JalaliDate
    published_at: datetime | None
    settings: CampaignSettings
    rubric: Rubric
    #: the working calendar for an office's region and province (None, None: national)
    calendar_for: Callable[[int | None, str | None], WorkCalendar]

    def is_published(self, at: datetime) -> bool:
        """Whether the campaign's ranks are public at ``at``."""
        return self.published_at is not None and self.published_at <= at

    def period_due(
        self, kind: DeadlineKind, start: datetime, region: int, province: str
    ) -> datetime:
        """The last instant of a ``kind`` period started at ``start`` for that office's calendar."""
        return _period_due(self.settings.policy(kind), start, self.calendar_for(region, province))

    def national_due(self, kind: DeadlineKind, start: datetime) -> datetime:
        """The last instant of a ``kind`` period started at ``start``, national calendar."""
        return _period_due(self.settings.policy(kind), start, self.calendar_for(None, None))

    def recount(
        self, kind: DeadlineKind, started_at: datetime | None, region: int, province: str
    ) -> datetime | None:
        """A pending deadline counted again on today's calendar, or None if it is not
        counted on the calendar (a resumed clock, or a window given by dates without
        roll-forward)."""
        if kind is DeadlineKind.DECLARATION:
            if not self.settings.declaration_roll_forward:
                return None
            return window_close(
                self.last_day, self.calendar_for(region, province), roll_forward=True
            )
        if started_at is None:
            return None
        return self.period_due(kind, started_at, region, province)


@lru_cache(maxsize=4096)
def _period_due(policy: Any, start: datetime, calendar: WorkCalendar) -> datetime:
    return period_end(start, policy, calendar)


@dataclass(frozen=True)
class CaseUpdate:
    """New values for one case, applied only if its version is still ``version``."""

    case_id: int
    version: int
    values: Mapping[str, Any]


@dataclass(frozen=True)
class DeadlineChange:
    """One change to a case's deadlines."""

    op: Literal["open", "close", "pause", "resume", "move"]
    case_id: int
    campaign_id: int
    region: int
    kind: DeadlineKind
    #: when the change happens
    at: datetime
    due_at: datetime | None = None
    remaining: timedelta | None = None
    #: for ``close``: "expired" (it fell due) or "closed" (the case left the state)
    status: str = ""
    #: for ``open``: the event that started a relative period (None for fixed windows
    #: and resumed clocks), kept so that a calendar change can recount it
    started_at: datetime | None = None


@dataclass
class Plan:
    """Everything one or many moves will write, applied in one transaction."""

    updates: list[CaseUpdate] = field(default_factory=list)
    events: list[NewEvent] = field(default_factory=list)
    deadlines: list[DeadlineChange] = field(default_factory=list)

    def extend(self, other: Plan) -> None:
        """Add another plan's writes to this one."""
        self.updates.extend(other.updates)
        self.events.extend(other.events)
        self.deadlines.extend(other.deadlines)


def plan_move(
    case: CaseSnapshot,
    action: str,
    *,
    rules: CampaignRules,
    at: datetime,
    recorded_at: datetime,
    actor: str,
    values: Mapping[str, Any] | None = None,
    payload: Mapping[str, Any] | None = None,
    by_deadline: bool = False,
) -> Plan:
    """What ``action`` at ``at`` does to ``case``, or why it is refused.

    ``values`` are the case fields the action sets (a declaration, a score…);
    ``payload`` goes on the timeline. ``by_deadline`` marks the scheduler firing a
    deadline that fell due at ``at``; a person's action is checked against the
    deadline its state carries.
    """
    facts = Facts(
        state=case.state,
        declared=case.declared,
        reviewed=case.reviewed,
        published=rules.is_published(at),
    )
    move = decide(action, facts)
    if not by_deadline:
        _check_timing(case, action, rules, at)

    new_values: dict[str, Any] = dict(values or {})
    event_payload: dict[str, Any] = dict(payload or {})
    deadlines = _deadline_changes(case, move, rules, at, by_deadline)
    for change in deadlines:
        if change.op in ("open", "resume") and change.due_at is not None:
            event_payload[f"{change.kind.value}_due"] = change.due_at.isoformat()
    scored: dict[str, Any] = {}
    if move.changes_state and move.dest is State.RANKED:
        scored = _scored(case, new_values, rules, prefix="")
    elif move.dest is State.FINAL:
        scored = _scored(case, new_values, rules, prefix="final_")
    if scored:
        new_values.update(scored)
        event_payload.update({k: v for k, v in scored.items() if k != "breakdown"})
    new_values.update(_ACTION_VALUES.get(action, {}))
    event_payload.update(_ACTION_PAYLOAD.get(action, {}))
    if action == "approve":
        new_values["reviewed_at"] = at

    new_values["state"] = move.dest.value
    return _recorded(
        case,
        action,
        move.dest,
        at=at,
        recorded_at=recorded_at,
        actor=actor,
        values=new_values,
        payload=event_payload,
        deadlines=deadlines,
    )


def plan_note(
    case: CaseSnapshot,
    action: str,
    *,
    at: datetime,
    recorded_at: datetime,
    actor: str,
    payload: Mapping[str, Any],
    deadlines: list[DeadlineChange],
) -> Plan:
    """A timeline entry that is not a move of the workflow (a deadline moved by a
    closure or extended by an administrator), with the deadline changes it records."""
    return _recorded(
        case,
        action,
        case.state,
        at=at,
        recorded_at=recorded_at,
        actor=actor,
        values={},
        payload=payload,
        deadlines=deadlines,
    )


def _recorded(
    case: CaseSnapshot,
    action: str,
    dest: State,
    *,
    at: datetime,
    recorded_at: datetime,
    actor: str,
    values: Mapping[str, Any],
    payload: Mapping[str, Any],
    deadlines: list[DeadlineChange],
) -> Plan:
    """The plan that writes ``values``, one hash-chained event and ``deadlines``."""
    seq = case.event_count + 1
    event = NewEvent.chained(
        case_id=case.case_id,
        campaign_id=case.campaign_id,
        seq=seq,
        action=action,
        from_state=case.state.value,
        to_state=dest.value,
        logical_at=at,
        recorded_at=recorded_at,
        actor=actor,
        payload=dict(payload),
        prev_hash=case.last_hash,
    )
    digest = event.hash
    new_values = {**values, "version": case.version + 1, "event_count": seq, "last_hash": digest}
    return Plan(
        updates=[CaseUpdate(case.case_id, case.version, new_values)],
        events=[event],
        deadlines=deadlines,
    )


#: what an action says on the timeline by itself
_ACTION_PAYLOAD: Mapping[str, Mapping[str, Any]] = {
    "close_review": {"review": "time ran out: ranked on the data it has"},
}

#: fields an action sets by itself, whoever fires it
_ACTION_VALUES: Mapping[str, Mapping[str, Any]] = {
    "refer": {"reviewed_at": None},
    "escalate": {"escalated": True},
}


def _check_timing(case: CaseSnapshot, action: str, rules: CampaignRules, at: datetime) -> None:
    if case.state is State.DECLARING and at < rules.opens_at:
        raise NotYetOpen(action, "declaration window", format_instant(rules.opens_at))
    rule = STATE_DEADLINES.get(case.state)
    if rule is not None and rule.binding and case.due_at is not None and at > case.due_at:
        raise DeadlinePassed(action, rule.kind.label, format_instant(case.due_at))


def _deadline_changes(
    case: CaseSnapshot, move: Move, rules: CampaignRules, at: datetime, by_deadline: bool
) -> list[DeadlineChange]:
    changes: list[DeadlineChange] = []
    source_rule = STATE_DEADLINES.get(move.source)
    dest_rule = STATE_DEADLINES.get(move.dest)

    def change(
        op: Literal["open", "close", "pause", "resume", "move"], rule: DeadlineRule, **kw: Any
    ) -> DeadlineChange:
        return DeadlineChange(op, case.case_id, case.campaign_id, case.region, rule.kind, at, **kw)

    if source_rule is not None and (move.changes_state or by_deadline):
        if move.dest in source_rule.paused_in and case.due_at is not None:
            changes.append(change("pause", source_rule, remaining=case.due_at - at))
        else:
            changes.append(
                change("close", source_rule, status="expired" if by_deadline else "closed")
            )
    if dest_rule is None:
        return changes
    reopen = move.changes_state or (dest_rule.anchor is Anchor.PUBLICATION and case.due_at is None)
    if not reopen:
        return changes
    if move.source in dest_rule.paused_in and case.paused_left is not None:
        changes.append(change("resume", dest_rule, due_at=at + case.paused_left))
        return changes
    start = _period_start(dest_rule, rules, at)
    if dest_rule.anchor is Anchor.CAMPAIGN_WINDOW:
        changes.append(change("open", dest_rule, due_at=rules.closes_at))
    elif start is not None:
        due = rules.period_due(dest_rule.kind, start, case.region, case.province)
        changes.append(change("open", dest_rule, due_at=due, started_at=start))
    return changes


def _period_start(rule: DeadlineRule, rules: CampaignRules, at: datetime) -> datetime | None:
    """When a state's relative period starts, if it has started."""
    if rule.anchor is Anchor.CAMPAIGN_WINDOW:
        return None
    if rule.anchor is Anchor.PUBLICATION:
        if rules.published_at is None or rules.published_at > at:
            return None
        return max(at, rules.published_at)
    return at


def _scored(
    case: CaseSnapshot, values: Mapping[str, Any], rules: CampaignRules, *, prefix: str
) -> dict[str, Any]:
    declaration = values.get("declaration", case.declaration) or {}
    association = values.get("association_score", case.association_score)
    violations = values.get("violations", case.violations) or {}
    score = score_case(
        rules.rubric, declaration, association_score=association, violations=violations
    )
    return {
        f"{prefix}total": score.total,
        f"{prefix}grade": score.grade,
        "breakdown": score.to_json(),
    }
