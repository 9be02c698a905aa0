"""The CLI as the server's client: the same output as in process, a kept login."""

from __future__ import annotations

import json
import os
import stat
from pathlib import Path
from typing import Any

from served import PASSWORD, Site
from typer.testing import CliRunner

from mohlat.cli import app

runner = CliRunner()


def _run(args: list[str], env: dict[str, str], input: str = "") -> Any:
    return runner.invoke(app, args, env={"COLUMNS": "120", **env}, input=input)


def test_reads_give_the_same_output_through_the_server(site: Site, live_url: str) -> None:
    site.world.act("declare", 1, site.clock.now())
    direct = {"MOHLAT_DB": site.db.url}
    remote = {"MOHLAT_SERVER": live_url, "MOHLAT_DB": "/nonexistent/ignored.db"}
    who = {"MOHLAT_USER": "sup1", "MOHLAT_PASSWORD": PASSWORD}
    for args in (
        ["case", "list"],
        ["case", "list", "--json"],
        ["campaign", "show", "--json"],
        ["campaign", "list"],
        ["office", "list"],
        ["timeline", "1", "--json"],
        ["score", "explain", "1"],
    ):
        here = _run(args, {**direct, **who})
        there = _run(args, {**remote, **who})
        assert here.exit_code == 0, here.output
        assert there.output == here.output, args
        assert there.exit_code == here.exit_code


def test_refusals_give_the_same_message_and_exit_code(site: Site, live_url: str) -> None:
    direct = {"MOHLAT_DB": site.db.url}
    remote = {"MOHLAT_SERVER": live_url}
    for who, args in (
        ({"MOHLAT_USER": "sup2", "MOHLAT_PASSWORD": PASSWORD}, ["case", "show", "1"]),
        ({"MOHLAT_USER": "sup1", "MOHLAT_PASSWORD": "wrong"}, ["case", "list"]),
        ({"MOHLAT_USER": "sup1", "MOHLAT_PASSWORD": PASSWORD}, ["case", "list", "--state", "x"]),
        ({"MOHLAT_USER": "sup1", "MOHLAT_PASSWORD": PASSWORD}, ["user", "list"]),
    ):
        here = _run(args, {**direct, **who})
        there = _run(args, {**remote, **who})
        assert here.exit_code in (1, 2), here.output
        assert (there.exit_code, there.output) == (here.exit_code, here.output), args


def test_an_office_declares_through_the_server(site: Site, live_url: str) -> None:
    env = {"MOHLAT_SERVER": live_url, "MOHLAT_USER": site.office, "MOHLAT_PASSWORD": PASSWORD}
    fields = ["-f", "office_space=۶۴", "-f", "staff_count=4", "-f", "location=city",
              "-f", "holder_years=6"]  # fmt: skip
    result = _run(["declare", *fields], env)
    assert result.exit_code == 0, result.output
    assert "declare: case 1 (P00001) is now declaring" in result.output
    assert site.world.case(1).declared_at is not None


def test_login_keeps_a_private_session_that_later_commands_use(
    site: Site, live_url: str, tmp_path: Path
) -> None:
    env = {"XDG_CONFIG_HOME": str(tmp_path / "cfg")}
    result = _run(
        ["login", "--server", live_url, "--user", "admin", "--password-stdin"],
        env,
        input=PASSWORD + "\n",
    )
    assert result.exit_code == 0, result.output
    kept = tmp_path / "cfg" / "mohlat" / "login.json"
    assert stat.S_IMODE(os.stat(kept).st_mode) == 0o600
    assert json.loads(kept.read_text())["server"] == live_url
    listed = _run(["user", "list", "--json"], env)
    assert listed.exit_code == 0, listed.output
    assert "admin" in {a["username"] for a in json.loads(listed.output)}
    sessions = _run(["user", "sessions", "--json"], env)
    assert sessions.exit_code == 0, sessions.output
    assert [s["username"] for s in json.loads(sessions.output)] == ["admin"]
    out = _run(["logout"], env)
    assert out.exit_code == 0 and not kept.exists()
    after = _run(["user", "list"], env, input="")  # no login kept: asks, and gets nothing
    assert after.exit_code != 0


def test_an_unreachable_server_is_a_clear_error(tmp_path: Path) -> None:
    result = _run(["campaign", "list"], {"MOHLAT_SERVER": "http://127.0.0.1:9"})
    assert result.exit_code == 2
    assert "no answer from the server at 'http://127.0.0.1:9'" in result.output


def test_a_command_through_the_server_loads_no_database_layer(live_url: str) -> None:
    import subprocess
    import sys

    code = (
        "import sys; from mohlat.cli import main; sys.argv=['mohlat','campaign','list'];\n"
        "try: main()\nexcept SystemExit as e: assert e.code in (0, None), e.code\n"
        "loaded = [m for m in ('sqlalchemy', 'sqlmodel', 'mohlat.store') if m in sys.modules]\n"
        "assert not loaded, loaded"
    )
    env = {**os.environ, "MOHLAT_SERVER": live_url}
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env)
    assert done.returncode == 0, done.stderr
    assert "1400-2" in done.stdout
