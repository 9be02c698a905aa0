"""``mohlat serve --scheduler``: the server applies due deadlines itself, at start
(catching up) and on its interval."""

from __future__ import annotations

import time

from fastapi.testclient import TestClient
from support import World, tehran

from mohlat.clock import SimulatedClock
from mohlat.store import Database
from mohlat.web.app import create_app


def test_the_server_catches_up_on_start_when_it_runs_the_scheduler(db: Database) -> None:
    world = World(db).setup()
    for case in world.case_ids[:3]:
        world.act("declare", case, tehran(1400, 1, 20, 10))
    clock = SimulatedClock(tehran(1400, 2, 6, 0, 5))  # the window closed 5 minutes ago
    app = create_app(db, clock=clock, settings={}, sweep_every=3600)
    with TestClient(app) as http:
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline and http.get("/readyz").json()["deadlines_due"]:
            time.sleep(0.05)
        body = http.get("/readyz").json()
    assert body["deadlines_due"] == 0
    assert body["last_sweep_at"].startswith("2021-04-25T19:35")
    states = {world.state(case) for case in world.case_ids}
    assert states == {"regional_review", "lapsed"}


def test_without_the_scheduler_the_server_applies_nothing(db: Database) -> None:
    world = World(db).setup()
    clock = SimulatedClock(tehran(1400, 2, 6, 0, 5))
    with TestClient(create_app(db, clock=clock, settings={})) as http:
        time.sleep(0.3)
        assert http.get("/readyz").json()["deadlines_due"] == 9
    assert {world.state(case) for case in world.case_ids} == {"declaring"}
