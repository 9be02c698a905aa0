"""An office's self-service in the browser's terms (HTML forms through the server):
sign in with the national ID, declare with Persian digits, see an error at its field,
correct after a referral (the region's reason shown), and forms without their token
refused."""

from __future__ import annotations

import re

import pytest
from fastapi.testclient import TestClient
from support import World, activate_account, tehran

from mohlat.clock import SimulatedClock
from mohlat.store import Database
from mohlat.web.app import create_app

PASSWORD = "my-office-pass-1"


@pytest.fixture
def office(db: Database) -> tuple[World, TestClient, SimulatedClock]:
    world = World(db).setup()
    activate_account(db, world.office_actors[1].name, PASSWORD, tehran(1400, 1, 10, 9))
    clock = SimulatedClock(tehran(1400, 1, 20, 10))
    return world, TestClient(create_app(db, clock=clock, settings={})), clock


def _token(html: str) -> str:
    found = re.search(r'name="form_token" value="([^"]+)"', html)
    assert found, "the page has no form token"
    return found.group(1)


def _sign_in(http: TestClient, username: str, password: str = PASSWORD) -> None:
    page = http.get("/login")
    done = http.post("/login", data={"form_token": _token(page.text), "username": username,
                                     "password": password}, follow_redirects=False)  # fmt: skip
    assert done.status_code == 303, done.text
    assert done.headers["location"] in ("/my", "/queue", "/admin", "/password")
    cookie = done.headers["set-cookie"].lower()
    assert "httponly" in cookie and "samesite=lax" in cookie


def test_an_office_declares_with_persian_digits_and_fixes_an_error(office: tuple) -> None:  # type: ignore[type-arg]
    world, http, _ = office
    national_id = world.office_actors[1].name
    _sign_in(http, "".join("۰۱۲۳۴۵۶۷۸۹"[int(d)] for d in national_id))  # typed in Persian digits
    mine = http.get("/my")
    assert "خوداظهاری" in mine.text and "مهلت خوداظهاری" in mine.text
    form = http.get("/my/declare")
    assert "فضای دفتر" in form.text and "(m²)" in form.text
    fields = {"field.office_space": "۶۴", "field.staff_count": "چهار", "field.location": "city",
              "field.holder_years": "٦"}  # fmt: skip
    refused = http.post("/my/declare", data={"form_token": _token(form.text), **fields})
    assert refused.status_code == 422
    assert 'id="staff_count-error"' in refused.text
    assert (
        'aria-invalid="true" aria-describedby="staff_count-error field-staff_count-hint"'
        in refused.text
    )
    fields["field.staff_count"] = "۴"
    done = http.post("/my/declare", data={"form_token": _token(refused.text), **fields},
                     follow_redirects=False)  # fmt: skip
    assert done.status_code == 303
    assert world.row(1).declaration["staff_count"] == 4
    assert world.row(1).declaration["office_space"] == 64


def test_the_correction_form_shows_the_regions_reason(office: tuple) -> None:  # type: ignore[type-arg]
    world, http, clock = office
    world.act("declare", 1, tehran(1400, 1, 20, 10))
    world.sweep(tehran(1400, 2, 6, 0, 5))
    world.act("refer", 1, tehran(1400, 2, 8, 10), text="the lease is missing")
    clock.set(tehran(1400, 2, 9, 10))
    _sign_in(http, world.office_actors[1].name)
    mine = http.get("/my")
    assert "ارجاع برای اصلاح" in mine.text and "/my/correct" in mine.text
    form = http.get("/my/correct")
    assert "the lease is missing" in form.text
    done = http.post("/my/correct", data={"form_token": _token(form.text),
                                          "field.staff_count": "5", "text": "attached"},
                     follow_redirects=False)  # fmt: skip
    assert done.status_code == 303
    assert world.state(1) == "regional_review"


def test_a_form_posted_without_its_token_is_refused(office: tuple) -> None:  # type: ignore[type-arg]
    world, http, _ = office
    _sign_in(http, world.office_actors[1].name)
    refused = http.post("/my/declare", data={"field.office_space": "64"})
    assert refused.status_code == 403
    assert "token" in refused.text
    assert world.case(1).declared_at is None
    http.cookies.clear()
    page = http.get("/login")
    forged = http.post("/login", data={"form_token": "forged", "username": "x", "password": "y"})
    assert forged.status_code == 403 and _token(page.text) != "forged"


def test_a_wrong_password_is_said_at_the_form(office: tuple) -> None:  # type: ignore[type-arg]
    world, http, _ = office
    page = http.get("/login")
    again = http.post("/login", data={"form_token": _token(page.text),
                                      "username": world.office_actors[1].name,
                                      "password": "wrong"})  # fmt: skip
    assert again.status_code == 401
    assert "wrong user name or password" in again.text


def test_pages_need_a_session(office: tuple) -> None:  # type: ignore[type-arg]
    _, http, _ = office
    assert http.get("/my", follow_redirects=False).headers["location"] == "/login"
