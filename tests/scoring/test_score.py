"""score_case: the default rubric's arithmetic on hand-worked examples, and the edges."""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from mohlat.errors import InvalidInput
from mohlat.scoring import Rubric, Score, ScoreLine, default_rubric, score_case

FULL = {
    "office_space": 45,
    "staff_count": 3,
    "location": "city",
    "holder_years": 14,
    "opening_hours": 44,
    "services_offered": 23,
}


def points(score: Score) -> dict[str, float]:
    return {line.code: line.points for line in score.lines}


def test_two_violations_and_a_capped_criterion(rubric: Rubric) -> None:
    # office_space 45 m²     band 40–59            8
    # staff_count 3          band 2–3              5
    # location city                                8
    # holder_years 14        14 × 1 = 14, cap 10  10
    # opening_hours 44       44 × 0.2            8.8
    # services_offered 23    23 × 0.1            2.3   criteria: 42.1
    # association 15.5       15.5 × 2             31
    # overcharging 2         2 × -5              -10
    # no_accessibility 1     1 × -10             -10
    # total 42.1 + 31 - 20 = 53.1: grade C (40 ≤ 53.1 < 60)
    score = score_case(
        rubric,
        FULL,
        association_score=15.5,
        violations={"overcharging": 2, "no_accessibility": 1, "forgery": 0},
    )
    assert points(score) == {
        "office_space": 8,
        "staff_count": 5,
        "location": 8,
        "holder_years": 10,
        "opening_hours": 8.8,
        "services_offered": 2.3,
        "association": 31,
        "overcharging": -10,
        "no_accessibility": -10,
    }
    assert (score.total, score.grade) == (53.1, "C")
    notes = {line.code: line.note for line in score.lines}
    assert notes["holder_years"] == "capped at 10"
    assert notes["overcharging"] == "2 × -5"


def test_missing_association_score_and_optional_input(rubric: Rubric) -> None:
    # office_space 120 → 15, staff 7 → 10, city_centre → 10, holder_years 3 → 3,
    # opening_hours 48 × 0.2 → 9.6, services_offered missing → 0,
    # association missing → 0 (the rubric's missing_points); 47.6: grade C
    declaration = {**FULL, "office_space": 120, "staff_count": 7, "location": "city_centre"}
    declaration |= {"holder_years": 3, "opening_hours": 48}
    del declaration["services_offered"]
    score = score_case(rubric, declaration, association_score=None, violations={})
    missing = {line.code: line for line in score.lines if line.value is None}
    assert set(missing) == {"services_offered", "association"}
    assert {line.note for line in missing.values()} == {"missing: counts 0"}
    assert (score.total, score.grade) == (47.6, "C")


def test_total_floored_with_a_line_that_says_so(rubric: Rubric) -> None:
    # criteria 42.1 (as above) - 3 forgeries × 20 = -17.9: floored at 0, grade D
    score = score_case(rubric, FULL, association_score=None, violations={"forgery": 3})
    assert score.lines[-1] == ScoreLine("total_floor", "Total floor", -17.9, 17.9, "floored at 0")
    assert (score.total, score.grade) == (0, "D")


@pytest.mark.parametrize(
    ("association", "total", "grade"),
    [(10, 80, "A"), (9.995, 79.99, "B")],
    ids=["exactly-80-is-A", "79.99-is-B"],
)
def test_grade_boundary(rubric: Rubric, association: float, total: float, grade: str) -> None:
    # the best criteria: 15 + 10 + 10 + 10 + 10 + 5 = 60; association × 2
    best = {
        "office_space": 100,
        "staff_count": 7,
        "location": "city_centre",
        "holder_years": 10,
        "opening_hours": 50,
        "services_offered": 50,
    }
    score = score_case(rubric, best, association_score=association, violations={})
    assert (score.total, score.grade) == (total, grade)


def test_no_float_drift(rubric: Rubric) -> None:
    # rural 6 + 1 hour × 0.2 + 1 service × 0.1 = 6.3 exactly, not 6.300000000000001
    declaration = {"office_space": 0, "staff_count": 0, "location": "rural", "holder_years": 0}
    declaration |= {"opening_hours": 1, "services_offered": 1}
    score = score_case(rubric, declaration, association_score=None, violations={})
    assert score.total == 6.3


def test_small_rubric_cap_rounding_and_boundaries(small: Rubric) -> None:
    # area 10.5 sits on the shared boundary: the higher band, 2.5
    # ramp yes 3; rate 200 × 0.125 = 25, capped at 12; association 10 × 0.5 = 5
    # 22.5 > cap 20: a total_cap line of -2.5; grade good
    score = score_case(
        small, {"area": 10.5, "ramp": True, "rate": 200}, association_score=10, violations={}
    )
    assert points(score) == {
        "area": 2.5,
        "ramp": 3,
        "rate": 12,
        "association": 5,
        "total_cap": -2.5,
    }
    assert (score.total, score.grade) == (20, "good")


def test_small_rubric_missing_points_and_half_up(small: Rubric) -> None:
    # area 10.49 → 1; ramp missing → -1; rate 1 × 0.125 = 0.125 → 0.13 (half up);
    # association missing → 1; late 1 × -2.5; total -1.37, above the floor -5
    score = score_case(
        small, {"area": 10.49, "rate": 1}, association_score=None, violations={"late": 1}
    )
    notes = {line.code: (line.points, line.note) for line in score.lines}
    assert notes["ramp"] == (-1, "missing: counts -1")
    assert notes["rate"] == (0.13, "1 × 0.125")
    assert notes["association"] == (1, "missing: counts 1")
    assert (score.total, score.grade) == (-1.37, "poor")


def test_grade_threshold_is_decimal_exact(small: Rubric) -> None:
    # 10.1 as a float is a hair below 10.1; grade_for still says it reaches 10.1
    assert small.grade_for(10.1) == "good"
    assert small.grade_for(10.09) == "poor"


def test_raw_strings_score_like_normalized_values(rubric: Rubric) -> None:
    raw = {key: str(value) for key, value in FULL.items()} | {"office_space": "۴۵"}
    counts: dict[str, Any] = {"forgery": "۱"}  # as the CLI passes them
    as_strings = score_case(rubric, raw, association_score=15.5, violations=counts)
    normalized = score_case(rubric, FULL, association_score=15.5, violations={"forgery": 1})
    assert as_strings == normalized


@pytest.mark.parametrize(
    ("declaration", "violations", "match"),
    [
        ({"office_area": 40}, {}, r"office_area: 40 is not valid; not a criterion"),
        ({"staff_count": -1}, {}, r"staff_count: -1 .* an integer from 0 to 500 \(people\)"),
        ({"location": "downtown"}, {}, r"one of: city_centre, city, suburb, rural"),
        ({}, {"bribery": 1}, r"bribery: 1 is not valid; a violation of this rubric"),
        ({}, {"no_accessibility": 2}, r"occurrences from 0 to 1"),
    ],
    ids=["unknown-field", "out-of-range", "unknown-choice", "unknown-violation", "max-count"],
)
def test_score_case_refuses_bad_values(
    rubric: Rubric, declaration: dict[str, object], violations: dict[str, int], match: str
) -> None:
    with pytest.raises(InvalidInput, match=match):
        score_case(rubric, declaration, association_score=None, violations=violations)


def test_json_round_trip(rubric: Rubric) -> None:
    score = score_case(rubric, FULL, association_score=None, violations={"forgery": 3})
    data = json.loads(json.dumps(score.to_json()))
    assert Score.from_json(data) == score


def test_from_json_refuses_other_data() -> None:
    with pytest.raises(InvalidInput) as refused:
        Score.from_json({"total": 1})
    refused.match("a score as Score.to_json writes it")


@st.composite
def cases(draw: st.DrawFn) -> tuple[dict[str, object], float | None, dict[str, int]]:
    rubric = default_rubric()
    declaration: dict[str, object] = {}
    for field in rubric.fields():
        if field.required or draw(st.booleans()):
            if field.choices:
                declaration[field.code] = draw(st.sampled_from(field.choices))
            else:
                assert isinstance(field.minimum, int) and isinstance(field.maximum, int)
                declaration[field.code] = draw(st.integers(field.minimum, field.maximum))
    association = draw(st.none() | st.integers(0, 2000).map(lambda cents: cents / 100))
    violations = {v.code: draw(st.integers(0, v.max_count or 5)) for v in rubric.violations}
    return declaration, association, violations


@given(cases())
def test_lines_add_up_to_the_total(
    case: tuple[dict[str, object], float | None, dict[str, int]],
) -> None:
    rubric = default_rubric()
    declaration, association, violations = case
    score = score_case(rubric, declaration, association_score=association, violations=violations)
    assert sum(Decimal(str(line.points)) for line in score.lines) == Decimal(str(score.total))
    assert 0 <= score.total <= 100
    assert score.grade == rubric.grade_for(score.total)


def test_equal_values_of_other_types_score_alike(small: Rubric) -> None:
    # the lines a criterion remembers are kept apart by type: 1 is not taken for True
    as_bool = score_case(
        small, {"area": 10.0, "ramp": True, "rate": 1}, association_score=None, violations={}
    )
    as_int = score_case(
        small, {"area": 10, "ramp": 1, "rate": 1.0}, association_score=None, violations={}
    )
    assert as_int == as_bool
    assert [line.value for line in as_int.lines[:3]] == [10.0, True, 1]


def test_missing_required_input_counts_as_the_rubric_says(small: Rubric) -> None:
    # score_case ranks what it has (a review that ran out of time): area counts 0
    score = score_case(small, {"rate": 8}, association_score=2, violations={})
    assert score.lines[0] == ScoreLine("area", "Area", None, 0, "missing: counts 0")
    assert score.total == -1 + 1 + 1  # ramp missing -1, rate 8 × 0.125, association 2 × 0.5


def test_a_total_exactly_at_the_cap_or_floor_is_not_adjusted(small: Rubric) -> None:
    # area 2.5 + ramp 3 + rate 96 × 0.125 = 12 (exactly its own cap) + association 2.5
    at_cap = score_case(
        small, {"area": 10.5, "ramp": True, "rate": 96}, association_score=5, violations={}
    )
    assert (at_cap.total, [line.code for line in at_cap.lines][-1]) == (20, "association")
    assert {line.code: line.note for line in at_cap.lines}["rate"] == "96 × 0.125"
    # area 1 - ramp missing 1 + rate 20 × 0.125 = 2.5 + association 0 - 3 × late 2.5
    at_floor = score_case(
        small, {"area": 1, "rate": 20}, association_score=0, violations={"late": 3}
    )
    assert (at_floor.total, [line.code for line in at_floor.lines][-1]) == (-5, "late")


def test_a_hundredth_over_the_cap_or_under_the_floor_says_where_it_stopped(small: Rubric) -> None:
    over = score_case(
        small, {"area": 10.5, "ramp": True, "rate": 96}, association_score=5.02, violations={}
    )
    assert over.lines[-1] == ScoreLine("total_cap", "Total cap", 20.01, -0.01, "capped at 20")
    assert over.total == 20
    # 1 - 1 + 2.38 (19 × 0.125, half up) - 7.5 = -5.12
    under = score_case(small, {"area": 1, "rate": 19}, association_score=0, violations={"late": 3})
    assert under.lines[-1] == ScoreLine("total_floor", "Total floor", -5.12, 0.12, "floored at -5")
    assert under.total == -5


@pytest.mark.parametrize(
    ("rate", "points", "note"),
    [(96, 12, "96 × 0.125"), (97, 12, "capped at 12"), (95, 11.88, "95 × 0.125")],
)
def test_a_criterion_is_capped_only_above_its_cap(
    small: Rubric, rate: int, points: float, note: str
) -> None:
    score = score_case(small, {"area": 1, "rate": rate}, association_score=0, violations={})
    line = {line.code: line for line in score.lines}["rate"]
    assert (line.points, line.note) == (points, note)
