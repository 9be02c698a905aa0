"""Property: a pending deadline is always what its derivation gives on the calendar
as it stands: its start, its counting policy and the extensions granted on it, in
order. Random sequences of extensions (by days and to dates, of one case or of the
review window), closures added and removed (national, per region, per province) and
working-day corrections are played through the services; then every pending deadline
is computed again from scratch and compared. And a deadline that already fell due
never moves, whatever changes after it.
"""

from __future__ import annotations

import itertools
import os
import shutil
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from support import World, fresh_database, tehran

from mohlat.calendars import (
    Closure,
    Extension,
    PeriodPolicy,
    WorkCalendar,
    parse_jalali_date,
    period_end,
    replay_extensions,
)
from mohlat.errors import InvalidInput, Refused
from mohlat.services.deadlines import add_closure, extend_case, extend_window, remove_closure
from mohlat.store import Database
from mohlat.store import queries as q

# Each example copies a SQLite file; the rules under test are the services', the same
# on PostgreSQL, where tests/services/test_extensions_survive.py covers each scenario.
pytestmark = pytest.mark.skipif(
    bool(os.environ.get("MOHLAT_TEST_DB")), reason="examples copy a SQLite database file"
)

REFERRED_AT = tehran(1400, 2, 8, 10)
DECLARATIONS_CLOSE = tehran(1400, 2, 5, 23, 59, 59, 999999)
POLICY = {"correction": PeriodPolicy(days=5), "review": PeriodPolicy(days=10)}
_counter = itertools.count()

days = st.integers(min_value=10, max_value=31).map(lambda d: f"1400/02/{d:02d}")
scopes = st.one_of(
    st.just({}),
    st.builds(lambda r: {"regions": [r]}, st.integers(1, 9)),
    st.builds(lambda p: {"provinces": [f"province-{p}"]}, st.integers(1, 9)),
)
operations = st.one_of(
    st.tuples(st.just("extend_days"), st.integers(0, 8), st.integers(1, 4)),
    st.tuples(st.just("extend_to"), st.integers(0, 8), days),
    st.tuples(st.just("window_to"), st.one_of(st.none(), st.integers(1, 9)), days),
    st.tuples(st.just("window_days"), st.one_of(st.none(), st.integers(1, 9)), st.integers(1, 3)),
    st.tuples(st.just("close"), scopes, days, st.integers(0, 2)),
    st.tuples(st.just("remove"), st.integers(0, 5)),
    st.tuples(st.just("working_day"), days),
)


@dataclass
class Model:
    """What the test itself knows was done, independent of what the database says."""

    closures: dict[int, Closure] = field(default_factory=dict)
    working_days: dict[int, list[Any]] = field(default_factory=dict)
    granted: dict[int, list[Extension]] = field(default_factory=dict)
    window: list[Extension] = field(default_factory=list)


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> World:
    """One office per region, declared; regions 1-4 out for correction since
    8 Ordibehesht 10:00, regions 5-9 in review: built once, copied for each example."""
    world = World(fresh_database(tmp_path_factory.mktemp("template") / "world.db")).setup()
    for case in world.case_ids:
        world.act("declare", case, tehran(1400, 1, 20, 10))
    world.sweep(tehran(1400, 2, 6, 0, 5))
    for case in world.case_ids[:4]:
        world.act("refer", case, REFERRED_AT)
    world.db.dispose()
    return world


def _world(template: World, tmp: Path) -> World:
    """A copy of the template world of its own."""
    source = Path(str(template.db.engine.url.database))
    copy = tmp / f"example-{next(_counter)}.db"
    shutil.copyfile(source, copy)
    world = World(Database(f"sqlite:///{copy}"))
    world.case_ids = list(template.case_ids)
    world.region_of = dict(template.region_of)
    world.office_actors = dict(template.office_actors)
    world.campaign = template.campaign
    return world


def _play(world: World, model: Model, operation: tuple[Any, ...], now: datetime) -> None:
    name, *args = operation
    admin, ids = World.admin, world.case_ids
    try:
        if name in ("extend_days", "extend_to"):
            case = ids[args[0]]
            how = {"days": args[1]} if name == "extend_days" else {"to": args[1]}
            extend_case(
                world.db, actor=admin, now=now, ref=str(case), campaign=None, reason="r", **how
            )
            model.granted.setdefault(case, []).append(_extension(how))
        elif name in ("window_to", "window_days"):
            how = {"to": args[1]} if name == "window_to" else {"days": args[1]}
            extend_window(
                world.db, actor=admin, now=now, campaign=None, window="review",
                region=args[0], reason="r", **how,
            )  # fmt: skip
            for case in ids[4:]:
                due = world.pending_due(case)
                in_scope = args[0] is None or world.region_of[case] == args[0]
                if in_scope and due is not None and due > now:
                    model.granted.setdefault(case, []).append(_extension(how))
            if args[0] is None:
                model.window.append(_extension(how))
        elif name == "close":
            scope, first, length = args
            last = (parse_jalali_date(first).to_gregorian() + timedelta(days=length)).isoformat()
            last_day = _jalali(last)
            moved = add_closure(
                world.db, actor=admin, now=now, first_day=first, last_day=last_day,
                reason="r", **scope,
            )  # fmt: skip
            assert moved.closure_id is not None
            model.closures[moved.closure_id] = Closure(
                parse_jalali_date(first),
                parse_jalali_date(last_day),
                "r",
                regions=frozenset(scope.get("regions", ())),
                provinces=frozenset(scope.get("provinces", ())),
            )
        elif name == "working_day":
            moved = add_closure(
                world.db, actor=admin, now=now, first_day=args[0], last_day=None,
                reason="r", working_day=True,
            )  # fmt: skip
            assert moved.closure_id is not None
            model.working_days[moved.closure_id] = [parse_jalali_date(args[0]).to_gregorian()]
        elif name == "remove":
            known = sorted([*model.closures, *model.working_days])
            if not known:
                return
            number = known[args[0] % len(known)]
            remove_closure(world.db, actor=admin, now=now, closure_id=number, reason="r")
            model.closures.pop(number, None)
            model.working_days.pop(number, None)
    except InvalidInput as refused:
        # an extension that would not make the deadline later is refused, nothing written
        assert "a day after the current deadline" in str(refused)
    except Refused as refused:
        # so is one of a deadline that fell due
        assert "a deadline that fell due is not extended" in str(refused)


def _extension(how: dict[str, Any]) -> Extension:
    if "days" in how:
        return Extension(days=how["days"])
    return Extension(to=parse_jalali_date(how["to"]))


def _jalali(iso: str) -> str:
    from datetime import date

    from mohlat.calendars import from_gregorian

    return from_gregorian(date.fromisoformat(iso)).strftime("%Y/%m/%d")


def _from_scratch(world: World, model: Model, case: int) -> datetime:
    calendar = WorkCalendar.official(
        range(1399, 1403),
        closures=tuple(model.closures.values()),
        working_days=frozenset(d for days in model.working_days.values() for d in days),
    )
    region = world.region_of[case]
    scoped = calendar.for_scope(region, f"province-{region}")
    kind = "correction" if case in world.case_ids[:4] else "review"
    start = REFERRED_AT if kind == "correction" else DECLARATIONS_CLOSE
    base = period_end(start, POLICY[kind], scoped)
    return replay_extensions(base, model.granted.get(case, []), POLICY[kind], scoped)


def _publication(world: World, model: Model) -> tuple[datetime, datetime]:
    calendar = WorkCalendar.official(
        range(1399, 1403),
        closures=tuple(model.closures.values()),
        working_days=frozenset(d for days in model.working_days.values() for d in days),
    ).for_scope(None, None)
    base = period_end(DECLARATIONS_CLOSE, POLICY["review"], calendar)
    expected = replay_extensions(base, model.window, POLICY["review"], calendar)
    with world.db.transaction() as tx:
        campaign = q.campaign_by_code(tx, code="1400-2")
        assert campaign is not None and campaign.id is not None
        own = q.campaign_deadline(tx, campaign_id=campaign.id, kind="publication")
    assert own is not None and own.due_at is not None
    assert campaign.review_closes_at == own.due_at
    return own.due_at, expected


@settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(st.lists(operations, min_size=1, max_size=8))
def test_every_pending_deadline_equals_its_derivation_from_scratch(
    template: World, tmp_path: Path, steps: list[tuple[Any, ...]]
) -> None:
    world, model = _world(template, tmp_path), Model()
    now = tehran(1400, 2, 9, 8)  # before any of these deadlines can fall due
    for step in steps:
        _play(world, model, step, now)
    for case in world.case_ids:
        assert world.pending_due(case) == _from_scratch(world, model, case), (case, steps)
    stored, expected = _publication(world, model)
    assert stored == expected


@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    st.lists(operations, max_size=5),
    st.lists(operations, min_size=1, max_size=6),
    st.integers(min_value=0, max_value=6 * 24),
)
def test_a_deadline_that_fell_due_never_moves(
    template: World,
    tmp_path: Path,
    before: list[tuple[Any, ...]],
    after: list[tuple[Any, ...]],
    hours: int,
) -> None:
    world, model = _world(template, tmp_path), Model()
    for step in before:
        _play(world, model, step, tehran(1400, 2, 9, 8))
    later = tehran(1400, 2, 13, 12) + timedelta(hours=hours)  # no sweep runs meanwhile
    fallen = {
        case: due
        for case in world.case_ids
        if (due := world.pending_due(case)) is not None and due <= later
    }
    for step in after:
        _play(world, model, step, later)
    for case, due in fallen.items():
        assert world.pending_due(case) == due, (case, before, after)
