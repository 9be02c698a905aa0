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
* ``ACTION_ROLES`` says which roles may fire each action by hand; ``None``
  means only the scheduler fires it (when a deadline falls due).
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Any, Final

__all__ = [
    "ACTION_ROLES",
    "PUBLICATION_KIND",
    "STATES",
    "STATE_DEADLINES",
    "TRANSITIONS",
    "Anchor",
    "DeadlineKind",
    "DeadlineRule",
    "Facts",
    "Role",
    "State",
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

_SUP, _OFF, _ADM = Role.SUPERVISOR, Role.OFFICE, Role.ADMIN
ACTION_ROLES: Final[dict[str, frozenset[Role] | None]] = {
    "declare": frozenset({_OFF}),
    "review": frozenset({_SUP, _ADM}),
    "refer": frozenset({_SUP, _ADM}),
    "correct": frozenset({_OFF}),
    "approve": frozenset({_SUP, _ADM}),
    "publish": None,  # fired for the campaign at publication (admin: `mohlat publish`)
    "appeal": frozenset({_OFF}),
    "decide": frozenset({_SUP, _ADM}),
    "close_window": None,
    "lapse_correction": None,
    "close_review": None,
    "close_appeal": None,
    "escalate": None,
}
