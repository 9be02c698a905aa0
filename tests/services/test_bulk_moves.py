"""Set-based moves write exactly what moving each case on its own would write."""

from __future__ import annotations

from typing import Any

import pytest
from support import World, fresh_database, tehran

import mohlat.services.moves as moves
from mohlat.services.verify import verify_timelines
from mohlat.store import queries as q
from mohlat.workflow.bulk import BulkPlan


def _play(world: World) -> None:
    """A campaign with every kind of bulk move: windows closing, a correction lapsing
    (a resumed clock), publication of reviewed and unreviewed cases, appeals ending."""
    ids = world.case_ids
    for case in ids[:-2]:
        world.act("declare", case, tehran(1400, 1, 25, 10))
    world.sweep(tehran(1400, 2, 6, 0, 5))  # declaration window: review or lapsed
    for case in ids[:3]:
        world.act("review", case, tehran(1400, 2, 8, 10), association_score="15")
        world.act("approve", case, tehran(1400, 2, 8, 11))
    world.act("refer", ids[3], tehran(1400, 2, 8, 12), text="the floor plan is missing")
    world.sweep(tehran(1400, 2, 16, 0, 5))  # the correction lapses; ranks are published
    world.act("appeal", ids[0], tehran(1400, 2, 20, 10))
    world.sweep(tehran(1400, 3, 30))  # appeal windows close


def _record(world: World) -> dict[int, Any]:
    """Everything a person could see of each case, ids and write times left out."""
    seen: dict[int, Any] = {}
    for case in world.case_ids:
        row = world.row(case)
        c = row.case
        with world.db.transaction() as tx:
            deadlines = [
                (d.kind, d.status, d.due_at, d.remaining_us, d.closed_at)
                for d in q.case_deadlines(tx, case_id=case)
            ]
        seen[case] = (
            (c.state, c.total, c.grade, c.final_total, c.final_grade, c.escalated),
            (c.position_national, c.position_regional, c.position_provincial),
            (c.version, c.event_count, c.last_hash),
            deadlines,
            [
                (e.seq, e.action, e.from_state, e.to_state, e.logical_at, e.payload, e.hash)
                for e in world.events(case)
            ],
        )
    return seen


def test_group_moves_write_what_one_by_one_moves_would(
    db: Any, tmp_path: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    grouped = World(db).setup()
    _play(grouped)
    expected = _record(grouped)
    assert {v[0][0] for v in expected.values()} >= {"final", "appealed", "lapsed"}
    assert verify_timelines(grouped.db, actor=World.admin).broken == []
    db.dispose()

    def everything_one_by_one(situations: Any, *args: Any, **kw: Any) -> BulkPlan:
        return BulkPlan(one_by_one=[i for ids in situations.values() for i in ids])

    monkeypatch.setattr(moves, "plan_groups", everything_one_by_one)
    alone = World(fresh_database(tmp_path / "alone.db")).setup()
    _play(alone)
    assert _record(alone) == expected
    assert verify_timelines(alone.db, actor=World.admin).broken == []
    alone.db.dispose()
