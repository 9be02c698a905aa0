"""The workflow of one case, declared once, as data.

This module is the single source of truth: the states, the actions (triggers) with
their source and destination states and guards, who may take each action, and the
deadline each state carries. It does no I/O. :mod:`mohlat.workflow.rulebook` turns
it into one shared ``transitions`` machine; the sweep and every single-case action
derive their legal moves from it; nothing else lists states or transitions.

Reading the table:

* ``TRANSITIONS`` rows are ``transitions`` dicts. ``dest=None`` is an internal
  transition: the action is allowed but the state stays. Rows with the same
  trigger and source are tried in order; guards (``conditions``/``unless``) name
  boolean :class:`Facts` attributes.
* ``STATE_DEADLINES`` gives, for each state that has one, the kind of deadline it
  carries, what starts it and the trigger fired when it falls due.
* ``ACTIONS`` gives each action (trigger) its :class:`ActionRule`: who may take
  it by hand (``None``: only the scheduler fires it), what a person may give with
  it, whether a written reason is required and how long a text may be, the case
  fields it sets by itself and what it says on the timeline by itself.
  ``ACTION_ROLES`` is its roles column.
* ``RANKED_STATES`` are the states of a case with a place in the ranking;
  ``TERMINAL_STATES`` are the states nothing leaves.

The declaration checks itself when it is imported (:func:`validate_declaration`):
a table that contradicts itself fails with :class:`DeclarationError` naming what
is wrong, before any case is moved by it.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, fields
from enum import Enum, StrEnum
from types import MappingProxyType
from typing import Any, Final

__all__ = [
    "ACTIONS",
    "ACTION_ROLES",
    "AT_ACTION",
    "MAX_TEXT",
    "PUBLICATION_KIND",
    "RANKED_STATES",
    "STATES",
    "STATE_DEADLINES",
    "TERMINAL_STATES",
    "TRANSITIONS",
    "ActionRule",
    "Anchor",
    "DeadlineKind",
    "DeadlineRule",
    "DeclarationError",
    "Facts",
    "Input",
    "Role",
    "State",
    "validate_declaration",
]


class State(StrEnum):
    """Where a case stands."""

    DECLARING = "declaring"
    REGIONAL_REVIEW = "regional_review"
    CORRECTION_REFERRAL = "correction_referral"
    RANKED = "ranked"
    APPEALED = "appealed"
    FINAL = "final"
    LAPSED = "lapsed"


class Role(StrEnum):
    """Who acts."""

    ADMIN = "admin"
    SUPERVISOR = "supervisor"
    OFFICE = "office"


class DeadlineKind(StrEnum):
    """The kinds of deadline; each has its counting policy in the campaign settings."""

    DECLARATION = "declaration"
    REVIEW = "review"
    CORRECTION = "correction"
    APPEAL = "appeal"
    APPEAL_DECISION = "appeal_decision"

    @property
    def label(self) -> str:
        """How the deadline is named in messages."""
        return self.value.replace("_", " ")


class Anchor(StrEnum):
    """What starts a state's deadline."""

    #: the campaign's declaration window (fixed dates), not the entry into the state
    CAMPAIGN_WINDOW = "campaign_window"
    #: a period counted from the moment the case entered the state
    ENTRY = "entry"
    #: counted from entry, but only once the campaign's ranks are published
    #: (from the publication instant for cases ranked before it)
    PUBLICATION = "publication"


@dataclass(frozen=True)
class Facts:
    """What the guards of the workflow may look at: a case's state and a few flags.

    Decisions depend on nothing else, so they can be cached per distinct ``Facts``
    and shared by thousands of cases in a bulk move.
    """

    state: State
    #: the office has a declaration on record
    declared: bool = False
    #: the region has marked its review done (``approve``)
    reviewed: bool = False
    #: the campaign's ranks are published
    published: bool = False


@dataclass(frozen=True)
class DeadlineRule:
    """The deadline a state carries."""

    kind: DeadlineKind
    anchor: Anchor
    #: trigger fired by the scheduler when the deadline falls due
    on_expiry: str
    #: states in which this deadline is paused (kept with its time left) rather
    #: than closed, resuming when the case comes back
    paused_in: frozenset[State] = frozenset()
    #: whether actions in the state are refused once the deadline has passed; a
    #: non-binding deadline only escalates (the action stays possible, late)
    binding: bool = True


STATES: Final[tuple[State, ...]] = tuple(State)

_S = State
TRANSITIONS: Final[tuple[dict[str, Any], ...]] = (
    # the office states (and may restate) its data while the window is open
    {"trigger": "declare", "source": _S.DECLARING, "dest": None},
    # the declaration window closes
    {
        "trigger": "close_window",
        "source": _S.DECLARING,
        "dest": _S.REGIONAL_REVIEW,
        "conditions": "declared",
    },
    {"trigger": "close_window", "source": _S.DECLARING, "dest": _S.LAPSED, "unless": "declared"},
    # the region checks and completes the data, records the association score
    {"trigger": "review", "source": _S.REGIONAL_REVIEW, "dest": None},
    {"trigger": "refer", "source": _S.REGIONAL_REVIEW, "dest": _S.CORRECTION_REFERRAL},
    {"trigger": "correct", "source": _S.CORRECTION_REFERRAL, "dest": _S.REGIONAL_REVIEW},
    {"trigger": "lapse_correction", "source": _S.CORRECTION_REFERRAL, "dest": _S.REGIONAL_REVIEW},
    # review done: waits for publication, or is ranked at once after it
    {
        "trigger": "approve",
        "source": _S.REGIONAL_REVIEW,
        "dest": _S.RANKED,
        "conditions": "published",
    },
    {"trigger": "approve", "source": _S.REGIONAL_REVIEW, "dest": None, "unless": "published"},
    # ranks are published for the campaign: reviewed cases are ranked
    {
        "trigger": "publish",
        "source": _S.REGIONAL_REVIEW,
        "dest": _S.RANKED,
        "conditions": "reviewed",
    },
    # publication reaches a case ranked at the same instant: opens its appeal window
    {"trigger": "publish", "source": _S.RANKED, "dest": None},
    # the review time ran out: ranked on the data it has
    {"trigger": "close_review", "source": _S.REGIONAL_REVIEW, "dest": _S.RANKED},
    {"trigger": "appeal", "source": _S.RANKED, "dest": _S.APPEALED, "conditions": "published"},
    {"trigger": "close_appeal", "source": _S.RANKED, "dest": _S.FINAL},
    {"trigger": "decide", "source": _S.APPEALED, "dest": _S.FINAL},
    # a missed appeal decision is flagged, never decided by the machine
    {"trigger": "escalate", "source": _S.APPEALED, "dest": None},
)

STATE_DEADLINES: Final[dict[State, DeadlineRule]] = {
    _S.DECLARING: DeadlineRule(DeadlineKind.DECLARATION, Anchor.CAMPAIGN_WINDOW, "close_window"),
    _S.REGIONAL_REVIEW: DeadlineRule(
        DeadlineKind.REVIEW,
        Anchor.ENTRY,
        "close_review",
        paused_in=frozenset({_S.CORRECTION_REFERRAL}),
    ),
    _S.CORRECTION_REFERRAL: DeadlineRule(DeadlineKind.CORRECTION, Anchor.ENTRY, "lapse_correction"),
    _S.RANKED: DeadlineRule(DeadlineKind.APPEAL, Anchor.PUBLICATION, "close_appeal"),
    _S.APPEALED: DeadlineRule(
        DeadlineKind.APPEAL_DECISION, Anchor.ENTRY, "escalate", binding=False
    ),
}

#: The campaign's own deadline: its review window closes and its ranks are
#: published. Counted with the review policy from the close of the declaration
#: window; the sweep fires ``publish`` for every reviewed case of the campaign.
PUBLICATION_KIND: Final = "publication"

#: the states of a case that has a score and a place in the ranking (or is about to
#: get its place), in the order a case passes through them
RANKED_STATES: Final[tuple[State, ...]] = (_S.RANKED, _S.APPEALED, _S.FINAL)

#: the states a case never leaves
TERMINAL_STATES: Final[frozenset[State]] = frozenset({_S.FINAL, _S.LAPSED})

#: the longest reason, objection or note accepted, in characters
MAX_TEXT: Final = 4000


class Input(StrEnum):
    """What a person may give with an action, besides the case it is taken on."""

    #: the whole declaration: every field the rubric asks for (required)
    DECLARATION = "declaration"
    #: changed declaration fields, merged into the case's declaration
    FIELDS = "fields"
    #: the provincial association's score
    ASSOCIATION_SCORE = "association_score"
    #: violations found by the region, by kind
    VIOLATIONS = "violations"
    #: the declaration fields whose evaluation the office disputes
    DISPUTES = "disputes"
    #: a written reason, objection or note; it goes on the timeline
    TEXT = "text"

    @property
    def label(self) -> str:
        """How the input is named in messages."""
        return self.value.replace("_", " ")


class _Instant(Enum):
    ACTION = "the action's instant"


#: a value an :class:`ActionRule` sets that is the instant the action takes effect
AT_ACTION: Final = _Instant.ACTION


def _frozen(mapping: Mapping[str, object]) -> Mapping[str, object]:
    return MappingProxyType(dict(mapping))


@dataclass(frozen=True)
class ActionRule:
    """Everything about one action (trigger) that a front end or a planner obeys."""

    #: the roles that may take it by hand; None: only the scheduler fires it
    roles: frozenset[Role] | None
    #: what a person may give with it (nothing for scheduler actions)
    inputs: frozenset[Input] = frozenset()
    #: whether a written reason (a non-blank ``Input.TEXT``) must be given
    reason_required: bool = False
    #: the longest text accepted, in characters
    max_text: int = MAX_TEXT
    #: the case fields it sets by itself, whoever fires it; :data:`AT_ACTION` stands
    #: for the instant the action takes effect
    sets: Mapping[str, object] = field(default_factory=dict)
    #: what it says on the timeline by itself
    says: Mapping[str, object] = field(default_factory=dict)

    def __post_init__(self) -> None:
        object.__setattr__(self, "sets", _frozen(self.sets))
        object.__setattr__(self, "says", _frozen(self.says))

    @property
    def by_scheduler_only(self) -> bool:
        """Whether no person may take it."""
        return self.roles is None


_SUP, _OFF, _ADM = Role.SUPERVISOR, Role.OFFICE, Role.ADMIN
_REGION = frozenset({_SUP, _ADM})
_OFFICE = frozenset({_OFF})
_I = Input
ACTIONS: Final[Mapping[str, ActionRule]] = MappingProxyType(
    {
        "declare": ActionRule(
            _OFFICE, inputs=frozenset({_I.DECLARATION}), sets={"declared_at": AT_ACTION}
        ),
        "review": ActionRule(
            _REGION,
            inputs=frozenset({_I.FIELDS, _I.ASSOCIATION_SCORE, _I.VIOLATIONS, _I.TEXT}),
        ),
        "refer": ActionRule(
            _REGION, inputs=frozenset({_I.TEXT}), reason_required=True, sets={"reviewed_at": None}
        ),
        "correct": ActionRule(_OFFICE, inputs=frozenset({_I.FIELDS, _I.TEXT})),
        "approve": ActionRule(
            _REGION, inputs=frozenset({_I.TEXT}), sets={"reviewed_at": AT_ACTION}
        ),
        # fired for the campaign at publication (admin: `mohlat publish`)
        "publish": ActionRule(None),
        "appeal": ActionRule(
            _OFFICE, inputs=frozenset({_I.TEXT, _I.DISPUTES}), reason_required=True
        ),
        "decide": ActionRule(
            _REGION,
            inputs=frozenset({_I.FIELDS, _I.ASSOCIATION_SCORE, _I.VIOLATIONS, _I.TEXT}),
            reason_required=True,
        ),
        "close_window": ActionRule(None),
        "lapse_correction": ActionRule(None),
        "close_review": ActionRule(
            None, says={"review": "time ran out: ranked on the data it has"}
        ),
        "close_appeal": ActionRule(None),
        "escalate": ActionRule(None, sets={"escalated": True}),
    }
)

#: who may fire each action by hand (None: only the scheduler), from :data:`ACTIONS`
ACTION_ROLES: Final[Mapping[str, frozenset[Role] | None]] = MappingProxyType(
    {action: rule.roles for action, rule in ACTIONS.items()}
)


class DeclarationError(ValueError):
    """The workflow declaration contradicts itself; the message names what is wrong."""


#: the keys a transition row may have
_ROW_KEYS = frozenset({"trigger", "source", "dest", "conditions", "unless"})


def validate_declaration(
    transitions: Iterable[Mapping[str, Any]],
    state_deadlines: Mapping[State, DeadlineRule],
    actions: Mapping[str, ActionRule],
    *,
    states: Iterable[State] = STATES,
    initial: State = State.DECLARING,
    terminal: Iterable[State] = TERMINAL_STATES,
    ranked: Iterable[State] = RANKED_STATES,
) -> None:
    """Refuse, with :class:`DeclarationError`, a declaration that contradicts itself.

    Checked: every row names declared states and known keys; every guard names a
    :class:`Facts` flag; every state is reachable from ``initial``; nothing leaves a
    terminal state and no terminal state carries a deadline; every trigger has an
    action rule and every action rule a trigger; each deadline kind is carried by one
    state, whose ``on_expiry`` is a scheduler action leaving that state, and each of
    its ``paused_in`` states is one the state moves to; action rules are coherent.
    """
    known = frozenset(states)
    if initial not in known:
        raise DeclarationError(f"initial state {initial.value!r} is not a declared state")
    rows = [_checked_row(row, known) for row in transitions]
    _check_reachable(rows, known, initial)
    _check_terminal(rows, state_deadlines, frozenset(terminal), known)
    _check_actions(rows, actions)
    _check_deadlines(rows, state_deadlines, actions, known)
    unknown_ranked = [s for s in ranked if s not in known]
    if unknown_ranked:
        raise DeclarationError(f"ranked state {unknown_ranked[0]!r} is not a declared state")


def _where(row: Mapping[str, Any]) -> str:
    return f"transition {row.get('trigger')!r} from {_name(row.get('source'))!r}"


def _name(state: object) -> object:
    return state.value if isinstance(state, State) else state


def _checked_row(row: Mapping[str, Any], known: frozenset[State]) -> dict[str, Any]:
    """The row, its states as :class:`State`, once it is found to be well formed."""
    extra = sorted(set(row) - _ROW_KEYS)
    if extra:
        raise DeclarationError(
            f"{_where(row)}: unknown key {extra[0]!r} (allowed: {', '.join(sorted(_ROW_KEYS))})"
        )
    if not isinstance(row.get("trigger"), str) or not row["trigger"]:
        raise DeclarationError(f"{_where(row)}: every transition needs a trigger name")
    if row.get("source") not in known:
        raise DeclarationError(f"{_where(row)}: the source is not a declared state")
    dest = row.get("dest")
    if dest is not None and dest not in known:
        raise DeclarationError(
            f"{_where(row)}: destination {_name(dest)!r} is not a declared state"
        )
    flags = sorted(f.name for f in fields(Facts) if f.name != "state")
    for key in ("conditions", "unless"):
        guards = row.get(key, [])
        for guard in [guards] if isinstance(guards, str) else guards:
            if guard not in flags:
                raise DeclarationError(
                    f"{_where(row)}: guard {guard!r} ({key}) names no Facts field"
                    f" (one of: {', '.join(flags)})"
                )
    return {**row, "source": State(row["source"]), "dest": None if dest is None else State(dest)}


def _check_reachable(rows: list[dict[str, Any]], known: frozenset[State], initial: State) -> None:
    reached, frontier = {initial}, [initial]
    while frontier:
        state = frontier.pop()
        for row in rows:
            dest = row["dest"] if row.get("dest") is not None else row["source"]
            if row["source"] == state and dest not in reached:
                reached.add(dest)
                frontier.append(dest)
    unreachable = sorted(s.value for s in known - reached)
    if unreachable:
        raise DeclarationError(
            f"state(s) unreachable from {initial.value!r}: {', '.join(unreachable)}"
        )


def _check_terminal(
    rows: list[dict[str, Any]],
    state_deadlines: Mapping[State, DeadlineRule],
    terminal: frozenset[State],
    known: frozenset[State],
) -> None:
    for state in sorted(terminal):
        if state not in known:
            raise DeclarationError(f"terminal state {state.value!r} is not a declared state")
        if state in state_deadlines:
            raise DeclarationError(f"terminal state {state.value!r} carries a deadline")
    for row in rows:
        if row["source"] in terminal:
            raise DeclarationError(
                f"{_where(row)}: {row['source'].value!r} is terminal, nothing leaves it"
            )


def _check_actions(rows: list[dict[str, Any]], actions: Mapping[str, ActionRule]) -> None:
    triggers = {row["trigger"] for row in rows}
    missing = sorted(triggers - set(actions))
    if missing:
        raise DeclarationError(f"trigger(s) without an action rule: {', '.join(missing)}")
    orphans = sorted(set(actions) - triggers)
    if orphans:
        raise DeclarationError(f"action rule(s) for no trigger: {', '.join(orphans)}")
    for action, rule in actions.items():
        if rule.roles is not None and not rule.roles:
            raise DeclarationError(f"action {action!r}: roles is empty (None: the scheduler's)")
        if rule.by_scheduler_only and (rule.inputs or rule.reason_required):
            raise DeclarationError(f"action {action!r}: a scheduler action takes no inputs")
        if rule.reason_required and Input.TEXT not in rule.inputs:
            raise DeclarationError(f"action {action!r}: requires a reason but takes no text")
        if rule.max_text < 1:
            raise DeclarationError(f"action {action!r}: max_text must be positive")
        if {Input.DECLARATION, Input.FIELDS} <= rule.inputs:
            raise DeclarationError(
                f"action {action!r}: takes either the whole declaration or changed fields"
            )


def _check_deadlines(
    rows: list[dict[str, Any]],
    state_deadlines: Mapping[State, DeadlineRule],
    actions: Mapping[str, ActionRule],
    known: frozenset[State],
) -> None:
    carriers = Counter(rule.kind for rule in state_deadlines.values())
    for kind, count in carriers.items():
        if count > 1:
            raise DeclarationError(
                f"deadline kind {kind.value!r} is carried by {count} states:"
                " one state (one on_expiry) per kind"
            )
    for state, rule in state_deadlines.items():
        what = f"the {rule.kind.label} deadline of {state.value!r}"
        if state not in known:
            raise DeclarationError(f"{what}: {state.value!r} is not a declared state")
        leaving = {row["trigger"] for row in rows if row["source"] == state}
        if rule.on_expiry not in leaving:
            raise DeclarationError(
                f"{what}: on_expiry {rule.on_expiry!r} is not a trigger from {state.value!r}"
            )
        if not actions[rule.on_expiry].by_scheduler_only:
            raise DeclarationError(
                f"{what}: on_expiry {rule.on_expiry!r} must be fired by the scheduler only"
            )
        moves_to = {row.get("dest") for row in rows if row["source"] == state}
        for paused in sorted(rule.paused_in):
            if paused not in known:
                raise DeclarationError(
                    f"{what}: paused_in {paused.value!r} is not a declared state"
                )
            if paused not in moves_to:
                raise DeclarationError(
                    f"{what}: paused_in {paused.value!r} is never entered from {state.value!r}"
                )


validate_declaration(TRANSITIONS, STATE_DEADLINES, ACTIONS)
