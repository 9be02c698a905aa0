"""Checking what offices declare and what regions record: errors name the field and
what is allowed; strings with Persian or Arabic-Indic digits are read."""

from __future__ import annotations

import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from mohlat.errors import InvalidInput
from mohlat.scoring import Rubric, default_rubric

FULL = {"office_space": 45, "staff_count": 3, "location": "city", "holder_years": 14}
PERSIAN = str.maketrans("0123456789", "۰۱۲۳۴۵۶۷۸۹")
ARABIC_INDIC = str.maketrans("0123456789", "٠١٢٣٤٥٦٧٨٩")


def test_valid_declaration_is_normalized_in_rubric_order(rubric: Rubric) -> None:
    declared = {
        "location": " City ",
        "holder_years": " 14 ",
        "staff_count": "٣",
        "office_space": "۴۵",
        "opening_hours": 44.0,
    }
    assert rubric.validate_declaration(declared) == {
        "office_space": 45,
        "staff_count": 3,
        "location": "city",
        "holder_years": 14,
        "opening_hours": 44,
    }


@given(st.integers(0, 10000), st.sampled_from([PERSIAN, ARABIC_INDIC]))
def test_persian_and_arabic_indic_digits_are_read(number: int, digits: dict[int, str]) -> None:
    written = str(number).translate(digits)
    declared = default_rubric().validate_declaration({**FULL, "office_space": written})
    assert declared["office_space"] == number


@pytest.mark.parametrize(
    ("changes", "match"),
    [
        (
            {"office_area": 40},
            r"^office_area: 40 is not valid; not a criterion of rubric .*office_space, staff_count",
        ),
        (
            {"office_space": "big"},
            r"^office_space: 'big' is not valid; an integer from 0 to 10000 \(m²\)$",
        ),
        ({"office_space": True}, r"^office_space: True is not valid; an integer"),
        ({"office_space": [45]}, r"^office_space: \[45\] is not valid; an integer"),
        (
            {"holder_years": 2.5},
            r"^holder_years: 2\.5 is not valid; an integer from 0 to 60 \(years\)$",
        ),
        ({"holder_years": "۲٫۵"}, r"^holder_years: '۲٫۵' is not valid; an integer"),
        ({"holder_years": "1e3"}, r"^holder_years: '1e3' is not valid"),
        (
            {"staff_count": 501},
            r"^staff_count: 501 is not valid; an integer from 0 to 500 \(people\)$",
        ),
        ({"staff_count": "-1"}, r"^staff_count: '-1' is not valid; an integer from 0 to 500"),
        (
            {"location": "downtown"},
            r"^location: 'downtown' is not valid; one of: city_centre, city, suburb, rural$",
        ),
        ({"location": 3}, r"^location: 3 is not valid; one of: "),
        (
            {"office_space": None},
            r"^office_space: missing; required: an integer from 0 to 10000",
        ),
        ({"location": "  "}, r"^location: '  ' is not valid; required: one of: city_centre"),
    ],
    ids=[
        "unknown-field",
        "wrong-type-text",
        "bool-for-int",
        "list-for-int",
        "fraction-for-int",
        "persian-fraction-for-int",
        "exponent",
        "above-range",
        "below-range",
        "unknown-choice",
        "number-for-choice",
        "missing-required",
        "blank-required",
    ],
)
def test_invalid_declaration_names_field_and_what_is_allowed(
    rubric: Rubric, changes: dict[str, object], match: str
) -> None:
    with pytest.raises(InvalidInput) as refused:
        rubric.validate_declaration({**FULL, **changes})
    refused.match(match)
    assert refused.value.field in changes


def test_missing_required_field_is_refused(rubric: Rubric) -> None:
    declared = {key: value for key, value in FULL.items() if key != "staff_count"}
    with pytest.raises(InvalidInput, match=r"^staff_count: missing; required: an integer"):
        rubric.validate_declaration(declared)


def test_optional_field_may_be_left_out(rubric: Rubric) -> None:
    assert rubric.validate_declaration({**FULL, "services_offered": ""}) == FULL


def test_partial_declaration_for_region_edits(rubric: Rubric) -> None:
    assert rubric.validate_declaration({"staff_count": "۵"}, partial=True) == {"staff_count": 5}
    assert rubric.validate_declaration({"opening_hours": ""}, partial=True) == {
        "opening_hours": None
    }
    with pytest.raises(InvalidInput, match="staff_count"):
        rubric.validate_declaration({"staff_count": "many"}, partial=True)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (True, True),
        ("بله", True),
        ("yes", True),
        (1, True),
        ("خیر", False),
        ("False", False),
        (0, False),
    ],
    ids=["true", "persian-yes", "yes", "one", "persian-no", "False", "zero"],
)
def test_bool_inputs(small: Rubric, value: object, expected: bool) -> None:
    declared = small.validate_declaration({"area": "۱۲٫۵", "rate": 1, "ramp": value})
    assert declared == {"area": 12.5, "ramp": expected, "rate": 1}


@pytest.mark.parametrize("value", [2, "maybe", 0.5], ids=["two", "maybe", "half"])
def test_bool_refuses_other_values(small: Rubric, value: object) -> None:
    with pytest.raises(InvalidInput, match=r"^ramp: .* yes or no"):
        small.validate_declaration({"area": 1, "rate": 1, "ramp": value})


@pytest.mark.parametrize(
    ("value", "expected"),
    [(15.5, 15.5), ("۱۵٫۵", 15.5), ("١٥.٥", 15.5), (20, 20.0), (0, 0.0), ("", None), (None, None)],
    ids=["float", "persian", "arabic-indic", "top", "zero", "blank", "none"],
)
def test_association_score(rubric: Rubric, value: object, expected: float | None) -> None:
    assert rubric.validate_association_score(value) == expected


@pytest.mark.parametrize("value", [20.01, -1, "twenty", math.nan, math.inf, "nan", True], ids=str)
def test_association_score_refused(rubric: Rubric, value: object) -> None:
    with pytest.raises(InvalidInput, match=r"^association: .* a number from 0 to 20$"):
        rubric.validate_association_score(value)


def test_violations_are_normalized(rubric: Rubric) -> None:
    counts = {"no_accessibility": "۱", "overcharging": 2, "forgery": ""}
    assert rubric.validate_violations(counts) == {
        "overcharging": 2,
        "forgery": 0,
        "no_accessibility": 1,
    }


@pytest.mark.parametrize(
    ("counts", "match"),
    [
        (
            {"bribery": 1},
            r"^bribery: 1 is not valid; a violation of this rubric: overcharging, forgery",
        ),
        (
            {"forgery": -1},
            r"^forgery: -1 is not valid; a whole number of occurrences from 0 to 1000$",
        ),
        ({"forgery": 1.5}, r"^forgery: 1\.5 is not valid"),
        ({"no_accessibility": 2}, r"^no_accessibility: 2 .*occurrences from 0 to 1$"),
        ({"forgery": "9" * 25}, r"^forgery: '9{25}' is not valid; .* from 0 to 1000$"),
    ],
    ids=["unknown", "negative", "fraction", "above-max-count", "past-64-bits"],
)
def test_violations_refused(rubric: Rubric, counts: dict[str, object], match: str) -> None:
    with pytest.raises(InvalidInput, match=match):
        rubric.validate_violations(counts)


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"office_space": "9" * 5000}, "office_space"),
        ({"office_space": "۹" * 5000}, "office_space"),
        ({"office_space": 10**400}, "office_space"),
        ({"": 1}, "declaration"),
        ({" ": 1}, "declaration"),
    ],
    ids=["5000-digits", "5000-persian-digits", "beyond-a-float", "no-name", "blank-name"],
)
def test_odd_declarations_found_by_the_api_fuzz_are_refused(
    rubric: Rubric, changes: dict[str, object], field: str
) -> None:
    """Python reads no integer of over 4300 digits (ValueError); a blank field name made
    a refusal that named no field."""
    with pytest.raises(InvalidInput) as refused:
        rubric.validate_declaration({**FULL, **changes})
    assert refused.value.field == field


@pytest.mark.parametrize("value", [10**400, -(10**400), "9" * 5000, 10**18], ids=str)
def test_an_association_score_beyond_any_float_is_refused(rubric: Rubric, value: object) -> None:
    """float(10**400) raised OverflowError."""
    with pytest.raises(InvalidInput, match=r"^association: "):
        rubric.validate_association_score(value)


@pytest.mark.parametrize(
    ("counts", "field"),
    [({"forgery": "9" * 5000}, "forgery"), ({"": 1}, "violations")],
    ids=["5000-digits", "no-name"],
)
def test_odd_violation_counts_are_refused(
    rubric: Rubric, counts: dict[str, object], field: str
) -> None:
    with pytest.raises(InvalidInput) as refused:
        rubric.validate_violations(counts)
    assert refused.value.field == field
