"""Extensions of a deadline: part of its derivation, replayed on every recount.

A deadline is a pure function of what started it (its *base*: a period counted from
an event, or a window given by dates), its counting policy, the extensions granted
on it in order, and the working calendar as it stands. Whenever the calendar
changes, the base is counted again and every extension is replayed on top of it, so
nothing granted is lost.

Rules (each backed by a named test in ``tests/calendars/test_extensions.py``):

* **N more days** is counted like any period of the deadline's policy, from the day
  after the deadline's current last day: calendar days (a holiday inside does not
  lengthen it) or working days, and a last day that is not a working day rolls to
  the end of the next working day when the policy rolls forward. A correction due
  on Wednesday 1400/02/15 extended by 2 days would end on Friday the 17th and so
  ends on Saturday the 18th.
* **To the end of date D** ends at the end of D in Tehran; if D is not a working day
  (a Friday, an official holiday, or a closure added later) and the policy rolls
  forward, it runs to the end of the next working day, exactly as a last day a
  closure touches moves for any pending deadline.
* An extension never brings a deadline earlier: if the base has meanwhile moved past
  D (a closure), the extension changes nothing, and comes back into force if the
  closure is removed.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from typing import Any

from mohlat.calendars.jalali import (
    JalaliDate,
    end_of_day,
    from_gregorian,
    parse_jalali_date,
)
from mohlat.calendars.periods import PeriodPolicy, period_end
from mohlat.calendars.workdays import WorkCalendar
from mohlat.errors import InvalidInput

__all__ = ["MAX_EXTENSION_DAYS", "Extension", "extend", "read_extensions", "replay_extensions"]

#: the most days one extension may add
MAX_EXTENSION_DAYS = 365


@dataclass(frozen=True)
class Extension:
    """One extension granted on a deadline: ``days`` more days, or ``to`` the end of a day.

    ``reason``, ``by`` and ``granted_at`` say who granted it, when and why; ``since``
    is the deadline's due instant just before it was granted (the base of a deadline
    that no calendar recounts, such as a resumed review clock). ``window`` and
    ``region`` are set on the campaign's own record of a window extension.
    """

    days: int | None = None
    to: JalaliDate | None = None
    reason: str = ""
    by: str = ""
    granted_at: datetime | None = None
    since: datetime | None = None
    window: str | None = None
    region: int | None = None

    def __post_init__(self) -> None:
        if (self.days is None) == (self.to is None):
            raise InvalidInput("extension", self.days or self.to, "either --to DATE or --days N")
        if self.days is not None and not 1 <= self.days <= MAX_EXTENSION_DAYS:
            raise InvalidInput("days", self.days, f"from 1 to {MAX_EXTENSION_DAYS}")

    @property
    def label(self) -> str:
        """How the timeline names what was granted: ``3 more days`` or ``to 1400/02/20``."""
        if self.days is not None:
            return f"{self.days} more day{'' if self.days == 1 else 's'}"
        assert self.to is not None
        return f"to {self.to.strftime('%Y/%m/%d')}"

    def to_json(self) -> dict[str, Any]:
        """The stored form (a deadline's ``extensions`` column holds a list of these)."""
        data: dict[str, Any] = {"reason": self.reason, "by": self.by}
        if self.days is not None:
            data["days"] = self.days
        if self.to is not None:
            data["to"] = self.to.strftime("%Y/%m/%d")
        if self.granted_at is not None:
            data["granted_at"] = self.granted_at.isoformat()
        if self.since is not None:
            data["since"] = self.since.isoformat()
        if self.window is not None:
            data["window"] = self.window
        if self.region is not None:
            data["region"] = self.region
        return data

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Extension:
        """An extension read back from :meth:`to_json`."""

        def instant(key: str) -> datetime | None:
            raw = data.get(key)
            return datetime.fromisoformat(raw).astimezone(UTC) if raw else None

        return cls(
            days=data.get("days"),
            to=parse_jalali_date(data["to"], field="to") if data.get("to") else None,
            reason=str(data.get("reason", "")),
            by=str(data.get("by", "")),
            granted_at=instant("granted_at"),
            since=instant("since"),
            window=data.get("window"),
            region=data.get("region"),
        )


def extend(
    due: datetime, extension: Extension, policy: PeriodPolicy, calendar: WorkCalendar
) -> datetime:
    """The deadline ``due`` with ``extension`` granted on it, counted on ``calendar`` by
    ``policy`` (the module's rules); never earlier than ``due``."""
    if extension.days is not None:
        counted = period_end(
            due, replace(policy, days=extension.days, count_start_day=False), calendar
        )
    else:
        assert extension.to is not None
        last = extension.to
        if policy.roll_forward and not calendar.is_working_day(last):
            last = from_gregorian(calendar.next_working_day(last))
        counted = end_of_day(last)
    return max(due, counted)


def replay_extensions(
    base: datetime,
    extensions: Iterable[Extension],
    policy: PeriodPolicy,
    calendar: WorkCalendar,
) -> datetime:
    """The deadline whose base is ``base`` with every extension granted on it, in order."""
    due = base
    for extension in extensions:
        due = extend(due, extension, policy, calendar)
    return due


def read_extensions(stored: Iterable[Mapping[str, Any]] | None) -> list[Extension]:
    """The extensions of a deadline, read back from their stored form (None: none)."""
    return [Extension.from_json(item) for item in stored or ()]
