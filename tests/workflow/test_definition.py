"""The declaration's own checks: a table that contradicts itself is refused at import,
with a message naming what is wrong. Each test breaks one thing in a copy of the real
tables."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import pytest

from mohlat.workflow.definition import (
    ACTIONS,
    STATE_DEADLINES,
    TRANSITIONS,
    ActionRule,
    DeclarationError,
    Input,
    Role,
    State,
    validate_declaration,
)

S = State


def _check(
    transitions: Any = TRANSITIONS,
    deadlines: Any = STATE_DEADLINES,
    actions: Any = ACTIONS,
    **more: Any,
) -> None:
    validate_declaration(transitions, deadlines, actions, **more)


def _without(trigger: str, source: State, **match: Any) -> list[dict[str, Any]]:
    return [
        t
        for t in TRANSITIONS
        if not (
            t["trigger"] == trigger
            and t["source"] is source
            and all(t.get(k) == v for k, v in match.items())
        )
    ]


def _with_action(name: str, rule: ActionRule) -> dict[str, ActionRule]:
    return {**ACTIONS, name: rule}


def test_the_real_declaration_passes() -> None:
    _check()


def test_an_unreachable_state_is_refused() -> None:
    # nothing lapses any more: the row for an office that never declared is gone
    rows = _without("close_window", S.DECLARING, dest=S.LAPSED)
    with pytest.raises(
        DeclarationError, match=r"^state\(s\) unreachable from 'declaring': lapsed$"
    ):
        _check(rows)


def test_a_transition_out_of_a_terminal_state_is_refused() -> None:
    rows = [*TRANSITIONS, {"trigger": "reopen", "source": S.FINAL, "dest": S.APPEALED}]
    actions = _with_action("reopen", ActionRule(frozenset({Role.ADMIN})))
    with pytest.raises(
        DeclarationError,
        match=r"^transition 'reopen' from 'final': 'final' is terminal, nothing leaves it$",
    ):
        _check(rows, actions=actions)


def test_a_terminal_state_with_a_deadline_is_refused() -> None:
    deadlines = {**STATE_DEADLINES, S.LAPSED: STATE_DEADLINES[S.APPEALED]}
    with pytest.raises(DeclarationError, match=r"terminal state 'lapsed' carries a deadline"):
        _check(deadlines=deadlines)


@pytest.mark.parametrize("key", ["conditions", "unless"])
def test_a_guard_naming_no_facts_field_is_refused(key: str) -> None:
    rows = [{**t, key: "signed"} if t["trigger"] == "appeal" else dict(t) for t in TRANSITIONS]
    if key == "unless":
        rows = [{k: v for k, v in t.items() if k != "conditions"} for t in rows]
    with pytest.raises(
        DeclarationError,
        match=rf"^transition 'appeal' from 'ranked': guard 'signed' \({key}\) names no Facts field"
        r" \(one of: declared, published, reviewed\)$",
    ):
        _check(rows)


def test_a_guard_list_is_checked_name_by_name() -> None:
    rows = [
        {**t, "conditions": ["published", "apologised"]} if t["trigger"] == "appeal" else t
        for t in TRANSITIONS
    ]
    with pytest.raises(DeclarationError, match=r"guard 'apologised' \(conditions\)"):
        _check(rows)


def test_a_destination_that_is_not_a_state_is_refused() -> None:
    rows = [{**t, "dest": "archived"} if t["trigger"] == "decide" else t for t in TRANSITIONS]
    with pytest.raises(
        DeclarationError,
        match=r"^transition 'decide' from 'appealed': destination 'archived' is not a declared"
        r" state$",
    ):
        _check(rows)


def test_an_unknown_key_in_a_row_is_refused() -> None:
    rows = [{**t, "after": "notify"} if t["trigger"] == "decide" else t for t in TRANSITIONS]
    with pytest.raises(DeclarationError, match=r"unknown key 'after'"):
        _check(rows)


def test_a_trigger_without_an_action_rule_is_refused() -> None:
    actions = {k: v for k, v in ACTIONS.items() if k != "escalate"}
    with pytest.raises(DeclarationError, match=r"^trigger\(s\) without an action rule: escalate$"):
        _check(actions=actions)


def test_an_action_rule_for_no_trigger_is_refused() -> None:
    actions = _with_action("bribe", ActionRule(frozenset({Role.OFFICE})))
    with pytest.raises(DeclarationError, match=r"^action rule\(s\) for no trigger: bribe$"):
        _check(actions=actions)


def test_a_required_reason_needs_a_text_input() -> None:
    actions = _with_action("refer", replace(ACTIONS["refer"], inputs=frozenset()))
    with pytest.raises(DeclarationError, match=r"'refer': requires a reason but takes no text"):
        _check(actions=actions)


def test_a_scheduler_action_takes_no_inputs() -> None:
    actions = _with_action("close_review", ActionRule(None, inputs=frozenset({Input.TEXT})))
    with pytest.raises(DeclarationError, match=r"'close_review': a scheduler action takes no"):
        _check(actions=actions)


def test_a_deadline_kind_carried_twice_is_refused() -> None:
    deadlines = {**STATE_DEADLINES, S.APPEALED: STATE_DEADLINES[S.RANKED]}
    with pytest.raises(
        DeclarationError,
        match=r"^deadline kind 'appeal' is carried by 2 states:"
        r" one state \(one on_expiry\) per kind$",
    ):
        _check(deadlines=deadlines)


def test_an_on_expiry_that_does_not_leave_its_state_is_refused() -> None:
    deadlines = {
        **STATE_DEADLINES,
        S.RANKED: replace(STATE_DEADLINES[S.RANKED], on_expiry="close_review"),
    }
    with pytest.raises(
        DeclarationError,
        match=r"^the appeal deadline of 'ranked': on_expiry 'close_review' is not a trigger"
        r" from 'ranked'$",
    ):
        _check(deadlines=deadlines)


def test_an_on_expiry_a_person_may_fire_is_refused() -> None:
    deadlines = {
        **STATE_DEADLINES,
        S.APPEALED: replace(STATE_DEADLINES[S.APPEALED], on_expiry="decide"),
    }
    with pytest.raises(
        DeclarationError, match=r"on_expiry 'decide' must be fired by the scheduler"
    ):
        _check(deadlines=deadlines)


def test_a_paused_in_state_never_entered_is_refused() -> None:
    deadlines = {
        **STATE_DEADLINES,
        S.REGIONAL_REVIEW: replace(
            STATE_DEADLINES[S.REGIONAL_REVIEW], paused_in=frozenset({S.APPEALED})
        ),
    }
    with pytest.raises(
        DeclarationError,
        match=r"^the review deadline of 'regional_review': paused_in 'appealed' is never entered"
        r" from 'regional_review'$",
    ):
        _check(deadlines=deadlines)


def test_an_initial_state_that_is_not_declared_is_refused() -> None:
    with pytest.raises(DeclarationError, match=r"initial state 'declaring' is not a declared"):
        _check(states=[s for s in State if s is not S.DECLARING])


def test_the_declaration_is_checked_when_it_is_imported() -> None:
    """The module's own source, with one guard misspelt, fails when it is run."""
    import inspect

    import mohlat.workflow.definition as definition

    source = inspect.getsource(definition)
    broken = source.replace('"conditions": "published"', '"conditions": "publishd"', 1)
    assert broken != source
    exec(compile(source, "definition.py", "exec"), {"__name__": definition.__name__})
    # (run again, the module defines its own DeclarationError class: caught by its base)
    with pytest.raises(ValueError, match=r"guard 'publishd' \(conditions\)") as refused:
        exec(compile(broken, "definition.py", "exec"), {"__name__": definition.__name__})
    assert type(refused.value).__name__ == "DeclarationError"
