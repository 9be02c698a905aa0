"""The golden history: today's code must replay a checked-in campaign identically.

``tests/services/golden/history.json`` holds every event of a small campaign
(``tests/golden_history.py`` plays it on fixed instants): action, states, logical
and recorded instants, actor, payload and hash. Replaying it must give the same
events, byte for byte in what the hashes cover, so a drift in deadline arithmetic
(a due instant a microsecond off), in what an action writes on the timeline, or in
the canonical encoding and hashing fails here, as a workflow replayer would.

Regenerating (``python tests/golden_history.py``) is legitimate only for an intended
change to what the timeline records, named in the commit: a new or renamed payload
field, a new kind of event, a deliberate change of a deadline rule or of the golden
campaign itself. Never regenerate to make this test pass after an unintended change:
a changed due instant re-plans existing campaigns differently, and a changed
encoding or hash makes ``mohlat verify`` refuse every timeline already stored.
"""

from __future__ import annotations

import json

from golden_history import GOLDEN, as_text, history, play

from mohlat.store import Database


def _golden() -> list[dict[str, object]]:
    events: list[dict[str, object]] = json.loads(GOLDEN.read_text(encoding="utf-8"))
    return events


def test_the_golden_campaign_is_replayed_event_for_event(db: Database) -> None:
    replayed, golden = history(play(db)), _golden()
    assert [(e["office"], e["seq"], e["action"]) for e in replayed] == [
        (e["office"], e["seq"], e["action"]) for e in golden
    ]
    for got, want in zip(replayed, golden, strict=True):
        assert got == want, f"event {want['seq']} of {want['office']} ({want['action']})"


def test_the_golden_file_is_as_the_generator_writes_it() -> None:
    """Hand edits show: the file is exactly what the generator writes for its events."""
    golden = _golden()
    assert GOLDEN.read_text(encoding="utf-8") == as_text(golden)


def test_the_golden_history_covers_every_move_it_is_meant_to_guard() -> None:
    golden = _golden()
    assert {e["action"] for e in golden} == {
        "open",
        "declare",
        "close_window",
        "review",
        "refer",
        "correct",
        "lapse_correction",
        "approve",
        "publish",
        "close_review",
        "appeal",
        "decide",
        "close_appeal",
        "escalate",
    }
    by_case: dict[object, list[dict[str, object]]] = {}
    for event in golden:
        by_case.setdefault(event["case_id"], []).append(event)
    for events in by_case.values():  # each case's chain links up
        assert [e["prev_hash"] for e in events[1:]] == [e["hash"] for e in events[:-1]]
