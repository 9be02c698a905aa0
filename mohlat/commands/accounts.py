"""Setting up and accounts: `init`, `passwd` and the `user` commands."""

from __future__ import annotations

import os
from typing import Annotated

import typer

from mohlat.calendars import normalize_digits
from mohlat.commands.common import (
    JsonOption,
    acting,
    current_time,
    login,
    new_password,
    number,
    ok,
    open_db,
    out,
    state,
)
from mohlat.render import (
    accounts_table,
    audit_table,
)
from mohlat.views import (
    plain,
)

__all__ = ["register"]

user_app = typer.Typer(help="Manage admin and supervisor accounts.", no_args_is_help=True)


def init(
    admin: Annotated[str, typer.Option(help="User name of the first admin.")] = "admin",
) -> None:
    """Create the database schema and the first admin account.

    The admin's password comes from $MOHLAT_PASSWORD or a prompt.

    Example: `MOHLAT_PASSWORD=s3cret-pass mohlat init --admin root`
    """
    from mohlat.services import prepare_database
    from mohlat.services.accounts import add_first_admin, has_admin

    db = prepare_database(state["db_url"])
    if has_admin(db):
        ok(f"schema ready in {db.url}; an admin exists already")
        return
    password = os.environ.get("MOHLAT_PASSWORD") or typer.prompt(
        f"password for {admin}", hide_input=True, confirmation_prompt=True
    )
    add_first_admin(db, username=admin, password=password, now=current_time())
    ok(f"schema ready in {db.url}; admin {admin!r} created")


@user_app.command("add")
def user_add(
    username: Annotated[str, typer.Argument(help="User name.")],
    role: Annotated[str, typer.Option(help="admin or supervisor.")],
    region: Annotated[int | None, number("--region", 1, 9, "A supervisor's region (1..9).")] = None,
) -> None:
    """Add an admin or a region's supervisor. The new password comes from
    $MOHLAT_NEW_PASSWORD or a prompt.

    Example: `mohlat user add sup3 --role supervisor --region 3`
    """
    from mohlat.services.accounts import add_user, check_new_user, staff_role

    the_role = staff_role(role)
    with acting() as (db, actor):
        check_new_user(db, actor=actor, username=username, role=the_role, region=region)
        password = new_password(f"password for {username}")
        add_user(
            db,
            actor=actor,
            username=username,
            password=password,
            role=the_role,
            region=region,
            now=current_time(),
        )
    ok(f"{role} {username!r} added")


@user_app.command("list")
def user_list(as_json: JsonOption = False) -> None:
    """List accounts (admins only).

    Example: `mohlat user list --json`
    """
    from mohlat.services.accounts import list_accounts

    with acting() as (db, actor):
        accounts = list_accounts(db, actor=actor)
    out(as_json, [plain(a) for a in accounts], accounts_table(accounts))


@user_app.command("reset")
def user_reset(username: Annotated[str, typer.Argument(help="The account.")]) -> None:
    """Reset an account's password to a must-change state (an office: back to its
    national ID; staff: a temporary password from $MOHLAT_NEW_PASSWORD or a prompt).

    Example: `mohlat user reset 0012345679`
    """
    from mohlat.services.accounts import reset_needs_password, reset_password

    name = normalize_digits(username)
    with acting() as (db, actor):
        needs = reset_needs_password(db, actor=actor, username=name)
        temporary = new_password(f"temporary password for {username}") if needs else None
        reset_password(db, actor=actor, username=name, temporary=temporary, now=current_time())
    ok(f"{username!r} must choose a new password at the next login")


@user_app.command("show")
def user_show(
    username: Annotated[str, typer.Argument(help="The account.")], as_json: JsonOption = False
) -> None:
    """Show an account's audit trail: creation, locks, password changes and resets.

    Example: `mohlat user show 0012345679`
    """
    from mohlat.services.accounts import audit_trail

    with acting() as (db, actor):
        events = audit_trail(db, actor=actor, username=normalize_digits(username))
    out(as_json, [plain(e) for e in events], audit_table(username, events))


def passwd() -> None:
    """Change your password (license holders must, before anything else).
    The new password comes from $MOHLAT_NEW_PASSWORD or a prompt.

    Example: `MOHLAT_USER=0012345679 mohlat passwd`
    """
    from mohlat.services.accounts import change_password

    db = open_db()
    try:
        actor = login(db, changing_password=True)
        new = new_password("new password")
        change_password(db, actor=actor, new_password=new, now=current_time())
    finally:
        db.dispose()
    ok("password changed")


def register(app: typer.Typer) -> None:
    """Add these commands to the ``mohlat`` app."""
    app.add_typer(user_app, name="user")
    app.command()(init)
    app.command()(passwd)
