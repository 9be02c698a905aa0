"""The operator's commands: the `scheduler`, `verify` and the `demo`."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Annotated

import typer

from mohlat.commands.common import (
    MANY,
    CampaignOption,
    acting,
    console,
    current_time,
    err_console,
    maybe,
    number,
    ok,
    open_db,
)

__all__ = ["register"]

scheduler_app = typer.Typer(
    help="Apply due deadlines: once, or on an interval.", no_args_is_help=True
)


@scheduler_app.command("tick")
def scheduler_tick(
    at: Annotated[
        str | None, maybe(help="Sweep as of an earlier Jalali time (never a later one than now).")
    ] = None,
) -> None:
    """Run one sweep now and exit (for cron). An operator's command on the server host:
    no login, it acts as the system.

    Example: `*/5 * * * * mohlat scheduler tick`
    """
    from mohlat.scheduler import clock_as_of, describe, tick

    clock = clock_as_of(at, current_time())
    console.print(describe(tick(open_db(), clock=clock)))


@scheduler_app.command("run")
def scheduler_run(
    interval: Annotated[int, number("--interval", 1, 86400, "Seconds between sweeps.")] = 60,
) -> None:
    """Sweep now (catch-up), then on an interval, until stopped. An operator's command
    on the server host: no login, it acts as the system.

    Example: `mohlat -v scheduler run --interval 30`
    """
    from mohlat.scheduler import run

    logging.getLogger("mohlat").setLevel(logging.INFO)
    run(open_db(), interval_seconds=interval)


def verify(campaign: CampaignOption = None) -> None:
    """Check every case's hash-chained timeline; name the first broken event of each.

    Example: `mohlat verify`
    """
    from mohlat.services.verify import verify_timelines

    with acting() as (db, actor):
        report = verify_timelines(db, actor=actor, campaign=campaign)
    for broken in report.broken:
        err_console.print(
            f"case {broken.case_id} ({broken.office_code}): event #{broken.seq}: {broken.why}"
        )
    summary = f"{report.cases_checked} case(s), {report.events_checked} event(s) checked"
    if not report.ok:
        err_console.print(
            f"[bold red]{len(report.broken)} broken timeline(s)[/]; {summary}", markup=True
        )
        raise typer.Exit(1)
    ok(f"every timeline holds: {summary}")


def demo(
    offices: Annotated[int, number("--offices", 10, MANY, "How many synthetic offices.")] = 200,
    db: Annotated[Path, typer.Option("--db", help="The demo's own SQLite file (replaced).")] = Path(
        "mohlat-demo.db"
    ),
    seed: Annotated[int, number("--seed", 0, 2**31, "Random seed.")] = 1400,
) -> None:
    """Run a whole campaign on a fresh SQLite file with a simulated clock: the article's
    dates (17 Farvardin – 5 Ordibehesht 1400), synthetic offices in the 9 regions,
    declarations, referrals, ranking, appeals and finals, all by the real services and
    the real sweep.

    Example: `mohlat demo --offices 100000`
    """
    from mohlat.demo import run_demo

    run_demo(path=db, offices=offices, seed=seed, console=console)


def register(app: typer.Typer) -> None:
    """Add these commands to the ``mohlat`` app."""
    app.add_typer(scheduler_app, name="scheduler")
    app.command()(verify)
    app.command()(demo)
