"""Failed logins counted in parallel, each attempt on its own connection: the account
locks after exactly the policy's number, on SQLite and on PostgreSQL."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
from support import World, activate_account, tehran

from mohlat.errors import AuthenticationFailed
from mohlat.services.accounts import audit_trail, login
from mohlat.services.login_policy import set_login_policy
from mohlat.store import Database
from mohlat.store import queries as q

AT = tehran(1400, 1, 20, 9)
PASSWORD = "a-good-pass-1"


def _parallel_wrong_passwords(url: str, username: str, attempts: int) -> list[str]:
    """``attempts`` wrong passwords at once, each thread with its own Database; the
    refusals' reasons."""
    start = threading.Barrier(attempts)

    def attempt(_: int) -> str:
        db = Database(url)
        try:
            start.wait()
            login(db, username=username, password="wrong-guess", now=AT)
        except AuthenticationFailed as failed:
            return failed.why
        finally:
            db.dispose()
        return "logged in"

    with ThreadPoolExecutor(max_workers=attempts) as pool:
        return list(pool.map(attempt, range(attempts)))


def _failed_logins(db: Database, username: str) -> int:
    with db.transaction() as tx:
        account = q.account_by_username(tx, username=username)
    assert account is not None
    return account.failed_logins


@pytest.fixture
def holder(world: World) -> str:
    name = world.office_actors[world.case_ids[0]].name
    activate_account(world.db, name, PASSWORD, AT)
    set_login_policy(world.db, actor=World.admin, now=AT, max_failed_logins=20)
    return name


def test_20_parallel_wrong_passwords_lock_at_a_limit_of_20(world: World, holder: str) -> None:
    answers = _parallel_wrong_passwords(world.db.url, holder, 20)
    assert answers == ["wrong user name or password"] * 20  # each one counted
    with pytest.raises(AuthenticationFailed, match=r"locked until .* after 20 failed logins"):
        login(world.db, username=holder, password=PASSWORD, now=AT)
    trail = audit_trail(world.db, actor=World.admin, username=holder)
    assert [(e.action, e.detail) for e in trail if e.action == "locked"] == [
        ("locked", "20 failed logins; locked for 15 minutes")  # locked once
    ]


def test_19_parallel_wrong_passwords_count_19_and_do_not_lock(world: World, holder: str) -> None:
    answers = _parallel_wrong_passwords(world.db.url, holder, 19)
    assert answers == ["wrong user name or password"] * 19
    assert _failed_logins(world.db, holder) == 19  # not one increment lost
    assert login(world.db, username=holder, password=PASSWORD, now=AT).name == holder
    assert _failed_logins(world.db, holder) == 0


def test_20_parallel_wrong_passwords_at_a_limit_of_5_count_5(world: World, holder: str) -> None:
    set_login_policy(world.db, actor=World.admin, now=AT, max_failed_logins=5)
    answers = _parallel_wrong_passwords(world.db.url, holder, 20)
    assert answers.count("wrong user name or password") == 5
    assert sum(a.startswith("the account is locked until") for a in answers) == 15
    actions = [e.action for e in audit_trail(world.db, actor=World.admin, username=holder)]
    assert actions.count("locked") == 1
