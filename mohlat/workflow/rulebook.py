"""The one adapter around ``transitions``: a shared rulebook machine.

A single ``Machine(model=None)`` is built from :mod:`mohlat.workflow.definition`.
Nothing is bound per case: to decide an action we fire the event on a throwaway
probe carrying the case's :class:`~mohlat.workflow.definition.Facts`. Decisions
depend only on ``(action, facts)`` and are cached, so a bulk move of 100,000 cases
asks the machine once per distinct situation. ``MachineError`` never leaves this
module: it becomes :class:`~mohlat.errors.TransitionNotAllowed`.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

from transitions import Machine, MachineError

from mohlat.errors import TransitionNotAllowed
from mohlat.workflow.definition import (
    ACTIONS,
    STATE_DEADLINES,
    STATES,
    TRANSITIONS,
    DeadlineKind,
    Facts,
    Role,
    State,
)

__all__ = [
    "Move",
    "actions_fired_by",
    "decide",
    "manual_actions_from",
    "office_deadline_kinds",
    "possible_destinations",
    "source_states",
]


@dataclass(frozen=True)
class Move:
    """The outcome of an allowed action: from one state to another (or the same)."""

    action: str
    source: State
    dest: State

    @property
    def changes_state(self) -> bool:
        """Whether the case leaves its state."""
        return self.source is not self.dest


class _Probe:
    """The model the shared machine acts on for one decision."""

    __slots__ = ("declared", "published", "reviewed", "state")

    def __init__(self, facts: Facts) -> None:
        self.state = facts.state.value
        self.declared = facts.declared
        self.reviewed = facts.reviewed
        self.published = facts.published


def _plain(row: dict[str, object]) -> dict[str, object]:
    """A definition row with enum states as plain strings, as ``transitions`` wants."""
    return {k: (v.value if isinstance(v, State) else v) for k, v in row.items()}


_MACHINE = Machine(
    model=None,
    states=[s.value for s in STATES],
    transitions=[_plain(t) for t in TRANSITIONS],
    initial=State.DECLARING.value,
    auto_transitions=False,
    ignore_invalid_triggers=False,
)


@cache
def decide(action: str, facts: Facts) -> Move:
    """The move ``action`` makes for a case with ``facts``, or ``TransitionNotAllowed``."""
    event = _MACHINE.events.get(action)
    if event is None:
        raise TransitionNotAllowed(
            action, facts.state.value, manual_actions_from(facts.state), why="no such action"
        )
    probe = _Probe(facts)
    try:
        moved = event.trigger(probe)
    except MachineError:
        raise TransitionNotAllowed(
            action, facts.state.value, manual_actions_from(facts.state)
        ) from None
    if not moved:
        raise TransitionNotAllowed(
            action,
            facts.state.value,
            manual_actions_from(facts.state),
            why="its conditions are not met",
        )
    return Move(action, facts.state, State(probe.state))


@cache
def manual_actions_from(state: State) -> tuple[str, ...]:
    """The actions a person may take from ``state`` (scheduler-only ones left out)."""
    return tuple(
        sorted(a for a in _MACHINE.get_triggers(state.value) if not ACTIONS[a].by_scheduler_only)
    )


@cache
def source_states(action: str) -> frozenset[State]:
    """Every state from which ``action`` can be taken."""
    return frozenset(State(t["source"]) for t in TRANSITIONS if t["trigger"] == action)


@cache
def possible_destinations(action: str) -> frozenset[State]:
    """Every state ``action`` can lead to (its source for internal transitions)."""
    return frozenset(
        State(t["dest"] if t["dest"] is not None else t["source"])
        for t in TRANSITIONS
        if t["trigger"] == action
    )


@cache
def office_deadline_kinds() -> frozenset[DeadlineKind]:
    """The deadlines an office must meet (an office may act in the state that carries
    them); the others are its region's."""
    return frozenset(
        rule.kind
        for state, rule in STATE_DEADLINES.items()
        if any(Role.OFFICE in (ACTIONS[a].roles or ()) for a in manual_actions_from(state))
    )


@cache
def actions_fired_by(kind: DeadlineKind) -> str:
    """The trigger the scheduler fires when a deadline of ``kind`` falls due."""
    for rule in STATE_DEADLINES.values():
        if rule.kind is kind:
            return rule.on_expiry
    raise KeyError(kind)
