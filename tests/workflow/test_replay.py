"""`replay_case` works a case's row out of its timeline; `first_wrong_field` names
the first field a stored row gets wrong."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime
from typing import Any

from mohlat.scoring import default_rubric
from mohlat.workflow.replay import first_wrong_field, replay_case
from mohlat.workflow.timeline import NewEvent

AT = datetime(2021, 4, 9, 5, 30, tzinfo=UTC)
DECLARED = {"office_space": 64, "staff_count": 4, "location": "city", "holder_years": 6}


def _event(seq: int, action: str, source: str, dest: str, **payload: Any) -> NewEvent:
    return NewEvent(1, 1, seq, action, source, dest, AT, AT, "someone", payload)


def _declared(open_payload: dict[str, Any]) -> list[NewEvent]:
    changes = {k: [None, v] for k, v in DECLARED.items()}
    return [
        _event(1, "open", "", "declaring", **open_payload),
        _event(2, "declare", "declaring", "regional_review", changes=changes, total=0),
    ]


def test_a_declared_case_is_worked_out_from_its_events() -> None:
    replayed = replay_case(
        _declared({"region": 3, "province": "Fars"}), rubric=default_rubric(), published_at=None
    )
    fields = replayed.fields
    assert (fields.state, fields.region, fields.province) == ("regional_review", 3, "Fars")
    assert fields.declaration == DECLARED
    assert fields.declared_at == AT
    assert fields.total is not None and fields.grade is not None
    assert (fields.final_total, fields.escalated, fields.positions) == (None, False, (None,) * 3)
    assert first_wrong_field(fields, replayed) is None
    moved = replace(fields, region=4)
    assert first_wrong_field(moved, replayed) == (
        "region",
        "region is 4 but its open event records 3",
    )


def test_an_older_timeline_without_the_region_does_not_check_it() -> None:
    replayed = replay_case(_declared({}), rubric=default_rubric(), published_at=None)
    assert replayed.unknown_place
    moved = replace(replayed.fields, region=4, province="Qom")
    assert first_wrong_field(moved, replayed) is None
    assert first_wrong_field(replace(moved, state="final"), replayed) == (
        "state",
        "state is 'final' but its timeline ends in 'regional_review'",
    )


def test_without_a_trusted_rubric_the_scores_are_not_checked() -> None:
    replayed = replay_case(_declared({}), rubric=None, published_at=None)
    assert replayed.unscored
    stored = replace(replayed.fields, total=99.0, grade="Z")
    assert first_wrong_field(stored, replayed) is None


def test_places_of_a_case_never_ranked_are_named() -> None:
    replayed = replay_case(_declared({}), rubric=default_rubric(), published_at=None)
    placed = replace(replayed.fields, positions=(3, 1, 1))
    assert first_wrong_field(placed, replayed) == (
        "positions",
        "positions are (3, 1, 1) but it was never ranked",
    )
