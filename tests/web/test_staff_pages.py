"""The region's and the administrator's pages in the browser's terms (HTML forms
through the server): a supervisor's queue ordered by deadline, referring, reviewing,
approving and deciding an appeal from the case page with errors at their field, a
case of another region "not found", forms without their token refused; the
administrator's dashboard, a case's timeline with its chain status, and closing days
and extending windows with how many deadlines moved."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import timedelta
from html.parser import HTMLParser

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import text
from support import World, activate_account, tehran

from mohlat.clock import SimulatedClock
from mohlat.services.accounts import add_user
from mohlat.services.due import due_soon
from mohlat.store import Database
from mohlat.web.app import create_app
from mohlat.web.persian import fa_when
from mohlat.workflow.definition import STATES, Role

PASSWORD = "staff-pass-123"
AT = tehran(1400, 1, 10, 9)


@dataclass
class Site:
    world: World
    db: Database
    clock: SimulatedClock

    def client(self, username: str) -> TestClient:
        """A browser signed in as ``username``."""
        http = TestClient(create_app(self.db, clock=self.clock, settings={}))
        page = http.get("/login")
        done = http.post("/login", data={"form_token": _token(page.text), "username": username,
                                         "password": PASSWORD}, follow_redirects=False)  # fmt: skip
        assert done.status_code == 303, done.text
        return http


@pytest.fixture
def site(db: Database) -> Site:
    """27 offices (region 1's are cases 1, 10 and 19), every one but case 19 declared,
    the declaration window closed: in regional review (case 19 lapsed)."""
    world = World(db).setup(offices=27)
    for name, role, region in (("admin", Role.ADMIN, None), ("sup1", Role.SUPERVISOR, 1),
                               ("sup2", Role.SUPERVISOR, 2)):  # fmt: skip
        add_user(db, actor=None, username=name, password=PASSWORD, role=role, region=region, now=AT)
    activate_account(db, world.office_actors[1].name, PASSWORD, AT)
    for case in world.case_ids:
        if case != 19:
            world.act("declare", case, tehran(1400, 1, 20, 10))
    world.sweep(tehran(1400, 2, 6, 0, 5))
    return Site(world, db, SimulatedClock(tehran(1400, 2, 8, 10)))


def _token(html: str) -> str:
    found = re.search(r'name="form_token" value="([^"]+)"', html)
    assert found, "the page has no form token"
    return found.group(1)


def _version(html: str) -> str:
    found = re.search(r'name="version" value="(\d+)"', html)
    assert found, "the page has no version"
    return found.group(1)


def _post(http: TestClient, page: str, url: str, **fields: str) -> object:
    shown = http.get(page)
    data = {"form_token": _token(shown.text), "version": _version(shown.text), **fields}
    return http.post(url, data=data, follow_redirects=False)


def _queue_order(html: str) -> list[str]:
    return re.findall(r'<a href="/cases/\d+">[^<]+</a> <span class="code">(P\d+)</span>', html)


def test_a_supervisor_sees_its_regions_queue_earliest_deadline_first(site: Site) -> None:
    world = site.world
    world.act("refer", 10, tehran(1400, 2, 7, 10), text="a photo of the lease")
    assert world.pending_due(10) < world.pending_due(1)  # type: ignore[operator]
    page = site.client("sup1").get("/queue")
    assert page.status_code == 200
    assert _queue_order(page.text) == ["P00010", "P00001"]  # not P00019 (lapsed), not region 2's
    assert "ارجاع برای اصلاح" in page.text and "مهلت اصلاح" in page.text
    assert fa_when(world.pending_due(10)) in page.text
    assert "۴ روز" in page.text or "۳ روز" in page.text  # the time left, in Persian
    assert "<caption>" in page.text and 'scope="col"' in page.text
    assert "style=" not in page.text and "<script" not in page.text


def test_a_supervisor_refers_a_case_with_a_reason_the_office_then_reads(site: Site) -> None:
    world = site.world
    sup = site.client("sup1")
    page = sup.get("/cases/1")
    assert page.status_code == 200
    assert "ارجاع به دفتر برای اصلاح" in page.text and "تأیید بررسی منطقه" in page.text
    assert "رأی اعتراض" not in page.text  # not open in regional review
    assert "فضای دفتر" in page.text and fa_when(world.pending_due(1)) in page.text
    refused = _post(sup, "/cases/1", "/cases/1/refer", text="  ")
    assert refused.status_code == 422  # type: ignore[attr-defined]
    html = refused.text  # type: ignore[attr-defined]
    assert 'id="refer-text-error" role="alert"' in html
    assert 'aria-describedby="refer-text-error" aria-invalid="true"' in html
    assert world.state(1) == "regional_review"
    done = _post(sup, "/cases/1", "/cases/1/refer", text="the lease is missing")
    assert done.status_code == 303  # type: ignore[attr-defined]
    assert done.headers["location"] == "/cases/1?done=refer"  # type: ignore[attr-defined]
    assert world.state(1) == "correction_referral"
    assert "ثبت شد" in sup.get("/cases/1?done=refer").text
    office = site.client(world.office_actors[1].name)
    assert "the lease is missing" in office.get("/my/correct").text


def test_a_supervisor_reviews_with_errors_at_the_field_then_approves(site: Site) -> None:
    world = site.world
    sup = site.client("sup1")
    fields = {"field.staff_count": "۵", "association_score": "99", "violation.overcharging": "1",
              "text": "checked on site"}  # fmt: skip
    wrong = _post(sup, "/cases/1", "/cases/1/review", **fields)
    assert wrong.status_code == 422  # type: ignore[attr-defined]
    assert 'id="review-association-error"' in wrong.text  # type: ignore[attr-defined]
    assert world.row(1).case.association_score is None
    fields["association_score"] = "15"
    done = _post(sup, "/cases/1", "/cases/1/review", **fields)
    assert done.status_code == 303  # type: ignore[attr-defined]
    row = world.row(1)
    assert row.case.association_score == 15
    assert row.case.violations == {"overcharging": 1}
    assert row.declaration["staff_count"] == 5
    stale = sup.post("/cases/1/approve", data={"form_token": _token(sup.get("/cases/1").text),
                                               "version": "0"})  # fmt: skip
    assert stale.status_code == 409 and "changed by someone else" in stale.text
    assert world.case(1).reviewed_at is None
    not_now = _post(sup, "/cases/1", "/cases/1/decide", text="too early")
    assert not_now.status_code == 409  # type: ignore[attr-defined]
    assert 'role="alert"' in not_now.text and "decide" in not_now.text  # type: ignore[attr-defined]
    assert world.state(1) == "regional_review"
    approved = _post(sup, "/cases/1", "/cases/1/approve")
    assert approved.status_code == 303  # type: ignore[attr-defined]
    assert world.case(1).reviewed_at is not None


def test_a_supervisor_decides_an_overdue_appeal(site: Site) -> None:
    world = site.world
    for case in world.case_ids:
        if case != 19:
            world.act("approve", case, tehran(1400, 2, 8, 10))
    world.sweep(tehran(1400, 2, 16, 0, 5))  # the review window closes: ranks published
    world.act("appeal", 1, tehran(1400, 2, 17, 10), text="my staff were not counted")
    site.clock.set(tehran(1400, 2, 18, 10))
    sup = site.client("sup1")
    queue = sup.get("/queue").text
    assert _queue_order(queue) == ["P00001"] and "مهلت رسیدگی به اعتراض" in queue
    assert "از مهلت گذشته" not in queue
    world.sweep(tehran(1400, 3, 10, 0, 5))  # the decision's deadline passed: escalated
    site.clock.set(tehran(1400, 3, 10, 10))
    assert world.state(1) == "appealed" and world.case(1).escalated
    sup = site.client("sup1")  # three weeks later: signed in again
    queue = sup.get("/queue").text
    assert _queue_order(queue) == ["P00001"] and 'class="overdue"' in queue
    assert "رسیدگی به اعتراض از مهلت گذشته" in queue
    dashboard = site.client("admin").get("/admin").text
    assert "/admin/cases/1/timeline" in dashboard  # listed among the overdue decisions
    page = sup.get("/cases/1").text
    assert "رأی اعتراض" in page and "/cases/1/review" not in page
    refused = _post(sup, "/cases/1", "/cases/1/decide", **{"field.staff_count": "6"})
    assert refused.status_code == 422  # type: ignore[attr-defined]
    assert 'id="decide-text-error"' in refused.text  # type: ignore[attr-defined]
    done = _post(sup, "/cases/1", "/cases/1/decide", text="counted again",
                 **{"field.staff_count": "6"})  # fmt: skip
    assert done.status_code == 303  # type: ignore[attr-defined]
    assert world.state(1) == "final"
    assert world.row(1).declaration["staff_count"] == 6


def test_another_regions_supervisor_finds_no_such_case(site: Site) -> None:
    world = site.world
    other = site.client("sup2")
    page = other.get("/cases/1")
    assert page.status_code == 404 and "not found" in page.text
    token = _token(other.get("/queue").text)
    posted = other.post("/cases/1/approve", data={"form_token": token, "text": "x"})
    assert posted.status_code == 404 and "not found" in posted.text
    assert world.case(1).reviewed_at is None
    assert "P00001" not in other.get("/queue").text
    assert other.get("/admin/cases/1/timeline").status_code == 404


def test_forms_without_their_token_are_refused(site: Site) -> None:
    world = site.world
    sup = site.client("sup1")
    refused = sup.post("/cases/1/approve", data={"version": _version(sup.get("/cases/1").text)})
    assert refused.status_code == 403 and "token" in refused.text
    assert world.case(1).reviewed_at is None
    admin = site.client("admin")
    forged = admin.post("/admin/calendar/closure", data={"form_token": "forged",
                                                         "first_day": "1400/02/10",
                                                         "reason": "flood"})  # fmt: skip
    assert forged.status_code == 403
    assert "flood" not in admin.get("/admin/calendar").text


def _row_cells(html: str, region: str) -> list[str]:
    found = re.search(rf'<tr><th scope="row">{region}</th>(.*?)</tr>', html)
    assert found, f"no row for region {region}"
    return re.findall(r"<td>([^<]*)</td>", found.group(1))


def test_the_admin_dashboard_shows_counts_and_what_falls_due(site: Site) -> None:
    world = site.world
    world.act("refer", 10, tehran(1400, 2, 7, 10), text="a photo of the lease")
    site.clock.set(tehran(1400, 2, 13, 10))
    page = site.client("admin").get("/admin")
    assert page.status_code == 200
    html = page.text
    per_state = dict(zip([s.value for s in STATES], _row_cells(html, "۱"), strict=False))
    assert per_state["regional_review"] == "۱"
    assert per_state["correction_referral"] == "۱"
    assert per_state["lapsed"] == "۱"
    assert _row_cells(html, "۲")[STATES.index("regional_review")] == "۳"
    soon = due_soon(site.db, actor=World.admin, campaign=None, now=site.clock.now(),
                    within=timedelta(days=3))  # fmt: skip
    assert soon, "the review deadlines fall within three days"
    persian = str.maketrans("0123456789", "۰۱۲۳۴۵۶۷۸۹")
    assert f"تا ۳ روز آینده به پایان می‌رسند</dt><dd>{len(soon)}</dd>".translate(persian) in html
    region_2 = sum(1 for d in soon if d.region == 2 and d.kind == "review")
    assert (
        f'<th scope="row">مهلت بررسی منطقه</th><td>۲</td><td>{region_2}</td>'.translate(persian)
        in html
    )
    assert "مهلت بررسی منطقه" in html and "اعتراضی از مهلت رسیدگی نگذشته است" in html


def test_the_admin_timeline_shows_both_times_and_the_chain_status(site: Site) -> None:
    world = site.world
    world.act("review", 1, tehran(1400, 2, 7, 10), fields={"staff_count": "5"},
              association_score="15", text="checked on site")  # fmt: skip
    admin = site.client("admin")
    page = admin.get("/admin/cases/1/timeline")
    assert page.status_code == 200
    html = page.text
    closed = next(e for e in world.events(1) if e.action == "close_window")
    assert closed.logical_at != closed.recorded_at
    assert fa_when(closed.logical_at) in html and fa_when(closed.recorded_at) in html
    assert "زمان رویداد" in html and "زمان ثبت" in html
    assert "<td>۴</td><td>۵</td>" in html  # staff count, before and after
    assert "checked on site" in html and "supervisor-1" in html
    assert "زنجیرهٔ رویدادهای این پرونده سالم است" in html
    with site.db.engine.begin() as conn:
        conn.execute(text("UPDATE events SET actor = 'someone' WHERE case_id = 1 AND seq = 2"))
    tampered = admin.get("/admin/cases/1/timeline").text
    assert "سالم نیست" in tampered and "event #2" in tampered
    assert 'class="event broken" id="event-2"' in tampered
    assert "سالم است" in admin.get("/admin/cases/2/timeline").text  # case 2's chain holds


def test_the_admin_closes_days_and_extends_a_window_seeing_what_moved(site: Site) -> None:
    world = site.world
    admin = site.client("admin")
    due_before = world.pending_due(1)
    page = admin.get("/admin/calendar")
    assert page.status_code == 200 and 'for="closure-first_day"' in page.text
    token = _token(page.text)
    missing = admin.post("/admin/calendar/closure", data={"form_token": token,
                                                          "first_day": "1400/02/10"})  # fmt: skip
    assert missing.status_code == 422 and 'id="closure-reason-error"' in missing.text
    closed = admin.post(
        "/admin/calendar/closure",
        data={"form_token": token, "first_day": "۱۴۰۰/۰۲/۱۵", "reason": "flood", "region.1": "on"},
    )
    assert closed.status_code == 200, closed.text
    assert world.pending_due(1) > due_before  # type: ignore[operator]
    assert world.pending_due(2) == due_before  # region 2 stays open
    # the review's last day closed in region 1: cases 1 and 10 (19 lapsed) move
    assert "تعطیلی ثبت شد: ۲ مهلت در ۲ پرونده جابه‌جا شد" in closed.text
    assert "flood" in closed.text
    moved_due = world.pending_due(2)
    extended = admin.post(
        "/admin/calendar/extension",
        data={
            "form_token": token,
            "window": "review",
            "region": "2",
            "days": "۲",
            "reason": "late",
        },
    )
    assert extended.status_code == 200, extended.text
    assert "تمدید ثبت شد: ۳ مهلت در ۳ پرونده جابه‌جا شد" in extended.text
    assert world.pending_due(2) > moved_due  # type: ignore[operator]
    wrong = admin.post(
        "/admin/calendar/extension", data={"form_token": token, "window": "review", "days": "2"}
    )
    assert wrong.status_code == 422 and 'id="extension-reason-error"' in wrong.text


class _Audit(HTMLParser):
    """What an accessibility check needs of a page: its controls, labels, tables."""

    def __init__(self) -> None:
        super().__init__()
        self.controls: list[str | None] = []
        self.labelled: set[str] = set()
        self.described: set[str] = set()
        self.ids: set[str] = set()
        self.tables = self.captions = 0
        self.unscoped: list[str] = []
        self.alerts: list[str | None] = []
        self.styled = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        self.styled = self.styled or "style" in a or tag == "script"
        if a.get("id"):
            self.ids.add(str(a["id"]))
        for ref in (a.get("aria-describedby") or "").split():
            self.described.add(ref)
        if tag in ("input", "select", "textarea") and a.get("type") != "hidden":
            self.controls.append(a.get("id"))
        if tag == "label" and a.get("for"):
            self.labelled.add(str(a["for"]))
        if tag == "table":
            self.tables += 1
        if tag == "caption":
            self.captions += 1
        if tag == "th" and not a.get("scope"):
            self.unscoped.append(str(a))
        if a.get("role") == "alert" and a.get("id"):
            self.alerts.append(a.get("id"))


def _audited(html: str) -> _Audit:
    audit = _Audit()
    audit.feed(html)
    unlabelled = [c for c in audit.controls if c is None or c not in audit.labelled]
    assert not unlabelled, f"controls without a <label for>: {unlabelled}"
    assert audit.tables == audit.captions, "a table without its caption"
    assert not audit.unscoped, f"<th> without a scope: {audit.unscoped}"
    undescribed = [a for a in audit.alerts if a not in audit.described]
    assert not undescribed, f"errors no field points to: {undescribed}"
    assert not audit.styled, "an inline style or script"
    return audit


def test_the_staff_pages_are_accessible(site: Site) -> None:
    world = site.world
    world.act("review", 1, tehran(1400, 2, 7, 10), fields={"staff_count": "5"},
              association_score="15", text="checked on site")  # fmt: skip
    sup = site.client("sup1")
    _audited(sup.get("/queue").text)
    audit = _audited(sup.get("/cases/1").text)
    assert {"review-staff_count", "review-association", "review-overcharging",
            "refer-text", "approve-text"} <= set(audit.controls)  # fmt: skip
    wrong = _post(sup, "/cases/1", "/cases/1/review", association_score="99",
                  **{"field.staff_count": "x"})  # fmt: skip
    audit = _audited(wrong.text)  # type: ignore[attr-defined]
    assert audit.alerts == ["review-staff_count-error"]  # the first wrong field
    admin = site.client("admin")
    for page in ("/admin", "/admin/cases/1/timeline", "/admin/calendar"):
        _audited(admin.get(page).text)
    token = _token(admin.get("/admin/calendar").text)
    wrong_day = {"form_token": token, "first_day": "someday", "reason": "x"}
    refused = admin.post("/admin/calendar/closure", data=wrong_day)
    assert refused.status_code == 422
    assert "closure-first_day-error" in _audited(refused.text).alerts
