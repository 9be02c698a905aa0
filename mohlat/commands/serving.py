"""The server and its clients: `serve` (the operator's), `login` and `logout`."""

from __future__ import annotations

import logging
import os
import sys
from typing import Annotated

import typer

from mohlat.calendars import normalize_digits
from mohlat.commands.common import maybe, number, ok, state
from mohlat.commands.gateway import (
    SavedLogin,
    forget_login,
    keep_login,
    open_server,
    saved_login,
)
from mohlat.errors import InvalidInput, MohlatError

__all__ = ["register"]


def serve(
    host: Annotated[str, typer.Option(help="The address to listen on.")] = "127.0.0.1",
    port: Annotated[int, number("--port", 1, 65535, "The port to listen on.")] = 8000,
    workers: Annotated[int, number("--workers", 1, 64, "Worker processes.")] = 1,
    root_path: Annotated[
        str, typer.Option(help="The path prefix a reverse proxy serves it under, e.g. /mohlat.")
    ] = "",
    scheduler: Annotated[
        bool, typer.Option("--scheduler", help="Also apply due deadlines in this process.")
    ] = False,
    interval: Annotated[
        int, number("--interval", 1, 86400, "With --scheduler: seconds between sweeps.")
    ] = 60,
    forwarded_allow_ips: Annotated[
        str | None,
        maybe(
            "--forwarded-allow-ips",
            help="The reverse proxies whose X-Forwarded-For to trust (the client address "
            "the login limits count by), e.g. 127.0.0.1.",
        ),
    ] = None,
) -> None:
    """Serve the HTTP API: the one process that holds the database (and the chain key);
    supervisors and offices point their CLI at it (`mohlat login --server URL`). An
    operator's command on the server host.

    Example: `mohlat serve --host 127.0.0.1 --port 8000 --scheduler`
    """
    import uvicorn

    from mohlat.services import open_database, shown_url

    db = open_database(state["db_url"])  # refused here if missing or not ready
    logging.getLogger("mohlat").setLevel(logging.INFO)
    options = {
        "host": host,
        "port": port,
        "root_path": root_path,
        "proxy_headers": forwarded_allow_ips is not None,
        "forwarded_allow_ips": forwarded_allow_ips,
        "log_level": "info",
    }
    typer.echo(f"serving {shown_url(db.url)} on http://{host}:{port}{root_path}", err=True)
    if workers == 1:
        from mohlat.web.app import create_app

        app = create_app(db, root_path=root_path, sweep_every=interval if scheduler else None)
        uvicorn.run(app, **options)  # type: ignore[arg-type]
        return
    os.environ["MOHLAT_DB"] = db.url
    if scheduler:
        os.environ["MOHLAT_SWEEP_EVERY"] = str(interval)
    db.dispose()
    uvicorn.run(
        "mohlat.web.app:app_from_environment",
        factory=True,
        workers=workers,
        **options,  # type: ignore[arg-type]
    )


def login(
    server: Annotated[
        str | None, maybe("--server", help="The server's URL (default: $MOHLAT_SERVER).")
    ] = None,
    user: Annotated[
        str | None, maybe("--user", help="Your user name (an office: the holder's national ID).")
    ] = None,
    password_stdin: Annotated[
        bool, typer.Option("--password-stdin", help="Read the password from standard input.")
    ] = False,
) -> None:
    """Log in to a server and keep the session (readable by you alone) for the next
    commands, which then go to that server.

    Example: `mohlat login --server https://mohlat.example --user sup3 --password-stdin`
    """
    from mohlat.api.catalog import find
    from mohlat.api.operations import parse_params

    url = server or os.environ.get("MOHLAT_SERVER")
    if not url:
        raise InvalidInput("--server", None, "the server's URL, or $MOHLAT_SERVER")
    username = normalize_digits(
        user or os.environ.get("MOHLAT_USER") or typer.prompt("user")
    ).strip()
    if password_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
    else:
        password = os.environ.get("MOHLAT_PASSWORD") or typer.prompt("password", hide_input=True)
    client = open_server(url)
    try:
        op = find("session.open")
        issued = client.call(op, parse_params(op, {"username": username, "password": password}))
    finally:
        client.close()
    path = keep_login(SavedLogin(client.url, issued.username, issued.token))
    ok(f"logged in to {client.url} as {issued.username!r} until {_when(issued.expires_at)}; "
       f"the session is kept in {path}")  # fmt: skip
    if issued.must_change_password:
        ok("you must change your password before anything else: run `mohlat passwd`")


def _when(instant: object) -> str:
    from mohlat.display import when

    return when(instant)  # type: ignore[arg-type]


def logout() -> None:
    """Close the session `mohlat login` kept, on the server and here.

    Example: `mohlat logout`
    """
    from mohlat.api.catalog import find
    from mohlat.api.operations import parse_params

    kept = saved_login()
    if kept is None:
        ok("not logged in")
        return
    client = open_server(kept.server)
    try:
        op = find("session.close")
        client.call(op, parse_params(op, {}), token=kept.token)
    except MohlatError:
        pass  # expired or closed already: forgetting it is all there is to do
    finally:
        client.close()
    forget_login()
    ok(f"logged out of {kept.server}")


def register(app: typer.Typer) -> None:
    """Add these commands to the ``mohlat`` app."""
    app.command()(serve)
    app.command()(login)
    app.command()(logout)
