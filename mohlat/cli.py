"""The command line: ``mohlat`` (Typer + Rich).

Thin on purpose: it parses, identifies the actor, calls one service, prints. Exit
codes come from the error hierarchy in one place (:func:`main`): 0 done, 1 refused
by a rule (deadline, state, permission), 2 bad usage or bad input. Nothing here
imports the database layer at import time, so ``mohlat --help`` stays fast.
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
from rich.table import Table
from typer.core import TyperGroup

from mohlat.calendars import normalize_digits
from mohlat.clock import SystemClock
from mohlat.display import (
    case_table,
    num,
    region_state_table,
    score_table,
    timeline_table,
    use_persian_digits,
    when,
)
from mohlat.errors import InvalidInput, MohlatError

if TYPE_CHECKING:
    from mohlat.services.access import Actor
    from mohlat.store import Database
    from mohlat.store.queries import CaseRow

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
campaign_app = typer.Typer(help="Create and inspect campaigns.", no_args_is_help=True)
office_app = typer.Typer(help="Import and list offices.", no_args_is_help=True)
user_app = typer.Typer(help="Manage admin and supervisor accounts.", no_args_is_help=True)
case_app = typer.Typer(help="List and inspect cases.", no_args_is_help=True)
scheduler_app = typer.Typer(
    help="Apply due deadlines: once, or on an interval.", no_args_is_help=True
)
holiday_app = typer.Typer(
    help="Closures and holiday corrections (they move deadlines).", no_args_is_help=True
)
deadline_app = typer.Typer(help="Extend deadlines.", no_args_is_help=True)
reminder_app = typer.Typer(help="The reminder outbox.", no_args_is_help=True)
score_app = typer.Typer(help="Scores and their explanation.", no_args_is_help=True)
app.add_typer(campaign_app, name="campaign")
app.add_typer(office_app, name="office")
app.add_typer(user_app, name="user")
app.add_typer(case_app, name="case")
app.add_typer(scheduler_app, name="scheduler")
app.add_typer(holiday_app, name="holiday")
app.add_typer(deadline_app, name="deadline")
app.add_typer(reminder_app, name="reminder")
app.add_typer(score_app, name="score")

_state: dict[str, Any] = {"db_url": None}

DbOption = Annotated[
    str | None,
    typer.Option(
        "--db",
        help="Database URL or SQLite path (default: $MOHLAT_DB or ./mohlat.db).",
        show_default=False,
    ),
]
JsonOption = Annotated[bool, typer.Option("--json", help="Print JSON instead of a table.")]
CampaignOption = Annotated[
    str | None,
    typer.Option(
        "--campaign", "-c", help="Campaign code (default: the newest campaign).", show_default=False
    ),
]
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
    typer.Option(
        "--field", "-f", help="A declaration input as NAME=VALUE (repeatable).", show_default=False
    ),
]
ViolationOption = Annotated[
    list[str] | None,
    typer.Option(
        "--violation",
        help="A violation as CODE=COUNT (repeatable; 0 clears it).",
        show_default=False,
    ),
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


def _db(url: str | None = None, *, ready: bool = True) -> Database:
    from mohlat.errors import DatabaseNotReady
    from mohlat.store import Database

    db = Database(url or _state["db_url"])
    if ready and not db.is_ready():
        raise DatabaseNotReady(db.url)
    return db


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


def _int(value: str | None, field: str, low: int, high: int) -> int | None:
    if value is None:
        return None
    text = normalize_digits(value).strip()
    if not text.lstrip("-").isdigit() or not low <= int(text) <= high:
        raise InvalidInput(field, value, f"a whole number from {low} to {high}")
    return int(text)


def _pairs(items: Sequence[str] | None, field: str) -> dict[str, str]:
    pairs: dict[str, str] = {}
    for item in items or []:
        name, sep, value = item.partition("=")
        if not sep or not name.strip():
            raise InvalidInput(field, item, "NAME=VALUE")
        pairs[name.strip()] = value.strip()
    return pairs


def _print_json(data: Any) -> None:
    print(json.dumps(data, ensure_ascii=False, indent=2, default=str))


def _case_json(row: CaseRow) -> dict[str, Any]:
    c, o = row.case, row.office
    return {
        "id": c.id,
        "campaign": row.campaign_code,
        "office": o.code,
        "office_name": o.name,
        "kind": o.kind,
        "region": c.region,
        "province": c.province,
        "state": c.state,
        "declared_at": c.declared_at,
        "reviewed_at": c.reviewed_at,
        "association_score": c.association_score,
        "violations": c.violations or {},
        "total": c.total,
        "grade": c.grade,
        "position_national": c.position_national,
        "position_regional": c.position_regional,
        "position_provincial": c.position_provincial,
        "final_total": c.final_total,
        "final_grade": c.final_grade,
        "escalated": c.escalated,
        "declaration": row.declaration or {},
    }


def _ok(message: str) -> None:
    console.print(f"[green]✓[/] {message}", markup=True)


@contextmanager
def _acting() -> Iterator[tuple[Database, Actor]]:
    db = _db()
    try:
        yield db, _login(db)
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
    from mohlat.services.accounts import add_user
    from mohlat.store import queries as q
    from mohlat.workflow.definition import Role

    db = _db(ready=False)
    db.create_schema()
    with db.transaction() as tx:
        has_admin = bool(q.list_accounts(tx, role=Role.ADMIN.value, limit=1))
    if has_admin:
        _ok(f"schema ready in {db.url}; an admin exists already")
        return
    password = os.environ.get("MOHLAT_PASSWORD") or typer.prompt(
        f"password for {admin}", hide_input=True, confirmation_prompt=True
    )
    add_user(
        db, actor=None, username=admin, password=password, role=Role.ADMIN, region=None, now=_now()
    )
    _ok(f"schema ready in {db.url}; admin {admin!r} created")


# --- campaigns -----------------------------------------------------------------------


@campaign_app.command("create")
def campaign_create(
    code: Annotated[str, typer.Argument(help="Short unique code, e.g. 1400-2.")],
    first_day: Annotated[str, typer.Option(help="First day of self-declaration (Jalali).")],
    last_day: Annotated[str, typer.Option(help="Last day of self-declaration (Jalali), included.")],
    title: Annotated[str, typer.Option(help="A title.")] = "",
    review_days: Annotated[str, typer.Option(help="Days of regional review.")] = "10",
    correction_days: Annotated[str, typer.Option(help="Days to correct a referred file.")] = "5",
    appeal_days: Annotated[str, typer.Option(help="Days to appeal a rank.")] = "7",
    decision_days: Annotated[str, typer.Option(help="Days to decide an appeal.")] = "10",
    rubric: Annotated[
        Path | None, typer.Option(help="Rubric TOML (default: built in).", show_default=False)
    ] = None,
) -> None:
    """Create a campaign and open a case for every office.

    Example: `mohlat campaign create 1400-2 --first-day 1400/01/17 --last-day ۱۴۰۰/۰۲/۰۵`
    """
    from mohlat.scoring import load_rubric_file
    from mohlat.services.campaigns import create_campaign
    from mohlat.workflow.definition import DeadlineKind
    from mohlat.workflow.settings import CampaignSettings

    settings = CampaignSettings()
    for kind, value in (
        (DeadlineKind.REVIEW, review_days),
        (DeadlineKind.CORRECTION, correction_days),
        (DeadlineKind.APPEAL, appeal_days),
        (DeadlineKind.APPEAL_DECISION, decision_days),
    ):
        days = _int(value, f"{kind.label} days", 1, 365)
        assert days is not None
        settings = settings.with_days(kind, days)
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
    """List campaigns, newest first.

    Example: `mohlat campaign list --json`
    """
    from mohlat.services.campaigns import list_all

    db = _db()
    campaigns = list_all(db)
    if as_json:
        _print_json([_campaign_json(c) for c in campaigns])
        return
    table = Table(title="campaigns", title_justify="left")
    for column in ("code", "title", "declaration window", "review until", "published"):
        table.add_column(column)
    for c in campaigns:
        table.add_row(
            c.code,
            c.title,
            f"{c.first_day} – {c.last_day}",
            when(c.review_closes_at),
            when(c.published_at),
        )
    console.print(table)


def _campaign_json(c: Any) -> dict[str, Any]:
    return {
        "code": c.code,
        "title": c.title,
        "first_day": c.first_day,
        "last_day": c.last_day,
        "opens_at": c.opens_at,
        "closes_at": c.closes_at,
        "review_closes_at": c.review_closes_at,
        "published_at": c.published_at,
        "settings": c.settings,
        "rubric_sha256": c.rubric_sha256,
    }


@campaign_app.command("show")
def campaign_show(
    code: Annotated[
        str | None, typer.Argument(help="Campaign code (default: newest).", show_default=False)
    ] = None,
    as_json: JsonOption = False,
) -> None:
    """Show a campaign: its windows and how many cases stand where, per region.

    Example: `mohlat campaign show 1400-2`
    """
    from mohlat.services.campaigns import find_campaign
    from mohlat.store import queries as q

    db = _db()
    with db.transaction() as tx:
        campaign = find_campaign(tx, code)
        assert campaign.id is not None
        counts = q.case_counts(tx, campaign_id=campaign.id)
    if as_json:
        _print_json(
            {
                **_campaign_json(campaign),
                "cases": [{"region": r, "state": s, "count": n} for r, s, n in counts],
            }
        )
        return
    console.print(f"[bold]{campaign.code}[/] {campaign.title}", markup=True)
    console.print(f"  declarations  {when(campaign.opens_at)} → {when(campaign.closes_at)}")
    console.print(f"  review until  {when(campaign.review_closes_at)}")
    console.print(f"  published     {when(campaign.published_at)}")
    console.print(f"  rubric        sha256 {campaign.rubric_sha256[:16]}…")
    console.print(region_state_table(counts, "cases per region and state"))


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
    from mohlat.services.offices import MAX_ROWS, import_offices

    try:
        size = path.stat().st_size
        if size > MAX_ROWS * 1000:
            raise InvalidInput("file", str(path), f"at most {MAX_ROWS * 1000} bytes")
        text = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        raise InvalidInput("file", str(path), f"a readable UTF-8 CSV file ({exc})") from None
    with _acting() as (db, actor):
        report = import_offices(db, actor=actor, text=text, now=_now(), skip_invalid=skip_invalid)
    for error in report.skipped:
        err_console.print(f"skipped: {error}")
    _ok(f"{report.offices} office(s) imported; {report.cases_opened} case(s) opened")


@office_app.command("list")
def office_list(
    region: Annotated[
        str | None, typer.Option(help="Only this region (1..9).", show_default=False)
    ] = None,
    limit: Annotated[str, typer.Option(help="At most this many.")] = "50",
    as_json: JsonOption = False,
) -> None:
    """List offices.

    Example: `mohlat office list --region 3`
    """
    from mohlat.services.access import authorize, in_scope
    from mohlat.store import queries as q

    with _acting() as (db, actor):
        authorize(actor, "office.read")
        with db.transaction() as tx:
            offices = q.list_offices(
                tx, region=_int(region, "region", 1, 9), limit=_int(limit, "limit", 1, 1_000_000)
            )
    offices = [o for o in offices if in_scope(actor, region=o.region, office_id=o.id or 0)]
    if as_json:
        _print_json([o.model_dump() for o in offices])
        return
    table = Table(title="offices", title_justify="left")
    for column in ("code", "name", "kind", "region", "province", "national ID"):
        table.add_column(column)
    for o in offices:
        table.add_row(o.code, o.name, o.kind, str(o.region), o.province, o.national_id)
    console.print(table)


@user_app.command("add")
def user_add(
    username: Annotated[str, typer.Argument(help="User name.")],
    role: Annotated[str, typer.Option(help="admin or supervisor.")],
    region: Annotated[
        str | None, typer.Option(help="A supervisor's region (1..9).", show_default=False)
    ] = None,
) -> None:
    """Add an admin or a region's supervisor. The new password comes from
    $MOHLAT_NEW_PASSWORD or a prompt.

    Example: `mohlat user add sup3 --role supervisor --region 3`
    """
    from mohlat.services.accounts import add_user
    from mohlat.workflow.definition import Role

    if role not in ("admin", "supervisor"):
        raise InvalidInput("role", role, "admin or supervisor")
    with _acting() as (db, actor):
        password = os.environ.get("MOHLAT_NEW_PASSWORD") or typer.prompt(
            f"password for {username}", hide_input=True, confirmation_prompt=True
        )
        add_user(
            db,
            actor=actor,
            username=username,
            password=password,
            role=Role(role),
            region=_int(region, "region", 1, 9),
            now=_now(),
        )
    _ok(f"{role} {username!r} added")


@user_app.command("list")
def user_list(as_json: JsonOption = False) -> None:
    """List accounts (admins only).

    Example: `mohlat user list --json`
    """
    from mohlat.services.access import authorize
    from mohlat.store import queries as q

    with _acting() as (db, actor):
        authorize(actor, "user.list")
        with db.transaction() as tx:
            accounts = q.list_accounts(tx)
    rows = [
        {
            "username": a.username,
            "role": a.role,
            "region": a.region,
            "office_id": a.office_id,
            "must_change_password": a.must_change_password,
            "locked_until": a.locked_until,
        }
        for a in accounts
    ]
    if as_json:
        _print_json(rows)
        return
    table = Table(title="accounts", title_justify="left")
    for column in ("user", "role", "region", "must change password"):
        table.add_column(column)
    for a in accounts:
        table.add_row(
            a.username, a.role, str(a.region or "-"), "yes" if a.must_change_password else ""
        )
    console.print(table)


@app.command()
def passwd() -> None:
    """Change your password (license holders must, before anything else).
    The new password comes from $MOHLAT_NEW_PASSWORD or a prompt.

    Example: `MOHLAT_USER=0012345679 mohlat passwd`
    """
    from mohlat.services.accounts import change_password
    from mohlat.store import queries as q

    db = _db()
    actor = _login(db, changing_password=True)
    new = os.environ.get("MOHLAT_NEW_PASSWORD") or typer.prompt(
        "new password", hide_input=True, confirmation_prompt=True
    )
    national_id = None
    if actor.office_id is not None:
        with db.transaction() as tx:
            account = q.account_by_username(tx, username=actor.name)
            national_id = account.username if account else None
    change_password(db, actor=actor, new_password=new, national_id=national_id, now=_now())
    _ok("password changed")


# --- cases ---------------------------------------------------------------------------


@case_app.command("list")
def case_list(
    campaign: CampaignOption = None,
    state: Annotated[
        str | None, typer.Option(help="Only cases in this state.", show_default=False)
    ] = None,
    region: Annotated[
        str | None, typer.Option(help="Only this region (1..9).", show_default=False)
    ] = None,
    overdue: Annotated[
        bool, typer.Option(help="Only appeals whose decision is overdue (escalated).")
    ] = False,
    limit: Annotated[str, typer.Option(help="At most this many.")] = "50",
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
            region=_int(region, "region", 1, 9),
            overdue=overdue,
            limit=_int(limit, "limit", 1, 1_000_000),
        )
    if as_json:
        _print_json([_case_json(r) for r in rows])
        return
    console.print(case_table(rows, "overdue appeal decisions" if overdue else "cases"))


@case_app.command("show")
def case_show(case: CaseArg, campaign: CampaignOption = None, as_json: JsonOption = False) -> None:
    """Show a case: its data, score, running clocks and timeline.

    Example: `mohlat case show 17`
    """
    from mohlat.services.cases import show_case

    with _acting() as (db, actor):
        view = show_case(db, actor=actor, ref=normalize_digits(case), campaign=campaign)
    now = _now()
    deadlines = [
        {
            "kind": d.kind,
            "status": d.status,
            "due_at": d.due_at,
            "time_left": _left(d.due_at, d.remaining_us, now),
        }
        for d in view.deadlines
    ]
    if as_json:
        _print_json(
            {
                **_case_json(view.row),
                "deadlines": deadlines,
                "breakdown": view.row.breakdown,
                "timeline": [_event_json(e) for e in view.events],
            }
        )
        return
    c, o = view.row.case, view.row.office
    console.print(
        f"[bold]case {c.id}[/] · {o.code} {o.name} · {o.kind} · region {c.region} "
        f"({c.province}) · campaign {view.row.campaign_code}",
        markup=True,
    )
    console.print(
        f"  state     {c.state}{' (appeal decision overdue: escalated)' if c.escalated else ''}"
    )
    if c.total is not None and c.position_national is None:
        console.print(f"  score     {num(c.total)} (grade {c.grade}), provisional: not ranked yet")
    elif c.total is not None:
        console.print(
            f"  score     {num(c.total)} (grade {c.grade}), rank {c.position_national}"
            f" nationally, {c.position_regional} in region, {c.position_provincial} in"
            f" province"
        )
    if c.final_total is not None:
        console.print(f"  final     {num(c.final_total)} (grade {c.final_grade})")
    if view.row.breakdown:
        from mohlat.scoring import Score

        score = Score.from_json(view.row.breakdown)
        console.print(score_table(score.lines, score.total, "score, line by line"))
    table = Table(title="deadlines", title_justify="left")
    for column in ("kind", "status", "due (Tehran)", "time left"):
        table.add_column(column)
    for d in view.deadlines:
        table.add_row(d.kind, d.status, when(d.due_at), _left(d.due_at, d.remaining_us, now))
    console.print(table)
    console.print(timeline_table(view.events))


def _left(due: datetime | None, remaining_us: int | None, now: datetime) -> str:
    from datetime import timedelta

    if remaining_us is not None:
        return f"{_duration(timedelta(microseconds=remaining_us))} (paused)"
    if due is None:
        return "-"
    return _duration(due - now) if due > now else "passed"


def _duration(delta: Any) -> str:
    seconds = int(delta.total_seconds())
    days, rest = divmod(seconds, 86400)
    return f"{days}d {rest // 3600}h {rest % 3600 // 60}m"


def _event_json(e: Any) -> dict[str, Any]:
    return {
        "seq": e.seq,
        "action": e.action,
        "from": e.from_state,
        "to": e.to_state,
        "logical_at": e.logical_at,
        "recorded_at": e.recorded_at,
        "actor": e.actor,
        "payload": e.payload,
        "hash": e.hash,
    }


@app.command()
def timeline(case: CaseArg, campaign: CampaignOption = None, as_json: JsonOption = False) -> None:
    """Print a case's timeline: every event, when it took effect and when it was recorded.

    Example: `mohlat timeline 17 --json`
    """
    from mohlat.services.cases import show_case

    with _acting() as (db, actor):
        view = show_case(db, actor=actor, ref=normalize_digits(case), campaign=campaign)
    if as_json:
        _print_json([_event_json(e) for e in view.events])
        return
    console.print(timeline_table(view.events))


def _case_action(
    action: str,
    case: str | None,
    campaign: str | None,
    *,
    fields: Sequence[str] | None = None,
    association: str | None = None,
    violations: Sequence[str] | None = None,
    text: str | None = None,
    describe: Callable[[CaseRow], str] | None = None,
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
    _case_action("refer", case, campaign, text=reason)


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
    _case_action("appeal", case, campaign, text=text, disputes=tuple(field or ()))


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
        describe=lambda r: (
            f"final {r.case.final_total:g} (grade {r.case.final_grade}),"
            f" was {r.case.total:g} ({r.case.grade})"
        ),
    )


# --- scheduler and demo --------------------------------------------------------------


@scheduler_app.command("tick")
def scheduler_tick(
    at: Annotated[
        str | None,
        typer.Option(
            help="Sweep as of an earlier Jalali time (never a later one than now).",
            show_default=False,
        ),
    ] = None,
) -> None:
    """Run one sweep now and exit (for cron).

    Example: `*/5 * * * * mohlat scheduler tick`
    """
    from mohlat.calendars import parse_jalali_datetime
    from mohlat.clock import SimulatedClock
    from mohlat.scheduler import describe, tick

    db = _db()
    clock = None
    if at is not None:
        instant = parse_jalali_datetime(at, field="at")
        if instant > _now():
            raise InvalidInput(
                "at",
                at,
                f"a time no later than now ({when(_now())}); nothing moves the clock forward",
            )
        clock = SimulatedClock(instant)
    console.print(describe(tick(db, clock=clock)))


@scheduler_app.command("run")
def scheduler_run(
    interval: Annotated[str, typer.Option(help="Seconds between sweeps.")] = "60",
) -> None:
    """Sweep now (catch-up), then on an interval, until stopped.

    Example: `mohlat -v scheduler run --interval 30`
    """
    from mohlat.scheduler import run

    seconds = _int(interval, "interval", 1, 86400)
    assert seconds is not None
    logging.getLogger("mohlat").setLevel(logging.INFO)
    run(_db(), interval_seconds=seconds)


@app.command()
def demo(
    offices: Annotated[str, typer.Option(help="How many synthetic offices.")] = "200",
    db: Annotated[Path, typer.Option("--db", help="The demo's own SQLite file (replaced).")] = Path(
        "mohlat-demo.db"
    ),
    seed: Annotated[str, typer.Option(help="Random seed.")] = "1400",
) -> None:
    """Run a whole campaign on a fresh SQLite file with a simulated clock: the article's
    dates (17 Farvardin – 5 Ordibehesht 1400), synthetic offices in the 9 regions,
    declarations, referrals, ranking, appeals and finals, all by the real services and
    the real sweep.

    Example: `mohlat demo --offices 100000`
    """
    from mohlat.demo import run_demo

    count = _int(offices, "offices", 10, 1_000_000)
    seed_value = _int(seed, "seed", 0, 2**31)
    assert count is not None and seed_value is not None
    run_demo(path=db, offices=count, seed=seed_value, console=console)


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
        list[str] | None, typer.Option(help="Only this region (repeatable).", show_default=False)
    ] = None,
    province: Annotated[
        list[str] | None, typer.Option(help="Only this province (repeatable).", show_default=False)
    ] = None,
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

    regions = [r for r in (_int(v, "region", 1, 9) for v in region or []) if r is not None]
    with _acting() as (db, actor):
        moved = add_closure(
            db,
            actor=actor,
            now=_now(),
            first_day=first_day,
            last_day=last_day,
            reason=reason,
            regions=regions,
            provinces=province or [],
            working_day=working_day,
        )
    _ok(f"recorded as #{moved.closure_id}; {moved.deadlines} pending deadline(s) moved")


@holiday_app.command("remove")
def holiday_remove(
    closure: Annotated[str, typer.Argument(help="The closure's number (see `holiday list`).")],
    reason: Annotated[str, typer.Option(help="Why it is removed.")],
) -> None:
    """Remove a closure or working-day correction; pending deadlines are counted again.

    Example: `mohlat holiday remove 3 --reason "announced in error"`
    """
    from mohlat.services.deadlines import remove_closure

    number = _int(closure, "closure", 1, 2**31)
    assert number is not None
    with _acting() as (db, actor):
        moved = remove_closure(db, actor=actor, now=_now(), closure_id=number, reason=reason)
    _ok(f"removed; {moved.deadlines} pending deadline(s) moved")


@holiday_app.command("list")
def holiday_list(
    year: Annotated[
        str | None, typer.Option(help="Jalali year of official holidays.", show_default=False)
    ] = None,
    as_json: JsonOption = False,
) -> None:
    """List a year's official holidays (from the `holidays` package) and every closure.

    Example: `mohlat holiday list --year 1400`
    """
    from mohlat.calendars import format_date, from_gregorian, official_holidays, tehran_date
    from mohlat.store import queries as q

    the_year = _int(year, "year", 1358, 1500) or tehran_date(_now()).year
    db = _db()
    with db.transaction() as tx:
        closures = q.list_closures(tx)
    official = sorted(official_holidays([the_year]).items())
    if as_json:
        _print_json(
            {
                "official": [
                    {"date": format_date(from_gregorian(d)), "name": n}
                    for d, n in official
                    if from_gregorian(d).year == the_year
                ],
                "closures": [c.model_dump() for c in closures],
            }
        )
        return
    table = Table(title=f"official holidays of {the_year}", title_justify="left")
    table.add_column("date")
    table.add_column("holiday")
    for day, name in official:
        if from_gregorian(day).year == the_year:
            table.add_row(format_date(from_gregorian(day)), name)
    console.print(table)
    closed = Table(title="closures and corrections", title_justify="left")
    for column in ("#", "kind", "days", "where", "reason", "by"):
        closed.add_column(column)
    for c in closures:
        where = ", ".join([*(f"region {r}" for r in c.regions), *c.provinces]) or "national"
        days = c.first_day if c.first_day == c.last_day else f"{c.first_day}–{c.last_day}"
        closed.add_row(str(c.id), c.kind, days, where, c.reason, c.created_by)
    console.print(closed)


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
        str | None,
        typer.Option(
            help="Extend a campaign window instead: declaration or review.", show_default=False
        ),
    ] = None,
    region: Annotated[
        str | None, typer.Option(help="With --window: only this region.", show_default=False)
    ] = None,
    to: Annotated[
        str | None, typer.Option(help="The new last day (Jalali).", show_default=False)
    ] = None,
    days: Annotated[
        str | None, typer.Option(help="Or: this many days more.", show_default=False)
    ] = None,
) -> None:
    """Extend one case's running deadline, or a campaign's window for one region or all.

    Example: `mohlat deadline extend --window declaration --region 3 --to 1400/02/08 --reason x`
    """
    from mohlat.services.deadlines import extend_case, extend_window

    more = _int(days, "days", 1, 365)
    with _acting() as (db, actor):
        if window is not None:
            moved = extend_window(
                db,
                actor=actor,
                now=_now(),
                campaign=campaign,
                window=window,
                region=_int(region, "region", 1, 9),
                to=to,
                days=more,
                reason=reason,
            )
        elif case is not None:
            moved = extend_case(
                db,
                actor=actor,
                now=_now(),
                ref=normalize_digits(case),
                campaign=campaign,
                reason=reason,
                to=to,
                days=more,
            )
        else:
            raise InvalidInput("case", None, "a case, or --window declaration|review")
    due = f"; now due {when(moved.due_at)}" if moved.due_at is not None else ""
    _ok(f"{moved.deadlines} deadline(s) extended{due}")


@app.command()
def due(
    within: Annotated[str, typer.Option(help="How far ahead: 3d, 12h, 90m.")] = "3d",
    campaign: CampaignOption = None,
    as_json: JsonOption = False,
) -> None:
    """Deadlines about to fall, per region and kind (within your remit).

    Example: `mohlat due --within 3d`
    """
    from collections import Counter

    from mohlat.services.due import due_soon, parse_span

    span = parse_span(within)
    with _acting() as (db, actor):
        rows = due_soon(db, actor=actor, campaign=campaign, now=_now(), within=span)
    if as_json:
        _print_json([r.__dict__ for r in rows])
        return
    counts = Counter((r.region, r.kind) for r in rows)
    earliest: dict[tuple[int, str], datetime] = {}
    for r in rows:
        earliest.setdefault((r.region, r.kind), r.due_at)
    table = Table(title=f"deadlines falling within {within}", title_justify="left")
    for column in ("region", "deadline", "cases", "earliest (Tehran)"):
        table.add_column(column)
    for (region, kind), n in sorted(counts.items()):
        table.add_row(str(region), kind, str(n), when(earliest[(region, kind)]))
    console.print(table)


@reminder_app.command("list")
def reminder_list(
    everything: Annotated[bool, typer.Option("--all", help="Sent ones too.")] = False,
    limit: Annotated[str, typer.Option(help="At most this many.")] = "100",
    as_json: JsonOption = False,
) -> None:
    """The reminders the scheduler queued for a sender (SMS, e-mail) to deliver.

    Example: `mohlat reminder list --json`
    """
    from mohlat.services.due import outbox

    with _acting() as (db, actor):
        rows = outbox(
            db, actor=actor, unsent_only=not everything, limit=_int(limit, "limit", 1, 1_000_000)
        )
    if as_json:
        _print_json([r.model_dump() for r in rows])
        return
    table = Table(title="reminder outbox", title_justify="left")
    for column in ("#", "to", "case", "deadline", "due (Tehran)", "queued", "sent"):
        table.add_column(column)
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
    console.print(table)


# --- ranking ---------------------------------------------------------------------------


@app.command()
def ranking(
    campaign: CampaignOption = None,
    region: Annotated[
        str | None, typer.Option(help="Only this region (1..9).", show_default=False)
    ] = None,
    limit: Annotated[
        str | None, typer.Option(help="At most this many.", show_default=False)
    ] = None,
    csv_file: Annotated[
        Path | None,
        typer.Option(
            "--csv",
            help="Write the ranking to this CSV file (safe to open in a spreadsheet).",
            show_default=False,
        ),
    ] = None,
    as_json: JsonOption = False,
) -> None:
    """The published ranking: national, regional and provincial positions.

    Example: `mohlat ranking --region 3 --csv ranking-region-3.csv`
    """
    from mohlat.services.ranking import ranking as ranking_rows
    from mohlat.services.ranking import ranking_csv, ranking_json

    with _acting() as (db, actor):
        rows = ranking_rows(
            db,
            actor=actor,
            campaign=campaign,
            region=_int(region, "region", 1, 9),
            limit=_int(limit, "limit", 1, 1_000_000),
        )
    if csv_file is not None:
        try:
            csv_file.write_text(ranking_csv(rows, bom=True), encoding="utf-8", newline="")
        except OSError as exc:
            raise InvalidInput("csv", str(csv_file), f"a writable file ({exc})") from None
        _ok(f"{len(rows)} row(s) written to {csv_file}")
        return
    if as_json:
        _print_json(ranking_json(rows))
        return
    table = Table(title="ranking", title_justify="left")
    for column in (
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
    ):
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
    console.print(table)


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
    from mohlat.services.ranking import ranking_json

    with _acting() as (db, actor):
        per_region = eligible_rows(db, actor=actor, campaign=campaign, min_grade=min_grade)
    if as_json:
        _print_json({str(region): ranking_json(rows) for region, rows in per_region.items()})
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
    lines = [
        {
            "code": line.code,
            "label": line.label,
            "value": line.value,
            "points": line.points,
            "note": line.note,
        }
        for line in found.lines
    ]
    if as_json:
        _print_json(
            {
                "case": found.row.case.id,
                "total": found.total,
                "grade": found.grade,
                "final_total": found.final_total,
                "final_grade": found.final_grade,
                "provisional": found.provisional,
                "lines": lines,
            }
        )
        return
    title = f"score of case {found.row.case.id} ({found.row.office.code})"
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


@user_app.command("reset")
def user_reset(username: Annotated[str, typer.Argument(help="The account.")]) -> None:
    """Reset an account's password to a must-change state (an office: back to its
    national ID; staff: a temporary password from $MOHLAT_NEW_PASSWORD or a prompt).

    Example: `mohlat user reset 0012345679`
    """
    from mohlat.services.accounts import reset_password
    from mohlat.store import queries as q

    with _acting() as (db, actor):
        with db.transaction() as tx:
            account = q.account_by_username(tx, username=normalize_digits(username))
        temporary = None
        if account is not None and account.role != "office":
            temporary = os.environ.get("MOHLAT_NEW_PASSWORD") or typer.prompt(
                f"temporary password for {username}", hide_input=True, confirmation_prompt=True
            )
        reset_password(
            db, actor=actor, username=normalize_digits(username), temporary=temporary, now=_now()
        )
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
    if as_json:
        _print_json([e.model_dump() for e in events])
        return
    table = Table(title=f"audit trail of {username}", title_justify="left")
    for column in ("when (Tehran)", "what", "by", "detail"):
        table.add_column(column)
    for e in events:
        table.add_row(when(e.at), e.action, e.actor, e.detail)
    console.print(table)
