"""Activation codes: how a license holder gets in the first time.

An office account has no password until its holder activates it with a one-time
code the region issues: a supervisor for the offices of its own region (others are
"not found", like cases), or an admin for any. The code is shown once, to the
issuer, to print or send; only its argon2 hash is stored, it is used up by the
activation that sets the password, and it expires (the login policy's
``activation_days``, 14 by default). A wrong code counts as a failed login.
Issuing a code to an account that has a password does not remove it (a holder who
forgot it activates again); an admin's reset does (:func:`reissue_after_reset`).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta

from mohlat.errors import AuthenticationFailed, InvalidInput, PermissionDenied, UserNotFound
from mohlat.identity import (
    check_new_password,
    hash_password,
    new_activation_code,
    nobodys_hash,
    normalize_code,
    normalize_national_id,
    verify_password,
)
from mohlat.services import _login
from mohlat.services.access import Actor, authorize
from mohlat.services.login_policy import read_login_policy
from mohlat.store import Database, Transaction
from mohlat.store import queries as q
from mohlat.store.models import Account, AccountEvent, Office
from mohlat.views import IssuedCode
from mohlat.workflow.definition import Role

__all__ = [
    "WRONG_CODE",
    "IssuedCode",
    "activate",
    "issue_activation_code",
    "issue_activation_codes",
    "reissue_after_reset",
]

#: the answer to an unknown national ID and to a wrong code alike
WRONG_CODE = "wrong national ID or activation code"


def issue_activation_code(db: Database, *, actor: Actor, username: str, now: datetime) -> str:
    """A new activation code for the office account ``username`` (replacing any pending
    one), to hand to its holder; it is not stored, only its hash.

    A supervisor reaches the offices of its own region only: any other account is
    :class:`~mohlat.errors.UserNotFound`, as an unknown one is.
    """
    return issue_activation_codes(db, actor=actor, usernames=[username], now=now)[0].code


def issue_activation_codes(
    db: Database,
    *,
    actor: Actor,
    now: datetime,
    region: int | None = None,
    usernames: Sequence[str] | None = None,
    include_activated: bool = False,
) -> list[IssuedCode]:
    """New activation codes, all or nothing, by national ID: for the offices named in
    ``usernames``, or for a region's offices (those that have no password yet, unless
    ``include_activated``). A supervisor's region is its own.

    Each code costs one argon2 hash (about 50 ms), so a region of 2,000 offices takes
    a while; the codes are returned once, for the caller to print or send.
    """
    authorize(actor, "user.activation_code")
    if (region is None) == (usernames is None):
        raise InvalidInput("offices", None, "either a region or a list of national IDs")
    if region is not None and region not in range(1, 10):
        raise InvalidInput("region", region, "a region from 1 to 9")
    if region is not None and actor.role is Role.SUPERVISOR and region != actor.region:
        raise PermissionDenied(
            actor.name,
            "user.activation_code",
            f"a supervisor issues codes in region {actor.region} only",
        )
    names = None if usernames is None else [normalize_national_id(u) for u in usernames]
    with db.transaction() as tx:
        policy = read_login_policy(tx)
        found = q.office_accounts(tx, region=region, usernames=names)
    found = [(a, o) for a, o in found if _reaches(actor, o)]
    if names is not None:
        reached = {a.username for a, _o in found}
        for name in names:
            if name not in reached:
                raise UserNotFound(name)
    elif not include_activated:
        found = [(a, o) for a, o in found if not a.password_hash]
    expires = now + timedelta(days=policy.activation_days)
    issued = [_issued(a, o, new_activation_code(), expires) for a, o in found]
    # hashed outside a transaction: 50 ms each must not hold the database's write lock
    stored = [
        (_id_of(account), hash_password(normalize_code(i.code)), expires)
        for (account, _office), i in zip(found, issued, strict=True)
    ]
    with db.transaction() as tx:
        q.set_activation_codes(tx, codes=stored)
        for account, _office in found:
            _audit_issue(tx, account.username, actor, now, expires, "activation_code_issued")
    return issued


def reissue_after_reset(db: Database, *, actor: Actor, account: Account, now: datetime) -> str:
    """An admin's reset of an office account: its password removed, its sessions closed
    and a new activation code issued (returned, to hand to the holder). Authorization
    is the caller's."""
    assert account.id is not None
    code = new_activation_code()
    code_hash = hash_password(normalize_code(code))
    with db.transaction() as tx:
        expires = now + timedelta(days=read_login_policy(tx).activation_days)
        q.set_activation_codes(tx, codes=[(account.id, code_hash, expires)], clear_password=True)
        q.update_account(tx, account_id=account.id, failed_logins=0, locked_until=None)
        _login.revoke_all_for(tx, account.id, now)
        _audit_issue(tx, account.username, actor, now, expires, "password_reset")
    return code


def activate(db: Database, *, username: str, code: str, new_password: str, now: datetime) -> Actor:
    """Set the first (or a forgotten) password of the office account ``username`` (the
    national ID) with its pending activation code, which is used up; returns the actor.

    The new password must pass :func:`~mohlat.identity.check_new_password`
    (:class:`~mohlat.errors.InvalidInput`, nothing counted). An unknown national ID and
    a wrong code get the same answer, after the same argon2 work; a wrong code counts
    as a failed login, so the login policy's lockout applies. Sessions opened with the
    old password (if any) are closed in the transaction that sets the new one.
    """
    username = normalize_national_id(username)
    check_new_password(new_password, national_id=username, username=username)
    with db.transaction() as tx:
        policy = read_login_policy(tx)
        account = q.account_by_username(tx, username=username)
    pending = account.activation_hash if account and account.role == Role.OFFICE.value else None
    matches = verify_password(pending or nobodys_hash(), normalize_code(code)) and bool(pending)
    refusal = AuthenticationFailed(username, WRONG_CODE)
    if account is None:
        raise refusal
    assert account.id is not None
    if _login.is_locked(account, now):
        assert account.locked_until is not None
        raise _login.locked_error(username, account.locked_until, policy)
    if not matches or pending is None:
        with db.transaction() as tx:
            failed = _login.count_failure(tx, account, policy=policy, now=now, refusal=refusal)
        raise failed
    if account.activation_expires_at is None or account.activation_expires_at <= now:
        raise AuthenticationFailed(
            username,
            f"the activation code expired at {account.activation_expires_at:%Y-%m-%d %H:%M} UTC;"
            " ask your region for a new one",
        )
    new_hash = hash_password(new_password)
    with db.transaction() as tx:
        claimed = q.claim_activation(
            tx, account_id=account.id, activation_hash=pending, password_hash=new_hash, now=now
        )
        if claimed:
            _login.revoke_all_for(tx, account.id, now)
            tx.add(
                AccountEvent(
                    username=username, action="activated", at=now, actor=username, detail=""
                )
            )
    if not claimed:
        raise AuthenticationFailed(username, "the activation code was used or replaced meanwhile")
    return _login.actor_of(account)


def _id_of(account: Account) -> int:
    assert account.id is not None
    return account.id


def _reaches(actor: Actor, office: Office) -> bool:
    return actor.role is Role.ADMIN or (
        actor.role is Role.SUPERVISOR and actor.region == office.region
    )


def _issued(account: Account, office: Office, code: str, expires: datetime) -> IssuedCode:
    return IssuedCode(
        national_id=account.username,
        office_code=office.code,
        office_name=office.name,
        region=office.region,
        province=office.province,
        code=code,
        expires_at=expires,
    )


def _audit_issue(
    tx: Transaction, username: str, actor: Actor, now: datetime, expires: datetime, action: str
) -> None:
    tx.add(
        AccountEvent(
            username=username,
            action=action,
            at=now,
            actor=actor.name,
            detail=f"activation code issued, valid until {expires:%Y-%m-%d %H:%M} UTC",
        )
    )
