"""The public calendar: a year's official holidays and every closure and correction."""

from __future__ import annotations

from mohlat.calendars import format_date, from_gregorian, official_holidays
from mohlat.errors import InvalidInput
from mohlat.services.access import Actor, authorize
from mohlat.services.plain import closure_view
from mohlat.store import Database
from mohlat.store import queries as q
from mohlat.views import HolidayCalendar, OfficialHoliday

__all__ = ["FIRST_YEAR", "LAST_YEAR", "holiday_calendar"]

#: the Jalali years whose official holidays are known
FIRST_YEAR, LAST_YEAR = 1358, 1500


def holiday_calendar(db: Database, *, year: int, actor: Actor | None = None) -> HolidayCalendar:
    """The official holidays of the Jalali ``year`` (from the ``holidays`` package),
    and every closure and working-day correction recorded (public)."""
    authorize(actor, "calendar.read")
    if not FIRST_YEAR <= year <= LAST_YEAR:
        raise InvalidInput("year", year, f"a Jalali year from {FIRST_YEAR} to {LAST_YEAR}")
    official = tuple(
        OfficialHoliday(format_date(from_gregorian(day)), name)
        for day, name in sorted(official_holidays([year]).items())
        if from_gregorian(day).year == year
    )
    with db.transaction(read_only=True) as tx:
        closures = tuple(closure_view(c) for c in q.list_closures(tx))
    return HolidayCalendar(year, official, closures)
