"""Benchmark: the sweep that closes the review window and publishes a campaign's ranks.

What is measured
    Set-up as in ``bench_sweep.py`` (N offices through the real importer, the
    article's campaign, 90% declared by a Core UPDATE shortcut), then the real sweep
    at 1400/02/06 00:05 closes the declaration window (timed, shown as set-up). Then a
    second set-up shortcut, NOT the product path: a Core UPDATE marks the cases under
    review as reviewed (``reviewed_at``, ``association_score``, a violation on some),
    leaving 5% of all cases unreviewed, without writing ``review``/``approve`` events.

    Timed: ONE ``sweep`` at 1400/02/16 00:05 Tehran. The review deadlines and the
    campaign's publication fall due at the same instant, so it first fires
    ``close_review`` on every case under review (each is scored and ranked, in
    batches), then publishes (``mohlat.services.moves.publish_in``, one transaction):
    ``publish`` on every ranked case (opens its appeal window), then the national,
    regional and provincial ranking of all of them and the write of the positions.
    Parts are timed by wrapping the functions from this script (no product change).

    Target from the issue: publish 100,000 cases in under 3 s on this machine.

How to run (from the repo root)
    python benchmarks/bench_publish.py --cases 100000
    python benchmarks/bench_publish.py --db postgresql+psycopg://postgres@127.0.0.1:5432/test
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _world import (  # noqa: E402
    CASES, analyze, build, declare_most, fresh_database, print_table, tehran, timed,
)
from sqlalchemy import and_, func, select, update  # noqa: E402

import mohlat.services.moves as moves  # noqa: E402
import mohlat.services.sweep as sweeping  # noqa: E402
from mohlat.store import Database  # noqa: E402
from mohlat.store import queries as q  # noqa: E402
from mohlat.store.models import Deadline, Event  # noqa: E402

TARGET_SECONDS = 3.0
PARTS: Counter[str] = Counter()
RESULT: dict[str, Any] = {}


ORDER = ["close_review batches (fire: score + write)", "publish_in (one transaction)",
         "  fire 'publish' (opens appeal windows)", "  read ranked entries",
         "  rank (national/regional/provincial)", "  write positions"]


def clocked(module: Any, name: str, part: str) -> None:
    """Replace ``module.name`` by a wrapper adding its wall time to ``PARTS[part]``."""
    original = getattr(module, name)

    def wrapper(*args: Any, **kw: Any) -> Any:
        t0 = time.perf_counter()
        try:
            result = original(*args, **kw)
        finally:
            PARTS[part] += time.perf_counter() - t0
        if name == "publish_in":
            RESULT.update(result)
        return result

    setattr(module, name, wrapper)


def mark_reviewed(db: Database, campaign_id: int, setup: dict[str, float]) -> None:
    """SET-UP SHORTCUT (Core UPDATE, no events): review every case under review but 5%."""
    t0 = time.perf_counter()
    c = CASES.c
    under_review = and_(c.campaign_id == campaign_id, c.state == "regional_review")
    with db.transaction() as tx:
        tx.execute(update(CASES).where(under_review, c.id % 20 != 1).values(
            reviewed_at=tehran(1400, 2, 10, 12), association_score=(c.id % 15) + 6))
        tx.execute(update(CASES).where(under_review, c.id % 20 != 1, c.id % 14 == 0)
                   .values(violations={"overcharging": 1}))
    setup["mark reviewed (Core UPDATE)"] = time.perf_counter() - t0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--cases", type=int, default=100_000, help="offices, hence cases")
    parser.add_argument("--db", default=None, help="database URL (default: a temp SQLite file)")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="mohlat-bench-") as tmp_name:
        setup: dict[str, float] = {}
        db = fresh_database(args.db, Path(tmp_name))
        campaign = build(db, args.cases, setup)
        declare_most(db, campaign.id, setup)
        analyze(db, setup)
        window = timed(setup, "sweep at window close (real)", sweeping.sweep, db,
                       now=tehran(1400, 2, 6, 0, 5))
        mark_reviewed(db, campaign.id, setup)
        analyze(db, setup)
        c = CASES.c
        with db.transaction() as tx:
            before = tx.execute(select(func.count(), func.count(c.reviewed_at)).where(
                c.campaign_id == campaign.id, c.state == "regional_review")).one()

        # sweep.fire is the close_review batches; moves.fire is publish_in's own firing
        for module, name, part in zip((sweeping, sweeping, moves, q, moves, q), (
                "fire", "publish_in", "fire", "ranked_entries", "rank", "set_positions"), ORDER):
            clocked(module, name, part)
        now = tehran(1400, 2, 16, 0, 5)
        load = os.getloadavg()[0]
        t0, cpu0 = time.perf_counter(), time.process_time()
        report = sweeping.sweep(db, now=now)
        seconds, cpu = time.perf_counter() - t0, time.process_time() - cpu0
        parts = {k: PARTS[k] for k in ORDER}
        again = sweeping.sweep(db, now=now)

        with db.transaction() as tx:
            states = dict(tx.execute(select(c.state, func.count()).where(
                c.campaign_id == campaign.id).group_by(c.state)).all())
            positioned = tx.execute(select(func.count()).where(
                c.campaign_id == campaign.id, c.position_national.is_not(None))).scalar_one()
            appeal_windows = tx.execute(select(func.count()).select_from(Deadline).where(
                Deadline.kind == "appeal", Deadline.status == "pending")).scalar_one()
            publish_events = tx.execute(select(func.count()).select_from(Event).where(
                Event.action == "publish")).scalar_one()
            published_at = q.campaign_by_id(tx, campaign_id=campaign.id).published_at

        by_action: Counter[str] = Counter()
        for (action, _f, _t), n in report.moves.items():
            by_action[action] += n
        print(f"\nmohlat publication benchmark: {db.dialect}, {args.cases:,} offices")
        print_table("set-up (not timed as the benchmark), seconds", [
            *setup.items(), ("window sweep: events written", window.total)])
        print_table("the sweep at 1400/02/16 00:05 (review window closed, ranks published)", [
            ("cases under review before it", before[0]),
            ("  of which reviewed (Core set-up)", before[1]),
            ("close_review events", by_action["close_review"]),
            ("publish events (in the database)", publish_events),
            ("events counted by SweepReport.total", report.total),
            ("transactions (batches)", report.batches),
            ("ranked cases (publish_in)", RESULT.get("ranked", 0)),
            ("positions assigned (publish_in)", RESULT.get("positions", 0)),
            ("SECONDS, whole sweep", seconds),
            *[(f"  {k}", v) for k, v in parts.items()],
            ("  rest (next_due, rules, commits…)", seconds - parts.get(
                "close_review batches (fire: score + write)", 0) - parts.get(
                "publish_in (one transaction)", 0)),
            ("CPU seconds of this process (Python + SQLite)", cpu),
            ("load average (1 min) when it started", load),
            (f"target {TARGET_SECONDS:.0f} s for the whole sweep", "met" if seconds
             < TARGET_SECONDS else f"NOT met (x{seconds / TARGET_SECONDS:.1f})"),
        ])
        print_table("checks", [
            ("campaign published at", str(published_at)),
            ("cases ranked / positioned / lapsed", f"{states.get('ranked', 0):,} / "
             f"{positioned:,} / {states.get('lapsed', 0):,}"),
            ("pending appeal windows", appeal_windows),
            ("every ranked case has a position", "yes" if positioned == states.get(
                "ranked", 0) else "NO"),
            ("second sweep right after: events, batches", f"{again.total}, {again.batches}"),
        ])
        db.dispose()


if __name__ == "__main__":
    main()
