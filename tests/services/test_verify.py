"""`verify_timelines` names the first broken event of every case tampered with in the database.

Each test plays a short campaign, then edits the ``events`` or ``cases`` table directly
with SQL (as someone with database access would, bypassing the product) and checks
what the verification reports. The SQL is portable: it runs on SQLite and PostgreSQL.
"""

from __future__ import annotations

import json
from dataclasses import replace
from typing import Any

import pytest
from sqlalchemy import text
from support import World, tehran

from mohlat.errors import CampaignNotFound, PermissionDenied
from mohlat.services import verify
from mohlat.services.campaigns import create_campaign
from mohlat.services.verify import BrokenChain, VerifyReport, verify_timelines
from mohlat.workflow.timeline import NewEvent, event_hash

LINK = "its link to the previous event does not match"
CONTENT = "its content does not match its hash"

#: events per case after `_play`: case 1 appealed and was decided, 2–3 approved,
#: 4–7 ranked on the data they had, 8–9 never declared
EVENTS = [7, 6, 6, 5, 5, 5, 5, 2, 2]


def _play(world: World) -> World:
    cases = world.case_ids
    for case in cases[:7]:
        world.act("declare", case, tehran(1400, 1, 20, 10))
    world.sweep(tehran(1400, 2, 6, 0, 5))
    for case in cases[:3]:
        world.act("approve", case, tehran(1400, 2, 10, 12))
    world.sweep(tehran(1400, 2, 16, 0, 5))
    world.act("appeal", cases[0], tehran(1400, 2, 17, 10))
    world.act("decide", cases[0], tehran(1400, 2, 20, 10))
    world.sweep(tehran(1400, 3, 30))
    return world


@pytest.fixture
def played(world: World) -> World:
    return _play(world)


def _sql(world: World, *statements: str, **params: Any) -> None:
    """Run statements straight on the database, in one transaction."""
    with world.db.engine.begin() as conn:
        for statement in statements:
            conn.execute(text(statement), params)


def _event(world: World, case: int, seq: int) -> NewEvent:
    """Event ``seq`` of ``case`` as stored, as a NewEvent."""
    (found,) = [e for e in world.chain(case) if e.seq == seq]
    return found


def _forge(world: World, case: int, *, seq: int, like: int, prev_hash: str) -> None:
    """Insert event ``seq`` into ``case``: a copy of event ``like`` by another actor, with a
    hash correctly computed on ``prev_hash``."""
    forged = replace(_event(world, case, like), seq=seq, actor="forger", prev_hash=prev_hash)
    _sql(
        world,
        "INSERT INTO events (case_id, campaign_id, seq, action, from_state, to_state,"
        " logical_at, recorded_at, actor, payload, prev_hash, hash)"
        " SELECT case_id, campaign_id, :seq, action, from_state, to_state, logical_at,"
        " recorded_at, :actor, payload, :prev, :hash FROM events"
        " WHERE case_id = :case AND seq = :like",
        case=case, seq=seq, like=like, actor="forger", prev=prev_hash,
        hash=event_hash(prev_hash, forged.content()),
    )  # fmt: skip


def _broken(world: World) -> list[tuple[int, int, str]]:
    report = verify_timelines(world.db, actor=world.admin)
    assert report.cases_checked == 9
    return [(b.case_id, b.seq, b.why) for b in report.broken]


def test_an_untouched_database_verifies_with_its_counts(played: World) -> None:
    report = verify_timelines(played.db, actor=played.admin)
    assert report == VerifyReport(cases_checked=9, events_checked=sum(EVENTS), broken=[])
    assert report.ok
    assert [len(played.events(case)) for case in played.case_ids] == EVENTS
    assert verify_timelines(played.db, actor=played.admin, campaign="1400-2") == report


@pytest.mark.parametrize(
    ("column", "value"),
    [
        ("actor", "'supervisor-9'"),
        ("action", "'approve'"),
        ("to_state", "'final'"),
        ("logical_at", "recorded_at"),  # the instant the deadline fell due, moved
        ("prev_hash", "hash"),
    ],
    ids=["actor", "action", "state", "time", "link"],
)
def test_an_edited_column_is_named_at_its_event(played: World, column: str, value: str) -> None:
    case = played.case_ids[0]
    _sql(
        played, f"UPDATE events SET {column} = {value} WHERE case_id = :case AND seq = 3", case=case
    )
    expected = LINK if column == "prev_hash" else CONTENT
    assert _broken(played) == [(case, 3, expected)]


def test_an_edited_payload_is_named_at_its_event(played: World) -> None:
    case = played.case_ids[0]
    declared = dict(_event(played, case, 2).payload)
    assert declared  # the declaration's before → after changes
    payload = json.dumps({**declared, "forged": "staff_count 4 → 40"})
    _sql(
        played,
        "UPDATE events SET payload = :payload WHERE case_id = :case AND seq = 2",
        payload=payload,
        case=case,
    )
    assert _broken(played) == [(case, 2, CONTENT)]


def test_an_edit_with_its_hash_recomputed_breaks_the_next_link(played: World) -> None:
    case = played.case_ids[0]
    edited = replace(_event(played, case, 3), actor="someone else")
    _sql(
        played,
        "UPDATE events SET actor = :actor, hash = :hash WHERE case_id = :case AND seq = 3",
        actor=edited.actor,
        hash=event_hash(edited.prev_hash, edited.content()),
        case=case,
    )
    assert _broken(played) == [(case, 4, LINK)]


def test_a_rehashed_edit_of_the_last_event_misses_the_case_head(played: World) -> None:
    case = played.case_ids[0]
    edited = replace(_event(played, case, 7), actor="someone else")
    _sql(
        played,
        "UPDATE events SET actor = :actor, hash = :hash WHERE case_id = :case AND seq = 7",
        actor=edited.actor,
        hash=event_hash(edited.prev_hash, edited.content()),
        case=case,
    )
    assert _broken(played) == [(case, 7, "the chain's last hash does not match the case's")]


@pytest.mark.parametrize("seq", [1, 4], ids=["first", "middle"])
def test_a_deleted_event_leaves_a_gap(played: World, seq: int) -> None:
    case = played.case_ids[0]
    _sql(played, "DELETE FROM events WHERE case_id = :case AND seq = :seq", case=case, seq=seq)
    assert _broken(played) == [(case, seq + 1, f"expected event #{seq} here, found #{seq + 1}")]


def test_a_deleted_last_event_is_missed_by_the_case(played: World) -> None:
    case = played.case_ids[0]
    _sql(played, "DELETE FROM events WHERE case_id = :case AND seq = 7", case=case)
    assert _broken(played) == [
        (case, 7, "the chain ends at event #6 but the case records 7 events")
    ]


def test_a_case_whose_events_are_all_deleted(played: World) -> None:
    case = played.case_ids[8]
    _sql(played, "DELETE FROM events WHERE case_id = :case", case=case)
    assert _broken(played) == [(case, 1, "the case records 2 events but none is stored")]


def test_a_forged_event_appended_with_a_valid_hash_is_beyond_the_case_head(
    played: World,
) -> None:
    case = played.case_ids[0]
    _forge(played, case, seq=8, like=7, prev_hash=_event(played, case, 7).hash)
    assert _broken(played) == [(case, 8, "the case records 7 events but the chain goes on to #8")]


def test_a_forged_event_inserted_with_a_valid_hash_breaks_its_successor(played: World) -> None:
    case = played.case_ids[0]
    # make room at #4 (in two steps: the unique (case_id, seq) is checked row by row)
    _sql(
        played,
        "UPDATE events SET seq = -seq - 1 WHERE case_id = :case AND seq >= 4",
        "UPDATE events SET seq = -seq WHERE case_id = :case AND seq < 0",
        case=case,
    )
    _forge(played, case, seq=4, like=5, prev_hash=_event(played, case, 3).hash)
    assert _broken(played) == [(case, 5, LINK)]


def test_an_edited_case_count_is_named(played: World) -> None:
    case = played.case_ids[1]
    _sql(played, "UPDATE cases SET event_count = 5 WHERE id = :case", case=case)
    assert _broken(played) == [(case, 6, "the case records 5 events but the chain goes on to #6")]


SWAP_SEQS = [
    "UPDATE events SET seq = -1 WHERE case_id = :case AND seq = 3",
    "UPDATE events SET seq = 3 WHERE case_id = :case AND seq = 4",
    "UPDATE events SET seq = 4 WHERE case_id = :case AND seq = -1",
]
SWAP_IDS = [
    "UPDATE events SET id = -id WHERE id = :a",
    "UPDATE events SET id = :a WHERE id = :b",
    "UPDATE events SET id = :b WHERE id = -:a",
]


@pytest.mark.parametrize("contents", [False, True], ids=["seqs-swapped", "contents-swapped"])
def test_two_swapped_events_are_named_at_the_first(played: World, contents: bool) -> None:
    case = played.case_ids[0]
    a, b = (e.id for e in played.events(case)[2:4])
    _sql(played, *SWAP_SEQS, *(SWAP_IDS if contents else []), case=case, a=a, b=b)
    after = played.events(case)[2:4]
    assert [e.action for e in after] == ["approve", "close_window"]
    assert [e.id for e in after] == ([a, b] if contents else [b, a])
    assert _broken(played) == [(case, 3, LINK)]


def test_one_broken_case_does_not_hide_another(played: World) -> None:
    first, second = played.case_ids[1], played.case_ids[5]
    _sql(played, "UPDATE events SET actor = 'x' WHERE case_id = :case AND seq = 2", case=first)
    _sql(played, "DELETE FROM events WHERE case_id = :case AND seq = 5", case=second)
    report = verify_timelines(played.db, actor=played.admin)
    assert not report.ok
    assert report.cases_checked == 9
    assert report.events_checked == sum(EVENTS) - 1
    office = {case: f"P{i:05d}" for i, case in enumerate(played.case_ids, start=1)}
    assert report.broken == [
        BrokenChain(first, office[first], 2, CONTENT),
        BrokenChain(
            second, office[second], 5, "the chain ends at event #4 but the case records 5 events"
        ),
    ]


def test_cases_across_pages_are_each_checked_once(
    played: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(verify, "_CASES_PER_PAGE", 2)
    ids = played.case_ids
    for case in (ids[1], ids[2], ids[8]):  # the last of a page, the first of the next, the end
        _sql(played, "UPDATE events SET actor = 'x' WHERE case_id = :case AND seq = 1", case=case)
    _sql(played, "DELETE FROM events WHERE case_id = :case", case=ids[3])
    report = verify_timelines(played.db, actor=played.admin)
    assert (report.cases_checked, report.events_checked) == (9, sum(EVENTS) - EVENTS[3])
    assert [(b.case_id, b.seq) for b in report.broken] == [
        (ids[1], 1),
        (ids[2], 1),
        (ids[3], 1),
        (ids[8], 1),
    ]


def test_one_campaign_or_every_campaign(played: World) -> None:
    other = create_campaign(
        played.db,
        actor=played.admin,
        now=tehran(1401, 1, 10, 9),
        code="1401-1",
        title="next",
        first_day="1401/01/17",
        last_day="1401/02/05",
    )
    case = played.case_ids[0]
    _sql(
        played,
        "UPDATE events SET campaign_id = :other WHERE case_id = :case AND seq = 5",
        other=other.id,
        case=case,
    )
    everything = verify_timelines(played.db, actor=played.admin)
    assert (everything.cases_checked, everything.events_checked) == (18, sum(EVENTS) + 9)
    why = f"it names campaign #{other.id}, its case is in #{played.campaign.id}"
    assert [(b.case_id, b.seq, b.why) for b in everything.broken] == [(case, 5, why)]
    assert verify_timelines(played.db, actor=played.admin, campaign="1400-2") == replace(
        everything, cases_checked=9, events_checked=sum(EVENTS)
    )
    assert verify_timelines(played.db, actor=played.admin, campaign="1401-1") == VerifyReport(
        cases_checked=9, events_checked=9, broken=[]
    )


def test_unreadable_values_are_reported_not_raised(played: World) -> None:
    if played.db.dialect != "sqlite":
        pytest.skip("only SQLite stores text that its column type cannot read back")
    case = played.case_ids[0]
    _sql(
        played,
        "UPDATE events SET payload = '{not json' WHERE case_id = :case AND seq = 2",
        "UPDATE events SET logical_at = 'yesterday' WHERE case_id = :case AND seq = 1",
        case=case,
    )
    assert _broken(played) == [(case, 1, CONTENT)]
    _sql(
        played,
        "UPDATE events SET logical_at = recorded_at WHERE case_id = :case AND seq = 1",
        case=case,
    )
    assert _broken(played) == [(case, 2, CONTENT)]


def test_an_unknown_campaign_is_not_found(played: World) -> None:
    with pytest.raises(CampaignNotFound, match="'1399-9'"):
        verify_timelines(played.db, actor=played.admin, campaign="1399-9")


def test_a_supervisor_may_not_verify(played: World) -> None:
    with pytest.raises(PermissionDenied, match=r"may not 'timeline\.verify'"):
        verify_timelines(played.db, actor=played.supervisor(1))
