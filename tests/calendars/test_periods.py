"""Windows and relative periods: the worked examples of the calendar rules."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from mohlat.calendars import (
    Closure,
    PeriodPolicy,
    WorkCalendar,
    end_of_day,
    format_instant,
    jalali_date,
    parse_jalali_datetime,
    period_end,
    period_last_day,
    window_close,
    window_open,
)
from mohlat.errors import InvalidInput


@pytest.fixture(scope="module")
def calendar() -> WorkCalendar:
    return WorkCalendar.official(range(1399, 1407))


def test_seed_campaign_window(calendar: WorkCalendar) -> None:
    assert window_open(jalali_date(1400, 1, 17)) == datetime(2021, 4, 5, 19, 30, tzinfo=UTC)
    close = window_close(jalali_date(1400, 2, 5), calendar)
    assert close == datetime(2021, 4, 25, 19, 29, 59, 999999, tzinfo=UTC)


def test_seed_review_of_10_days_ends_at_end_of_15_ordibehesht(calendar: WorkCalendar) -> None:
    close = window_close(jalali_date(1400, 2, 5), calendar)
    end = period_end(close, PeriodPolicy(10), calendar)
    assert calendar.is_working_day(jalali_date(1400, 2, 15))  # a Wednesday
    assert end == datetime(2021, 5, 5, 19, 29, 59, 999999, tzinfo=UTC)
    assert format_instant(end) == "1400/02/15 23:59:59"


def test_holiday_inside_the_period_does_not_lengthen_it(calendar: WorkCalendar) -> None:
    close = window_close(jalali_date(1400, 2, 5), calendar)
    # 6..15 Ordibehesht 1400 holds Friday 10 and 14 Ordibehesht (Martyrdom of Imam Ali).
    assert not calendar.is_working_day(jalali_date(1400, 2, 14))
    assert period_end(close, PeriodPolicy(10), calendar) == period_end(
        close, PeriodPolicy(10), WorkCalendar()
    )


def test_correction_whose_fifth_day_is_friday_rolls_to_saturday(calendar: WorkCalendar) -> None:
    referred = parse_jalali_datetime("1404/02/07 10:00")  # a Sunday
    assert calendar.non_working_reason(jalali_date(1404, 2, 12)) == "Friday"
    end = period_end(referred, PeriodPolicy(5), calendar)
    assert end == end_of_day(jalali_date(1404, 2, 13))
    assert format_instant(end) == "1404/02/13 23:59:59"


def test_last_day_12_farvardin_rolls_over_natures_day_and_friday(calendar: WorkCalendar) -> None:
    event = parse_jalali_datetime("1405/01/07 10:00")
    # 12 Farvardin (Islamic Republic Day), 13 (Nature's Day), 14 (a Friday): closed.
    assert calendar.non_working_reason(jalali_date(1405, 1, 13)) == "روز طبیعت"
    assert calendar.non_working_reason(jalali_date(1405, 1, 14)) == "Friday"
    assert period_last_day(event, PeriodPolicy(5), calendar) == jalali_date(1405, 1, 15)


def test_last_day_on_tasua_rolls_over_ashura(calendar: WorkCalendar) -> None:
    event = parse_jalali_datetime("1403/04/20 09:00")
    assert period_last_day(event, PeriodPolicy(5), calendar) == jalali_date(1403, 4, 27)
    assert period_last_day(event, PeriodPolicy(5), WorkCalendar()) == jalali_date(1403, 4, 25)


def test_roll_forward_off_keeps_a_friday_last_day(calendar: WorkCalendar) -> None:
    referred = parse_jalali_datetime("1404/02/07 10:00")
    policy = PeriodPolicy(5, roll_forward=False)
    assert period_last_day(referred, policy, calendar) == jalali_date(1404, 2, 12)


def test_count_start_day_counts_the_event_day(calendar: WorkCalendar) -> None:
    referred = parse_jalali_datetime("1404/02/07 10:00")
    policy = PeriodPolicy(5, count_start_day=True)
    assert period_last_day(referred, policy, calendar) == jalali_date(1404, 2, 11)


def test_working_days_count_only_working_days(calendar: WorkCalendar) -> None:
    close = window_close(jalali_date(1400, 2, 5), calendar)
    # 6, 7, 8, 9, 11, 12, 13, 15, 16, 18 Ordibehesht: Fridays 10 and 17 and the
    # holiday on 14 are skipped.
    policy = PeriodPolicy(10, working_days=True)
    assert period_last_day(close, policy, calendar) == jalali_date(1400, 2, 18)


def test_working_days_with_start_day_skip_a_non_working_event_day(
    calendar: WorkCalendar,
) -> None:
    on_friday = parse_jalali_datetime("1404/02/12 10:00")
    policy = PeriodPolicy(1, working_days=True, count_start_day=True)
    assert period_last_day(on_friday, policy, calendar) == jalali_date(1404, 2, 13)
    on_sunday = parse_jalali_datetime("1404/02/07 10:00")
    assert period_last_day(on_sunday, policy, calendar) == jalali_date(1404, 2, 7)


def test_event_day_is_the_tehran_day(calendar: WorkCalendar) -> None:
    # 2021-04-25 20:00 UTC is already 6 Ordibehesht 1400 in Tehran.
    late = datetime(2021, 4, 25, 20, 0, tzinfo=UTC)
    assert period_last_day(late, PeriodPolicy(1), calendar) == jalali_date(1400, 2, 7)


def test_province_closure_moves_the_deadline_only_in_that_province(
    calendar: WorkCalendar,
) -> None:
    close = window_close(jalali_date(1400, 2, 5), calendar)
    day = jalali_date(1400, 2, 15)
    closed = calendar.with_closures(Closure(day, day, "pollution", provinces=frozenset({"Tehran"})))
    in_tehran = period_last_day(close, PeriodPolicy(10), closed.for_scope(1, "Tehran"))
    in_fars = period_last_day(close, PeriodPolicy(10), closed.for_scope(6, "Fars"))
    assert in_tehran == jalali_date(1400, 2, 16)
    assert in_fars == jalali_date(1400, 2, 15)


def test_window_close_rolls_forward_only_when_asked(calendar: WorkCalendar) -> None:
    friday = jalali_date(1404, 2, 12)
    assert window_close(friday, calendar) == end_of_day(friday)
    rolled = window_close(friday, calendar, roll_forward=True)
    assert rolled == end_of_day(jalali_date(1404, 2, 13))


@pytest.mark.parametrize("days", [0, -3, True], ids=["zero", "negative", "bool"])
def test_period_policy_refuses_fewer_than_one_day(days: int) -> None:
    with pytest.raises(InvalidInput, match="days >= 1"):
        PeriodPolicy(days)
