"""The roster a simulation acts from: every case's state and office, each office's holder."""

from __future__ import annotations

import pytest
from support import World

from mohlat.errors import PermissionDenied
from mohlat.services.roster import case_states, office_holders


def test_an_admin_sees_every_case_and_every_holder(world: World) -> None:
    states = case_states(world.db, actor=World.admin, campaign=None)
    assert [s.case_id for s in states] == world.case_ids
    assert {s.state for s in states} == {"declaring"}
    assert [s.region for s in states] == [world.region_of[c] for c in world.case_ids]
    holders = office_holders(world.db, actor=World.admin)
    assert {holders[s.office_id] for s in states} == {
        world.office_actors[c].name for c in world.case_ids
    }


def test_a_supervisor_may_not_read_the_roster(world: World) -> None:
    with pytest.raises(PermissionDenied):
        case_states(world.db, actor=world.supervisor(1), campaign=None)
    with pytest.raises(PermissionDenied):
        office_holders(world.db, actor=world.supervisor(1))
