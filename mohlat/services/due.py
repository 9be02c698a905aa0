"""What falls due soon, and the reminder outbox."""

from __future__ import annotations

from datetime import datetime, timedelta

from mohlat.calendars import normalize_digits, read_whole_number
from mohlat.errors import InvalidInput
from mohlat.services.access import Actor, authorize, region_filter
from mohlat.services.campaigns import find_campaign
from mohlat.services.plain import reminder_view
from mohlat.store import Database
from mohlat.store.reminders import due_within, list_reminders
from mohlat.views import DueSoon, ReminderView
from mohlat.workflow.definition import Role

__all__ = ["DueSoon", "due_soon", "outbox", "parse_span"]

_UNITS = {"d": timedelta(days=1), "h": timedelta(hours=1), "m": timedelta(minutes=1)}


def parse_span(text: str, *, field: str = "within") -> timedelta:
    """A span written as ``3d``, ``12h`` or ``90m`` (any digits)."""
    value = normalize_digits(text).strip().lower()
    count = read_whole_number(value[:-1]) if value else None
    if count is None or value[-1] not in _UNITS:
        raise InvalidInput(field, text, "a number followed by d, h or m, e.g. 3d")
    if count > 366 * 24 * 60:
        raise InvalidInput(field, text, "more than nothing and at most a year")
    span = count * _UNITS[value[-1]]
    if not timedelta(0) < span <= timedelta(days=366):
        raise InvalidInput(field, text, "more than nothing and at most a year")
    return span


def due_soon(
    db: Database, *, actor: Actor, campaign: str | None, now: datetime, within: timedelta
) -> list[DueSoon]:
    """Pending deadlines falling due within ``within`` of ``now``, in the actor's remit."""
    authorize(actor, "case.read")
    with db.transaction(read_only=True) as tx:
        found = find_campaign(tx, campaign)
        assert found.id is not None
        rows = due_within(
            tx,
            campaign_id=found.id,
            now=now,
            until=now + within,
            region=actor.region if actor.role is Role.SUPERVISOR else None,
            office_id=actor.office_id if actor.role is Role.OFFICE else None,
        )
    return [DueSoon(*row) for row in rows]


def outbox(
    db: Database, *, actor: Actor, unsent_only: bool = True, limit: int | None = 100
) -> list[ReminderView]:
    """The reminders queued for a sender (admins: all; supervisors: their region's)."""
    authorize(actor, "reminder.read")
    if limit is not None and limit < 1:
        raise InvalidInput("limit", limit, "a positive number of rows")
    _, region = region_filter(actor, None)
    with db.transaction(read_only=True) as tx:
        rows = list_reminders(tx, unsent_only=unsent_only, region=region, limit=limit)
    return [reminder_view(r) for r in rows]
