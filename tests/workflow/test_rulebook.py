"""The workflow declaration, through the shared rulebook: every transition, every refusal."""

from __future__ import annotations

import pytest

from mohlat.errors import TransitionNotAllowed
from mohlat.workflow.definition import (
    ACTION_ROLES,
    STATE_DEADLINES,
    TRANSITIONS,
    Facts,
    State,
)
from mohlat.workflow.rulebook import decide, manual_actions_from, source_states

S = State

# (action, facts, expected destination)
MOVES = [
    ("declare", Facts(S.DECLARING), S.DECLARING),
    ("close_window", Facts(S.DECLARING, declared=True), S.REGIONAL_REVIEW),
    ("close_window", Facts(S.DECLARING, declared=False), S.LAPSED),
    ("review", Facts(S.REGIONAL_REVIEW), S.REGIONAL_REVIEW),
    ("refer", Facts(S.REGIONAL_REVIEW), S.CORRECTION_REFERRAL),
    ("correct", Facts(S.CORRECTION_REFERRAL), S.REGIONAL_REVIEW),
    ("lapse_correction", Facts(S.CORRECTION_REFERRAL), S.REGIONAL_REVIEW),
    ("approve", Facts(S.REGIONAL_REVIEW, published=False), S.REGIONAL_REVIEW),
    ("approve", Facts(S.REGIONAL_REVIEW, published=True), S.RANKED),
    ("publish", Facts(S.REGIONAL_REVIEW, reviewed=True), S.RANKED),
    ("publish", Facts(S.RANKED), S.RANKED),
    ("close_review", Facts(S.REGIONAL_REVIEW), S.RANKED),
    ("appeal", Facts(S.RANKED, published=True), S.APPEALED),
    ("close_appeal", Facts(S.RANKED), S.FINAL),
    ("decide", Facts(S.APPEALED), S.FINAL),
    ("escalate", Facts(S.APPEALED), S.APPEALED),
]


@pytest.mark.parametrize(
    ("action", "facts", "dest"), MOVES, ids=[f"{a}-{f.state}-{d}" for a, f, d in MOVES]
)
def test_each_transition_of_the_declaration(action: str, facts: Facts, dest: State) -> None:
    move = decide(action, facts)
    assert (move.source, move.dest) == (facts.state, dest)


def test_the_table_of_moves_covers_every_row_of_the_declaration() -> None:
    covered = {(a, f.state) for a, f, _ in MOVES}
    declared = {(t["trigger"], t["source"]) for t in TRANSITIONS}
    assert declared == covered


REFUSALS = [
    ("appeal", Facts(S.DECLARING), "declare"),
    ("declare", Facts(S.REGIONAL_REVIEW), "approve, refer, review"),
    ("refer", Facts(S.CORRECTION_REFERRAL), "correct"),
    ("correct", Facts(S.REGIONAL_REVIEW), "approve, refer, review"),
    ("decide", Facts(S.RANKED, published=True), "appeal"),
    ("appeal", Facts(S.FINAL), "none"),
    ("approve", Facts(S.LAPSED), "none"),
    ("refer", Facts(S.APPEALED), "decide"),
]


@pytest.mark.parametrize(
    ("action", "facts", "allowed"), REFUSALS, ids=[f"{a}-in-{f.state}" for a, f, _ in REFUSALS]
)
def test_an_illegal_action_names_the_state_and_what_is_allowed(
    action: str, facts: Facts, allowed: str
) -> None:
    with pytest.raises(
        TransitionNotAllowed, match=f"allowed from '{facts.state.value}': {allowed}$"
    ) as refused:
        decide(action, facts)
    assert refused.value.state == facts.state.value
    assert refused.value.action == action


def test_an_appeal_before_publication_is_refused_with_the_reason() -> None:
    with pytest.raises(TransitionNotAllowed, match="conditions are not met"):
        decide("appeal", Facts(S.RANKED, published=False))


def test_an_unknown_action_is_refused() -> None:
    with pytest.raises(TransitionNotAllowed, match="no such action"):
        decide("bribe", Facts(S.REGIONAL_REVIEW))


def test_scheduler_only_actions_are_not_offered_to_people() -> None:
    assert "close_window" not in manual_actions_from(S.DECLARING)
    assert manual_actions_from(S.DECLARING) == ("declare",)


def test_every_deadline_fires_an_action_that_leaves_from_its_state() -> None:
    for state, rule in STATE_DEADLINES.items():
        assert state in source_states(rule.on_expiry), (state, rule)
        assert ACTION_ROLES[rule.on_expiry] is None  # only the scheduler fires it


def test_every_action_has_its_roles_declared() -> None:
    assert {t["trigger"] for t in TRANSITIONS} == set(ACTION_ROLES)
