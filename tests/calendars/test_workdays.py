"""Weekend, official holidays, closures and the work calendar."""

from __future__ import annotations

import pickle
from datetime import date

import pytest

from mohlat.calendars import (
    FRIDAY,
    SATURDAY,
    Closure,
    WorkCalendar,
    from_gregorian,
    jalali_date,
    official_holidays,
)
from mohlat.errors import InvalidInput


@pytest.fixture(scope="module")
def calendar() -> WorkCalendar:
    return WorkCalendar.official(range(1399, 1407))


def test_weekday_constants_follow_python_numbering() -> None:
    assert date(2021, 4, 30).weekday() == FRIDAY
    assert date(2021, 5, 1).weekday() == SATURDAY


def test_official_holidays_of_1400() -> None:
    found = official_holidays([1400])
    assert found[date(2021, 3, 21)] == "جشن نوروز"
    assert found[date(2021, 4, 2)] == "روز طبیعت"  # 13 Farvardin 1400
    assert date(2021, 3, 20) not in found  # 30 Esfand 1399 belongs to 1399
    assert all(from_gregorian(d).year == 1400 for d in found)


def test_tasua_and_ashura_1403() -> None:
    found = official_holidays([1403])
    assert found[date(2024, 7, 15)] == "تاسوعای حسینی"  # 25 Tir 1403
    assert found[date(2024, 7, 16)] == "عاشورای حسینی"  # 26 Tir 1403


def test_lunar_holidays_after_2026_are_marked_estimated() -> None:
    assert any("(تخمینی)" in name for name in official_holidays([1410]).values())
    assert not any("(تخمینی)" in name for name in official_holidays([1403]).values())


def test_official_holidays_returns_a_copy() -> None:
    official_holidays([1400]).clear()
    assert official_holidays([1400])


def test_national_closure_covers_every_scope() -> None:
    closure = Closure(jalali_date(1403, 9, 1), jalali_date(1403, 9, 2), "air pollution")
    assert closure.national
    assert closure.covers(None, None)
    assert closure.covers(3, "Fars")


def test_limited_closure_covers_only_listed_scopes() -> None:
    by_province = Closure(
        jalali_date(1403, 9, 1),
        jalali_date(1403, 9, 1),
        "pollution",
        provinces=frozenset({"Tehran"}),
    )
    assert by_province.covers(1, "Tehran")
    assert not by_province.covers(1, "Alborz")
    assert not by_province.covers(None, None)
    by_region = Closure(
        jalali_date(1403, 9, 1), jalali_date(1403, 9, 1), "heat", regions=frozenset({7})
    )
    assert by_region.covers(7, "Khuzestan")
    assert not by_region.covers(1, "Tehran")
    assert not by_region.covers(None, "Khuzestan")
    both = Closure(
        jalali_date(1403, 9, 1),
        jalali_date(1403, 9, 1),
        "flood",
        regions=frozenset({7}),
        provinces=frozenset({"Khuzestan"}),
    )
    assert both.covers(7, "Khuzestan")
    assert not both.covers(7, "Bushehr")


def test_closure_days_include_both_ends() -> None:
    closure = Closure(jalali_date(1403, 12, 29), jalali_date(1404, 1, 2), "emergency")
    assert list(closure.days()) == [
        date(2025, 3, 19),
        date(2025, 3, 20),
        date(2025, 3, 21),
        date(2025, 3, 22),
    ]


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"last_day": jalali_date(1403, 8, 30)}, "must not be before the first day"),
        ({"reason": "  "}, "say why"),
        ({"regions": frozenset({10})}, r"regions are 1\.\.9"),
    ],
    ids=["reversed", "no-reason", "region-10"],
)
def test_closure_refuses_bad_values(kwargs: dict[str, object], match: str) -> None:
    values: dict[str, object] = {
        "first_day": jalali_date(1403, 9, 1),
        "last_day": jalali_date(1403, 9, 2),
        "reason": "pollution",
        **kwargs,
    }
    with pytest.raises(InvalidInput, match=match):
        Closure(**values)  # type: ignore[arg-type]


def test_non_working_reasons(calendar: WorkCalendar) -> None:
    assert calendar.non_working_reason(jalali_date(1400, 2, 10)) == "Friday"
    assert calendar.non_working_reason(jalali_date(1400, 1, 13)) == "روز طبیعت"
    assert calendar.non_working_reason(date(2021, 4, 26)) is None
    assert calendar.is_working_day(jalali_date(1400, 2, 15))
    assert not calendar.is_working_day(jalali_date(1400, 2, 14))


def test_closure_reason_wins(calendar: WorkCalendar) -> None:
    closed = calendar.with_closures(
        Closure(jalali_date(1400, 2, 10), jalali_date(1400, 2, 11), "sandstorm")
    )
    assert closed.non_working_reason(jalali_date(1400, 2, 10)) == "sandstorm"
    assert closed.non_working_reason(jalali_date(1400, 2, 11)) == "sandstorm"


def test_declared_working_day_overrides_an_estimated_holiday_but_not_a_closure(
    calendar: WorkCalendar,
) -> None:
    nature_day = date(2021, 4, 2)
    corrected = WorkCalendar(holidays=calendar.holidays, working_days=frozenset({nature_day}))
    assert corrected.is_working_day(nature_day)
    closed = corrected.with_closures(
        Closure(from_gregorian(nature_day), from_gregorian(nature_day), "heat")
    )
    assert closed.non_working_reason(nature_day) == "heat"


def test_the_official_calendar_takes_working_day_corrections_of_estimated_holidays() -> None:
    eid_al_adha = jalali_date(1406, 2, 27)  # a Monday, as the holidays package estimates it
    plain = WorkCalendar.official([1406])
    assert "(تخمینی)" in (plain.non_working_reason(eid_al_adha) or "")
    assert plain.next_working_day(jalali_date(1406, 2, 26)) == date(2027, 5, 18)

    corrected = WorkCalendar.official([1406], working_days=frozenset({date(2027, 5, 17)}))

    assert corrected.is_working_day(eid_al_adha)
    assert corrected.next_working_day(jalali_date(1406, 2, 26)) == date(2027, 5, 17)
    # the other estimated holidays stay holidays
    assert not corrected.is_working_day(jalali_date(1406, 3, 4))


def test_next_working_day_is_strictly_after(calendar: WorkCalendar) -> None:
    assert calendar.next_working_day(jalali_date(1400, 2, 8)) == date(2021, 4, 29)
    assert calendar.next_working_day(jalali_date(1400, 2, 9)) == date(2021, 5, 1)  # over Friday


def test_province_closure_changes_only_that_provinces_calendar(calendar: WorkCalendar) -> None:
    day = jalali_date(1400, 2, 15)
    tehran = Closure(day, day, "air pollution", provinces=frozenset({"Tehran"}))
    with_closure = calendar.with_closures(tehran)
    assert not with_closure.for_scope(1, "Tehran").is_working_day(day)
    assert with_closure.for_scope(6, "Fars").is_working_day(day)
    assert with_closure.for_scope(None, None).is_working_day(day)
    assert with_closure.for_scope(6, "Fars") == calendar


def test_calendar_is_hashable_and_compares_by_value(calendar: WorkCalendar) -> None:
    again = WorkCalendar.official(range(1399, 1407))
    assert again == calendar
    assert hash(again) == hash(calendar)
    assert {calendar: 1}[again] == 1
    assert WorkCalendar(holidays=dict(calendar.holidays)) == WorkCalendar(
        holidays=calendar.holidays
    )


def test_calendar_pickles(calendar: WorkCalendar) -> None:
    closed = calendar.with_closures(
        Closure(jalali_date(1400, 2, 15), jalali_date(1400, 2, 15), "heat", regions=frozenset({7}))
    )
    again = pickle.loads(pickle.dumps(closed))
    assert again == closed
    assert not again.is_working_day(jalali_date(1400, 2, 15))


def test_calendar_refuses_a_week_without_working_days() -> None:
    with pytest.raises(InvalidInput, match="not all seven"):
        WorkCalendar(weekend=frozenset(range(7)))
    with pytest.raises(InvalidInput, match=r"weekdays 0\.\.6"):
        WorkCalendar(weekend=frozenset({7}))


def test_a_datetime_is_not_a_day(calendar: WorkCalendar) -> None:
    from datetime import UTC, datetime

    with pytest.raises(TypeError, match="tehran_date"):
        calendar.is_working_day(datetime(2021, 4, 30, tzinfo=UTC))
