"""The sweep: apply every deadline that has fallen due, in due-time order.

Each step takes the earliest group of pending deadlines due at or before ``now``
(one kind, one instant, up to ``batch_size`` cases) and fires the trigger their
state's rule names, at the instant the deadline fell due (its logical time). New
deadlines opened by those moves are picked up by later steps if they too are due,
so one sweep after weeks of downtime carries each case through every window that
closed meanwhile and leaves the same states and logical timeline as sweeps that
ran all along. One transaction per step; a sweep with nothing due writes nothing.
"""

from __future__ import annotations

import logging
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from mohlat.services.access import SYSTEM, authorize
from mohlat.services.moves import assign_late_positions, fire, publish_in
from mohlat.services.rules import CalendarBook, campaign_rules, years_of
from mohlat.store import Database, Transaction
from mohlat.store import queries as q
from mohlat.store.locks import lock_for_sweep
from mohlat.store.reminders import write_reminders
from mohlat.store.snapshots import next_due
from mohlat.workflow.definition import DeadlineKind
from mohlat.workflow.rulebook import actions_fired_by, office_deadline_kinds
from mohlat.workflow.settings import CampaignSettings

__all__ = ["LAST_SWEEP_KEY", "SweepReport", "sweep"]

log = logging.getLogger(__name__)

DEFAULT_BATCH = 5000


@dataclass
class SweepReport:
    """What one sweep did."""

    now: datetime
    moves: Counter[tuple[str, str, str]] = field(default_factory=Counter)
    published: list[str] = field(default_factory=list)
    reminders: int = 0
    batches: int = 0
    skipped: bool = False

    @property
    def total(self) -> int:
        """How many case events were written."""
        return sum(self.moves.values())


#: how long a closed or expired session stays listed (`user sessions --all`)
SESSIONS_KEPT = timedelta(days=30)

#: the server setting that keeps the instant the last whole sweep applied everything to
LAST_SWEEP_KEY = "sweep.last_at"


def sweep(
    db: Database, *, now: datetime, batch_size: int = DEFAULT_BATCH, actor: str = SYSTEM.name
) -> SweepReport:
    """Apply every deadline due at or before ``now``, as the system (the server host's
    operator: no login); see the module docstring."""
    authorize(SYSTEM, "deadline.sweep")
    report = SweepReport(now=now)
    books: dict[int, CalendarBook] = {}
    while True:
        with db.transaction() as tx:
            if not lock_for_sweep(tx):
                report.skipped = True
                log.info("another scheduler is sweeping; skipped")
                return report
            due = next_due(tx, now=now, limit=batch_size)
            if due is None:
                report.reminders = _queue_reminders(tx, now=now)
                q.put_setting(tx, key=LAST_SWEEP_KEY, value=now.isoformat())
                q.prune_sessions(tx, ended_before=now - SESSIONS_KEPT)
                return report
            report.batches += 1
            if due.campaign_id is not None:
                campaign = q.campaign_by_id(tx, campaign_id=due.campaign_id)
                assert campaign is not None and campaign.id is not None
                rules = campaign_rules(
                    tx, campaign, published_at=due.due_at, calendars=books.get(campaign.id)
                )
                done = publish_in(tx, rules=rules, at=due.due_at, recorded_at=now, actor=actor)
                report.moves += done.moves
                report.published.append(campaign.code)
                log.info(
                    "campaign %s: ranks published at %s (%s cases ranked)",
                    campaign.code,
                    due.due_at,
                    done.positions,
                )
                continue
            action = actions_fired_by(DeadlineKind(due.kind))
            campaign = q.campaign_by_id(tx, campaign_id=due.case_campaign_id)
            assert campaign is not None and campaign.id is not None
            if campaign.id not in books:
                books[campaign.id] = CalendarBook.load(tx, years=years_of(campaign))
            rules = campaign_rules(tx, campaign, calendars=books[campaign.id])
            report.moves += fire(
                tx,
                action,
                due.case_ids,
                rules=rules,
                at=due.due_at,
                recorded_at=now,
                actor=actor,
                by_deadline=True,
            )
            if rules.is_published(due.due_at):
                assign_late_positions(tx, rules=rules)
            log.info(
                "%s deadline due %s: %s case(s) moved by %r",
                due.kind,
                due.due_at,
                len(due.case_ids),
                action,
            )


def _queue_reminders(tx: Transaction, *, now: datetime) -> int:
    """Queue the reminders of deadlines about to fall, once each."""
    kinds = {k.value for k in office_deadline_kinds()}
    queued = 0
    for campaign in q.list_campaigns(tx):
        lead = CampaignSettings.from_json(campaign.settings).reminder_lead_hours
        if lead > 0 and campaign.id is not None:
            queued += write_reminders(
                tx, campaign_id=campaign.id, now=now, lead=timedelta(hours=lead), office_kinds=kinds
            )
    return queued
