"""The bulk planner: which situations move as a group, which are refused, and which
are left to the one-by-one planner."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from support import tehran

from mohlat.calendars import WorkCalendar, jalali_date
from mohlat.errors import NotYetOpen, TransitionNotAllowed
from mohlat.scoring import default_rubric
from mohlat.workflow.bulk import BulkPlan, Situation, plan_groups
from mohlat.workflow.definition import State
from mohlat.workflow.engine import CampaignRules
from mohlat.workflow.settings import CampaignSettings

CALENDAR = WorkCalendar.official(range(1399, 1402))
OPENS = tehran(1400, 1, 17)
PUBLISHED = tehran(1400, 2, 15, 23, 59, 59, 999999)
RULES = CampaignRules(
    campaign_id=1,
    opens_at=OPENS,
    closes_at=tehran(1400, 2, 5, 23, 59, 59, 999999),
    last_day=jalali_date(1400, 2, 5),
    published_at=PUBLISHED,
    settings=CampaignSettings(),
    rubric=default_rubric(),
    calendar_for=lambda _region, _province: CALENDAR,
)


def situation(state: State, *, overdue: bool = False, reviewed: bool = False) -> Situation:
    return Situation(
        state=state,
        declared=True,
        reviewed=reviewed,
        region=1,
        province="Tehran",
        has_pending=True,
        has_paused=False,
        overdue=overdue,
    )


def plan(
    situations: dict[Situation, list[int]], action: str, at: datetime, *, by_deadline: bool
) -> BulkPlan:
    return plan_groups(
        situations,
        action,
        rules=RULES,
        at=at,
        recorded_at=at,
        actor="scheduler" if by_deadline else "admin",
        by_deadline=by_deadline,
    )


@pytest.mark.parametrize("by_deadline", [False, True])
def test_a_situation_the_action_is_not_allowed_from_is_refused_whole(by_deadline: bool) -> None:
    ranked, review = situation(State.RANKED), situation(State.REGIONAL_REVIEW, reviewed=True)
    found = plan({ranked: [4, 5], review: [6]}, "close_review", PUBLISHED, by_deadline=by_deadline)
    ((ids, refusal),) = found.refused
    assert ids == [4, 5]
    assert isinstance(refusal, TransitionNotAllowed)
    assert (refusal.action, refusal.state) == ("close_review", "ranked")
    assert [group.case_ids for group in found.groups] == [[6]]
    assert found.one_by_one == []


def test_an_action_before_the_declaration_window_opens_is_refused_by_hand_only() -> None:
    declaring = situation(State.DECLARING)
    early = OPENS - timedelta(seconds=1)
    found = plan({declaring: [1, 2]}, "declare", early, by_deadline=False)
    ((ids, refusal),) = found.refused
    assert ids == [1, 2] and isinstance(refusal, NotYetOpen)
    assert "the declaration window opens at 1400/01/17 00:00:00" in str(refusal)
    assert found.groups == []
    # the scheduler is not held to the window's opening
    assert plan({declaring: [1, 2]}, "declare", early, by_deadline=True).refused == []


def test_cases_past_a_binding_deadline_are_left_to_be_refused_one_by_one() -> None:
    # publication (fired by hand, not by a deadline) meets reviewed cases whose review
    # deadline already fell due: each is refused with its own due instant, not grouped
    overdue = situation(State.REGIONAL_REVIEW, reviewed=True, overdue=True)
    on_time = situation(State.REGIONAL_REVIEW, reviewed=True)
    found = plan({overdue: [7, 8], on_time: [9]}, "publish", PUBLISHED, by_deadline=False)
    assert found.one_by_one == [7, 8]
    assert [group.case_ids for group in found.groups] == [[9]]
    assert found.refused == []


def test_a_deadline_past_does_not_hold_back_the_scheduler_or_a_non_binding_one() -> None:
    overdue = situation(State.REGIONAL_REVIEW, reviewed=True, overdue=True)
    by_schedule = plan({overdue: [7, 8]}, "publish", PUBLISHED, by_deadline=True)
    assert [group.case_ids for group in by_schedule.groups] == [[7, 8]]
    # the appeal decision's deadline only escalates: a late decision is still grouped
    appealed = situation(State.APPEALED, overdue=True)
    late = plan({appealed: [3]}, "decide", PUBLISHED + timedelta(days=30), by_deadline=False)
    assert ([g.case_ids for g in late.groups], late.one_by_one) == ([[3]], [])
