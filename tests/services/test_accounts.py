"""Logging in: no way in with the national ID alone, lockout, resets, the audit trail."""

from __future__ import annotations

from datetime import timedelta

import pytest
from support import World, activate_account, tehran

from mohlat.errors import AuthenticationFailed, InvalidInput, PasswordChangeRequired
from mohlat.services.accounts import (
    add_user,
    audit_trail,
    change_password,
    login,
    reset_password,
)
from mohlat.services.activation import activate
from mohlat.workflow.definition import Role

AT = tehran(1400, 1, 20, 9)


def test_the_national_id_is_the_user_name_but_never_the_password(world: World) -> None:
    holder = world.office_actors[world.case_ids[0]].name
    for changing_password in (False, True):  # `mohlat passwd` logs in with changing_password
        with pytest.raises(AuthenticationFailed, match="wrong user name or password"):
            login(
                world.db,
                username=holder,
                password=holder,
                now=AT,
                changing_password=changing_password,
            )
    actor = activate_account(world.db, holder, "a-good-pass-1", AT)
    assert login(world.db, username=holder, password="a-good-pass-1", now=AT) == actor
    with pytest.raises(InvalidInput, match="password"):
        change_password(world.db, actor=actor, new_password=holder, national_id=holder, now=AT)
    with pytest.raises(AuthenticationFailed):
        login(world.db, username=holder, password=holder, now=AT)


def test_five_failures_lock_the_account_for_15_minutes_on_its_audit_trail(world: World) -> None:
    holder = world.office_actors[world.case_ids[0]].name
    activate_account(world.db, holder, "a-good-pass-1", AT)
    for _ in range(5):
        with pytest.raises(AuthenticationFailed, match="wrong user name or password"):
            login(world.db, username=holder, password="guess", now=AT)
    with pytest.raises(AuthenticationFailed, match="locked until"):
        login(world.db, username=holder, password="a-good-pass-1", now=AT + timedelta(minutes=14))
    later = AT + timedelta(minutes=15, seconds=1)  # the right password works again after 15
    assert login(world.db, username=holder, password="a-good-pass-1", now=later).name == holder
    trail = audit_trail(world.db, actor=World.admin, username=holder)
    assert [(e.action, e.detail) for e in trail][-1] == (
        "locked",
        "5 failed logins; locked for 15 minutes",
    )


def test_a_success_starts_the_count_again(world: World) -> None:
    holder = world.office_actors[world.case_ids[0]].name
    activate_account(world.db, holder, "a-good-pass-1", AT)
    for _ in range(2):
        for _ in range(4):
            with pytest.raises(AuthenticationFailed, match="wrong user name or password"):
                login(world.db, username=holder, password="guess", now=AT)
        login(world.db, username=holder, password="a-good-pass-1", now=AT)
    actions = [e.action for e in audit_trail(world.db, actor=World.admin, username=holder)]
    assert "locked" not in actions


def test_an_admin_reset_of_an_office_issues_a_new_activation_code(world: World) -> None:
    holder = world.office_actors[world.case_ids[0]].name
    activate_account(world.db, holder, "a-good-pass-1", AT)
    code = reset_password(world.db, actor=World.admin, username=holder, temporary=None, now=AT)
    assert code is not None
    for password in ("a-good-pass-1", holder):  # neither the old password nor the ID
        with pytest.raises(AuthenticationFailed, match="wrong user name or password"):
            login(world.db, username=holder, password=password, now=AT)
    activate(world.db, username=holder, code=code, new_password="a-good-pass-2", now=AT)
    assert login(world.db, username=holder, password="a-good-pass-2", now=AT).name == holder
    actions = [e.action for e in audit_trail(world.db, actor=World.admin, username=holder)]
    assert actions == ["activation_code_issued", "activated", "password_reset", "activated"]


def test_an_admin_reset_of_staff_sets_a_temporary_password_to_change(world: World) -> None:
    add_user(
        world.db,
        actor=World.admin,
        username="sup1",
        password="sup-pass-11",
        role=Role.SUPERVISOR,
        region=1,
        now=AT,
    )
    assert (
        reset_password(
            world.db, actor=World.admin, username="sup1", temporary="temp-pass-1", now=AT
        )
        is None
    )
    with pytest.raises(PasswordChangeRequired):
        login(world.db, username="sup1", password="temp-pass-1", now=AT)
    with pytest.raises(AuthenticationFailed):
        login(world.db, username="sup1", password="sup-pass-11", now=AT)
