"""Bearer-token sessions: a token works until it expires or is closed, a password change
or reset closes the account's sessions, the lockout applies to them, and the table
never holds a token."""

from __future__ import annotations

import hashlib
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import event
from support import World, activate_account, tehran

from mohlat.errors import (
    AuthenticationFailed,
    InvalidInput,
    PasswordChangeRequired,
    PermissionDenied,
    UserNotFound,
)
from mohlat.services import accounts, sessions
from mohlat.services.access import Actor
from mohlat.services.accounts import add_user, audit_trail, change_password, reset_password
from mohlat.services.activation import activate, issue_activation_code
from mohlat.services.login_policy import set_login_policy
from mohlat.services.sessions import (
    SESSION_CLOSED,
    SESSION_HOURS,
    close_session,
    list_sessions,
    open_session,
    revoke_sessions,
    session_actor,
)
from mohlat.store import Database
from mohlat.workflow.definition import Role

AT = tehran(1400, 1, 20, 9)
PASSWORD = "a-good-pass-1"


def holder(world: World, index: int = 0) -> Actor:
    """An office's holder, activated with :data:`PASSWORD`."""
    return activate_account(world.db, world.office_actors[world.case_ids[index]].name, PASSWORD, AT)


def supervisor(world: World, name: str = "sup1", region: int = 1) -> Actor:
    """A supervisor account with :data:`PASSWORD`."""
    add_user(
        world.db,
        actor=World.admin,
        username=name,
        password=PASSWORD,
        role=Role.SUPERVISOR,
        region=region,
        now=AT,
    )
    return Actor(name, Role.SUPERVISOR, region=region)


def token_of(world: World, actor: Actor, at: Any = AT, **kw: Any) -> str:
    return open_session(world.db, username=actor.name, password=PASSWORD, now=at, **kw).token


def refused_as_closed(db: Database, token: str, at: Any) -> None:
    with pytest.raises(AuthenticationFailed, match=SESSION_CLOSED):
        session_actor(db, token=token, now=at)


def test_a_token_stands_for_its_account_until_it_expires(world: World) -> None:
    office = holder(world)
    issued = open_session(world.db, username=office.name, password=PASSWORD, now=AT)
    assert issued.username == office.name and issued.role == "office"
    assert issued.office_id == office.office_id and not issued.must_change_password
    assert issued.expires_at == AT + timedelta(hours=SESSION_HOURS)
    last_moment = AT + timedelta(hours=SESSION_HOURS) - timedelta(seconds=1)
    assert session_actor(world.db, token=issued.token, now=last_moment) == office
    refused_as_closed(world.db, issued.token, AT + timedelta(hours=SESSION_HOURS))
    short = token_of(world, office, hours=1)
    refused_as_closed(world.db, short, AT + timedelta(hours=1))


def test_an_unknown_token_is_refused_like_an_expired_one(world: World) -> None:
    office = holder(world)
    token = token_of(world, office)
    for forged in ("", "x" * 10_000, token[:-1], token + "a", token.upper(), "\udcff"):
        refused_as_closed(world.db, forged, AT)


def test_a_session_longer_than_30_days_is_refused_before_the_password_is_checked(
    world: World,
) -> None:
    office = holder(world)
    for hours in (0, -1, 24 * 30 + 1):
        with pytest.raises(InvalidInput, match="hours"):
            open_session(world.db, username=office.name, password="guess", now=AT, hours=hours)
    trail = [e.action for e in audit_trail(world.db, actor=World.admin, username=office.name)]
    assert "locked" not in trail
    for _ in range(4):  # nothing was counted: four failures still do not lock it
        with pytest.raises(AuthenticationFailed, match="wrong user name or password"):
            open_session(world.db, username=office.name, password="guess", now=AT)
    assert token_of(world, office)


def test_after_logging_out_the_token_is_refused(world: World) -> None:
    office = holder(world)
    token, other = token_of(world, office), token_of(world, office)
    close_session(world.db, token=token, now=AT + timedelta(minutes=5))
    refused_as_closed(world.db, token, AT + timedelta(minutes=6))
    close_session(world.db, token=token, now=AT + timedelta(minutes=7))  # twice: nothing
    close_session(world.db, token="no-such-token", now=AT)
    assert session_actor(world.db, token=other, now=AT + timedelta(minutes=6)) == office
    closed = list_sessions(world.db, actor=office, now=AT, include_closed=True)
    assert [s.revoked_at for s in closed] == [None, AT + timedelta(minutes=5)]


def test_a_restricted_token_only_changes_the_password_then_every_token_is_void(
    world: World,
) -> None:
    staff = supervisor(world)
    before = token_of(world, staff)
    reset_password(
        world.db, actor=World.admin, username=staff.name, temporary="temp-pass-1", now=AT
    )
    refused_as_closed(world.db, before, AT)  # the reset closed it
    issued = open_session(world.db, username=staff.name, password="temp-pass-1", now=AT)
    second = open_session(world.db, username=staff.name, password="temp-pass-1", now=AT).token
    assert issued.must_change_password
    with pytest.raises(PasswordChangeRequired, match="must change the initial password"):
        session_actor(world.db, token=issued.token, now=AT)
    actor = session_actor(world.db, token=issued.token, now=AT, changing_password=True)
    assert actor == staff

    change_password(world.db, actor=actor, new_password="new-pass-22", now=AT)

    for token in (issued.token, second):
        with pytest.raises(AuthenticationFailed, match=SESSION_CLOSED):
            session_actor(world.db, token=token, now=AT, changing_password=True)
    fresh = open_session(world.db, username=staff.name, password="new-pass-22", now=AT)
    assert not fresh.must_change_password
    assert session_actor(world.db, token=fresh.token, now=AT) == staff


def test_a_password_change_closes_the_accounts_sessions_only(world: World) -> None:
    office, neighbour = holder(world, 0), holder(world, 1)
    mine, also_mine, theirs = (
        token_of(world, office),
        token_of(world, office),
        token_of(world, neighbour),
    )
    change_password(world.db, actor=office, new_password="another-pass-2", now=AT)
    refused_as_closed(world.db, mine, AT)
    refused_as_closed(world.db, also_mine, AT)
    assert session_actor(world.db, token=theirs, now=AT) == neighbour
    trail = [e.action for e in audit_trail(world.db, actor=World.admin, username=office.name)]
    assert trail[-1] == "password_changed"


def test_an_admin_reset_of_an_office_closes_its_sessions(world: World) -> None:
    office = holder(world)
    token = token_of(world, office)
    code = reset_password(world.db, actor=World.admin, username=office.name, temporary=None, now=AT)
    refused_as_closed(world.db, token, AT)
    assert code is not None
    activate(world.db, username=office.name, code=code, new_password="holder-pass-2", now=AT)
    token = open_session(world.db, username=office.name, password="holder-pass-2", now=AT).token
    assert session_actor(world.db, token=token, now=AT) == office


def test_activating_with_a_new_code_closes_the_sessions_of_the_old_password(
    world: World,
) -> None:
    office = holder(world)
    token = token_of(world, office)
    code = issue_activation_code(world.db, actor=World.admin, username=office.name, now=AT)
    assert session_actor(world.db, token=token, now=AT) == office  # issuing changes nothing
    activate(world.db, username=office.name, code=code, new_password="holder-pass-3", now=AT)
    refused_as_closed(world.db, token, AT)


def test_a_locked_accounts_token_is_refused_while_the_lock_lasts(world: World) -> None:
    office = holder(world)
    token = token_of(world, office)
    for _ in range(5):
        with pytest.raises(AuthenticationFailed, match="wrong user name or password"):
            open_session(world.db, username=office.name, password="guess", now=AT)
    with pytest.raises(AuthenticationFailed, match=r"locked until .* after 5 failed logins"):
        session_actor(world.db, token=token, now=AT + timedelta(minutes=14))
    later = AT + timedelta(minutes=15, seconds=1)
    assert session_actor(world.db, token=token, now=later) == office


def test_wrong_passwords_are_counted_and_lock_at_the_policys_limit(world: World) -> None:
    office = holder(world)
    set_login_policy(world.db, actor=World.admin, now=AT, max_failed_logins=3)
    for name, password in ((office.name, "guess"), ("nobody", PASSWORD), (office.name, "x")):
        with pytest.raises(AuthenticationFailed, match="wrong user name or password"):
            open_session(world.db, username=name, password=password, now=AT)
    with pytest.raises(AuthenticationFailed, match="wrong user name or password"):
        open_session(world.db, username=office.name, password="guess", now=AT)
    with pytest.raises(AuthenticationFailed, match=r"locked until .* after 3 failed logins"):
        open_session(world.db, username=office.name, password=PASSWORD, now=AT)
    assert list_sessions(world.db, actor=World.admin, now=AT) == []
    trail = [e.action for e in audit_trail(world.db, actor=World.admin, username=office.name)]
    assert trail[-1] == "locked"


def test_a_login_whose_password_changes_meanwhile_opens_no_session(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    office = holder(world)
    checked_then_changed = accounts.authenticate

    def authenticate(db: Database, **kw: Any) -> Any:
        account = checked_then_changed(db, **kw)
        change_password(db, actor=office, new_password="changed-pass-9", now=AT)
        return account

    monkeypatch.setattr(sessions, "authenticate", authenticate)
    with pytest.raises(AuthenticationFailed, match="wrong user name or password"):
        open_session(world.db, username=office.name, password=PASSWORD, now=AT)
    assert list_sessions(world.db, actor=World.admin, now=AT, include_closed=True) == []


def test_an_admin_lists_everyones_sessions_newest_first(world: World) -> None:
    office, neighbour, staff = holder(world, 0), holder(world, 1), supervisor(world)
    first = token_of(world, office, AT, client="10.0.0.1")
    token_of(world, neighbour, AT + timedelta(minutes=1))
    token_of(world, staff, AT + timedelta(minutes=2))
    token_of(world, office, AT + timedelta(minutes=3), hours=1)
    close_session(world.db, token=first, now=AT + timedelta(minutes=4))
    now = AT + timedelta(minutes=5)

    listed = list_sessions(world.db, actor=World.admin, now=now)
    assert [s.username for s in listed] == [office.name, staff.name, neighbour.name]
    every = list_sessions(world.db, actor=World.admin, now=now, include_closed=True)
    assert [s.username for s in every] == [office.name, staff.name, neighbour.name, office.name]
    assert every[-1].client == "10.0.0.1" and every[-1].revoked_at is not None
    one = list_sessions(world.db, actor=World.admin, now=now, username=office.name.upper())
    assert [s.created_at for s in one] == [AT + timedelta(minutes=3)]
    later = AT + timedelta(hours=2)  # the one-hour session has expired: not open any more
    assert list_sessions(world.db, actor=World.admin, now=later, username=office.name) == []
    with pytest.raises(UserNotFound):
        list_sessions(world.db, actor=World.admin, now=now, username="nobody")


def test_anyone_else_sees_only_its_own_sessions_and_others_are_not_found(
    world: World,
) -> None:
    office, neighbour, staff = holder(world, 0), holder(world, 1), supervisor(world)
    for actor in (office, neighbour, staff):
        token_of(world, actor)
    mine = list_sessions(world.db, actor=office, now=AT)
    assert [s.username for s in mine] == [office.name]
    assert list_sessions(world.db, actor=office, now=AT, username=office.name) == mine
    assert [s.username for s in list_sessions(world.db, actor=staff, now=AT)] == [staff.name]
    for actor, other in ((staff, office.name), (office, neighbour.name), (office, "nobody")):
        with pytest.raises(UserNotFound, match=f"user '{other}' not found"):
            list_sessions(world.db, actor=actor, now=AT, username=other)


def test_an_admin_revokes_an_accounts_sessions_on_its_audit_trail(world: World) -> None:
    office, neighbour, staff = holder(world, 0), holder(world, 1), supervisor(world)
    tokens = [token_of(world, office), token_of(world, office)]
    theirs = token_of(world, neighbour)
    for actor in (staff, office):
        with pytest.raises(PermissionDenied, match=r"may not .session\.revoke."):
            revoke_sessions(world.db, actor=actor, username=neighbour.name, now=AT)
    assert session_actor(world.db, token=theirs, now=AT) == neighbour

    assert revoke_sessions(world.db, actor=World.admin, username=office.name, now=AT) == 2
    for token in tokens:
        refused_as_closed(world.db, token, AT)
    assert session_actor(world.db, token=theirs, now=AT) == neighbour
    assert revoke_sessions(world.db, actor=World.admin, username=office.name, now=AT) == 0
    trail = audit_trail(world.db, actor=World.admin, username=office.name)
    assert [(e.action, e.actor, e.detail) for e in trail][-2:] == [
        ("sessions_revoked", "admin", "2 open sessions closed"),
        ("sessions_revoked", "admin", "0 open sessions closed"),
    ]
    with pytest.raises(UserNotFound):
        revoke_sessions(world.db, actor=World.admin, username="nobody", now=AT)


def test_a_request_records_the_last_use_at_most_once_a_minute(world: World) -> None:
    office = holder(world)
    token = token_of(world, office)
    writes: list[str] = []

    def count(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        if statement.lstrip().upper().startswith("UPDATE SESSIONS"):
            writes.append(statement)

    event.listen(world.db.engine, "before_cursor_execute", count)
    try:
        for seconds in (30, 60, 61, 90, 125, 150):
            session_actor(world.db, token=token, now=AT + timedelta(seconds=seconds))
    finally:
        event.remove(world.db.engine, "before_cursor_execute", count)
    assert len(writes) == 2  # at 61 s and at 125 s
    (seen,) = list_sessions(world.db, actor=office, now=AT)
    assert seen.last_seen_at == AT + timedelta(seconds=125)


def test_the_table_keeps_the_tokens_hash_never_the_token(world: World) -> None:
    office = holder(world)
    token = token_of(world, office, client="203.0.113.9")
    with world.db.engine.connect() as connection:
        rows = connection.exec_driver_sql("SELECT * FROM sessions").all()
    assert len(rows) == 1
    stored = " ".join(str(value) for value in rows[0])
    assert token not in stored
    assert hashlib.sha256(token.encode()).hexdigest() in stored
    assert "203.0.113.9" in stored


def test_a_sweep_forgets_sessions_ended_over_30_days_ago(world: World) -> None:
    supervisor(world)
    old = open_session(world.db, username="sup1", password=PASSWORD, now=AT)
    close_session(world.db, token=old.token, now=AT)
    recent = open_session(world.db, username="sup1", password=PASSWORD, now=AT + timedelta(days=2))
    close_session(world.db, token=recent.token, now=AT + timedelta(days=2))
    world.sweep(AT + timedelta(days=31))
    kept = list_sessions(
        world.db, actor=World.admin, now=AT + timedelta(days=31), include_closed=True
    )
    assert [s.created_at for s in kept] == [AT + timedelta(days=2)]
