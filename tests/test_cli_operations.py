"""The operator's and the accounts' commands as a user meets them: activation codes,
the login policy, backups and checks, a demo that never replaces a real database,
acting on the version one saw, and databases that are not there."""

from __future__ import annotations

import csv
import sqlite3
from pathlib import Path

import pytest
import test_cli
from support import tehran
from test_cli import ADMIN, DECLARE, HOLDER_1, HOLDER_2, holder, mohlat

#: the CLI tests' fixture: a database with an admin, two offices and the 1400 campaign
env = test_cli.env

AT = tehran(1400, 1, 20, 10)


def _code_for(env: dict[str, str], national_id: str) -> str:
    result = mohlat({**env, **ADMIN}, "user", "activation-code", national_id, at=AT)
    assert result.exit_code == 0, result.output
    assert f"activation code for {national_id}" in result.output
    return result.output.split(": ")[1].split()[0]


def test_an_office_activates_with_its_code_and_then_acts(env: dict[str, str]) -> None:
    code = _code_for(env, HOLDER_1)
    activated = mohlat(
        {**env, "MOHLAT_USER": HOLDER_1, "MOHLAT_ACTIVATION_CODE": code.lower(),
         "MOHLAT_NEW_PASSWORD": "a-new-pass-1"},
        "activate", at=AT,
    )  # fmt: skip
    assert activated.exit_code == 0, activated.output
    assert "account activated" in activated.output
    declared = mohlat(holder(env, HOLDER_1), *DECLARE, at=AT)
    assert declared.exit_code == 0, declared.output
    again = mohlat(
        {**env, "MOHLAT_USER": HOLDER_1, "MOHLAT_ACTIVATION_CODE": code,
         "MOHLAT_NEW_PASSWORD": "another-pass-2"},
        "activate", at=AT,
    )  # fmt: skip
    assert again.exit_code == 1  # used up
    assert "wrong national ID or activation code" in again.output


def test_codes_for_a_region_go_to_a_new_csv_for_printing(
    env: dict[str, str], tmp_path: Path
) -> None:
    target = tmp_path / "codes.csv"
    result = mohlat(
        {**env, **ADMIN}, "user", "activation-code", "--region", "۲", "--out", str(target), at=AT
    )
    assert result.exit_code == 0, result.output
    rows = list(csv.DictReader(target.open(encoding="utf-8")))
    assert [r["national_id"] for r in rows] == [HOLDER_2]
    assert rows[0]["office_code"] == "R00002" and len(rows[0]["code"]) == 11
    refused = mohlat(
        {**env, **ADMIN}, "user", "activation-code", "--region", "2", "--out", str(target), at=AT
    )
    assert refused.exit_code == 2
    assert "a new file" in refused.output


def test_resetting_an_office_prints_its_new_code(env: dict[str, str]) -> None:
    result = mohlat({**env, **ADMIN}, "user", "reset", HOLDER_1, at=AT)
    assert result.exit_code == 0, result.output
    assert f"new activation code for {HOLDER_1}:" in result.output


def test_the_login_policy_is_set_by_an_admin_and_counts(env: dict[str, str]) -> None:
    result = mohlat({**env, **ADMIN}, "policy", "set", "--max-failed-logins", "۲", at=AT)
    assert result.exit_code == 0, result.output
    assert "lock after 2 failed logins for 15 minutes" in result.output
    shown = mohlat({**env, **ADMIN}, "policy", "show", at=AT)
    assert "lock after 2 failed logins for 15 minutes" in shown.output
    wrong = {**env, "MOHLAT_USER": "admin", "MOHLAT_PASSWORD": "not-it"}
    for _ in range(2):
        assert mohlat(wrong, "user", "list", at=AT).exit_code == 1
    locked = mohlat({**env, **ADMIN}, "user", "list", at=AT)
    assert locked.exit_code == 1
    assert "locked" in locked.output
    bad = mohlat({**env, **ADMIN}, "policy", "set", "--max-failed-logins", "0", at=AT)
    assert bad.exit_code in (1, 2)


def test_a_backup_is_a_new_checked_copy(env: dict[str, str], tmp_path: Path) -> None:
    target = tmp_path / "backup.db"
    result = mohlat(env, "backup", str(target), at=AT)
    assert result.exit_code == 0, result.output
    assert "every timeline holds: 2 case(s)" in result.output
    assert sqlite3.connect(target).execute("SELECT count(*) FROM cases").fetchone() == (2,)
    again = mohlat(env, "backup", str(target), at=AT)
    assert again.exit_code == 2
    assert "it exists; choose another" in again.output
    checked = mohlat(env, "check", at=AT)
    assert checked.exit_code == 0, checked.output


def test_check_fails_on_a_damaged_timeline(env: dict[str, str]) -> None:
    path = env["MOHLAT_DB"].removeprefix("sqlite:///")
    if "://" in path:
        pytest.skip("edits a SQLite file")
    with sqlite3.connect(path) as connection:
        connection.execute("UPDATE events SET actor = 'mallory' WHERE seq = 1 AND case_id = 1")
    result = mohlat(env, "check", at=AT)
    assert result.exit_code == 1
    assert "case 1" in result.output


def test_a_demo_does_not_replace_a_database_it_did_not_make(
    env: dict[str, str], tmp_path: Path
) -> None:
    path = env["MOHLAT_DB"].removeprefix("sqlite:///")
    if "://" in path:
        pytest.skip("a SQLite file")
    before = _contents(path)
    result = mohlat({}, "demo", "--offices", "10", "--db", path)
    assert result.exit_code == 2
    assert "not a demo database" in result.output
    assert _contents(path) == before


def _contents(path: str) -> list[str]:
    """What a SQLite database holds (its bytes move when the WAL is checkpointed)."""
    connection = sqlite3.connect(path)
    try:
        return list(connection.iterdump())
    finally:
        connection.close()


def test_a_command_on_a_missing_database_creates_nothing(tmp_path: Path) -> None:
    typo = tmp_path / "mohlta.db"
    result = mohlat({"MOHLAT_DB": str(typo)}, "campaign", "list")
    assert result.exit_code == 2
    assert "there is no database at" in result.output
    assert not typo.exists()


def test_init_never_prints_the_database_password(tmp_path: Path) -> None:
    from mohlat.services import shown_url

    assert shown_url("postgresql+psycopg://mohlat:s3cret@db:5432/m") == (
        "postgresql+psycopg://mohlat:***@db:5432/m"
    )


def test_an_action_on_a_stale_version_is_refused(env: dict[str, str]) -> None:
    from support import activate_account

    from mohlat.services import open_database

    db = open_database(env["MOHLAT_DB"])
    activate_account(db, HOLDER_1, "a-new-pass-1")
    db.dispose()
    shown = mohlat(holder(env, HOLDER_1), "case", "show", "P00001", at=AT)
    assert "version 1" in shown.output, shown.output
    first = mohlat(holder(env, HOLDER_1), *DECLARE, "--if-version", "1", at=AT)
    assert first.exit_code == 0, first.output
    second = mohlat(holder(env, HOLDER_1), *DECLARE, "--if-version", "1", at=AT)
    assert second.exit_code == 1
    assert "reload it and try again" in second.output


@pytest.mark.parametrize("ref", ["²", "1" * 26], ids=["superscript", "26-digits"])
def test_odd_case_numbers_are_not_found(env: dict[str, str], ref: str) -> None:
    result = mohlat({**env, **ADMIN}, "case", "show", ref, at=AT)
    assert result.exit_code == 2
    assert "not found" in result.output


def test_heads_kept_outside_catch_a_rebuilt_chain(
    env: dict[str, str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    key_file = tmp_path / "chain.key"
    key_file.write_text("a-key-only-the-server-reads-0123456789")
    monkeypatch.setenv("MOHLAT_CHAIN_KEY_FILE", str(key_file))
    heads = tmp_path / "heads.json"
    exported = mohlat({**env, **ADMIN}, "heads", "export", str(heads), at=AT)
    assert exported.exit_code == 0, exported.output
    clean = mohlat({**env, **ADMIN}, "verify", "--heads", str(heads), at=AT)
    assert clean.exit_code == 0, clean.output
    assert "against the heads file" in clean.output
    path = env["MOHLAT_DB"].removeprefix("sqlite:///")
    if "://" in path:
        return
    with sqlite3.connect(path) as connection:  # wipe a timeline, fix every counter
        connection.execute("DELETE FROM events WHERE case_id = 1")
        connection.execute(
            "UPDATE cases SET event_count = 0, last_hash = ? WHERE id = 1", ("0" * 64,)
        )
        connection.execute("UPDATE campaigns SET event_count = (SELECT count(*) FROM events)")
    caught = mohlat({**env, **ADMIN}, "verify", "--heads", str(heads), at=AT)
    assert caught.exit_code == 1
    assert "case 1" in caught.output
