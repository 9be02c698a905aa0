"""Deadlines about to fall: the `due` listing and the reminder outbox."""

from __future__ import annotations

from datetime import timedelta

import pytest
from support import World, tehran

from mohlat.errors import InvalidInput
from mohlat.services.due import due_soon, outbox, parse_span


def test_due_lists_the_deadlines_about_to_fall_in_the_actors_remit(world: World) -> None:
    soon = due_soon(
        world.db,
        actor=World.admin,
        campaign=None,
        now=tehran(1400, 2, 3, 9),
        within=timedelta(days=3),
    )
    assert len(soon) == 9 and {d.kind for d in soon} == {"declaration"}
    mine = due_soon(
        world.db,
        actor=world.supervisor(4),
        campaign=None,
        now=tehran(1400, 2, 3, 9),
        within=parse_span("۳d"),
    )
    assert [d.region for d in mine] == [4]
    assert (
        due_soon(
            world.db,
            actor=World.admin,
            campaign=None,
            now=tehran(1400, 1, 20),
            within=parse_span("3d"),
        )
        == []
    )


def test_the_scheduler_queues_one_reminder_per_deadline_for_whoever_must_act(
    world: World,
) -> None:
    office = world.case_ids[0]
    world.act("declare", office, tehran(1400, 1, 20, 10))
    first = world.sweep(tehran(1400, 2, 3, 9))  # 2 days 15 hours before the window closes
    assert first.reminders == 0
    second = world.sweep(tehran(1400, 2, 4, 1))  # 1 day 23 hours before: within 48 h
    assert second.reminders == 9
    assert world.sweep(tehran(1400, 2, 5, 2)).reminders == 0  # once each
    queued = outbox(world.db, actor=World.admin)
    recipient = {r.case_id: r.recipient for r in queued}
    assert recipient[office] == world.office_actors[office].name
    world.sweep(tehran(1400, 2, 6, 0, 5))
    world.sweep(tehran(1400, 2, 14, 0, 5))  # review closes in less than 48 h
    review = [r for r in outbox(world.db, actor=world.supervisor(1)) if r.kind == "review"]
    assert [r.recipient for r in review] == ["region-1"]


def test_a_span_must_be_a_number_and_a_unit() -> None:
    with pytest.raises(InvalidInput, match="a number followed by d, h or m"):
        parse_span("soon")
    assert parse_span("١٢h") == timedelta(hours=12)
