"""Ranking: ordinal positions, deterministic tie-breaks, late cases among a published ranking."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from mohlat.errors import Duplicate, InvalidInput
from mohlat.scoring import (
    TIE_BREAKERS,
    Position,
    RankEntry,
    place_within,
    position_among,
    positions_among,
    rank,
)
from mohlat.scoring.ranking import sort_keys

DEFAULT = ("association_score", "violations_count", "declared_at", "office_code")
T0 = datetime(2021, 4, 6, 4, 30, tzinfo=UTC)


def entry(case_id: int, total: float, **changes: object) -> RankEntry:
    fields: dict[str, object] = {
        "case_id": case_id,
        "total": total,
        "region": 1,
        "province": "Tehran",
        "association_score": 10.0,
        "violations_count": 0,
        "declared_at": T0,
        "office_code": f"P{case_id:04d}",
    }
    fields.update(changes)
    return RankEntry(**fields)  # type: ignore[arg-type]


def national(positions: dict[int, Position]) -> list[int]:
    """Case ids, best first."""
    return sorted(positions, key=lambda case_id: positions[case_id].national)


def test_higher_total_first_with_regional_and_provincial_places() -> None:
    entries = [
        entry(1, 50, region=1, province="Tehran"),
        entry(2, 70, region=2, province="Fars"),
        entry(3, 60, region=1, province="Alborz"),
        entry(4, 65, region=1, province="Tehran"),
    ]
    assert rank(entries, DEFAULT) == {
        2: Position(1, 1, 1),
        4: Position(2, 1, 1),
        3: Position(3, 2, 1),
        1: Position(4, 3, 2),
    }


@pytest.mark.parametrize(
    ("tie_breaker", "better", "worse"),
    [
        ("association_score", {"association_score": 12.0}, {"association_score": 11.5}),
        ("association_score", {"association_score": 0.0}, {"association_score": None}),
        ("violations_count", {"violations_count": 0}, {"violations_count": 1}),
        ("declared_at", {"declared_at": T0}, {"declared_at": T0 + timedelta(seconds=1)}),
        ("declared_at", {"declared_at": T0}, {"declared_at": None}),
        ("office_code", {"office_code": "A"}, {"office_code": "B"}),
    ],
    ids=[
        "higher-association-first",
        "missing-association-last",
        "fewer-violations-first",
        "earlier-declaration-first",
        "missing-declaration-last",
        "office-code-ascending",
    ],
)
def test_tie_breaker_directions(
    tie_breaker: str, better: dict[str, object], worse: dict[str, object]
) -> None:
    # the worse entry has the smaller case id and office code, so only the
    # tie-breaker can put the better one first
    worse = {"office_code": "A", **worse}
    better = {"office_code": "B", **better}
    entries = [entry(1, 50, **worse), entry(2, 50, **better)]
    assert national(rank(entries, [tie_breaker])) == [2, 1]


def test_tie_breakers_apply_in_order() -> None:
    fewer_violations = entry(1, 50, association_score=9.0, violations_count=0)
    higher_association = entry(2, 50, association_score=10.0, violations_count=3)
    entries = [fewer_violations, higher_association]
    assert national(rank(entries, ["association_score", "violations_count"])) == [2, 1]
    assert national(rank(entries, ["violations_count", "association_score"])) == [1, 2]


def test_full_tie_falls_back_to_office_code_then_case_id() -> None:
    entries = [
        entry(3, 50, office_code="B"),
        entry(2, 50, office_code="B"),
        entry(1, 50, office_code="C"),
    ]
    assert national(rank(entries, [])) == [2, 3, 1]


def test_unknown_tie_breaker_is_refused() -> None:
    with pytest.raises(InvalidInput, match=r"^tie_breakers: 'age' is not valid; one of: total,"):
        rank([entry(1, 50)], ["age"])


def test_duplicate_case_is_refused() -> None:
    with pytest.raises(Duplicate, match="case_id"):
        rank([entry(1, 50), entry(1, 60)], DEFAULT)


def test_naive_declaration_time_is_refused() -> None:
    naive = entry(1, 50, declared_at=datetime(2021, 4, 6, 9, 0))
    with pytest.raises(InvalidInput, match="timezone-aware"):
        rank([naive, entry(2, 50)], ["declared_at"])


def test_position_among_does_not_renumber_the_published() -> None:
    published = [entry(1, 80), entry(2, 60, region=7, province="Fars"), entry(3, 40)]
    late = entry(9, 60, region=1, province="Qom", association_score=11.0)
    # 60 ties case 2, but a higher association score puts it first: 2nd nationally,
    # 2nd in region 1 (after case 1), 1st in Qom
    assert position_among(late, published, DEFAULT) == Position(2, 2, 1)
    assert rank(published, DEFAULT)[2] == Position(2, 1, 1)  # unchanged: 2nd twice


def test_position_among_ignores_the_same_case() -> None:
    published = [entry(1, 80), entry(2, 60)]
    assert position_among(entry(2, 90), published, DEFAULT) == Position(1, 1, 1)


def test_empty_ranking() -> None:
    assert rank([], DEFAULT) == {}
    assert position_among(entry(1, 10), [], DEFAULT) == Position(1, 1, 1)


PROVINCES = {"Tehran": 1, "Alborz": 1, "Fars": 7, "Qom": 1, "Gilan": 2}

entries_strategy = st.lists(
    st.builds(
        lambda total, province, association, violations, seconds, office: (
            total,
            province,
            association,
            violations,
            seconds,
            office,
        ),
        st.sampled_from([40.0, 55.5, 55.5, 70.25]),
        st.sampled_from(sorted(PROVINCES)),
        st.none() | st.sampled_from([10.0, 12.5]),
        st.integers(0, 2),
        st.none() | st.integers(0, 3),
        st.sampled_from(["P1", "P2", "P3"]),
    ),
    max_size=40,
).map(
    lambda rows: [
        RankEntry(
            case_id=case_id,
            total=total,
            region=PROVINCES[province],
            province=province,
            association_score=association,
            violations_count=violations,
            declared_at=None if seconds is None else T0 + timedelta(seconds=seconds),
            office_code=office,
        )
        for case_id, (total, province, association, violations, seconds, office) in enumerate(
            rows, start=1
        )
    ]
)
tie_breakers_strategy = st.permutations(TIE_BREAKERS).flatmap(
    lambda order: st.integers(0, len(order)).map(lambda keep: order[:keep])
)


@given(entries_strategy, tie_breakers_strategy, st.randoms(use_true_random=False))
def test_ranking_does_not_depend_on_input_order(
    entries: list[RankEntry], tie_breakers: list[str], shuffler: random.Random
) -> None:
    shuffled = entries[:]
    shuffler.shuffle(shuffled)
    assert rank(shuffled, tie_breakers) == rank(entries, tie_breakers)


@given(entries_strategy, tie_breakers_strategy)
def test_positions_are_permutations_consistent_across_levels(
    entries: list[RankEntry], tie_breakers: list[str]
) -> None:
    positions = rank(entries, tie_breakers)
    assert sorted(p.national for p in positions.values()) == list(range(1, len(entries) + 1))
    for level, group_of in (("regional", "region"), ("provincial", "province")):
        groups: dict[object, list[int]] = {}
        for item in sorted(entries, key=lambda e: positions[e.case_id].national):
            groups.setdefault(getattr(item, group_of), []).append(item.case_id)
        for members in groups.values():
            places = [getattr(positions[case_id], level) for case_id in members]
            assert places == list(range(1, len(members) + 1))
    totals = [item.total for item in sorted(entries, key=lambda e: positions[e.case_id].national)]
    assert totals == sorted(totals, reverse=True)


@given(entries_strategy, tie_breakers_strategy, st.data())
def test_position_among_is_the_place_it_would_have_taken(
    entries: list[RankEntry], tie_breakers: list[str], data: st.DataObject
) -> None:
    if not entries:
        return
    late = entries[data.draw(st.integers(0, len(entries) - 1))]
    published = [item for item in entries if item is not late]
    assert (
        position_among(late, published, tie_breakers) == rank(entries, tie_breakers)[late.case_id]
    )


def test_many_late_entries_are_placed_as_if_one_by_one() -> None:
    import random

    rng = random.Random(7)
    published = [
        RankEntry(
            case_id=i,
            total=float(rng.randrange(0, 20)),
            region=i % 3 + 1,
            province=f"p{i % 5}",
            association_score=None,
            violations_count=0,
            declared_at=None,
            office_code=f"P{i:04d}",
        )
        for i in range(200)
    ]
    late = published[:20]
    together = positions_among(late, published[20:], ["association_score"])
    for entry in late:
        others = published[20:]
        national = 1 + sum(
            sort_keys([o], ["association_score"])[0] < sort_keys([entry], ["association_score"])[0]
            for o in others
        )
        assert together[entry.case_id].national == national
        assert together[entry.case_id] == position_among(entry, others, ["association_score"])


def test_a_moved_entry_takes_its_place_within_the_standing_and_nobody_moves() -> None:
    standing = [entry(i, total, region=1 + i % 2) for i, total in enumerate([90, 80, 70, 60], 1)]
    raised = entry(4, 85, region=1)  # 60 -> 85 after an appeal: passes 80 and 70
    now = [e for e in standing if e.case_id != 4] + [raised]
    # 2nd nationally (after 90) and in the province; 1st of region 1 (ahead of 80);
    # only the moved case is placed: the others keep theirs
    assert place_within([raised], now, TIE_BREAKERS) == {4: Position(2, 1, 2)}
