"""The public pages: the ranking of a published campaign with its filters, search and
pages, its numbers, an office's standing; nothing personal on any of them."""

from __future__ import annotations

import re

import pytest
from fastapi.testclient import TestClient
from support import World, tehran

from mohlat.clock import SimulatedClock
from mohlat.store import Database
from mohlat.web.app import create_app
from mohlat.web.security import CSP


@pytest.fixture
def published(db: Database) -> tuple[World, TestClient]:
    world = World(db).setup(offices=27)
    for case in world.case_ids:
        world.act("declare", case, tehran(1400, 1, 20, 10))
    world.sweep(tehran(1400, 2, 6, 0, 5))
    for case in world.case_ids:
        world.act("approve", case, tehran(1400, 2, 8, 10))
    world.sweep(tehran(1400, 2, 16, 0, 5))
    clock = SimulatedClock(tehran(1400, 2, 17, 10))
    return world, TestClient(create_app(db, clock=clock, settings={}))


def _offices(html: str) -> list[str]:
    return re.findall(r"/ranking/offices/(P\d+)\?", html)


def test_the_ranking_is_public_in_persian_right_to_left(
    published: tuple[World, TestClient],
) -> None:
    _, http = published
    page = http.get("/ranking")
    assert page.status_code == 200
    assert '<html lang="fa" dir="rtl">' in page.text
    assert "جدول رتبه‌بندی دوره" in page.text
    assert len(_offices(page.text)) == 27
    assert page.headers["content-security-policy"] == CSP
    assert "<script" not in page.text and "style=" not in page.text


def test_every_answer_carries_the_security_headers_but_the_api_docs(
    published: tuple[World, TestClient],
) -> None:
    _, http = published
    for path in ("/ranking", "/ranking/offices/NOPE", "/healthz", "/api/v1/nope", "/static/x"):
        headers = http.get(path).headers
        assert headers["content-security-policy"] == CSP, path
        assert (headers["x-frame-options"], headers["x-content-type-options"]) == (
            "DENY",
            "nosniff",
        )
        assert headers["referrer-policy"] == "same-origin"
    assert "content-security-policy" not in http.get("/api/docs").headers


def test_filtered_by_region_it_shows_only_that_regions_offices(
    published: tuple[World, TestClient],
) -> None:
    _, http = published
    page = http.get("/ranking?region=3")
    shown = _offices(page.text)
    region_3 = sorted(f"P{i:05d}" for i in range(1, 28) if (i - 1) % 9 + 1 == 3)
    assert sorted(shown) == region_3
    assert "۳ دفتر" in page.text


def test_search_by_code_and_pages(published: tuple[World, TestClient]) -> None:
    _, http = published
    assert _offices(http.get("/ranking?q=p00012").text) == ["P00012"]
    assert "دفتری با این مشخصات در جدول نیست" in http.get("/ranking?q=nothing").text


def test_an_offices_page_shows_its_rank_and_score_lines_in_persian(
    published: tuple[World, TestClient],
) -> None:
    world, http = published
    page = http.get("/ranking/offices/P00001")
    assert page.status_code == 200
    assert "فضای دفتر" in page.text  # the rubric's Persian label
    assert "مهلت اعتراض" in page.text and "می‌تواند تا" in page.text
    national_ids = [a.name for a in world.office_actors.values()]
    assert not any(n in page.text for n in national_ids)
    assert "office_space" not in page.text


def test_no_page_shows_a_national_id(published: tuple[World, TestClient]) -> None:
    world, http = published
    text = http.get("/ranking").text + http.get("/ranking?region=1").text
    assert not any(a.name in text for a in world.office_actors.values())


def test_an_unpublished_campaign_is_not_public(db: Database) -> None:
    World(db).setup()
    http = TestClient(create_app(db, clock=SimulatedClock(tehran(1400, 1, 20)), settings={}))
    page = http.get("/ranking")
    assert page.status_code == 401
    assert "log in first" in page.text
    assert http.get("/ranking/offices/P00001").status_code == 401


def test_an_unknown_office_is_not_found(published: tuple[World, TestClient]) -> None:
    _, http = published
    assert http.get("/ranking/offices/P99999").status_code == 404
