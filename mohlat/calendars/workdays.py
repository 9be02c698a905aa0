"""Which days are working days: the weekend, Iran's official holidays, and closures.

Days are Gregorian ``date``s (or :class:`JalaliDate`s, converted on the way in);
weekdays use Python's numbering (``date.weekday()``: Monday=0 … Friday=4,
Saturday=5), not persiantools' (Saturday=0).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta
from functools import lru_cache
from types import MappingProxyType
from typing import Final

import holidays as holidays_lib

from mohlat.calendars.jalali import JalaliDate, format_date, from_gregorian, to_gregorian
from mohlat.errors import InvalidInput

__all__ = [
    "FRIDAY",
    "MONDAY",
    "SATURDAY",
    "SUNDAY",
    "THURSDAY",
    "TUESDAY",
    "WEDNESDAY",
    "Closure",
    "WorkCalendar",
    "official_holidays",
]

MONDAY, TUESDAY, WEDNESDAY, THURSDAY, FRIDAY, SATURDAY, SUNDAY = range(7)
WEEKDAY_NAMES: Final = (
    "Monday",
    "Tuesday",
    "Wednesday",
    "Thursday",
    "Friday",
    "Saturday",
    "Sunday",
)
REGIONS: Final = range(1, 10)


def _as_date(day: date | JalaliDate) -> date:
    if isinstance(day, JalaliDate):
        return to_gregorian(day)
    if isinstance(day, datetime):
        raise TypeError(f"a day is needed, not the instant {day!r}: use tehran_date()")
    return day


# --- official holidays ------------------------------------------------------------


def official_holidays(years: Iterable[int]) -> dict[date, str]:
    """Iran's official holidays in the given **Jalali** years: Gregorian date → Persian name.

    The source is the ``holidays`` package (country ``IR``, names in ``fa_IR``):
    the solar holidays (Nowruz 1-4 Farvardin, 12 and 13 Farvardin, 14 and 15
    Khordad, 22 Bahman, 29 Esfand, and the last day of the year) and the lunar ones.
    Lunar dates are confirmed up to 2026 (1405) and estimated after; an estimated
    one is named with the suffix ``(تخمینی)``. Correct a wrong estimate with
    :attr:`WorkCalendar.working_days` and a :class:`Closure`. The package knows no
    holidays before 1980 (1358). Two holidays on one day have their names joined
    with ``; ``.
    """
    return dict(_official_holidays(tuple(sorted(set(years)))))


@lru_cache(maxsize=64)
def _official_holidays(years: tuple[int, ...]) -> Mapping[date, str]:
    wanted = set(years)
    gregorian = sorted({y + 621 for y in wanted} | {y + 622 for y in wanted})
    found = holidays_lib.country_holidays("IR", years=gregorian, language="fa_IR")
    return MappingProxyType(
        {d: str(name) for d, name in sorted(found.items()) if from_gregorian(d).year in wanted}
    )


# --- closures ---------------------------------------------------------------------


@dataclass(frozen=True)
class Closure:
    """Days an administrator closed offices (pollution, heat, an emergency), both days included.

    ``regions`` and ``provinces`` limit where it applies; empty means everywhere.
    A limited closure applies to an office only if the office's region (resp.
    province, compared exactly) is listed; when both are limited, both must match.
    """

    first_day: JalaliDate
    last_day: JalaliDate
    reason: str
    regions: frozenset[int] = frozenset()
    provinces: frozenset[str] = frozenset()

    def __post_init__(self) -> None:
        if self.last_day < self.first_day:
            raise InvalidInput(
                "closure",
                f"{format_date(self.first_day)}..{format_date(self.last_day)}",
                "the last day must not be before the first day",
            )
        if not self.reason.strip():
            raise InvalidInput("closure reason", self.reason, "say why the offices are closed")
        if bad := sorted(r for r in self.regions if r not in REGIONS):
            raise InvalidInput("closure regions", bad, "regions are 1..9")

    @property
    def national(self) -> bool:
        """Whether the closure applies everywhere."""
        return not self.regions and not self.provinces

    def covers(self, region: int | None, province: str | None) -> bool:
        """Whether the closure applies to an office in ``region`` and ``province``.

        A national view (``None``) is covered only by national closures.
        """
        if self.regions and region not in self.regions:
            return False
        return not self.provinces or province in self.provinces

    def days(self) -> Iterator[date]:
        """The closed days, first to last, as Gregorian dates."""
        day, last = to_gregorian(self.first_day), to_gregorian(self.last_day)
        while day <= last:
            yield day
            day += timedelta(days=1)


# --- the calendar -----------------------------------------------------------------


@dataclass(frozen=True)
class WorkCalendar:
    """The working days of an office: not a weekend day, not a holiday, not closed.

    Precedence, for a day that more than one rule names: a closure always closes
    it; otherwise a day in ``working_days`` (an administrator's correction, e.g. of
    an estimated lunar holiday) is a working day even if it is an official holiday
    or a weekend day; otherwise an official holiday or weekend day is not.

    Holidays are known only for the years the calendar was built for: build it for
    every year a deadline may reach (the campaign's year and the next). The
    calendar is immutable and hashable, so callers can cache results by it.
    """

    weekend: frozenset[int] = frozenset({FRIDAY})
    holidays: Mapping[date, str] = field(default_factory=lambda: MappingProxyType({}))
    closures: tuple[Closure, ...] = ()
    working_days: frozenset[date] = frozenset()
    _closed: Mapping[date, str] = field(init=False, repr=False, compare=False)
    _hash: int = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "weekend", frozenset(self.weekend))
        object.__setattr__(self, "working_days", frozenset(self.working_days))
        if not self.weekend < frozenset(range(7)):
            raise InvalidInput(
                "weekend", sorted(self.weekend), "weekdays 0..6 (Monday=0), not all seven"
            )
        frozen = MappingProxyType(dict(self.holidays))
        closures = tuple(self.closures)
        closed: dict[date, str] = {}
        for closure in closures:
            for day in closure.days():
                earlier = closed.get(day)
                closed[day] = f"{earlier}; {closure.reason}" if earlier else closure.reason
        object.__setattr__(self, "holidays", frozen)
        object.__setattr__(self, "closures", closures)
        object.__setattr__(self, "_closed", closed)
        key = (self.weekend, frozenset(frozen.items()), closures, self.working_days)
        object.__setattr__(self, "_hash", hash(key))

    def __hash__(self) -> int:
        return self._hash

    def __reduce__(self) -> tuple[type[WorkCalendar], tuple[object, ...]]:
        # A mapping proxy does not pickle: rebuild from the fields instead.
        return type(self), (self.weekend, dict(self.holidays), self.closures, self.working_days)

    @classmethod
    def official(
        cls,
        years: Iterable[int],
        *,
        weekend: frozenset[int] = frozenset({FRIDAY}),
        closures: Iterable[Closure] = (),
        working_days: frozenset[date] = frozenset(),
    ) -> WorkCalendar:
        """The calendar with Iran's official holidays of the given Jalali ``years``."""
        return cls(
            weekend=weekend,
            holidays=_official_holidays(tuple(sorted(set(years)))),
            closures=tuple(closures),
            working_days=working_days,
        )

    def non_working_reason(self, day: date | JalaliDate) -> str | None:
        """Why ``day`` is not a working day (``"Friday"``, a holiday, a closure), or None."""
        d = _as_date(day)
        if (closed := self._closed.get(d)) is not None:
            return closed
        if d in self.working_days:
            return None
        if (holiday := self.holidays.get(d)) is not None:
            return holiday
        if d.weekday() in self.weekend:
            return WEEKDAY_NAMES[d.weekday()]
        return None

    def is_working_day(self, day: date | JalaliDate) -> bool:
        """Whether offices work on ``day``."""
        return self.non_working_reason(day) is None

    def next_working_day(self, day: date | JalaliDate) -> date:
        """The first working day strictly after ``day``."""
        d = _as_date(day) + timedelta(days=1)
        while not self.is_working_day(d):
            d += timedelta(days=1)
        return d

    def for_scope(self, region: int | None, province: str | None) -> WorkCalendar:
        """This calendar with only the closures that apply in ``region`` and ``province``.

        ``None`` for both is the national view: only national closures remain.
        """
        return replace(self, closures=tuple(c for c in self.closures if c.covers(region, province)))

    def with_closures(self, *closures: Closure) -> WorkCalendar:
        """This calendar with ``closures`` added."""
        return replace(self, closures=(*self.closures, *closures))
