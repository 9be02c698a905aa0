"""The sweep's edges: a deadline gone stale, and another scheduler sweeping already."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from sqlalchemy import insert, text
from support import World, tehran

from mohlat import scheduler
from mohlat.clock import SimulatedClock
from mohlat.store.locks import SWEEP_LOCK_KEY
from mohlat.store.models import Deadline, table_of


@pytest.fixture
def in_review(world: World) -> World:
    """Every office declared; the window closed on 5 Ordibehesht: all in regional review."""
    for case in world.case_ids:
        world.act("declare", case, tehran(1400, 1, 20, 10))
    world.sweep(tehran(1400, 2, 6, 0, 5))
    return world


def test_a_deadline_for_a_state_the_case_left_is_closed_as_stale_with_a_warning(
    in_review: World, caplog: pytest.LogCaptureFixture
) -> None:
    # a correction deadline left pending for a case in review (the product never
    # leaves one: a damaged database, or an older version's bug)
    case = in_review.case_ids[0]
    with in_review.db.transaction() as tx:
        tx.execute(
            insert(table_of(Deadline)).values(
                campaign_id=in_review.campaign.id,
                case_id=case,
                region=1,
                kind="correction",
                status="pending",
                due_at=tehran(1400, 2, 7, 23, 59, 59),
                opened_at=tehran(1400, 2, 6),
            )
        )
    events = len(in_review.events(case))
    review_due = in_review.deadlines(case, "pending")[0].due_at

    with caplog.at_level(logging.WARNING, logger="mohlat.services.moves"):
        report = in_review.sweep(tehran(1400, 2, 8, 0, 5))

    assert f"case {case}: stale deadline closed" in caplog.text
    assert "'lapse_correction' is not allowed in state 'regional_review'" in caplog.text
    assert report.total == 0  # no case moved, and the sweep finished
    (stale,) = in_review.deadlines(case, "stale")
    assert (stale.kind, stale.closed_at) == ("correction", tehran(1400, 2, 7, 23, 59, 59))
    assert in_review.state(case) == "regional_review"
    assert len(in_review.events(case)) == events
    assert [(d.kind, d.due_at) for d in in_review.deadlines(case, "pending")] == [
        ("review", review_due)
    ]
    # nothing is due any more: the next sweep does nothing
    assert in_review.sweep(tehran(1400, 2, 8, 0, 10)).batches == 0


@contextmanager
def another_scheduler_sweeping(world: World, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Another scheduler holds the sweep lock: on PostgreSQL for real (its advisory
    lock, from another connection); SQLite has no such lock, so it is refused there."""
    if world.db.dialect != "postgresql":
        with monkeypatch.context() as patched:
            patched.setattr("mohlat.services.sweep.lock_for_sweep", lambda _tx: False)
            yield
        return
    with world.db.engine.connect() as other:
        key = SWEEP_LOCK_KEY
        other.execute(text("SELECT pg_advisory_lock(:k)"), {"k": key})
        try:
            yield
        finally:
            other.execute(text("SELECT pg_advisory_unlock(:k)"), {"k": key})
            other.commit()


def test_a_sweep_while_another_scheduler_sweeps_is_skipped_and_writes_nothing(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    clock = SimulatedClock(tehran(1400, 2, 6, 0, 5))  # the declaration window closed
    with another_scheduler_sweeping(world, monkeypatch):
        report = scheduler.tick(world.db, clock=clock)
    assert report.skipped and report.total == 0
    assert scheduler.describe(report) == "sweep skipped: another scheduler holds the lock"
    assert {world.state(case) for case in world.case_ids} == {"declaring"}

    # the lock released, the next tick does what was due
    report = scheduler.tick(world.db, clock=clock)
    assert not report.skipped
    assert {world.state(case) for case in world.case_ids} == {"lapsed"}
    assert scheduler.describe(report).startswith("sweep: 9 event(s) in 1 batch(es)")


def test_a_sweep_reads_and_moves_chunk_cases_at_a_time_with_the_same_result(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    from mohlat.services import moves

    monkeypatch.setattr(moves, "CHUNK", 4)
    read: list[list[int]] = []
    load_situations = moves.load_situations

    def recording(tx: Any, ids: Any = None, **kw: Any) -> Any:
        read.append(sorted(ids))
        return load_situations(tx, ids, **kw)

    monkeypatch.setattr(moves, "load_situations", recording)
    for case in world.case_ids[:5]:
        world.act("declare", case, tehran(1400, 1, 20, 10))
    report = world.sweep(tehran(1400, 2, 6, 0, 5))
    ids = world.case_ids
    assert read == [ids[0:4], ids[4:8], ids[8:9]]
    assert report.moves == {
        ("close_window", "declaring", "regional_review"): 5,
        ("close_window", "declaring", "lapsed"): 4,
    }
    assert [world.state(case) for case in ids] == ["regional_review"] * 5 + ["lapsed"] * 4
