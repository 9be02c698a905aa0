"""How a command reaches the application: in process, or through a ``mohlat serve``.

Every command a person uses (not the operator's ``init``, ``scheduler``, ``backup``,
``check``, ``demo``) makes its calls through :func:`connect`, naming an operation of
:mod:`mohlat.api.operations`. Where it goes:

1. ``--db`` given: in process, against that database;
2. ``$MOHLAT_SERVER`` set: to that server;
3. ``$MOHLAT_DB`` set: in process;
4. a login kept by ``mohlat login --server URL``: to its server;
5. otherwise in process, against ``./mohlat.db``.

Who calls: ``$MOHLAT_USER`` (with ``$MOHLAT_PASSWORD`` or a prompt) for this command
alone; else, through a server, the login ``mohlat login`` kept; else a prompt when the
operation needs a login. Public operations log in only when someone is named.
"""

from __future__ import annotations

import json
import os
import stat
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import typer

from mohlat.calendars import normalize_digits
from mohlat.commands.common import current_time, state
from mohlat.errors import InvalidInput, MohlatError

if TYPE_CHECKING:
    from mohlat.api.operations import Login
    from mohlat.api.remote import Server
    from mohlat.services import Database
    from mohlat.services.access import Actor

__all__ = [
    "SavedLogin",
    "call",
    "connect",
    "credentials",
    "forget_login",
    "keep_login",
    "saved_login",
    "server_url",
]


@dataclass(frozen=True)
class SavedLogin:
    """A login kept by ``mohlat login``: the server, the account, its token."""

    server: str
    username: str
    token: str


def _login_file() -> Path:
    return Path(typer.get_app_dir("mohlat")) / "login.json"


def saved_login() -> SavedLogin | None:
    """The login ``mohlat login`` kept, if any."""
    try:
        data = json.loads(_login_file().read_text(encoding="utf-8"))
        return SavedLogin(str(data["server"]), str(data["username"]), str(data["token"]))
    except (OSError, ValueError, KeyError, TypeError):
        return None


def keep_login(login: SavedLogin) -> Path:
    """Keep ``login`` in the user's config directory, readable by the user alone."""
    path = _login_file()
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, stat.S_IRUSR | stat.S_IWUSR)
    with os.fdopen(fd, "w", encoding="utf-8") as f:
        json.dump(login.__dict__, f)
    path.chmod(stat.S_IRUSR | stat.S_IWUSR)
    return path


def forget_login() -> bool:
    """Remove the kept login; whether there was one."""
    try:
        _login_file().unlink()
    except FileNotFoundError:
        return False
    return True


def server_url() -> str | None:
    """The server the commands go to, or None: in process (the module's order)."""
    if state["db_url"]:
        return None
    if os.environ.get("MOHLAT_SERVER"):
        return os.environ["MOHLAT_SERVER"]
    if os.environ.get("MOHLAT_DB"):
        return None
    kept = saved_login()
    return kept.server if kept else None


def credentials() -> tuple[str, str]:
    """``$MOHLAT_USER`` and ``$MOHLAT_PASSWORD``, or a prompt for each."""
    username = os.environ.get("MOHLAT_USER") or typer.prompt("user")
    password = os.environ.get("MOHLAT_PASSWORD") or typer.prompt("password", hide_input=True)
    return normalize_digits(username).strip(), password


def _needs_login(kind: Login) -> bool:
    from mohlat.api.operations import Login

    return kind in (Login.REQUIRED, Login.PASSWORD_CHANGE)


class _InProcess:
    """Calls run here, against the database."""

    def __init__(self, db: Database) -> None:
        self.db = db
        self.actor: Actor | None = None
        self._logged_in = False

    def log_in(self, kind: Login) -> None:
        from mohlat.api.operations import Login
        from mohlat.services.accounts import login

        if self._logged_in or kind is Login.NONE:
            return
        if kind is Login.OPTIONAL and not os.environ.get("MOHLAT_USER"):
            return
        username, password = credentials()
        self.actor = login(
            self.db,
            username=username,
            password=password,
            now=current_time(),
            changing_password=kind is Login.PASSWORD_CHANGE,
        )
        self._logged_in = True

    def call(self, name: str, params: dict[str, Any]) -> Any:
        from mohlat.api.catalog import find
        from mohlat.api.operations import Call, Login, parse_params

        op = find(name)
        checked = parse_params(op, params)
        self.log_in(op.login)
        actor = None if op.login is Login.NONE else self.actor
        return op.run(Call(self.db, actor, current_time(), settings=os.environ), checked)

    def close(self) -> None:
        self.db.dispose()


class _ThroughServer:
    """Calls go to a server."""

    def __init__(self, server: Server) -> None:
        self.server = server
        self._token: str | None = None
        self._own_session = False
        self._logged_in = False

    def log_in(self, kind: Login) -> None:
        from mohlat.api.operations import Login

        if self._logged_in or kind is Login.NONE:
            return
        kept = self._kept_token()
        if os.environ.get("MOHLAT_USER") or (kept is None and _needs_login(kind)):
            username, password = credentials()
            issued = self._call("session.open", {"username": username, "password": password})
            self._token, self._own_session = issued.token, True
        else:
            self._token = kept
        self._logged_in = True

    def _kept_token(self) -> str | None:
        kept = saved_login()
        return kept.token if kept is not None and kept.server == self.server.url else None

    def _call(self, name: str, params: dict[str, Any], token: str | None = None) -> Any:
        from mohlat.api.catalog import find
        from mohlat.api.operations import parse_params

        op = find(name)
        return self.server.call(op, parse_params(op, params), token=token or "")

    def call(self, name: str, params: dict[str, Any]) -> Any:
        from mohlat.api.catalog import find
        from mohlat.api.operations import Login, parse_params

        op = find(name)
        checked = parse_params(op, params)
        self.log_in(op.login)
        token = None if op.login is Login.NONE else self._token
        return self.server.call(op, checked, token=token or "")

    def close(self) -> None:
        if self._own_session and self._token:
            with suppress(MohlatError):  # closed already (a password change closes them all)
                self._call("session.close", {}, token=self._token)
        self.server.close()


class Link:
    """One command's way to the application."""

    def __init__(self, via: _InProcess | _ThroughServer) -> None:
        self._via = via

    @property
    def remote(self) -> bool:
        """Whether the calls go to a server."""
        return isinstance(self._via, _ThroughServer)

    def log_in(self, kind: Login) -> None:
        """Log in now as the operation kind ``kind`` needs (before asking for more)."""
        self._via.log_in(kind)

    def call(self, name: str, **params: Any) -> Any:
        """Make the operation ``name``'s call with ``params``; its result."""
        return self._via.call(name, {k: v for k, v in params.items() if v is not None})


def open_server(url: str) -> Server:
    """A client of the server at ``url``; refused unless it is an http(s) URL."""
    from mohlat.api.remote import Server

    if not url.startswith(("http://", "https://")):
        raise InvalidInput("server", url, "an http:// or https:// URL, e.g. https://mohlat.example")
    return Server(url)


@contextmanager
def connect() -> Iterator[Link]:
    """The way to the application for one command (see the module's order)."""
    url = server_url()
    if url is not None:
        via: _InProcess | _ThroughServer = _ThroughServer(open_server(url))
    else:
        from mohlat.services import open_database

        via = _InProcess(open_database(state["db_url"]))
    try:
        yield Link(via)
    finally:
        via.close()


def call(name: str, **params: Any) -> Any:
    """One call of the operation ``name`` (see :func:`connect`)."""
    with connect() as link:
        return link.call(name, **params)
