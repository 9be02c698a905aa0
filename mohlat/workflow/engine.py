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

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from functools import lru_cache
from typing import Any, Literal

from mohlat.calendars import (
    Extension,
    JalaliDate,
    PeriodPolicy,
    WorkCalendar,
    format_instant,
    period_end,
    replay_extensions,
    window_close,
)
from mohlat.errors import DeadlinePassed, MohlatError, NotYetOpen, TransitionNotAllowed
from mohlat.scoring import Rubric, score_case
from mohlat.workflow.definition import (
    ACTIONS,
    AT_ACTION,
    STATE_DEADLINES,
    Anchor,
    DeadlineKind,
    DeadlineRule,
    Facts,
    State,
)
from mohlat.workflow.rulebook import Move, decide
from mohlat.workflow.settings import CampaignSettings
from mohlat.workflow.timeline import EventHasher, NewEvent, canonical

__all__ = [
    "PROVISIONAL_SCORE_STATES",
    "SCORING_INPUTS",
    "CampaignRules",
    "CaseSnapshot",
    "CaseUpdate",
    "DeadlineChange",
    "Plan",
    "action_says",
    "action_values",
    "binding_rule",
    "check_window_opened",
    "due_payload",
    "plan_move",
    "plan_moves",
    "plan_note",
]

#: the case fields a score is worked out from
SCORING_INPUTS: frozenset[str] = frozenset({"declaration", "association_score", "violations"})
#: the states in which a case's score follows its inputs (it is not yet ranked)
PROVISIONAL_SCORE_STATES: frozenset[State] = frozenset(
    {State.DECLARING, State.REGIONAL_REVIEW, State.CORRECTION_REFERRAL}
)


@dataclass(slots=True)
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
    #: the score the case carries (provisional until it is ranked)
    total: float | None = None
    grade: str | None = None
    #: scoring inputs; loaded only for actions that may change them
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

    def counting_policy(self, kind: DeadlineKind) -> PeriodPolicy:
        """How a ``kind`` deadline counts days (its extensions included): a period's
        policy, or for the declaration window its own roll-forward rule."""
        if kind is DeadlineKind.DECLARATION:
            return PeriodPolicy(days=1, roll_forward=self.settings.declaration_roll_forward)
        return self.settings.policy(kind)

    def declaration_close(self, calendar: WorkCalendar) -> datetime:
        """When the declaration window closes on ``calendar``, before any extension."""
        return window_close(
            self.last_day, calendar, roll_forward=self.settings.declaration_roll_forward
        )

    def recount(
        self,
        kind: DeadlineKind,
        started_at: datetime | None,
        region: int,
        province: str,
        extensions: Sequence[Extension] = (),
    ) -> datetime | None:
        """A pending deadline counted again on today's calendar: its base (the
        declaration window, or the period from ``started_at``) with every extension
        granted on it replayed in order. A deadline with no start (a resumed review
        clock runs on the time it had left) has a fixed base: the due instant before
        its first extension; with no extension it is not recounted (None)."""
        calendar = self.calendar_for(region, province)
        if kind is DeadlineKind.DECLARATION:
            base: datetime | None = self.declaration_close(calendar)
        elif started_at is not None:
            base = self.period_due(kind, started_at, region, province)
        else:
            base = extensions[0].since if extensions else None
        if base is None:
            return None
        return replay_extensions(base, extensions, self.counting_policy(kind), calendar)

    def windows(
        self, extensions: Sequence[Extension], *, now: datetime
    ) -> tuple[datetime, datetime]:
        """The campaign's own (national) declaration close and review close, which is
        its publication, with the window extensions granted for every region. A
        declaration window that closed at or before ``now`` keeps its instant."""
        national = self.calendar_for(None, None)
        every_region = [e for e in extensions if e.region is None]
        closes = self.closes_at
        if closes > now:
            closes = replay_extensions(
                self.declaration_close(national),
                [e for e in every_region if e.window == DeadlineKind.DECLARATION.value],
                self.counting_policy(DeadlineKind.DECLARATION),
                national,
            )
        review = replay_extensions(
            self.national_due(DeadlineKind.REVIEW, closes),
            [e for e in every_region if e.window == DeadlineKind.REVIEW.value],
            self.counting_policy(DeadlineKind.REVIEW),
            national,
        )
        return closes, review


@lru_cache(maxsize=4096)
def _period_due(policy: Any, start: datetime, calendar: WorkCalendar) -> datetime:
    return period_end(start, policy, calendar)


@dataclass(slots=True)
class CaseUpdate:
    """New values for one case, applied only if its version is still ``version``."""

    case_id: int
    version: int
    values: Mapping[str, Any]


@dataclass(slots=True)
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
    plan, refused = plan_moves(
        [case],
        action,
        rules=rules,
        at=at,
        recorded_at=recorded_at,
        actor=actor,
        by_deadline=by_deadline,
        values_of={case.case_id: values} if values else None,
        payload_of={case.case_id: payload} if payload else None,
    )
    if refused:
        raise refused[0][1]
    return plan


def plan_moves(
    cases: Iterable[CaseSnapshot],
    action: str,
    *,
    rules: CampaignRules,
    at: datetime,
    recorded_at: datetime,
    actor: str,
    by_deadline: bool = False,
    values_of: Mapping[int, Mapping[str, Any] | None] | None = None,
    payload_of: Mapping[int, Mapping[str, Any] | None] | None = None,
) -> tuple[Plan, list[tuple[CaseSnapshot, MohlatError]]]:
    """:func:`plan_move` for many cases of one campaign at once: the plan of every
    allowed move, and each refused case with the reason.

    ``values_of`` and ``payload_of`` give a case's own values and timeline payload by
    case id. What cases in the same situation share (the decision, deadline dates,
    the event's encoding) is worked out once per batch.
    """
    plan = Plan()
    refused: list[tuple[CaseSnapshot, MohlatError]] = []
    published = rules.is_published(at)
    decisions: dict[tuple[State, bool, bool], Move | TransitionNotAllowed] = {}
    hashers: dict[State, EventHasher] = {}
    due_of = DueDates(rules)
    shared_payload = action_says(action)
    for case in cases:
        situation = (case.state, case.declared, case.reviewed)
        move = decisions.get(situation)
        if move is None:
            try:
                move = decide(action, Facts(case.state, case.declared, case.reviewed, published))
            except TransitionNotAllowed as refusal:
                move = refusal
            decisions[situation] = move
        if isinstance(move, TransitionNotAllowed):
            refused.append((case, move))
            continue
        given = values_of.get(case.case_id) if values_of else None
        try:
            if not by_deadline:
                _check_timing(case, action, rules, at)
            new_values: dict[str, Any] = {**given} if given else {}
            event_payload: dict[str, Any] = dict(shared_payload)
            deadlines = _deadline_changes(case, move, rules, at, by_deadline, due_of)
            event_payload.update(due_payload(deadlines, due_of))
            event_payload.update(_score_changes(case, move, new_values, rules))
        except MohlatError as refusal:
            refused.append((case, refusal))
            continue
        extra = payload_of.get(case.case_id) if payload_of else None
        if extra:
            event_payload.update(extra)
        new_values.update(action_values(action, move, at))
        hasher = hashers.get(move.dest)
        if hasher is None:
            hasher = hashers[move.dest] = EventHasher(
                action, case.state.value, move.dest.value, at, recorded_at, actor
            )
        _record(plan, case, action, move.dest, hasher, new_values, event_payload, deadlines)
    return plan, refused


class DueDates:
    """Deadline dates worked out once per batch: by (kind, start, region, province)."""

    __slots__ = ("_dues", "_rules", "_texts")

    def __init__(self, rules: CampaignRules) -> None:
        self._rules = rules
        self._dues: dict[tuple[DeadlineKind, datetime, int, str], datetime] = {}
        self._texts: dict[datetime, str] = {}

    def __call__(self, kind: DeadlineKind, start: datetime, region: int, province: str) -> datetime:
        key = (kind, start, region, province)
        due = self._dues.get(key)
        if due is None:
            due = self._dues[key] = self._rules.period_due(kind, start, region, province)
        return due

    def text(self, due: datetime) -> str:
        """``due`` as the timeline writes it."""
        text = self._texts.get(due)
        if text is None:
            text = self._texts[due] = due.isoformat()
        return text


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
    plan = Plan()
    hasher = EventHasher(action, case.state.value, dest.value, at, recorded_at, actor)
    _record(plan, case, action, dest, hasher, dict(values), dict(payload), deadlines)
    return plan


def _record(
    plan: Plan,
    case: CaseSnapshot,
    action: str,
    dest: State,
    hasher: EventHasher,
    values: dict[str, Any],
    payload: dict[str, Any],
    deadlines: list[DeadlineChange],
) -> None:
    """Add to ``plan`` the case's new ``values``, its next event (chained by ``hasher``)
    and ``deadlines``."""
    seq = case.event_count + 1
    payload_json = canonical(payload)
    digest = hasher(case.last_hash, case.case_id, seq, payload_json)
    plan.events.append(
        NewEvent(
            case.case_id,
            case.campaign_id,
            seq,
            action,
            case.state.value,
            dest.value,
            hasher.logical_at,
            hasher.recorded_at,
            hasher.actor,
            payload,
            case.last_hash,
            digest,
            payload_json,
        )
    )
    values["version"] = case.version + 1
    values["event_count"] = seq
    values["last_hash"] = digest
    plan.updates.append(CaseUpdate(case.case_id, case.version, values))
    if deadlines:
        plan.deadlines.extend(deadlines)


def _check_timing(case: CaseSnapshot, action: str, rules: CampaignRules, at: datetime) -> None:
    check_window_opened(case.state, action, rules, at)
    rule = binding_rule(case.state)
    if rule is not None and case.due_at is not None and at > case.due_at:
        raise DeadlinePassed(action, rule.kind.label, format_instant(case.due_at))


def check_window_opened(state: State, action: str, rules: CampaignRules, at: datetime) -> None:
    """Refuse an action on a declaring case before the declaration window opens."""
    if state is State.DECLARING and at < rules.opens_at:
        raise NotYetOpen(action, "declaration window", format_instant(rules.opens_at))


def binding_rule(state: State) -> DeadlineRule | None:
    """The deadline ``state`` carries if actions are refused once it has passed."""
    rule = STATE_DEADLINES.get(state)
    return rule if rule is not None and rule.binding else None


def action_values(action: str, move: Move, at: datetime) -> dict[str, Any]:
    """The case fields ``action`` sets by itself at ``at``, whoever fires it (as its
    rule declares them), its new state included."""
    values: dict[str, Any] = {
        name: at if value is AT_ACTION else value for name, value in ACTIONS[action].sets.items()
    }
    values["state"] = move.dest.value
    return values


def action_says(action: str) -> Mapping[str, Any]:
    """What ``action`` says on the timeline by itself (nothing for an unknown action)."""
    rule = ACTIONS.get(action)
    return rule.says if rule is not None else {}


def due_payload(
    changes: Iterable[DeadlineStep | DeadlineChange], due_of: DueDates
) -> dict[str, str]:
    """What the timeline says of the deadlines a move opens or resumes: ``<kind>_due``."""
    return {
        f"{change.kind.value}_due": due_of.text(change.due_at)
        for change in changes
        if change.op in ("open", "resume") and change.due_at is not None
    }


@dataclass(frozen=True, slots=True)
class DeadlineStep:
    """What a move does to one of a case's deadlines, before any case's own numbers:
    ``pause`` keeps the case's time left, ``resume`` gives it back."""

    op: Literal["open", "close", "pause", "resume"]
    kind: DeadlineKind
    #: for ``close``: "expired" (it fell due) or "closed" (the case left the state)
    status: str = ""
    due_at: datetime | None = None
    started_at: datetime | None = None


def deadline_steps(
    move: Move,
    *,
    has_pending: bool,
    has_paused: bool,
    region: int,
    province: str,
    rules: CampaignRules,
    at: datetime,
    by_deadline: bool,
    due_of: DueDates,
) -> list[DeadlineStep]:
    """The deadline steps of ``move`` for a case whose state's deadline is pending
    (``has_pending``) or which has a paused clock (``has_paused``), in that office's
    region and province."""
    steps: list[DeadlineStep] = []
    source_rule = STATE_DEADLINES.get(move.source)
    dest_rule = STATE_DEADLINES.get(move.dest)
    if source_rule is not None and (move.changes_state or by_deadline):
        if move.dest in source_rule.paused_in and has_pending:
            steps.append(DeadlineStep("pause", source_rule.kind))
        else:
            status = "expired" if by_deadline else "closed"
            steps.append(DeadlineStep("close", source_rule.kind, status=status))
    if dest_rule is None:
        return steps
    reopen = move.changes_state or (dest_rule.anchor is Anchor.PUBLICATION and not has_pending)
    if not reopen:
        return steps
    if move.source in dest_rule.paused_in and has_paused:
        steps.append(DeadlineStep("resume", dest_rule.kind))
        return steps
    start = _period_start(dest_rule, rules, at)
    if dest_rule.anchor is Anchor.CAMPAIGN_WINDOW:
        steps.append(DeadlineStep("open", dest_rule.kind, due_at=rules.closes_at))
    elif start is not None:
        due = due_of(dest_rule.kind, start, region, province)
        steps.append(DeadlineStep("open", dest_rule.kind, due_at=due, started_at=start))
    return steps


def _deadline_changes(
    case: CaseSnapshot,
    move: Move,
    rules: CampaignRules,
    at: datetime,
    by_deadline: bool,
    due_of: DueDates,
) -> list[DeadlineChange]:
    steps = deadline_steps(
        move,
        has_pending=case.due_at is not None,
        has_paused=case.paused_left is not None,
        region=case.region,
        province=case.province,
        rules=rules,
        at=at,
        by_deadline=by_deadline,
        due_of=due_of,
    )
    changes: list[DeadlineChange] = []
    for step in steps:
        change = DeadlineChange(
            step.op,
            case.case_id,
            case.campaign_id,
            case.region,
            step.kind,
            at,
            due_at=step.due_at,
            status=step.status,
            started_at=step.started_at,
        )
        if step.op == "pause":
            assert case.due_at is not None
            change.remaining = case.due_at - at
        elif step.op == "resume":
            assert case.paused_left is not None
            change.due_at = at + case.paused_left
        changes.append(change)
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


def _score_changes(
    case: CaseSnapshot, move: Move, values: dict[str, Any], rules: CampaignRules
) -> dict[str, Any]:
    """Add to ``values`` the score fields a move sets; returns what the timeline says of
    the score.

    A case is scored whenever its inputs change before it is ranked, so ranking only
    reads totals. The score a case is ranked with stays as published; the move to
    ``final`` sets the final score: re-summed if the decision changed inputs, else the
    published one. A move into ``ranked`` records no score: the events that changed
    the inputs already carry it.
    """
    changes_inputs = not SCORING_INPUTS.isdisjoint(values)
    if "violations" in values:
        values["violations_count"] = sum((values["violations"] or {}).values())
    scored: dict[str, Any] = {}
    if move.dest is State.FINAL:
        if changes_inputs:
            scored = _scored(case, values, rules, prefix="final_")
        else:
            scored = {"final_total": case.total, "final_grade": case.grade}
            values.update(scored)
            return {}  # the published score, already on the timeline
    elif changes_inputs and case.state in PROVISIONAL_SCORE_STATES:
        scored = _scored(case, values, rules, prefix="")
    values.update(scored)
    return {k: v for k, v in scored.items() if k != "breakdown"}


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
