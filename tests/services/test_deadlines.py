"""Deadlines that move when the world does: closures and extensions, on the timeline."""

from __future__ import annotations

import pytest
from support import World, tehran

from mohlat.errors import DeadlinePassed, InvalidInput, PermissionDenied, Refused
from mohlat.services.deadlines import add_closure, extend_case, extend_window, remove_closure
from mohlat.store import Database

END_OF_13_ORD = tehran(1400, 2, 13, 23, 59, 59, 999999)
END_OF_15_ORD = tehran(1400, 2, 15, 23, 59, 59, 999999)


@pytest.fixture
def referred(world: World) -> World:
    """Two offices (regions 1 and 2) referred for correction on Wednesday 8 Ordibehesht."""
    for case in world.case_ids:
        world.act("declare", case, tehran(1400, 1, 20, 10))
    world.sweep(tehran(1400, 2, 6, 0, 5))
    for case in world.case_ids[:2]:
        world.act("refer", case, tehran(1400, 2, 8, 10))
        assert world.pending_due(case) == END_OF_13_ORD
    return world


def test_a_closure_for_one_province_moves_only_its_offices_deadlines(referred: World) -> None:
    tehran_office, isfahan_office = referred.case_ids[:2]
    moved = add_closure(
        referred.db,
        actor=World.admin,
        now=tehran(1400, 2, 9, 8),
        first_day="1400/02/13",
        last_day=None,
        reason="air pollution",
        provinces=["province-1"],
    )
    assert moved.deadlines == 1
    # the 13th is now closed there, the 14th is a holiday: the last day rolls to the 15th
    assert referred.pending_due(tehran_office) == END_OF_15_ORD
    assert referred.pending_due(isfahan_office) == END_OF_13_ORD
    event = referred.events(tehran_office)[-1]
    assert event.action == "deadline_moved"
    assert event.payload["reason"] == "closure 1400/02/13: air pollution"
    assert (event.payload["from"], event.payload["to"]) == (
        "1400/02/13 23:59:59",
        "1400/02/15 23:59:59",
    )
    assert [e.action for e in referred.events(isfahan_office)][-1] == "refer"


def test_a_closure_added_after_a_deadline_fell_due_moves_nothing(referred: World) -> None:
    case = referred.case_ids[0]
    moved = add_closure(
        referred.db,
        actor=World.admin,
        now=tehran(1400, 2, 14, 1),
        first_day="1400/02/13",
        last_day=None,
        reason="late notice",
        provinces=["province-1"],
    )
    assert moved.deadlines == 0
    assert referred.pending_due(case) == END_OF_13_ORD
    with pytest.raises(DeadlinePassed):
        referred.act("correct", case, tehran(1400, 2, 14, 2), fields={"staff_count": "5"})


def test_removing_a_closure_counts_the_deadline_again(referred: World) -> None:
    case = referred.case_ids[0]
    added = add_closure(
        referred.db,
        actor=World.admin,
        now=tehran(1400, 2, 9, 8),
        first_day="1400/02/13",
        last_day=None,
        reason="heat",
        regions=[1],
    )
    assert referred.pending_due(case) == END_OF_15_ORD
    assert added.closure_id is not None
    remove_closure(
        referred.db,
        actor=World.admin,
        now=tehran(1400, 2, 10, 8),
        closure_id=added.closure_id,
        reason="announced in error",
    )
    assert referred.pending_due(case) == END_OF_13_ORD
    assert referred.events(case)[-1].payload["reason"].endswith("removed: announced in error")


def test_an_extension_of_one_case_is_on_its_timeline_with_its_reason(referred: World) -> None:
    case = referred.case_ids[0]
    extend_case(
        referred.db,
        actor=World.admin,
        now=tehran(1400, 2, 10, 8),
        ref=str(case),
        campaign=None,
        reason="documents delayed by the post",
        days=3,
    )
    assert referred.pending_due(case) == tehran(1400, 2, 16, 23, 59, 59, 999999)
    event = referred.events(case)[-1]
    assert (event.action, event.actor) == ("extend", "admin")
    assert event.payload == {
        "deadline": "correction",
        "from": "1400/02/13 23:59:59",
        "to": "1400/02/16 23:59:59",
        "reason": "documents delayed by the post",
        "granted": "3 more days",
    }
    referred.act("correct", case, tehran(1400, 2, 16, 12), fields={"staff_count": "5"})


def test_extending_the_declaration_window_for_one_region(world: World) -> None:
    region_3, region_4 = world.case_ids[2], world.case_ids[3]
    moved = extend_window(
        world.db,
        actor=World.admin,
        now=tehran(1400, 2, 1, 8),
        campaign=None,
        window="declaration",
        region=3,
        to="1400/02/08",
        reason="earthquake in the region",
    )
    assert moved.deadlines == 1
    world.act("declare", region_3, tehran(1400, 2, 7, 10))
    with pytest.raises(DeadlinePassed):
        world.act("declare", region_4, tehran(1400, 2, 7, 10))
    world.sweep(tehran(1400, 2, 9, 0, 5))
    assert world.state(region_3) == "regional_review"
    assert world.state(region_4) == "lapsed"


def test_extending_the_declaration_window_everywhere_moves_publication(world: World) -> None:
    extend_window(
        world.db,
        actor=World.admin,
        now=tehran(1400, 2, 1, 8),
        campaign="1400-2",
        window="declaration",
        to="1400/02/08",
        reason="portal outage",
    )
    case = world.case_ids[0]
    world.act("declare", case, tehran(1400, 2, 8, 23))
    world.sweep(tehran(1400, 2, 16, 0, 5))  # the old publication instant has passed
    assert world.state(case) == "regional_review"
    # 10 days from the 8th: the 18th
    assert world.pending_due(case) == tehran(1400, 2, 18, 23, 59, 59, 999999)
    world.sweep(tehran(1400, 2, 19, 0, 5))
    assert world.state(case) == "ranked"


def test_a_deadline_that_fell_due_is_not_extended(referred: World) -> None:
    with pytest.raises(Refused, match="fell due at 1400/02/13 23:59:59"):
        extend_case(
            referred.db,
            actor=World.admin,
            now=tehran(1400, 2, 14, 8),
            ref=str(referred.case_ids[0]),
            campaign=None,
            reason="too late",
            days=2,
        )


def test_an_extension_needs_a_reason_and_a_later_day(referred: World) -> None:
    case = str(referred.case_ids[0])
    with pytest.raises(InvalidInput, match="reason"):
        extend_case(
            referred.db,
            actor=World.admin,
            now=tehran(1400, 2, 10),
            ref=case,
            campaign=None,
            reason="  ",
            days=2,
        )
    with pytest.raises(InvalidInput, match="a day after the current deadline"):
        extend_case(
            referred.db,
            actor=World.admin,
            now=tehran(1400, 2, 10),
            ref=case,
            campaign=None,
            reason="x",
            to="1400/02/12",
        )


def test_only_admins_change_the_calendar(referred: World) -> None:
    with pytest.raises(PermissionDenied):
        add_closure(
            referred.db,
            actor=referred.supervisor(1),
            now=tehran(1400, 2, 9),
            first_day="1400/02/13",
            last_day=None,
            reason="x",
        )


def test_a_resumed_review_clock_is_not_recounted_by_a_closure(referred: World) -> None:
    """It runs on the time it had left when the file went out for correction."""
    case = referred.case_ids[0]  # region 1, province-1: referred on 8 Ordibehesht 10:00
    referred.act("correct", case, tehran(1400, 2, 10, 12), fields={"staff_count": "5"})
    resumed = referred.pending_due(case)
    assert resumed == tehran(1400, 2, 18, 1, 59, 59, 999999)
    moved = add_closure(
        referred.db,
        actor=World.admin,
        now=tehran(1400, 2, 11, 8),
        first_day="1400/02/12",
        last_day=None,
        reason="air pollution",
        provinces=["province-1"],
    )
    assert moved.deadlines == 0
    assert referred.pending_due(case) == resumed


def test_a_working_day_correction_of_an_estimated_holiday_moves_the_deadline_back(
    db: Database,
) -> None:
    # 1406/02/27 is Eid al-Adha as the holidays package estimates it (a Monday)
    world = World(db).setup(first="1406/02/01", last="1406/02/18", at=tehran(1406, 1, 25, 9))
    case = world.case_ids[0]
    world.act("declare", case, tehran(1406, 2, 5, 10))
    world.sweep(tehran(1406, 2, 19, 0, 5))
    world.act("refer", case, tehran(1406, 2, 22, 10))
    # five days from the 23rd end on the 27th, an (estimated) holiday: rolled to the 28th
    assert world.pending_due(case) == tehran(1406, 2, 28, 23, 59, 59, 999999)

    moved = add_closure(
        db,
        actor=World.admin,
        now=tehran(1406, 2, 23, 8),
        first_day="1406/02/27",
        last_day=None,
        reason="the moon was sighted a day early",
        working_day=True,
    )

    assert moved.deadlines == 1
    assert world.pending_due(case) == tehran(1406, 2, 27, 23, 59, 59, 999999)
    event = world.events(case)[-1]
    assert event.action == "deadline_moved"
    assert event.payload["reason"] == "working day 1406/02/27: the moon was sighted a day early"


def test_a_late_declaration_names_the_deadline_also_after_the_sweep_moved_the_case(
    world: World,
) -> None:
    from mohlat.errors import DeadlinePassed, TransitionNotAllowed

    world.act("declare", 1, tehran(1400, 1, 20, 10))
    world.sweep(tehran(1400, 2, 6, 0, 0, 1))  # case 1 to review, the others lapse
    for case in (1, 2):  # declared and moved on; never declared and lapsed
        with pytest.raises(
            DeadlinePassed, match="declaration deadline passed at 1400/02/05 23:59:59"
        ):
            world.act("declare", case, tehran(1400, 2, 6, 0, 0, 2))
    with pytest.raises(TransitionNotAllowed):  # a state the action never had: as before
        world.act("appeal", 1, tehran(1400, 2, 6, 0, 0, 2))
