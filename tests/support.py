"""Helpers for the tests: Tehran instants and a small world of offices to act in."""

from __future__ import annotations

import os
from datetime import datetime, timedelta
from typing import Any

from mohlat.calendars import jalali_date, start_of_day
from mohlat.identity import make_national_id
from mohlat.services.access import Actor
from mohlat.store import Database
from mohlat.workflow.definition import ACTIONS, Role

#: a valid declaration under the default rubric
DECLARATION = {"office_space": "64", "staff_count": "4", "location": "city", "holder_years": "6"}


def tehran(y: int, m: int, d: int, hh: int = 0, mm: int = 0, ss: int = 0, us: int = 0) -> datetime:
    """The instant of a Tehran wall time on a Jalali date, as aware UTC."""
    return start_of_day(jalali_date(y, m, d)) + timedelta(
        hours=hh, minutes=mm, seconds=ss, microseconds=us
    )


def fresh_database(path: Any) -> Database:
    """An empty mohlat database: SQLite at ``path``, or ``MOHLAT_TEST_DB`` emptied."""
    url = os.environ.get("MOHLAT_TEST_DB")
    if not url:
        db = Database(f"sqlite:///{path}")
        db.create_schema()
        return db
    db = Database(url)
    db.drop_everything()
    db.create_schema()
    return db


def activate_account(
    db: Database, username: str, password: str, at: datetime | None = None
) -> Actor:
    """Give an office account its first password as a holder would: an admin issues an
    activation code and the holder activates with it."""
    from mohlat.services.activation import activate, issue_activation_code

    at = at or tehran(1400, 1, 10, 9)
    code = issue_activation_code(db, actor=World.admin, username=username, now=at)
    return activate(db, username=username, code=code, new_password=password, now=at)


class World:
    """A campaign with one office per region, and the people who act on it."""

    admin = Actor("admin", Role.ADMIN)

    def __init__(self, db: Database) -> None:
        self.db = db
        self.case_ids: list[int] = []
        self.office_actors: dict[int, Actor] = {}
        self.region_of: dict[int, int] = {}

    def supervisor(self, region: int) -> Actor:
        return Actor(f"supervisor-{region}", Role.SUPERVISOR, region=region)

    def setup(
        self,
        *,
        offices: int = 9,
        first: str = "1400/01/17",
        last: str = "1400/02/05",
        at: datetime | None = None,
        **campaign: Any,
    ) -> World:
        from mohlat.services.campaigns import create_campaign
        from mohlat.services.offices import import_offices, office_rows
        from mohlat.store import queries as q

        at = at or tehran(1400, 1, 10, 9)
        rows = [
            {
                "code": f"P{i:05d}",
                "name": f"Office {i}",
                "kind": "pishkhan",
                "region": (i - 1) % 9 + 1,
                "province": f"province-{(i - 1) % 9 + 1}",
                "national_id": make_national_id(f"{100000000 + i * 37:09d}"),
                "holder_name": "",
            }
            for i in range(1, offices + 1)
        ]
        import_offices(self.db, actor=self.admin, text=office_rows(rows), now=at)
        self.campaign = create_campaign(
            self.db,
            actor=self.admin,
            now=at,
            code="1400-2",
            title="test",
            first_day=first,
            last_day=last,
            **campaign,
        )
        with self.db.transaction() as tx:
            accounts = {a.office_id: a.username for a in q.list_accounts(tx, role="office")}
            assert self.campaign.id is not None
            for case_id, _s, region, office_id, _r in q.case_states(
                tx, campaign_id=self.campaign.id
            ):
                self.case_ids.append(case_id)
                self.region_of[case_id] = region
                self.office_actors[case_id] = Actor(
                    accounts[office_id], Role.OFFICE, office_id=office_id
                )
        return self

    def actor_for(self, action: str, case_id: int) -> Actor:
        if Role.OFFICE in (ACTIONS[action].roles or ()):
            return self.office_actors[case_id]
        return self.supervisor(self.region_of[case_id])

    def act(
        self, action: str, case_id: int, at: datetime, *, actor: Actor | None = None, **kw: Any
    ) -> Any:
        from mohlat.services.cases import act

        if action == "declare":
            kw.setdefault("fields", DECLARATION)
        if ACTIONS[action].reason_required:
            kw.setdefault("text", f"{action} for the test")
        return act(
            self.db,
            actor=actor or self.actor_for(action, case_id),
            action=action,
            ref=str(case_id),
            now=at,
            **kw,
        )

    def sweep(self, at: datetime) -> Any:
        from mohlat.services.sweep import sweep

        return sweep(self.db, now=at)

    def case(self, case_id: int) -> Any:
        return self.row(case_id).case

    def row(self, case_id: int) -> Any:
        from mohlat.store import queries as q

        with self.db.transaction() as tx:
            row = q.case_by_id(tx, case_id=case_id)
        assert row is not None
        return row

    def state(self, case_id: int) -> str:
        return str(self.case(case_id).state)

    def events(self, case_id: int) -> list[Any]:
        from mohlat.store import queries as q

        with self.db.transaction() as tx:
            return q.case_events(tx, case_id=case_id)

    def chain(self, case_id: int) -> list[Any]:
        """The case's events as stored, as NewEvents (what the hash chain covers)."""
        from mohlat.workflow.timeline import NewEvent

        return [
            NewEvent(
                e.case_id,
                e.campaign_id,
                e.seq,
                e.action,
                e.from_state,
                e.to_state,
                e.logical_at,
                e.recorded_at,
                e.actor,
                e.payload,
                e.prev_hash,
                e.hash,
            )
            for e in self.events(case_id)
        ]

    def deadlines(self, case_id: int, status: str | None = None) -> list[Any]:
        from mohlat.store import queries as q

        with self.db.transaction() as tx:
            found = q.case_deadlines(tx, case_id=case_id)
        return [d for d in found if status is None or d.status == status]

    def pending_due(self, case_id: int) -> datetime | None:
        pending = self.deadlines(case_id, "pending")
        return pending[0].due_at if pending else None
