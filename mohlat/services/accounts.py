"""Accounts and logging in.

A license holder's account is made when the office is imported: the user name is
the holder's national ID and, as the article says, so is the initial password.
That initial password is a rule, not a stored hash (``password_hash`` is empty), so
importing 20,000 offices costs no hashing; it must be changed with ``mohlat
passwd`` before anything else. After ``MAX_FAILED_LOGINS`` wrong passwords an
account is locked for ``LOCK_MINUTES``.
"""

from __future__ import annotations

import os
from datetime import datetime, timedelta

from mohlat.errors import (
    AuthenticationFailed,
    Duplicate,
    InvalidInput,
    PasswordChangeRequired,
    Refused,
    UserNotFound,
)
from mohlat.identity import check_new_password, hash_password, verify_password
from mohlat.services.access import Actor, authorize
from mohlat.services.plain import account_event_view, account_view
from mohlat.store import Database, Transaction
from mohlat.store import queries as q
from mohlat.store.models import Account, AccountEvent
from mohlat.views import AccountEventView, AccountView
from mohlat.workflow.definition import Role

__all__ = [
    "LOCK_MINUTES",
    "MAX_FAILED_LOGINS",
    "add_first_admin",
    "add_user",
    "audit_trail",
    "change_password",
    "check_new_user",
    "has_admin",
    "list_accounts",
    "login",
    "reset_needs_password",
    "reset_password",
    "staff_role",
]

MAX_FAILED_LOGINS = int(os.environ.get("MOHLAT_MAX_FAILED_LOGINS", "5"))
LOCK_MINUTES = int(os.environ.get("MOHLAT_LOCK_MINUTES", "15"))


def login(
    db: Database, *, username: str, password: str, now: datetime, changing_password: bool = False
) -> Actor:
    """The actor behind ``username`` if ``password`` is right.

    Refused when the account is locked, or when it still has its initial password
    (unless the caller is changing it).
    """
    with db.transaction() as tx:
        account = q.account_by_username(tx, username=username)
        if account is None:
            raise AuthenticationFailed(username)
        assert account.id is not None
        if account.locked_until is not None and account.locked_until > now:
            raise AuthenticationFailed(
                username,
                f"the account is locked until {account.locked_until:%H:%M} UTC "
                f"after {MAX_FAILED_LOGINS} failed logins",
            )
        if not _password_matches(account, password):
            failures = account.failed_logins + 1
            locked = (
                now + timedelta(minutes=LOCK_MINUTES) if failures >= MAX_FAILED_LOGINS else None
            )
            q.update_account(
                tx,
                account_id=account.id,
                failed_logins=0 if locked else failures,
                locked_until=locked,
            )
            if locked is not None:
                _audit(
                    tx,
                    username,
                    "locked",
                    now,
                    username,
                    f"{failures} failed logins; locked for {LOCK_MINUTES} minutes",
                )
            failed = AuthenticationFailed(username)
        else:
            failed = None
            if account.failed_logins:
                q.update_account(tx, account_id=account.id, failed_logins=0)
    if failed is not None:  # the failure count is committed before refusing
        raise failed
    if account.must_change_password and not changing_password:
        raise PasswordChangeRequired(username)
    return _actor(account)


def _password_matches(account: Account, password: str) -> bool:
    if account.password_hash:
        return verify_password(account.password_hash, password)
    # the article's initial password: the national ID itself
    from mohlat.identity import normalize_national_id

    return account.username == normalize_national_id(password)


def _actor(account: Account) -> Actor:
    return Actor(
        name=account.username,
        role=Role(account.role),
        region=account.region,
        office_id=account.office_id,
    )


def change_password(
    db: Database,
    *,
    actor: Actor,
    new_password: str,
    now: datetime,
    national_id: str | None = None,
) -> None:
    """Set the actor's own password (the policy of :func:`check_new_password` applies;
    an office's user name is its holder's national ID, which it may not reuse)."""
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
        )
        _audit(tx, actor.name, "password_changed", now, actor.name)


def reset_needs_password(db: Database, *, actor: Actor, username: str) -> bool:
    """Whether resetting ``username`` needs a temporary password (a staff account) or
    not (an office account gets its national ID back). Refused first unless the actor
    may reset passwords; :class:`UserNotFound` for no such account."""
    authorize(actor, "user.reset")
    with db.transaction() as tx:
        account = q.account_by_username(tx, username=username)
    if account is None:
        raise UserNotFound(username)
    return account.role != Role.OFFICE.value


def reset_password(
    db: Database, *, actor: Actor, username: str, temporary: str | None, now: datetime
) -> None:
    """Put an account back in the must-change state: an office account gets its national
    ID back as its initial password; a staff account the ``temporary`` one given."""
    authorize(actor, "user.reset")
    with db.transaction() as tx:
        account = q.account_by_username(tx, username=username)
        if account is None:
            raise UserNotFound(username)
        assert account.id is not None
        if account.role == Role.OFFICE.value:
            new_hash = ""
        else:
            if not temporary:
                raise InvalidInput(
                    "password", "<hidden>", "a temporary password for a staff account"
                )
            check_new_password(temporary, national_id=None, username=username)
            new_hash = hash_password(temporary)
        q.update_account(
            tx,
            account_id=account.id,
            password_hash=new_hash,
            must_change_password=True,
            failed_logins=0,
            locked_until=None,
        )
        _audit(tx, username, "password_reset", now, actor.name)


def audit_trail(db: Database, *, actor: Actor, username: str) -> list[AccountEventView]:
    """An account's audit trail, oldest first (admins only)."""
    authorize(actor, "user.list")
    with db.transaction() as tx:
        if q.account_by_username(tx, username=username) is None:
            raise UserNotFound(username)
        return [account_event_view(e) for e in q.account_events(tx, username=username)]


def list_accounts(db: Database, *, actor: Actor) -> list[AccountView]:
    """Every account by user name (admins only)."""
    authorize(actor, "user.list")
    with db.transaction() as tx:
        return [account_view(a) for a in q.list_accounts(tx)]


def has_admin(db: Database) -> bool:
    """Whether the database has an admin account yet."""
    with db.transaction() as tx:
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
    if role is Role.OFFICE:
        raise InvalidInput(
            "role", role.value, "admin or supervisor; office accounts come with `office import`"
        )
    if role is Role.SUPERVISOR and region not in range(1, 10):
        raise InvalidInput("region", region, "a supervisor needs a region from 1 to 9")
    with db.transaction() as tx:
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
    """Create an admin or supervisor account (``actor`` None only for the first admin)."""
    check_new_user(db, actor=actor, username=username, role=role, region=region)
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
