"""The command line's reads, as a user meets them: who may see what (public reads need
no login), the JSON and tables of every listing, and numbers in any digits."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from freezegun import freeze_time
from support import World, tehran
from typer.testing import CliRunner

from mohlat.cli import app
from mohlat.identity import make_national_id
from mohlat.services.accounts import add_user, change_password
from mohlat.services.offices import import_offices, office_rows
from mohlat.store import Database
from mohlat.workflow.definition import Role

runner = CliRunner()
PASSWORD = "good-pass-123"
ADMIN = {"MOHLAT_USER": "admin", "MOHLAT_PASSWORD": PASSWORD}
SUP1 = {"MOHLAT_USER": "sup1", "MOHLAT_PASSWORD": PASSWORD}
NOBODY = {"MOHLAT_USER": "", "MOHLAT_PASSWORD": ""}


def mohlat(env: dict[str, str], *args: str, at: Any = None, **kw: Any) -> Any:
    """Run ``mohlat args`` with ``env``, the clock frozen at ``at``."""
    with freeze_time(at or tehran(1400, 2, 10, 9)):
        return runner.invoke(app, list(args), env=env, **kw)


def _staff(db: Database, world: World) -> None:
    at = tehran(1400, 1, 10, 9)
    for name, role, region in (("admin", Role.ADMIN, None), ("sup1", Role.SUPERVISOR, 1)):
        add_user(db, actor=None, username=name, password=PASSWORD, role=role, region=region, now=at)
    holder = world.office_actors[world.case_ids[0]]
    change_password(db, actor=holder, new_password=PASSWORD, now=at)


@pytest.fixture
def in_review(db: Database) -> tuple[World, dict[str, str]]:
    """Nine offices, one per region, declared; the review window open (1400/02/10)."""
    world = World(db).setup()
    _staff(db, world)
    for case in world.case_ids:
        world.act("declare", case, tehran(1400, 1, 20, 10))
    world.sweep(tehran(1400, 2, 6, 0, 5))
    return world, {"MOHLAT_DB": db.url}


@pytest.fixture
def final(in_review: tuple[World, dict[str, str]]) -> tuple[World, dict[str, str]]:
    """The same campaign published (1400/02/16) and final (1400/03/30)."""
    world, env = in_review
    for case in world.case_ids:
        world.act("approve", case, tehran(1400, 2, 8, 10))
    world.sweep(tehran(1400, 2, 16, 0, 5))
    world.sweep(tehran(1400, 3, 30))
    return world, env


# --- who may see what ------------------------------------------------------------------


def test_campaigns_and_their_dates_are_public(in_review: tuple[World, dict[str, str]]) -> None:
    _, env = in_review
    listed = mohlat({**env, **NOBODY}, "campaign", "list", "--json")
    assert listed.exit_code == 0, listed.output
    assert [(c["code"], c["first_day"]) for c in json.loads(listed.output)] == [
        ("1400-2", "1400/01/17")
    ]
    table = mohlat({**env, **NOBODY}, "campaign", "list")
    assert "1400/01/17 – 1400/02/05" in table.output
    shown = mohlat({**env, **NOBODY}, "campaign", "show", "--json")
    assert shown.exit_code == 0, shown.output
    assert "cases" not in json.loads(shown.output)  # case counts need a login
    assert (
        "log in as an admin or a supervisor" in mohlat({**env, **NOBODY}, "campaign", "show").output
    )


def test_case_counts_are_for_staff_and_a_supervisor_counts_its_region(
    in_review: tuple[World, dict[str, str]],
) -> None:
    _, env = in_review
    admin = json.loads(mohlat({**env, **ADMIN}, "campaign", "show", "--json").output)
    assert sum(c["count"] for c in admin["cases"]) == 9
    sup = json.loads(mohlat({**env, **SUP1}, "campaign", "show", "--json").output)
    assert sup["cases"] == [{"region": 1, "state": "regional_review", "count": 1}]
    table = mohlat({**env, **ADMIN}, "campaign", "show")
    assert "cases per region and state" in table.output


def test_the_holiday_calendar_is_public(in_review: tuple[World, dict[str, str]]) -> None:
    _, env = in_review
    added = mohlat(
        {**env, **ADMIN}, "holiday", "add", "1400/02/12", "--reason", "heat", "--region", "۳"
    )
    assert added.exit_code == 0, added.output
    listed = mohlat({**env, **NOBODY}, "holiday", "list", "--year", "۱۴۰۰", "--json")
    assert listed.exit_code == 0, listed.output
    data = json.loads(listed.output)
    assert {"date": "1400/01/01", "name": data["official"][0]["name"]} == data["official"][0]
    assert [(c["first_day"], c["regions"], c["reason"]) for c in data["closures"]] == [
        ("1400/02/12", [3], "heat")
    ]
    table = mohlat({**env, **NOBODY}, "holiday", "list", "--year", "1400")
    assert "official holidays of 1400" in table.output and "region 3" in table.output


def test_an_unpublished_ranking_needs_a_login(in_review: tuple[World, dict[str, str]]) -> None:
    _, env = in_review
    result = mohlat({**env, **NOBODY}, "ranking")
    assert result.exit_code == 1
    assert "log in first" in result.output
    assert json.loads(mohlat({**env, **ADMIN}, "ranking", "--json").output) == []


def test_a_published_ranking_is_public(final: tuple[World, dict[str, str]], tmp_path: Path) -> None:
    _, env = final
    rows = json.loads(mohlat({**env, **NOBODY}, "ranking", "--json").output)
    assert [r["position_national"] for r in rows] == list(range(1, 10))
    assert json.loads(mohlat({**env, **SUP1}, "ranking", "--json").output) == rows
    top = json.loads(mohlat({**env, **NOBODY}, "ranking", "--limit", "۲", "--json").output)
    assert top == rows[:2]
    region = json.loads(mohlat({**env, **NOBODY}, "ranking", "--region", "4", "--json").output)
    assert [r["region"] for r in region] == [4]
    table = mohlat({**env, **NOBODY}, "ranking")
    assert "34 (D)" in table.output
    csv = tmp_path / "ranking.csv"
    written = mohlat({**env, **NOBODY}, "ranking", "--csv", str(csv))
    assert "9 row(s) written" in written.output
    assert csv.read_text(encoding="utf-8").startswith("\ufeffposition_national,")


def test_the_scheduler_needs_no_login(in_review: tuple[World, dict[str, str]]) -> None:
    _, env = in_review
    result = mohlat({**env, **NOBODY}, "scheduler", "tick", at=tehran(1400, 2, 10, 9))
    assert result.exit_code == 0, result.output
    assert "sweep" in result.output


# --- the listings --------------------------------------------------------------------


def test_eligible_lists_final_offices_per_region(final: tuple[World, dict[str, str]]) -> None:
    _, env = final
    data = json.loads(mohlat({**env, **ADMIN}, "eligible", "--min-grade", "D", "--json").output)
    assert sorted(data) == [str(r) for r in range(1, 10)]
    assert data["1"][0]["office_code"] == "P00001"
    text = mohlat({**env, **SUP1}, "eligible", "--min-grade", "D").output
    assert "region 1: 1 office(s): P00001" in text and "region 2" not in text
    nothing = mohlat({**env, **ADMIN}, "eligible", "--min-grade", "A")
    assert nothing.exit_code == 0, nothing.output


def test_due_counts_deadlines_about_to_fall(in_review: tuple[World, dict[str, str]]) -> None:
    _, env = in_review
    at = tehran(1400, 2, 14, 9)
    rows = json.loads(mohlat({**env, **SUP1}, "due", "--within", "۳d", "--json", at=at).output)
    assert [(r["region"], r["kind"]) for r in rows] == [(1, "review")]
    table = mohlat({**env, **ADMIN}, "due", "--within", "3d", at=at).output
    assert "deadlines falling within 3d" in table and "review" in table


def test_the_reminder_outbox_lists_what_the_scheduler_queued(
    in_review: tuple[World, dict[str, str]],
) -> None:
    world, env = in_review
    world.sweep(tehran(1400, 2, 14, 0, 5))  # the review closes within 48 hours
    rows = json.loads(mohlat({**env, **SUP1}, "reminder", "list", "--json").output)
    assert {r["recipient"] for r in rows} == {"region-1"}
    everything = json.loads(
        mohlat({**env, **ADMIN}, "reminder", "list", "--all", "--limit", "۵", "--json").output
    )
    assert len(everything) == 5
    assert "reminder outbox" in mohlat({**env, **ADMIN}, "reminder", "list").output
    office = {**env, "MOHLAT_USER": world.office_actors[1].name, "MOHLAT_PASSWORD": PASSWORD}
    refused = mohlat(office, "reminder", "list")
    assert refused.exit_code == 1
    assert "the office role may not" in refused.output


def test_accounts_and_their_audit_trails_are_for_admins(
    in_review: tuple[World, dict[str, str]],
) -> None:
    world, env = in_review
    accounts = json.loads(mohlat({**env, **ADMIN}, "user", "list", "--json").output)
    sup1 = next(a for a in accounts if a["username"] == "sup1")
    assert (sup1["role"], sup1["region"], sup1["must_change_password"]) == ("supervisor", 1, False)
    assert "password_hash" not in accounts[0]
    table = mohlat({**env, **ADMIN}, "user", "list").output
    assert "accounts" in table and "sup1" in table
    refused = mohlat({**env, **SUP1}, "user", "list")
    assert refused.exit_code == 1
    holder = world.office_actors[1].name
    trail = json.loads(mohlat({**env, **ADMIN}, "user", "show", holder, "--json").output)
    assert [e["action"] for e in trail] == ["password_changed"]
    assert "audit trail of" in mohlat({**env, **ADMIN}, "user", "show", "sup1").output


def test_a_case_reads_as_a_table_and_as_json(in_review: tuple[World, dict[str, str]]) -> None:
    _, env = in_review
    listed = mohlat({**env, **SUP1}, "case", "list")
    assert "P00001" in listed.output and "P00002" not in listed.output
    shown = json.loads(mohlat({**env, **ADMIN}, "case", "show", "P00001", "--json").output)
    assert shown["office"] == "P00001" and shown["state"] == "regional_review"
    assert [d["kind"] for d in shown["deadlines"] if d["status"] == "pending"] == ["review"]
    assert [e["action"] for e in shown["timeline"]] == ["open", "declare", "close_window"]
    explained = json.loads(mohlat({**env, **ADMIN}, "score", "explain", "1", "--json").output)
    assert explained["provisional"] is True and explained["lines"]
    assert "time left" in mohlat({**env, **ADMIN}, "case", "show", "1").output


# --- offices -------------------------------------------------------------------------


def test_a_supervisor_sees_its_regions_offices_however_many_others_come_first(
    db: Database,
) -> None:
    """60 offices; region 9's five come last by code, after the first 50 of others."""
    rows = [
        {
            "code": f"{'A' if i <= 55 else 'Z'}{i:05d}",
            "name": f"Office {i}",
            "kind": "pishkhan",
            "region": 1 if i <= 55 else 9,
            "province": "Tehran" if i <= 55 else "Sistan",
            "national_id": make_national_id(f"{300000000 + i:09d}"),
            "holder_name": "",
        }
        for i in range(1, 61)
    ]
    import_offices(db, actor=World.admin, text=office_rows(rows), now=tehran(1400, 1, 10))
    at = tehran(1400, 1, 10)
    add_user(
        db, actor=None, username="admin", password=PASSWORD, role=Role.ADMIN, region=None, now=at
    )
    add_user(
        db, actor=None, username="sup9", password=PASSWORD, role=Role.SUPERVISOR, region=9, now=at
    )
    env = {"MOHLAT_DB": db.url, "MOHLAT_USER": "sup9", "MOHLAT_PASSWORD": PASSWORD}
    offices = json.loads(mohlat(env, "office", "list", "--json").output)
    assert [o["code"] for o in offices] == ["Z00056", "Z00057", "Z00058", "Z00059", "Z00060"]
    few = json.loads(mohlat(env, "office", "list", "--limit", "۲", "--json").output)
    assert [o["code"] for o in few] == ["Z00056", "Z00057"]
    assert json.loads(mohlat(env, "office", "list", "--region", "1", "--json").output) == []
    table = mohlat({**env, **ADMIN}, "office", "list", "--region", "9")
    assert "Z00060" in table.output and "A00001" not in table.output
    assert len(json.loads(mohlat({**env, **ADMIN}, "office", "list", "--json").output)) == 50


def test_a_non_admin_reset_is_refused_before_any_password_is_asked(
    in_review: tuple[World, dict[str, str]],
) -> None:
    _, env = in_review
    result = mohlat({**env, **SUP1}, "user", "reset", "admin", input="another-pass-1\n" * 2)
    assert result.exit_code == 1
    assert "the supervisor role may not" in result.output
    assert "temporary password" not in result.output  # no prompt came first
    reset = mohlat({**env, **ADMIN}, "user", "reset", "sup1", input="another-pass-1\n" * 2)
    assert reset.exit_code == 0, reset.output
    assert "temporary password for sup1" in reset.output


def test_a_non_admin_is_refused_before_a_new_users_password_is_asked(
    in_review: tuple[World, dict[str, str]],
) -> None:
    _, env = in_review
    args = ("user", "add", "sup5", "--role", "supervisor", "--region", "5")
    result = mohlat({**env, **SUP1}, *args, input="another-pass-1\n" * 2)
    assert result.exit_code == 1
    assert "password for sup5" not in result.output
    taken = mohlat({**env, **ADMIN}, "user", "add", "sup1", "--role", "admin", input="x\n" * 2)
    assert taken.exit_code == 2
    assert "already exists" in taken.output and "password for" not in taken.output


# --- numbers in any digits -----------------------------------------------------------


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (
            ["office", "list", "--region", "۱۰"],
            "--region: '۱۰' is not valid; a whole number from 1 to 9",
        ),
        (["office", "list", "--limit", "0"], "--limit: '0' is not valid; a whole number from 1"),
        (
            ["holiday", "list", "--year", "99"],
            "year: 99 is not valid; a Jalali year from 1358 to 1500",
        ),
        (["holiday", "remove", "x", "--reason", "r"], "closure: 'x' is not valid"),
        (["scheduler", "run", "--interval", "٠"], "--interval: '٠' is not valid"),
        (["demo", "--offices", "5"], "--offices: '5' is not valid; a whole number from 10"),
        (
            [
                "campaign",
                "create",
                "x",
                "--first-day",
                "1400/01/01",
                "--last-day",
                "1400/01/02",
                "--review-days",
                "۴۰۰",
            ],
            "--review-days: '۴۰۰' is not valid",
        ),
        (["case", "list", "--region", "²"], "--region: '²' is not valid"),
    ],
)
def test_a_bad_number_exits_2_naming_the_option(
    in_review: tuple[World, dict[str, str]], args: list[str], message: str
) -> None:
    _, env = in_review
    result = mohlat({**env, **ADMIN}, *args)
    assert result.exit_code == 2, result.output
    assert message in " ".join(result.output.split())


def test_a_closure_is_removed_by_its_number_in_any_digits(
    in_review: tuple[World, dict[str, str]],
) -> None:
    _, env = in_review
    added = mohlat({**env, **ADMIN}, "holiday", "add", "1400/02/12", "--reason", "heat")
    assert "recorded as #1" in added.output
    removed = mohlat({**env, **ADMIN}, "holiday", "remove", "۱", "--reason", "in error")
    assert removed.exit_code == 0, removed.output
    assert "removed;" in removed.output
    listed = json.loads(mohlat({**env, **NOBODY}, "holiday", "list", "--json").output)
    assert listed["closures"] == []


def test_a_deadline_extension_names_a_case_or_a_window(
    in_review: tuple[World, dict[str, str]],
) -> None:
    _, env = in_review
    result = mohlat({**env, **ADMIN}, "deadline", "extend", "--days", "2", "--reason", "x")
    assert result.exit_code == 2
    assert "case: missing; a case, or --window declaration|review" in result.output
    region = mohlat(
        {**env, **ADMIN},
        *("deadline", "extend", "--window", "review", "--region", "۲", "--days", "۲"),
        *("--reason", "outage"),
    )
    assert region.exit_code == 0, region.output
    assert "deadline(s) extended" in region.output
