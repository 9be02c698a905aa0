"""Importing offices from CSV: every bad row reported, nothing half-written, never a
traceback, whatever the file holds."""

from __future__ import annotations

import string

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from support import World, tehran

from mohlat.errors import InvalidInput
from mohlat.identity import make_national_id
from mohlat.services.offices import import_offices, office_rows
from mohlat.store import Database
from mohlat.store import queries as q

HEADER = "code,name,kind,region,province,national_id\n"


def _offices(db: Database) -> list[str]:
    with db.transaction() as tx:
        return [o.code for o in q.list_offices(tx, region=None, limit=None)]


def test_one_bad_row_imports_nothing_and_each_bad_row_is_named(db: Database) -> None:
    good = f"P1,One,pishkhan,1,Tehran,{make_national_id('001111112')}\n"
    text = HEADER + good + "P2,Two,kiosk,1,Tehran,0000000000\n,Three,rural_ict,10,,12\n"
    try:
        import_offices(db, actor=World.admin, text=text, now=tehran(1400, 1, 10))
    except InvalidInput as refused:
        message = str(refused)
    else:  # pragma: no cover - the import must refuse
        raise AssertionError("a bad file was imported")
    for expected in (
        "line 3, kind",
        "line 3, national_id",
        "line 4, code",
        "line 4, region",
        "line 4, province",
        "line 4, national_id",
        "nothing was imported",
    ):
        assert expected in message
    assert _offices(db) == []


def test_skip_invalid_imports_the_good_rows_and_reports_the_rest(db: Database) -> None:
    good = f"P1,One,pishkhan,1,Tehran,{make_national_id('001111112')}\n"
    report = import_offices(
        db,
        actor=World.admin,
        text=HEADER + good + "P2,Two,kiosk,1,T,1\n",
        now=tehran(1400, 1, 10),
        skip_invalid=True,
    )
    assert report.offices == 1
    assert [str(e).split(":")[0] for e in report.skipped] == ["line 3, kind", "line 3, national_id"]
    assert _offices(db) == ["P1"]


def test_a_repeated_code_or_national_id_is_a_bad_row(db: Database) -> None:
    nid = make_national_id("001111112")
    rows = [
        {
            "code": "P1",
            "name": "a",
            "kind": "pishkhan",
            "region": 1,
            "province": "x",
            "national_id": nid,
            "holder_name": "",
        },
        {
            "code": "P1",
            "name": "b",
            "kind": "pishkhan",
            "region": 2,
            "province": "y",
            "national_id": nid,
            "holder_name": "",
        },
    ]
    try:
        import_offices(db, actor=World.admin, text=office_rows(rows), now=tehran(1400, 1, 10))
    except InvalidInput as refused:
        assert "repeats line 2" in str(refused)
    assert _offices(db) == []


cells = st.text(alphabet=string.printable + '۰۱۲۳۴۵۶۷۸۹٠١٢٣٤٥٦٧٨٩آبپ,"\n', max_size=14)


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(rows=st.lists(st.lists(cells, min_size=0, max_size=8), max_size=6))
def test_any_file_is_imported_whole_or_refused_cleanly(db: Database, rows: list[list[str]]) -> None:
    text = HEADER + "\n".join(",".join(cell for cell in row) for row in rows)
    before = _offices(db)
    try:
        report = import_offices(db, actor=World.admin, text=text, now=tehran(1400, 1, 10))
    except InvalidInput:
        assert _offices(db) == before  # nothing half-written
    else:
        assert len(_offices(db)) == len(before) + report.offices
