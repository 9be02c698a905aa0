"""Setting up and accounts: `init`, `passwd` and the `user` commands."""

from __future__ import annotations

import csv
import os
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from mohlat.calendars import normalize_digits
from mohlat.commands.common import (
    JsonOption,
    RegionOption,
    console,
    current_time,
    maybe,
    new_file,
    new_password,
    number,
    ok,
    out,
    state,
)
from mohlat.commands.gateway import call, connect, forget_login
from mohlat.display import when
from mohlat.errors import InvalidInput
from mohlat.render import (
    accounts_table,
    audit_table,
    sessions_table,
)
from mohlat.views import (
    plain,
)

if TYPE_CHECKING:
    from mohlat.services.login_policy import LoginPolicy

__all__ = ["register"]

user_app = typer.Typer(
    help="Manage accounts: staff, and offices' activation codes.", no_args_is_help=True
)
policy_app = typer.Typer(help="The login policy (lockout, activation codes).", no_args_is_help=True)


def init(
    admin: Annotated[str, typer.Option(help="User name of the first admin.")] = "admin",
) -> None:
    """Create the database schema and the first admin account.

    The admin's password comes from $MOHLAT_PASSWORD or a prompt.

    Example: `MOHLAT_PASSWORD=s3cret-pass mohlat init --admin root`
    """
    from mohlat.services import prepare_database, shown_url
    from mohlat.services.accounts import add_first_admin, has_admin

    db = prepare_database(state["db_url"])
    where = shown_url(db.url)
    if has_admin(db):
        ok(f"schema ready in {where}; an admin exists already")
        return
    password = os.environ.get("MOHLAT_PASSWORD") or typer.prompt(
        f"password for {admin}", hide_input=True, confirmation_prompt=True
    )
    add_first_admin(db, username=admin, password=password, now=current_time())
    ok(f"schema ready in {where}; admin {admin!r} created")


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
    with connect() as link:
        link.call("user.check", username=username, role=role, region=region)
        password = new_password(f"password for {username}")
        link.call("user.add", username=username, role=role, region=region, password=password)
    ok(f"{role} {username!r} added")


@user_app.command("list")
def user_list(as_json: JsonOption = False) -> None:
    """List accounts (admins only).

    Example: `mohlat user list --json`
    """
    accounts = call("user.list")
    out(as_json, [plain(a) for a in accounts], accounts_table(accounts))


@user_app.command("reset")
def user_reset(username: Annotated[str, typer.Argument(help="The account.")]) -> None:
    """Reset an account's password: an office's is removed and a new activation code
    printed for its holder; staff get a temporary password (from $MOHLAT_NEW_PASSWORD
    or a prompt) they must change at the next login.

    Example: `mohlat user reset 0012345679`
    """
    name = normalize_digits(username)
    with connect() as link:
        needs = link.call("user.reset_needs", username=name).needs_password
        temporary = new_password(f"temporary password for {username}") if needs else None
        code = link.call("user.reset", username=name, temporary=temporary).activation_code
    if code is None:
        ok(f"{username!r} must choose a new password at the next login")
    else:
        ok(
            f"password removed; new activation code for {name}: {code} "
            "(hand it to the holder, who runs `mohlat activate`)"
        )


@user_app.command("show")
def user_show(
    username: Annotated[str, typer.Argument(help="The account.")], as_json: JsonOption = False
) -> None:
    """Show an account's audit trail: creation, locks, password changes and resets.

    Example: `mohlat user show 0012345679`
    """
    events = call("user.show", username=normalize_digits(username))
    out(as_json, [plain(e) for e in events], audit_table(username, events))


@user_app.command("sessions")
def user_sessions(
    username: Annotated[
        str | None,
        typer.Argument(
            help="Only this account's (an admin; others see their own).", show_default=False
        ),
    ] = None,
    everything: Annotated[bool, typer.Option("--all", help="Closed and expired ones too.")] = False,
    revoke: Annotated[
        bool, typer.Option("--revoke", help="Close every open session of USERNAME (admins).")
    ] = False,
    as_json: JsonOption = False,
) -> None:
    """List the sessions opened through the server (logins with a token), or close an
    account's sessions.

    Example: `mohlat user sessions 0012345679 --revoke`
    """
    if revoke:
        if username is None:
            raise InvalidInput("username", None, "the account whose sessions --revoke closes")
        done = call("session.revoke", username=normalize_digits(username))
        ok(f"{done.revoked} session(s) of {username!r} closed")
        return
    rows = call("session.list", username=username, all=everything)
    out(as_json, [plain(r) for r in rows], sessions_table(rows))


def passwd() -> None:
    """Change your password (license holders must, before anything else).
    The new password comes from $MOHLAT_NEW_PASSWORD or a prompt.

    Example: `MOHLAT_USER=0012345679 mohlat passwd`
    """
    from mohlat.api.operations import Login

    with connect() as link:
        link.log_in(Login.PASSWORD_CHANGE)
        new = new_password("new password")
        link.call("session.password", new_password=new)
        remote = link.remote
    if remote and forget_login():
        ok("password changed; every session was closed: log in again (`mohlat login`)")
        return
    ok("password changed")


@user_app.command("activation-code")
def user_activation_code(
    national_id: Annotated[
        list[str] | None,
        typer.Argument(help="Offices' national IDs (or --region).", show_default=False),
    ] = None,
    region: RegionOption = None,
    everyone: Annotated[
        bool, typer.Option("--all", help="With --region: also offices already activated.")
    ] = False,
    out_file: Annotated[
        Path | None, maybe("--out", help="Write the codes to this new CSV file for printing.")
    ] = None,
) -> None:
    """Issue one-time activation codes for offices' first login (a supervisor: in its
    own region). Each code is shown once; only its hash is kept; it expires after the
    login policy's days.

    Example: `mohlat user activation-code --region 3 --out region-3-codes.csv`
    """
    if out_file is not None:
        new_file(out_file, "--out")
    issued = call(
        "user.activation_code",
        region=region,
        usernames=[normalize_digits(n) for n in national_id] if national_id else None,
        include_activated=everyone,
    )
    if out_file is not None:
        with out_file.open("w", newline="", encoding="utf-8") as f:
            writer = csv.writer(f)
            writer.writerow(["national_id", "office_code", "office_name", "region", "province",
                             "code", "expires_at"])  # fmt: skip
            for i in issued:
                writer.writerow([i.national_id, i.office_code, i.office_name, i.region,
                                 i.province, i.code, when(i.expires_at)])  # fmt: skip
        ok(f"{len(issued)} activation code(s) written to {out_file}")
        return
    for i in issued:
        ok(f"activation code for {i.national_id} ({i.office_code}): {i.code} "
           f"(valid until {when(i.expires_at)})")  # fmt: skip
    if not issued:
        ok("no office needs an activation code")


def activate() -> None:
    """Activate your office's account the first time (or after a reset): your national
    ID, the code your region gave you, and a new password. Reads $MOHLAT_USER,
    $MOHLAT_ACTIVATION_CODE and $MOHLAT_NEW_PASSWORD, or asks.

    Example: `mohlat activate`
    """
    with connect() as link:
        username = os.environ.get("MOHLAT_USER") or typer.prompt("national ID")
        code = os.environ.get("MOHLAT_ACTIVATION_CODE") or typer.prompt(
            "activation code", hide_input=True
        )
        password = new_password("new password")
        link.call(
            "session.activate",
            username=normalize_digits(username).strip(),
            code=code,
            new_password=password,
        )
    ok("account activated; log in with your new password")


def _policy_line(policy: LoginPolicy) -> str:
    return (
        f"lock after {policy.max_failed_logins} failed logins for {policy.lock_minutes} "
        f"minutes; activation codes valid {policy.activation_days} days"
    )


@policy_app.command("show")
def policy_show() -> None:
    """Show the login policy: lockout after failed logins, and activation codes' life.

    Example: `mohlat policy show`
    """
    policy = call("policy.show")
    console.print(_policy_line(policy))


@policy_app.command("set")
def policy_set(
    max_failed_logins: Annotated[
        int | None, number("--max-failed-logins", 1, 100, "Lock after this many.", shown=False)
    ] = None,
    lock_minutes: Annotated[
        int | None, number("--lock-minutes", 1, 10080, "For this long.", shown=False)
    ] = None,
    activation_days: Annotated[
        int | None, number("--activation-days", 1, 365, "Codes' life.", shown=False)
    ] = None,
) -> None:
    """Change the login policy (admins only; on the audit trail).

    Example: `mohlat policy set --max-failed-logins 3 --lock-minutes 30`
    """
    policy = call(
        "policy.set",
        max_failed_logins=max_failed_logins,
        lock_minutes=lock_minutes,
        activation_days=activation_days,
    )
    ok(_policy_line(policy))


def register(app: typer.Typer) -> None:
    """Add these commands to the ``mohlat`` app."""
    app.add_typer(user_app, name="user")
    app.add_typer(policy_app, name="policy")
    app.command()(init)
    app.command()(passwd)
    app.command()(activate)
