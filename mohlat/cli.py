"""The command line: ``mohlat`` (Typer + Rich).

Thin on purpose: it parses, identifies the actor, calls one service, prints. Who may
do what, the queries and the rules are the services' (:mod:`mohlat.services`); the
JSON shapes are :mod:`mohlat.views`', the tables :mod:`mohlat.render`'s. Exit codes
come from the error hierarchy in one place (:class:`_Group`): 0 done, 1 refused by a
rule (deadline, state, permission), 2 bad usage or bad input. Nothing here imports
the database layer at import time, so ``mohlat --help`` stays fast.

Public reads (``campaign list/show``, ``holiday list``, a published ``ranking``) log
in only when ``$MOHLAT_USER`` is set; ``scheduler tick/run`` never log in: they are
the server host operator's and act as the system.
"""

from __future__ import annotations

import json
import logging
import os
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.console import Console
from rich.markup import escape
from typer.core import TyperGroup

from mohlat.calendars import normalize_digits
from mohlat.clock import SystemClock
from mohlat.display import case_table, score_table, timeline_table, use_persian_digits, when
from mohlat.errors import InvalidInput, MohlatError
from mohlat.params import pairs as _pairs
from mohlat.params import whole_number
from mohlat.render import (
    accounts_table,
    audit_table,
    calendar_tables,
    campaign_text,
    campaigns_table,
    case_heading,
    deadlines_table,
    due_table,
    offices_table,
    ranking_table,
    reminders_table,
    time_left,
)
from mohlat.views import (
    campaign_json,
    campaign_overview_json,
    case_detail_json,
    case_json,
    eligible_json,
    event_json,
    explanation_json,
    holidays_json,
    plain,
    ranking_json,
)

if TYPE_CHECKING:
    from mohlat.services import Database
    from mohlat.services.access import Actor

__all__ = ["app", "main"]

log = logging.getLogger("mohlat")
console = Console(highlight=False)
err_console = Console(stderr=True, highlight=False)


class _Group(TyperGroup):
    """The root command group: maps mohlat's errors to a message and an exit code."""

    def invoke(self, ctx: typer.Context) -> Any:  # type: ignore[override]
        try:
            return super().invoke(ctx)
        except MohlatError as exc:
            err_console.print(f"[bold red]error:[/] {escape(str(exc))}", markup=True)
            raise typer.Exit(exc.exit_code) from None


app = typer.Typer(
    cls=_Group,
    name="mohlat",
    help="mohlat (مهلت): evaluation and ranking of counter offices and rural ICT offices, "
    "with Jalali-calendar deadlines enforced by itself.\n\n"
    "Try `mohlat demo` for a whole campaign on a throwaway database.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
    rich_markup_mode="markdown",
)


def _commands(name: str, help: str) -> typer.Typer:
    group = typer.Typer(help=help, no_args_is_help=True)
    app.add_typer(group, name=name)
    return group


campaign_app = _commands("campaign", "Create and inspect campaigns.")
office_app = _commands("office", "Import and list offices.")
user_app = _commands("user", "Manage admin and supervisor accounts.")
case_app = _commands("case", "List and inspect cases.")
scheduler_app = _commands("scheduler", "Apply due deadlines: once, or on an interval.")
holiday_app = _commands("holiday", "Closures and holiday corrections (they move deadlines).")
deadline_app = _commands("deadline", "Extend deadlines.")
reminder_app = _commands("reminder", "The reminder outbox.")
score_app = _commands("score", "Scores and their explanation.")

_state: dict[str, Any] = {"db_url": None}

MANY = 1_000_000


def _maybe(*names: str, help: str) -> Any:
    """An option with no default worth showing."""
    return typer.Option(*names, help=help, show_default=False)


def _number(name: str, low: int, high: int, help: str, *, shown: bool = True) -> Any:
    """An option (``--name``) or argument (``name``) taking a whole number in any digits."""
    parse = whole_number(name, low, high)
    metavar = name.removeprefix("--").upper()
    if not name.startswith("--"):
        return typer.Argument(help=help, parser=parse, metavar=metavar)
    return typer.Option(name, help=help, parser=parse, metavar=metavar, show_default=shown)


DbOption = Annotated[
    str | None,
    _maybe("--db", help="Database URL or SQLite path (default: $MOHLAT_DB or ./mohlat.db)."),
]
JsonOption = Annotated[bool, typer.Option("--json", help="Print JSON instead of a table.")]
CampaignOption = Annotated[
    str | None, _maybe("--campaign", "-c", help="Campaign code (default: the newest campaign).")
]
RegionOption = Annotated[int | None, _number("--region", 1, 9, "Only this region (1..9).")]
LimitOption = Annotated[int, _number("--limit", 1, MANY, "At most this many.")]
CaseArg = Annotated[str, typer.Argument(help="Case id, or the office code in the campaign.")]
OptionalCaseArg = Annotated[
    str | None,
    typer.Argument(
        help="Case id or office code (an office may leave it out: its own case).",
        show_default=False,
    ),
]
FieldOption = Annotated[
    list[str] | None,
    _maybe("--field", "-f", help="A declaration input as NAME=VALUE (repeatable)."),
]
ViolationOption = Annotated[
    list[str] | None,
    _maybe("--violation", help="A violation as CODE=COUNT (repeatable; 0 clears it)."),
]


@app.callback()
def _root(
    db: DbOption = None,
    verbose: Annotated[bool, typer.Option("--verbose", "-v", help="Log what happens.")] = False,
    fa: Annotated[bool, typer.Option("--fa", help="Show dates with Persian digits.")] = False,
) -> None:
    _state["db_url"] = db
    use_persian_digits(fa or os.environ.get("MOHLAT_FA", "") == "1")
    logging.basicConfig(
        level=logging.INFO if verbose else logging.WARNING,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )


def main() -> None:
    """Entry point of the ``mohlat`` console script."""
    app()


# --- plumbing ------------------------------------------------------------------------


def _db() -> Database:
    from mohlat.services import open_database

    return open_database(_state["db_url"])


def _now() -> datetime:
    return SystemClock().now()


def _login(db: Database, *, changing_password: bool = False) -> Actor:
    from mohlat.services.accounts import login

    username = os.environ.get("MOHLAT_USER") or typer.prompt("user")
    password = os.environ.get("MOHLAT_PASSWORD") or typer.prompt("password", hide_input=True)
    return login(
        db,
        username=normalize_digits(username).strip(),
        password=password,
        now=_now(),
        changing_password=changing_password,
    )


def _print_json(data: Any) -> None:
    print(json.dumps(data, ensure_ascii=False, indent=2, default=str))


def _out(as_json: bool, data: Any, shown: Any) -> None:
    """Print ``data`` as JSON with ``--json``, else ``shown`` (a table)."""
    if as_json:
        _print_json(data)
    else:
        console.print(shown)


def _ok(message: str) -> None:
    console.print(f"[green]✓[/] {message}", markup=True)


def _new_password(prompt: str) -> str:
    return os.environ.get("MOHLAT_NEW_PASSWORD") or typer.prompt(
        prompt, hide_input=True, confirmation_prompt=True
    )


@contextmanager
def _acting() -> Iterator[tuple[Database, Actor]]:
    db = _db()
    try:
        yield db, _login(db)
    finally:
        db.dispose()


@contextmanager
def _reading() -> Iterator[tuple[Database, Actor | None]]:
    """For public reads: logged in only when ``$MOHLAT_USER`` names someone."""
    db = _db()
    try:
        yield db, (_login(db) if os.environ.get("MOHLAT_USER") else None)
    finally:
        db.dispose()


# --- set-up --------------------------------------------------------------------------


@app.command()
def init(
    admin: Annotated[str, typer.Option(help="User name of the first admin.")] = "admin",
) -> None:
    """Create the database schema and the first admin account.

    The admin's password comes from $MOHLAT_PASSWORD or a prompt.

    Example: `MOHLAT_PASSWORD=s3cret-pass mohlat init --admin root`
    """
    from mohlat.services import prepare_database
    from mohlat.services.accounts import add_first_admin, has_admin

    db = prepare_database(_state["db_url"])
    if has_admin(db):
        _ok(f"schema ready in {db.url}; an admin exists already")
        return
    password = os.environ.get("MOHLAT_PASSWORD") or typer.prompt(
        f"password for {admin}", hide_input=True, confirmation_prompt=True
    )
    add_first_admin(db, username=admin, password=password, now=_now())
    _ok(f"schema ready in {db.url}; admin {admin!r} created")


# --- campaigns -----------------------------------------------------------------------


@campaign_app.command("create")
def campaign_create(
    code: Annotated[str, typer.Argument(help="Short unique code, e.g. 1400-2.")],
    first_day: Annotated[str, typer.Option(help="First day of self-declaration (Jalali).")],
    last_day: Annotated[str, typer.Option(help="Last day of self-declaration (Jalali), included.")],
    title: Annotated[str, typer.Option(help="A title.")] = "",
    review_days: Annotated[int, _number("--review-days", 1, 365, "Days of regional review.")] = 10,
    correction_days: Annotated[
        int, _number("--correction-days", 1, 365, "Days to correct a referred file.")
    ] = 5,
    appeal_days: Annotated[int, _number("--appeal-days", 1, 365, "Days to appeal a rank.")] = 7,
    decision_days: Annotated[
        int, _number("--decision-days", 1, 365, "Days to decide an appeal.")
    ] = 10,
    rubric: Annotated[Path | None, _maybe(help="Rubric TOML (default: built in).")] = None,
) -> None:
    """Create a campaign and open a case for every office.

    Example: `mohlat campaign create 1400-2 --first-day 1400/01/17 --last-day ۱۴۰۰/۰۲/۰۵`
    """
    from mohlat.scoring import load_rubric_file
    from mohlat.services.campaigns import campaign_settings, create_campaign

    settings = campaign_settings(
        review_days=review_days,
        correction_days=correction_days,
        appeal_days=appeal_days,
        decision_days=decision_days,
    )
    loaded = load_rubric_file(rubric) if rubric else None
    with _acting() as (db, actor):
        campaign = create_campaign(
            db,
            actor=actor,
            now=_now(),
            code=code,
            title=title or code,
            first_day=first_day,
            last_day=last_day,
            settings=settings,
            rubric=loaded,
        )
    _ok(
        f"campaign {campaign.code}: declarations {when(campaign.opens_at)} → "
        f"{when(campaign.closes_at)}; review until {when(campaign.review_closes_at)}"
    )


@campaign_app.command("list")
def campaign_list(as_json: JsonOption = False) -> None:
    """List campaigns, newest first (public: no login needed).

    Example: `mohlat campaign list --json`
    """
    from mohlat.services.campaigns import campaigns

    with _reading() as (db, actor):
        found = campaigns(db, actor=actor)
    _out(as_json, [campaign_json(c) for c in found], campaigns_table(found))


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
    from mohlat.services.campaigns import campaign_overview

    with _reading() as (db, actor):
        overview = campaign_overview(db, actor=actor, code=code)
    _out(as_json, campaign_overview_json(overview), campaign_text(overview))


# --- offices and users ---------------------------------------------------------------


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
    from mohlat.services.offices import import_offices, read_offices_file

    text = read_offices_file(path)
    with _acting() as (db, actor):
        report = import_offices(db, actor=actor, text=text, now=_now(), skip_invalid=skip_invalid)
    for error in report.skipped:
        err_console.print(f"skipped: {error}")
    _ok(f"{report.offices} office(s) imported; {report.cases_opened} case(s) opened")


@office_app.command("list")
def office_list(
    region: RegionOption = None,
    limit: LimitOption = 50,
    as_json: JsonOption = False,
) -> None:
    """List offices (an admin: all; a supervisor: its region's).

    Example: `mohlat office list --region 3`
    """
    from mohlat.services.offices import list_offices

    with _acting() as (db, actor):
        offices = list_offices(db, actor=actor, region=region, limit=limit)
    _out(as_json, [plain(o) for o in offices], offices_table(offices))


@user_app.command("add")
def user_add(
    username: Annotated[str, typer.Argument(help="User name.")],
    role: Annotated[str, typer.Option(help="admin or supervisor.")],
    region: Annotated[
        int | None, _number("--region", 1, 9, "A supervisor's region (1..9).")
    ] = None,
) -> None:
    """Add an admin or a region's supervisor. The new password comes from
    $MOHLAT_NEW_PASSWORD or a prompt.

    Example: `mohlat user add sup3 --role supervisor --region 3`
    """
    from mohlat.services.accounts import add_user, check_new_user, staff_role

    the_role = staff_role(role)
    with _acting() as (db, actor):
        check_new_user(db, actor=actor, username=username, role=the_role, region=region)
        password = _new_password(f"password for {username}")
        add_user(
            db,
            actor=actor,
            username=username,
            password=password,
            role=the_role,
            region=region,
            now=_now(),
        )
    _ok(f"{role} {username!r} added")


@user_app.command("list")
def user_list(as_json: JsonOption = False) -> None:
    """List accounts (admins only).

    Example: `mohlat user list --json`
    """
    from mohlat.services.accounts import list_accounts

    with _acting() as (db, actor):
        accounts = list_accounts(db, actor=actor)
    _out(as_json, [plain(a) for a in accounts], accounts_table(accounts))


@user_app.command("reset")
def user_reset(username: Annotated[str, typer.Argument(help="The account.")]) -> None:
    """Reset an account's password to a must-change state (an office: back to its
    national ID; staff: a temporary password from $MOHLAT_NEW_PASSWORD or a prompt).

    Example: `mohlat user reset 0012345679`
    """
    from mohlat.services.accounts import reset_needs_password, reset_password

    name = normalize_digits(username)
    with _acting() as (db, actor):
        needs = reset_needs_password(db, actor=actor, username=name)
        temporary = _new_password(f"temporary password for {username}") if needs else None
        reset_password(db, actor=actor, username=name, temporary=temporary, now=_now())
    _ok(f"{username!r} must choose a new password at the next login")


@user_app.command("show")
def user_show(
    username: Annotated[str, typer.Argument(help="The account.")], as_json: JsonOption = False
) -> None:
    """Show an account's audit trail: creation, locks, password changes and resets.

    Example: `mohlat user show 0012345679`
    """
    from mohlat.services.accounts import audit_trail

    with _acting() as (db, actor):
        events = audit_trail(db, actor=actor, username=normalize_digits(username))
    _out(as_json, [plain(e) for e in events], audit_table(username, events))


@app.command()
def passwd() -> None:
    """Change your password (license holders must, before anything else).
    The new password comes from $MOHLAT_NEW_PASSWORD or a prompt.

    Example: `MOHLAT_USER=0012345679 mohlat passwd`
    """
    from mohlat.services.accounts import change_password

    db = _db()
    try:
        actor = _login(db, changing_password=True)
        new = _new_password("new password")
        change_password(db, actor=actor, new_password=new, now=_now())
    finally:
        db.dispose()
    _ok("password changed")


# --- cases ---------------------------------------------------------------------------


@case_app.command("list")
def case_list(
    campaign: CampaignOption = None,
    state: Annotated[str | None, _maybe(help="Only cases in this state.")] = None,
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
    from mohlat.services.cases import list_cases

    with _acting() as (db, actor):
        rows = list_cases(
            db,
            actor=actor,
            campaign=campaign,
            state=state,
            region=region,
            overdue=overdue,
            limit=limit,
        )
    _out(
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
    from mohlat.services.cases import show_case

    with _acting() as (db, actor):
        view = show_case(db, actor=actor, ref=normalize_digits(case), campaign=campaign)
    now = _now()
    if as_json:
        left = [time_left(d, now) for d in view.deadlines]
        _print_json(case_detail_json(view, time_left=left))
        return
    for line in case_heading(view.case):
        console.print(line, markup=True)
    if view.case.breakdown:
        score = Score.from_json(view.case.breakdown)
        console.print(score_table(score.lines, score.total, "score, line by line"))
    console.print(deadlines_table(view.deadlines, now))
    console.print(timeline_table(view.events))


@app.command()
def timeline(case: CaseArg, campaign: CampaignOption = None, as_json: JsonOption = False) -> None:
    """Print a case's timeline: every event, when it took effect and when it was recorded.

    Example: `mohlat timeline 17 --json`
    """
    from mohlat.services.cases import show_case

    with _acting() as (db, actor):
        view = show_case(db, actor=actor, ref=normalize_digits(case), campaign=campaign)
    _out(as_json, [event_json(e) for e in view.events], timeline_table(view.events))


def _case_action(
    action: str,
    case: str | None,
    campaign: str | None,
    *,
    fields: Sequence[str] | None = None,
    association: str | None = None,
    violations: Sequence[str] | None = None,
    text: str | None = None,
    text_required: bool = False,
    describe: Callable[[Any], str] | None = None,
    disputes: tuple[str, ...] = (),
) -> None:
    from mohlat.services.cases import act, own_case_ref

    with _acting() as (db, actor):
        ref = normalize_digits(case) if case else own_case_ref(db, actor, campaign)
        row = act(
            db,
            actor=actor,
            action=action,
            ref=ref,
            now=_now(),
            campaign=campaign,
            fields=_pairs(fields, "field"),
            association_score=association,
            violations=_pairs(violations, "violation"),
            text=text,
            text_required=text_required,
            disputes=disputes,
        )
    _ok(
        f"{action}: case {row.case.id} ({row.office.code}) is now {row.case.state}"
        + (f"; {describe(row)}" if describe else "")
    )


@app.command()
def declare(
    case: OptionalCaseArg = None, campaign: CampaignOption = None, field: FieldOption = None
) -> None:
    """Self-declare your office's data (you may declare again until the window closes).

    Example: `mohlat declare -f office_space=64 -f staff_count=4 -f location=city -f holder_years=6`
    """
    _case_action("declare", case, campaign, fields=field)


@app.command()
def review(
    case: CaseArg,
    campaign: CampaignOption = None,
    field: FieldOption = None,
    association: Annotated[
        str | None, typer.Option(help="The provincial association's score.", show_default=False)
    ] = None,
    violation: ViolationOption = None,
    note: Annotated[
        str | None, typer.Option(help="A note for the timeline.", show_default=False)
    ] = None,
) -> None:
    """Check and complete a case's data; record the association score and violations.

    Example: `mohlat review 17 --association 16 --violation overcharging=1 -f staff_count=5`
    """
    _case_action(
        "review",
        case,
        campaign,
        fields=field,
        association=association,
        violations=violation,
        text=note,
    )


@app.command()
def refer(
    case: CaseArg,
    reason: Annotated[str, typer.Option(help="What must be corrected.")],
    campaign: CampaignOption = None,
) -> None:
    """Send a case back to the office for correction (pauses the review clock).

    Example: `mohlat refer 17 --reason "staff count does not match the insurance list"`
    """
    _case_action("refer", case, campaign, text=reason, text_required=True)


@app.command()
def correct(
    case: OptionalCaseArg = None,
    campaign: CampaignOption = None,
    field: FieldOption = None,
    note: Annotated[
        str | None, typer.Option(help="A note for the region.", show_default=False)
    ] = None,
) -> None:
    """Return a referred file with corrections (resumes the region's review clock).

    Example: `mohlat correct -f staff_count=3 --note "insurance list attached"`
    """
    _case_action("correct", case, campaign, fields=field, text=note)


@app.command()
def approve(
    case: CaseArg,
    campaign: CampaignOption = None,
    note: Annotated[
        str | None, typer.Option(help="A note for the timeline.", show_default=False)
    ] = None,
) -> None:
    """Mark a case's review done (after publication this ranks it at once).

    Example: `mohlat approve 17`
    """
    _case_action("approve", case, campaign, text=note)


@app.command()
def publish(campaign: CampaignOption = None) -> None:
    """Publish a campaign's ranks before its review window closes (once every case is
    reviewed). Otherwise the scheduler publishes when the window closes.

    Example: `mohlat publish -c 1400-2`
    """
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

    from mohlat.services.campaigns import publish as publish_campaign

    with (
        _acting() as (db, actor),
        Progress(
            TextColumn("publishing"),
            BarColumn(),
            MofNCompleteColumn(),
            console=err_console,
            transient=True,
        ) as bar,
    ):
        task = bar.add_task("publishing", total=None)
        done = publish_campaign(
            db,
            actor=actor,
            now=_now(),
            code=campaign,
            progress=lambda n, total: bar.update(task, completed=n, total=total),
        )
    _ok(f"published: {done.positions} case(s) ranked")


@app.command()
def appeal(
    case: OptionalCaseArg = None,
    campaign: CampaignOption = None,
    text: Annotated[str, typer.Option(help="Your written objection.")] = "",
    field: Annotated[
        list[str] | None,
        typer.Option(
            "--dispute",
            help="A field whose evaluation you dispute (repeatable).",
            show_default=False,
        ),
    ] = None,
) -> None:
    """Object to your rank, in writing, within the appeal window.

    Example: `mohlat appeal --text "the office area is 80 m², see the lease" --dispute office_space`
    """
    _case_action(
        "appeal", case, campaign, text=text, text_required=True, disputes=tuple(field or ())
    )


@app.command()
def decide(
    case: CaseArg,
    reason: Annotated[str, typer.Option(help="The decision's reasons.")],
    campaign: CampaignOption = None,
    field: FieldOption = None,
    association: Annotated[
        str | None, typer.Option(help="A corrected association score.", show_default=False)
    ] = None,
    violation: ViolationOption = None,
) -> None:
    """Decide an appeal: re-examine, optionally correct inputs, re-sum; the rank is final.

    Example: `mohlat decide 17 --reason "lease confirms 80 m²" -f office_space=80`
    """
    _case_action(
        "decide",
        case,
        campaign,
        fields=field,
        association=association,
        violations=violation,
        text=reason,
        text_required=True,
        describe=lambda r: (
            f"final {r.case.final_total:g} (grade {r.case.final_grade}),"
            f" was {r.case.total:g} ({r.case.grade})"
        ),
    )


# --- scheduler and demo --------------------------------------------------------------


@scheduler_app.command("tick")
def scheduler_tick(
    at: Annotated[
        str | None, _maybe(help="Sweep as of an earlier Jalali time (never a later one than now).")
    ] = None,
) -> None:
    """Run one sweep now and exit (for cron). An operator's command on the server host:
    no login, it acts as the system.

    Example: `*/5 * * * * mohlat scheduler tick`
    """
    from mohlat.scheduler import clock_as_of, describe, tick

    clock = clock_as_of(at, _now())
    console.print(describe(tick(_db(), clock=clock)))


@scheduler_app.command("run")
def scheduler_run(
    interval: Annotated[int, _number("--interval", 1, 86400, "Seconds between sweeps.")] = 60,
) -> None:
    """Sweep now (catch-up), then on an interval, until stopped. An operator's command
    on the server host: no login, it acts as the system.

    Example: `mohlat -v scheduler run --interval 30`
    """
    from mohlat.scheduler import run

    logging.getLogger("mohlat").setLevel(logging.INFO)
    run(_db(), interval_seconds=interval)


@app.command()
def demo(
    offices: Annotated[int, _number("--offices", 10, MANY, "How many synthetic offices.")] = 200,
    db: Annotated[Path, typer.Option("--db", help="The demo's own SQLite file (replaced).")] = Path(
        "mohlat-demo.db"
    ),
    seed: Annotated[int, _number("--seed", 0, 2**31, "Random seed.")] = 1400,
) -> None:
    """Run a whole campaign on a fresh SQLite file with a simulated clock: the article's
    dates (17 Farvardin – 5 Ordibehesht 1400), synthetic offices in the 9 regions,
    declarations, referrals, ranking, appeals and finals, all by the real services and
    the real sweep.

    Example: `mohlat demo --offices 100000`
    """
    from mohlat.demo import run_demo

    run_demo(path=db, offices=offices, seed=seed, console=console)


# --- calendar, deadlines and reminders -----------------------------------------------


@holiday_app.command("add")
def holiday_add(
    first_day: Annotated[str, typer.Argument(help="First closed day (Jalali).")],
    reason: Annotated[str, typer.Option(help="Why (it goes on every moved case's timeline).")],
    last_day: Annotated[
        str | None,
        typer.Option("--to", help="Last closed day (default: the first).", show_default=False),
    ] = None,
    region: Annotated[
        list[int] | None, _number("--region", 1, 9, "Only this region (repeatable).", shown=False)
    ] = None,
    province: Annotated[list[str] | None, _maybe(help="Only this province (repeatable).")] = None,
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
    from mohlat.services.deadlines import add_closure

    with _acting() as (db, actor):
        moved = add_closure(
            db,
            actor=actor,
            now=_now(),
            first_day=first_day,
            last_day=last_day,
            reason=reason,
            regions=list(region or []),
            provinces=province or [],
            working_day=working_day,
        )
    _ok(f"recorded as #{moved.closure_id}; {moved.deadlines} pending deadline(s) moved")


@holiday_app.command("remove")
def holiday_remove(
    closure: Annotated[
        int, _number("closure", 1, 2**31, "The closure's number (see `holiday list`).")
    ],
    reason: Annotated[str, typer.Option(help="Why it is removed.")],
) -> None:
    """Remove a closure or working-day correction; pending deadlines are counted again.

    Example: `mohlat holiday remove 3 --reason "announced in error"`
    """
    from mohlat.services.deadlines import remove_closure

    with _acting() as (db, actor):
        moved = remove_closure(db, actor=actor, now=_now(), closure_id=closure, reason=reason)
    _ok(f"removed; {moved.deadlines} pending deadline(s) moved")


@holiday_app.command("list")
def holiday_list(
    year: Annotated[
        int | None, _number("--year", 1358, 1500, "Jalali year of official holidays.", shown=False)
    ] = None,
    as_json: JsonOption = False,
) -> None:
    """List a year's official holidays (from the `holidays` package) and every closure
    (public: no login needed).

    Example: `mohlat holiday list --year 1400`
    """
    from mohlat.calendars import tehran_date
    from mohlat.services.calendar import holiday_calendar

    with _reading() as (db, actor):
        found = holiday_calendar(db, actor=actor, year=year or tehran_date(_now()).year)
    _out(as_json, holidays_json(found), calendar_tables(found))


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
        str | None, _maybe(help="Extend a campaign window instead: declaration or review.")
    ] = None,
    region: Annotated[
        int | None, _number("--region", 1, 9, "With --window: only this region.", shown=False)
    ] = None,
    to: Annotated[str | None, _maybe(help="The new last day (Jalali).")] = None,
    days: Annotated[
        int | None, _number("--days", 1, 365, "Or: this many days more.", shown=False)
    ] = None,
) -> None:
    """Extend one case's running deadline, or a campaign's window for one region or all.

    Example: `mohlat deadline extend --window declaration --region 3 --to 1400/02/08 --reason x`
    """
    from mohlat.services.deadlines import extend_case, extend_window

    if window is None and case is None:
        raise InvalidInput("case", None, "a case, or --window declaration|review")
    with _acting() as (db, actor):
        if window is not None:
            moved = extend_window(
                db,
                actor=actor,
                now=_now(),
                campaign=campaign,
                window=window,
                region=region,
                to=to,
                days=days,
                reason=reason,
            )
        else:
            assert case is not None
            moved = extend_case(
                db,
                actor=actor,
                now=_now(),
                ref=normalize_digits(case),
                campaign=campaign,
                reason=reason,
                to=to,
                days=days,
            )
    _ok(f"{moved.deadlines} deadline(s) extended")


@app.command()
def due(
    within: Annotated[str, typer.Option(help="How far ahead: 3d, 12h, 90m.")] = "3d",
    campaign: CampaignOption = None,
    as_json: JsonOption = False,
) -> None:
    """Deadlines about to fall, per region and kind (within your remit).

    Example: `mohlat due --within 3d`
    """
    from mohlat.services.due import due_soon, parse_span

    span = parse_span(within)
    with _acting() as (db, actor):
        rows = due_soon(db, actor=actor, campaign=campaign, now=_now(), within=span)
    _out(as_json, [plain(r) for r in rows], due_table(rows, within))


@reminder_app.command("list")
def reminder_list(
    everything: Annotated[bool, typer.Option("--all", help="Sent ones too.")] = False,
    limit: LimitOption = 100,
    as_json: JsonOption = False,
) -> None:
    """The reminders the scheduler queued for a sender (SMS, e-mail) to deliver.

    Example: `mohlat reminder list --json`
    """
    from mohlat.services.due import outbox

    with _acting() as (db, actor):
        rows = outbox(db, actor=actor, unsent_only=not everything, limit=limit)
    _out(as_json, [plain(r) for r in rows], reminders_table(rows))


# --- ranking ---------------------------------------------------------------------------


@app.command()
def ranking(
    campaign: CampaignOption = None,
    region: RegionOption = None,
    limit: Annotated[
        int | None, _number("--limit", 1, MANY, "At most this many.", shown=False)
    ] = None,
    csv_file: Annotated[
        Path | None,
        _maybe("--csv", help="Write the ranking to this CSV file (safe to open in a spreadsheet)."),
    ] = None,
    as_json: JsonOption = False,
) -> None:
    """The published ranking: national, regional and provincial positions (public once
    published: no login needed).

    Example: `mohlat ranking --region 3 --csv ranking-region-3.csv`
    """
    from mohlat.services.ranking import ranking as ranking_rows
    from mohlat.services.ranking import write_ranking_csv

    with _reading() as (db, actor):
        rows = ranking_rows(db, actor=actor, campaign=campaign, region=region, limit=limit)
    if csv_file is not None:
        write_ranking_csv(rows, csv_file)
        _ok(f"{len(rows)} row(s) written to {csv_file}")
        return
    _out(as_json, ranking_json(rows), ranking_table(rows))


@app.command()
def eligible(
    min_grade: Annotated[str, typer.Option(help="The lowest grade that qualifies.")],
    campaign: CampaignOption = None,
    as_json: JsonOption = False,
) -> None:
    """Offices whose final rank qualifies them for new services, per region.

    Example: `mohlat eligible --min-grade B`
    """
    from mohlat.services.ranking import eligible as eligible_rows

    with _acting() as (db, actor):
        per_region = eligible_rows(db, actor=actor, campaign=campaign, min_grade=min_grade)
    if as_json:
        _print_json(eligible_json(per_region))
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
    from mohlat.services.ranking import explain

    with _acting() as (db, actor):
        found = explain(db, actor=actor, ref=normalize_digits(case), campaign=campaign)
    if as_json:
        _print_json(explanation_json(found))
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


# --- trust -----------------------------------------------------------------------------


@app.command()
def verify(campaign: CampaignOption = None) -> None:
    """Check every case's hash-chained timeline; name the first broken event of each.

    Example: `mohlat verify`
    """
    from mohlat.services.verify import verify_timelines

    with _acting() as (db, actor):
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
    _ok(f"every timeline holds: {summary}")
