"""The operator's commands: the `scheduler`, `verify`, `backup`, `check` and the `demo`."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.markup import escape

from mohlat.commands.common import (
    MANY,
    CampaignOption,
    console,
    current_time,
    err_console,
    maybe,
    new_file,
    number,
    ok,
    open_db,
)
from mohlat.commands.gateway import call
from mohlat.errors import InvalidInput

if TYPE_CHECKING:
    from mohlat.services.verify import VerifyReport

__all__ = ["register"]

heads_app = typer.Typer(
    help="Chain heads signed with the server's key, kept outside the database.",
    no_args_is_help=True,
)
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


def verify(
    campaign: CampaignOption = None,
    heads: Annotated[
        Path | None,
        maybe("--heads", help="Also check against a heads file `heads export` signed."),
    ] = None,
) -> None:
    """Check every case: its hash-chained timeline, and its state, scores, places,
    declaration, region and deadlines worked out again from that timeline and the
    frozen rubric; each campaign's event count and rubric. Names the first fault of
    each. With --heads, also that no chain was rebuilt, cut back or wiped since the
    heads were exported (the chain key comes from the server's MOHLAT_CHAIN_KEY_FILE).

    Example: `mohlat verify --heads /srv/keep/heads-1405-09-11.json`
    """
    text = _read_heads(heads) if heads is not None else None
    report = call("verify", campaign=campaign, heads=text)
    _print_verified(report)


def _read_heads(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        raise InvalidInput("--heads", str(path), "a heads file `heads export` wrote") from None
    except OSError as exc:
        raise InvalidInput(
            "--heads", str(path), f"a readable heads file ({exc.strerror})"
        ) from None


@heads_app.command("export")
def heads_export(
    target: Annotated[Path, typer.Argument(help="The new heads file (never overwritten).")],
) -> None:
    """Write every case's and campaign's chain head, signed with the server's chain key
    (MOHLAT_CHAIN_KEY_FILE), to a new file to keep outside the database; `verify
    --heads FILE` later proves nothing before it was rewritten.

    Example: `mohlat heads export /srv/keep/heads-1405-09-11.json`
    """
    new_file(target, "heads file")
    text = call("heads.export").text
    target.write_text(text, encoding="utf-8")
    ok(f"heads written to {target}; keep it where the database's users cannot write")


def _print_verified(report: VerifyReport, integrity: Sequence[str] = ()) -> None:
    """Print what a verification found; exit 1 if anything does not hold."""
    for problem in integrity:
        err_console.print(f"database integrity: {problem}")
    faults = report.faults()
    for fault in faults:
        err_console.print(escape(fault))
    summary = report.summary()
    if integrity:
        err_console.print("[bold red]the database's integrity check failed[/]", markup=True)
    if not report.ok:
        err_console.print(f"[bold red]{len(faults)} fault(s)[/]; {summary}", markup=True)
    if integrity or not report.ok:
        raise typer.Exit(1)
    ok(f"every timeline holds: {summary}")


def backup(
    target: Annotated[Path, typer.Argument(help="The new backup file (never overwritten).")],
) -> None:
    """Copy the SQLite database to a new file, consistent while the scheduler and users
    keep writing, and check the copy. An operator's command on the server host (no
    login). PostgreSQL: use pg_dump (README, "Backups and checks").

    Example: `mohlat backup /var/backups/mohlat-1405-09-11.db`
    """
    from mohlat.services.access import SYSTEM
    from mohlat.services.backup import backup_database

    db = open_db()
    try:
        report = backup_database(db, actor=SYSTEM, target=str(target))
    finally:
        db.dispose()
    ok(f"backed up to {target}; the copy:")
    _print_verified(report.timelines, report.integrity)


def check() -> None:
    """Run the database's own integrity check and verify every timeline. An operator's
    command on the server host (no login).

    Example: `mohlat check`
    """
    from mohlat.services.access import SYSTEM
    from mohlat.services.backup import check_database

    db = open_db()
    try:
        report = check_database(db, actor=SYSTEM)
    finally:
        db.dispose()
    _print_verified(report.timelines, report.integrity)


def demo(
    offices: Annotated[int, number("--offices", 10, MANY, "How many synthetic offices.")] = 200,
    db: Annotated[
        Path,
        typer.Option("--db", help="The demo's own SQLite file (a demo's file is replaced)."),
    ] = Path("mohlat-demo.db"),
    seed: Annotated[int, number("--seed", 0, 2**31, "Random seed.")] = 1400,
    force: Annotated[
        bool, typer.Option("--force", help="Replace --db even if it is not a demo's file.")
    ] = False,
) -> None:
    """Run a whole campaign on a fresh SQLite file with a simulated clock: the article's
    dates (17 Farvardin – 5 Ordibehesht 1400), synthetic offices in the 9 regions,
    declarations, referrals, ranking, appeals and finals, all by the real services and
    the real sweep.

    Example: `mohlat demo --offices 100000`
    """
    from mohlat.demo import run_demo

    run_demo(path=db, offices=offices, seed=seed, console=console, force=force)


def register(app: typer.Typer) -> None:
    """Add these commands to the ``mohlat`` app."""
    app.add_typer(scheduler_app, name="scheduler")
    app.add_typer(heads_app, name="heads")
    app.command()(verify)
    app.command()(backup)
    app.command()(check)
    app.command()(demo)
