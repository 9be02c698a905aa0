"""One campaign's lifecycle through the services, on the article's dates.

The campaign: self-declaration 17 Farvardin – 5 Ordibehesht 1400, review 10 days,
correction 5, appeal 7, appeal decision 10. Tehran was on +04:30 then.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from support import World, tehran

from mohlat.errors import (
    CaseNotFound,
    DeadlinePassed,
    InvalidInput,
    NotYetOpen,
    PermissionDenied,
    Refused,
    TransitionNotAllowed,
)
from mohlat.services.campaigns import publish
from mohlat.store import Database

END_OF_WINDOW = tehran(1400, 2, 5, 23, 59, 59, 999999)
END_OF_REVIEW = tehran(1400, 2, 15, 23, 59, 59, 999999)


def test_the_seed_window_closes_at_the_end_of_5_ordibehesht_tehran_time(world: World) -> None:
    assert world.campaign.opens_at == datetime(2021, 4, 5, 19, 30, tzinfo=UTC)
    assert world.campaign.closes_at == datetime(2021, 4, 25, 19, 29, 59, 999999, tzinfo=UTC)
    assert (
        world.campaign.closes_at.astimezone(
            __import__("mohlat.calendars", fromlist=["TEHRAN"]).TEHRAN
        ).strftime("%H:%M:%S %z")
        == "23:59:59 +0430"
    )
    assert world.campaign.review_closes_at == END_OF_REVIEW


def test_a_declaration_in_the_last_second_is_accepted(world: World) -> None:
    case = world.case_ids[0]
    row = world.act("declare", case, tehran(1400, 2, 5, 23, 59, 59))
    assert row.case.declared_at is not None
    assert row.case.state == "declaring"


def test_a_declaration_at_midnight_after_the_window_is_refused_without_any_sweep(
    world: World,
) -> None:
    case = world.case_ids[0]
    with pytest.raises(DeadlinePassed, match=r"declaration deadline passed at 1400/02/05 23:59:59"):
        world.act("declare", case, tehran(1400, 2, 6))
    assert world.case(case).declared_at is None
    assert [e.action for e in world.events(case)] == ["open"]  # nothing half-written


def test_a_declaration_before_the_window_opens_is_refused(world: World) -> None:
    with pytest.raises(NotYetOpen, match="opens at 1400/01/17 00:00:00"):
        world.act("declare", world.case_ids[0], tehran(1400, 1, 16, 23, 59, 59))


def test_closing_the_window_sends_declared_cases_to_review_and_lapses_the_rest(
    world: World,
) -> None:
    declared, silent = world.case_ids[0], world.case_ids[1]
    world.act("declare", declared, tehran(1400, 1, 20, 10))
    world.sweep(tehran(1400, 2, 6, 0, 5))
    assert world.state(declared) == "regional_review"
    assert world.state(silent) == "lapsed"
    assert world.pending_due(declared) == END_OF_REVIEW
    close = world.events(declared)[-1]
    assert (close.action, close.logical_at) == ("close_window", END_OF_WINDOW)
    assert close.recorded_at == tehran(1400, 2, 6, 0, 5)
    assert world.deadlines(silent, "pending") == []


@pytest.fixture
def in_review(world: World) -> World:
    for case in world.case_ids:
        world.act("declare", case, tehran(1400, 1, 20, 10))
    world.sweep(tehran(1400, 2, 6, 0, 5))
    return world


def test_the_correction_period_does_not_count_the_referral_day(in_review: World) -> None:
    case = in_review.case_ids[0]
    in_review.act("refer", case, tehran(1400, 2, 8, 10))  # Wednesday
    # days 9, 10, 11, 12, 13 Ordibehesht; the 13th is a Monday, a working day
    assert in_review.pending_due(case) == tehran(1400, 2, 13, 23, 59, 59, 999999)
    in_review.act("correct", case, tehran(1400, 2, 13, 23, 59, 59), fields={"staff_count": "5"})
    assert in_review.state(case) == "regional_review"


def test_a_correction_after_its_five_days_is_refused_without_any_sweep(in_review: World) -> None:
    case = in_review.case_ids[0]
    in_review.act("refer", case, tehran(1400, 2, 8, 10))
    with pytest.raises(DeadlinePassed, match="correction deadline passed at 1400/02/13 23:59:59"):
        in_review.act("correct", case, tehran(1400, 2, 14), fields={"staff_count": "5"})


def test_the_review_clock_pauses_during_a_correction_and_resumes_with_its_time_left(
    in_review: World,
) -> None:
    case = in_review.case_ids[0]
    referred_at = tehran(1400, 2, 8, 10)
    in_review.act("refer", case, referred_at)
    (paused,) = in_review.deadlines(case, "paused")
    left = END_OF_REVIEW - referred_at
    assert paused.kind == "review"
    assert paused.remaining_us == left // timedelta(microseconds=1)
    corrected_at = tehran(1400, 2, 10, 12)
    in_review.act("correct", case, corrected_at, fields={"staff_count": "5"})
    assert in_review.pending_due(case) == corrected_at + left
    assert in_review.pending_due(case) == tehran(1400, 2, 18, 1, 59, 59, 999999)
    assert in_review.deadlines(case, "paused") == []


def test_an_ignored_referral_returns_to_review_when_its_five_days_run_out(
    in_review: World,
) -> None:
    case = in_review.case_ids[0]
    referred_at = tehran(1400, 2, 8, 10)
    in_review.act("refer", case, referred_at)
    correction_due = tehran(1400, 2, 13, 23, 59, 59, 999999)
    in_review.sweep(tehran(1400, 2, 14, 0, 5))
    assert in_review.state(case) == "regional_review"
    last = in_review.events(case)[-1]
    assert (last.action, last.logical_at) == ("lapse_correction", correction_due)
    assert in_review.pending_due(case) == correction_due + (END_OF_REVIEW - referred_at)


@pytest.fixture
def published(in_review: World) -> World:
    world = in_review
    world.act("approve", world.case_ids[0], tehran(1400, 2, 10, 9))
    world.sweep(tehran(1400, 2, 16, 0, 5))
    return world


def test_ranks_are_published_when_the_review_window_closes(published: World) -> None:
    approved, unreviewed = published.case_ids[0], published.case_ids[1]
    for case in published.case_ids:
        assert published.state(case) == "ranked"
        assert published.case(case).position_national is not None
        # 7 days from publication (15 Ordibehesht), that day not counted
        assert published.pending_due(case) == tehran(1400, 2, 22, 23, 59, 59, 999999)
    # one event each at publication: ranked and given an appeal window
    ranked_approved, ranked_unreviewed = (
        published.events(approved)[-1],
        published.events(unreviewed)[-1],
    )
    assert (ranked_approved.action, ranked_approved.to_state) == ("publish", "ranked")
    assert (ranked_unreviewed.action, ranked_unreviewed.to_state) == ("close_review", "ranked")
    assert ranked_unreviewed.payload["review"].startswith("time ran out")
    for case, event in ((approved, ranked_approved), (unreviewed, ranked_unreviewed)):
        assert event.payload["appeal_due"] == published.pending_due(case).isoformat()
        # ranked on the score the timeline last recorded when its inputs changed
        scored = [e for e in published.events(case) if "total" in e.payload]
        assert scored and scored[-1].action in ("declare", "review")
        ranked = published.case(case)
        assert (scored[-1].payload["total"], scored[-1].payload["grade"]) == (
            ranked.total,
            ranked.grade,
        )
    positions = sorted(published.case(c).position_national for c in published.case_ids)
    assert positions == list(range(1, len(published.case_ids) + 1))


def test_an_appeal_in_its_last_second_is_accepted_and_one_second_later_refused(
    published: World,
) -> None:
    on_time, late = published.case_ids[0], published.case_ids[1]
    published.act("appeal", on_time, tehran(1400, 2, 22, 23, 59, 59))
    assert published.state(on_time) == "appealed"
    with pytest.raises(DeadlinePassed, match="appeal deadline passed at 1400/02/22 23:59:59"):
        published.act("appeal", late, tehran(1400, 2, 23))
    assert published.state(late) == "ranked"


def test_an_unappealed_rank_becomes_final_when_the_appeal_window_closes(
    published: World,
) -> None:
    case = published.case_ids[0]
    published.sweep(tehran(1400, 2, 23, 0, 5))
    found = published.case(case)
    assert found.state == "final"
    assert (found.final_total, found.final_grade) == (found.total, found.grade)


def test_a_decided_appeal_is_resummed_and_final(published: World) -> None:
    case = published.case_ids[0]
    published.act("appeal", case, tehran(1400, 2, 20, 10))
    assert published.pending_due(case) == tehran(1400, 2, 30, 23, 59, 59, 999999)
    before = published.case(case).total
    published.act("decide", case, tehran(1400, 2, 25, 10), fields={"office_space": "120"})
    found = published.case(case)
    assert found.state == "final"
    assert found.final_total > before  # 64 m² → 120 m² moves up a band
    last = published.events(case)[-1]
    assert last.payload["before"]["total"] == before
    assert last.payload["final_total"] == found.final_total


def test_a_missed_appeal_decision_is_escalated_never_decided(published: World) -> None:
    from mohlat.services.cases import list_cases

    case = published.case_ids[0]
    published.act("appeal", case, tehran(1400, 2, 20, 10))
    published.sweep(tehran(1400, 3, 2, 0, 5))
    found = published.case(case)
    assert (found.state, found.escalated) == ("appealed", True)
    assert published.events(case)[-1].action == "escalate"
    overdue = list_cases(published.db, actor=World.admin, campaign=None, overdue=True)
    assert [r.id for r in overdue] == [case]
    published.act("decide", case, tehran(1400, 3, 3, 10))  # late, but still the region's call
    assert published.state(case) == "final"


def test_a_case_out_for_correction_at_publication_is_ranked_when_its_own_review_ends(
    in_review: World,
) -> None:
    world = in_review
    case = world.case_ids[0]
    world.act("refer", case, tehran(1400, 2, 15, 20))  # 3h59m59s of review left
    world.sweep(tehran(1400, 2, 16, 0, 5))
    assert world.state(case) == "correction_referral"
    world.act("correct", case, tehran(1400, 2, 18, 9), fields={"staff_count": "5"})
    resumed_due = world.pending_due(case)
    assert resumed_due == tehran(1400, 2, 18, 12, 59, 59, 999999)
    world.sweep(tehran(1400, 2, 19, 0, 5))
    assert world.state(case) == "ranked"
    # its own appeal window: 7 days from 18 Ordibehesht
    assert world.pending_due(case) == tehran(1400, 2, 25, 23, 59, 59, 999999)
    assert world.case(case).position_national is not None


def test_approving_after_publication_ranks_the_case_at_once(in_review: World) -> None:
    world = in_review
    case = world.case_ids[0]
    world.act("refer", case, tehran(1400, 2, 15, 20))
    world.sweep(tehran(1400, 2, 16, 0, 5))
    world.act("correct", case, tehran(1400, 2, 18, 9), fields={"staff_count": "5"})
    world.act("approve", case, tehran(1400, 2, 18, 10))
    assert world.state(case) == "ranked"
    assert world.pending_due(case) == tehran(1400, 2, 25, 23, 59, 59, 999999)


def test_an_admin_may_publish_early_only_once_every_case_is_reviewed(in_review: World) -> None:
    world = in_review
    with pytest.raises(Refused, match="9 under review, not approved"):
        publish(world.db, actor=World.admin, now=tehran(1400, 2, 9, 10), code="1400-2")
    for case in world.case_ids:
        world.act("approve", case, tehran(1400, 2, 9, 10))
    done = publish(world.db, actor=World.admin, now=tehran(1400, 2, 9, 11), code="1400-2")
    assert done.positions == 9
    assert {world.state(c) for c in world.case_ids} == {"ranked"}
    # 7 days from 9 Ordibehesht, not counted: the 16th
    assert world.pending_due(world.case_ids[0]) == tehran(1400, 2, 16, 23, 59, 59, 999999)
    assert world.sweep(tehran(1400, 2, 16, 0, 5)).total == 0  # the campaign deadline is done


def test_a_second_sweep_right_after_the_first_changes_nothing(published: World) -> None:
    first = published.sweep(tehran(1400, 2, 23, 0, 5))
    assert first.total == 9
    before = {c: len(published.events(c)) for c in published.case_ids}
    second = published.sweep(tehran(1400, 2, 23, 0, 6))
    assert (second.total, second.published, second.batches) == (0, [], 0)
    assert {c: len(published.events(c)) for c in published.case_ids} == before


@pytest.mark.parametrize("action", ["review", "refer", "approve", "decide"])
def test_a_supervisor_of_another_region_cannot_act_or_even_see_the_case(
    published: World, action: str
) -> None:
    world = published
    case = world.case_ids[0]  # region 1
    if action == "decide":
        world.act("appeal", case, tehran(1400, 2, 20, 10))
    stranger = world.supervisor(2)
    before = len(world.events(case))
    with pytest.raises(CaseNotFound):
        world.act(action, case, tehran(1400, 2, 20, 11), actor=stranger)
    assert len(world.events(case)) == before


@pytest.mark.parametrize("action", ["review", "refer", "approve"])
def test_a_supervisor_of_another_region_is_refused_during_review(
    in_review: World, action: str
) -> None:
    with pytest.raises(CaseNotFound):
        in_review.act(
            action, in_review.case_ids[0], tehran(1400, 2, 8, 10), actor=in_review.supervisor(5)
        )


def test_an_office_cannot_act_on_another_offices_case(world: World) -> None:
    mine, theirs = world.case_ids[0], world.case_ids[1]
    with pytest.raises(CaseNotFound):
        world.act("declare", theirs, tehran(1400, 1, 20), actor=world.office_actors[mine])


def test_an_office_cannot_take_a_supervisors_action(in_review: World) -> None:
    case = in_review.case_ids[0]
    with pytest.raises(PermissionDenied, match="the office role may not"):
        in_review.act("approve", case, tehran(1400, 2, 8), actor=in_review.office_actors[case])


def test_referring_a_lapsed_case_names_its_state(world: World) -> None:
    case = world.case_ids[0]
    world.sweep(tehran(1400, 2, 6, 0, 5))
    with pytest.raises(TransitionNotAllowed, match="'refer' is not allowed in state 'lapsed'"):
        world.act("refer", case, tehran(1400, 2, 7))


def test_large_moves_are_written_in_chunks_with_the_same_result(
    in_review: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Publication moves MOVE_CHUNK neighbouring cases a statement (fewer, larger
    statements are cheaper, and one transaction never holds them all at once);
    chunking changes nothing but the statements."""
    from mohlat.services import moves

    monkeypatch.setattr(moves, "MOVE_CHUNK", 2)
    written: list[list[int]] = []
    apply_groups = moves.apply_groups

    def recording(tx: Any, groups: Any, progress: Any = None) -> None:
        written.append(sorted(case for group in groups for case in group.case_ids))
        apply_groups(tx, groups, progress)

    monkeypatch.setattr(moves, "apply_groups", recording)
    for case in in_review.case_ids:
        in_review.act("approve", case, tehran(1400, 2, 9, 10))
    report = in_review.sweep(tehran(1400, 2, 16, 0, 5))
    # the nine cases were written two neighbouring ids at a time, each once
    assert written == [in_review.case_ids[i : i + 2] for i in range(0, 9, 2)]
    assert report.published == ["1400-2"]
    assert report.total == 9  # one publish event for each of the 9 cases
    assert {in_review.state(c) for c in in_review.case_ids} == {"ranked"}
    assert all(in_review.events(c)[-1].action == "publish" for c in in_review.case_ids)
    assert all(in_review.deadlines(c, "pending")[0].kind == "appeal" for c in in_review.case_ids)
    positions = sorted(in_review.case(c).position_national for c in in_review.case_ids)
    assert positions == list(range(1, 10))


def test_deadline_writes_are_split_below_the_parameter_limit(
    db: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Opening a campaign for many offices names at most MAX_IDS cases a statement."""
    from mohlat.store import writes

    monkeypatch.setattr(writes, "MAX_IDS", 4)
    world = World(db).setup(offices=9)
    assert all(world.pending_due(case) == world.campaign.closes_at for case in world.case_ids)
    world.sweep(tehran(1400, 2, 6, 0, 5))
    assert {world.state(case) for case in world.case_ids} == {"lapsed"}


def test_an_appeal_names_the_fields_it_disputes(published: World) -> None:
    case = published.case_ids[0]
    published.act("appeal", case, tehran(1400, 2, 20, 10), disputes=("office_space",))
    assert published.events(case)[-1].payload["disputes"] == ["office_space"]
    with pytest.raises(InvalidInput, match="criterion: 'office_area' is not valid; one of"):
        published.act(
            "appeal", published.case_ids[1], tehran(1400, 2, 20, 10), disputes=("office_area",)
        )
