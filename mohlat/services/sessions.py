"""Bearer-token sessions: who sends a request to the HTTP server.

Logging in (:func:`open_session`) checks the password exactly as ``mohlat login``
does (:func:`~mohlat.services.accounts.authenticate`: the same lockout, the same
answer to an unknown user and a wrong password, the same failure count) and returns
a random token, shown once. Only the token's SHA-256 is stored, so the table holds
no way in; a request's token is found by that hash through an index, never compared
itself, so its timing tells nothing of it.

A session lasts :data:`SESSION_HOURS` unless closed sooner: by logging out
(:func:`close_session`), by any change, reset or activation of the account's
password (in the transaction that changes it), or by an admin
(:func:`revoke_sessions`). The lockout applies to open sessions too: a locked
account's token is refused while the lock lasts. An account that must change its
password gets a restricted session, good only for changing it and logging out.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime, timedelta
from typing import Final

from mohlat.errors import AuthenticationFailed, InvalidInput, PasswordChangeRequired, UserNotFound
from mohlat.services import _login
from mohlat.services.access import Actor, authorize
from mohlat.services.accounts import authenticate
from mohlat.services.login_policy import read_login_policy
from mohlat.store import Database
from mohlat.store import queries as q
from mohlat.store.models import AccountEvent
from mohlat.store.models import Session as LoginSession
from mohlat.text_rules import fold_username
from mohlat.views import IssuedSession, SessionView
from mohlat.workflow.definition import Role

__all__ = [
    "SESSION_CLOSED",
    "SESSION_HOURS",
    "IssuedSession",
    "SessionView",
    "close_session",
    "list_sessions",
    "open_session",
    "revoke_sessions",
    "session_actor",
]

#: how long a session lasts unless closed sooner (hours)
SESSION_HOURS: Final = 12
#: the longest session one may ask for (30 days)
_MAX_HOURS: Final = 30 * 24
#: the answer to a token that is unknown, expired or closed alike
SESSION_CLOSED: Final = "the session has expired or was closed; log in again"
#: how stale a session's ``last_seen_at`` may get before a request rewrites it
_SEEN_EVERY: Final = timedelta(seconds=60)
#: the longest client address kept (the column's width)
_CLIENT_CHARS: Final = 64


def _token_hash(token: str) -> str:
    """The hex SHA-256 a token is stored and found by."""
    return hashlib.sha256(token.encode("utf-8", "replace")).hexdigest()


def open_session(
    db: Database,
    *,
    username: str,
    password: str,
    now: datetime,
    client: str = "",
    hours: int = SESSION_HOURS,
) -> IssuedSession:
    """Log in and open a session lasting ``hours``; its token is returned once.

    Refused as :func:`~mohlat.services.accounts.login` refuses (a wrong password is
    counted, a locked account refused); an account that must change its password gets
    a restricted session (``must_change_password``). ``client`` is the client's
    address, kept for listing. If the password was changed or reset between the check
    and the session's creation, the login is refused: no session outlives the
    password it was opened with.
    """
    if isinstance(hours, bool) or not isinstance(hours, int) or not 1 <= hours <= _MAX_HOURS:
        raise InvalidInput("hours", hours, f"a whole number of hours from 1 to {_MAX_HOURS}")
    checked = authenticate(db, username=username, password=password, now=now)
    assert checked.id is not None
    token = secrets.token_urlsafe(32)
    expires = now + timedelta(hours=hours)
    with db.transaction() as tx:
        # locked till commit, so a reset waits for this session and then closes it
        account = q.lock_account(tx, account_id=checked.id)
        if account is None or account.password_hash != checked.password_hash:
            raise AuthenticationFailed(checked.username)  # changed meanwhile
        q.add(
            tx,
            LoginSession(
                token_hash=_token_hash(token),
                account_id=checked.id,
                username=account.username,
                created_at=now,
                expires_at=expires,
                last_seen_at=now,
                client=client[:_CLIENT_CHARS],
                restricted=account.must_change_password,
            ),
        )
    return IssuedSession(
        token=token,
        username=account.username,
        role=account.role,
        region=account.region,
        office_id=account.office_id,
        must_change_password=account.must_change_password,
        expires_at=expires,
    )


def session_actor(
    db: Database, *, token: str, now: datetime, changing_password: bool = False
) -> Actor:
    """The actor the bearer ``token`` stands for at ``now``.

    One indexed read of the session with its account; a write only when the session's
    last use is recorded over a minute ago. Refused with
    :class:`~mohlat.errors.AuthenticationFailed` for a token unknown, expired or
    closed (:data:`SESSION_CLOSED`) and, as a login is, while the account is locked;
    with :class:`~mohlat.errors.PasswordChangeRequired` when the session is restricted
    or the account must change its password, unless ``changing_password``.
    """
    with db.transaction(read_only=True) as tx:
        found = q.session_with_account(tx, token_hash=_token_hash(token))
        locked = found is not None and _login.is_locked(found[1], now)
        policy = read_login_policy(tx) if locked else None
    if found is None:
        raise AuthenticationFailed("session", SESSION_CLOSED)
    session, account = found
    assert session.id is not None
    if session.revoked_at is not None or session.expires_at <= now:
        raise AuthenticationFailed(account.username, SESSION_CLOSED)
    if policy is not None:
        assert account.locked_until is not None
        raise _login.locked_error(account.username, account.locked_until, policy)
    if (session.restricted or account.must_change_password) and not changing_password:
        raise PasswordChangeRequired(account.username)
    if session.last_seen_at < now - _SEEN_EVERY:
        with db.transaction() as tx:
            q.touch_session(tx, session_id=session.id, now=now, seen_before=now - _SEEN_EVERY)
    return _login.actor_of(account)


def close_session(db: Database, *, token: str, now: datetime) -> None:
    """Log out: the session of ``token`` is closed at ``now`` (nothing happens if it is
    closed already or there is no such session)."""
    with db.transaction() as tx:
        q.revoke_session(tx, token_hash=_token_hash(token), now=now)


def list_sessions(
    db: Database,
    *,
    actor: Actor,
    now: datetime,
    username: str | None = None,
    include_closed: bool = False,
) -> list[SessionView]:
    """Sessions, newest first: those open at ``now``, or every one with
    ``include_closed``.

    An admin sees anyone's (``username``: one account's); anyone else sees only its
    own, and asking for another account's is :class:`~mohlat.errors.UserNotFound`, as
    for an account that does not exist.
    """
    authorize(actor, "session.list")
    wanted = None if username is None else fold_username(username)
    if actor.role is not Role.ADMIN:
        if wanted not in (None, actor.name):
            raise UserNotFound(wanted)
        wanted = actor.name
    with db.transaction(read_only=True) as tx:
        account_id = None
        if wanted is not None:
            account = q.account_by_username(tx, username=wanted)
            if account is None:
                raise UserNotFound(wanted)
            account_id = account.id
        rows = q.list_sessions(tx, account_id=account_id, open_at=None if include_closed else now)
    return [_view(s) for s in rows]


def revoke_sessions(db: Database, *, actor: Actor, username: str, now: datetime) -> int:
    """Close every open session of ``username`` (admins only); how many there were.

    Recorded on the account's audit trail (``sessions_revoked``).
    """
    authorize(actor, "session.revoke")
    wanted = fold_username(username)
    with db.transaction() as tx:
        account = q.account_by_username(tx, username=wanted)
        if account is None:
            raise UserNotFound(wanted)
        assert account.id is not None
        closed = _login.revoke_all_for(tx, account.id, now)
        q.add(
            tx,
            AccountEvent(
                username=account.username,
                action="sessions_revoked",
                at=now,
                actor=actor.name,
                detail=f"{closed} open session{'' if closed == 1 else 's'} closed",
            ),
        )
    return closed


def _view(s: LoginSession) -> SessionView:
    assert s.id is not None
    return SessionView(
        id=s.id,
        username=s.username,
        created_at=s.created_at,
        expires_at=s.expires_at,
        last_seen_at=s.last_seen_at,
        client=s.client,
        revoked_at=s.revoked_at,
    )
