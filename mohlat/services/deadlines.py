"""Deadlines that move when the world does: closures, working-day corrections and
extensions, each recorded on the timeline of every case whose deadline it moves.

Policy:

* Adding a closure (or a working-day correction, or removing either) counts every
  pending deadline again on the new calendar. Only deadlines still in the future
  move; one that already fell due (even if no sweep has applied it yet) never
  moves. A change never moves a deadline into the past, and closing a day never
  brings a deadline earlier.
* A deadline that is not counted on the calendar does not move with it: a resumed
  review clock (it runs on the time it had left), and a declaration window given by
  dates unless the campaign rolls its last day forward.
* An extension is an administrator's decision with a reason: one case's current
  deadline, or a whole window of a campaign (declaration or review), for one region
  or all. Extending the declaration window of every region moves the campaign's
  review window and publication with it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from mohlat.calendars import end_of_day, format_instant, parse_jalali_date, tehran_date
from mohlat.errors import InvalidInput, NotFound, Refused
from mohlat.services.access import Actor, authorize
from mohlat.services.campaigns import find_campaign
from mohlat.services.cases import resolve_case
from mohlat.services.rules import CalendarBook, campaign_rules, years_of
from mohlat.store import Database, Transaction
from mohlat.store import queries as q
from mohlat.store.models import Closure
from mohlat.store.snapshots import load_snapshots
from mohlat.store.writes import apply_plan
from mohlat.workflow.definition import PUBLICATION_KIND, STATE_DEADLINES, DeadlineKind, State
from mohlat.workflow.engine import CampaignRules, DeadlineChange, Plan, plan_note

__all__ = [
    "MAX_REASON",
    "Moved",
    "add_closure",
    "extend_case",
    "extend_window",
    "remove_closure",
]

MAX_REASON = 500


class ClosureNotFound(NotFound):
    """No closure with this id."""

    what = "closure"


@dataclass(frozen=True)
class Moved:
    """What a calendar change or an extension did."""

    deadlines: int
    cases: int
    closure_id: int | None = None


def _reason(reason: str) -> str:
    text = reason.strip()
    if not text:
        raise InvalidInput("reason", reason, "a reason is required (it goes on the timeline)")
    if len(text) > MAX_REASON:
        raise InvalidInput("reason", f"{text[:20]}…", f"at most {MAX_REASON} characters")
    return text


def add_closure(
    db: Database,
    *,
    actor: Actor,
    now: datetime,
    first_day: str,
    last_day: str | None,
    reason: str,
    regions: Sequence[int] = (),
    provinces: Sequence[str] = (),
    working_day: bool = False,
) -> Moved:
    """Record a closure (or, with ``working_day``, days that are working days despite
    an estimated official holiday) and move every pending deadline it touches."""
    authorize(actor, "calendar.edit")
    text = _reason(reason)
    first = parse_jalali_date(first_day, field="first day")
    last = parse_jalali_date(last_day, field="last day") if last_day else first
    if last < first:
        raise InvalidInput("last day", last_day, f"a day on or after {first_day}")
    if (last - first).days > 60:
        raise InvalidInput("last day", last_day, "a closure of at most 60 days")
    for region in regions:
        if not 1 <= region <= 9:
            raise InvalidInput("region", region, "a region from 1 to 9")
    if working_day and (regions or provinces):
        raise InvalidInput(
            "region", list(regions) or list(provinces), "a working-day correction is national"
        )
    with db.transaction() as tx:
        closure = q.add(
            tx,
            Closure(
                kind="working_day" if working_day else "closure",
                first_day=first.strftime("%Y/%m/%d"),
                last_day=last.strftime("%Y/%m/%d"),
                reason=text,
                regions=sorted(set(regions)),
                provinces=sorted({p.strip() for p in provinces if p.strip()}),
                created_at=now,
                created_by=actor.name,
            ),
        )
        label = "working day" if working_day else "closure"
        moved = _recount(
            tx,
            now=now,
            later_only=not working_day,
            actor=actor.name,
            why=f"{label} {first.strftime('%Y/%m/%d')}"
            f"{'' if last == first else '–' + last.strftime('%Y/%m/%d')}: {text}",
        )
    return Moved(moved.deadlines, moved.cases, closure.id)


def remove_closure(
    db: Database, *, actor: Actor, now: datetime, closure_id: int, reason: str
) -> Moved:
    """Remove a closure or working-day correction and count pending deadlines again."""
    authorize(actor, "calendar.edit")
    text = _reason(reason)
    with db.transaction() as tx:
        removed = q.delete_closure(tx, closure_id=closure_id)
        if removed is None:
            raise ClosureNotFound(closure_id)
        moved = _recount(
            tx,
            now=now,
            actor=actor.name,
            why=f"{removed.kind.replace('_', ' ')} {removed.first_day} removed: {text}",
        )
    return moved


def _recount(
    tx: Transaction, *, now: datetime, actor: str, why: str, later_only: bool = False
) -> Moved:
    """Count every campaign's future pending deadlines on the calendar as it now is;
    ``later_only`` (a day closed) never brings one earlier."""
    deadlines = cases = 0
    for campaign in q.list_campaigns(tx):
        assert campaign.id is not None
        rules = campaign_rules(
            tx, campaign, calendars=CalendarBook.load(tx, years=years_of(campaign))
        )
        moves: dict[int, tuple[DeadlineKind, int, datetime, datetime]] = {}
        for case_id, kind, region, province, started_at, due in q.pending_deadlines(
            tx, campaign_id=campaign.id, after=now
        ):
            new_due = rules.recount(DeadlineKind(kind), started_at, region, province)
            if new_due is None or new_due == due or new_due <= now:
                continue
            if new_due > due or not later_only:
                moves[case_id] = (DeadlineKind(kind), region, due, new_due)
        _record_moves(tx, rules, moves, now=now, actor=actor, action="deadline_moved", why=why)
        _recount_publication(tx, rules, campaign.id, now=now)
        deadlines += len(moves)
        cases += len(moves)
    return Moved(deadlines, cases)


def _recount_publication(
    tx: Transaction, rules: CampaignRules, campaign_id: int, *, now: datetime
) -> None:
    own = q.campaign_deadline(tx, campaign_id=campaign_id, kind=PUBLICATION_KIND)
    if own is None or own.due_at is None or own.due_at <= now or own.started_at is None:
        return
    due = rules.national_due(DeadlineKind.REVIEW, own.started_at)
    if due > now and due != own.due_at:
        assert own.id is not None
        q.move_campaign_deadline(tx, deadline_id=own.id, due_at=due)


def _record_moves(
    tx: Transaction,
    rules: CampaignRules,
    moves: dict[int, tuple[DeadlineKind, int, datetime, datetime]],
    *,
    now: datetime,
    actor: str,
    action: str,
    why: str,
) -> None:
    """Move the deadlines and put one event on each case's timeline, in batches."""
    ids = sorted(moves)
    for start in range(0, len(ids), 5000):
        plan = Plan()
        for snapshot in load_snapshots(tx, ids[start : start + 5000], with_data=False):
            kind, region, old, new = moves[snapshot.case_id]
            change = DeadlineChange(
                "move", snapshot.case_id, snapshot.campaign_id, region, kind, now, due_at=new
            )
            plan.extend(
                plan_note(
                    snapshot,
                    action,
                    at=now,
                    recorded_at=now,
                    actor=actor,
                    payload={
                        "deadline": kind.value,
                        "from": format_instant(old),
                        "to": format_instant(new),
                        "reason": why,
                    },
                    deadlines=[change],
                )
            )
        apply_plan(tx, plan)


def _extended(
    old: datetime, what: str, *, now: datetime, to: str | None, days: int | None
) -> datetime:
    """The new end of ``what`` (now ending at ``old``): refused once it has fallen due,
    and it must be later than ``old``."""
    if old <= now:
        raise Refused(
            f"{what} fell due at {format_instant(old)}; a deadline that fell due is not extended"
        )
    new = _new_due(old, to=to, days=days)
    if new <= old:
        raise InvalidInput(
            "to", to or days, f"a day after the current deadline {format_instant(old)}"
        )
    return new


def _new_due(old: datetime, *, to: str | None, days: int | None) -> datetime:
    if (to is None) == (days is None):
        raise InvalidInput("extension", to or days, "either --to DATE or --days N")
    if days is not None:
        if not 1 <= days <= 365:
            raise InvalidInput("days", days, "from 1 to 365")
        return end_of_day(tehran_date(old) + timedelta(days=days))
    assert to is not None
    return end_of_day(parse_jalali_date(to, field="to"))


def extend_case(
    db: Database,
    *,
    actor: Actor,
    now: datetime,
    ref: str,
    campaign: str | None,
    reason: str,
    to: str | None = None,
    days: int | None = None,
) -> Moved:
    """Extend the deadline a case's current state carries (to the end of a day)."""
    authorize(actor, "deadline.extend")
    text = _reason(reason)
    with db.transaction() as tx:
        row = resolve_case(tx, actor, ref, campaign=campaign, action="deadline.extend")
        assert row.case.id is not None
        rule = STATE_DEADLINES.get(State(row.case.state))
        pending = [d for d in q.case_deadlines(tx, case_id=row.case.id) if d.status == "pending"]
        if rule is None or not pending or pending[0].due_at is None:
            raise Refused(
                f"case {ref!r} has no running deadline to extend (state {row.case.state!r})"
            )
        old = pending[0].due_at
        new = _extended(
            old, f"the {rule.kind.label} deadline of case {ref!r}", now=now, to=to, days=days
        )
        campaign_row = q.campaign_by_id(tx, campaign_id=row.case.campaign_id)
        assert campaign_row is not None
        rules = campaign_rules(tx, campaign_row)
        _record_moves(
            tx,
            rules,
            {row.case.id: (rule.kind, row.case.region, old, new)},
            now=now,
            actor=actor.name,
            action="extend",
            why=text,
        )
    return Moved(1, 1)


def extend_window(
    db: Database,
    *,
    actor: Actor,
    now: datetime,
    campaign: str | None,
    window: str,
    reason: str,
    region: int | None = None,
    to: str | None = None,
    days: int | None = None,
) -> Moved:
    """Extend a campaign's declaration or review window, for one region or all."""
    authorize(actor, "deadline.extend")
    text = _reason(reason)
    windows = {"declaration": DeadlineKind.DECLARATION, "review": DeadlineKind.REVIEW}
    if window not in windows:
        raise InvalidInput("window", window, "declaration or review")
    kind = windows[window]
    if region is not None and not 1 <= region <= 9:
        raise InvalidInput("region", region, "a region from 1 to 9")
    with db.transaction() as tx:
        found = find_campaign(tx, campaign)
        assert found.id is not None
        end = found.closes_at if kind is DeadlineKind.DECLARATION else found.review_closes_at
        new = _extended(end, f"the {window} window of {found.code!r}", now=now, to=to, days=days)
        rules = campaign_rules(tx, found)
        moves = {
            case_id: (kind, reg, due, new)
            for case_id, _k, reg, _p, _s, due in q.pending_deadlines(
                tx, campaign_id=found.id, after=now, kind=kind.value, region=region
            )
            if due < new
        }
        _record_moves(tx, rules, moves, now=now, actor=actor.name, action="extend", why=text)
        if region is None:
            _extend_campaign(tx, found.id, rules, kind, new)
    return Moved(len(moves), len(moves))


def _extend_campaign(
    tx: Transaction, campaign_id: int, rules: CampaignRules, kind: DeadlineKind, new: datetime
) -> None:
    """The campaign's own dates follow an extension that covers every region."""
    own = q.campaign_deadline(tx, campaign_id=campaign_id, kind=PUBLICATION_KIND)
    if kind is DeadlineKind.DECLARATION:
        review_end = rules.national_due(DeadlineKind.REVIEW, new)
        q.set_campaign_window(
            tx, campaign_id=campaign_id, closes_at=new, review_closes_at=review_end
        )
        if own is not None and own.id is not None:
            q.move_campaign_deadline(tx, deadline_id=own.id, due_at=review_end, started_at=new)
    else:
        q.set_campaign_window(
            tx, campaign_id=campaign_id, closes_at=rules.closes_at, review_closes_at=new
        )
        if own is not None and own.id is not None:
            q.move_campaign_deadline(tx, deadline_id=own.id, due_at=new)
