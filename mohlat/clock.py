"""The clock, injected wherever time is needed.

Domain logic never reads the wall clock: it receives instants as arguments. The I/O
layer gets them from a :class:`Clock`. The product only ever uses
:class:`SystemClock`; nothing lets a user move it. Tests freeze it with freezegun,
and ``mohlat demo`` drives its own :class:`SimulatedClock`, which it names as such.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Protocol

from mohlat.calendars.jalali import ensure_utc

__all__ = ["Clock", "SimulatedClock", "SystemClock", "ensure_utc"]


class Clock(Protocol):
    """Something that tells the current instant (timezone-aware, UTC)."""

    def now(self) -> datetime:
        """The current instant, timezone-aware in UTC."""
        ...


class SystemClock:
    """The real wall clock."""

    def now(self) -> datetime:
        """The current instant, timezone-aware in UTC."""
        return datetime.now(UTC)


class SimulatedClock:
    """A clock that only moves when told to; used by the demo and by tests."""

    def __init__(self, start: datetime) -> None:
        self._now = ensure_utc(start)

    def now(self) -> datetime:
        """The simulated instant."""
        return self._now

    def set(self, instant: datetime) -> None:
        """Move to ``instant`` (never backwards)."""
        instant = ensure_utc(instant)
        if instant < self._now:
            raise ValueError(f"a simulated clock does not go back: {instant!r} < {self._now!r}")
        self._now = instant

    def advance(self, delta: timedelta) -> None:
        """Move forward by ``delta``."""
        self.set(self._now + delta)
