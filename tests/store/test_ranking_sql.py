"""The database numbers positions exactly as the scoring package ranks them."""

from __future__ import annotations

import random
from datetime import timedelta

import pytest
from sqlalchemy import update
from support import World, tehran

from mohlat.scoring import RankEntry, rank
from mohlat.store import queries as q
from mohlat.store.models import Case, table_of
from mohlat.store.ranking import number_positions

CASES = table_of(Case)

TIE_BREAKERS = [
    ("association_score", "violations_count", "declared_at", "office_code"),
    ("declared_at", "association_score"),
    ("violations_count",),
    (),
]


@pytest.mark.parametrize("seed", [1, 2, 3])
@pytest.mark.parametrize("tie_breakers", TIE_BREAKERS, ids=lambda t: ",".join(t) or "none")
def test_sql_positions_equal_the_python_ranking(
    world_of_40: World, seed: int, tie_breakers: tuple[str, ...]
) -> None:
    world, rng = world_of_40, random.Random(seed)
    with world.db.transaction() as tx:
        for case in world.case_ids:
            # few distinct values, so that every tie-breaker is needed somewhere
            tx.execute(
                update(CASES)
                .where(CASES.c.id == case)
                .values(
                    state="ranked",
                    total=rng.choice([50.0, 61.25, 61.25, 70.5]),
                    association_score=rng.choice([None, 10.0, 12.5]),
                    violations_count=rng.choice([0, 0, 1, 2]),
                    declared_at=rng.choice(
                        [None, tehran(1400, 1, 20, 10), tehran(1400, 1, 20, 10) + timedelta(1)]
                    ),
                )
            )
        assert world.campaign.id is not None
        numbered = number_positions(
            tx, campaign_id=world.campaign.id, tie_breakers=list(tie_breakers)
        )
        entries = [
            RankEntry(r[0], r[1], r[2], r[3], r[4], r[5], r[6], r[7])
            for r in q.rank_entries(tx, campaign_id=world.campaign.id)
        ]
        stored = {
            row.case.id: (
                row.case.position_national,
                row.case.position_regional,
                row.case.position_provincial,
            )
            for row in q.case_rows(tx, case_ids=world.case_ids)
        }
    expected = {
        case_id: (p.national, p.regional, p.provincial)
        for case_id, p in rank(entries, tie_breakers).items()
    }
    assert numbered == len(world.case_ids) == len(expected)
    assert stored == expected


@pytest.fixture
def world_of_40(db: object) -> World:
    return World(db).setup(offices=40)  # type: ignore[arg-type]
