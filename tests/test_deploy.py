"""The deployment kit in ``deploy/``: the systemd units pass ``systemd-analyze verify``
and name options the CLI has; the PostgreSQL roles script, followed as the README
says, gives a server role that works and cannot rewrite a timeline."""

from __future__ import annotations

import os
import shlex
import shutil
import subprocess
import sys
import uuid
from pathlib import Path

import pytest
import typer.main
from sqlalchemy.engine import make_url
from support import World, tehran
from typer.testing import CliRunner

from mohlat.cli import app

ROOT = Path(__file__).resolve().parents[1]
DEPLOY = ROOT / "deploy"
UNITS = sorted(DEPLOY.glob("*.service"))
MOHLAT = Path(sys.executable).parent / "mohlat"


def _exec_start(unit: Path) -> list[str]:
    line = next(x for x in unit.read_text().splitlines() if x.startswith("ExecStart="))
    return shlex.split(line.removeprefix("ExecStart="))


def test_there_is_a_unit_for_the_server_and_one_for_the_scheduler() -> None:
    commands = {tuple(a for a in _exec_start(u)[1:] if not a.startswith("-"))[:1] for u in UNITS}
    assert commands == {("serve",), ("scheduler",)}


@pytest.mark.parametrize("unit", UNITS, ids=[u.name for u in UNITS])
def test_each_units_command_line_is_one_the_cli_accepts(unit: Path) -> None:
    args = _exec_start(unit)[1:]
    group = typer.main.get_command(app)
    context = group.make_context("mohlat", list(args), resilient_parsing=False)
    name, command, rest = group.resolve_command(context, [*context._protected_args, *context.args])
    assert command is not None, name
    while isinstance(command, type(group)):  # a sub-group (`scheduler run`)
        sub = command.make_context(name or "", list(rest))
        name, command, rest = command.resolve_command(sub, [*sub._protected_args, *sub.args])
        assert command is not None
    command.make_context(name or "", list(rest))  # refuses an unknown option or value


@pytest.mark.skipif(shutil.which("systemd-analyze") is None, reason="no systemd-analyze here")
def test_the_units_pass_systemd_analyze_verify(tmp_path: Path) -> None:
    for unit in UNITS:  # the installed path of the venv replaced by this one's
        text = unit.read_text().replace("/opt/mohlat/.venv/bin/mohlat", str(MOHLAT))
        (tmp_path / unit.name).write_text(text)
    done = subprocess.run(
        ["systemd-analyze", "verify", *(str(tmp_path / u.name) for u in UNITS)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert done.stderr.strip() == ""  # it only warns about a bad line, on stderr


# --- PostgreSQL: the roles and grants --------------------------------------------------

PG_URL = os.environ.get("MOHLAT_TEST_DB", "")


@pytest.fixture
def deployed() -> object:
    """A database, an owner and an app role made by deploy/postgres.sql, dropped after."""
    if not PG_URL.startswith("postgresql") or shutil.which("psql") is None:
        pytest.skip("needs MOHLAT_TEST_DB on PostgreSQL and psql")
    server = make_url(PG_URL)
    suffix = uuid.uuid4().hex[:8]
    names = {"owner": f"mohlat_t_own_{suffix}", "app": f"mohlat_t_app_{suffix}",
             "db": f"mohlat_t_deploy_{suffix}"}  # fmt: skip
    psql = ["psql", "-X", "-q", "-h", server.host or "127.0.0.1", "-p", str(server.port or 5432),
            "-U", server.username or "postgres"]  # fmt: skip

    def run_psql(*args: str) -> None:
        done = subprocess.run([*psql, *args], capture_output=True, text=True, check=False)
        assert done.returncode == 0, done.stderr

    def url(role: str) -> str:
        return str(server.set(username=names[role], password=None, database=names["db"]))

    try:
        run_psql("-d", "postgres", "-v", f"owner={names['owner']}", "-v", f"app={names['app']}",
                 "-v", f"db={names['db']}", "-v", "owner_password=o-pw", "-v", "app_password=a-pw",
                 "-f", str(DEPLOY / "postgres.sql"))  # fmt: skip
        yield {"owner_url": url("owner"), "app_url": url("app"), "psql": run_psql, **names}
    finally:
        for statement in (
            f'DROP DATABASE IF EXISTS "{names["db"]}" WITH (FORCE)',
            f'DROP ROLE IF EXISTS "{names["app"]}"',
            f'DROP ROLE IF EXISTS "{names["owner"]}"',
        ):
            subprocess.run([*psql, "-d", "postgres", "-c", statement], check=False,
                           capture_output=True)  # fmt: skip


def test_the_app_role_runs_a_campaign_and_cannot_rewrite_a_timeline(deployed: dict) -> None:  # type: ignore[type-arg]
    from mohlat.errors import DatabaseError
    from mohlat.services.verify import verify_timelines
    from mohlat.store import Database

    init = CliRunner().invoke(
        app, ["init"], env={"MOHLAT_DB": deployed["owner_url"], "MOHLAT_PASSWORD": "first-admin-1"}
    )
    assert init.exit_code == 0, init.output
    deployed["psql"]("-d", deployed["db"], "-v", f"app={deployed['app']}",
                     "-f", str(DEPLOY / "postgres-timeline.sql"))  # fmt: skip
    db = Database(deployed["app_url"])
    try:
        world = World(db).setup()
        world.act("declare", world.case_ids[0], tehran(1400, 1, 20, 10))
        world.sweep(tehran(1400, 2, 6, 0, 5))
        assert verify_timelines(db, actor=World.admin).ok
        with pytest.raises(DatabaseError, match="permission denied"), db.transaction() as tx:
            tx.connection().exec_driver_sql("UPDATE events SET actor = 'someone else'")
        with pytest.raises(DatabaseError, match="permission denied"), db.transaction() as tx:
            tx.connection().exec_driver_sql("CREATE TABLE elsewhere (x int)")
    finally:
        db.dispose()
