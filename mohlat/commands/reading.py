"""Reading cases and ranks: `case list/show`, `timeline`, `ranking`, `eligible`, `score explain`."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from mohlat.calendars import normalize_digits
from mohlat.commands.common import (
    MANY,
    CampaignOption,
    CaseArg,
    JsonOption,
    LimitOption,
    RegionOption,
    console,
    current_time,
    maybe,
    number,
    ok,
    out,
    print_json,
)
from mohlat.commands.gateway import call
from mohlat.display import case_table, score_table, timeline_table
from mohlat.render import (
    case_heading,
    deadlines_table,
    ranking_table,
    time_left,
)
from mohlat.views import (
    case_detail_json,
    case_json,
    eligible_json,
    event_json,
    explanation_json,
    ranking_json,
)

__all__ = ["register"]

case_app = typer.Typer(help="List and inspect cases.", no_args_is_help=True)
score_app = typer.Typer(help="Scores and their explanation.", no_args_is_help=True)


@case_app.command("list")
def case_list(
    campaign: CampaignOption = None,
    state: Annotated[str | None, maybe(help="Only cases in this state.")] = None,
    region: RegionOption = None,
    overdue: Annotated[
        bool, typer.Option(help="Only appeals whose decision is overdue (escalated).")
    ] = False,
    limit: LimitOption = 50,
    as_json: JsonOption = False,
) -> None:
    """List the cases you may see (a supervisor: its region's; an office: its own).

    Example: `mohlat case list --state regional_review --region 3`
    """
    rows = call(
        "case.list", campaign=campaign, state=state, region=region, overdue=overdue, limit=limit
    )
    out(
        as_json,
        [case_json(r) for r in rows],
        case_table(rows, "overdue appeal decisions" if overdue else "cases"),
    )


@case_app.command("show")
def case_show(case: CaseArg, campaign: CampaignOption = None, as_json: JsonOption = False) -> None:
    """Show a case: its data, score, running clocks and timeline.

    Example: `mohlat case show 17`
    """
    from mohlat.scoring import Score

    view = call("case.show", ref=normalize_digits(case), campaign=campaign)
    now = current_time()
    if as_json:
        left = [time_left(d, now) for d in view.deadlines]
        print_json(case_detail_json(view, time_left=left))
        return
    for line in case_heading(view.case):
        console.print(line, markup=True)
    if view.case.breakdown:
        score = Score.from_json(view.case.breakdown)
        console.print(score_table(score.lines, score.total, "score, line by line"))
    console.print(deadlines_table(view.deadlines, now))
    console.print(timeline_table(view.events))


def timeline(case: CaseArg, campaign: CampaignOption = None, as_json: JsonOption = False) -> None:
    """Print a case's timeline: every event, when it took effect and when it was recorded.

    Example: `mohlat timeline 17 --json`
    """
    view = call("case.show", ref=normalize_digits(case), campaign=campaign)
    out(as_json, [event_json(e) for e in view.events], timeline_table(view.events))


def ranking(
    campaign: CampaignOption = None,
    region: RegionOption = None,
    limit: Annotated[
        int | None, number("--limit", 1, MANY, "At most this many.", shown=False)
    ] = None,
    csv_file: Annotated[
        Path | None,
        maybe("--csv", help="Write the ranking to this CSV file (safe to open in a spreadsheet)."),
    ] = None,
    as_json: JsonOption = False,
) -> None:
    """The published ranking: national, regional and provincial positions (public once
    published: no login needed).

    Example: `mohlat ranking --region 3 --csv ranking-region-3.csv`
    """
    from mohlat.services.ranking import write_ranking_csv

    rows = call("ranking", campaign=campaign, region=region, limit=limit)
    if csv_file is not None:
        write_ranking_csv(rows, csv_file)
        ok(f"{len(rows)} row(s) written to {csv_file}")
        return
    out(as_json, ranking_json(rows), ranking_table(rows))


def eligible(
    min_grade: Annotated[str, typer.Option(help="The lowest grade that qualifies.")],
    campaign: CampaignOption = None,
    as_json: JsonOption = False,
) -> None:
    """Offices whose final rank qualifies them for new services, per region.

    Example: `mohlat eligible --min-grade B`
    """
    per_region = call("eligible", campaign=campaign, min_grade=min_grade)
    if as_json:
        print_json(eligible_json(per_region))
        return
    for region, rows in per_region.items():
        codes = ", ".join(r.office_code for r in rows)
        console.print(f"region {region}: {len(rows)} office(s): {codes}")
    if not per_region:
        console.print("no office qualifies yet (only final ranks count)")


@score_app.command("explain")
def score_explain(
    case: CaseArg, campaign: CampaignOption = None, as_json: JsonOption = False
) -> None:
    """Explain a case's score line by line: each criterion, its input and its points.

    Example: `mohlat score explain 17`
    """
    found = call("score.explain", ref=normalize_digits(case), campaign=campaign)
    if as_json:
        print_json(explanation_json(found))
        return
    title = f"score of case {found.case.id} ({found.case.office})"
    if found.provisional:
        title += ", provisional: not ranked yet"
    console.print(score_table(found.lines, found.lines_total, title))
    if found.final_total is not None:
        console.print(
            f"published {found.total:g} ({found.grade}); after the appeal "
            f"{found.final_total:g} ({found.final_grade})"
        )


def register(app: typer.Typer) -> None:
    """Add these commands to the ``mohlat`` app."""
    app.add_typer(case_app, name="case")
    app.add_typer(score_app, name="score")
    app.command()(timeline)
    app.command()(ranking)
    app.command()(eligible)
