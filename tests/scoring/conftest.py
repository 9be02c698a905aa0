"""Fixtures of the scoring tests: the default rubric and a small one made to test edges."""

from __future__ import annotations

import pytest

from mohlat.scoring import Rubric, default_rubric, load_rubric

# A small rubric exercising what the default one does not: a number input with
# touching bands, a bool input with missing_points, a linear rule rounding halves and
# capped, a violation with max_count, a total cap and floor, a non-zero missing
# association score.
SMALL = """\
[rubric]
name = "small"
version = "1"

[association]
min = 0
max = 10
weight = 0.5
missing_points = 1

[total]
cap = 20
floor = -5

[[criterion]]
code = "area"
label = "Area"
label_fa = "مساحت"
input = "number"
unit = "m²"
bands = [
    { min = 0, max = 10.5, points = 1 },
    { min = 10.5, max = 20, points = 2.5 },
]

[[criterion]]
code = "ramp"
label = "Ramp"
label_fa = "رمپ"
input = "bool"
required = false
points_if_true = 3
missing_points = -1

[[criterion]]
code = "rate"
label = "Rate"
label_fa = "نرخ"
input = "int"
points_per_unit = 0.125
cap = 12

[[violation]]
code = "late"
label = "Late"
label_fa = "تأخیر"
points = -2.5
max_count = 4

[[grade]]
name = "good"
min_total = 10.1

[[grade]]
name = "poor"
"""


@pytest.fixture
def rubric() -> Rubric:
    """The shipped default rubric."""
    return default_rubric()


@pytest.fixture
def small() -> Rubric:
    """The small edge-case rubric above."""
    return load_rubric(SMALL, source="small.toml")
