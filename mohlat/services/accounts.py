"""Accounts and logging in.

A license holder's account is made when the office is imported: the user name is
the holder's national ID, and there is no password yet (``password_hash`` is empty),
so importing 20,000 offices costs no hashing and nobody can log in to it. The holder
sets the first password with a one-time activation code the region issues
(:mod:`mohlat.services.activation`); knowing the national ID alone gets nobody in.

Every answer to a login costs one argon2 verify, whether the account exists or not,
and an unknown user gets the same answer as a wrong password. Failures are counted
in one atomic statement; after the login policy's number of them
(:mod:`mohlat.services.login_policy`, an admin's setting) the account is locked.
"""

from __future__ import annotations

from datetime import datetime

from mohlat.errors import (
    AuthenticationFailed,
    Duplicate,
    InvalidInput,
    PasswordChangeRequired,
    Refused,
    UserNotFound,
)
from mohlat.identity import check_new_password, hash_password, nobodys_hash, verify_password
from mohlat.services import _login
from mohlat.services.access import Actor, authorize
from mohlat.services.activation import reissue_after_reset
from mohlat.services.login_policy import read_login_policy
from mohlat.services.plain import account_event_view, account_view
from mohlat.store import Database, Transaction
from mohlat.store import queries as q
from mohlat.store.models import Account, AccountEvent
from mohlat.text_rules import fold_username, staff_username
from mohlat.views import AccountEventView, AccountView
from mohlat.workflow.definition import Role

__all__ = [
    "add_first_admin",
    "add_user",
    "audit_trail",
    "authenticate",
    "change_password",
    "check_new_user",
    "has_admin",
    "list_accounts",
    "login",
    "reset_needs_password",
    "reset_password",
    "staff_role",
]


def authenticate(db: Database, *, username: str, password: str, now: datetime) -> Account:
    """The account behind ``username`` if ``password`` is right, as it was read to check
    it (what :func:`login` and :func:`~mohlat.services.sessions.open_session` share).

    Refused alike for an unknown user, a wrong password and an office account not
    activated yet; refused when the account is locked. A failure is counted and
    committed before the refusal. Whether the account must change its password is the
    caller's to check.
    """
    username = fold_username(username)
    with db.transaction() as tx:
        policy = read_login_policy(tx)
        account = q.account_by_username(tx, username=username)
    stored = account.password_hash if account is not None else ""
    matches = verify_password(stored or nobodys_hash(), password) and bool(stored)
    if account is None:
        raise AuthenticationFailed(username)
    assert account.id is not None
    if _login.is_locked(account, now):
        assert account.locked_until is not None
        raise _login.locked_error(username, account.locked_until, policy)
    failed: AuthenticationFailed | None = None
    with db.transaction() as tx:
        if not matches:
            failed = _login.count_failure(
                tx, account, policy=policy, now=now, refusal=AuthenticationFailed(username)
            )
        elif not q.reset_failed_logins(tx, account_id=account.id, now=now):
            failed = _login.count_failure(  # locked meanwhile: answers with the lock
                tx, account, policy=policy, now=now, refusal=AuthenticationFailed(username)
            )
    if failed is not None:  # the failure count is committed before refusing
        raise failed
    return account


def login(
    db: Database, *, username: str, password: str, now: datetime, changing_password: bool = False
) -> Actor:
    """The actor behind ``username`` if ``password`` is right.

    Refused alike for an unknown user, a wrong password and an office account not
    activated yet; refused when the account is locked, or when it must change its
    password (unless the caller is changing it). A failure is counted and committed
    before the refusal.
    """
    account = authenticate(db, username=username, password=password, now=now)
    if account.must_change_password and not changing_password:
        raise PasswordChangeRequired(account.username)
    return _login.actor_of(account)


def change_password(
    db: Database,
    *,
    actor: Actor,
    new_password: str,
    now: datetime,
    national_id: str | None = None,
) -> None:
    """Set the actor's own password (the policy of :func:`check_new_password` applies;
    an office's user name is its holder's national ID, which it may not reuse); an
    activation code still pending is void from then on.

    Every session of the account is closed in the same transaction, the one the
    password was changed through included: the caller logs in again with the new
    password (a session opened with the old one, or restricted to changing it, is
    not kept).
    """
    if national_id is None and actor.office_id is not None:
        national_id = actor.name
    check_new_password(new_password, national_id=national_id, username=actor.name)
    with db.transaction() as tx:
        account = q.account_by_username(tx, username=actor.name)
        assert account is not None and account.id is not None
        q.update_account(
            tx,
            account_id=account.id,
            password_hash=hash_password(new_password),
            must_change_password=False,
            failed_logins=0,
            locked_until=None,
            activation_hash=None,
            activation_expires_at=None,
        )
        _login.revoke_all_for(tx, account.id, now)
        _audit(tx, actor.name, "password_changed", now, actor.name)


def reset_needs_password(db: Database, *, actor: Actor, username: str) -> bool:
    """Whether resetting ``username`` needs a temporary password (a staff account) or
    not (an office account gets a new activation code). Refused first unless the actor
    may reset passwords; :class:`UserNotFound` for no such account."""
    authorize(actor, "user.reset")
    with db.transaction(read_only=True) as tx:
        account = q.account_by_username(tx, username=username)
    if account is None:
        raise UserNotFound(username)
    return account.role != Role.OFFICE.value


def reset_password(
    db: Database, *, actor: Actor, username: str, temporary: str | None, now: datetime
) -> str | None:
    """Reset an account's password (admins only).

    An office account loses its password and gets a new activation code, returned to
    be handed to the holder (as :func:`~mohlat.services.activation.issue_activation_code`
    does); a staff account gets the ``temporary`` password given and must change it at
    the next login (None is returned). Either way the account's sessions are closed.
    """
    authorize(actor, "user.reset")
    with db.transaction() as tx:
        account = q.account_by_username(tx, username=username)
    if account is None:
        raise UserNotFound(username)
    assert account.id is not None
    if account.role == Role.OFFICE.value:
        return reissue_after_reset(db, actor=actor, account=account, now=now)
    if not temporary:
        raise InvalidInput("password", "<hidden>", "a temporary password for a staff account")
    check_new_password(temporary, national_id=None, username=username)
    new_hash = hash_password(temporary)
    with db.transaction() as tx:
        q.update_account(
            tx,
            account_id=account.id,
            password_hash=new_hash,
            must_change_password=True,
            failed_logins=0,
            locked_until=None,
        )
        _login.revoke_all_for(tx, account.id, now)
        _audit(tx, username, "password_reset", now, actor.name)
    return None


def audit_trail(db: Database, *, actor: Actor, username: str) -> list[AccountEventView]:
    """An account's audit trail, oldest first (admins only)."""
    authorize(actor, "user.list")
    with db.transaction(read_only=True) as tx:
        if q.account_by_username(tx, username=username) is None:
            raise UserNotFound(username)
        return [account_event_view(e) for e in q.account_events(tx, username=username)]


def list_accounts(db: Database, *, actor: Actor) -> list[AccountView]:
    """Every account by user name (admins only)."""
    authorize(actor, "user.list")
    with db.transaction(read_only=True) as tx:
        return [account_view(a) for a in q.list_accounts(tx)]


def has_admin(db: Database) -> bool:
    """Whether the database has an admin account yet."""
    with db.transaction(read_only=True) as tx:
        return bool(q.list_accounts(tx, role=Role.ADMIN.value, limit=1))


def add_first_admin(db: Database, *, username: str, password: str, now: datetime) -> Account:
    """Create the first admin account; refused once an admin exists."""
    if has_admin(db):
        raise Refused("an admin exists already: an admin adds the others (`mohlat user add`)")
    return add_user(
        db, actor=None, username=username, password=password, role=Role.ADMIN, region=None, now=now
    )


def _audit(
    tx: Transaction, username: str, action: str, at: datetime, actor: str, detail: str = ""
) -> None:
    q.add(tx, AccountEvent(username=username, action=action, at=at, actor=actor, detail=detail))


def staff_role(text: str) -> Role:
    """The staff role named ``text``: admin or supervisor."""
    if text not in (Role.ADMIN.value, Role.SUPERVISOR.value):
        raise InvalidInput("role", text, "admin or supervisor")
    return Role(text)


def check_new_user(
    db: Database, *, actor: Actor | None, username: str, role: Role, region: int | None
) -> None:
    """Refuse, before any password is asked for, an account ``actor`` may not add or
    that cannot be added (``actor`` None only for the first admin)."""
    if actor is not None:
        authorize(actor, "user.add")
    username = staff_username(username)
    if role is Role.OFFICE:
        raise InvalidInput(
            "role", role.value, "admin or supervisor; office accounts come with `office import`"
        )
    if role is Role.SUPERVISOR and region not in range(1, 10):
        raise InvalidInput("region", region, "a supervisor needs a region from 1 to 9")
    with db.transaction(read_only=True) as tx:
        if q.account_by_username(tx, username=username) is not None:
            raise Duplicate("user", username)


def add_user(
    db: Database,
    *,
    actor: Actor | None,
    username: str,
    password: str,
    role: Role,
    region: int | None,
    now: datetime,
) -> Account:
    """Create an admin or supervisor account (``actor`` None only for the first admin);
    the user name is case-folded (:func:`~mohlat.text_rules.staff_username`)."""
    check_new_user(db, actor=actor, username=username, role=role, region=region)
    username = staff_username(username)
    if role is Role.ADMIN:
        region = None
    check_new_password(password, national_id=None, username=username)
    with db.transaction() as tx:
        if q.account_by_username(tx, username=username) is not None:
            raise Duplicate("user", username)
        created = q.add(
            tx,
            Account(
                username=username,
                role=role.value,
                region=region,
                password_hash=hash_password(password),
                created_at=now,
            ),
        )
        _audit(
            tx,
            username,
            "created",
            now,
            actor.name if actor else username,
            f"{role.value}" + (f", region {region}" if region else ""),
        )
        return created
