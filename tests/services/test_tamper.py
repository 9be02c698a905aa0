"""Tampering with the database, as someone with write access would: `verify` names
the case (or campaign) and the event or field of every tamper a user could notice.

The golden campaign (tests/golden_history.py: a decision that re-sums, an
escalation, a late ranking, a lapse) is played, then each tamper edits the tables
directly with SQL through the engine, fixing every counter it can so that only
what the product cannot recompute is left to give it away.

Not detected, because they change nothing a user can see: a case's ``version`` (the
optimistic-lock counter; a stale ``--if-version`` is refused either way) and a rubric
edit that keeps its text's SHA-256 and its scores (impossible to build: covered by the
SHA-256 check). Without a heads file, a full chain rebuild with the public hash
function that also fixes the counters is not detected either (see
:mod:`mohlat.services.verify`); with one exported before, it is.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Any

import pytest
from golden_history import play
from sqlalchemy import text
from support import World, tehran

from mohlat.errors import InvalidInput
from mohlat.services.heads import chain_key, export_heads, load_heads
from mohlat.services.verify import VerifyReport, verify_timelines
from mohlat.store import Database
from mohlat.workflow.settings import CampaignSettings
from mohlat.workflow.timeline import GENESIS, event_hash

KEY = b"the server's own chain key, 32 b"


def _sql(world: World, *statements: str, **params: Any) -> None:
    """Run statements straight on the database, in one transaction."""
    with world.db.engine.begin() as conn:
        for statement in statements:
            conn.execute(text(statement), params)


def _scalar(world: World, statement: str, **params: Any) -> Any:
    with world.db.engine.begin() as conn:
        return conn.execute(text(statement), params).scalar_one()


@pytest.fixture
def golden(db: Database) -> World:
    return play(db)


@dataclass(frozen=True)
class Cases:
    """The golden campaign's cases by what happened to them."""

    decided: int  # P00001: appealed, the decision re-summed it (final)
    escalated: int  # P00002: appealed, the region missed its decision
    late: int  # P00003: ranked after publication (final)
    final: int  # P00004: published, nobody appealed (final)
    timed_out: int  # P00005: its review ran out at publication (final)
    lapsed: int  # P00006: never declared


def _cases(world: World) -> Cases:
    return Cases(*world.case_ids)


# --- the tampers: each edits the database and returns what verify must name --------

Found = list[tuple[str, object, object]]
Tamper = Callable[[World, Cases], Found]


def _fix_counts(world: World, case: int, removed: int) -> None:
    """Make the case's and its campaign's counters agree with the events left."""
    last = _scalar(
        world,
        "SELECT COALESCE(MAX(seq), 0) FROM events WHERE case_id = :case",
        case=case,
    )
    head = (
        _scalar(world, "SELECT hash FROM events WHERE case_id = :c AND seq = :s", c=case, s=last)
        if last
        else GENESIS
    )
    _sql(
        world,
        "UPDATE cases SET event_count = :n, last_hash = :head WHERE id = :case",
        "UPDATE campaigns SET event_count = event_count - :removed",
        n=last,
        head=head,
        case=case,
        removed=removed,
    )


def edit_payload(world: World, c: Cases) -> Found:
    _sql(
        world,
        "UPDATE events SET payload = :p WHERE case_id = :case AND seq = 2",
        p=json.dumps({"changes": {"staff_count": [None, 40]}}),
        case=c.final,
    )
    return [("chain", c.final, 2)]


def edit_actor(world: World, c: Cases) -> Found:
    _sql(world, "UPDATE events SET actor = 'x' WHERE case_id = :case AND seq = 3", case=c.late)
    return [("chain", c.late, 3)]


def edit_logical_time(world: World, c: Cases) -> Found:
    # the window's close, when the sweep lapsed it, moved to when the sweep ran
    _sql(
        world,
        "UPDATE events SET logical_at = recorded_at WHERE case_id = :case AND seq = 2",
        case=c.lapsed,
    )
    return [("chain", c.lapsed, 2)]


def delete_middle(world: World, c: Cases) -> Found:
    _sql(world, "DELETE FROM events WHERE case_id = :case AND seq = 3", case=c.decided)
    _sql(world, "UPDATE cases SET event_count = event_count - 1 WHERE id = :case", case=c.decided)
    _sql(world, "UPDATE campaigns SET event_count = event_count - 1")
    return [("chain", c.decided, 4)]


def delete_last(world: World, c: Cases) -> Found:
    # the decision goes, every counter is fixed: the chain holds, the state does not
    last = _scalar(world, "SELECT MAX(seq) FROM events WHERE case_id = :c", c=c.decided)
    _sql(world, "DELETE FROM events WHERE case_id = :c AND seq = :s", c=c.decided, s=last)
    _fix_counts(world, c.decided, 1)
    return [("field", c.decided, "state")]


def delete_all_of_a_case(world: World, c: Cases) -> Found:
    n = _scalar(world, "SELECT COUNT(*) FROM events WHERE case_id = :c", c=c.final)
    _sql(world, "DELETE FROM events WHERE case_id = :c", c=c.final)
    _fix_counts(world, c.final, n)
    return [("field", c.final, "state")]


def wipe_every_event(world: World, c: Cases) -> Found:
    # "✓ 6 cases, 0 events checked" before: every case counter zeroed
    _sql(world, "DELETE FROM events", "UPDATE cases SET event_count = 0, last_hash = :g", g=GENESIS)
    code = world.campaign.code
    return [("campaign", code, "event_count")] + [
        ("field", case, "state") for case in world.case_ids
    ]


def wipe_every_event_and_count(world: World, c: Cases) -> Found:
    _sql(
        world,
        "DELETE FROM events",
        "UPDATE cases SET event_count = 0, last_hash = :g",
        "UPDATE campaigns SET event_count = 0",
        g=GENESIS,
    )
    return [("field", case, "state") for case in world.case_ids]


def swap_two_events(world: World, c: Cases) -> Found:
    _sql(
        world,
        "UPDATE events SET seq = -1 WHERE case_id = :case AND seq = 3",
        "UPDATE events SET seq = 3 WHERE case_id = :case AND seq = 4",
        "UPDATE events SET seq = 4 WHERE case_id = :case AND seq = -1",
        case=c.decided,
    )
    return [("chain", c.decided, 3)]


def _set(column: str, value: str, case_of: Callable[[Cases], int], field: str) -> Tamper:
    def tamper(world: World, c: Cases) -> Found:
        case = case_of(c)
        _sql(world, f"UPDATE cases SET {column} = {value} WHERE id = :case", case=case)
        return [("field", case, field)]

    tamper.__name__ = f"set_{column}"
    return tamper


def edit_declaration(world: World, c: Cases) -> Found:
    declaration = world.row(c.final).declaration
    forged = json.dumps({**declaration, "staff_count": 40})
    _sql(world, "UPDATE case_details SET declaration = :d WHERE case_id = :c", d=forged, c=c.final)
    return [("field", c.final, "declaration")]


def edit_breakdown(world: World, c: Cases) -> Found:
    # the lines people read: a point more for the staff count, the total left alone
    stored = _scalar(world, "SELECT breakdown FROM case_details WHERE case_id = :c", c=c.timed_out)
    # SQLite gives the JSON text, PostgreSQL the decoded value
    breakdown = json.loads(stored) if isinstance(stored, str) else stored
    for line in breakdown["lines"]:
        if line["code"] == "staff_count":
            line["points"] += 1
    _sql(
        world,
        "UPDATE case_details SET breakdown = :b WHERE case_id = :c",
        b=json.dumps(breakdown),
        c=c.timed_out,
    )
    return [("field", c.timed_out, "breakdown")]


def edit_rubric_text(world: World, c: Cases) -> Found:
    _sql(world, "UPDATE campaigns SET rubric_text = rubric_text || ' '")
    return [("campaign", world.campaign.code, "rubric")]


def edit_rubric_and_its_sha(world: World, c: Cases) -> Found:
    # an office space band's points raised, the SHA-256 recomputed: the totals of the
    # cases declared with that space no longer follow
    rubric = _scalar(world, "SELECT rubric_text FROM campaigns")
    forged = rubric.replace("max = 99, points = 12", "max = 99, points = 14", 1)
    assert forged != rubric
    _sql(
        world,
        "UPDATE campaigns SET rubric_text = :t, rubric_sha256 = :h",
        t=forged,
        h=hashlib.sha256(forged.encode()).hexdigest(),
    )
    return [("field", case, "total") for case in world.case_ids[:5]]


def edit_campaign_count(world: World, c: Cases) -> Found:
    _sql(world, "UPDATE campaigns SET event_count = event_count + 1")
    return [("campaign", world.campaign.code, "event_count")]


def rebuild_chain(world: World, c: Cases) -> Found:
    """Edit an event's actor and rebuild the whole chain with the public hash function,
    the case's head fixed: nothing in the database gives it away."""
    chain = world.chain(c.final)
    prev = GENESIS
    for event in chain:
        if event.seq == 3:
            event = replace(event, actor="forger")
        digest = event_hash(prev, replace(event, prev_hash=prev).content())
        _sql(
            world,
            "UPDATE events SET actor = :a, prev_hash = :p, hash = :h"
            " WHERE case_id = :c AND seq = :s",
            a=event.actor, p=prev, h=digest, c=c.final, s=event.seq,
        )  # fmt: skip
        prev = digest
    _sql(world, "UPDATE cases SET last_hash = :h WHERE id = :c", h=prev, c=c.final)
    return [("chain", c.final, len(chain))]


def rewind_a_case(world: World, c: Cases) -> Found:
    """Cut the lapsed case's timeline back to its opening and its row back to
    declaring, every counter fixed: a consistent database, only the heads know."""
    _sql(world, "DELETE FROM events WHERE case_id = :c AND seq = 2", c=c.lapsed)
    _fix_counts(world, c.lapsed, 1)
    _sql(world, "UPDATE cases SET state = 'declaring' WHERE id = :c", c=c.lapsed)
    return [("chain", c.lapsed, 2), ("campaign", world.campaign.code, "heads")]


def unseen_version(world: World, c: Cases) -> Found:
    _sql(world, "UPDATE cases SET version = version + 5 WHERE id = :c", c=c.final)
    return []  # changes nothing a user can see


TAMPERS: list[Any] = [
    pytest.param(edit_payload, False, id="payload"),
    pytest.param(edit_actor, False, id="actor"),
    pytest.param(edit_logical_time, False, id="logical-time"),
    pytest.param(delete_middle, False, id="delete-middle-counters-fixed"),
    pytest.param(delete_last, False, id="delete-last-counters-fixed"),
    pytest.param(delete_all_of_a_case, False, id="delete-all-of-a-case-counters-fixed"),
    pytest.param(wipe_every_event, False, id="wipe-every-event-case-counters-zeroed"),
    pytest.param(wipe_every_event_and_count, False, id="wipe-every-event-every-counter-zeroed"),
    pytest.param(swap_two_events, False, id="swap"),
    pytest.param(_set("state", "'ranked'", lambda c: c.final, "state"), False, id="state"),
    pytest.param(_set("total", "total + 7", lambda c: c.timed_out, "total"), False, id="total"),
    pytest.param(_set("grade", "'Z'", lambda c: c.timed_out, "grade"), False, id="grade"),
    pytest.param(
        _set("position_national", "9", lambda c: c.final, "positions"),
        False,
        id="positions-published",
    ),
    pytest.param(
        _set("position_provincial", "2", lambda c: c.decided, "positions"),
        False,
        id="positions-decided",
    ),
    pytest.param(
        _set("final_total", "final_total + 1", lambda c: c.decided, "final_total"),
        False,
        id="final-total",
    ),
    pytest.param(
        _set("final_grade", "'Z'", lambda c: c.final, "final_grade"), False, id="final-grade"
    ),
    pytest.param(
        _set("escalated", "true", lambda c: c.final, "escalated"), False, id="escalated-set"
    ),
    pytest.param(
        _set("escalated", "false", lambda c: c.escalated, "escalated"),
        False,
        id="escalated-cleared",
    ),
    pytest.param(_set("region", "region + 1", lambda c: c.decided, "region"), False, id="region"),
    pytest.param(
        _set("province", "'province-9'", lambda c: c.decided, "province"), False, id="province"
    ),
    pytest.param(edit_declaration, False, id="declaration"),
    pytest.param(edit_breakdown, False, id="breakdown"),
    pytest.param(
        _set("association_score", "3", lambda c: c.decided, "association_score"),
        False,
        id="association-score",
    ),
    pytest.param(
        _set("violations", "NULL", lambda c: c.decided, "violations"), False, id="violations"
    ),
    pytest.param(
        _set("declared_at", "NULL", lambda c: c.late, "declared_at"), False, id="declared-at"
    ),
    pytest.param(edit_rubric_text, False, id="rubric-text"),
    pytest.param(edit_rubric_and_its_sha, False, id="rubric-text-and-sha"),
    pytest.param(edit_campaign_count, False, id="campaign-event-count"),
    pytest.param(rebuild_chain, True, id="full-chain-rebuild-with-heads"),
    pytest.param(rewind_a_case, True, id="timeline-cut-back-consistently-with-heads"),
    pytest.param(unseen_version, False, id="version-unseen"),
]


def _found(report: VerifyReport) -> Found:
    return (
        [("campaign", f.campaign, f.what) for f in report.campaigns]
        + [("chain", b.case_id, b.seq) for b in report.broken]
        + [("field", w.case_id, w.field) for w in report.wrong_fields]
    )


@pytest.mark.parametrize(("tamper", "with_heads"), TAMPERS)
def test_a_tamper_is_named(golden: World, tamper: Tamper, with_heads: bool) -> None:
    assert verify_timelines(golden.db, actor=golden.admin).ok
    heads = export_heads(golden.db, actor=golden.admin, key=KEY) if with_heads else None
    expected = tamper(golden, _cases(golden))
    report = verify_timelines(golden.db, actor=golden.admin, heads=heads, key=KEY)
    assert sorted(_found(report), key=str) == sorted(expected, key=str)
    offices = {case: golden.row(case).office.code for case in golden.case_ids}
    for line, (kind, subject, _) in zip(report.faults(), sorted(expected, key=_order), strict=True):
        named = f"campaign {subject}" if kind == "campaign" else f"case {subject} "
        assert line.startswith(named), line
        if kind != "campaign":
            assert f"({offices[subject]})" in line  # type: ignore[index]


def _order(found: tuple[str, object, object]) -> tuple[int, int]:
    kind, subject, _ = found
    return (0, 0) if kind == "campaign" else (1, int(subject))  # type: ignore[call-overload]


@pytest.mark.parametrize("tamper", [rebuild_chain, rewind_a_case], ids=["rebuilt", "cut-back"])
def test_a_consistent_rewrite_passes_without_a_heads_file(golden: World, tamper: Tamper) -> None:
    tamper(golden, _cases(golden))
    assert verify_timelines(golden.db, actor=golden.admin).ok


def test_the_first_wrong_field_is_named_with_both_values(golden: World) -> None:
    c = _cases(golden)
    _sql(golden, "UPDATE cases SET state = 'ranked', total = 1 WHERE id = :c", c=c.final)
    report = verify_timelines(golden.db, actor=golden.admin)
    assert report.faults() == [
        f"case {c.final} (P00004): state is 'ranked' but its timeline ends in 'final'"
    ]


def test_a_moved_due_instant_is_named(world: World) -> None:
    case = world.case_ids[0]
    world.act("declare", case, tehran(1400, 1, 20, 10))
    world.sweep(tehran(1400, 2, 6, 0, 5))  # under review: its review clock runs
    assert world.pending_due(case) is not None
    assert verify_timelines(world.db, actor=world.admin).ok
    _sql(
        world,
        "UPDATE deadlines SET due_at = opened_at WHERE case_id = :c AND status = 'pending'",
        c=case,
    )
    report = verify_timelines(world.db, actor=world.admin)
    assert [(w.case_id, w.field) for w in report.wrong_fields] == [(case, "due_at")]
    assert "its review deadline is due at" in report.faults()[0]


def test_a_heads_file_signed_with_another_key_or_edited_is_refused(golden: World) -> None:
    heads = export_heads(golden.db, actor=golden.admin, key=KEY)
    with pytest.raises(InvalidInput, match="signed with another key, or edited"):
        verify_timelines(golden.db, actor=golden.admin, heads=heads, key=b"x" * 32)
    data = json.loads(heads)
    case = str(golden.case_ids[0])
    data["cases"][case]["event_count"] -= 1
    with pytest.raises(InvalidInput, match="signed with another key, or edited"):
        load_heads(json.dumps(data), key=KEY)
    with pytest.raises(InvalidInput, match="heads file"):
        load_heads("not json", key=KEY)
    checked = verify_timelines(golden.db, actor=golden.admin, heads=heads, key=KEY)
    assert checked.ok
    assert checked.summary() == "6 case(s), 38 event(s) checked, against the heads file"


@pytest.mark.parametrize(
    "text",
    ["[" * 100_000, '{"format": "mohlat-heads/1", "x": ' + "[" * 100_000 + "}"],
    ids=["nested", "nested-in-a-heads-file"],
)
def test_a_heads_file_nested_too_deeply_is_refused(text: str) -> None:
    """json.loads raised RecursionError (found by the API fuzz)."""
    with pytest.raises(InvalidInput, match=r"^heads file: '\(not JSON\)'"):
        load_heads(text, key=KEY)


def test_a_case_removed_since_the_export_is_named(golden: World) -> None:
    heads = export_heads(golden.db, actor=golden.admin, key=KEY)
    case = golden.case_ids[5]
    _sql(
        golden,
        "DELETE FROM events WHERE case_id = :c",
        "DELETE FROM deadlines WHERE case_id = :c",
        "DELETE FROM reminders WHERE case_id = :c",
        "DELETE FROM case_details WHERE case_id = :c",
        "DELETE FROM cases WHERE id = :c",
        "UPDATE campaigns SET event_count = event_count - 2",
        c=case,
    )
    report = verify_timelines(golden.db, actor=golden.admin, heads=heads, key=KEY)
    assert [(b.case_id, b.seq) for b in report.broken] == [(case, 1)]
    assert "it is not in the database" in report.broken[0].why
    assert [f.what for f in report.campaigns] == ["heads"]


def test_the_chain_key_comes_from_the_server_settings(tmp_path: Any) -> None:
    key_file = tmp_path / "chain.key"
    key_file.write_bytes(KEY + b"\n")
    assert chain_key({"MOHLAT_CHAIN_KEY_FILE": str(key_file)}) == KEY
    assert chain_key({"MOHLAT_CHAIN_KEY": KEY.decode()}) == KEY
    with pytest.raises(InvalidInput, match="MOHLAT_CHAIN_KEY_FILE"):
        chain_key({})
    with pytest.raises(InvalidInput, match="readable file"):
        chain_key({"MOHLAT_CHAIN_KEY_FILE": str(tmp_path / "missing")})
    with pytest.raises(InvalidInput, match="at least 16 bytes"):
        chain_key({"MOHLAT_CHAIN_KEY": "short"})


def test_every_write_path_keeps_the_counts_and_due_instants_true(db: Database) -> None:
    """Extensions, closures, a window extension and an office added mid-window all
    write events or move deadlines: nothing of it reads as a tamper, and a due
    instant moved by hand after them still does."""
    from mohlat.services.deadlines import add_closure, extend_case, extend_window
    from mohlat.services.offices import import_offices, office_rows

    # a closure on the window's last day in region 1, on record before the campaign
    add_closure(
        db,
        actor=World.admin,
        now=tehran(1400, 1, 5, 9),
        first_day="1400/02/05",
        last_day=None,
        reason="dust",
        regions=[1],
    )
    # the window's close rolls past a closed last day: region 1's later than the campaign's
    world = World(db).setup(settings=CampaignSettings(declaration_roll_forward=True))
    late_office = {
        "code": "P00099",
        "name": "Office 99",
        "kind": "pishkhan",
        "region": 2,
        "province": "province-2",
        "national_id": "0012345679",
        "holder_name": "",
    }
    import_offices(db, actor=World.admin, text=office_rows([late_office]), now=tehran(1400, 1, 25))
    # every declaration deadline pending, region 1's on the campaign's own close
    assert verify_timelines(db, actor=World.admin).ok
    for case in world.case_ids[:4]:
        world.act("declare", case, tehran(1400, 1, 20, 10))
    world.sweep(tehran(1400, 2, 7, 0, 5))
    referred = world.case_ids[0]
    world.act("refer", referred, tehran(1400, 2, 8, 10))
    extend_case(
        db,
        actor=World.admin,
        now=tehran(1400, 2, 9, 8),
        ref=str(referred),
        campaign=None,
        reason="post",
        days=2,
    )
    add_closure(
        db,
        actor=World.admin,
        now=tehran(1400, 2, 10, 8),
        first_day="1400/02/15",
        last_day=None,
        reason="heat",
        provinces=["province-1"],
    )
    extend_window(
        db,
        actor=World.admin,
        now=tehran(1400, 2, 10, 9),
        campaign=None,
        window="review",
        days=3,
        reason="short of staff",
    )
    report = verify_timelines(db, actor=World.admin)
    assert report.ok, report.faults()
    assert report.cases_checked == 10
    _sql(
        world,
        "UPDATE deadlines SET due_at = opened_at WHERE case_id = :c AND status = 'pending'",
        c=referred,
    )
    report = verify_timelines(db, actor=World.admin)
    assert [(w.case_id, w.field) for w in report.wrong_fields] == [(referred, "due_at")]


def test_unreadable_case_values_are_reported_not_raised(world: World) -> None:
    if world.db.dialect != "sqlite":
        pytest.skip("only SQLite stores text that its column type cannot read back")
    first, second = world.case_ids[:2]
    world.act("declare", first, tehran(1400, 1, 20, 10))
    world.act("declare", second, tehran(1400, 1, 20, 10))
    world.sweep(tehran(1400, 2, 6, 0, 5))
    _sql(
        world,
        "UPDATE case_details SET declaration = '{not json' WHERE case_id = :a",
        "UPDATE deadlines SET due_at = 'tomorrow' WHERE case_id = :b AND status = 'pending'",
        a=first,
        b=second,
    )
    report = verify_timelines(world.db, actor=world.admin)
    assert [(w.case_id, w.field) for w in report.wrong_fields] == [
        (first, "declaration"),
        (second, "due_at"),
    ]
    assert "declaration cannot be read" in report.faults()[0]
