"""The scheduler: sweeps due deadlines at start (catch-up) and then on an interval.

APScheduler only triggers the sweep; it holds no per-case jobs. Every deadline is a
row in the database with its due instant, so nothing is lost while the scheduler is
down: the first sweep after a restart applies everything that fell due meanwhile,
each at its own logical time. On PostgreSQL, several schedulers may run: an
advisory lock lets one sweep at a time and the others skip that round.
"""

from __future__ import annotations

import logging
import signal
from datetime import UTC, datetime
from types import FrameType
from typing import Any

from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.schedulers.base import BaseScheduler
from apscheduler.schedulers.blocking import BlockingScheduler
from apscheduler.triggers.interval import IntervalTrigger

from mohlat.calendars import format_instant, parse_jalali_datetime
from mohlat.clock import Clock, SimulatedClock, SystemClock
from mohlat.errors import InvalidInput
from mohlat.services.sweep import SweepReport, sweep
from mohlat.store import Database

__all__ = ["clock_as_of", "describe", "run", "tick"]

log = logging.getLogger(__name__)


def clock_as_of(at: str | None, now: datetime) -> Clock | None:
    """A clock standing at the Jalali time ``at`` (None: the system's), refused when
    later than ``now``: nothing moves the product's clock forward."""
    if at is None:
        return None
    instant = parse_jalali_datetime(at, field="at")
    if instant > now:
        raise InvalidInput(
            "at",
            at,
            f"a time no later than now ({format_instant(now)}); nothing moves the clock forward",
        )
    return SimulatedClock(instant)


def tick(db: Database, *, clock: Clock | None = None) -> SweepReport:
    """Run one sweep now."""
    clock = clock or SystemClock()
    report = sweep(db, now=clock.now())
    log.info("%s", describe(report))
    return report


def describe(report: SweepReport) -> str:
    """One line saying what a sweep did."""
    if report.skipped:
        return "sweep skipped: another scheduler holds the lock"
    if not report.total and not report.published:
        return "sweep: nothing was due"
    parts = [
        f"{n} × {action} ({src or '-'} → {dst})"
        for (action, src, dst), n in sorted(report.moves.items())
    ]
    if report.published:
        parts.append("published: " + ", ".join(report.published))
    return f"sweep: {report.total} event(s) in {report.batches} batch(es): " + "; ".join(parts)


def _add_sweeps(
    scheduler: BaseScheduler, db: Database, clock: Clock, interval: float, **when: Any
) -> None:
    """The sweep on ``scheduler`` every ``interval`` seconds: one at a time, runs missed
    while it was busy or down folded into the next."""
    scheduler.add_job(
        tick,
        IntervalTrigger(seconds=interval),
        kwargs={"db": db, "clock": clock},
        id="sweep",
        max_instances=1,
        coalesce=True,
        misfire_grace_time=None,
        **when,
    )


def run(db: Database, *, interval_seconds: float = 60.0, clock: Clock | None = None) -> None:
    """Sweep now, then every ``interval_seconds`` until interrupted."""
    clock = clock or SystemClock()
    tick(db, clock=clock)
    scheduler = BlockingScheduler(timezone="UTC")
    _add_sweeps(scheduler, db, clock, interval_seconds)

    def _stop(signum: int, _frame: FrameType | None) -> None:
        log.info("signal %s: stopping the scheduler", signum)
        scheduler.shutdown(wait=True)

    signal.signal(signal.SIGTERM, _stop)
    log.info("scheduler running: a sweep every %s s (Ctrl-C to stop)", interval_seconds)
    try:
        scheduler.start()
    except (KeyboardInterrupt, SystemExit):
        log.info("scheduler stopped")


def start_in_background(
    db: Database, *, interval_seconds: float = 60.0, clock: Clock | None = None
) -> BackgroundScheduler:
    """Sweep at once (catch-up), then every ``interval_seconds``, in a thread of this
    process (``mohlat serve --scheduler``); stop it with ``shutdown()``. On PostgreSQL
    the sweep lock keeps it to one sweep at a time with any other scheduler."""
    clock = clock or SystemClock()
    scheduler = BackgroundScheduler(timezone="UTC")
    _add_sweeps(scheduler, db, clock, interval_seconds, next_run_time=datetime.now(UTC))
    scheduler.start()
    log.info("scheduler running in the server: a sweep every %s s", interval_seconds)
    return scheduler
