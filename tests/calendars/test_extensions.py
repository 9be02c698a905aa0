"""The counting rules of an extension, one named test each (mohlat.calendars.extensions)."""

from __future__ import annotations

import pytest
from support import tehran

from mohlat.calendars import (
    Closure,
    Extension,
    PeriodPolicy,
    WorkCalendar,
    jalali_date,
    read_extensions,
    replay_extensions,
)
from mohlat.calendars.extensions import extend
from mohlat.errors import InvalidInput

CALENDAR = WorkCalendar.official(range(1399, 1402))
FIVE_DAYS = PeriodPolicy(days=5)
WEDNESDAY_15_ORD = tehran(1400, 2, 15, 23, 59, 59, 999999)


def end_of(y: int, m: int, d: int):  # type: ignore[no-untyped-def]
    return tehran(y, m, d, 23, 59, 59, 999999)


def test_days_are_counted_from_the_day_after_the_current_last_day() -> None:
    assert extend(WEDNESDAY_15_ORD, Extension(days=1), FIVE_DAYS, CALENDAR) == end_of(1400, 2, 16)


def test_an_extension_by_days_whose_last_day_is_a_friday_ends_on_saturday() -> None:
    """15 Ordibehesht 1400 + 2 days is Friday the 17th: it rolls to Saturday the 18th."""
    assert extend(WEDNESDAY_15_ORD, Extension(days=2), FIVE_DAYS, CALENDAR) == end_of(1400, 2, 18)


def test_an_extension_by_days_does_not_roll_when_the_policy_does_not() -> None:
    exact = PeriodPolicy(days=5, roll_forward=False)
    assert extend(WEDNESDAY_15_ORD, Extension(days=2), exact, CALENDAR) == end_of(1400, 2, 17)


def test_an_extension_by_working_days_counts_only_working_days() -> None:
    working = PeriodPolicy(days=5, working_days=True)
    # Thursday 16th, (Friday 17th skipped), Saturday 18th
    assert extend(WEDNESDAY_15_ORD, Extension(days=2), working, CALENDAR) == end_of(1400, 2, 18)


def test_an_extension_to_a_date_ends_at_the_end_of_that_day_in_tehran() -> None:
    to_20th = Extension(to=jalali_date(1400, 2, 20))
    assert extend(WEDNESDAY_15_ORD, to_20th, FIVE_DAYS, CALENDAR) == end_of(1400, 2, 20)


def test_an_extension_to_a_day_that_became_a_closure_rolls_to_the_next_working_day() -> None:
    closed = WorkCalendar.official(
        range(1399, 1402),
        closures=(Closure(jalali_date(1400, 2, 20), jalali_date(1400, 2, 20), "pollution"),),
    )
    to_20th = Extension(to=jalali_date(1400, 2, 20))
    assert extend(WEDNESDAY_15_ORD, to_20th, FIVE_DAYS, closed) == end_of(1400, 2, 21)


def test_an_extension_never_brings_a_deadline_earlier() -> None:
    to_14th = Extension(to=jalali_date(1400, 2, 14))
    assert extend(WEDNESDAY_15_ORD, to_14th, FIVE_DAYS, CALENDAR) == WEDNESDAY_15_ORD


def test_extensions_are_replayed_in_order() -> None:
    granted = [Extension(to=jalali_date(1400, 2, 16)), Extension(days=1)]
    # to Thursday the 16th, then one more day: Friday the 17th rolls to Saturday
    assert replay_extensions(WEDNESDAY_15_ORD, granted, FIVE_DAYS, CALENDAR) == end_of(1400, 2, 18)


def test_an_extension_reads_back_as_it_was_stored() -> None:
    granted = Extension(
        to=jalali_date(1400, 2, 20),
        reason="post strike",
        by="admin",
        granted_at=tehran(1400, 2, 10, 9),
        since=WEDNESDAY_15_ORD,
        window="review",
        region=3,
    )
    assert read_extensions([granted.to_json()]) == [granted]
    assert read_extensions(None) == []
    assert granted.label == "to 1400/02/20"
    assert Extension(days=1).label == "1 more day"


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({}, "either --to DATE or --days N"),
        ({"days": 2, "to": jalali_date(1400, 2, 20)}, "either --to DATE or --days N"),
        ({"days": 0}, "from 1 to 365"),
        ({"days": 366}, "from 1 to 365"),
    ],
    ids=["neither", "both", "zero-days", "too-many-days"],
)
def test_an_extension_is_either_days_or_a_date(kwargs: dict[str, object], message: str) -> None:
    with pytest.raises(InvalidInput, match=message):
        Extension(**kwargs)  # type: ignore[arg-type]
