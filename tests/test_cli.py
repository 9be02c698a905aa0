"""The command line as a user meets it: exit codes, messages, JSON, and the clock frozen
with freezegun (no option or variable moves the product's clock)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from freezegun import freeze_time
from support import activate_account, fresh_database, tehran
from typer.testing import CliRunner

from mohlat.cli import app
from mohlat.identity import make_national_id
from mohlat.store import Database

runner = CliRunner()
ADMIN = {"MOHLAT_USER": "admin", "MOHLAT_PASSWORD": "admin-pass-1"}
HOLDER_1 = make_national_id("001234567")  # region 1
HOLDER_2 = make_national_id("002345678")  # region 2


def mohlat(env: dict[str, str], *args: str, at: Any = None) -> Any:
    """Run ``mohlat args`` with ``env``, the clock frozen at ``at``."""
    with freeze_time(at or tehran(1400, 1, 10, 9)):
        return runner.invoke(app, list(args), env=env)


@pytest.fixture
def env(tmp_path: Path) -> dict[str, str]:
    """A database with an admin, two offices and the 1400 campaign."""
    base = {"MOHLAT_DB": fresh_database(tmp_path / "cli.db").url}
    result = mohlat({**base, "MOHLAT_PASSWORD": "admin-pass-1"}, "init")
    assert result.exit_code == 0, result.output
    csv = tmp_path / "offices.csv"
    csv.write_text(
        "code,name,kind,region,province,national_id\n"
        f"P00001,Office one,pishkhan,۱,Tehran,{HOLDER_1}\n"
        f"R00002,Office two,rural_ict,2,Isfahan,{HOLDER_2}\n",
        encoding="utf-8",
    )
    result = mohlat({**base, **ADMIN}, "office", "import", str(csv))
    assert result.exit_code == 0, result.output
    result = mohlat(
        {**base, **ADMIN},
        "campaign",
        "create",
        "1400-2",
        "--first-day",
        "۱۴۰۰/۰۱/۱۷",
        "--last-day",
        "١٤٠٠/٠٢/٠٥",
    )
    assert result.exit_code == 0, result.output
    assert "1400/02/05 23:59:59" in result.output
    return base


def holder(env: dict[str, str], national_id: str, password: str = "a-new-pass-1") -> dict[str, str]:
    return {**env, "MOHLAT_USER": national_id, "MOHLAT_PASSWORD": password}


def activate_holder(env: dict[str, str], national_id: str) -> None:
    """The holder activates the account with a code from the region (password a-new-pass-1)."""
    db = Database(env["MOHLAT_DB"])
    activate_account(db, national_id, "a-new-pass-1")
    db.dispose()


DECLARE = [
    "declare",
    "-f",
    "office_space=۶۴",
    "-f",
    "staff_count=4",
    "-f",
    "location=city",
    "-f",
    "holder_years=6",
]


def test_the_national_id_alone_logs_nobody_in_until_the_holder_activates(
    env: dict[str, str],
) -> None:
    claim = {**holder(env, HOLDER_1, HOLDER_1), "MOHLAT_NEW_PASSWORD": "attacker-pass-1"}
    for command in (DECLARE, ["passwd"]):
        result = mohlat(claim, *command, at=tehran(1400, 1, 20, 10))
        assert result.exit_code == 1
        assert "wrong user name or password" in result.output
    activate_holder(env, HOLDER_1)
    result = mohlat(holder(env, HOLDER_1), *DECLARE, at=tehran(1400, 1, 20, 10))
    assert result.exit_code == 0, result.output
    assert "is now declaring" in result.output


def test_a_late_declaration_exits_1_naming_the_deadline_in_tehran_time(
    env: dict[str, str],
) -> None:
    activate_holder(env, HOLDER_1)
    result = mohlat(holder(env, HOLDER_1), *DECLARE, at=tehran(1400, 2, 6))
    assert result.exit_code == 1
    assert "declaration deadline passed at 1400/02/05 23:59:59" in result.output


def test_a_bad_date_exits_2_with_one_clear_line(env: dict[str, str]) -> None:
    result = mohlat(
        {**env, **ADMIN},
        "campaign",
        "create",
        "x",
        "--first-day",
        "1400/07/31",
        "--last-day",
        "1400/08/10",
    )
    assert result.exit_code == 2
    assert "first day: '1400/07/31' is not valid; Mehr 1400 has 30 days" in result.output


def test_a_bad_declaration_value_names_the_field(env: dict[str, str]) -> None:
    activate_holder(env, HOLDER_1)
    result = mohlat(
        holder(env, HOLDER_1), "declare", "-f", "office_space=big", at=tehran(1400, 1, 20, 10)
    )
    assert result.exit_code == 2
    assert "office_space" in result.output


def test_a_supervisor_of_another_region_is_told_the_case_does_not_exist(
    env: dict[str, str],
) -> None:
    result = mohlat(
        {**env, **ADMIN, "MOHLAT_NEW_PASSWORD": "sup-pass-22"},
        "user",
        "add",
        "sup2",
        "--role",
        "supervisor",
        "--region",
        "2",
    )
    assert result.exit_code == 0, result.output
    sup2 = {**env, "MOHLAT_USER": "sup2", "MOHLAT_PASSWORD": "sup-pass-22"}
    listed = mohlat(sup2, "case", "list", "--json")
    assert [c["office"] for c in json.loads(listed.output)] == ["R00002"]
    result = mohlat(sup2, "refer", "P00001", "--reason", "check", at=tehran(1400, 2, 8))
    assert result.exit_code == 2
    assert "case 'P00001' not found" in result.output


def test_the_scheduler_tick_moves_cases_and_the_timeline_shows_it(env: dict[str, str]) -> None:
    activate_holder(env, HOLDER_1)
    assert mohlat(holder(env, HOLDER_1), *DECLARE, at=tehran(1400, 1, 20, 10)).exit_code == 0
    result = mohlat(env, "scheduler", "tick", at=tehran(1400, 2, 6, 0, 5))
    assert result.exit_code == 0, result.output
    assert "close_window" in result.output
    timeline = json.loads(mohlat({**env, **ADMIN}, "timeline", "P00001", "--json").output)
    assert [e["action"] for e in timeline] == ["open", "declare", "close_window"]
    assert timeline[-1]["logical_at"].startswith("2021-04-25 19:29:59.999999")
    shown = mohlat({**env, **ADMIN}, "case", "show", "1", at=tehran(1400, 2, 6, 0, 5))
    assert "regional_review" in shown.output
    assert "9d 23h 54m" in shown.output  # time left on the review clock
    assert "provisional: not ranked yet" in shown.output  # scored since the declaration
    explained = mohlat({**env, **ADMIN}, "score", "explain", "1", at=tehran(1400, 2, 6, 0, 5))
    assert explained.exit_code == 0, explained.output
    assert "provisional: not ranked yet" in explained.output and "Office space" in explained.output


def test_a_bad_csv_is_reported_row_by_row_and_nothing_is_imported(
    env: dict[str, str], tmp_path: Path
) -> None:
    bad = tmp_path / "bad.csv"
    bad.write_text(
        "code,name,kind,region,province,national_id\n"
        f"P9,Nine,pishkhan,3,Fars,{make_national_id('003456789')}\n"
        "P10,Ten,kiosk,12,Fars,1234567890\n",
        encoding="utf-8",
    )
    result = mohlat({**env, **ADMIN}, "office", "import", str(bad))
    assert result.exit_code == 2
    assert "line 3, kind" in result.output
    assert "line 3, region" in result.output
    assert "line 3, national_id" in result.output
    offices = json.loads(mohlat({**env, **ADMIN}, "office", "list", "--json").output)
    assert [o["code"] for o in offices] == ["P00001", "R00002"]


def test_a_wrong_password_is_refused(env: dict[str, str]) -> None:
    result = mohlat({**env, "MOHLAT_USER": "admin", "MOHLAT_PASSWORD": "nope"}, "case", "list")
    assert result.exit_code == 1
    assert "login as 'admin' failed" in result.output


def _commands() -> list[tuple[str, ...]]:
    from typer.main import get_command

    root = get_command(app)
    found = []
    for name, command in root.commands.items():  # type: ignore[attr-defined]
        sub = getattr(command, "commands", None)
        if sub:
            found += [(name, s) for s in sub]
        else:
            found.append((name,))
    return found


@pytest.mark.parametrize("command", _commands(), ids=" ".join)
def test_every_command_shows_an_example_in_its_help(command: tuple[str, ...]) -> None:
    result = runner.invoke(app, [*command, "--help"])
    assert result.exit_code == 0
    assert "Example:" in result.output


def test_help_does_not_load_the_database_layer() -> None:
    code = (
        "import sys; from mohlat.cli import main; sys.argv=['mohlat','--help'];\n"
        "try: main()\nexcept SystemExit: pass\n"
        "assert 'sqlmodel' not in sys.modules and 'sqlalchemy' not in sys.modules"
    )
    result = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        cwd=Path(__file__).parent.parent,
    )
    assert result.returncode == 0, result.stderr


def test_nothing_moves_the_clock_forward(env: dict[str, str]) -> None:
    result = mohlat(env, "scheduler", "tick", "--at", "1400/02/06 00:05", at=tehran(1400, 2, 5))
    assert result.exit_code == 2
    assert "a time no later than now" in result.output
    earlier = mohlat(env, "scheduler", "tick", "--at", "1400/02/04", at=tehran(1400, 2, 5))
    assert earlier.exit_code == 0, earlier.output


@pytest.mark.parametrize(
    ("args", "field"),
    [
        (["case", "list", "--region", "۱۲"], "region: '۱۲' is not valid; a whole number"),
        (["case", "list", "--limit", "ten"], "limit: 'ten' is not valid"),
        (["due", "--within", "3w"], "within: '3w' is not valid; a number followed by d, h or m"),
        (
            ["campaign", "create", "x", "--first-day", "1400/1/1a", "--last-day", "1400/01/05"],
            "first day: '1400/1/1a' is not valid",
        ),
    ],
    ids=["persian-digits-out-of-range", "not-a-number", "bad-span", "bad-date"],
)
def test_bad_digits_and_dates_exit_2_naming_the_field(
    env: dict[str, str], args: list[str], field: str
) -> None:
    result = mohlat({**env, **ADMIN}, *args)
    assert result.exit_code == 2
    assert field in " ".join(result.output.split())


def test_fa_shows_persian_month_names_and_digits(env: dict[str, str]) -> None:
    result = mohlat({**env, **ADMIN}, "--fa", "campaign", "show")
    assert "۵ اردیبهشت ۱۴۰۰ ۲۳:۵۹:۵۹" in result.output
