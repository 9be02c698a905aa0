"""Two supervisors acting on one case at the same moment: nothing is lost.

Each round holds the case locked from a third connection (a transaction on SQLite,
a row lock on PostgreSQL) while two workers, each with a database connection of its
own as two processes would have, start the same action; then lets go, so the two
overlap for certain. Run on PostgreSQL by `.ci/run` (MOHLAT_TEST_DB).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import Any

import pytest
from support import World, tehran

from mohlat.errors import MohlatError, StaleVersion
from mohlat.services.cases import act
from mohlat.store import Database
from mohlat.store import queries as q

ROUNDS = 50
AT = tehran(1400, 2, 7, 10)


@pytest.fixture
def in_review(world: World) -> World:
    for case in world.case_ids[:1]:
        world.act("declare", case, tehran(1400, 1, 20, 10))
    world.sweep(tehran(1400, 2, 6, 0, 5))
    return world


def _overlapping(world: World, case: int, *workers: Callable[[Database], Any]) -> list[Any]:
    """Run the workers at once against ``case`` held locked until all have started."""
    databases = [Database(world.db.url) for _ in workers]
    results: list[Any] = [None] * len(workers)
    started = threading.Barrier(len(workers) + 1)

    def run(i: int) -> None:
        started.wait()
        try:
            results[i] = workers[i](databases[i])
        except MohlatError as exc:
            results[i] = exc

    threads = [threading.Thread(target=run, args=(i,)) for i in range(len(workers))]
    with world.db.transaction() as tx:
        q.case_rows(tx, case_ids=[case], lock=True)
        if world.db.dialect == "sqlite":
            tx.connection().exec_driver_sql("UPDATE cases SET version = version WHERE id = 0")
        for thread in threads:
            thread.start()
        started.wait()
        time.sleep(0.05)  # both are now waiting for the case
    for thread in threads:
        thread.join(timeout=30)
    for database in databases:
        database.dispose()
    return results


def _review(case: int, region: int, **kw: Any) -> Callable[[Database], Any]:
    def worker(db: Database) -> Any:
        return act(
            db,
            actor=_supervisor(region),
            action="review",
            ref=str(case),
            now=AT,
            **kw,
        )

    return worker


def _supervisor(region: int) -> Any:
    from mohlat.services.access import Actor
    from mohlat.workflow.definition import Role

    return Actor(f"supervisor-{region}", Role.SUPERVISOR, region=region)


def test_two_reviews_at_once_both_land_and_the_timeline_tells_the_truth(
    in_review: World,
) -> None:
    case = in_review.case_ids[0]
    region = in_review.region_of[case]
    for n in range(ROUNDS):
        staff, space = str(5 + n % 20), str(100 + n)
        results = _overlapping(
            in_review,
            case,
            _review(case, region, fields={"staff_count": staff}),
            _review(case, region, fields={"office_space": space}),
        )
        assert not [r for r in results if isinstance(r, MohlatError)], results
        declaration = in_review.row(case).declaration
        assert (declaration["staff_count"], declaration["office_space"]) == (int(staff), int(space))
    # every "before" on the timeline is what the field really was
    seen: dict[str, Any] = {}
    for event in in_review.events(case):
        for field, (before, after) in event.payload.get("changes", {}).items():
            if field in seen:
                assert before == seen[field], (event.seq, field)
            seen[field] = after


def test_of_two_actions_on_the_version_both_saw_one_lands_and_one_is_told_to_reload(
    in_review: World,
) -> None:
    case = in_review.case_ids[0]
    region = in_review.region_of[case]
    for n in range(ROUNDS // 5):
        version = in_review.case(case).version
        results = _overlapping(
            in_review,
            case,
            _review(case, region, fields={"staff_count": str(5 + n)}, if_version=version),
            _review(case, region, fields={"office_space": str(100 + n)}, if_version=version),
        )
        stale = [r for r in results if isinstance(r, StaleVersion)]
        assert len(stale) == 1, results
        assert stale[0].expected == version
        assert "reload it and try again" in str(stale[0])
        assert in_review.case(case).version == version + 1
