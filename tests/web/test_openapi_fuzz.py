"""Fuzzing the HTTP API from its own OpenAPI document (schemathesis, in process).

Every operation of ``/openapi.json`` is sent requests that schemathesis generates from
the schemas of its parameters, valid ones and not (wrong types, values out of range,
NUL and other control characters, odd unicode): as an admin, with the boundary cases of
schemathesis's coverage phase too (and a method each path does not take); in a smaller
pass anonymously; and as an office on the case and score operations (an office alone
declares, corrects and appeals). Known names are mixed into what it generates (case ids, office
codes, the campaign, user names, the rubric's fields, Jalali days, the default rubric
with one number changed, a signed heads file, numbers at the edges), so that requests
get past "not found" into the services' rules.

What must hold of every answer: no server error (5xx); every refusal (4xx) a problem
document whose ``status`` is the HTTP status and whose ``detail`` says something, and
every 422 naming the ``field``; every answer as the document declares it.

Each operation starts from a fresh copy of a prepared database (so SQLite only, as the
access matrix); its examples may change that copy. The run is bounded (about 2,700
requests) and derandomized: the same requests on every run.
"""

from __future__ import annotations

import os
import re
import shutil
import sqlite3
import time
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
import schemathesis
from fastapi import FastAPI
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from schemathesis import Case, CheckContext, Response
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import response_schema_conformance
from served import API, PASSWORD
from support import DECLARATION, World, activate_account, tehran

from mohlat.api.catalog import OPERATIONS
from mohlat.api.operations import path_fields
from mohlat.clock import SimulatedClock
from mohlat.identity import make_national_id
from mohlat.scoring import default_rubric
from mohlat.services.accounts import add_user
from mohlat.services.heads import CHAIN_KEY_ENV, chain_key, export_heads
from mohlat.store import Database
from mohlat.web.app import create_app
from mohlat.web.limits import LoginLimits, SlidingWindow
from mohlat.workflow.definition import Role, State

pytestmark = pytest.mark.skipif(
    bool(os.environ.get("MOHLAT_TEST_DB")),
    reason="copies SQLite files; the API's handling of input is database-neutral",
)

#: examples per operation (schemathesis's coverage phase adds its boundary cases);
#: MOHLAT_FUZZ_SCALE=10 makes a run ten times as long, for a deeper search by hand
SCALE = int(os.environ.get("MOHLAT_FUZZ_SCALE", "1"))
ADMIN_EXAMPLES = 15 * SCALE
OFFICE_EXAMPLES = 40 * SCALE
ANONYMOUS_EXAMPLES = 4 * SCALE

SETTINGS = {CHAIN_KEY_ENV: "a chain key for the fuzz tests only"}
AT_DECLARING = tehran(1400, 1, 21, 10)  # the declaration window open
AT_REVIEW = tehran(1400, 2, 8, 10)  # every case declared, in regional review

# --- what is known of the world (tests/support.py World, as the server tests set it up)

OFFICES = [f"P{i:05d}" for i in range(1, 10)]
HOLDERS = [make_national_id(f"{100000000 + i * 37:09d}") for i in range(1, 10)]
CRITERIA = [criterion.code for criterion in default_rubric().criteria]
VIOLATIONS = [violation.code for violation in default_rubric().violations]
DEFAULT_RUBRIC = default_rubric().text
_NUMBER_LITERAL = re.compile(r"(?<=[=\[,{] )-?[0-9][0-9.]*")
_RUBRIC_NUMBERS = [m.span() for m in _NUMBER_LITERAL.finditer(DEFAULT_RUBRIC)]

#: a signed heads file of the world (filled in when the templates are made)
HEADS: dict[str, str] = {"text": "{}"}

# --- strategies of values that get somewhere --------------------------------------

_DIGITS = "0123456789۰۱۲۳۴۵۶۷۸۹٠١٢٣٤٥٦٧٨٩"
#: numbers a form or a client may send: edges (as often as the rest), then anything
_EDGES = [0, -1, 64, 64.0, 0.5, 10**18 - 1, 10**18, 2**63, 10**309, 10**400, 1e308, 5e-324]
_TYPED = ["", " ", "۱۲۰", "١٢٠", "12٫5", "+5", "−3", "1e5", "9" * 19, "9" * 4301, "city", "بله"]
NUMBERS = st.one_of(
    st.sampled_from([*_EDGES, True, *_TYPED]),
    st.integers(),
    st.floats(allow_nan=False, allow_infinity=False),
    st.text(_DIGITS + "+-.٫ e", max_size=24),
)
TEXT = st.one_of(st.text(max_size=40), st.sampled_from(["\x00", "a\u202eb", "x" * 2001]))
REFS = st.sampled_from(["1", "5", "9", "10", "0", "-1", "۱", "٣", "p00001", "9" * 30, *OFFICES])
CAMPAIGNS = st.sampled_from(["1400-2", "1400-1", "1401-1", "۱۴۰۰-۲", " 1400-2 ", "-"])
_IN_PERSIAN = str.maketrans("0123456789", "۰۱۲۳۴۵۶۷۸۹")
USERNAMES = st.sampled_from(
    ["admin", "Admin", "sup1", "sup2", "nobody", *HOLDERS, HOLDERS[0].translate(_IN_PERSIAN)]
)
_ODD_DAYS = ["1399/12/30", "1403/12/30", "1400/12/30", "۱۴۰۰/۰۲/۱۰", "1400-2-10", "9999/12/29"]
_ODD_DAYS += ["10 اردیبهشت 1400", "1400/02/10 23:59", "0001/01/01"]
DAYS = st.one_of(
    st.builds(
        "{}/{:02}/{:02}".format, st.integers(1290, 1510), st.integers(0, 13), st.integers(0, 32)
    ),
    st.builds("1400/{:02}/{:02}".format, st.integers(1, 4), st.integers(1, 31)),
    st.sampled_from(_ODD_DAYS),
)
SPANS = st.one_of(
    st.from_regex(r"[0-9۰-۹]{1,20}[dhmDHM]", fullmatch=True),
    st.sampled_from(["3d", "12h", "90m", "365d", "366d", "0d"]),
)
PASSWORDS = st.sampled_from([PASSWORD, "another-pass-1", "short", "x" * 1024, "\x00" * 12])


#: how deep to nest a document (Python recurses once or twice per level)
DEPTHS = st.sampled_from([9, 400, 1000, 5000])


def _rubric_with(index: int, literal: str) -> str:
    start, end = _RUBRIC_NUMBERS[index % len(_RUBRIC_NUMBERS)]
    return DEFAULT_RUBRIC[:start] + literal + DEFAULT_RUBRIC[end:]


_LITERALS = ["1e300", "-1e300", "nan", "inf", "1e15", "999999999999999", "-0", "1.005"]
_LITERALS += ["1" * 5000, "0x" + "f" * 400, "[1]", "'1'"]
RUBRICS = st.one_of(  # the default rubric with one number changed, or nested deep
    st.builds(
        _rubric_with,
        st.integers(0, len(_RUBRIC_NUMBERS) - 1),
        st.one_of(st.integers().map(str), st.sampled_from(_LITERALS)),
    ),
    DEPTHS.map(lambda n: "x = " + "[" * n + "]" * n),
    DEPTHS.map(lambda n: "[" + "a." * n + "a]"),
)
HEADS_TEXTS = st.one_of(
    st.builds(lambda: HEADS["text"]),
    st.builds(
        lambda n: HEADS["text"].replace('"event_count": ', f'"event_count": {n}', 1), st.integers()
    ),
    DEPTHS.map(lambda n: "[" * n + "]" * n),
    DEPTHS.map(lambda n: '{"format": "mohlat-heads/1", "x": ' + "[" * n + "]" * n + "}"),
)
CSV_CELLS = st.tuples(
    st.one_of(st.sampled_from(["P77777", OFFICES[0], "۱۲", "a b"]), TEXT),
    TEXT,
    st.one_of(st.sampled_from(["pishkhan", "rural_ict"]), TEXT),
    st.one_of(st.integers(-1, 12).map(str), st.sampled_from(["9" * 30, "۳"]), TEXT),
    st.one_of(st.sampled_from(["province-1", "Kerman"]), TEXT),
    st.one_of(st.sampled_from([make_national_id("007777771"), HOLDERS[0], "1" * 10]), TEXT),
)
CSVS = CSV_CELLS.map(
    lambda cells: "code,name,kind,region,province,national_id\n" + ",".join(cells) + "\n"
)
DECLARATIONS = st.one_of(  # mostly a valid declaration with one field changed
    st.builds(lambda k, v: {**DECLARATION, k: v}, st.sampled_from(CRITERIA), NUMBERS),
    st.builds(lambda k, v: {**DECLARATION, k: v}, st.text(max_size=3), NUMBERS),
    st.dictionaries(st.sampled_from(CRITERIA) | st.text(max_size=3), NUMBERS, max_size=7),
)

#: a parameter's name → values worth trying for it (beside what schemathesis generates)
KNOWN: dict[str, st.SearchStrategy[Any]] = {
    "ref": REFS,
    "case": REFS,
    "campaign": CAMPAIGNS,
    "username": USERNAMES,
    "usernames": st.lists(USERNAMES, max_size=3),
    "first_day": DAYS,
    "last_day": DAYS,
    "to": DAYS,
    "window": st.sampled_from(["declaration", "review", "appeal"]),
    "within": SPANS,
    "days": st.integers(-1, 400),
    "year": st.integers(1290, 1510),
    "region": st.integers(0, 10),
    "regions": st.lists(st.integers(0, 10), max_size=3),
    "provinces": st.lists(st.sampled_from(["province-1", "province-9", "Tehran", ""]), max_size=3),
    "closure": st.integers(0, 3),
    "role": st.sampled_from(["admin", "supervisor", "office", "Supervisor"]),
    "state": st.sampled_from([*(s.value for s in State), "Declaring", "x"]),
    "min_grade": st.sampled_from(["A", "B", "C", "D", "E", "a", " A"]),
    "fields": DECLARATIONS,
    "violations": st.dictionaries(
        st.sampled_from(VIOLATIONS) | st.text(max_size=3), NUMBERS, max_size=4
    ),
    "association_score": NUMBERS,
    "disputes": st.lists(st.sampled_from([*CRITERIA, *VIOLATIONS, "association", "x"]), max_size=4),
    "if_version": st.integers(-1, 20),
    "reason": TEXT,
    "password": PASSWORDS,
    "new_password": PASSWORDS,
    "temporary": PASSWORDS,
    "rubric": RUBRICS,
    "heads": HEADS_TEXTS,
}


def _known(key: str, path: str) -> st.SearchStrategy[Any] | None:
    """The values worth trying for parameter ``key`` of the operation at ``path``."""
    if key == "code":  # a campaign's code, or an activation code
        return CAMPAIGNS if "campaign" in path else None
    if key == "text":  # an office import's CSV, or an action's free text
        return CSVS if path.endswith("/offices/import") else TEXT
    return KNOWN.get(key)


#: each operation's parameters sent in its query or body, by method and path
_SENT = {
    (op.method, API + op.path): [n for n in op.params.model_fields if n not in path_fields(op.path)]
    for op in OPERATIONS.values()
}


def _mixed_in(context: Any, values: Any) -> st.SearchStrategy[Any]:
    """``values`` (a query or body generated) with each known parameter kept or replaced
    by a value worth trying, and known parameters it left out sometimes added."""
    operation = context.operation
    path = operation.path
    if values is None and _SENT.get((operation.method.upper(), path)):
        values = {}
    if not isinstance(values, dict):
        return st.just(values)
    drawn = {}
    for key, value in values.items():
        known = _known(key, path)
        drawn[key] = st.just(value) if known is None else st.one_of(st.just(value), known)
    absent = {
        name: known
        for name in _SENT.get((operation.method.upper(), path), ())
        if name not in values and (known := _known(name, path)) is not None
    }
    return st.fixed_dictionaries(drawn, optional=absent)


def _path_mixed_in(context: Any, values: Any) -> st.SearchStrategy[Any]:
    """Path parameters, each kept or replaced by a value worth trying."""
    if not isinstance(values, dict):
        return st.just(values)
    path = context.operation.path
    return st.fixed_dictionaries(
        {
            key: st.just(value) if known is None else st.one_of(st.just(value), known)
            for key, value in values.items()
            for known in [_known(key, path)]
        }
    )


# --- the checks -------------------------------------------------------------------

#: what the runs sent and got, for the summary
ANSWERS: Counter[tuple[str, int]] = Counter()


def counted(ctx: CheckContext, response: Response, case: Case) -> bool | None:
    """Not a check: counts the answers, for the summary."""
    ANSWERS[(case.operation.label, response.status_code)] += 1
    return None


def refusals_are_problems(ctx: CheckContext, response: Response, case: Case) -> bool | None:
    """Every 4xx is a problem document whose status is the HTTP status and whose detail
    says something; every 422 names the field at fault."""
    status = response.status_code
    if not 400 <= status < 500:
        return None
    kind = response.headers.get("content-type", [""])[0]
    assert kind.startswith("application/problem+json"), f"{status} as {kind!r}: {response.text}"
    body = response.json()
    assert isinstance(body, dict), response.text
    assert body.get("status") == status, response.text
    assert isinstance(body.get("detail"), str), response.text
    assert body["detail"].strip(), response.text
    if status == 422:
        assert isinstance(body.get("field"), str), response.text
        assert body["field"].strip(), response.text
    return None


CHECKS = [not_a_server_error, refusals_are_problems, response_schema_conformance, counted]


# --- the worlds ---------------------------------------------------------------------


@dataclass(frozen=True)
class Template:
    """A prepared database file, the instant it is served at, and tokens valid then."""

    path: Path
    at: datetime
    tokens: dict[str, str]


def _app(db: Database, at: datetime) -> FastAPI:
    limits = LoginLimits(SlidingWindow(10**9), SlidingWindow(10**9))
    return create_app(db, clock=SimulatedClock(at), settings=SETTINGS, limits=limits)


def _template(path: Path, *, declared: bool) -> Template:
    """The world: 9 offices (their cases 1-9), an admin, two supervisors, offices 1 and
    2 activated; and, when ``declared``, every case declared and in regional review."""
    db = Database(f"sqlite:///{path}")
    db.create_schema()
    world = World(db).setup()
    before = tehran(1400, 1, 10, 9)
    for name, role, region in (
        ("admin", Role.ADMIN, None),
        ("sup1", Role.SUPERVISOR, 1),
        ("sup2", Role.SUPERVISOR, 2),
    ):
        add_user(
            db, actor=None, username=name, password=PASSWORD, role=role, region=region, now=before
        )
    for case in (1, 2):
        activate_account(db, world.office_actors[case].name, PASSWORD, before)
    at = AT_DECLARING
    if declared:
        for case in world.case_ids:
            world.act("declare", case, tehran(1400, 1, 20, 10))
        world.sweep(tehran(1400, 2, 6, 0, 5))
        at = AT_REVIEW
        HEADS["text"] = export_heads(db, actor=World.admin, key=chain_key(SETTINGS))
    http = TestClient(_app(db, at))
    tokens = {}
    for who in ("admin", world.office_actors[1].name):
        answer = http.post(f"{API}/session", json={"username": who, "password": PASSWORD})
        assert answer.status_code == 201, answer.text
        tokens["office" if who != "admin" else who] = answer.json()["token"]
    db.dispose()
    with sqlite3.connect(path) as conn:  # fold the write-ahead log into the file
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    return Template(path, at, tokens)


@dataclass
class Served:
    """A template's world served: its app on a database file that each test starts
    afresh (an app is built once per template: building one takes longer than most
    operations' examples)."""

    template: Template
    path: Path
    db: Database
    app: FastAPI

    def fresh(self) -> Served:
        """The template's world again, whatever the last operation's examples did."""
        self.db.dispose()  # the connections to the old file closed (and its log folded)
        for log in (self.path.with_name(self.path.name + "-wal"),
                    self.path.with_name(self.path.name + "-shm")):  # fmt: skip
            log.unlink(missing_ok=True)
        shutil.copyfile(self.template.path, self.path)
        return self

    def bearer(self, who: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.template.tokens[who]}"}


def _serve(template: Template) -> Iterator[Served]:
    path = template.path.with_name(f"served-{template.path.name}")
    shutil.copyfile(template.path, path)
    db = Database(f"sqlite:///{path}")
    yield Served(template, path, db, _app(db, template.at))
    db.dispose()


@pytest.fixture(scope="module")
def served_in_review(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    folder = tmp_path_factory.mktemp("fuzz-review")
    yield from _serve(_template(folder / "review.db", declared=True))


@pytest.fixture(scope="module")
def served_declaring(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    folder = tmp_path_factory.mktemp("fuzz-declaring")
    yield from _serve(_template(folder / "declaring.db", declared=False))


@pytest.fixture
def in_review(served_in_review: Served) -> Served:
    """The world with every case in regional review, afresh for this operation."""
    return served_in_review.fresh()


@pytest.fixture
def declaring(served_declaring: Served) -> Served:
    """The world in its declaration window, afresh for this operation."""
    return served_declaring.fresh()


# --- the runs -----------------------------------------------------------------------


def _schema(*, coverage: bool) -> Any:
    """The document, read from an app on an empty in-memory database (what it describes
    does not depend on the data), with the known values mixed in; each example is sent
    to its own test's app. ``coverage``: also the boundary cases of schemathesis's
    coverage phase (and the methods each path does not take)."""
    config = schemathesis.Config.from_dict(
        {
            "seed": 1400,
            # one method a path does not take is enough to see its 405 is a problem too
            "phases": {"coverage": {"enabled": coverage, "unexpected-methods": ["PATCH"]}},
            # the token is the test's: no made-up Authorization headers, none left out
            "generation": {"with-security-parameters": False},
        }
    )
    loaded = schemathesis.openapi.from_asgi(
        "/openapi.json", create_app(Database("sqlite://"), settings=SETTINGS), config=config
    )
    loaded.hook("flatmap_body")(_mixed_in)
    loaded.hook("flatmap_query")(_mixed_in)
    loaded.hook("flatmap_path_parameters")(_path_mixed_in)
    return loaded


schema = _schema(coverage=True)
quick_schema = _schema(coverage=False)

_FUZZ = {
    "deadline": None,
    "derandomize": True,  # the same requests on every run
    "database": None,  # nothing remembered between runs either
    "suppress_health_check": list(HealthCheck),
}
STARTED = time.monotonic()


@schema.parametrize()
@settings(max_examples=ADMIN_EXAMPLES, **_FUZZ)
def test_as_admin(case: Case, in_review: Served) -> None:
    case.call_and_validate(app=in_review.app, headers=in_review.bearer("admin"), checks=CHECKS)


@quick_schema.parametrize()
@settings(max_examples=ANONYMOUS_EXAMPLES, **_FUZZ)
def test_anonymously(case: Case, in_review: Served) -> None:
    case.call_and_validate(app=in_review.app, checks=CHECKS)


@quick_schema.include(tag=["case", "score"]).parametrize()
@settings(max_examples=OFFICE_EXAMPLES, **_FUZZ)
def test_as_an_office(case: Case, declaring: Served) -> None:
    case.call_and_validate(app=declaring.app, headers=declaring.bearer("office"), checks=CHECKS)


def teardown_module() -> None:
    """How much was sent (seen with ``pytest -s``)."""
    statuses = Counter[int]()
    for (_operation, status), n in ANSWERS.items():
        statuses[status] += n
    seconds = time.monotonic() - STARTED
    print(f"\nfuzzed: {sum(statuses.values())} requests in {seconds:.0f} s, {dict(statuses)}")
