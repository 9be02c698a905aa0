"""What logging in and activating share: counting failures (a wrong activation code
counts like a wrong password), refusing locked accounts, the actor an account is,
closing an account's sessions when its password changes."""

from __future__ import annotations

from datetime import datetime, timedelta

from mohlat.errors import AuthenticationFailed
from mohlat.services.access import Actor
from mohlat.services.login_policy import LoginPolicy
from mohlat.store import Transaction
from mohlat.store import queries as q
from mohlat.store.models import Account, AccountEvent
from mohlat.workflow.definition import Role

__all__ = ["actor_of", "count_failure", "is_locked", "locked_error", "revoke_all_for"]


def actor_of(account: Account) -> Actor:
    """The actor an account logs in as."""
    return Actor(
        name=account.username,
        role=Role(account.role),
        region=account.region,
        office_id=account.office_id,
    )


def is_locked(account: Account, now: datetime) -> bool:
    """Whether the account is locked at ``now`` (as the row read says)."""
    return account.locked_until is not None and account.locked_until > now


def locked_error(
    username: str, locked_until: datetime, policy: LoginPolicy
) -> AuthenticationFailed:
    """The refusal a locked account gets."""
    return AuthenticationFailed(
        username,
        f"the account is locked until {locked_until:%H:%M} UTC "
        f"after {policy.max_failed_logins} failed logins",
    )


def count_failure(
    tx: Transaction,
    account: Account,
    *,
    policy: LoginPolicy,
    now: datetime,
    refusal: AuthenticationFailed,
) -> AuthenticationFailed:
    """Count one failure on ``account`` (one atomic statement; the failure that reaches
    the policy's limit locks it and goes on its audit trail) and return the error to
    raise once the transaction has committed: ``refusal``, or the lock's if it is locked.
    """
    assert account.id is not None
    until = now + timedelta(minutes=policy.lock_minutes)
    counted = q.count_failed_login(
        tx, account_id=account.id, limit=policy.max_failed_logins, lock_until=until, now=now
    )
    if counted is None:  # locked by someone else's failure meanwhile: nothing counted
        current = q.account_by_username(tx, username=account.username)
        if current is not None and current.locked_until is not None:
            return locked_error(account.username, current.locked_until, policy)
        return refusal
    if counted.locked_until is None:
        return refusal
    q.add(
        tx,
        AccountEvent(
            username=account.username,
            action="locked",
            at=now,
            actor=account.username,
            detail=f"{policy.max_failed_logins} failed logins; "
            f"locked for {policy.lock_minutes} minutes",
        ),
    )
    return refusal


def revoke_all_for(tx: Transaction, account_id: int, now: datetime) -> int:
    """Close every session of the account still open at ``now``, in the caller's
    transaction (the password change, reset or activation that voids them, so no
    session outlives the password it was opened with); how many there were."""
    return q.revoke_account_sessions(tx, account_id=account_id, now=now)
