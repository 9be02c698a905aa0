"""The schema refuses rows the workflow cannot produce, and says which rule they broke."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

import pytest
from sqlalchemy import insert, update
from sqlalchemy.exc import IntegrityError
from support import World, tehran

from mohlat.errors import ConstraintViolated, DatabaseError, Duplicate
from mohlat.store import _dialect
from mohlat.store.models import Account, Case, Closure, Deadline, table_of

_cases = table_of(Case)
_deadlines = table_of(Deadline)
_accounts = table_of(Account)
_closures = table_of(Closure)


def _write(world: World, statement: Any) -> None:
    with world.db.transaction() as tx:
        tx.execute(statement)


def _open_deadline(world: World, case_id: int) -> Any:
    (found,) = [d for d in world.deadlines(case_id) if d.status in ("pending", "paused")]
    return found


def _deadline_row(world: World, case_id: int | None, **values: Any) -> dict[str, Any]:
    row = {
        "campaign_id": world.campaign.id,
        "case_id": case_id,
        "kind": "review",
        "status": "pending",
        "due_at": tehran(1400, 3, 1),
        "opened_at": tehran(1400, 1, 10),
    }
    return {**row, **values}


@pytest.mark.parametrize(
    ("table", "column", "bad", "constraint"),
    [
        ("cases", "state", "archived", "ck_cases_state"),
        ("deadlines", "status", "cancelled", "ck_deadlines_status"),
        ("deadlines", "kind", "holiday", "ck_deadlines_kind"),
        ("accounts", "role", "root", "ck_accounts_role"),
    ],
)
def test_a_value_the_workflow_does_not_declare_is_refused_by_name(
    world: World, table: str, column: str, bad: str, constraint: str
) -> None:
    case_id = world.case_ids[0]
    target = {"cases": _cases, "deadlines": _deadlines, "accounts": _accounts}[table]
    where = {
        "cases": _cases.c.id == case_id,
        "deadlines": _deadlines.c.id == _open_deadline(world, case_id).id,
        "accounts": _accounts.c.username == world.office_actors[case_id].name,
    }[table]
    with pytest.raises(ConstraintViolated, match=constraint) as raised:
        _write(world, update(target).where(where).values({column: bad}))
    assert (raised.value.kind, raised.value.constraint) == ("check", constraint)
    assert "nothing was written" in str(raised.value)
    # the row is as it was
    assert world.state(case_id) == "declaring"
    assert _open_deadline(world, case_id).kind == "declaration"


def test_a_closure_of_an_unknown_kind_is_refused(world: World) -> None:
    closure = {
        "kind": "strike",
        "first_day": "1400/01/20",
        "last_day": "1400/01/20",
        "reason": "test",
        "regions": [],
        "provinces": [],
        "created_at": tehran(1400, 1, 10),
        "created_by": "admin",
    }
    with pytest.raises(ConstraintViolated, match="ck_closures_kind"):
        _write(world, insert(_closures).values(closure))
    _write(world, insert(_closures).values({**closure, "kind": "working_day"}))


def test_a_case_has_at_most_one_running_deadline_of_each_kind(world: World) -> None:
    case_id = world.case_ids[0]
    for status in ("pending", "paused"):
        row = _deadline_row(world, case_id, kind="declaration", status=status)
        with pytest.raises(Duplicate, match="deadlines"):
            _write(world, insert(_deadlines).values(row))
    assert len(world.deadlines(case_id)) == 1


def test_ended_deadlines_and_the_campaigns_own_are_not_limited(world: World) -> None:
    case_id = world.case_ids[0]
    rows = [
        # a running deadline of another kind beside the declaration deadline
        _deadline_row(world, case_id, kind="review"),
        # any number of ended ones of the same kind
        _deadline_row(world, case_id, kind="declaration", status="expired"),
        _deadline_row(world, case_id, kind="declaration", status="closed"),
        _deadline_row(world, case_id, kind="declaration", status="closed"),
        # the campaign's own deadlines belong to no case
        _deadline_row(world, None, kind="publication"),
        _deadline_row(world, None, kind="publication"),
    ]
    _write(world, insert(_deadlines).values(rows))
    assert len(world.deadlines(case_id)) == 5


def test_a_reference_to_a_missing_row_is_not_called_a_duplicate(world: World) -> None:
    row = _deadline_row(world, 999_999, kind="review")
    with pytest.raises(ConstraintViolated, match="foreign key") as raised:
        _write(world, insert(_deadlines).values(row))
    assert not isinstance(raised.value, Duplicate)


def test_a_missing_required_value_names_its_column(world: World) -> None:
    case_id = world.case_ids[0]
    with pytest.raises(ConstraintViolated, match="not null") as raised:
        _write(world, update(_cases).where(_cases.c.id == case_id).values(state=None))
    assert "cases.state" in raised.value.constraint
    assert isinstance(raised.value, DatabaseError)


def _pg_error(sqlstate: str, **diag: str | None) -> IntegrityError:
    orig = SimpleNamespace(sqlstate=sqlstate, diag=SimpleNamespace(**diag))
    return IntegrityError("INSERT ...", {}, orig)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("sqlstate", "diag", "expected"),
    [
        ("23505", {"constraint_name": "uq_deadlines_open_case_kind"}, "unique"),
        ("23514", {"constraint_name": "ck_cases_state"}, "check"),
        ("23503", {"constraint_name": "deadlines_case_id_fkey"}, "foreign key"),
        (
            "23502",
            {"constraint_name": None, "table_name": "cases", "column_name": "state"},
            "not null",
        ),
    ],
)
def test_postgresql_violations_are_classified_by_their_sqlstate(
    sqlstate: str, diag: dict[str, str | None], expected: str
) -> None:
    kind, constraint = _dialect.integrity_violation(_pg_error(sqlstate, **diag))
    assert kind == expected
    assert constraint == (diag["constraint_name"] or "cases.state")
