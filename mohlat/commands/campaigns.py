"""Campaigns and offices: the `campaign` and `office` commands."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from mohlat.commands.common import (
    JsonOption,
    LimitOption,
    RegionOption,
    err_console,
    maybe,
    number,
    ok,
    out,
)
from mohlat.commands.gateway import call
from mohlat.display import when
from mohlat.render import (
    campaign_text,
    campaigns_table,
    offices_table,
)
from mohlat.views import (
    campaign_json,
    campaign_overview_json,
    plain,
)

__all__ = ["register"]

campaign_app = typer.Typer(help="Create and inspect campaigns.", no_args_is_help=True)
office_app = typer.Typer(help="Import and list offices.", no_args_is_help=True)


@campaign_app.command("create")
def campaign_create(
    code: Annotated[str, typer.Argument(help="Short unique code, e.g. 1400-2.")],
    first_day: Annotated[str, typer.Option(help="First day of self-declaration (Jalali).")],
    last_day: Annotated[str, typer.Option(help="Last day of self-declaration (Jalali), included.")],
    title: Annotated[str, typer.Option(help="A title.")] = "",
    review_days: Annotated[int, number("--review-days", 1, 365, "Days of regional review.")] = 10,
    correction_days: Annotated[
        int, number("--correction-days", 1, 365, "Days to correct a referred file.")
    ] = 5,
    appeal_days: Annotated[int, number("--appeal-days", 1, 365, "Days to appeal a rank.")] = 7,
    decision_days: Annotated[
        int, number("--decision-days", 1, 365, "Days to decide an appeal.")
    ] = 10,
    rubric: Annotated[Path | None, maybe(help="Rubric TOML (default: built in).")] = None,
) -> None:
    """Create a campaign and open a case for every office.

    Example: `mohlat campaign create 1400-2 --first-day 1400/01/17 --last-day ۱۴۰۰/۰۲/۰۵`
    """
    from mohlat.scoring import read_rubric_text

    campaign = call(
        "campaign.create",
        code=code,
        first_day=first_day,
        last_day=last_day,
        title=title,
        review_days=review_days,
        correction_days=correction_days,
        appeal_days=appeal_days,
        decision_days=decision_days,
        rubric=read_rubric_text(rubric) if rubric else None,
        rubric_source=str(rubric) if rubric else None,
    )
    ok(
        f"campaign {campaign.code}: declarations {when(campaign.opens_at)} → "
        f"{when(campaign.closes_at)}; review until {when(campaign.review_closes_at)}"
    )


@campaign_app.command("list")
def campaign_list(as_json: JsonOption = False) -> None:
    """List campaigns, newest first (public: no login needed).

    Example: `mohlat campaign list --json`
    """
    found = call("campaign.list")
    out(as_json, [campaign_json(c) for c in found], campaigns_table(found))


@campaign_app.command("show")
def campaign_show(
    code: Annotated[
        str | None, typer.Argument(help="Campaign code (default: newest).", show_default=False)
    ] = None,
    as_json: JsonOption = False,
) -> None:
    """Show a campaign: its windows (public) and, to an admin or a supervisor logged in
    with $MOHLAT_USER, how many cases stand where, per region.

    Example: `mohlat campaign show 1400-2`
    """
    overview = call("campaign.show", code=code)
    out(as_json, campaign_overview_json(overview), campaign_text(overview))


@office_app.command("import")
def office_import(
    path: Annotated[
        Path,
        typer.Argument(help="CSV with code,name,kind,region,province,national_id[,holder_name]."),
    ],
    skip_invalid: Annotated[
        bool, typer.Option(help="Import the good rows, report the bad.")
    ] = False,
) -> None:
    """Import offices (and their license holders' accounts) from CSV: all or nothing.

    Example: `mohlat office import offices.csv`
    """
    from mohlat.services.offices import read_offices_file

    report = call("office.import", text=read_offices_file(path), skip_invalid=skip_invalid)
    for error in report.skipped:
        err_console.print(f"skipped: {error}")
    ok(f"{report.offices} office(s) imported; {report.cases_opened} case(s) opened")


@office_app.command("list")
def office_list(
    region: RegionOption = None,
    limit: LimitOption = 50,
    as_json: JsonOption = False,
) -> None:
    """List offices (an admin: all; a supervisor: its region's).

    Example: `mohlat office list --region 3`
    """
    offices = call("office.list", region=region, limit=limit)
    out(as_json, [plain(o) for o in offices], offices_table(offices))


def register(app: typer.Typer) -> None:
    """Add these commands to the ``mohlat`` app."""
    app.add_typer(campaign_app, name="campaign")
    app.add_typer(office_app, name="office")
