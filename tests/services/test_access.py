"""The policy table: one row per permission, every service's check in it, the README's
"Who may see what" equal to it."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from mohlat.errors import PermissionDenied
from mohlat.services.access import (
    POLICY,
    SYSTEM,
    Actor,
    Audience,
    authorize,
    is_public,
    may,
    policy_markdown,
)
from mohlat.workflow.definition import Role

ROOT = Path(__file__).parent.parent.parent
ADMIN = Actor("admin", Role.ADMIN)
OFFICE = Actor("0012345679", Role.OFFICE, region=1, office_id=1)


def test_every_permission_a_service_checks_is_a_row_of_the_policy() -> None:
    checked = set()
    for path in (ROOT / "mohlat" / "services").glob("*.py"):
        checked |= set(re.findall(r'authorize\(\s*\w+,\s*"([^"]+)"', path.read_text("utf-8")))
    assert checked, "no authorize() call found"
    assert checked - set(POLICY) == set()


def test_the_public_reads_are_the_campaigns_the_calendar_and_a_published_ranking() -> None:
    public = {name for name in POLICY if is_public(name)}
    assert public == {"campaign.list", "calendar.read", "ranking.published"}
    for name in public:
        authorize(None, name)  # nobody logged in: allowed


@pytest.mark.parametrize("name", ["case.read", "campaign.counts", "office.read", "user.list"])
def test_anything_else_needs_a_login(name: str) -> None:
    with pytest.raises(PermissionDenied, match="log in first"):
        authorize(None, name)


def test_a_role_outside_a_row_is_refused_and_an_unknown_permission_is_nobodys() -> None:
    assert may(ADMIN, "user.reset") and not may(OFFICE, "user.reset")
    with pytest.raises(PermissionDenied, match="the office role may not"):
        authorize(OFFICE, "office.read")
    assert not may(ADMIN, "no.such.permission")


def test_the_sweep_is_the_operators_acting_as_the_system() -> None:
    assert POLICY["deadline.sweep"].audience is Audience.OPERATOR
    authorize(SYSTEM, "deadline.sweep")
    assert not may(ADMIN, "deadline.sweep") and not may(None, "deadline.sweep")


def test_the_readme_shows_the_policy_as_it_is() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert "## Who may see what" in readme
    assert policy_markdown() in readme
