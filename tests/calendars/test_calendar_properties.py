"""Properties of the calendar package, checked with hypothesis."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import jdatetime
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from mohlat.calendars import (
    TEHRAN,
    Closure,
    PeriodPolicy,
    WorkCalendar,
    format_date,
    format_instant,
    from_gregorian,
    normalize_digits,
    parse_jalali_date,
    parse_jalali_datetime,
    period_end,
    tehran_date,
    to_gregorian,
)

CALENDAR = WorkCalendar.official(range(1399, 1409))
FAST = settings(max_examples=300, deadline=None)


@st.composite
def jalali_ymd(draw: st.DrawFn) -> tuple[int, int, int]:
    year = draw(st.integers(1300, 1500))
    month = draw(st.integers(1, 12))
    if month == 12:
        length = 30 if jdatetime.date(year, 1, 1).isleap() else 29
    else:
        length = jdatetime.j_days_in_month[month - 1]
    return year, month, draw(st.integers(1, length))


@FAST
@given(jalali_ymd())
def test_parse_and_format_agree_with_jdatetime(ymd: tuple[int, int, int]) -> None:
    year, month, day = ymd
    ours = parse_jalali_date(f"{year}/{month}/{day}")
    theirs = jdatetime.date(year, month, day)
    assert to_gregorian(ours) == theirs.togregorian()
    assert format_date(ours) == theirs.strftime("%Y/%m/%d")
    assert from_gregorian(to_gregorian(ours)) == ours


@FAST
@given(st.dates(date(1921, 3, 21), date(2121, 3, 20)))
def test_gregorian_round_trip_agrees_with_jdatetime(day: date) -> None:
    ours = from_gregorian(day)
    theirs = jdatetime.date.fromgregorian(date=day)
    assert (ours.year, ours.month, ours.day) == (theirs.year, theirs.month, theirs.day)
    assert to_gregorian(ours) == day


@FAST
@given(st.integers(1300, 1500))
def test_esfand_30_exists_exactly_in_jdatetime_leap_years(year: int) -> None:
    try:
        parse_jalali_date(f"{year}/12/30")
    except ValueError:
        exists = False
    else:
        exists = True
    assert exists == jdatetime.date(year, 1, 1).isleap()


instants = st.datetimes(datetime(2021, 1, 1), datetime(2027, 12, 31), timezones=st.just(UTC))
policies = st.builds(
    PeriodPolicy,
    days=st.integers(1, 40),
    working_days=st.booleans(),
    count_start_day=st.booleans(),
    roll_forward=st.booleans(),
)


@st.composite
def closures(draw: st.DrawFn) -> Closure:
    first = draw(st.dates(date(2021, 1, 1), date(2028, 1, 31)))
    length = draw(st.integers(0, 9))
    return Closure(from_gregorian(first), from_gregorian(first + timedelta(days=length)), "test")


@FAST
@given(instants, policies, st.lists(closures(), max_size=3))
def test_rolled_period_never_ends_on_a_non_working_day(
    start: datetime, policy: PeriodPolicy, extra: list[Closure]
) -> None:
    assume(policy.roll_forward or policy.working_days)
    calendar = CALENDAR.with_closures(*extra)
    end = period_end(start, policy, calendar)
    assert calendar.is_working_day(tehran_date(end))
    assert end > start


@FAST
@given(instants, policies, closures())
def test_a_closure_never_brings_a_deadline_earlier(
    start: datetime, policy: PeriodPolicy, closure: Closure
) -> None:
    before = period_end(start, policy, CALENDAR)
    assert period_end(start, policy, CALENDAR.with_closures(closure)) >= before


@FAST
@given(instants, policies, st.dates(date(2021, 1, 1), date(2028, 1, 31)))
def test_a_holiday_never_brings_a_deadline_earlier(
    start: datetime, policy: PeriodPolicy, holiday: date
) -> None:
    more = WorkCalendar(holidays={**CALENDAR.holidays, holiday: "test"})
    assert period_end(start, policy, more) >= period_end(start, policy, CALENDAR)


def _near_a_transition(instant: datetime) -> bool:
    window = timedelta(hours=3)
    before = (instant - window).astimezone(TEHRAN).utcoffset()
    return before != (instant + window).astimezone(TEHRAN).utcoffset()


@FAST
@given(
    st.datetimes(datetime(1981, 1, 1), datetime(2100, 1, 1), timezones=st.just(UTC)),
    st.booleans(),
)
def test_format_then_parse_round_trips_to_the_second(instant: datetime, fa: bool) -> None:
    assume(not _near_a_transition(instant))
    assert parse_jalali_datetime(format_instant(instant, fa=fa)) == instant.replace(microsecond=0)


NON_ASCII_DIGITS = "۰۱۲۳۴۵۶۷۸۹٠١٢٣٤٥٦٧٨٩"


@FAST
@given(st.text(st.sampled_from(NON_ASCII_DIGITS) | st.characters(codec="utf-8")))
def test_normalize_digits_leaves_no_persian_or_arabic_digit(text: str) -> None:
    result = normalize_digits(text)
    assert not set(result) & set(NON_ASCII_DIGITS)
    assert len(result) == len(text)
    kept = [(a, b) for a, b in zip(text, result, strict=True) if a not in NON_ASCII_DIGITS]
    assert all(a == b for a, b in kept)
