"""Deadlines: when a window given by dates closes and when a relative period ends.

Every function takes the instants, the policy and the :class:`WorkCalendar` it
needs; days are Tehran calendar days; the results are aware UTC instants.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from mohlat.calendars.jalali import (
    JalaliDate,
    end_of_day,
    from_gregorian,
    start_of_day,
    tehran_date,
    to_gregorian,
)
from mohlat.calendars.workdays import WorkCalendar
from mohlat.errors import InvalidInput

__all__ = [
    "PeriodPolicy",
    "period_end",
    "period_last_day",
    "window_close",
    "window_open",
]


@dataclass(frozen=True)
class PeriodPolicy:
    """How a relative period ("5 days from referral") is counted.

    * ``days``: its length, at least 1.
    * ``working_days``: count only working days; otherwise calendar days, and a
      holiday inside the period does not lengthen it.
    * ``count_start_day``: whether the day of the event that starts the period is
      its first day. By default it is not (Code of Civil Procedure, Art. 445).
    * ``roll_forward``: a last day that is not a working day moves to the next
      working day (Art. 444). Default on.
    """

    days: int
    working_days: bool = False
    count_start_day: bool = False
    roll_forward: bool = True

    def __post_init__(self) -> None:
        if isinstance(self.days, bool) or not isinstance(self.days, int) or self.days < 1:
            raise InvalidInput("period days", self.days, "a period is a whole number of days >= 1")


def period_last_day(start: datetime, policy: PeriodPolicy, calendar: WorkCalendar) -> JalaliDate:
    """The last day of the period that the event at the aware instant ``start`` begins.

    Days are counted on Tehran's calendar from the day after the event (from the
    event's day with ``count_start_day``). E.g. a review of 10 days started on
    5 Ordibehesht 1400 counts 6..15 Ordibehesht and ends on 15 Ordibehesht.

    * Calendar days: a holiday inside the period does not lengthen it; only a last
      day that is not a working day moves, with ``roll_forward``, to the next
      working day. A 5-day correction referred on Sunday 1404/02/07 would end on
      Friday 12 Ordibehesht and so ends on Saturday 13 Ordibehesht; one ending on
      12 Farvardin 1405 (a holiday) skips 13 Farvardin (Nature's Day) and Friday
      14 Farvardin and ends on 15 Farvardin.
    * ``working_days``: only working days are counted, so the last day is always a
      working day; with ``count_start_day`` the event's day counts only if it is a
      working day.
    """
    event_day = to_gregorian(tehran_date(start))
    day = event_day if policy.count_start_day else event_day + timedelta(days=1)
    if policy.working_days:
        if not calendar.is_working_day(day):
            day = calendar.next_working_day(day)
        for _ in range(policy.days - 1):
            day = calendar.next_working_day(day)
    else:
        day += timedelta(days=policy.days - 1)
        if policy.roll_forward and not calendar.is_working_day(day):
            day = calendar.next_working_day(day)
    return from_gregorian(day)


def period_end(start: datetime, policy: PeriodPolicy, calendar: WorkCalendar) -> datetime:
    """The last instant (aware UTC) of the period the event at ``start`` begins.

    It is the end, in Tehran, of :func:`period_last_day`: a 10-day review started
    by the close of the 1400/02/05 window ends at 1400/02/15 23:59:59.999999
    (2021-05-05 19:29:59.999999 UTC).
    """
    return end_of_day(period_last_day(start, policy, calendar))


def window_open(first_day: JalaliDate) -> datetime:
    """When a window whose first day is ``first_day`` opens: the start of that day in Tehran.

    E.g. a window from 17 Farvardin 1400 opens at 2021-04-05 19:30 UTC.
    """
    return start_of_day(first_day)


def window_close(
    last_day: JalaliDate, calendar: WorkCalendar, *, roll_forward: bool = False
) -> datetime:
    """When a window whose last day is ``last_day`` closes: the end of that day in Tehran.

    Both the first and the last day are in the window: 17 Farvardin..5 Ordibehesht
    1400 closes at 2021-04-25 19:29:59.999999 UTC. With ``roll_forward`` a last day
    that is not a working day moves to the end of the next working day.
    """
    if roll_forward and not calendar.is_working_day(last_day):
        return end_of_day(from_gregorian(calendar.next_working_day(last_day)))
    return end_of_day(last_day)
