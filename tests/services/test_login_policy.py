"""The login policy is server configuration an admin sets, never the caller's environment;
an unknown user costs the same argon2 work and gets the same answer as a wrong password."""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from support import World, activate_account, tehran

from mohlat.errors import AuthenticationFailed, InvalidInput, PermissionDenied
from mohlat.identity import configure, nobodys_hash
from mohlat.services import accounts, activation
from mohlat.services.accounts import login
from mohlat.services.login_policy import LoginPolicy, login_policy, set_login_policy
from mohlat.store import queries as q

AT = tehran(1400, 1, 20, 9)


def test_the_defaults_are_5_failures_15_minutes_and_14_days(world: World) -> None:
    assert login_policy(world.db) == LoginPolicy(
        max_failed_logins=5, lock_minutes=15, activation_days=14
    )


def test_the_callers_environment_does_not_raise_the_limit(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("MOHLAT_MAX_FAILED_LOGINS", "1000")
    monkeypatch.setenv("MOHLAT_LOCK_MINUTES", "0")
    holder = world.office_actors[world.case_ids[0]].name
    activate_account(world.db, holder, "a-good-pass-1", AT)
    for _ in range(5):
        with pytest.raises(AuthenticationFailed, match="wrong user name or password"):
            login(world.db, username=holder, password="guess", now=AT)
    with pytest.raises(AuthenticationFailed, match="locked until"):
        login(world.db, username=holder, password="a-good-pass-1", now=AT)


def test_an_admin_sets_the_policy_on_the_audit_trail(world: World) -> None:
    holder = world.office_actors[world.case_ids[0]].name
    activate_account(world.db, holder, "a-good-pass-1", AT)
    policy = set_login_policy(
        world.db, actor=World.admin, now=AT, max_failed_logins=3, lock_minutes=60
    )
    assert policy == LoginPolicy(3, 60, 14) == login_policy(world.db)
    for _ in range(3):
        with pytest.raises(AuthenticationFailed, match="wrong user name or password"):
            login(world.db, username=holder, password="guess", now=AT)
    with pytest.raises(AuthenticationFailed, match=r"locked until .* after 3 failed logins"):
        login(world.db, username=holder, password="a-good-pass-1", now=AT + timedelta(minutes=59))
    login(world.db, username=holder, password="a-good-pass-1", now=AT + timedelta(minutes=61))
    with world.db.transaction() as tx:
        trail = q.account_events(tx, username="admin")
    assert [(e.action, e.actor, e.detail) for e in trail] == [
        ("policy_set", "admin", "max_failed_logins 5 -> 3, lock_minutes 15 -> 60")
    ]


def test_only_an_admin_sets_the_policy_within_bounds(world: World) -> None:
    with pytest.raises(PermissionDenied):
        set_login_policy(world.db, actor=world.supervisor(1), now=AT, max_failed_logins=50)
    with pytest.raises(InvalidInput, match=r"max_failed_logins: 0 is not valid; .* from 1 to 100"):
        set_login_policy(world.db, actor=World.admin, now=AT, max_failed_logins=0)
    with pytest.raises(InvalidInput, match="lock_minutes"):
        set_login_policy(world.db, actor=World.admin, now=AT, lock_minutes=10**9)
    assert login_policy(world.db) == LoginPolicy()


def _spy(module: Any, monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Record the hashes ``module`` verifies against."""
    real: Callable[[str, str], bool] = module.verify_password
    seen: list[str] = []

    def spying(stored: str, password: str) -> bool:
        seen.append(stored)
        return real(stored, password)

    monkeypatch.setattr(module, "verify_password", spying)
    return seen


def test_an_unknown_user_costs_one_verify_and_gets_the_wrong_password_answer(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    holder = world.office_actors[world.case_ids[0]].name
    activate_account(world.db, holder, "a-good-pass-1", AT)
    seen = _spy(accounts, monkeypatch)
    answers = []
    for username in ("nobody-here", holder, world.office_actors[world.case_ids[1]].name):
        with pytest.raises(AuthenticationFailed) as failed:
            login(world.db, username=username, password="guess", now=AT)
        answers.append(failed.value.why)
    assert answers == ["wrong user name or password"] * 3
    assert len(seen) == 3 and seen[0] == seen[2] == nobodys_hash() != seen[1]


def test_an_unknown_national_id_costs_one_verify_when_activating(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    seen = _spy(activation, monkeypatch)
    with pytest.raises(AuthenticationFailed, match="wrong national ID or activation code"):
        activation.activate(
            world.db, username="0000000000", code="AAAAA-AAAAA", new_password="pass-w0rd", now=AT
        )
    assert seen == [nobodys_hash()]


def test_an_unknown_user_takes_as_long_as_a_known_one_with_real_costs(world: World) -> None:
    holder = world.office_actors[world.case_ids[0]].name
    activate_account(world.db, holder, "a-good-pass-1", AT)

    def fastest(username: str) -> float:
        times = []
        for _ in range(3):
            start = time.perf_counter()
            with pytest.raises(AuthenticationFailed):
                login(world.db, username=username, password="guess", now=AT)
            times.append(time.perf_counter() - start)
        return min(times)

    configure()  # the library's real argon2 costs (tests run with cheap ones)
    try:
        known, unknown = fastest(holder), fastest("nobody-here")
    finally:
        configure(time_cost=1, memory_cost=8, parallelism=1)
    assert unknown > known / 3  # before: 0.8 ms against 216 ms
