"""The operations on people: logging in and out, sessions, accounts, activation codes
and the login policy."""

from __future__ import annotations

from dataclasses import dataclass

from pydantic import Field

from mohlat.api.operations import Call, Login, Params, operation
from mohlat.calendars import normalize_digits
from mohlat.views import (
    AccountEventView,
    AccountView,
    IssuedCode,
    IssuedSession,
    LoginPolicy,
    SessionView,
)

__all__ = ["Done", "ResetDone", "Revoked"]

UserName = Field(max_length=64, description="A user name (an office's: its national ID).")
Secret = Field(max_length=1024, json_schema_extra={"format": "password"})


@dataclass(frozen=True)
class Done:
    """An operation that returns nothing but its success."""

    done: bool = True


@dataclass(frozen=True)
class ResetDone:
    """What a reset did: an office's new activation code, or None for staff."""

    activation_code: str | None


@dataclass(frozen=True)
class Revoked:
    """How many sessions were closed."""

    revoked: int


class Credentials(Params):
    username: str = UserName
    password: str = Secret


@operation(
    "session.open", "POST", "/session", params=Credentials, result=IssuedSession,
    login=Login.NONE, status=201, attempt_by="username",
)  # fmt: skip
def open_session(call: Call, p: Credentials) -> IssuedSession:
    """Log in: a bearer token for the next calls (restricted to changing the password
    when the account must change it)."""
    from mohlat.services.sessions import open_session as opened

    username = normalize_digits(p.username).strip()
    return opened(call.db, username=username, password=p.password, now=call.now, client=call.client)


class NoParams(Params):
    pass


@operation(
    "session.close", "DELETE", "/session", params=NoParams, result=Done,
    login=Login.PASSWORD_CHANGE,
)  # fmt: skip
def close_session(call: Call, p: NoParams) -> Done:
    """Log out: the token the call came with stops working."""
    from mohlat.services.sessions import close_session as closed

    if call.token is not None:
        closed(call.db, token=call.token, now=call.now)
    return Done()


class Activation(Params):
    username: str = UserName
    code: str = Field(max_length=64)
    new_password: str = Secret


@operation(
    "session.activate", "POST", "/session/activate", params=Activation, result=Done,
    login=Login.NONE, attempt_by="username",
)  # fmt: skip
def activate(call: Call, p: Activation) -> Done:
    """Activate an office's account the first time (or after a reset)."""
    from mohlat.services.activation import activate as activated

    activated(
        call.db,
        username=normalize_digits(p.username).strip(),
        code=p.code,
        new_password=p.new_password,
        now=call.now,
    )
    return Done()


class NewPassword(Params):
    new_password: str = Secret


@operation(
    "session.password", "POST", "/session/password", params=NewPassword, result=Done,
    login=Login.PASSWORD_CHANGE,
)  # fmt: skip
def change_password(call: Call, p: NewPassword) -> Done:
    """Change the caller's own password (every session of the account is closed)."""
    from mohlat.services.accounts import change_password as changed

    changed(call.db, actor=call.who, new_password=p.new_password, now=call.now)
    return Done()


class SessionQuery(Params):
    username: str | None = Field(default=None, max_length=64)
    all: bool = Field(default=False, description="Closed and expired ones too.")


@operation("session.list", "GET", "/sessions", params=SessionQuery, result=list[SessionView])
def list_sessions(call: Call, p: SessionQuery) -> list[SessionView]:
    """Sessions (an admin: anyone's; others: their own)."""
    from mohlat.services.sessions import list_sessions as listed

    name = normalize_digits(p.username) if p.username else None
    return listed(call.db, actor=call.who, now=call.now, username=name, include_closed=p.all)


class UserRef(Params):
    username: str = UserName


@operation(
    "session.revoke", "POST", "/users/{username}/revoke-sessions", params=UserRef, result=Revoked
)
def revoke_sessions(call: Call, p: UserRef) -> Revoked:
    """Close every open session of an account (admins only)."""
    from mohlat.services.sessions import revoke_sessions as revoked

    name = normalize_digits(p.username)
    return Revoked(revoked(call.db, actor=call.who, username=name, now=call.now))


class NewUser(Params):
    username: str = UserName
    role: str = Field(max_length=16, description="admin or supervisor.")
    region: int | None = Field(default=None, ge=1, le=9)


class NewUserWithPassword(NewUser):
    password: str = Secret


@operation("user.check", "POST", "/users/check", params=NewUser, result=Done)
def check_user(call: Call, p: NewUser) -> Done:
    """Whether an account could be added so (before its password is asked for)."""
    from mohlat.services.accounts import check_new_user, staff_role

    role = staff_role(p.role)
    check_new_user(call.db, actor=call.who, username=p.username, role=role, region=p.region)
    return Done()


@operation("user.add", "POST", "/users", params=NewUserWithPassword, result=Done, status=201)
def add_user(call: Call, p: NewUserWithPassword) -> Done:
    """Add an admin or a region's supervisor."""
    from mohlat.services.accounts import add_user as added
    from mohlat.services.accounts import check_new_user, staff_role

    role = staff_role(p.role)
    check_new_user(call.db, actor=call.who, username=p.username, role=role, region=p.region)
    added(
        call.db,
        actor=call.who,
        username=p.username,
        password=p.password,
        role=role,
        region=p.region,
        now=call.now,
    )
    return Done()


@operation("user.list", "GET", "/users", params=NoParams, result=list[AccountView])
def list_users(call: Call, p: NoParams) -> list[AccountView]:
    """Every account (admins only)."""
    from mohlat.services.accounts import list_accounts

    return list_accounts(call.db, actor=call.who)


@operation(
    "user.show", "GET", "/users/{username}/audit", params=UserRef, result=list[AccountEventView]
)
def show_user(call: Call, p: UserRef) -> list[AccountEventView]:
    """An account's audit trail."""
    from mohlat.services.accounts import audit_trail

    return audit_trail(call.db, actor=call.who, username=normalize_digits(p.username))


@dataclass(frozen=True)
class ResetNeeds:
    """Whether a reset needs a temporary password (a staff account)."""

    needs_password: bool


@operation("user.reset_needs", "GET", "/users/{username}/reset", params=UserRef, result=ResetNeeds)
def reset_needs(call: Call, p: UserRef) -> ResetNeeds:
    """Whether resetting the account needs a temporary password (staff) or not (an office)."""
    from mohlat.services.accounts import reset_needs_password

    name = normalize_digits(p.username)
    return ResetNeeds(reset_needs_password(call.db, actor=call.who, username=name))


class Reset(UserRef):
    temporary: str | None = Field(default=None, max_length=1024)


@operation("user.reset", "POST", "/users/{username}/reset", params=Reset, result=ResetDone)
def reset(call: Call, p: Reset) -> ResetDone:
    """Reset an account's password (an office: a new activation code)."""
    from mohlat.services.accounts import reset_password

    name = normalize_digits(p.username)
    code = reset_password(
        call.db, actor=call.who, username=name, temporary=p.temporary, now=call.now
    )
    return ResetDone(code)


class CodeRequest(Params):
    usernames: list[str] | None = Field(default=None, max_length=200_000)
    region: int | None = Field(default=None, ge=1, le=9)
    include_activated: bool = False


@operation(
    "user.activation_code", "POST", "/activation-codes", params=CodeRequest,
    result=list[IssuedCode], status=201,
)  # fmt: skip
def activation_codes(call: Call, p: CodeRequest) -> list[IssuedCode]:
    """One-time activation codes for offices' first login (a supervisor: its region's)."""
    from mohlat.services.activation import issue_activation_codes

    return issue_activation_codes(
        call.db,
        actor=call.who,
        now=call.now,
        region=p.region,
        usernames=[normalize_digits(n) for n in p.usernames] if p.usernames else None,
        include_activated=p.include_activated,
    )


@operation("policy.show", "GET", "/login-policy", params=NoParams, result=LoginPolicy)
def show_policy(call: Call, p: NoParams) -> LoginPolicy:
    """The login policy in force."""
    from mohlat.services.login_policy import login_policy

    return login_policy(call.db)


class PolicyChange(Params):
    max_failed_logins: int | None = Field(default=None, ge=1, le=100)
    lock_minutes: int | None = Field(default=None, ge=1, le=10080)
    activation_days: int | None = Field(default=None, ge=1, le=365)


@operation("policy.set", "PUT", "/login-policy", params=PolicyChange, result=LoginPolicy)
def set_policy(call: Call, p: PolicyChange) -> LoginPolicy:
    """Change the login policy (admins only)."""
    from mohlat.services.login_policy import set_login_policy

    return set_login_policy(
        call.db,
        actor=call.who,
        now=call.now,
        max_failed_logins=p.max_failed_logins,
        lock_minutes=p.lock_minutes,
        activation_days=p.activation_days,
    )
