"""Who may do what over HTTP, cell by cell: every operation of the API × every kind of
caller, as tests/test_access_matrix.py does for the command line.

Each row is one operation on a copy of a database prepared so that the operation is
possible for someone (the case in the state it needs, at a time inside its deadline);
what differs between the cells of a row is only who calls. The statuses expected come
from the access policy (:data:`~mohlat.services.access.POLICY`, whose case-action rows
are the workflow's :data:`~mohlat.workflow.definition.ACTIONS`) and the operation's
login kind: 200/201 done; 401 no token, an expired one, or a locked account's; 403 a
session restricted to changing the password, or a role refused; 404 a case (or an
office) outside the caller's remit, never 403, so that its existence does not leak.
Every refusal is a problem document. Logging in and activating, public by nature, are
tested on their own below.
"""

from __future__ import annotations

import os
import shutil
import sqlite3
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from enum import Enum
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from served import API, PASSWORD, problem
from support import DECLARATION, World, activate_account, tehran

from mohlat.api.catalog import OPERATIONS
from mohlat.api.operations import Login, path_fields
from mohlat.clock import SimulatedClock
from mohlat.identity import make_national_id
from mohlat.services.access import POLICY, Audience
from mohlat.services.accounts import add_user, reset_password
from mohlat.services.activation import issue_activation_code
from mohlat.services.calendar import holiday_calendar
from mohlat.services.deadlines import add_closure
from mohlat.services.sessions import SESSION_HOURS
from mohlat.store import Database
from mohlat.web.app import create_app
from mohlat.web.limits import LoginLimits, SlidingWindow
from mohlat.workflow.definition import ACTIONS, Role

pytestmark = pytest.mark.skipif(
    bool(os.environ.get("MOHLAT_TEST_DB")),
    reason="copies SQLite files; the cells are database-neutral",
)

NEW_PASSWORD = "another-pass-1"
CASE = "1"  # region 1, office P00001; case n is region n's one office

#: the callers; the first five are accounts of a role, within or outside the remit of
#: case 1 (region 1, office 1)
ACTORS = [
    "admin",
    "supervisor",
    "other_supervisor",
    "office",
    "other_office",
    "anonymous",
    "locked",
    "must_change",
    "expired",
]
ROLE_OF = {
    "admin": Role.ADMIN,
    "supervisor": Role.SUPERVISOR,
    "other_supervisor": Role.SUPERVISOR,
    "office": Role.OFFICE,
    "other_office": Role.OFFICE,
}
#: the region each account reaches (an office: its own office's)
REGION_OF = {"supervisor": 1, "other_supervisor": 2, "office": 1, "other_office": 2}
OUTSIDE = {"other_supervisor", "other_office"}
#: the cases each account sees in a campaign
VISIBLE_CASES = {
    "admin": set(range(1, 10)),
    "supervisor": {1},
    "other_supervisor": {2},
    "office": {1},
    "other_office": {2},
}
#: what each kind of refused caller is told
REASONS = {
    "anonymous": "log in first",
    "expired": "log in again",
    "locked": "locked until",
    "must_change": "must change the initial password",
}
#: operations anyone may call without a login, tested on their own
PUBLIC_BY_NATURE = {"session.open", "session.activate"}


class Remit(Enum):
    """What the operation names that may lie outside a caller's remit."""

    #: nothing: a list is filtered to the remit, or only an admin may call it
    NONE = "none"
    #: case 1, looked up before the role is checked: anyone outside gets "not found"
    CASE = "case"
    #: an office of region 1, after the role is checked: an allowed role outside gets
    #: "not found"
    AFTER_ROLE = "after_role"


# --- the template databases, one per stage -------------------------------------------


@dataclass(frozen=True)
class Template:
    path: Path
    #: the user name of each account kind
    accounts: dict[str, str]
    #: the closure a cell may remove
    closure: int
    #: office 3's account: not activated
    unactivated: str


def _prepare(db: Database, stage: str) -> World:
    world = World(db).setup()
    at = tehran(1400, 1, 10, 9)
    for name, role, region in (
        ("admin", Role.ADMIN, None),
        ("sup1", Role.SUPERVISOR, 1),
        ("sup2", Role.SUPERVISOR, 2),
        ("sup1-reset", Role.SUPERVISOR, 1),
    ):
        add_user(db, actor=None, username=name, password=PASSWORD, role=role, region=region, now=at)
    reset_password(db, actor=World.admin, username="sup1-reset", temporary=PASSWORD, now=at)
    for case in (1, 2):
        activate_account(db, world.office_actors[case].name, PASSWORD, at)
    # a closure far from every deadline of these stages, for `calendar.remove`
    add_closure(db, actor=World.admin, now=at, first_day="1400/03/20", last_day=None,
                reason="planned", regions=[9])  # fmt: skip
    if stage == "declaring":
        return world
    for case in world.case_ids:
        world.act("declare", case, tehran(1400, 1, 20, 10))
    world.sweep(tehran(1400, 2, 6, 0, 5))
    if stage == "correction":
        world.act("refer", 1, tehran(1400, 2, 8, 10))
    if stage in ("approved", "ranked", "appealed"):
        for case in world.case_ids:
            world.act("approve", case, tehran(1400, 2, 8, 10))
    if stage in ("ranked", "appealed", "final"):
        world.sweep(tehran(1400, 2, 16, 0, 5))
    if stage == "final":  # the appeal window closed: every case final
        world.sweep(AT_FINAL)
    if stage == "appealed":
        world.act("appeal", 1, tehran(1400, 2, 17, 10))
    return world


def _template(folder: Path, stage: str) -> Template:
    path = folder / "template.db"
    db = Database(f"sqlite:///{path}")
    db.create_schema()
    world = _prepare(db, stage)
    (closure,) = holiday_calendar(db, actor=None, year=1400).closures
    db.dispose()
    with sqlite3.connect(path) as conn:  # fold the write-ahead log into the file
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    accounts = {
        "admin": "admin",
        "supervisor": "sup1",
        "other_supervisor": "sup2",
        "office": world.office_actors[1].name,
        "other_office": world.office_actors[2].name,
        "must_change": "sup1-reset",
    }
    return Template(path, accounts, closure.id, world.office_actors[3].name)


# --- the rows ------------------------------------------------------------------------

AT_DECLARING = tehran(1400, 1, 21)  # declaration window open
AT_REVIEW = tehran(1400, 2, 8)  # every case in regional review
AT_CORRECTION = tehran(1400, 2, 9)  # case 1 referred back for correction
AT_APPROVED = tehran(1400, 2, 9)  # every case approved, not published
AT_RANKED = tehran(1400, 2, 17)  # published, appeal window open
AT_APPEALED = tehran(1400, 2, 18)  # case 1 appealed, its decision pending
AT_FINAL = tehran(1400, 3, 10)  # every case final


@dataclass(frozen=True)
class Row:
    """One operation, set up so that someone may call it."""

    operation: str
    stage: str
    at: datetime
    #: its parameters ("{office}", "{other_office}", "{closure}": filled per template)
    params: dict[str, Any]
    #: the policy row it needs (None: any logged-in account may call it)
    permission: str | None
    remit: Remit = Remit.NONE
    #: tells two rows of one operation apart
    label: str = ""
    #: what a success must show, given the caller, the body and the accounts' names
    check: Callable[[str, Any, dict[str, str]], None] | None = field(default=None, compare=False)

    @property
    def name(self) -> str:
        return f"{self.operation} ({self.label})" if self.label else self.operation

    @property
    def public(self) -> bool:
        return self.permission is not None and POLICY[self.permission].audience is Audience.PUBLIC

    @property
    def roles(self) -> frozenset[Role]:
        """The roles that may call it (a public row: any account)."""
        if self.permission is None or self.public:
            return frozenset(Role)
        permission = POLICY[self.permission]
        assert permission.audience is Audience.ROLES, self.permission
        return permission.roles


def _sees_cases(actor: str, body: Any, _accounts: dict[str, str]) -> None:
    if actor in VISIBLE_CASES:
        assert {c["id"] for c in body} == VISIBLE_CASES[actor]


def _sees_regions(actor: str, body: Any, _accounts: dict[str, str]) -> None:
    """Every region's rows for an admin (or anyone, when public); its own for others."""
    assert _regions_in(body) == ({REGION_OF[actor]} if actor in REGION_OF else set(range(1, 10)))


def _sees_every_region(actor: str, body: Any, _accounts: dict[str, str]) -> None:
    assert _regions_in(body) == set(range(1, 10))


def _sees_counts(actor: str, body: Any, _accounts: dict[str, str]) -> None:
    counts = body["counts"]
    if actor in ("admin", "supervisor", "other_supervisor"):
        regions = {region for region, _state, _n in counts}
        assert regions == ({REGION_OF[actor]} if actor in REGION_OF else set(range(1, 10)))
    else:  # an office, or nobody logged in, sees no counts
        assert counts is None


def _sees_own_sessions(actor: str, body: Any, accounts: dict[str, str]) -> None:
    if actor != "admin":  # an admin sees anyone's
        assert {s["username"] for s in body} == {accounts[actor]}


def _sees_case_one(actor: str, body: Any, _accounts: dict[str, str]) -> None:
    assert (body["case"]["id"] if "case" in body else body["id"]) == 1


def _row_for_action(action: str) -> Row:
    """The row of a person's action on case 1."""
    setups: dict[str, tuple[str, datetime, dict[str, Any]]] = {
        "declare": ("declaring", AT_DECLARING, {"fields": DECLARATION}),
        "review": ("review", AT_REVIEW, {"association_score": 15}),
        "refer": ("review", AT_REVIEW, {"text": "check the staff count"}),
        "approve": ("review", AT_REVIEW, {}),
        "correct": ("correction", AT_CORRECTION, {"fields": {"staff_count": 5}}),
        "appeal": ("ranked", AT_RANKED, {"text": "we object"}),
        "decide": ("appealed", AT_APPEALED, {"text": "re-summed"}),
    }
    stage, at, params = setups[action]
    return Row(f"case.{action}", stage, at, {"case": CASE, **params}, action, Remit.CASE,
               check=_sees_case_one)  # fmt: skip


def _review(operation: str, params: dict[str, Any], permission: str | None, **kw: Any) -> Row:
    return Row(operation, "review", AT_REVIEW, params, permission, **kw)


CSV = (
    "code,name,kind,region,province,national_id\n"
    f"P77777,New,pishkhan,7,Kerman,{make_national_id('007777771')}\n"
)

ROWS: list[Row] = [
    # public reads
    _review("campaign.list", {}, "campaign.list"),
    _review("campaign.show", {}, "campaign.list", check=_sees_counts),
    _review("calendar.read", {"year": 1400}, "calendar.read"),
    Row(
        "ranking",
        "ranked",
        AT_RANKED,
        {},
        "ranking.published",
        label="published",
        check=_sees_every_region,
    ),
    Row("ranking.page", "ranked", AT_RANKED, {"region": 3}, "ranking.published", label="published"),
    Row("ranking.summary", "ranked", AT_RANKED, {}, "ranking.published", label="published"),
    _review("campaign.form", {}, "campaign.list"),
    Row(
        "ranking.office",
        "ranked",
        AT_RANKED,
        {"code": "P00001"},
        "ranking.published",
        label="published",
    ),
    # reads that need a login
    _review("ranking", {}, "case.read", label="unpublished"),
    _review("ranking.page", {}, "case.read", label="unpublished"),
    _review("ranking.summary", {}, "case.read", label="unpublished"),
    _review("case.list", {}, "case.read", check=_sees_cases),
    _review("case.show", {"ref": CASE}, "case.read", remit=Remit.CASE, check=_sees_case_one),
    _review("score.explain", {"ref": CASE}, "case.read", remit=Remit.CASE, check=_sees_case_one),
    _review("due", {"within": "10d"}, "case.read", check=_sees_regions),
    Row("eligible", "final", AT_FINAL, {"min_grade": "D"}, "case.read", check=_sees_regions),
    _review("reminder.list", {"all": True}, "reminder.read"),
    _review("office.list", {}, "office.read", check=_sees_regions),
    _review("user.list", {}, "user.list"),
    _review("user.show", {"username": "sup2"}, "user.list"),
    _review("user.reset_needs", {"username": "{other_office}"}, "user.reset"),
    _review("session.list", {}, "session.list", check=_sees_own_sessions),
    _review("policy.show", {}, None),
    _review("verify", {}, "timeline.verify"),
    _review("heads.export", {}, "timeline.verify"),
    # the case actions
    *(_row_for_action(action) for action, rule in ACTIONS.items() if not rule.by_scheduler_only),
    # the other writes
    _review("deadline.extend", {"case": CASE, "days": 2, "reason": "post"}, "deadline.extend"),
    _review("calendar.add", {"first_day": "1400/02/12", "reason": "heat"}, "calendar.edit"),
    _review("calendar.remove", {"closure": "{closure}", "reason": "not needed"}, "calendar.edit"),
    Row("campaign.publish", "approved", AT_APPROVED, {}, "campaign.publish"),
    _review(
        "campaign.create",
        {"code": "1401-1", "first_day": "1401/01/17", "last_day": "1401/02/05"},
        "campaign.create",
    ),
    _review("office.import", {"text": CSV}, "office.import"),
    _review("user.check", {"username": "sup9", "role": "supervisor", "region": 9}, "user.add"),
    _review(
        "user.add",
        {"username": "sup9", "role": "supervisor", "region": 9, "password": NEW_PASSWORD},
        "user.add",
    ),
    _review("user.reset", {"username": "{other_office}"}, "user.reset"),
    _review(
        "user.activation_code",
        {"usernames": ["{office}"]},
        "user.activation_code",
        remit=Remit.AFTER_ROLE,
    ),
    _review("session.revoke", {"username": "sup2"}, "session.revoke"),
    _review("policy.set", {"lock_minutes": 30}, "policy.set"),
    # the caller's own session
    _review("session.password", {"new_password": NEW_PASSWORD}, None),
    _review("session.close", {}, None),
]
BY_NAME = {row.name: row for row in ROWS}


def _witness(row: Row) -> str:
    """The account a locked or expired token belongs to: one the row otherwise allows,
    so that only the lock or the expiry refuses it."""
    return next(a for a in ("admin", "supervisor", "office") if ROLE_OF[a] in row.roles)


def expected(row: Row, actor: str) -> int:
    """The status ``actor`` gets for ``row``."""
    done = OPERATIONS[row.operation].status
    if actor == "anonymous":
        return done if row.public else 401
    if actor in ("locked", "expired"):
        return 401
    if actor == "must_change":
        return done if OPERATIONS[row.operation].login is Login.PASSWORD_CHANGE else 403
    outside = actor in OUTSIDE
    if outside and row.remit is Remit.CASE:
        return 404
    if ROLE_OF[actor] not in row.roles:
        return 403
    if outside and row.remit is Remit.AFTER_ROLE:
        return 404
    return done


# --- the server, and a cell -----------------------------------------------------------


class CellClock:
    """The served clock: each cell's own :class:`SimulatedClock`."""

    def __init__(self, start: datetime) -> None:
        self.current = SimulatedClock(start)

    def now(self) -> datetime:
        return self.current.now()


@dataclass
class Server:
    """One app for every cell: its database is the cell's copy of a template."""

    templates: dict[str, Template]
    db: Database
    path: Path
    clock: CellClock
    http: TestClient

    def reset(self, stage: str, start: datetime) -> Template:
        """The database as the stage's template; the clock at ``start``."""
        self.db.dispose()
        for suffix in ("", "-wal", "-shm"):
            Path(f"{self.path}{suffix}").unlink(missing_ok=True)
        template = self.templates[stage]
        shutil.copy(template.path, self.path)
        self.clock.current = SimulatedClock(start)
        return template

    def login(self, username: str, password: str = PASSWORD) -> Any:
        return self.http.post(f"{API}/session", json={"username": username, "password": password})

    def token(self, username: str) -> str:
        answer = self.login(username)
        assert answer.status_code == 201, answer.text
        return str(answer.json()["token"])


@pytest.fixture(scope="module")
def server(tmp_path_factory: Any) -> Iterator[Server]:
    stages = sorted({row.stage for row in ROWS})
    templates = {s: _template(tmp_path_factory.mktemp(s), s) for s in stages}
    folder = tmp_path_factory.mktemp("served")
    key = folder / "chain.key"
    key.write_text("a chain key for the access matrix\n", encoding="utf-8")
    path = folder / "cell.db"
    shutil.copy(templates["review"].path, path)
    db = Database(f"sqlite:///{path}")
    clock = CellClock(AT_REVIEW)
    limits = LoginLimits(SlidingWindow(10**9), SlidingWindow(10**9))
    app = create_app(db, clock=clock, settings={"MOHLAT_CHAIN_KEY_FILE": str(key)}, limits=limits)
    yield Server(templates, db, path, clock, TestClient(app))
    db.dispose()


def _filled(value: Any, template: Template) -> Any:
    if isinstance(value, str):
        return value.format(
            office=template.accounts["office"],
            other_office=template.accounts["other_office"],
            closure=template.closure,
        )
    if isinstance(value, list):
        return [_filled(v, template) for v in value]
    if isinstance(value, dict):
        return {k: _filled(v, template) for k, v in value.items()}
    return value


def _call(server: Server, row: Row, template: Template, headers: dict[str, str]) -> Any:
    op = OPERATIONS[row.operation]
    params = _filled(row.params, template)
    in_path = {name: params.pop(name) for name in path_fields(op.path)}
    url = API + op.path.format(**in_path)
    if op.method in ("GET", "DELETE"):
        return server.http.request(op.method, url, params=params, headers=headers)
    return server.http.request(op.method, url, json=params, headers=headers)


def _regions_in(body: Any) -> set[int]:
    """Every region a body names (a "region" field anywhere in it)."""
    if isinstance(body, list):
        return set().union(*(_regions_in(item) for item in body))
    if isinstance(body, dict):
        found = {body["region"]} if isinstance(body.get("region"), int) else set()
        return found.union(*(_regions_in(v) for v in body.values()))
    return set()


CELLS = [(row.name, actor) for row in ROWS for actor in ACTORS]


def _caller(server: Server, row: Row, actor: str) -> tuple[Template, dict[str, str]]:
    """The cell's database and clock, and the headers ``actor`` calls with."""
    early = row.at - timedelta(hours=SESSION_HOURS + 1)
    template = server.reset(row.stage, early if actor == "expired" else row.at)
    if actor == "anonymous":
        return template, {}
    kind = _witness(row) if actor in ("locked", "expired") else actor
    username = template.accounts[kind]
    headers = {"Authorization": f"Bearer {server.token(username)}"}
    if actor == "locked":  # five wrong passwords after the token was issued
        for _ in range(5):
            assert server.login(username, "not-the-password").status_code == 401
    if actor == "expired":
        server.clock.current.set(row.at)
    return template, headers


@pytest.mark.parametrize(("row_name", "actor"), CELLS, ids=[f"{r}|{a}" for r, a in CELLS])
def test_http_access_matrix(server: Server, row_name: str, actor: str) -> None:
    row = BY_NAME[row_name]
    template, headers = _caller(server, row, actor)
    answer = _call(server, row, template, headers)

    status = expected(row, actor)
    assert answer.status_code == status, answer.text
    if status >= 400:
        detail = problem(answer)["detail"]
        if actor in REASONS:
            assert REASONS[actor] in detail
        elif status == 404:
            assert "not found" in detail
        else:
            assert status == 403 and "may not" in detail, detail
        if status == 401:
            assert answer.headers["WWW-Authenticate"] == "Bearer"
        return
    body = answer.json()
    if not row.public and actor in REGION_OF and OPERATIONS[row.operation].method == "GET":
        assert _regions_in(body) <= {REGION_OF[actor]}, "a read shows another region"
    if row.check is not None:
        row.check(actor, body, template.accounts)


MISSING_CASE = "999999"
MISSING_OFFICE = make_national_id("123123123")
NOT_FOUND = [
    (row.name, actor)
    for row in ROWS
    for actor in sorted(OUTSIDE)
    if row.remit is not Remit.NONE and expected(row, actor) == 404
]


@pytest.mark.parametrize(("row_name", "actor"), NOT_FOUND, ids=[f"{r}|{a}" for r, a in NOT_FOUND])
def test_outside_the_remit_is_answered_as_missing(
    server: Server, row_name: str, actor: str
) -> None:
    """What lies outside the caller's remit gets the answer what does not exist gets."""
    row = BY_NAME[row_name]
    missing = {"case": MISSING_CASE, "ref": MISSING_CASE, "usernames": [MISSING_OFFICE]}
    answers = []
    for params in (row.params, {k: missing.get(k, v) for k, v in row.params.items()}):
        template, headers = _caller(server, row, actor)
        answers.append(_call(server, replace(row, params=params), template, headers))
    there, absent = (problem(a) for a in answers)
    assert absent["status"] == 404
    existing = template.accounts["office"] if "usernames" in row.params else CASE
    missing_ref = MISSING_OFFICE if "usernames" in row.params else MISSING_CASE
    assert there == {**absent, "detail": absent["detail"].replace(missing_ref, existing)}


# --- the matrix itself ------------------------------------------------------------------


def test_the_matrix_covers_every_operation() -> None:
    public = {name for name, op in OPERATIONS.items() if op.login is Login.NONE}
    assert public == PUBLIC_BY_NATURE
    assert {row.operation for row in ROWS} == set(OPERATIONS) - PUBLIC_BY_NATURE
    assert len(BY_NAME) == len(ROWS), "two rows with one name"


def test_every_row_has_a_success_and_a_refusal() -> None:
    for row in ROWS:
        statuses = {expected(row, actor) for actor in ACTORS}
        assert statuses & {200, 201}, row.name
        assert statuses - {200, 201}, row.name


def test_the_rows_read_the_policy_as_written() -> None:
    """A few cells pinned, so that reading the policy wrongly shows."""
    pinned = {
        ("case.show", "other_supervisor"): 404,
        ("case.declare", "admin"): 403,
        ("case.declare", "other_office"): 404,
        ("case.review", "office"): 403,
        ("case.review", "supervisor"): 200,
        ("ranking (published)", "anonymous"): 200,
        ("ranking (unpublished)", "anonymous"): 401,
        ("user.activation_code", "other_supervisor"): 404,
        ("user.activation_code", "other_office"): 403,
        ("deadline.extend", "supervisor"): 403,
        ("campaign.create", "admin"): 201,
        ("session.password", "must_change"): 200,
        ("policy.show", "office"): 200,
        ("reminder.list", "office"): 403,
    }
    assert {cell: expected(BY_NAME[cell[0]], cell[1]) for cell in pinned} == pinned


# --- logging in and activating ----------------------------------------------------------


def test_logging_in(server: Server) -> None:
    template = server.reset("review", AT_REVIEW)
    opened = server.login("sup1")
    assert opened.status_code == 201
    assert opened.json()["must_change_password"] is False

    for username in ("sup1", "nobody"):
        answer = server.login(username, "not-the-password")
        assert answer.status_code == 401
        assert "wrong user name or password" in problem(answer)["detail"]
    # an office not activated yet: its national ID is no password
    answer = server.login(template.unactivated, template.unactivated)
    assert answer.status_code == 401
    assert "wrong user name or password" in problem(answer)["detail"]

    restricted = server.login("sup1-reset")
    assert restricted.status_code == 201
    assert restricted.json()["must_change_password"] is True

    for _ in range(4):  # sup1 has one wrong password counted already
        assert server.login("sup1", "not-the-password").status_code == 401
    answer = server.login("sup1")  # the right password, while locked
    assert answer.status_code == 401
    assert "locked until" in problem(answer)["detail"]
    assert answer.headers["WWW-Authenticate"] == "Bearer"


def test_activating(server: Server) -> None:
    template = server.reset("review", AT_REVIEW)
    office = template.unactivated
    code = issue_activation_code(server.db, actor=World.admin, username=office, now=AT_REVIEW)

    def activate(username: str, code: str) -> Any:
        given = {"username": username, "code": code, "new_password": NEW_PASSWORD}
        return server.http.post(f"{API}/session/activate", json=given)

    for username, wrong in ((office, "WRONG-CODE-0000"), ("sup1", code)):
        answer = activate(username, wrong)
        assert answer.status_code == 401
        assert problem(answer)["detail"].startswith("login as")
    answer = activate(office, code)
    assert answer.status_code == 200, answer.text
    assert server.login(office, NEW_PASSWORD).status_code == 201
    answer = activate(office, code)  # used up
    assert answer.status_code == 401
    problem(answer)

    for _ in range(5):
        assert server.login(office, "not-the-password").status_code == 401
    code = issue_activation_code(server.db, actor=World.admin, username=office, now=AT_REVIEW)
    answer = activate(office, code)  # the right code, while locked
    assert answer.status_code == 401
    assert "locked until" in problem(answer)["detail"]
