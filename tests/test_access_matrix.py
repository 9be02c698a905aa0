"""Who may do what, cell by cell: every acting command × every kind of actor.

Each cell runs the real command line on a copy of a database prepared so that the
command is possible for someone (the case is in the state it needs, at a time inside
its deadline); what differs between the cells of a row is only who asks.
Exit codes: 0 done, 1 refused (role, login), 2 not found (outside the actor's remit).
"""

from __future__ import annotations

import os
import shutil
import sqlite3
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from freezegun import freeze_time
from support import World, activate_account, tehran
from typer.testing import CliRunner

from mohlat.errors import AuthenticationFailed
from mohlat.identity import make_national_id
from mohlat.services.accounts import add_user, login, reset_password
from mohlat.store import Database
from mohlat.workflow.definition import Role

pytestmark = pytest.mark.skipif(
    bool(os.environ.get("MOHLAT_TEST_DB")),
    reason="copies SQLite files; the cells are database-neutral",
)

runner = CliRunner()
PASSWORD = "good-pass-123"
CASE = "1"  # region 1, office P00001

ACTORS = [
    "admin",
    "supervisor",
    "other_supervisor",
    "office",
    "other_office",
    "anonymous",
    "wrong_password",
    "locked",
    "must_change",
    "unactivated",
]


def _credentials(world: World) -> dict[str, dict[str, str]]:
    office, other = world.office_actors[1].name, world.office_actors[2].name
    return {
        "admin": {"MOHLAT_USER": "admin", "MOHLAT_PASSWORD": PASSWORD},
        "supervisor": {"MOHLAT_USER": "sup1", "MOHLAT_PASSWORD": PASSWORD},
        "other_supervisor": {"MOHLAT_USER": "sup2", "MOHLAT_PASSWORD": PASSWORD},
        "office": {"MOHLAT_USER": office, "MOHLAT_PASSWORD": PASSWORD},
        "other_office": {"MOHLAT_USER": other, "MOHLAT_PASSWORD": PASSWORD},
        "anonymous": {},
        "wrong_password": {"MOHLAT_USER": "admin", "MOHLAT_PASSWORD": "not-the-password"},
        "locked": {"MOHLAT_USER": "sup1-locked", "MOHLAT_PASSWORD": PASSWORD},
        # a supervisor whose password an admin reset to a temporary one
        "must_change": {"MOHLAT_USER": "sup1-reset", "MOHLAT_PASSWORD": PASSWORD},
        # office 3's account is not activated: someone who knows only the national ID
        "unactivated": {
            "MOHLAT_USER": world.office_actors[3].name,
            "MOHLAT_PASSWORD": world.office_actors[3].name,
        },
    }


def _prepare(db: Database, stage: str) -> World:
    world = World(db).setup()
    at = tehran(1400, 1, 10, 9)
    for name, role, region in (
        ("admin", Role.ADMIN, None),
        ("sup1", Role.SUPERVISOR, 1),
        ("sup2", Role.SUPERVISOR, 2),
        ("sup1-locked", Role.SUPERVISOR, 1),
        ("sup1-reset", Role.SUPERVISOR, 1),
    ):
        add_user(db, actor=None, username=name, password=PASSWORD, role=role, region=region, now=at)
    reset_password(db, actor=World.admin, username="sup1-reset", temporary=PASSWORD, now=at)
    for case in (1, 2):
        activate_account(db, world.office_actors[case].name, PASSWORD, at)
    if stage == "declaring":
        return world
    for case in world.case_ids:
        world.act("declare", case, tehran(1400, 1, 20, 10))
    world.sweep(tehran(1400, 2, 6, 0, 5))
    if stage == "correction":
        world.act("refer", 1, tehran(1400, 2, 8, 10))
    if stage in ("approved", "ranked", "appealed"):
        for case in world.case_ids:
            world.act("approve", case, tehran(1400, 2, 8, 10))
    if stage in ("ranked", "appealed"):
        world.sweep(tehran(1400, 2, 16, 0, 5))
    if stage == "appealed":
        world.act("appeal", 1, tehran(1400, 2, 17, 10))
    return world


# command -> (stage, time, args, roles that may run it)
DECLARE_FIELDS = [
    "-f",
    "office_space=64",
    "-f",
    "staff_count=4",
    "-f",
    "location=city",
    "-f",
    "holder_years=6",
]
COMMANDS: dict[str, tuple[str, datetime, list[str], set[str]]] = {
    "declare": ("declaring", tehran(1400, 1, 21), ["declare", CASE, *DECLARE_FIELDS], {"office"}),
    "review": (
        "review",
        tehran(1400, 2, 8),
        ["review", CASE, "--association", "15"],
        {"admin", "supervisor"},
    ),
    "refer": (
        "review",
        tehran(1400, 2, 8),
        ["refer", CASE, "--reason", "check"],
        {"admin", "supervisor"},
    ),
    "approve": ("review", tehran(1400, 2, 8), ["approve", CASE], {"admin", "supervisor"}),
    "correct": (
        "correction",
        tehran(1400, 2, 9),
        ["correct", CASE, "-f", "staff_count=5"],
        {"office"},
    ),
    "appeal": ("ranked", tehran(1400, 2, 17), ["appeal", CASE, "--text", "we object"], {"office"}),
    "decide": (
        "appealed",
        tehran(1400, 2, 18),
        ["decide", CASE, "--reason", "re-summed"],
        {"admin", "supervisor"},
    ),
    "publish": ("approved", tehran(1400, 2, 9), ["publish"], {"admin"}),
    "campaign create": (
        "review",
        tehran(1400, 2, 8),
        ["campaign", "create", "1401-1", "--first-day", "1401/01/17", "--last-day", "1401/02/05"],
        {"admin"},
    ),
    "office import": ("review", tehran(1400, 2, 8), ["office", "import", "{csv}"], {"admin"}),
    "user add": (
        "review",
        tehran(1400, 2, 8),
        ["user", "add", "sup9", "--role", "supervisor", "--region", "9"],
        {"admin"},
    ),
    "user reset": ("review", tehran(1400, 2, 8), ["user", "reset", "{other_office}"], {"admin"}),
    "holiday add": (
        "review",
        tehran(1400, 2, 8),
        ["holiday", "add", "1400/02/12", "--reason", "heat"],
        {"admin"},
    ),
    "deadline extend": (
        "review",
        tehran(1400, 2, 8),
        ["deadline", "extend", CASE, "--days", "2", "--reason", "post"],
        {"admin"},
    ),
    "verify": ("review", tehran(1400, 2, 8), ["verify"], {"admin"}),
}


@pytest.fixture(scope="module")
def templates(tmp_path_factory: Any) -> dict[str, tuple[Path, dict[str, dict[str, str]]]]:
    from mohlat.identity import configure

    configure(time_cost=1, memory_cost=8, parallelism=1)
    made = {}
    for stage in sorted({c[0] for c in COMMANDS.values()}):
        path = tmp_path_factory.mktemp(stage) / "template.db"
        db = Database(f"sqlite:///{path}")
        db.create_schema()
        world = _prepare(db, stage)
        db.dispose()
        with sqlite3.connect(path) as conn:  # fold the write-ahead log into the file
            conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        made[stage] = (path, _credentials(world))
    return made


def _expected(command: str, actor: str) -> int:
    allowed = COMMANDS[command][3]
    if actor in allowed:
        return 0
    if actor in ("anonymous", "wrong_password", "locked", "must_change", "unactivated"):
        return 1
    case_command = CASE in COMMANDS[command][2] and command != "deadline extend"
    outside = actor in ("other_supervisor", "other_office")
    return 2 if case_command and outside else 1


CELLS = [(command, actor) for command in COMMANDS for actor in ACTORS]


@pytest.mark.parametrize(("command", "actor"), CELLS, ids=[f"{c}|{a}" for c, a in CELLS])
def test_access_matrix(templates: Any, tmp_path: Path, command: str, actor: str) -> None:
    stage, at, args, _roles = COMMANDS[command]
    template, credentials = templates[stage]
    db_file = tmp_path / "cell.db"
    shutil.copy(template, db_file)
    csv = tmp_path / "offices.csv"
    csv.write_text(
        "code,name,kind,region,province,national_id\n"
        f"P77777,New,pishkhan,7,Kerman,{make_national_id('007777771')}\n",
        encoding="utf-8",
    )
    filled = [
        a.replace("{csv}", str(csv)).replace(
            "{other_office}", credentials["other_office"]["MOHLAT_USER"]
        )
        for a in args
    ]
    env = {"MOHLAT_DB": str(db_file), "MOHLAT_NEW_PASSWORD": "another-pass-1", **credentials[actor]}
    if actor == "anonymous":
        env.update({"MOHLAT_USER": "", "MOHLAT_PASSWORD": ""})
    if actor == "locked":  # five wrong passwords just before: locked for 15 minutes
        db = Database(f"sqlite:///{db_file}")
        for _ in range(5):
            with pytest.raises(AuthenticationFailed):
                login(db, username="sup1-locked", password="wrong", now=at)
        db.dispose()
    with freeze_time(at):
        result = runner.invoke(app_under_test(), filled, env=env, input="")
    expected = _expected(command, actor)
    assert result.exit_code == expected, result.output
    if expected == 2:
        assert "not found" in result.output
    reasons = {
        "wrong_password": "wrong user name or password",
        "locked": "locked until",
        "must_change": "must change the initial password",
        "unactivated": "wrong user name or password",
    }
    if actor in reasons:
        assert reasons[actor] in result.output


def app_under_test() -> Any:
    from mohlat.cli import app

    return app
