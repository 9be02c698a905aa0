"""The login policy: how many failures lock an account, for how long, and how long an
activation code stays valid.

It is server configuration, kept in the database (the ``settings`` table) and set by
an admin with :func:`set_login_policy`; nothing the caller's environment says
changes it. A value never set has its default (5 failures, 15 minutes, 14 days).
"""

from __future__ import annotations

from dataclasses import fields, replace
from datetime import datetime
from typing import Final

from mohlat.errors import InvalidInput
from mohlat.services.access import Actor, authorize
from mohlat.store import Database, Transaction
from mohlat.store import queries as q
from mohlat.store.models import AccountEvent
from mohlat.views import LoginPolicy

__all__ = ["LIMITS", "LoginPolicy", "login_policy", "read_login_policy", "set_login_policy"]


#: what an admin may set each value to (inclusive bounds)
LIMITS: Final[dict[str, tuple[int, int]]] = {
    "max_failed_logins": (1, 100),
    "lock_minutes": (1, 7 * 24 * 60),
    "activation_days": (1, 365),
}

_KEY_PREFIX = "login."


def read_login_policy(tx: Transaction) -> LoginPolicy:
    """The policy in force, read inside a transaction."""
    stored = q.settings(tx)
    values = {
        f.name: int(stored[_KEY_PREFIX + f.name])
        for f in fields(LoginPolicy)
        if _KEY_PREFIX + f.name in stored
    }
    return LoginPolicy(**values)


def login_policy(db: Database) -> LoginPolicy:
    """The policy in force."""
    with db.transaction(read_only=True) as tx:
        return read_login_policy(tx)


def set_login_policy(
    db: Database,
    *,
    actor: Actor,
    now: datetime,
    max_failed_logins: int | None = None,
    lock_minutes: int | None = None,
    activation_days: int | None = None,
) -> LoginPolicy:
    """Change the values given (admins only); recorded on the admin's audit trail.

    Raises :class:`~mohlat.errors.InvalidInput` naming a value outside :data:`LIMITS`.
    """
    authorize(actor, "policy.set")
    given = {
        "max_failed_logins": max_failed_logins,
        "lock_minutes": lock_minutes,
        "activation_days": activation_days,
    }
    changes = {name: value for name, value in given.items() if value is not None}
    for name, value in changes.items():
        low, high = LIMITS[name]
        if not low <= value <= high:
            raise InvalidInput(name, value, f"a whole number from {low} to {high}")
    with db.transaction() as tx:
        before = read_login_policy(tx)
        after = replace(before, **changes)
        for name, value in changes.items():
            q.put_setting(tx, key=_KEY_PREFIX + name, value=str(value))
        detail = ", ".join(
            f"{name} {getattr(before, name)} -> {value}" for name, value in changes.items()
        )
        q.add(
            tx,
            AccountEvent(
                username=actor.name, action="policy_set", at=now, actor=actor.name, detail=detail
            ),
        )
        return after
