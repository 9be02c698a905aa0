"""Loading rubrics: the default one, round trips, and files refused at the line at fault."""

from __future__ import annotations

import hashlib
from decimal import Decimal
from pathlib import Path

import pytest

from mohlat.errors import InvalidRubric
from mohlat.scoring import Rubric, default_rubric, load_rubric, load_rubric_file


def test_default_rubric_has_what_the_article_names(rubric: Rubric) -> None:
    criteria = [criterion.code for criterion in rubric.criteria]
    assert criteria[:4] == ["office_space", "staff_count", "location", "holder_years"]
    assert [v.code for v in rubric.violations] == [
        "overcharging",
        "forgery",
        "unapproved_move",
        "no_accessibility",
    ]
    assert (rubric.association.minimum, rubric.association.maximum) == (0, 20)
    assert [grade.name for grade in rubric.grades] == ["A", "B", "C", "D"]


def test_every_figure_of_the_default_rubric_is_marked_as_ours(rubric: Rubric) -> None:
    # the article gives no point values at all
    assert all(criterion.assumption for criterion in rubric.criteria)
    assert all(violation.assumption for violation in rubric.violations)
    assert rubric.association.assumption
    marked = {what for what, _ in rubric.assumptions}
    assert {"association", "total", "ranking", "grade A"} <= marked


def test_default_rubric_round_trips_through_its_text(rubric: Rubric) -> None:
    again = load_rubric(rubric.to_text())
    assert again == rubric
    assert again.sha256 == rubric.sha256 == hashlib.sha256(rubric.text.encode()).hexdigest()
    assert default_rubric() is rubric  # cached


def test_default_rubric_text_is_the_shipped_file(rubric: Rubric) -> None:
    shipped = Path(__file__).parents[2] / "mohlat" / "scoring" / "default_rubric.toml"
    assert rubric.sha256 == hashlib.sha256(shipped.read_bytes()).hexdigest()
    assert load_rubric_file(shipped) == rubric


def test_a_changed_rubric_is_a_different_rubric(rubric: Rubric) -> None:
    changed = load_rubric(rubric.text.replace("points = -20", "points = -25"))
    assert changed != rubric
    assert changed.sha256 != rubric.sha256


def test_fields_describe_the_declaration(rubric: Rubric) -> None:
    fields = {field.code: field for field in rubric.fields()}
    assert fields["office_space"].allowed == "an integer from 0 to 10000 (m²)"
    assert fields["location"].choices == ("city_centre", "city", "suburb", "rural")
    assert fields["location"].label_fa == "مکان استقرار دفتر"
    assert not fields["opening_hours"].required


def test_small_rubric_reads_every_rule(small: Rubric) -> None:
    assert small.criterion("area").minimum == 0
    assert small.criterion("area").maximum == 20
    assert small.criterion("rate").allowed == "an integer of at least 0"
    assert small.tie_breakers == (
        "association_score",
        "violations_count",
        "declared_at",
        "office_code",
    )
    assert (small.total_cap, small.total_floor) == (Decimal(20), Decimal(-5))


# Each case: the rubric to break, what to replace in its text, by what; the message
# expected; a piece of the line the error must name.
BROKEN = [
    (
        "syntax",
        "small",
        "min = 10.5, max = 20",
        "min = 10.5 max = 20",
        r"TOML syntax",
        "min = 10.5 max",
    ),
    (
        "unknown-input-type",
        "small",
        'input = "bool"',
        'input = "yesno"',
        r"ramp'\.input: 'yesno' .*one of: int, number, choice, bool",
        'input = "yesno"',
    ),
    (
        "overlapping-bands",
        "small",
        "{ min = 10.5, max = 20",
        "{ min = 9, max = 20",
        r"area'\.bands\[2\]\.min: 9 .*must not overlap",
        "min = 9",
    ),
    (
        "empty-number-band",
        "small",
        "{ min = 0, max = 10.5",
        "{ min = 0, max = 0",
        r"area'\.bands\[1\]\.max: 0 .*more than min \(0\)",
        "max = 0,",
    ),
    (
        "band-gap",
        "default",
        "{ min = 4, max = 6",
        "{ min = 5, max = 6",
        r"staff_count'\.bands\[4\]\.min: 5 .*must not leave a gap",
        "min = 5",
    ),
    (
        "unsorted-bands",
        "default",
        "{ min = 20, max = 39, points = 4 },\n    { min = 40, max = 59, points = 8 },",
        "{ min = 40, max = 59, points = 8 },\n    { min = 20, max = 39, points = 4 },",
        r"bands\[2\]\.min: 40 .*must not leave a gap",
        "min = 40, max = 59",
    ),
    (
        "grades-not-descending",
        "default",
        "min_total = 40",
        "min_total = 70",
        r"grade 'C'\.min_total: 70 .*less than 60",
        "min_total = 70",
    ),
    (
        "last-grade-with-min",
        "small",
        'name = "poor"',
        'name = "poor"\nmin_total = 0',
        r"grade 'poor'\.min_total: 0 .*the last grade takes every total",
        "min_total = 0",
    ),
    (
        "unknown-tie-breaker",
        "default",
        '"declared_at", "office_code"]',
        '"declared", "office_code"]',
        r"ranking\.tie_breakers\[3\]: 'declared' .*one of: total,",
        "tie_breakers",
    ),
    (
        "duplicate-code",
        "default",
        'code = "forgery"',
        'code = "overcharging"',
        r"violation\[2\]\.code: 'overcharging' .*already used",
        'code = "overcharging"',
    ),
    (
        "reserved-code",
        "small",
        'code = "rate"',
        'code = "association"',
        r"criterion\[3\]\.code: 'association' .*reserved",
        'code = "association"',
    ),
    (
        "positive-violation-points",
        "small",
        "points = -2.5",
        "points = 2.5",
        r"violation 'late'\.points: 2\.5 .*a negative number",
        "points = 2.5",
    ),
    (
        "unknown-key",
        "small",
        "points_per_unit = 0.125",
        "points_per_units = 0.125",
        r"criterion 'rate'\.points_per_units: 0\.125 .*no such key",
        "points_per_units",
    ),
    (
        "rule-for-another-input",
        "small",
        "points_if_true = 3",
        "choices = { yes = 3 }",
        r"ramp'\.choices: 'bool' .*choices for input choice",
        "choices = { yes",
    ),
    (
        "two-rules",
        "small",
        "cap = 12",
        "cap = 12\nbands = [{ min = 0, points = 1 }]",
        r"rate'\.points_per_unit: \['bands', 'points_per_unit'\] .*exactly one",
        "points_per_unit",
    ),
    (
        "no-rule",
        "small",
        "points_if_true = 3\n",
        "",
        r"ramp': missing; exactly one of",
        "[[criterion]]",
    ),
    (
        "bad-choice-name",
        "default",
        "suburb = 6",
        "Suburb = 6",
        r"location'\.choices\.Suburb: 'Suburb' .*lowercase",
        "Suburb = 6",
    ),
    (
        "version-not-a-string",
        "small",
        'version = "1"',
        "version = 1",
        r"rubric\.version: 1 .*a non-empty string",
        "version = 1",
    ),
    (
        "missing-name",
        "small",
        'name = "small"\n',
        "",
        r"rubric\.name: missing; a non-empty string",
        "[rubric]",
    ),
    (
        "association-range",
        "small",
        "max = 10\n",
        "max = 0\n",
        r"association\.max: 0 .*more than min",
        "max = 0",
    ),
    (
        "int-bound-not-integer",
        "default",
        "max = 500",
        "max = 500.5",
        r"staff_count'\.max: 500\.5 .*an integer",
        "max = 500.5",
    ),
]


@pytest.mark.parametrize(
    ("base", "old", "new", "match", "at"),
    [case[1:] for case in BROKEN],
    ids=[case[0] for case in BROKEN],
)
def test_broken_rubric_is_refused_at_its_line(
    rubric: Rubric, small: Rubric, base: str, old: str, new: str, match: str, at: str
) -> None:
    text = {"default": rubric, "small": small}[base].text
    assert old in text
    broken = text.replace(old, new, 1)
    with pytest.raises(InvalidRubric, match=match) as refused:
        load_rubric(broken, source="broken.toml")
    line = refused.value.line
    assert line is not None
    assert at in broken.splitlines()[line - 1]
    assert str(refused.value).startswith(f"line {line}: broken.toml: ")


def test_syntax_error_at_end_of_document_names_the_last_line(small: Rubric) -> None:
    with pytest.raises(InvalidRubric) as refused:
        load_rubric(small.text + "[unclosed\n")
    assert refused.value.line == len(small.text.splitlines()) + 1


def test_missing_file_is_an_invalid_rubric(tmp_path: Path) -> None:
    with pytest.raises(InvalidRubric, match="a readable rubric file"):
        load_rubric_file(tmp_path / "nope.toml")


def test_non_utf8_file_is_an_invalid_rubric(tmp_path: Path, small: Rubric) -> None:
    path = tmp_path / "latin.toml"
    path.write_bytes(small.text.encode() + b"# caf\xe9\n")
    with pytest.raises(InvalidRubric, match="UTF-8 text"):
        load_rubric_file(path)


def test_file_and_text_give_equal_rubrics(tmp_path: Path, small: Rubric) -> None:
    path = tmp_path / "small.toml"
    path.write_text(small.text, encoding="utf-8")
    loaded = load_rubric_file(path)
    assert loaded == small
    assert loaded.source == str(path)


@pytest.mark.parametrize(
    ("text", "match"),
    [
        ("x = " + "[" * 1000 + "]" * 1000, r"TOML: .*nested too deeply"),
        ("x = " + "{a=" * 1000 + "1" + "}" * 1000, r"TOML: .*nested too deeply"),
        ("[" + "a." * 1000 + "a]", r"a\.a\.a\.a\.a\.a\.a\.a: '\(nested deeper\)'"),
        ("x = " + "1" * 5000, r"TOML: .*a number too long"),
        ("x = 0x" + "f" * 5000, r"x: '\(an integer of 16 digits or more\)' .*below 10\^15"),
        ("x = " + "9" * 400, r"x: '\(an integer of 16 digits or more\)' .*below 10\^15"),
    ],
    ids=["nested-arrays", "nested-tables", "dotted-keys", "5000-digits", "huge-hex", "400-digits"],
)
def test_a_rubric_nested_too_deeply_or_with_a_huge_number_is_refused(text: str, match: str) -> None:
    """Each raised RecursionError, ValueError or OverflowError (found by the API fuzz):
    tomllib recursing, or printing the value refused, or reading it as a float."""
    with pytest.raises(InvalidRubric, match=match):
        load_rubric(text, source="r.toml")


@pytest.mark.parametrize("literal", ["1e300", "-1e300", "1e15"])
def test_points_too_large_to_round_are_refused_at_their_line(rubric: Rubric, literal: str) -> None:
    """Points of 1e300 were accepted, and declaring then raised InvalidOperation (a
    Decimal of 28 digits cannot round 1e300 to hundredths)."""
    text = rubric.text.replace("{ min = 100, points = 15 }", f"{{ min = 100, points = {literal} }}")
    with pytest.raises(InvalidRubric, match=r"bands\[5\]\.points: .* a number below 10\^15") as e:
        load_rubric(text, source="r.toml")
    assert e.value.line is not None and literal in text.splitlines()[e.value.line - 1]


def test_the_largest_numbers_a_rubric_may_have_still_score() -> None:
    """Points per unit just below 10^15 times an input just below 10^18 round to
    hundredths (past 10^26 the default decimal context raised InvalidOperation)."""
    from mohlat.scoring import score_case

    text = SMALL_LINEAR.replace("PPU", "999999999999999")
    big = load_rubric(text, source="big.toml")
    score = score_case(big, {"count": "999999999999999999"}, association_score=None, violations={})
    assert score.total == pytest.approx(999999999999999 * 999999999999999999)


SMALL_LINEAR = """\
[rubric]
name = "linear"
version = "1"

[association]
min = 0
max = 1
weight = 1

[[criterion]]
code = "count"
label = "Count"
label_fa = "شمار"
input = "int"
points_per_unit = PPU

[[grade]]
name = "A"
"""
