"""Shared set-up for the benchmarks: a fresh database, N offices, the article's campaign.

Not a benchmark itself: ``bench_sweep.py`` and ``bench_publish.py`` import it.
"""

from __future__ import annotations

import shutil
import sqlite3
import sys
import time
import uuid
from datetime import timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from sqlalchemy import and_, create_engine, select, text, update  # noqa: E402
from sqlalchemy.engine import make_url  # noqa: E402
from sqlmodel import SQLModel  # noqa: E402

from mohlat.calendars import jalali_date, start_of_day  # noqa: E402
from mohlat.identity import make_national_id  # noqa: E402
from mohlat.scoring import score_case  # noqa: E402
from mohlat.services.access import Actor  # noqa: E402
from mohlat.services.campaigns import create_campaign  # noqa: E402
from mohlat.services.offices import import_offices, office_rows  # noqa: E402
from mohlat.services.rules import rubric_of  # noqa: E402
from mohlat.store import Database  # noqa: E402
from mohlat.store import queries as q  # noqa: E402
from mohlat.store.models import Case, CaseDetail, table_of  # noqa: E402
from mohlat.workflow.definition import Role  # noqa: E402

ADMIN = Actor("admin", Role.ADMIN)
CASES = Case.__table__  # type: ignore[attr-defined]
DETAILS = table_of(CaseDetail)

#: declarations as the rubric stores them (validated form), of different totals
VARIANTS = [
    {
        "office_space": 20 + 15 * k,
        "staff_count": 1 + k % 8,
        "location": ("city_centre", "city", "suburb", "rural")[k % 4],
        "holder_years": 2 * k,
        "opening_hours": 30 + 3 * k,
        "services_offered": 10 + 7 * k,
    }
    for k in range(9)
]


def tehran(y: int, m: int, d: int, hh: int = 0, mm: int = 0) -> Any:
    """The instant of a Tehran wall time on a Jalali date (aware UTC)."""
    return start_of_day(jalali_date(y, m, d)) + timedelta(hours=hh, minutes=mm)


def fresh_database(url: str | None, tmp: Path) -> Database:
    """An empty mohlat database: SQLite in ``tmp``, or the tables of ``url`` dropped and made."""
    if not url:
        db = Database(f"sqlite:///{tmp / 'bench.db'}")
        db.create_schema()
        return db
    db = Database(url)
    SQLModel.metadata.drop_all(db.engine)
    with db.engine.begin() as conn:  # so that create_schema migrates from scratch
        conn.exec_driver_sql("DROP TABLE IF EXISTS alembic_version")
    db.create_schema()
    return db


def timed(figures: dict[str, float], name: str, fn: Any, *args: Any, **kw: Any) -> Any:
    """Call ``fn`` and record its wall time under ``name``."""
    t0 = time.perf_counter()
    result = fn(*args, **kw)
    figures[name] = time.perf_counter() - t0
    return result


def build(db: Database, cases: int, setup: dict[str, float]) -> Any:
    """Import ``cases`` offices through the real importer and create the article's campaign."""
    at = tehran(1400, 1, 10, 9)
    rows = []
    for i in range(1, cases + 1):
        region = (i - 1) % 9 + 1
        rows.append(
            {
                "code": f"P{i:06d}",
                "name": f"Office {i}",
                "kind": "pishkhan",
                "region": region,
                "province": f"province-{region}-{(i // 9) % 3 + 1}",
                "national_id": make_national_id(f"{100000000 + i * 37:09d}"),
                "holder_name": "",
            }
        )
    csv_text = office_rows(rows)
    timed(setup, "import offices", import_offices, db, actor=ADMIN, text=csv_text, now=at)
    campaign = timed(
        setup,
        "create campaign (opens cases)",
        create_campaign,
        db,
        actor=ADMIN,
        now=at,
        code="1400-2",
        title="bench",
        first_day="1400/01/17",
        last_day="1400/02/05",
    )
    return campaign


def declare_most(db: Database, campaign_id: int, setup: dict[str, float]) -> None:
    """Make 90% of the cases declared (ids not divisible by 10).

    SET-UP SHORTCUT, not the product path: a direct Core UPDATE of ``declared_at``,
    ``declaration`` and the score ``declare`` works out (total, grade, breakdown, by
    the product's own :func:`score_of`; no ``declare`` events are written), so the
    set-up takes seconds instead of 90,000 single-case actions. The sweep measured
    afterwards is the real one.
    """
    t0 = time.perf_counter()
    c = CASES.c
    with db.transaction() as tx:
        rubric = rubric_of(q.campaign_by_id(tx, campaign_id=campaign_id))  # type: ignore[arg-type]
        for k, declaration in enumerate(VARIANTS, start=1):
            mine = and_(c.campaign_id == campaign_id, c.id % 10 == k)
            tx.execute(update(CASES).where(mine).values(declared_at=tehran(1400, 1, 17 + k, 10, k)))
            write_score(tx, mine, score_of(rubric, declaration), declaration=declaration)
    setup["declare 90% (Core UPDATE)"] = time.perf_counter() - t0


def write_score(
    tx: Any, where: Any, score: dict[str, Any], declaration: dict[str, Any] | None = None
) -> None:
    """SET-UP SHORTCUT: write ``score`` (from :func:`score_of`) on the cases ``where``
    selects, as the product keeps it: totals on the case, the breakdown (and the
    declaration) in ``case_details``."""
    tx.execute(update(CASES).where(where).values(total=score["total"], grade=score["grade"]))
    detail = {"breakdown": score["breakdown"]}
    if declaration is not None:
        detail["declaration"] = declaration
    tx.execute(
        update(DETAILS)
        .where(DETAILS.c.case_id.in_(select(CASES.c.id).where(where)))
        .values(**detail)
    )


def score_of(
    rubric: Any,
    declaration: dict[str, Any],
    association_score: float | None = None,
    violations: dict[str, int] | None = None,
) -> dict[str, Any]:
    """The score columns the product writes for these inputs (total, grade, breakdown)."""
    score = score_case(
        rubric, declaration, association_score=association_score, violations=violations or {}
    )
    return {"total": score.total, "grade": score.grade, "breakdown": score.to_json()}


def analyze(db: Database, setup: dict[str, float]) -> None:
    """On PostgreSQL, ANALYZE after the bulk load (autovacuum would soon do it anyway)."""
    if db.dialect == "postgresql":
        t0 = time.perf_counter()
        with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.execute(text("ANALYZE"))
        setup["ANALYZE (PostgreSQL)"] = time.perf_counter() - t0


def copy_database(db: Database, tmp: Path) -> Database:
    """A copy of the database as it is now: the SQLite file (WAL checkpointed first), or
    a PostgreSQL database made with ``CREATE DATABASE … TEMPLATE``."""
    if db.dialect == "sqlite":
        db.dispose()
        source = Path(make_url(db.url).database or "")
        raw = sqlite3.connect(source)  # outside SQLAlchemy: its "begin" hook would lock
        raw.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        raw.close()
        target = tmp / f"copy-{uuid.uuid4().hex[:8]}.db"
        shutil.copyfile(source, target)
        return Database(f"sqlite:///{target}")
    url = make_url(db.url)
    name = f"{url.database}_copy_{uuid.uuid4().hex[:8]}"
    db.dispose()
    admin = create_engine(url.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}" TEMPLATE "{url.database}"'))
    admin.dispose()
    return Database(url.set(database=name).render_as_string(hide_password=False))


def drop_copy(copy: Database) -> None:
    """Remove a copy made by :func:`copy_database` (the SQLite file goes with the temp dir)."""
    copy.dispose()
    if copy.dialect == "postgresql":
        url = make_url(copy.url)
        admin = create_engine(url.set(database="postgres"), isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE "{url.database}"'))
        admin.dispose()


def print_table(title: str, rows: list[tuple[str, Any]]) -> None:
    """A two-column table of figures."""
    print(f"\n{title}")
    width = max(len(r[0]) for r in rows)
    for name, value in rows:
        shown = (
            f"{value:,.3f}"
            if isinstance(value, float)
            else (f"{value:,}" if isinstance(value, int) else str(value))
        )
        print(f"  {name:<{width}}  {shown:>14}")
