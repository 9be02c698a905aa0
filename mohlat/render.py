"""The command line's tables, built from the services' plain views (:mod:`mohlat.views`).

Cases, counts, scores and timelines are drawn by :mod:`mohlat.display`; the rest of
what the CLI prints as a table is here, one function per view.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from datetime import datetime, timedelta

from rich.console import Group
from rich.table import Table
from rich.text import Text

from mohlat.display import num, region_state_table, when
from mohlat.views import (
    AccountEventView,
    AccountView,
    CampaignOverview,
    CampaignView,
    CaseSummary,
    DeadlineView,
    DueSoon,
    HolidayCalendar,
    OfficeView,
    RankingRow,
    ReminderView,
    SessionView,
)

__all__ = [
    "accounts_table",
    "audit_table",
    "calendar_tables",
    "campaign_text",
    "campaigns_table",
    "case_heading",
    "deadlines_table",
    "due_table",
    "offices_table",
    "ranking_table",
    "reminders_table",
    "sessions_table",
    "time_left",
]


def _table(title: str, columns: Sequence[str]) -> Table:
    table = Table(title=title, title_justify="left")
    for column in columns:
        table.add_column(column)
    return table


def campaigns_table(campaigns: Sequence[CampaignView]) -> Table:
    """Campaigns with their windows."""
    table = _table(
        "campaigns", ("code", "title", "declaration window", "review until", "published")
    )
    for c in campaigns:
        table.add_row(
            c.code,
            c.title,
            f"{c.first_day} – {c.last_day}",
            when(c.review_closes_at),
            when(c.published_at),
        )
    return table


def campaign_text(o: CampaignOverview) -> Group:
    """A campaign's windows and, when shown, its cases per region and state."""
    c = o.campaign
    parts: list[Text | Table] = [
        Text.assemble((c.code, "bold"), f" {c.title}"),
        Text(f"  declarations  {when(c.opens_at)} → {when(c.closes_at)}"),
        Text(f"  review until  {when(c.review_closes_at)}"),
        Text(f"  published     {when(c.published_at)}"),
        Text(f"  rubric        sha256 {c.rubric_sha256[:16]}…"),
    ]
    if o.counts is None:
        parts.append(Text("  case counts: log in as an admin or a supervisor to see them"))
    else:
        parts.append(region_state_table(o.counts, "cases per region and state"))
    return Group(*parts)


def offices_table(offices: Sequence[OfficeView]) -> Table:
    """Offices and their holders' national IDs."""
    table = _table("offices", ("code", "name", "kind", "region", "province", "national ID"))
    for o in offices:
        table.add_row(o.code, o.name, o.kind, str(o.region), o.province, o.national_id)
    return table


def accounts_table(accounts: Sequence[AccountView]) -> Table:
    """Accounts and whether they must change their password."""
    table = _table("accounts", ("user", "role", "region", "must change password"))
    for a in accounts:
        table.add_row(
            a.username, a.role, str(a.region or "-"), "yes" if a.must_change_password else ""
        )
    return table


def audit_table(username: str, events: Sequence[AccountEventView]) -> Table:
    """An account's audit trail."""
    table = _table(f"audit trail of {username}", ("when (Tehran)", "what", "by", "detail"))
    for e in events:
        table.add_row(when(e.at), e.action, e.actor, e.detail)
    return table


def calendar_tables(calendar: HolidayCalendar) -> Group:
    """A year's official holidays, then every closure and correction."""
    return Group(_holidays_table(calendar), _closures_table(calendar))


def _holidays_table(calendar: HolidayCalendar) -> Table:
    table = _table(f"official holidays of {calendar.year}", ("date", "holiday"))
    for day in calendar.official:
        table.add_row(day.date, day.name)
    return table


def _closures_table(calendar: HolidayCalendar) -> Table:
    table = _table("closures and corrections", ("#", "kind", "days", "where", "reason", "by"))
    for c in calendar.closures:
        where = ", ".join([*(f"region {r}" for r in c.regions), *c.provinces]) or "national"
        days = c.first_day if c.first_day == c.last_day else f"{c.first_day}–{c.last_day}"
        table.add_row(str(c.id), c.kind, days, where, c.reason, c.created_by)
    return table


def case_heading(c: CaseSummary) -> list[str]:
    """The lines above a case's tables: who, where, state, score and places."""
    lines = [
        f"[bold]case {c.id}[/] · {c.office} {c.office_name} · {c.kind} · region {c.region} "
        f"({c.province}) · campaign {c.campaign}",
        f"  state     {c.state}{' (appeal decision overdue: escalated)' if c.escalated else ''}"
        f" · version {c.version}",
    ]
    if c.total is not None and c.position_national is None:
        lines.append(f"  score     {num(c.total)} (grade {c.grade}), provisional: not ranked yet")
    elif c.total is not None:
        lines.append(
            f"  score     {num(c.total)} (grade {c.grade}), rank {c.position_national}"
            f" nationally, {c.position_regional} in region, {c.position_provincial} in"
            f" province"
        )
    if c.final_total is not None:
        lines.append(f"  final     {num(c.final_total)} (grade {c.final_grade})")
    return lines


def time_left(d: DeadlineView, now: datetime) -> str:
    """How long a deadline has left at ``now``: paused, passed, or days, hours, minutes."""
    if d.remaining_us is not None:
        return f"{_duration(timedelta(microseconds=d.remaining_us))} (paused)"
    if d.due_at is None:
        return "-"
    return _duration(d.due_at - now) if d.due_at > now else "passed"


def _duration(delta: timedelta) -> str:
    seconds = int(delta.total_seconds())
    days, rest = divmod(seconds, 86400)
    return f"{days}d {rest // 3600}h {rest % 3600 // 60}m"


def deadlines_table(deadlines: Sequence[DeadlineView], now: datetime) -> Table:
    """A case's deadlines with the time each has left."""
    table = _table("deadlines", ("kind", "status", "due (Tehran)", "time left"))
    for d in deadlines:
        table.add_row(d.kind, d.status, when(d.due_at), time_left(d, now))
    return table


def due_table(rows: Sequence[DueSoon], within: str) -> Table:
    """Deadlines about to fall, counted per region and kind, with the earliest."""
    counts = Counter((r.region, r.kind) for r in rows)
    earliest: dict[tuple[int, str], datetime] = {}
    for r in rows:
        earliest.setdefault((r.region, r.kind), r.due_at)
    table = _table(
        f"deadlines falling within {within}", ("region", "deadline", "cases", "earliest (Tehran)")
    )
    for (region, kind), n in sorted(counts.items()):
        table.add_row(str(region), kind, str(n), when(earliest[(region, kind)]))
    return table


def reminders_table(rows: Sequence[ReminderView]) -> Table:
    """The reminder outbox."""
    table = _table(
        "reminder outbox", ("#", "to", "case", "deadline", "due (Tehran)", "queued", "sent")
    )
    for r in rows:
        table.add_row(
            str(r.id),
            r.recipient,
            str(r.case_id),
            r.kind,
            when(r.due_at),
            when(r.created_at),
            when(r.sent_at),
        )
    return table


_RANKING_COLUMNS = (
    "#",
    "region #",
    "province #",
    "office",
    "region",
    "province",
    "total",
    "grade",
    "final",
    "change",
)


def ranking_table(rows: Sequence[RankingRow]) -> Table:
    """The ranking: positions, office, totals, grades and an appeal's change."""
    table = Table(title="ranking", title_justify="left")
    for column in _RANKING_COLUMNS:
        table.add_column(column, justify="right" if column.endswith("#") else "left")
    for r in rows:
        table.add_row(
            str(r.position_national or "-"),
            str(r.position_regional or "-"),
            str(r.position_provincial or "-"),
            r.office_code,
            str(r.region),
            r.province,
            num(r.total),
            r.grade or "-",
            f"{num(r.final_total)} ({r.final_grade})" if r.final_total is not None else "-",
            f"{r.change:+g}" if r.change else "",
        )
    return table


def sessions_table(sessions: Sequence[SessionView]) -> Table:
    """Sessions: whose, from where, since and until when."""
    table = _table("sessions", ("#", "user", "client", "opened", "last seen", "expires", "closed"))
    for s in sessions:
        table.add_row(
            str(s.id),
            s.username,
            s.client or "-",
            when(s.created_at),
            when(s.last_seen_at),
            when(s.expires_at),
            when(s.revoked_at),
        )
    return table
