"""An extension is part of its deadline's derivation: no calendar change undoes it.

Each scenario here failed before extensions were stored with their deadline and
replayed on every recount (issue 16).
"""

from __future__ import annotations

from datetime import datetime

import pytest
from support import World, tehran

from mohlat.services.deadlines import add_closure, extend_case, extend_window, remove_closure
from mohlat.store import queries as q


def end_of(y: int, m: int, d: int) -> datetime:
    return tehran(y, m, d, 23, 59, 59, 999999)


@pytest.fixture
def referred(world: World) -> World:
    """Every office declared; the first (region 1) referred on Wednesday 8 Ordibehesht
    1400, so its correction is due at the end of Monday the 13th."""
    for case in world.case_ids:
        world.act("declare", case, tehran(1400, 1, 20, 10))
    world.sweep(tehran(1400, 2, 6, 0, 5))
    world.act("refer", world.case_ids[0], tehran(1400, 2, 8, 10))
    assert world.pending_due(world.case_ids[0]) == end_of(1400, 2, 13)
    return world


def _extend(world: World, case: int, at: datetime, **how: object) -> None:
    extend_case(
        world.db, actor=World.admin, now=at, ref=str(case), campaign=None, reason="post", **how
    )  # type: ignore[arg-type]


def _close(world: World, at: datetime, day: str, **where: object) -> int:
    moved = add_closure(
        world.db, actor=World.admin, now=at, first_day=day, last_day=None, reason="x", **where
    )  # type: ignore[arg-type]
    assert moved.closure_id is not None
    return moved.closure_id


def test_an_extension_survives_an_unrelated_closure_added_and_removed(referred: World) -> None:
    case = referred.case_ids[0]
    _extend(referred, case, tehran(1400, 2, 9, 8), to="1400/02/16")
    assert referred.pending_due(case) == end_of(1400, 2, 16)
    closure = _close(referred, tehran(1400, 2, 9, 9), "1400/03/10", regions=[9])
    assert referred.pending_due(case) == end_of(1400, 2, 16)
    moved = remove_closure(
        referred.db, actor=World.admin, now=tehran(1400, 2, 9, 10), closure_id=closure, reason="y"
    )
    assert moved.deadlines == 0
    assert referred.pending_due(case) == end_of(1400, 2, 16)
    assert referred.events(case)[-1].action == "extend"  # nothing moved, nothing said


def test_an_extension_survives_a_working_day_correction(referred: World) -> None:
    case = referred.case_ids[0]
    _extend(referred, case, tehran(1400, 2, 9, 8), to="1400/02/16")
    add_closure(
        referred.db,
        actor=World.admin,
        now=tehran(1400, 2, 9, 9),
        first_day="1400/03/25",
        last_day=None,
        reason="the lunar holiday fell a day later",
        working_day=True,
    )
    assert referred.pending_due(case) == end_of(1400, 2, 16)


def test_an_extension_by_days_that_lands_on_a_friday_ends_on_saturday(referred: World) -> None:
    case = referred.case_ids[0]
    _extend(referred, case, tehran(1400, 2, 9, 8), days=4)  # Monday 13th + 4: Friday 17th
    assert referred.pending_due(case) == end_of(1400, 2, 18)
    assert referred.events(case)[-1].payload["to"] == "1400/02/18 23:59:59"


def test_an_extension_to_a_day_later_closed_moves_like_any_last_day(referred: World) -> None:
    """The extended last day (Thursday the 16th) is closed in the office's province:
    it rolls past Friday to Saturday the 18th, and back when the closure goes."""
    case = referred.case_ids[0]
    _extend(referred, case, tehran(1400, 2, 9, 8), to="1400/02/16")
    closure = _close(referred, tehran(1400, 2, 10, 8), "1400/02/16", provinces=["province-1"])
    assert referred.pending_due(case) == end_of(1400, 2, 18)
    moved_by = referred.events(case)[-1]
    assert moved_by.action == "deadline_moved"
    assert (moved_by.payload["from"], moved_by.payload["to"]) == (
        "1400/02/16 23:59:59",
        "1400/02/18 23:59:59",
    )
    assert moved_by.payload["reason"] == "closure 1400/02/16: x"
    remove_closure(
        referred.db, actor=World.admin, now=tehran(1400, 2, 11, 8), closure_id=closure, reason="y"
    )
    assert referred.pending_due(case) == end_of(1400, 2, 16)
    back = referred.events(case)[-1]
    assert (back.payload["from"], back.payload["to"]) == (
        "1400/02/18 23:59:59",
        "1400/02/16 23:59:59",
    )


def test_a_campaign_is_published_at_its_extended_review_end(world: World) -> None:
    for case in world.case_ids:
        world.act("declare", case, tehran(1400, 1, 20, 10))
    world.sweep(tehran(1400, 2, 6, 0, 5))  # the review runs to the end of the 15th
    extend_window(
        world.db,
        actor=World.admin,
        now=tehran(1400, 2, 7, 8),
        campaign=None,
        window="review",
        to="1400/02/20",
        reason="the regions are short of staff",
    )
    _close(world, tehran(1400, 2, 8, 8), "1400/03/10", regions=[9])
    world.sweep(tehran(1400, 2, 16, 0, 5))
    with world.db.transaction() as tx:
        campaign = q.campaign_by_code(tx, code="1400-2")
    assert campaign is not None
    assert campaign.published_at is None
    assert campaign.review_closes_at == end_of(1400, 2, 20)
    assert {world.state(c) for c in world.case_ids} == {"regional_review"}
    world.sweep(tehran(1400, 2, 21, 0, 5))
    with world.db.transaction() as tx:
        campaign = q.campaign_by_code(tx, code="1400-2")
    assert campaign is not None
    assert campaign.published_at == end_of(1400, 2, 20)
    assert {world.state(c) for c in world.case_ids} == {"ranked"}


def test_a_window_extension_reaches_an_office_imported_later(world: World) -> None:
    from mohlat.identity import make_national_id
    from mohlat.services.offices import import_offices, office_rows

    extend_window(
        world.db,
        actor=World.admin,
        now=tehran(1400, 2, 1, 8),
        campaign=None,
        window="declaration",
        region=3,
        to="1400/02/08",
        reason="earthquake",
    )
    row = {
        "code": "P09999",
        "name": "New office",
        "kind": "pishkhan",
        "region": 3,
        "province": "province-3",
        "national_id": make_national_id("555123456"),
        "holder_name": "",
    }
    import_offices(world.db, actor=World.admin, text=office_rows([row]), now=tehran(1400, 2, 2))
    with world.db.transaction() as tx:
        found = q.case_rows(tx, case_ids=[], campaign_id=world.campaign.id, office_codes=["P09999"])
    (new_case,) = found
    assert new_case.case.id is not None
    assert world.pending_due(new_case.case.id) == end_of(1400, 2, 8)
    # and a later unrelated closure does not take it away
    _close(world, tehran(1400, 2, 3, 8), "1400/03/10", regions=[9])
    assert world.pending_due(new_case.case.id) == end_of(1400, 2, 8)


def test_the_review_window_is_extended_only_once_it_has_started(world: World) -> None:
    from mohlat.errors import Refused

    with pytest.raises(Refused, match="starts when declarations close at 1400/02/05 23:59:59"):
        extend_window(
            world.db,
            actor=World.admin,
            now=tehran(1400, 2, 1, 8),
            campaign=None,
            window="review",
            to="1400/02/20",
            reason="early",
        )
