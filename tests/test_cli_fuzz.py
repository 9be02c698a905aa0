"""A bounded fuzz of the command line: hundreds of calls with the dates, digits,
numbers, names, CSV rows and database URLs people really mistype, and worse.

Every call must end in a clear answer: exit 0 (done), 1 (refused by a rule) or 2 (bad
input or configuration), never a traceback; and a call that did not succeed leaves the
database exactly as it was.
"""

from __future__ import annotations

import hashlib
import itertools
import shutil
import sqlite3
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from mohlat.cli import app
from mohlat.identity import make_national_id

runner = CliRunner()
ADMIN = {"MOHLAT_USER": "admin", "MOHLAT_PASSWORD": "admin-pass-1"}
_counter = itertools.count()

nasty = st.sampled_from(
    ["", " ", "\x00", "\u200f", "\u202e", "²", "١٢", "۱۲", "४२", "-1", "1" * 26, "9" * 19,
     "\udcff", "🙂", "'; DROP TABLE cases; --", "=cmd|' /C calc'!A0", "a" * 5000, "\n"]
)  # fmt: skip
numbers = st.one_of(
    st.integers(-(2**70), 2**70).map(str),
    st.integers(0, 400).map(str),
    st.integers(0, 99).map(lambda n: str(n).translate(str.maketrans("0123456789", "۰۱۲۳۴۵۶۷۸۹"))),
    nasty,
)
dates = st.one_of(
    st.builds(
        lambda y, m, d: f"{y}/{m:02d}/{d:02d}",
        st.integers(1290, 1510),
        st.integers(0, 13),
        st.integers(0, 32),
    ),
    st.sampled_from(
        [
            "2026-11-22",
            "1404/12/30",
            "1403/12/30",
            "۱۴۰۵/۰۹/۲۰",
            "17 فروردین 1400",
            "1405-9-20",
            "20/09/1405",
            "tomorrow",
        ]
    ),
    nasty,
)
names = st.one_of(st.text(max_size=40), nasty)
spans = st.one_of(st.builds(lambda n, u: f"{n}{u}", numbers, st.sampled_from("dhmx")), nasty)
urls = st.sampled_from(
    ["foo://x", "postgres://u@h/d", "postgresql+psycopg://u:pw@127.0.0.1:1/x", "/etc/passwd",
     "/nonexistent/dir/x.db", "sqlite:///:memory:", "", "mysql://a@b/c"]
)  # fmt: skip


def _csv_rows(draw: Any) -> str:
    header = draw(st.sampled_from(
        ["code,name,kind,region,province,national_id",
         "code,name,kind,region,province,national_id,holder_name,extra", "code,name", ""]
    ))  # fmt: skip
    rows = draw(
        st.lists(
            st.builds(
                lambda c, n, k, r, p, i: ",".join([c, n, k, r, p, i]),
                names,
                names,
                st.sampled_from(["pishkhan", "rural_ict", "bank", ""]),
                numbers,
                names,
                st.one_of(st.just(make_national_id("123456789")), numbers),
            ),
            max_size=4,
        )
    )
    return "\n".join([header, *rows]) + "\n"


@st.composite
def calls(draw: Any) -> tuple[list[str], str | None]:
    """A command line, and the CSV text to put in the file it names (if any)."""
    kind = draw(st.integers(0, 12))
    csv_text = None
    if kind == 0:
        args = ["campaign", "create", draw(names), "--first-day", draw(dates),
                "--last-day", draw(dates), "--title", draw(names)]  # fmt: skip
    elif kind == 1:
        where = draw(
            st.sampled_from([["--province", draw(names)], ["--region", draw(numbers)], []])
        )
        args = ["holiday", "add", draw(dates), "--reason", draw(names), *where]
    elif kind == 2:
        args = ["holiday", "list", "--year", draw(numbers)]
    elif kind == 3:
        args = ["case", "show", draw(st.one_of(numbers, names))]
    elif kind == 4:
        args = ["case", "list", "--limit", draw(numbers), "--region", draw(numbers)]
    elif kind == 5:
        args = ["due", "--within", draw(spans)]
    elif kind == 6:
        args = ["user", "add", draw(names), "--role", draw(st.sampled_from(
            ["supervisor", "admin", "office", "root"])), "--region", draw(numbers)]  # fmt: skip
    elif kind == 7:
        args = ["deadline", "extend", draw(st.one_of(numbers, names)), "--days", draw(numbers),
                "--reason", draw(names)]  # fmt: skip
    elif kind == 8:
        csv_text = _csv_rows(draw)
        args = ["office", "import", "OFFICES.csv"]
    elif kind == 9:
        args = ["--db", draw(urls), "campaign", "list"]
    elif kind == 10:
        args = ["review", draw(numbers), "--association", draw(numbers),
                "--violation", f"{draw(names)}={draw(numbers)}"]  # fmt: skip
    elif kind == 11:
        args = ["policy", "set", "--lock-minutes", draw(numbers)]
    else:
        args = ["deadline", "extend", "--window", draw(st.sampled_from(["review", "x"])),
                "--to", draw(dates), "--reason", draw(names)]  # fmt: skip
    return args, csv_text


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A database with an admin, two offices and a campaign, made by the CLI itself."""
    folder = tmp_path_factory.mktemp("fuzz")
    path = folder / "template.db"
    env = {"MOHLAT_DB": str(path)}
    assert (
        runner.invoke(app, ["init"], env={**env, "MOHLAT_PASSWORD": "admin-pass-1"}).exit_code == 0
    )
    offices = folder / "offices.csv"
    offices.write_text(
        "code,name,kind,region,province,national_id\n"
        f"P00001,Office one,pishkhan,1,Tehran,{make_national_id('001234567')}\n"
        f"R00002,Office two,rural_ict,2,Isfahan,{make_national_id('002345678')}\n",
        encoding="utf-8",
    )
    assert (
        runner.invoke(app, ["office", "import", str(offices)], env={**env, **ADMIN}).exit_code == 0
    )
    made = runner.invoke(
        app,
        ["campaign", "create", "1405-9", "--first-day", "1405/09/01", "--last-day", "1405/12/20"],
        env={**env, **ADMIN},
    )
    assert made.exit_code == 0, made.output
    return path


def _digest(path: Path) -> str:
    connection = sqlite3.connect(path)
    try:
        return hashlib.sha256("\n".join(connection.iterdump()).encode()).hexdigest()
    finally:
        connection.close()


@settings(
    max_examples=300,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(call=calls())
def test_no_call_ends_in_a_traceback_or_a_half_write(
    template: Path, tmp_path: Path, call: tuple[list[str], str | None]
) -> None:
    args, csv_text = call
    db = tmp_path / f"fuzz-{next(_counter)}.db"
    shutil.copyfile(template, db)
    if csv_text is not None:
        csv_file = tmp_path / "offices.csv"
        csv_file.write_text(csv_text, encoding="utf-8", errors="surrogateescape")
        args = [str(csv_file) if a == "OFFICES.csv" else a for a in args]
    before = _digest(db)
    env = {"MOHLAT_DB": str(db), **ADMIN, "MOHLAT_NEW_PASSWORD": "a-new-pass-123"}
    result = runner.invoke(app, args, env=env)
    shown = f"{args!r} -> {result.exit_code}: {result.output[-500:]}"
    assert result.exit_code in (0, 1, 2), shown
    assert result.exception is None or isinstance(result.exception, SystemExit), (
        shown,
        repr(result.exception),
    )
    assert "Traceback" not in result.output, shown
    if result.exit_code != 0:
        assert _digest(db) == before, shown
