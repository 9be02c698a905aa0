"""The golden campaign: a small campaign played on fixed instants, and its timelines.

:func:`play` runs the campaign through the services with an injected clock (every
instant is given); :func:`history` reads back every case's events (content and
hash) as plain JSON data. ``tests/services/golden/history.json`` is that history as
checked in; ``tests/services/test_golden_history.py`` replays the campaign and
compares. Regenerate it deliberately (see that test's docstring for when) with::

    python tests/golden_history.py

Six offices, one per region, on the article's dates (window 1400/01/17–02/05,
review 10 days, correction 5, appeal 7, appeal decision 10):

* P00001 declares, is reviewed (association score, a violation, a corrected
  field), approved, published, appeals disputing a field, and the region decides
  (a corrected field raises its total).
* P00002 declares twice, is referred, corrects (with a note in Persian), is
  approved, published, appeals, and the region misses its decision: escalated.
* P00003 is referred and never corrects: the correction lapses, its review clock
  resumes, and its own review runs out after publication: ranked late.
* P00004 is approved and published; nobody appeals: final.
* P00005 is never approved: its review runs out at publication.
* P00006 never declares: lapsed.

Extensions and closures are left out on purpose (how they are recorded is changing).
"""

from __future__ import annotations

import json
import sys
import tempfile
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

if __name__ == "__main__":  # run as a script: find `support` and `mohlat`
    sys.path[:0] = [str(Path(__file__).resolve().parent), str(Path(__file__).resolve().parents[1])]

from support import DECLARATION, World, tehran

from mohlat.store import Database

#: where the checked-in history lives
GOLDEN = Path(__file__).resolve().parent / "services" / "golden" / "history.json"


def play(db: Database) -> World:
    """Play the golden campaign on an empty database."""
    world = World(db).setup(offices=6)
    c1, c2, c3, c4, c5, _c6 = world.case_ids
    for case in (c1, c2, c3, c4, c5):
        world.act("declare", case, tehran(1400, 1, 20, 10, case))
    restated = {**DECLARATION, "staff_count": "2"}
    world.act("declare", c2, tehran(1400, 1, 22, 9, 30), fields=restated)
    world.sweep(tehran(1400, 2, 6, 0, 5))  # window closed: five to review, one lapsed
    world.act(
        "review",
        c1,
        tehran(1400, 2, 7, 10),
        fields={"staff_count": "5"},
        association_score="16",
        violations={"overcharging": "1"},
        text="insurance list checked",
    )
    world.act("refer", c2, tehran(1400, 2, 8, 10), text="staff count does not match")
    world.act("refer", c3, tehran(1400, 2, 8, 11), text="lease missing")
    world.act("approve", c1, tehran(1400, 2, 9, 9))
    world.act("approve", c4, tehran(1400, 2, 9, 9, 30))
    world.act(
        "correct",
        c2,
        tehran(1400, 2, 10, 12),
        fields={"staff_count": "3"},
        text="فهرست بیمه پیوست است",
    )
    world.act("approve", c2, tehran(1400, 2, 11, 9))
    world.sweep(tehran(1400, 2, 14, 0, 5))  # P00003's correction lapsed
    world.sweep(tehran(1400, 2, 16, 0, 5))  # the review window closed: ranks published
    world.act(
        "appeal",
        c1,
        tehran(1400, 2, 20, 10),
        text="the office area is 120 m², see the lease",
        disputes=("office_space",),
    )
    world.act("appeal", c2, tehran(1400, 2, 20, 11), text="we have 4 staff")
    world.sweep(tehran(1400, 2, 23, 0, 5))  # P00004/5's appeal windows closed; P00003 ranked
    world.act(
        "decide",
        c1,
        tehran(1400, 2, 25, 10),
        fields={"office_space": "120"},
        text="lease confirms 120 m²",
    )
    world.sweep(tehran(1400, 3, 5, 0, 5))  # P00002 escalated; P00003's appeal window closed
    return world


def _instant(value: datetime) -> str:
    return value.astimezone(UTC).isoformat()


def history(world: World) -> list[dict[str, Any]]:
    """Every event of the campaign, case by case in order, as plain JSON data."""
    found = []
    for case in world.case_ids:
        office = world.row(case).office.code
        for e in world.events(case):
            found.append(
                {
                    "office": office,
                    "case_id": e.case_id,
                    "seq": e.seq,
                    "action": e.action,
                    "from": e.from_state,
                    "to": e.to_state,
                    "logical_at": _instant(e.logical_at),
                    "recorded_at": _instant(e.recorded_at),
                    "actor": e.actor,
                    "payload": e.payload,
                    "prev_hash": e.prev_hash,
                    "hash": e.hash,
                }
            )
    return found


def as_text(events: list[dict[str, Any]]) -> str:
    """The history as the checked-in file holds it."""
    return json.dumps(events, ensure_ascii=False, indent=1, sort_keys=True) + "\n"


def main() -> None:
    """Play the campaign on a scratch SQLite database and write :data:`GOLDEN`."""
    from mohlat.identity import configure

    configure(time_cost=1, memory_cost=8, parallelism=1)
    with tempfile.TemporaryDirectory() as scratch:
        db = Database(f"sqlite:///{Path(scratch) / 'golden.db'}")
        db.create_schema()
        try:
            events = history(play(db))
        finally:
            db.dispose()
    GOLDEN.parent.mkdir(parents=True, exist_ok=True)
    GOLDEN.write_text(as_text(events), encoding="utf-8")
    print(f"wrote {len(events)} events to {GOLDEN}")


if __name__ == "__main__":
    main()
