"""The HTTP API: logging in, acting, refusals as problem documents, health."""

from __future__ import annotations

from datetime import timedelta

import pytest
from served import API, PASSWORD, Site, problem
from support import tehran

from mohlat.api.catalog import OPERATIONS

DECLARATION = {"office_space": "۶۴", "staff_count": "٤", "location": "city", "holder_years": 6}


def test_health_and_readiness(site: Site) -> None:
    assert site.http.get("/healthz").json() == {"status": "ok"}
    ready = site.http.get("/readyz")
    assert ready.status_code == 200
    body = ready.json()
    assert body["ready"] is True
    assert body["schema_revision"] == body["schema_head"]
    assert body["deadlines_due"] == 0 and body["lag_seconds"] == 0


def test_readiness_reports_the_lag_of_deadlines_no_sweep_applied(site: Site) -> None:
    site.clock.set(tehran(1400, 2, 6, 0, 0, 10))  # 10 s after the window closed
    body = site.http.get("/readyz").json()
    assert body["deadlines_due"] == 9
    assert 10 <= body["lag_seconds"] < 11
    site.world.sweep(site.clock.now())
    body = site.http.get("/readyz").json()
    assert body["deadlines_due"] == 0
    assert body["last_sweep_at"].startswith("2021-04-25T19:30:10")


def test_every_operation_is_in_the_openapi_document(site: Site) -> None:
    document = site.http.get("/openapi.json").json()
    operations = {
        op["operationId"].split("_api_")[0] if "_api_" in op["operationId"] else op["summary"]
        for path in document["paths"].values()
        for op in path.values()
    }
    assert len(operations) >= len(OPERATIONS)
    paths = set(document["paths"])
    for op in OPERATIONS.values():
        assert API + op.path in paths, op.name
    assert "HTTPBearer" in document["components"]["securitySchemes"]


def test_an_office_declares_with_persian_digits_and_sees_its_case(site: Site) -> None:
    headers = site.as_(site.office)
    done = site.http.post(f"{API}/actions/declare", json={"fields": DECLARATION}, headers=headers)
    assert done.status_code == 200, done.text
    assert done.json()["state"] == "declaring"
    assert done.json()["declaration"]["staff_count"] == 4
    shown = site.http.get(f"{API}/cases/1", headers=headers).json()
    assert shown["case"]["declared_at"] is not None
    assert [e["action"] for e in shown["events"]][-1] == "declare"


def test_bad_input_names_the_field_and_what_is_allowed(site: Site) -> None:
    headers = site.as_(site.office)
    answer = site.http.post(
        f"{API}/actions/declare",
        json={"fields": {**DECLARATION, "staff_count": "many"}},
        headers=headers,
    )
    assert answer.status_code == 422
    body = problem(answer)
    assert body["field"] == "staff_count"
    assert body["exit_code"] == 2
    assert "many" in body["detail"]


def test_a_wrongly_typed_parameter_is_a_problem_naming_it(site: Site) -> None:
    answer = site.http.get(f"{API}/cases?region=ten", headers=site.as_("admin"))
    assert answer.status_code == 422
    assert problem(answer)["field"] == "region"
    answer = site.http.get(f"{API}/cases?colour=red", headers=site.as_("admin"))
    assert answer.status_code == 422
    assert problem(answer)["field"] == "colour"


def test_no_token_is_401_and_another_regions_case_is_not_found(site: Site) -> None:
    answer = site.http.get(f"{API}/cases/1")
    assert answer.status_code == 401
    assert "log in first" in problem(answer)["detail"]
    answer = site.http.get(f"{API}/cases/1", headers=site.as_("sup2"))
    assert answer.status_code == 404
    assert problem(answer)["detail"] == "case '1' not found"


def test_a_rule_refusal_is_409_with_the_clis_message(site: Site) -> None:
    headers = site.as_("sup1")
    answer = site.http.post(f"{API}/actions/approve", json={"case": "1"}, headers=headers)
    assert answer.status_code == 409
    body = problem(answer)
    assert body["exit_code"] == 1
    assert "'approve' is not allowed in state 'declaring'" in body["detail"]


def test_a_declaration_after_the_window_is_refused_by_the_server_clock(site: Site) -> None:
    site.clock.set(tehran(1400, 2, 6, 0, 0, 0))
    headers = site.as_(site.office)
    answer = site.http.post(f"{API}/actions/declare", json={"fields": DECLARATION}, headers=headers)
    assert answer.status_code == 409
    assert "1400/02/05 23:59:59" in problem(answer)["detail"]


def test_a_wrong_password_is_401_and_counts_toward_the_lockout(site: Site) -> None:
    for _ in range(5):
        answer = site.http.post(f"{API}/session", json={"username": "sup1", "password": "nope"})
        assert answer.status_code == 401
    answer = site.http.post(f"{API}/session", json={"username": "sup1", "password": PASSWORD})
    assert answer.status_code == 401
    assert "locked until" in problem(answer)["detail"]


def test_logout_ends_the_token(site: Site) -> None:
    headers = site.as_("admin")
    assert site.http.get(f"{API}/users", headers=headers).status_code == 200
    assert site.http.delete(f"{API}/session", headers=headers).status_code == 200
    answer = site.http.get(f"{API}/users", headers=headers)
    assert answer.status_code == 401
    assert "log in again" in problem(answer)["detail"]


def test_a_token_expires(site: Site) -> None:
    headers = site.as_("admin")
    site.clock.advance(timedelta(hours=13))
    assert site.http.get(f"{API}/users", headers=headers).status_code == 401


def test_a_password_change_closes_the_accounts_sessions(site: Site) -> None:
    first, second = site.as_("sup1"), site.as_("sup1")
    answer = site.http.post(
        f"{API}/session/password", json={"new_password": "a-new-pass-456"}, headers=first
    )
    assert answer.status_code == 200, answer.text
    assert site.http.get(f"{API}/cases", headers=second).status_code == 401
    assert site.token("sup1", "a-new-pass-456")


def test_logins_are_rate_limited_per_address(db: object) -> None:
    from mohlat.clock import SimulatedClock
    from mohlat.web.limits import LoginLimits, SlidingWindow

    limited = Site(db, SimulatedClock(tehran(1400, 1, 20, 10)),  # type: ignore[arg-type]
                   LoginLimits(SlidingWindow(3), SlidingWindow(100)))  # fmt: skip
    for _ in range(3):
        limited.http.post(f"{API}/session", json={"username": "x", "password": "y"})
    answer = limited.http.post(f"{API}/session", json={"username": "admin", "password": PASSWORD})
    assert answer.status_code == 429
    assert int(answer.headers["Retry-After"]) >= 1
    assert "too many login attempts from this address" in problem(answer)["detail"]


def test_an_unknown_path_is_a_problem_too(site: Site) -> None:
    answer = site.http.get(f"{API}/nothing-here")
    assert answer.status_code == 404
    problem(answer)


def test_the_readme_lists_every_operation_as_it_is() -> None:
    from pathlib import Path

    from mohlat.api.catalog import operations_markdown

    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text(encoding="utf-8")
    assert operations_markdown() in readme


# --- inputs the OpenAPI fuzz (test_openapi_fuzz.py) found: each was a 500, or a 422 that
# named no field


def test_a_declared_integer_of_thousands_of_digits_is_refused_naming_it(site: Site) -> None:
    """Python reads no integer of over 4300 digits: it raised ValueError, a 500."""
    fields = {**DECLARATION, "office_space": "9" * 5000}
    answer = site.http.post(
        f"{API}/actions/declare", json={"fields": fields}, headers=site.as_(site.office)
    )
    assert answer.status_code == 422
    assert problem(answer)["field"] == "office_space"


def test_an_association_score_beyond_a_float_is_refused_naming_it(site: Site) -> None:
    """A JSON integer too large for a float raised OverflowError, a 500."""
    answer = site.http.post(
        f"{API}/actions/review",
        content='{"case": "1", "association_score": 1' + "0" * 400 + "}",
        headers={**site.as_("admin"), "Content-Type": "application/json"},
    )
    assert answer.status_code == 422
    assert problem(answer)["field"] == "association"


@pytest.mark.parametrize(
    ("fields", "field"),
    [({**DECLARATION, "": -0.0}, "declaration"), ({**DECLARATION, " ": 1}, "declaration")],
    ids=["empty", "blank"],
)
def test_a_field_without_a_name_is_refused_naming_the_declaration(
    site: Site, fields: dict[str, object], field: str
) -> None:
    """The refusal named the field "", which names nothing."""
    answer = site.http.post(
        f"{API}/actions/declare", json={"fields": fields}, headers=site.as_(site.office)
    )
    assert answer.status_code == 422
    assert problem(answer)["field"] == field


def test_a_violation_without_a_name_is_refused_naming_the_violations(site: Site) -> None:
    answer = site.http.post(
        f"{API}/actions/review",
        json={"case": "1", "violations": {"": 1}},
        headers=site.as_("admin"),
    )
    assert answer.status_code == 422
    assert problem(answer)["field"] == "violations"


@pytest.mark.parametrize("where", ["fields", "violations"])
def test_a_refusal_quoting_a_lone_surrogate_is_still_sent(site: Site, where: str) -> None:
    """JSON may escape a lone surrogate as an object's key; UTF-8 cannot carry it, so
    rendering the refusal that quotes it raised UnicodeEncodeError, a 500."""
    who, body = {
        "fields": (site.office, '{"fields": {"\\ud800": 1}}'),
        "violations": ("admin", '{"case": "1", "violations": {"\\ud800": 1}}'),
    }[where]
    answer = site.http.post(
        f"{API}/actions/{'declare' if where == 'fields' else 'review'}",
        content=body,
        headers={**site.as_(who), "Content-Type": "application/json"},
    )
    assert answer.status_code == 422
    assert problem(answer)["field"] == "\ufffd"


NESTED_ARRAYS = "x = " + "[" * 1000 + "]" * 1000


@pytest.mark.parametrize(
    "rubric",
    [
        NESTED_ARRAYS,
        "x = " + "{a=" * 1000 + "1" + "}" * 1000,
        "[" + "a." * 1000 + "a]",
        "x = " + "1" * 5000,
        "x = 0x" + "f" * 5000,
        "x = " + "9" * 400,
    ],
    ids=["nested-arrays", "nested-tables", "dotted-keys", "5000-digits", "huge-hex", "400-digits"],
)
def test_a_rubric_nested_too_deeply_or_with_a_huge_number_is_refused(
    site: Site, rubric: str
) -> None:
    """tomllib recursed past Python's limit (RecursionError), or printing the value
    refused did (a value 1000 deep, an integer of over 4300 digits), or reading a number
    as a float overflowed: each a 500."""
    answer = site.http.post(
        f"{API}/campaigns",
        json={
            "code": "1401-1",
            "first_day": "1401/01/17",
            "last_day": "1401/02/05",
            "rubric": rubric,
        },
        headers=site.as_("admin"),
    )
    assert answer.status_code == 422
    assert "rubric" in problem(answer)["field"]


def test_a_heads_file_nested_too_deeply_is_refused(site: Site) -> None:
    """json.loads recursed past Python's limit: RecursionError, a 500."""
    from fastapi.testclient import TestClient

    from mohlat.web.app import create_app

    keyed = create_app(site.db, clock=site.clock, settings={"MOHLAT_CHAIN_KEY": "k" * 32})
    answer = TestClient(keyed).post(
        f"{API}/verify", json={"heads": "[" * 100_000}, headers=site.as_("admin")
    )
    assert answer.status_code == 422
    assert problem(answer)["field"] == "heads file"


def test_a_boolean_is_not_taken_for_a_number(site: Site) -> None:
    answer = site.http.post(
        f"{API}/actions/declare",
        json={"fields": {**DECLARATION, "office_space": True}},
        headers=site.as_(site.office),
    )
    assert answer.status_code == 422
    assert problem(answer)["field"].startswith("fields.office_space")
