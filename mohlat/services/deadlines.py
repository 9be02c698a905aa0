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
  review window and publication with it. A review window is extended once it has
  started (when declarations close); a published campaign's windows are over.
* An extension is part of the deadline's derivation (:mod:`mohlat.calendars.extensions`):
  it is stored with the deadline and replayed on every recount, so a later closure,
  its removal or a working-day correction never undoes it. A window extension is
  also kept on the campaign's own record, so a case opened later gets it too.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from datetime import datetime
from typing import Any

from mohlat.calendars import (
    Extension,
    format_instant,
    parse_jalali_date,
    read_extensions,
    replay_extensions,
)
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
from mohlat.text_rules import clean_text
from mohlat.views import Moved
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


def _reason(reason: str) -> str:
    text = clean_text(reason, field="reason", max_length=MAX_REASON)
    if not text:
        raise InvalidInput("reason", reason, "a reason is required (it goes on the timeline)")
    return text


def _known_provinces(tx: Transaction, provinces: Sequence[str]) -> list[str]:
    """The provinces named, each one an office is in; refused naming the known ones."""
    named = sorted({" ".join(p.split()) for p in provinces if p.strip()})
    known = set(q.office_provinces(tx))
    unknown = [p for p in named if p not in known]
    if unknown:
        listed = ", ".join(sorted(known)) or "none yet: import offices first"
        raise InvalidInput("province", unknown[0], f"a province of the offices: {listed}")
    return named


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
                provinces=_known_provinces(tx, provinces),
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
    """Count every campaign's future pending deadlines again on the calendar as it
    now is, replaying the extensions granted on them; ``later_only`` (a day closed)
    never brings one earlier."""
    deadlines = cases = 0
    for campaign in q.list_campaigns(tx):
        assert campaign.id is not None
        rules = campaign_rules(
            tx, campaign, calendars=CalendarBook.load(tx, years=years_of(campaign))
        )
        moves: dict[int, tuple[DeadlineKind, int, datetime, datetime]] = {}
        for pending in q.pending_deadlines(tx, campaign_id=campaign.id, after=now):
            kind = DeadlineKind(pending.kind)
            new_due = rules.recount(
                kind,
                pending.started_at,
                pending.region,
                pending.province,
                read_extensions(pending.extensions),
            )
            if new_due is None or new_due == pending.due_at or new_due <= now:
                continue
            if new_due > pending.due_at or not later_only:
                moves[pending.case_id] = (kind, pending.region, pending.due_at, new_due)
        _record_moves(tx, rules, moves, now=now, actor=actor, action="deadline_moved", why=why)
        _recount_windows(tx, rules, campaign.id, now=now)
        deadlines += len(moves)
        cases += len(moves)
    return Moved(deadlines, cases)


def _recount_windows(
    tx: Transaction,
    rules: CampaignRules,
    campaign_id: int,
    *,
    now: datetime,
    granting: Extension | None = None,
) -> None:
    """Count the campaign's own windows again (its declaration close, and its review
    close, which is its publication), with the window extensions on its record and
    the one it is ``granting`` now (kept on the record too)."""
    own = q.campaign_deadline(tx, campaign_id=campaign_id, kind=PUBLICATION_KIND)
    if own is None or own.due_at is None or own.due_at <= now or own.id is None:
        return
    granted = read_extensions(own.extensions) + ([granting] if granting is not None else [])
    closes, review = rules.windows(granted, now=now)
    if review <= now:  # a change never moves a deadline into the past
        return
    q.move_campaign_deadline(
        tx,
        deadline_id=own.id,
        due_at=review,
        started_at=closes,
        extensions=None if granting is None else [e.to_json() for e in granted],
    )
    q.set_campaign_window(tx, campaign_id=campaign_id, closes_at=closes, review_closes_at=review)


def _record_moves(
    tx: Transaction,
    rules: CampaignRules,
    moves: dict[int, tuple[DeadlineKind, int, datetime, datetime]],
    *,
    now: datetime,
    actor: str,
    action: str,
    why: str,
    granted: str | None = None,
) -> None:
    """Move the deadlines and put one event on each case's timeline (what moved the
    deadline, from when to when), in batches."""
    ids = sorted(moves)
    for start in range(0, len(ids), 5000):
        plan = Plan()
        for snapshot in load_snapshots(tx, ids[start : start + 5000], with_data=False):
            kind, region, old, new = moves[snapshot.case_id]
            change = DeadlineChange(
                "move", snapshot.case_id, snapshot.campaign_id, region, kind, now, due_at=new
            )
            payload = {
                "deadline": kind.value,
                "from": format_instant(old),
                "to": format_instant(new),
                "reason": why,
            }
            if granted is not None:
                payload["granted"] = granted
            plan.extend(
                plan_note(
                    snapshot,
                    action,
                    at=now,
                    recorded_at=now,
                    actor=actor,
                    payload=payload,
                    deadlines=[change],
                )
            )
        apply_plan(tx, plan)


def _granted(
    *, actor: Actor, now: datetime, reason: str, to: str | None, days: int | None, since: datetime
) -> Extension:
    """The extension an administrator asks for (validated)."""
    return Extension(
        days=days,
        to=parse_jalali_date(to, field="to") if to is not None else None,
        reason=reason,
        by=actor.name,
        granted_at=now,
        since=since,
    )


def _refuse_fallen(old: datetime, what: str, *, now: datetime) -> None:
    if old <= now:
        raise Refused(
            f"{what} fell due at {format_instant(old)}; a deadline that fell due is not extended"
        )


def _refuse_no_later(old: datetime, new: datetime | None, extension: Extension) -> None:
    if new is None or new <= old:
        raise InvalidInput(
            "to" if extension.to is not None else "days",
            extension.to.strftime("%Y/%m/%d") if extension.to is not None else extension.days,
            f"a day after the current deadline {format_instant(old)}",
        )


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
    """Extend the deadline a case's current state carries: ``days`` more days or to
    the end of the day ``to``, counted like the deadline itself."""
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
        deadline = pending[0]
        old = deadline.due_at
        assert old is not None
        _refuse_fallen(old, f"the {rule.kind.label} deadline of case {ref!r}", now=now)
        extension = _granted(actor=actor, now=now, reason=text, to=to, days=days, since=old)
        campaign_row = q.campaign_by_id(tx, campaign_id=row.case.campaign_id)
        assert campaign_row is not None
        rules = campaign_rules(tx, campaign_row)
        granted = [*read_extensions(deadline.extensions), extension]
        new = rules.recount(
            rule.kind, deadline.started_at, row.case.region, row.case.province, granted
        )
        _refuse_no_later(old, new, extension)
        assert new is not None
        q.set_deadline_extensions(
            tx, rows=[(row.case.id, rule.kind.value, [e.to_json() for e in granted])]
        )
        _record_moves(
            tx,
            rules,
            {row.case.id: (rule.kind, row.case.region, old, new)},
            now=now,
            actor=actor.name,
            action="extend",
            why=text,
            granted=extension.label,
        )
    return Moved(1, 1, due_at=new)


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
    """Extend a campaign's declaration or review window, for one region or all:
    every pending deadline of that window gets the extension, counted on its
    office's calendar."""
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
        what = f"the {window} window of {found.code!r}"
        if found.published_at is not None:
            raise Refused(
                f"{found.code!r} was published at {format_instant(found.published_at)}: "
                f"{what} is over"
            )
        if kind is DeadlineKind.REVIEW and found.closes_at > now:
            raise Refused(
                f"{what} starts when declarations close at {format_instant(found.closes_at)}; "
                "extend the declaration window, or the review window once it has started"
            )
        end = found.closes_at if kind is DeadlineKind.DECLARATION else found.review_closes_at
        _refuse_fallen(end, what, now=now)
        extension = replace(
            _granted(actor=actor, now=now, reason=text, to=to, days=days, since=end),
            window=kind.value,
            region=region,
        )
        rules = campaign_rules(tx, found)
        national = rules.calendar_for(None, None)
        policy = rules.counting_policy(kind)
        _refuse_no_later(end, replay_extensions(end, [extension], policy, national), extension)
        granted_rows: list[tuple[int, str, list[dict[str, Any]]]] = []
        moves: dict[int, tuple[DeadlineKind, int, datetime, datetime]] = {}
        for pending in q.pending_deadlines(
            tx, campaign_id=found.id, after=now, kind=kind.value, region=region
        ):
            granted = [
                *read_extensions(pending.extensions),
                replace(extension, since=pending.due_at),
            ]
            granted_rows.append((pending.case_id, kind.value, [e.to_json() for e in granted]))
            new = rules.recount(kind, pending.started_at, pending.region, pending.province, granted)
            if new is not None and new > pending.due_at:
                moves[pending.case_id] = (kind, pending.region, pending.due_at, new)
        q.set_deadline_extensions(tx, rows=granted_rows)
        _record_moves(
            tx,
            rules,
            moves,
            now=now,
            actor=actor.name,
            action="extend",
            why=text,
            granted=extension.label,
        )
        _recount_windows(tx, rules, found.id, now=now, granting=extension)
    return Moved(len(moves), len(moves))
