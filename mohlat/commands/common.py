"""What every command shares: the consoles, the options, logging in, printing.

Importing it loads no database layer: services are imported when a command runs.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.console import Console

from mohlat.calendars import normalize_digits
from mohlat.clock import SystemClock
from mohlat.errors import InvalidInput
from mohlat.params import whole_number

if TYPE_CHECKING:
    from mohlat.services import Database
    from mohlat.services.access import Actor

__all__ = [
    "MANY",
    "CampaignOption",
    "CaseArg",
    "DbOption",
    "FieldOption",
    "IfVersionOption",
    "JsonOption",
    "LimitOption",
    "OptionalCaseArg",
    "RegionOption",
    "ViolationOption",
    "acting",
    "console",
    "current_time",
    "err_console",
    "login",
    "maybe",
    "new_file",
    "new_password",
    "number",
    "ok",
    "open_db",
    "out",
    "print_json",
    "reading",
    "state",
]

console = Console(highlight=False)
err_console = Console(stderr=True, highlight=False)

#: what the root options set: the database URL
state: dict[str, Any] = {"db_url": None}

#: the largest count an option takes
MANY = 1_000_000


def maybe(*names: str, help: str) -> Any:
    """An option with no default worth showing."""
    return typer.Option(*names, help=help, show_default=False)


def number(name: str, low: int, high: int, help: str, *, shown: bool = True) -> Any:
    """An option (``--name``) or argument (``name``) taking a whole number in any digits."""
    parse = whole_number(name, low, high)
    metavar = name.removeprefix("--").upper()
    if not name.startswith("--"):
        return typer.Argument(help=help, parser=parse, metavar=metavar)
    return typer.Option(name, help=help, parser=parse, metavar=metavar, show_default=shown)


DbOption = Annotated[
    str | None,
    maybe("--db", help="Database URL or SQLite path (default: $MOHLAT_DB or ./mohlat.db)."),
]
JsonOption = Annotated[bool, typer.Option("--json", help="Print JSON instead of a table.")]
CampaignOption = Annotated[
    str | None, maybe("--campaign", "-c", help="Campaign code (default: the newest campaign).")
]
RegionOption = Annotated[int | None, number("--region", 1, 9, "Only this region (1..9).")]
LimitOption = Annotated[int, number("--limit", 1, MANY, "At most this many.")]
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
    maybe("--field", "-f", help="A declaration input as NAME=VALUE (repeatable)."),
]
IfVersionOption = Annotated[
    int | None,
    number(
        "--if-version",
        0,
        2**31,
        "Act only if the case is still at this version (as `case show` showed it).",
        shown=False,
    ),
]
ViolationOption = Annotated[
    list[str] | None,
    maybe("--violation", help="A violation as CODE=COUNT (repeatable; 0 clears it)."),
]


def open_db() -> Database:
    """The database the root ``--db`` option or ``$MOHLAT_DB`` names, its schema ready."""
    from mohlat.services import open_database

    return open_database(state["db_url"])


def new_file(path: Path, option: str) -> Path:
    """``path`` if no file is there yet (a command that writes one never overwrites)."""
    if path.exists():
        raise InvalidInput(option, str(path), "a new file (it exists; choose another)")
    return path


def current_time() -> datetime:
    """Now, from the system clock (the only clock the product reads)."""
    return SystemClock().now()


def login(db: Database, *, changing_password: bool = False) -> Actor:
    """Log in as ``$MOHLAT_USER`` with ``$MOHLAT_PASSWORD`` (else a prompt for each)."""
    from mohlat.services.accounts import login as log_in

    username = os.environ.get("MOHLAT_USER") or typer.prompt("user")
    password = os.environ.get("MOHLAT_PASSWORD") or typer.prompt("password", hide_input=True)
    return log_in(
        db,
        username=normalize_digits(username).strip(),
        password=password,
        now=current_time(),
        changing_password=changing_password,
    )


def print_json(data: Any) -> None:
    """Print ``data`` as indented JSON (instants and other values as text)."""
    print(json.dumps(data, ensure_ascii=False, indent=2, default=str))


def out(as_json: bool, data: Any, shown: Any) -> None:
    """Print ``data`` as JSON with ``--json``, else ``shown`` (a table)."""
    if as_json:
        print_json(data)
    else:
        console.print(shown)


def ok(message: str) -> None:
    """Say that something was done."""
    console.print(f"[green]✓[/] {message}", markup=True)


def new_password(prompt: str) -> str:
    """A new password: ``$MOHLAT_NEW_PASSWORD``, else asked for twice."""
    return os.environ.get("MOHLAT_NEW_PASSWORD") or typer.prompt(
        prompt, hide_input=True, confirmation_prompt=True
    )


@contextmanager
def acting() -> Iterator[tuple[Database, Actor]]:
    """The database and the actor logged in (a login is required)."""
    db = open_db()
    try:
        yield db, login(db)
    finally:
        db.dispose()


@contextmanager
def reading() -> Iterator[tuple[Database, Actor | None]]:
    """For public reads: logged in only when ``$MOHLAT_USER`` names someone."""
    db = open_db()
    try:
        yield db, (login(db) if os.environ.get("MOHLAT_USER") else None)
    finally:
        db.dispose()
