"""Benchmark: one sweep that closes the declaration window of a large campaign.

What is measured
    A fresh database gets N offices through the real importer and the article's
    campaign (declarations 1400/01/17..1400/02/05), which opens N cases. 90% of them
    are then marked declared by a set-up shortcut (a Core UPDATE, see
    ``_world.declare_most``). Timed: ONE ``mohlat.services.sweep.sweep`` at
    1400/02/06 00:05 Tehran, which fires ``close_window`` on every case (declared ->
    regional_review, others -> lapsed), writing one hash-chained event per case and
    closing/opening deadlines, in transactions of ``DEFAULT_BATCH`` cases.

    For scale, a raw SQL floor on a copy of the same pre-sweep data (SQLite file
    copied after a WAL checkpoint, or PostgreSQL ``CREATE DATABASE … TEMPLATE``):
    one UPDATE of the cases' state plus one INSERT … SELECT of as many events, in one
    transaction; and a second floor that also closes the declaration deadlines and
    opens the review deadlines. No Python per case, no hashes: a lower bound.

    Afterwards it checks that every case moved exactly once (close_window events ==
    cases) and that a second sweep right after does nothing.

How to run (from the repo root)
    python benchmarks/bench_sweep.py --cases 100000
    python benchmarks/bench_sweep.py --db postgresql+psycopg://postgres@127.0.0.1:5432/test
    python benchmarks/bench_sweep.py --cases 100000 --profile   # cProfile, top 25 cumulative
"""

from __future__ import annotations

import argparse
import cProfile
import json
import os
import pstats
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _world import (
    analyze,
    build,
    copy_database,
    declare_most,
    drop_copy,
    fresh_database,
    print_table,
    tehran,
)
from sqlalchemy import bindparam, func, select, text
from sqlmodel import col

from mohlat.services.sweep import DEFAULT_BATCH, sweep
from mohlat.store import Database
from mohlat.store.models import Case, Event
from mohlat.store.types import UTCDateTime

FAKE_HASH = "f" * 64


def floor(db: Database, campaign: Any, *, deadlines: bool) -> tuple[float, int]:
    """Seconds for the raw SQL equivalent of the window closing, in one transaction,
    and the number of events it inserted."""
    now, at, due = tehran(1400, 2, 6, 0, 5), campaign.closes_at, campaign.review_closes_at
    payload = "CAST(:payload AS JSON)" if db.dialect == "postgresql" else ":payload"
    types = [bindparam(k, type_=UTCDateTime()) for k in ("now", "at", "due")]
    statements = [
        "UPDATE cases SET state = CASE WHEN declared_at IS NOT NULL THEN 'regional_review' "
        "ELSE 'lapsed' END, version = version + 1, event_count = event_count + 1, "
        "last_hash = :h WHERE campaign_id = :c AND state = 'declaring'",
        "INSERT INTO events (case_id, campaign_id, seq, action, from_state, to_state, "
        "logical_at, recorded_at, actor, payload, prev_hash, hash) "
        "SELECT id, campaign_id, event_count, 'close_window', 'declaring', state, :at, :now, "
        f"'system', {payload}, :h, :h FROM cases WHERE campaign_id = :c",
    ]
    if deadlines:
        statements += [
            "UPDATE deadlines SET status = 'expired', closed_at = :now WHERE campaign_id = :c "
            "AND case_id IS NOT NULL AND kind = 'declaration' AND status = 'pending'",
            "INSERT INTO deadlines (campaign_id, case_id, region, kind, status, due_at, "
            "started_at, opened_at) SELECT campaign_id, id, region, 'review', 'pending', :due, "
            ":at, :at FROM cases WHERE campaign_id = :c AND state = 'regional_review'",
        ]
    payload_json = json.dumps({"review_due": due.isoformat()})
    params = {"c": campaign.id, "h": FAKE_HASH, "now": now, "at": at, "due": due}
    params["payload"] = payload_json
    counts = []
    t0 = time.perf_counter()
    with db.transaction() as tx:
        for sql in statements:
            stmt = text(sql).bindparams(*[b for b in types if f":{b.key}" in sql])
            counts.append(
                tx.connection()
                .execute(stmt, {k: v for k, v in params.items() if f":{k}" in sql})
                .rowcount
            )
    return time.perf_counter() - t0, counts[1]


#: what the CPU time of this process covers, by dialect
CPU_OF = {"sqlite": "Python + SQLite", "postgresql": "Python only, not the server"}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--cases", type=int, default=100_000, help="offices, hence cases")
    parser.add_argument("--db", default=None, help="database URL (default: a temp SQLite file)")
    parser.add_argument("--profile", action="store_true", help="cProfile the sweep: top 25")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="mohlat-bench-") as tmp_name:
        tmp = Path(tmp_name)
        setup: dict[str, float] = {}
        db = fresh_database(args.db, tmp)
        campaign = build(db, args.cases, setup)
        declare_most(db, campaign.id, setup)
        analyze(db, setup)
        t0 = time.perf_counter()
        copies = [copy_database(db, tmp), copy_database(db, tmp)]
        setup["copy the database (x2, for the floors)"] = time.perf_counter() - t0

        now = tehran(1400, 2, 6, 0, 5)
        profiler = cProfile.Profile() if args.profile else None
        load = os.getloadavg()[0]
        t0, cpu0 = time.perf_counter(), time.process_time()
        if profiler:
            profiler.enable()
        report = sweep(db, now=now)
        if profiler:
            profiler.disable()
        seconds, cpu = time.perf_counter() - t0, time.process_time() - cpu0

        with db.transaction() as tx:
            n_cases = tx.execute(
                select(func.count()).select_from(Case).where(col(Case.campaign_id) == campaign.id)
            ).scalar_one()
            closes = tx.execute(
                select(func.count()).select_from(Event).where(col(Event.action) == "close_window")
            ).scalar_one()
        again = sweep(db, now=now)

        floor_1, floor_events = floor(copies[0], campaign, deadlines=False)
        floor_2, _ = floor(copies[1], campaign, deadlines=True)
        for copy in copies:
            drop_copy(copy)

        by_dest = {dest: n for (_a, _f, dest), n in report.moves.items()}
        print(
            f"\nmohlat sweep benchmark: {db.dialect}, {args.cases:,} offices, "
            f"batch size {DEFAULT_BATCH}"
        )
        print_table(
            "set-up (not timed as the benchmark), seconds",
            [*setup.items(), ("total set-up", sum(setup.values()))],
        )
        print_table(
            "the sweep at 1400/02/06 00:05 (window closed)",
            [
                ("cases", n_cases),
                ("events written", report.total),
                ("transactions (batches)", report.batches),
                ("-> regional_review", by_dest.get("regional_review", 0)),
                ("-> lapsed", by_dest.get("lapsed", 0)),
                ("seconds" + (" (under cProfile)" if profiler else ""), seconds),
                ("transitions per second", report.total / seconds),
                (f"CPU seconds of this process ({CPU_OF[db.dialect]})", cpu),
                ("load average (1 min) when it started", load),
            ],
        )
        print_table(
            "raw SQL floor on a copy of the same data (one transaction)",
            [
                ("events inserted by each floor", floor_events),
                ("floor 1: UPDATE cases + INSERT…SELECT events, s", floor_1),
                ("floor 2: … + close/open deadlines, s", floor_2),
                ("sweep / floor 1", seconds / floor_1),
                ("sweep / floor 2", seconds / floor_2),
                ("floor 2 transitions per second", n_cases / floor_2),
            ],
        )
        print_table(
            "checks",
            [
                (
                    "close_window events == cases",
                    "yes" if closes == n_cases else f"NO ({closes:,} events, {n_cases:,} cases)",
                ),
                ("second sweep right after: events written", again.total),
                ("second sweep right after: batches", again.batches),
                (
                    "second sweep did nothing",
                    "yes" if again.total == 0 and again.batches == 0 else "NO",
                ),
            ],
        )
        db.dispose()
        if profiler:
            print("\ncProfile of the timed sweep, top 25 by cumulative time:")
            pstats.Stats(profiler, stream=sys.stdout).sort_stats("cumulative").print_stats(25)


if __name__ == "__main__":
    main()
