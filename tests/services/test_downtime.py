"""The scheduler catches up: late sweeps leave the same states and logical timelines."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta
from typing import Any

import pytest
from support import World, fresh_database, tehran

from mohlat.workflow.timeline import first_broken


def _play(world: World, sweep_every_days: int) -> None:
    """Declarations for all but two offices, then only the clock moves, for 60 days."""
    for case in world.case_ids[:-2]:
        world.act("declare", case, tehran(1400, 1, 25, 10))
    start = tehran(1400, 1, 26, 0, 5)
    for day in range(0, 61):
        at = start + timedelta(days=day)
        if day % sweep_every_days == 0 or day == 60:
            world.sweep(at)


def _logical(world: World) -> dict[int, Any]:
    return {
        case: (
            world.state(case),
            [
                (e.seq, e.action, e.from_state, e.to_state, e.logical_at, e.payload)
                for e in world.events(case)
            ],
        )
        for case in world.case_ids
    }


@pytest.mark.parametrize("every", [9, 60], ids=["every-9-days", "once-after-60-days"])
def test_late_sweeps_equal_daily_sweeps(db: Any, tmp_path: Any, every: int) -> None:
    daily = World(db).setup()
    _play(daily, 1)
    expected = _logical(daily)
    assert {state for state, _ in expected.values()} == {"final", "lapsed"}
    db.dispose()
    late = World(fresh_database(tmp_path / "late.db")).setup()
    _play(late, every)
    assert _logical(late) == expected
    late.db.dispose()


def test_one_sweep_carries_a_case_through_every_window_that_closed(world: World) -> None:
    case = world.case_ids[0]
    world.act("declare", case, tehran(1400, 1, 25, 10))
    report = world.sweep(tehran(1400, 3, 30))
    assert world.state(case) == "final"
    actions = [(e.action, e.to_state) for e in world.events(case)]
    assert actions == [
        ("open", "declaring"),
        ("declare", "declaring"),
        ("close_window", "regional_review"),
        ("close_review", "ranked"),
        ("close_appeal", "final"),
    ]
    logical = [e.logical_at for e in world.events(case)[2:]]
    assert logical == sorted(logical)
    assert logical[-1] == tehran(1400, 2, 22, 23, 59, 59, 999999)
    assert report.published == ["1400-2"]


def test_every_case_timeline_is_an_unbroken_hash_chain(world: World) -> None:
    case = world.case_ids[0]
    world.act("declare", case, tehran(1400, 1, 25, 10))
    world.sweep(tehran(1400, 3, 30))
    events = world.chain(case)
    assert first_broken(events) is None
    tampered = list(events)
    tampered[2] = replace(events[2], actor="someone else")
    assert first_broken(tampered) == (3, "its content does not match its hash")
