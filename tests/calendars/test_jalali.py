"""Reading and writing Jalali dates, and Tehran's day boundaries and offsets."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from mohlat.calendars import (
    TEHRAN,
    end_of_day,
    format_date,
    format_date_long,
    format_instant,
    from_gregorian,
    jalali_date,
    month_name,
    normalize_digits,
    parse_jalali_date,
    parse_jalali_datetime,
    start_of_day,
    tehran_date,
    to_gregorian,
    to_persian_digits,
)
from mohlat.errors import InvalidDate, InvalidInput

FARVARDIN_17_1400 = date(2021, 4, 6)


@pytest.mark.parametrize(
    "text",
    [
        "1400/01/17",
        "1400-1-17",
        "1400/1/17",
        "۱۴۰۰/۰۱/۱۷",
        "١٤٠٠/٠١/١٧",
        "17 فروردین 1400",
        "۱۷ فروردین ۱۴۰۰",
        "17 فروردين 1400",
        "17 فروردین ماه 1400",
        "17 Farvardin 1400",
        "  1400/01/17\n",
    ],
    ids=[
        "slashes",
        "dashes-unpadded",
        "slashes-unpadded",
        "persian-digits",
        "arabic-indic-digits",
        "month-name",
        "month-name-persian-digits",
        "month-name-arabic-yeh",
        "month-name-with-mah",
        "month-name-english",
        "surrounding-blanks",
    ],
)
def test_parse_accepts_each_form(text: str) -> None:
    assert to_gregorian(parse_jalali_date(text)) == FARVARDIN_17_1400


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("5 اردی\u200cبهشت 1400", (1400, 2, 5)),
        ("5 اردی بهشت 1400", (1400, 2, 5)),
        ("1 ابان 1402", (1402, 8, 1)),
        ("1 آذر 1402", (1402, 9, 1)),
        ("1 اذر 1402", (1402, 9, 1)),
        ("1 دي 1402", (1402, 10, 1)),
        ("1 امرداد 1402", (1402, 5, 1)),
    ],
    ids=[
        "zwnj",
        "space",
        "alef-without-madda",
        "alef-madda",
        "azar-plain-alef",
        "dey-arabic-yeh",
        "amordad",
    ],
)
def test_parse_accepts_month_spelling_variants(text: str, expected: tuple[int, int, int]) -> None:
    assert parse_jalali_date(text) == jalali_date(*expected)


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("1400/07/31", "Mehr 1400 has 30 days"),
        ("1404/12/30", "1404 is not a leap year: Esfand has 29 days"),
        ("1400/13/01", r"month must be 1\.\.12"),
        ("1400/00/10", r"month must be 1\.\.12"),
        ("1400/01/00", "day must be at least 1"),
        ("1400/01/32", "Farvardin 1400 has 31 days"),
        ("0000/01/01", r"a Jalali year from 1300 to 1500"),
        ("17/01/1400", "write the year first"),
        ("00/01/17", "write the year with 4 digits"),
        ("17 Brumaire 1400", "unknown month 'Brumaire'"),
        ("1400/01-17", "expected a Jalali date such as 1400/01/17"),
        ("tomorrow", "expected a Jalali date such as 1400/01/17"),
        ("", "expected a Jalali date"),
    ],
    ids=[
        "mehr-31",
        "esfand-30-not-leap",
        "month-13",
        "month-0",
        "day-0",
        "farvardin-32",
        "year-0",
        "day-first",
        "two-digit-year",
        "unknown-month",
        "mixed-separators",
        "garbage",
        "empty",
    ],
)
def test_parse_refuses_with_a_specific_reason(text: str, reason: str) -> None:
    with pytest.raises(InvalidDate, match=reason) as refused:
        parse_jalali_date(text, field="window start")
    assert refused.value.field == "window start"
    assert refused.value.value == text


def test_esfand_30_exists_only_in_leap_years() -> None:
    assert to_gregorian(parse_jalali_date("1403/12/30")) == date(2025, 3, 20)
    with pytest.raises(InvalidDate, match="1404 is not a leap year: Esfand has 29 days"):
        parse_jalali_date("1404/12/30")
    assert to_gregorian(parse_jalali_date("1404/12/29")) == date(2026, 3, 20)


def test_invalid_date_is_invalid_input() -> None:
    with pytest.raises(InvalidInput):
        jalali_date(1400, 7, 31)


def test_normalize_digits_makes_persian_and_arabic_indic_digits_ascii() -> None:
    assert normalize_digits("۱۴۰۰/٠١/17 ساعت ۹") == "1400/01/17 ساعت 9"


def test_to_persian_digits() -> None:
    assert to_persian_digits("1400/٠٢/05 x") == "۱۴۰۰/۰۲/۰۵ x"


def test_formats() -> None:
    day = jalali_date(1400, 2, 5)
    assert format_date(day) == "1400/02/05"
    assert format_date(day, fa=True) == "۱۴۰۰/۰۲/۰۵"
    assert format_date_long(day) == "5 Ordibehesht 1400"
    assert format_date_long(day, fa=True) == "۵ اردیبهشت ۱۴۰۰"
    assert month_name(12) == "Esfand"
    assert month_name(12, fa=True) == "اسفند"


def test_month_name_refuses_month_13() -> None:
    with pytest.raises(InvalidDate, match=r"month must be 1\.\.12"):
        month_name(13)


def test_format_date_long_reads_back() -> None:
    day = jalali_date(1400, 2, 5)
    assert parse_jalali_date(format_date_long(day)) == day
    assert parse_jalali_date(format_date_long(day, fa=True)) == day


def test_format_instant_shows_tehran_wall_time_without_rounding_up() -> None:
    last = end_of_day(jalali_date(1400, 2, 5))
    assert format_instant(last) == "1400/02/05 23:59:59"
    assert format_instant(last, seconds=False) == "1400/02/05 23:59"
    assert format_instant(last, fa=True) == "۱۴۰۰/۰۲/۰۵ ۲۳:۵۹:۵۹"


def test_day_boundaries_of_5_ordibehesht_1400() -> None:
    day = jalali_date(1400, 2, 5)
    assert start_of_day(day) == datetime(2021, 4, 24, 19, 30, tzinfo=UTC)
    assert end_of_day(day) == datetime(2021, 4, 25, 19, 29, 59, 999999, tzinfo=UTC)
    assert end_of_day(day).tzinfo is UTC


def test_tehran_date_changes_at_tehran_midnight() -> None:
    assert tehran_date(datetime(2021, 4, 25, 19, 29, 59, 999999, tzinfo=UTC)) == jalali_date(
        1400, 2, 5
    )
    assert tehran_date(datetime(2021, 4, 25, 19, 30, tzinfo=UTC)) == jalali_date(1400, 2, 6)


def test_naive_instants_are_refused() -> None:
    with pytest.raises(ValueError, match="naive"):
        tehran_date(datetime(2021, 4, 25, 12, 0))


def test_from_gregorian_refuses_a_datetime() -> None:
    with pytest.raises(TypeError, match="tehran_date"):
        from_gregorian(datetime(2021, 4, 25, tzinfo=UTC))


@pytest.mark.parametrize(
    ("day", "hours"),
    [
        ((1400, 5, 1), 4.5),
        ((1400, 10, 1), 3.5),
        ((1401, 5, 1), 4.5),
        ((1402, 5, 1), 3.5),
        ((1403, 5, 1), 3.5),
        ((1404, 1, 15), 3.5),
    ],
    ids=["summer-1400", "winter-1400", "summer-1401", "summer-1402", "summer-1403", "spring-1404"],
)
def test_tehran_offsets(day: tuple[int, int, int], hours: float) -> None:
    local = start_of_day(jalali_date(*day)).astimezone(TEHRAN)
    assert local.utcoffset() == timedelta(hours=hours)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("1400/02/05 23:59", datetime(2021, 4, 25, 19, 29, tzinfo=UTC)),
        ("۱۴۰۰/۰۲/۰۵ ۲۳:۵۹:۵۹", datetime(2021, 4, 25, 19, 29, 59, tzinfo=UTC)),
        ("5 اردیبهشت 1400 9:05", datetime(2021, 4, 25, 4, 35, tzinfo=UTC)),
        ("1400/02/05", datetime(2021, 4, 24, 19, 30, tzinfo=UTC)),
        ("1403/02/05 12:00", datetime(2024, 4, 24, 8, 30, tzinfo=UTC)),
    ],
    ids=["minutes", "persian-digits-seconds", "month-name-one-digit-hour", "bare-date", "no-dst"],
)
def test_parse_jalali_datetime(text: str, expected: datetime) -> None:
    assert parse_jalali_datetime(text) == expected


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("1400/02/05 24:00", r"hour must be 0\.\.23"),
        ("1400/02/05 10:60", r"minute must be 0\.\.59"),
        ("1400/02/05 10:00:60", r"second must be 0\.\.59"),
        ("1400/02/05 10", "optionally followed by a Tehran time HH:MM"),
        ("1400/07/31 10:00", "Mehr 1400 has 30 days"),
    ],
    ids=["hour-24", "minute-60", "second-60", "bare-hour", "bad-date"],
)
def test_parse_jalali_datetime_refuses(text: str, reason: str) -> None:
    with pytest.raises(InvalidDate, match=reason):
        parse_jalali_datetime(text)


def test_wall_time_in_the_spring_forward_gap_is_refused() -> None:
    with pytest.raises(InvalidDate, match=r"did not exist in Tehran.*from 00:00 to 01:00"):
        parse_jalali_datetime("1400/01/02 00:30")


def test_day_whose_midnight_fell_in_the_gap_starts_at_the_jump() -> None:
    day = jalali_date(1400, 1, 2)
    assert start_of_day(day) == datetime(2021, 3, 21, 20, 30, tzinfo=UTC)
    assert format_instant(start_of_day(day)) == "1400/01/02 01:00:00"
    assert end_of_day(jalali_date(1400, 1, 1)) == start_of_day(day) - timedelta(microseconds=1)
    assert parse_jalali_datetime("1400/01/02") == start_of_day(day)


def test_ambiguous_wall_time_takes_the_daylight_saving_occurrence() -> None:
    first = parse_jalali_datetime("1400/06/30 23:30")
    assert first == datetime(2021, 9, 21, 19, 0, tzinfo=UTC)
    assert first.astimezone(TEHRAN).utcoffset() == timedelta(hours=4, minutes=30)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("2026-11-22", r"is this a Gregorian date\? 2026 is Jalali 1404/1405"),
        ("1299/12/29", "a Jalali year from 1300 to 1500"),
        ("1501/01/01", "a Jalali year from 1300 to 1500"),
        ("17 فروردین 2021", "is this a Gregorian date"),
    ],
    ids=["gregorian", "too-early", "too-late", "long-form-gregorian"],
)
def test_an_implausible_year_is_refused_with_a_hint(text: str, message: str) -> None:
    with pytest.raises(InvalidDate, match=message):
        parse_jalali_date(text, field="first day")


def test_the_plausible_years_are_accepted_at_both_ends() -> None:
    assert parse_jalali_date("1300/01/01").year == 1300
    assert parse_jalali_date("1500/01/01").year == 1500
