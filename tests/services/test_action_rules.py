"""Each action's declared rule, as every caller of the services meets it.

What an action accepts and requires (its inputs, a written reason, the length of a
text) is declared once in ``mohlat.workflow.definition.ACTIONS``; the one-case
``act`` and the many-case ``act_many`` both obey it, so a front end need not.
"""

from __future__ import annotations

import pytest
from support import DECLARATION, World, tehran

from mohlat.errors import InvalidInput
from mohlat.services.cases import ActionRequest, act_many
from mohlat.workflow.definition import ACTIONS

REVIEWING = tehran(1400, 2, 8, 10)


@pytest.fixture
def in_review(world: World) -> World:
    for case in world.case_ids:
        world.act("declare", case, tehran(1400, 1, 20, 10))
    world.sweep(tehran(1400, 2, 6, 0, 5))
    return world


def _refer(world: World, case: int, text: str | None) -> ActionRequest:
    return ActionRequest(world.supervisor(world.region_of[case]), str(case), text=text)


@pytest.mark.parametrize("reason", [None, "", "   \n"])
def test_act_many_refuses_a_referral_without_a_reason_and_lands_the_others(
    in_review: World, reason: str | None
) -> None:
    silent, explained = in_review.case_ids[:2]
    requests = [_refer(in_review, silent, reason), _refer(in_review, explained, "staff count")]
    done, refused = act_many(in_review.db, "refer", requests, now=REVIEWING)
    assert done == 1
    ((request, error),) = refused
    assert request.ref == str(silent)
    assert isinstance(error, InvalidInput)
    assert str(error).startswith("reason:")
    assert "a written reason is required for 'refer'" in str(error)
    assert in_review.state(silent) == "regional_review"
    assert [e.action for e in in_review.events(silent)][-1] == "close_window"  # nothing written
    assert in_review.state(explained) == "correction_referral"


@pytest.mark.parametrize("action", ["refer", "appeal", "decide"])
def test_every_action_that_requires_a_reason_declares_it(action: str) -> None:
    assert ACTIONS[action].reason_required


def test_an_appeal_without_a_written_objection_is_refused(world: World) -> None:
    with pytest.raises(InvalidInput, match=r"a written reason is required for 'appeal'"):
        world.act("appeal", world.case_ids[0], tehran(1400, 2, 20, 10), text="  ")


def test_act_many_refuses_a_text_longer_than_the_limit(in_review: World) -> None:
    limit = ACTIONS["refer"].max_text
    long_case, short_case = in_review.case_ids[:2]
    requests = [
        _refer(in_review, long_case, "x" * (limit + 1)),
        _refer(in_review, short_case, "x" * limit),
    ]
    done, refused = act_many(in_review.db, "refer", requests, now=REVIEWING)
    assert done == 1
    ((request, error),) = refused
    assert request.ref == str(long_case)
    assert str(error).endswith(f"at most {limit} characters, got {limit + 1}")
    assert in_review.state(short_case) == "correction_referral"


def test_a_note_longer_than_the_limit_is_refused_too(in_review: World) -> None:
    with pytest.raises(InvalidInput, match=r"^text: .*at most 4000 characters, got 4001$"):
        in_review.act("approve", in_review.case_ids[0], REVIEWING, text="y" * 4001)


def test_an_input_the_action_does_not_take_is_refused_with_the_actions_that_do(
    in_review: World,
) -> None:
    case = in_review.case_ids[0]
    with pytest.raises(
        InvalidInput, match=r"^fields: .*only with: correct, decide, declare, review$"
    ):
        in_review.act("approve", case, REVIEWING, fields={"staff_count": "5"})
    with pytest.raises(InvalidInput, match=r"^disputes: .*only with: appeal$"):
        in_review.act("review", case, REVIEWING, disputes=("office_space",))
    assert in_review.case(case).reviewed_at is None


def test_a_declaration_needs_every_field(world: World) -> None:
    partial = {k: v for k, v in DECLARATION.items() if k != "location"}
    with pytest.raises(InvalidInput, match="location"):
        world.act("declare", world.case_ids[0], tehran(1400, 1, 20, 10), fields=partial)
    with pytest.raises(InvalidInput, match=r"^declaration: .*every one the rubric asks for"):
        world.act("declare", world.case_ids[0], tehran(1400, 1, 20, 10), fields={})


def test_approval_sets_the_review_instant_and_a_referral_clears_it(in_review: World) -> None:
    case = in_review.case_ids[0]
    approved_at = tehran(1400, 2, 9, 11)
    in_review.act("approve", case, approved_at)
    assert in_review.case(case).reviewed_at == approved_at
    in_review.act("refer", case, tehran(1400, 2, 9, 12))
    assert in_review.case(case).reviewed_at is None


def test_a_declaration_sets_the_declaration_instant(in_review: World) -> None:
    assert in_review.case(in_review.case_ids[1]).declared_at == tehran(1400, 1, 20, 10)
