"""Activation codes: the region issues them, the holder uses one once, and knowing the
national ID alone gets nobody in."""

from __future__ import annotations

from datetime import timedelta

import pytest
from support import World, tehran

from mohlat.errors import AuthenticationFailed, InvalidInput, PermissionDenied, UserNotFound
from mohlat.identity import CODE_ALPHABET
from mohlat.services.accounts import audit_trail, change_password, login
from mohlat.services.activation import (
    activate,
    issue_activation_code,
    issue_activation_codes,
)
from mohlat.services.login_policy import set_login_policy
from mohlat.store import Database

AT = tehran(1400, 1, 20, 9)
PERSIAN = str.maketrans("0123456789", "۰۱۲۳۴۵۶۷۸۹")


def holder_of(world: World, region: int) -> str:
    case = next(c for c in world.case_ids if world.region_of[c] == region)
    return world.office_actors[case].name


def test_the_account_claiming_attack_fails(world: World) -> None:
    """Knowing only a holder's national ID: neither login, nor passwd, nor activation
    gets in, and the real holder activates afterwards with the region's code."""
    victim = holder_of(world, 1)
    code = issue_activation_code(world.db, actor=world.supervisor(1), username=victim, now=AT)
    for passwd in (False, True):  # `mohlat passwd` logs in with changing_password
        with pytest.raises(AuthenticationFailed, match="wrong user name or password"):
            login(world.db, username=victim, password=victim, now=AT, changing_password=passwd)
    for guess in (victim, victim[:5] + "-" + victim[5:]):
        with pytest.raises(AuthenticationFailed, match="wrong national ID or activation code"):
            activate(world.db, username=victim, code=guess, new_password="attacker-pw-1", now=AT)
    actor = activate(world.db, username=victim, code=code, new_password="holder-pass-1", now=AT)
    assert actor.office_id is not None
    with pytest.raises(AuthenticationFailed):
        login(world.db, username=victim, password="attacker-pw-1", now=AT)
    assert login(world.db, username=victim, password="holder-pass-1", now=AT) == actor


def test_a_code_is_grouped_from_an_unambiguous_alphabet_and_typed_in_any_digits(
    world: World,
) -> None:
    holder = holder_of(world, 2)
    code = issue_activation_code(world.db, actor=World.admin, username=holder, now=AT)
    assert len(code) == 11 and code[5] == "-"
    assert set(code.replace("-", "")) <= set(CODE_ALPHABET)
    typed = " " + code.lower().replace("-", " ").translate(PERSIAN) + " "
    activate(
        world.db, username=holder.translate(PERSIAN), code=typed, new_password="pass-w0rd-x", now=AT
    )
    assert login(world.db, username=holder, password="pass-w0rd-x", now=AT).name == holder


def test_a_code_is_single_use(world: World) -> None:
    holder = holder_of(world, 1)
    code = issue_activation_code(world.db, actor=World.admin, username=holder, now=AT)
    activate(world.db, username=holder, code=code, new_password="first-pass-1", now=AT)
    with pytest.raises(AuthenticationFailed, match="wrong national ID or activation code"):
        activate(world.db, username=holder, code=code, new_password="second-pass-1", now=AT)
    assert login(world.db, username=holder, password="first-pass-1", now=AT).name == holder


def test_a_new_code_replaces_the_pending_one(world: World) -> None:
    holder = holder_of(world, 1)
    old = issue_activation_code(world.db, actor=World.admin, username=holder, now=AT)
    new = issue_activation_code(world.db, actor=World.admin, username=holder, now=AT)
    with pytest.raises(AuthenticationFailed, match="wrong national ID or activation code"):
        activate(world.db, username=holder, code=old, new_password="first-pass-1", now=AT)
    activate(world.db, username=holder, code=new, new_password="first-pass-1", now=AT)


def test_a_code_expires_after_the_policy_days(world: World) -> None:
    holder = holder_of(world, 1)
    code = issue_activation_code(world.db, actor=World.admin, username=holder, now=AT)
    late = AT + timedelta(days=14, seconds=1)
    with pytest.raises(AuthenticationFailed, match=r"expired at .* ask your region for a new one"):
        activate(world.db, username=holder, code=code, new_password="first-pass-1", now=late)
    set_login_policy(world.db, actor=World.admin, now=AT, activation_days=30)
    code = issue_activation_code(world.db, actor=World.admin, username=holder, now=AT)
    activate(
        world.db, username=holder, code=code, new_password="first-pass-1", now=AT + timedelta(29)
    )


def test_the_new_password_follows_the_password_rules(world: World) -> None:
    holder = holder_of(world, 1)
    code = issue_activation_code(world.db, actor=World.admin, username=holder, now=AT)
    for bad in ("short", holder):
        with pytest.raises(InvalidInput, match="password"):
            activate(world.db, username=holder, code=code, new_password=bad, now=AT)
    activate(world.db, username=holder, code=code, new_password="first-pass-1", now=AT)


def test_wrong_codes_count_as_failed_logins(world: World) -> None:
    holder = holder_of(world, 1)
    code = issue_activation_code(world.db, actor=World.admin, username=holder, now=AT)
    for _ in range(5):
        with pytest.raises(AuthenticationFailed, match="wrong national ID or activation code"):
            activate(
                world.db, username=holder, code="AAAAA-AAAAA", new_password="pass-1234", now=AT
            )
    with pytest.raises(AuthenticationFailed, match="locked until"):
        activate(world.db, username=holder, code=code, new_password="first-pass-1", now=AT)
    later = AT + timedelta(minutes=16)
    activate(world.db, username=holder, code=code, new_password="first-pass-1", now=later)
    actions = [e.action for e in audit_trail(world.db, actor=World.admin, username=holder)]
    assert actions == ["activation_code_issued", "locked", "activated"]


def test_a_supervisor_issues_codes_in_its_own_region_only(world: World) -> None:
    other = holder_of(world, 2)
    with pytest.raises(UserNotFound, match=f"user '{other}' not found"):
        issue_activation_code(world.db, actor=world.supervisor(1), username=other, now=AT)
    with pytest.raises(UserNotFound):
        issue_activation_code(world.db, actor=world.supervisor(1), username="0000000000", now=AT)
    with pytest.raises(PermissionDenied, match="region 1 only"):
        issue_activation_codes(world.db, actor=world.supervisor(1), region=2, now=AT)
    with pytest.raises(PermissionDenied):
        issue_activation_code(world.db, actor=world.office_actors[1], username=other, now=AT)


def test_bulk_codes_for_a_region_skip_activated_offices(db: Database) -> None:
    world = World(db).setup(offices=18)  # two offices in each region
    region_1 = sorted(a.name for c, a in world.office_actors.items() if world.region_of[c] == 1)
    first = issue_activation_codes(world.db, actor=world.supervisor(1), region=1, now=AT)
    assert [i.national_id for i in first] == region_1
    assert {i.region for i in first} == {1} and first[0].office_code.startswith("P")
    assert first[0].expires_at == AT + timedelta(days=14)
    activate(
        world.db,
        username=first[0].national_id,
        code=first[0].code,
        new_password="pass-w0rd-1",
        now=AT,
    )
    again = issue_activation_codes(world.db, actor=world.supervisor(1), region=1, now=AT)
    assert [i.national_id for i in again] == region_1[1:]
    every = issue_activation_codes(
        world.db, actor=World.admin, region=1, include_activated=True, now=AT
    )
    assert [i.national_id for i in every] == region_1


def test_bulk_codes_for_a_list_are_all_or_nothing(world: World) -> None:
    mine, other = holder_of(world, 1), holder_of(world, 2)
    with pytest.raises(UserNotFound, match=other):
        issue_activation_codes(world.db, actor=world.supervisor(1), usernames=[mine, other], now=AT)
    assert audit_trail(world.db, actor=World.admin, username=mine) == []
    issued = issue_activation_codes(world.db, actor=World.admin, usernames=[mine, other], now=AT)
    assert [i.national_id for i in issued] == sorted([mine, other])


def test_a_code_for_an_activated_account_keeps_its_password_until_used(world: World) -> None:
    holder = holder_of(world, 1)
    code = issue_activation_code(world.db, actor=World.admin, username=holder, now=AT)
    activate(world.db, username=holder, code=code, new_password="first-pass-1", now=AT)
    code = issue_activation_code(world.db, actor=World.admin, username=holder, now=AT)
    assert login(world.db, username=holder, password="first-pass-1", now=AT).name == holder
    activate(world.db, username=holder, code=code, new_password="forgot-pass-2", now=AT)
    with pytest.raises(AuthenticationFailed):
        login(world.db, username=holder, password="first-pass-1", now=AT)


def test_changing_the_password_voids_a_pending_code(world: World) -> None:
    holder = holder_of(world, 1)
    code = issue_activation_code(world.db, actor=World.admin, username=holder, now=AT)
    actor = activate(world.db, username=holder, code=code, new_password="first-pass-1", now=AT)
    code = issue_activation_code(world.db, actor=World.admin, username=holder, now=AT)
    change_password(world.db, actor=actor, new_password="second-pass-2", national_id=holder, now=AT)
    with pytest.raises(AuthenticationFailed, match="wrong national ID or activation code"):
        activate(world.db, username=holder, code=code, new_password="third-pass-3", now=AT)
