"""Logging in: the article's initial password, lockout, resets, the audit trail."""

from __future__ import annotations

from datetime import timedelta

import pytest
from support import World, tehran

from mohlat.errors import AuthenticationFailed, InvalidInput, PasswordChangeRequired
from mohlat.services.accounts import (
    audit_trail,
    change_password,
    login,
    reset_password,
)


def test_a_holder_logs_in_with_the_national_id_then_must_change_it(world: World) -> None:
    holder = world.office_actors[world.case_ids[0]].name
    at = tehran(1400, 1, 20, 9)
    with pytest.raises(PasswordChangeRequired):
        login(world.db, username=holder, password=holder, now=at)
    actor = login(world.db, username=holder, password=holder, now=at, changing_password=True)
    with pytest.raises(InvalidInput, match="password"):
        change_password(world.db, actor=actor, new_password=holder, national_id=holder, now=at)
    change_password(world.db, actor=actor, new_password="a-good-pass-1", national_id=holder, now=at)
    assert login(world.db, username=holder, password="a-good-pass-1", now=at).office_id
    with pytest.raises(AuthenticationFailed):
        login(world.db, username=holder, password=holder, now=at)  # the ID no longer works


def test_five_failures_lock_the_account_for_15_minutes_on_its_audit_trail(world: World) -> None:
    holder = world.office_actors[world.case_ids[0]].name
    at = tehran(1400, 1, 20, 9)
    for _ in range(5):
        with pytest.raises(AuthenticationFailed, match="wrong user name or password"):
            login(world.db, username=holder, password="guess", now=at)
    with pytest.raises(AuthenticationFailed, match="locked until"):
        login(world.db, username=holder, password=holder, now=at + timedelta(minutes=14))
    with pytest.raises(PasswordChangeRequired):  # the right password works again after 15
        login(world.db, username=holder, password=holder, now=at + timedelta(minutes=15, seconds=1))
    trail = audit_trail(world.db, actor=World.admin, username=holder)
    assert [(e.action, e.detail) for e in trail] == [
        ("locked", "5 failed logins; locked for 15 minutes")
    ]


def test_an_admin_reset_puts_a_holder_back_on_the_national_id(world: World) -> None:
    holder = world.office_actors[world.case_ids[0]].name
    at = tehran(1400, 1, 20, 9)
    actor = login(world.db, username=holder, password=holder, now=at, changing_password=True)
    change_password(world.db, actor=actor, new_password="a-good-pass-1", national_id=holder, now=at)
    reset_password(world.db, actor=World.admin, username=holder, temporary=None, now=at)
    with pytest.raises(PasswordChangeRequired):
        login(world.db, username=holder, password=holder, now=at)
    actions = [e.action for e in audit_trail(world.db, actor=World.admin, username=holder)]
    assert actions == ["password_changed", "password_reset"]
