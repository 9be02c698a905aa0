"""The operations on the calendar and on deadlines: holidays and closures, extensions,
what falls due soon, and the reminders queued."""

from __future__ import annotations

from pydantic import Field

from mohlat.api.operations import Call, Login, Params, operation
from mohlat.calendars import normalize_digits
from mohlat.errors import InvalidInput
from mohlat.views import DueSoon, HolidayCalendar, Moved, ReminderView

__all__: list[str] = []

Day = Field(max_length=32, description="A Jalali day, e.g. 1400/02/13 (any digits).")
Reason = Field(max_length=2000, description="Why (it goes on the timelines).")


class YearQuery(Params):
    year: int | None = Field(default=None, ge=1, le=9999, description="A Jalali year.")


@operation(
    "calendar.read", "GET", "/holidays", params=YearQuery, result=HolidayCalendar,
    login=Login.OPTIONAL,
)  # fmt: skip
def holidays(call: Call, p: YearQuery) -> HolidayCalendar:
    """A Jalali year's official holidays (default: this year) and every closure (public)."""
    from mohlat.calendars import tehran_date
    from mohlat.services.calendar import holiday_calendar

    year = p.year or tehran_date(call.now).year
    return holiday_calendar(call.db, actor=call.actor, year=year)


class NewClosure(Params):
    first_day: str = Day
    last_day: str | None = Field(default=None, max_length=32)
    reason: str = Reason
    regions: list[int] = Field(default_factory=list, max_length=9)
    provinces: list[str] = Field(default_factory=list, max_length=64)
    working_day: bool = False


@operation("calendar.add", "POST", "/closures", params=NewClosure, result=Moved, status=201)
def add_closure(call: Call, p: NewClosure) -> Moved:
    """Close offices on some days (or declare them working days); pending deadlines move."""
    from mohlat.services.deadlines import add_closure as added

    return added(
        call.db,
        actor=call.who,
        now=call.now,
        first_day=p.first_day,
        last_day=p.last_day,
        reason=p.reason,
        regions=p.regions,
        provinces=p.provinces,
        working_day=p.working_day,
    )


class ClosureRemoval(Params):
    closure: int = Field(ge=1, le=2**31 - 1)
    reason: str = Reason


@operation(
    "calendar.remove", "POST", "/closures/{closure}/remove", params=ClosureRemoval, result=Moved
)
def remove_closure(call: Call, p: ClosureRemoval) -> Moved:
    """Remove a closure or correction; pending deadlines are counted again."""
    from mohlat.services.deadlines import remove_closure as removed

    return removed(call.db, actor=call.who, now=call.now, closure_id=p.closure, reason=p.reason)


class Extension(Params):
    reason: str = Reason
    case: str | None = Field(default=None, max_length=64)
    campaign: str | None = Field(default=None, max_length=64)
    window: str | None = Field(default=None, max_length=32)
    region: int | None = Field(default=None, ge=1, le=9)
    to: str | None = Field(default=None, max_length=32)
    days: int | None = Field(default=None, ge=1, le=365)


@operation("deadline.extend", "POST", "/deadlines/extend", params=Extension, result=Moved)
def extend(call: Call, p: Extension) -> Moved:
    """Extend one case's running deadline, or a campaign's window for one region or all."""
    from mohlat.services.deadlines import extend_case, extend_window

    if p.window is not None:
        return extend_window(
            call.db,
            actor=call.who,
            now=call.now,
            campaign=p.campaign,
            window=p.window,
            region=p.region,
            to=p.to,
            days=p.days,
            reason=p.reason,
        )
    if p.case is None:
        raise InvalidInput("case", None, "a case, or --window declaration|review")
    return extend_case(
        call.db,
        actor=call.who,
        now=call.now,
        ref=normalize_digits(p.case),
        campaign=p.campaign,
        reason=p.reason,
        to=p.to,
        days=p.days,
    )


class DueQuery(Params):
    within: str = Field(default="3d", max_length=16, description="3d, 12h or 90m.")
    campaign: str | None = Field(default=None, max_length=64)


@operation("due", "GET", "/due", params=DueQuery, result=list[DueSoon])
def due(call: Call, p: DueQuery) -> list[DueSoon]:
    """Deadlines about to fall, per region and kind (within the caller's remit)."""
    from mohlat.services.due import due_soon, parse_span

    span = parse_span(p.within)
    return due_soon(call.db, actor=call.who, campaign=p.campaign, now=call.now, within=span)


class OutboxQuery(Params):
    all: bool = Field(default=False, description="Sent ones too.")
    limit: int = Field(default=100, ge=1, le=1_000_000)


@operation("reminder.list", "GET", "/reminders", params=OutboxQuery, result=list[ReminderView])
def reminders(call: Call, p: OutboxQuery) -> list[ReminderView]:
    """The reminders the scheduler queued for a sender to deliver."""
    from mohlat.services.due import outbox

    return outbox(call.db, actor=call.who, unsent_only=not p.all, limit=p.limit)
