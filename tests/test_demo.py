"""``mohlat demo``: a whole campaign of 20 offices, as a user runs it and reads it."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import pytest
from typer.testing import CliRunner

from mohlat.cli import app
from mohlat.services.access import Actor
from mohlat.services.verify import verify_timelines
from mohlat.store import Database
from mohlat.store import queries as q
from mohlat.workflow.definition import Role


@dataclass(frozen=True)
class Run:
    path: Path
    exit_code: int
    #: what the demo printed, with Rich's line wrapping undone
    text: str


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Run:
    path = tmp_path_factory.mktemp("demo") / "demo.db"
    result = CliRunner().invoke(app, ["demo", "--offices", "20", "--db", str(path)])
    return Run(path, result.exit_code, " ".join(result.output.split()))


def test_the_demo_says_its_clock_is_simulated_and_what_campaign_it_runs(demo: Run) -> None:
    assert demo.exit_code == 0, demo.text
    assert f"database {demo.path} · 20 offices · seed 1400" in demo.text
    assert "simulated clock" in demo.text
    assert (
        "campaign 1400-2: declarations 1400/01/17 00:00:00 → 1400/02/05 23:59:59, "
        "review until 1400/02/15 23:59:59 (Tehran time)"
    ) in demo.text


def test_the_demo_shows_the_scheduler_moving_cases_and_publishing(demo: Run) -> None:
    assert "what the scheduler did" in demo.text
    assert "1400/02/06 00:05 sweep:" in demo.text and "close_window → lapsed" in demo.text
    assert "ranks of 1400-2 published" in demo.text
    # the scheduler is down 23-26 Ordibehesht: the appeal windows it missed close after
    assert "1400/02/27 00:05 sweep:" in demo.text and "close_appeal → final" in demo.text


def test_the_demo_shows_late_actions_refused_at_the_exact_second(demo: Run) -> None:
    assert "declare at 23:59:59 of the last day: 1 done" in demo.text
    late = re.search(
        r"declare at 00:00:00 the day after the window: 0 done, (\d+) refused", demo.text
    )
    assert late is not None and int(late.group(1)) > 0
    assert "'declare' refused: the declaration deadline passed at 1400/02/05 23:59:59" in demo.text


def test_the_demo_ends_with_every_case_decided_ranked_and_a_timeline(demo: Run) -> None:
    # the per-region table's last row: nothing left open, all 20 cases final or lapsed
    totals = re.search(r"all 0 0 0 0 0 (\d+) (\d+) 20", demo.text)
    assert totals is not None and int(totals.group(1)) + int(totals.group(2)) == 20
    assert "top of the national ranking" in demo.text
    assert re.search(r"│ 1 │ [PR]\d{6} │", demo.text)
    assert "its whole timeline" in demo.text and "open · → declaring by admin" in demo.text
    assert (
        f"explore it: export MOHLAT_DB={demo.path} MOHLAT_USER=admin "
        "MOHLAT_PASSWORD=demo-admin-pass; mohlat ranking --limit 5"
    ) in demo.text


def test_the_demo_database_is_one_a_user_can_explore_and_verify(demo: Run) -> None:
    db = Database(f"sqlite:///{demo.path}")
    try:
        with db.transaction() as tx:
            campaign = q.campaign_by_code(tx, code="1400-2")
            assert campaign is not None and campaign.id is not None
            assert campaign.published_at is not None
            states = {state for _id, state, *_ in q.case_states(tx, campaign_id=campaign.id)}
        assert states <= {"final", "lapsed"}
        report = verify_timelines(db, actor=Actor("admin", Role.ADMIN))
        assert (report.ok, report.cases_checked) == (True, 20)
    finally:
        db.dispose()
