"""The calendar and deadlines: `holiday`, `deadline extend`, `due`, `reminder list`."""

from __future__ import annotations

from typing import Annotated

import typer

from mohlat.calendars import normalize_digits
from mohlat.commands.common import (
    CampaignOption,
    JsonOption,
    LimitOption,
    maybe,
    number,
    ok,
    out,
)
from mohlat.commands.gateway import call
from mohlat.display import when
from mohlat.render import (
    calendar_tables,
    due_table,
    reminders_table,
)
from mohlat.views import (
    holidays_json,
    plain,
)

__all__ = ["register"]

holiday_app = typer.Typer(
    help="Closures and holiday corrections (they move deadlines).", no_args_is_help=True
)
deadline_app = typer.Typer(help="Extend deadlines.", no_args_is_help=True)
reminder_app = typer.Typer(help="The reminder outbox.", no_args_is_help=True)


@holiday_app.command("add")
def holiday_add(
    first_day: Annotated[str, typer.Argument(help="First closed day (Jalali).")],
    reason: Annotated[str, typer.Option(help="Why (it goes on every moved case's timeline).")],
    last_day: Annotated[
        str | None,
        typer.Option("--to", help="Last closed day (default: the first).", show_default=False),
    ] = None,
    region: Annotated[
        list[int] | None, number("--region", 1, 9, "Only this region (repeatable).", shown=False)
    ] = None,
    province: Annotated[list[str] | None, maybe(help="Only this province (repeatable).")] = None,
    working_day: Annotated[
        bool,
        typer.Option(
            "--working-day",
            help="Declare the days working days instead (to correct an estimated lunar holiday).",
        ),
    ] = False,
) -> None:
    """Close offices on some days (pollution, heat, emergencies), nationally or locally;
    every pending deadline the closure touches moves.

    Example: `mohlat holiday add 1400/02/13 --reason "air pollution" --province Tehran`
    """
    moved = call(
        "calendar.add",
        first_day=first_day,
        last_day=last_day,
        reason=reason,
        regions=list(region or []),
        provinces=province or [],
        working_day=working_day,
    )
    ok(f"recorded as #{moved.closure_id}; {moved.deadlines} pending deadline(s) moved")


@holiday_app.command("remove")
def holiday_remove(
    closure: Annotated[
        int, number("closure", 1, 2**31 - 1, "The closure's number (see `holiday list`).")
    ],
    reason: Annotated[str, typer.Option(help="Why it is removed.")],
) -> None:
    """Remove a closure or working-day correction; pending deadlines are counted again.

    Example: `mohlat holiday remove 3 --reason "announced in error"`
    """
    moved = call("calendar.remove", closure=closure, reason=reason)
    ok(f"removed; {moved.deadlines} pending deadline(s) moved")


@holiday_app.command("list")
def holiday_list(
    year: Annotated[
        int | None, number("--year", 1, 9999, "Jalali year of official holidays.", shown=False)
    ] = None,
    as_json: JsonOption = False,
) -> None:
    """List a year's official holidays (from the `holidays` package) and every closure
    (public: no login needed).

    Example: `mohlat holiday list --year 1400`
    """
    found = call("calendar.read", year=year)
    out(as_json, holidays_json(found), calendar_tables(found))


@deadline_app.command("extend")
def deadline_extend(
    reason: Annotated[str, typer.Option(help="Why (it goes on the timeline).")],
    case: Annotated[
        str | None,
        typer.Argument(
            help="A case id or office code; leave out with --window.", show_default=False
        ),
    ] = None,
    campaign: CampaignOption = None,
    window: Annotated[
        str | None, maybe(help="Extend a campaign window instead: declaration or review.")
    ] = None,
    region: Annotated[
        int | None, number("--region", 1, 9, "With --window: only this region.", shown=False)
    ] = None,
    to: Annotated[str | None, maybe(help="The new last day (Jalali).")] = None,
    days: Annotated[
        int | None, number("--days", 1, 365, "Or: this many days more.", shown=False)
    ] = None,
) -> None:
    """Extend one case's running deadline, or a campaign's window for one region or all.

    Example: `mohlat deadline extend --window declaration --region 3 --to 1400/02/08 --reason x`
    """
    moved = call(
        "deadline.extend",
        reason=reason,
        case=normalize_digits(case) if case else None,
        campaign=campaign,
        window=window,
        region=region,
        to=to,
        days=days,
    )
    due = f"; now due {when(moved.due_at)}" if moved.due_at is not None else ""
    ok(f"{moved.deadlines} deadline(s) extended{due}")


def due(
    within: Annotated[str, typer.Option(help="How far ahead: 3d, 12h, 90m.")] = "3d",
    campaign: CampaignOption = None,
    as_json: JsonOption = False,
) -> None:
    """Deadlines about to fall, per region and kind (within your remit).

    Example: `mohlat due --within 3d`
    """
    from mohlat.services.due import parse_span

    parse_span(within)  # refused here before logging in
    rows = call("due", within=within, campaign=campaign)
    out(as_json, [plain(r) for r in rows], due_table(rows, within))


@reminder_app.command("list")
def reminder_list(
    everything: Annotated[bool, typer.Option("--all", help="Sent ones too.")] = False,
    limit: LimitOption = 100,
    as_json: JsonOption = False,
) -> None:
    """The reminders the scheduler queued for a sender (SMS, e-mail) to deliver.

    Example: `mohlat reminder list --json`
    """
    rows = call("reminder.list", all=everything, limit=limit)
    out(as_json, [plain(r) for r in rows], reminders_table(rows))


def register(app: typer.Typer) -> None:
    """Add these commands to the ``mohlat`` app."""
    app.add_typer(holiday_app, name="holiday")
    app.add_typer(deadline_app, name="deadline")
    app.add_typer(reminder_app, name="reminder")
    app.command()(due)
