"""The portal in a real browser: headless Chromium driven by Playwright against the
app served by uvicorn, the server's clock a simulated one the test moves.

One office's whole case, as its holder clicks through it: activation with the
national ID and a code its region issued, a new password, a declaration typed in
Persian digits with an error shown at its field and fixed, the region's referral
(its reason shown) and the correction, publication, the public ranking filtered by
region, an appeal within its window, the decision and the final rank. The region's
steps are its supervisor's, in a browser context of their own: signing in, finding
the case in the queue, referring it with a reason, reviewing and approving it and
deciding the appeal, each through the case page's forms; the administrator's timeline
of the case shows its chain sound. Around it: another region's supervisor opening
the case's page gets "not found" (404), and a form posted without its token is
refused. Then the main pages are audited with axe-core in the same browser (no
serious or critical violation).

Needs Chromium (``apt-get install chromium``), Playwright's Python package (``pip
install playwright``, in the ``test`` extras) and, for the audit, axe-core (``npm ci
--prefix tests/web/axe``); without them the tests are skipped, saying which is
missing, unless ``MOHLAT_BROWSER_TESTS=required`` (as ``.ci/run`` sets it when
Chromium is there), when they fail instead. ``MOHLAT_SCREENSHOTS=docs/screenshots``
also saves the README's screenshots from the pages the flow passes through.
"""

from __future__ import annotations

import os
import re
import shutil
import warnings
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn

import httpx
import pytest
from served import PASSWORD, served_live
from support import World, activate_account, tehran

from mohlat.calendars import to_persian_digits
from mohlat.clock import SimulatedClock
from mohlat.services.accounts import add_user
from mohlat.store import Database
from mohlat.web.app import create_app
from mohlat.web.limits import LoginLimits, SlidingWindow
from mohlat.workflow.definition import Role

if TYPE_CHECKING:
    from playwright.sync_api import Browser, BrowserContext, Page

ROOT = Path(__file__).resolve().parents[2]
AXE = Path(__file__).resolve().parent / "axe" / "node_modules" / "axe-core" / "axe.min.js"
API = "/api/v1"
#: the holder's password after activation, and after changing it
FIRST_PASSWORD, NEW_PASSWORD = "first-pass-4821", "second-pass-7390"
#: the axe impacts that fail the audit
BLOCKING = ("serious", "critical")


def _unavailable(why: str) -> NoReturn:
    """Skip (fail, when the browser tests are required) because ``why``."""
    if os.environ.get("MOHLAT_BROWSER_TESTS") == "required":
        pytest.fail(f"MOHLAT_BROWSER_TESTS=required, but {why}")
    pytest.skip(why)


def _chromium() -> str | None:
    return (
        os.environ.get("MOHLAT_CHROMIUM")
        or shutil.which("chromium")
        or shutil.which("chromium-browser")
    )


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    """Headless Chromium, started once for the module."""
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        _unavailable("Playwright is not installed: pip install playwright (or '.[test]')")
    executable = _chromium()
    if executable is None:
        _unavailable("Chromium is not installed: apt-get install chromium")
    # Playwright's own browser download cannot work here: the system's Chromium
    with sync_playwright() as p:
        launched = p.chromium.launch(executable_path=executable)
        yield launched
        launched.close()


class Stage:
    """A campaign of 18 offices (two a region) served live, with the supervisors of
    regions 1 and 2 and an administrator as real accounts and the server's simulated
    clock."""

    def __init__(self, db: Database, url: str, clock: SimulatedClock, world: World) -> None:
        self.db, self.url, self.clock, self.world = db, url, clock, world
        self.api = httpx.Client(base_url=url + API, timeout=30)
        self.national_id = world.office_actors[1].name
        self.others = [c for c in world.case_ids if c != 1]

    def at(self, y: int, m: int, d: int, hh: int = 0, mm: int = 0) -> Any:
        """Move the server's clock to that Tehran wall time; the instant."""
        instant = tehran(y, m, d, hh, mm)
        self.clock.set(instant)
        return instant

    def as_(self, username: str) -> dict[str, str]:
        answer = self.api.post("/session", json={"username": username, "password": PASSWORD})
        assert answer.status_code == 201, answer.text
        return {"Authorization": f"Bearer {answer.json()['token']}"}

    def standing(self, code: str) -> dict[str, Any]:
        """An office's public standing, as the API gives it."""
        answer = self.api.get(f"/ranking/offices/{code}")
        assert answer.status_code == 200, answer.text
        row: dict[str, Any] = answer.json()["row"]
        return row

    def others_declare(self) -> None:
        """Every other office declares, in the window (through the services), each
        something different, so that the ranking has a spread of scores."""
        locations = ("city_centre", "city", "suburb", "rural")
        for case in self.others:
            fields = {"office_space": str(15 + case * 7), "staff_count": str(case % 8),
                      "location": locations[case % 4], "holder_years": str(case % 13),
                      "opening_hours": str(30 + case % 5 * 5)}  # fmt: skip
            self.world.act("declare", case, tehran(1400, 1, 21, 9), fields=fields)

    def others_reviewed_and_approved(self, at: Any) -> None:
        """The regions record every other office's association score and approve it
        (through the services)."""
        for case in self.others:
            self.world.act("review", case, at, association_score=str(6 + case % 15))
            self.world.act("approve", case, at)


@pytest.fixture
def stage(db: Database) -> Iterator[Stage]:
    world = World(db).setup(offices=18)
    at = tehran(1400, 1, 10, 9)
    for region in (1, 2):
        add_user(db, actor=None, username=f"sup{region}", password=PASSWORD,
                 role=Role.SUPERVISOR, region=region, now=at)  # fmt: skip
    add_user(db, actor=None, username="admin", password=PASSWORD, role=Role.ADMIN, region=None,
             now=at)  # fmt: skip
    clock = SimulatedClock(tehran(1400, 1, 20, 10))
    limits = LoginLimits(SlidingWindow(1000), SlidingWindow(1000))
    with served_live(create_app(db, clock=clock, settings={}, limits=limits)) as url:
        staged = Stage(db, url, clock, world)
        yield staged
        staged.api.close()


def _context(browser: Browser, stage: Stage, **options: Any) -> BrowserContext:
    context = browser.new_context(
        base_url=stage.url, locale="fa-IR", viewport={"width": 1280, "height": 900}, **options
    )
    context.set_default_timeout(10_000)
    return context


def _shoot(page: Page, name: str) -> None:
    """Save the page as ``name``.png where ``$MOHLAT_SCREENSHOTS`` says (else nothing)."""
    folder = os.environ.get("MOHLAT_SCREENSHOTS")
    if not folder:
        return
    target = Path(folder) if Path(folder).is_absolute() else ROOT / folder
    target.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(target / f"{name}.png"), full_page=True)


def _submit(page: Page, path: str, form: str = "main form") -> int:
    """Click the submit button of ``form`` (the page's main form); the status of the
    POST to ``path`` (once the page it leads to, after a redirect, has loaded)."""
    posted = page.expect_response(lambda r: r.request.method == "POST" and r.url.endswith(path))
    with page.expect_navigation(), posted as answer:
        page.locator(f"{form} button[type=submit]").click()
    return answer.value.status


def _sign_in(page: Page, username: str, password: str) -> None:
    page.goto("/login")
    page.fill("#username", username)
    page.fill("#password", password)
    assert _submit(page, "/login") == 303


def _back_at_my_case(page: Page, stage: Stage) -> None:
    """Days later (a session lasts 12 hours): the office signs in again, at /my."""
    _sign_in(page, stage.national_id, NEW_PASSWORD)
    assert page.url.endswith("/my")


def _staff(browser: Browser, stage: Stage, console: list[str]) -> Page:
    """A page in a browser context of its own (its own cookies), for a supervisor or
    the administrator; its console errors go in ``console``."""
    page = _context(browser, stage).new_page()
    page.on("console", lambda m: console.append(m.text) if m.type == "error" else None)
    return page


def _open_from_queue(page: Page, case: int) -> None:
    """Region 1's supervisor signs in (a session lasts 12 hours: again, days later),
    lands on the queue, finds the case in it and opens its page."""
    _sign_in(page, "sup1", PASSWORD)
    assert page.url.endswith("/queue")
    page.locator(f'table.queue a[href="/cases/{case}"]').click()
    page.wait_for_url(f"**/cases/{case}")


def _act(page: Page, case: int, action: str) -> None:
    """Submit the case page's form for ``action``; back at the case page, it says done."""
    path = f"/cases/{case}/{action}"
    assert _submit(page, path, form=f'main form[action="{path}"]') == 303
    assert page.url.endswith(f"/cases/{case}?done={action}")
    assert "ثبت شد" in page.locator("main .notice").inner_text()


def _fa(value: object) -> str:
    return to_persian_digits(str(value))


def _says_rank(text: str, position: int) -> bool:
    """Whether ``text`` gives the national rank ``position`` (in Persian digits)."""
    return re.search(f"رتبهٔ کشوری {_fa(position)}(?![۰-۹])", text) is not None


def test_an_office_from_activation_to_its_final_rank(browser: Browser, stage: Stage) -> None:
    world = stage.world
    context = _context(browser, stage)  # the real CSP: nothing here bypasses it
    page = context.new_page()
    console: list[str] = []
    page.on("console", lambda m: console.append(m.text) if m.type == "error" else None)

    # --- the region issues an activation code; the holder activates in Persian digits
    issued = stage.api.post("/activation-codes", json={"usernames": [stage.national_id]},
                            headers=stage.as_("sup1"))  # fmt: skip
    assert issued.status_code == 201, issued.text
    code = issued.json()[0]["code"]
    page.goto("/activate")
    page.locator("#username").press_sequentially(_fa(stage.national_id))
    page.fill("#code", code.lower())
    page.fill("#new_password", FIRST_PASSWORD)
    page.fill("#confirm", FIRST_PASSWORD)
    assert _submit(page, "/activate") == 200
    assert "حساب فعال شد" in page.locator("main .notice").inner_text()
    assert page.evaluate("getComputedStyle(document.querySelector('main')).maxWidth") != "none"

    # --- signs in with the national ID, changes the password, signs in again
    _sign_in(page, stage.national_id, FIRST_PASSWORD)
    assert page.url.endswith("/my")
    assert "مهلت خوداظهاری" in page.locator("table.deadlines").inner_text()
    page.goto("/password")
    page.fill("#new_password", NEW_PASSWORD)
    page.fill("#confirm", NEW_PASSWORD)
    assert _submit(page, "/password") == 200
    assert "گذرواژه تغییر کرد" in page.locator("main .notice").inner_text()
    _sign_in(page, stage.national_id, NEW_PASSWORD)
    assert page.url.endswith("/my")

    # --- a form posted without its CSRF token is refused, and changes nothing
    page.get_by_role("link", name="خوداظهاری").click()
    page.wait_for_url("**/my/declare")
    page.fill("#field-office_space", "64")
    page.evaluate("document.querySelector('main input[name=form_token]').remove()")
    assert _submit(page, "/my/declare") == 403
    assert "token" in page.locator("main").inner_text()
    assert world.case(1).declared_at is None

    # --- declares in Persian digits; a staff count in words is refused at its field
    page.goto("/my/declare")
    page.locator("#field-office_space").press_sequentially("۶۴")
    page.locator("#field-staff_count").press_sequentially("چهار")
    page.select_option("#field-location", "city")
    page.locator("#field-holder_years").press_sequentially("۶")
    assert _submit(page, "/my/declare") == 422
    staff = page.locator("#field-staff_count")
    assert staff.get_attribute("aria-invalid") == "true"
    assert staff.get_attribute("aria-describedby") == "staff_count-error field-staff_count-hint"
    error = page.locator("#staff_count-error")
    assert error.is_visible() and "چهار" in error.inner_text()
    # shown at the field: right after it, before the next field's label
    assert page.evaluate(
        """() => {
            const input = document.getElementById('field-staff_count');
            const error = document.getElementById('staff_count-error');
            const next = document.querySelector('label[for=field-location]');
            return Boolean(input.compareDocumentPosition(error) & Node.DOCUMENT_POSITION_FOLLOWING)
                && Boolean(error.compareDocumentPosition(next) & Node.DOCUMENT_POSITION_FOLLOWING);
        }"""
    )
    assert page.locator("#field-office_space").input_value() == "۶۴"  # what was typed stays
    assert page.locator(".error").count() == 1
    _shoot(page, "declaration-form")
    staff.fill("")
    staff.press_sequentially("۴")
    assert _submit(page, "/my/declare") == 303
    assert page.url.endswith("/my")
    assert world.row(1).declaration == {"office_space": 64, "staff_count": 4,
                                        "location": "city", "holder_years": 6}  # fmt: skip
    stage.others_declare()

    # --- the window closes; region 1's supervisor finds the case in the queue and
    # refers it with a reason, in a browser context of their own
    world.sweep(stage.at(1400, 2, 6, 0, 5))
    stage.at(1400, 2, 8, 10)
    reason = "اجاره‌نامهٔ دفتر پیوست نشده است"
    sup = _staff(browser, stage, console)
    _open_from_queue(sup, 1)
    assert "بررسی منطقه" in sup.locator("main .state").inner_text()
    sup.fill("#refer-text", reason)
    _act(sup, 1, "refer")
    assert world.state(1) == "correction_referral"
    assert reason in sup.locator("ol.timeline").inner_text()

    # --- the office sees the reason and corrects
    stage.at(1400, 2, 9, 10)
    _back_at_my_case(page, stage)
    assert "ارجاع برای اصلاح" in page.locator("main .state").inner_text()
    assert reason in page.locator("ol.timeline").inner_text()
    page.get_by_role("link", name="اصلاح پرونده").click()
    page.wait_for_url("**/my/correct")
    assert reason in page.locator("main .notice").inner_text()
    page.fill("#field-staff_count", "۵")
    page.fill("#text", "اجاره‌نامه پیوست شد؛ یک نفر به پرسنل افزوده شد.")
    assert _submit(page, "/my/correct") == 303
    assert world.state(1) == "regional_review"
    assert world.row(1).declaration["staff_count"] == 5

    # --- the supervisor reviews (the association's score) and approves, through the
    # case page's forms; the sweep publishes the ranks
    stage.at(1400, 2, 10, 10)
    _open_from_queue(sup, 1)
    assert sup.locator("#review-staff_count").input_value() == "5"  # the corrected count
    sup.fill("#review-association", "15")
    _act(sup, 1, "review")
    assert world.row(1).case.association_score == 15
    _act(sup, 1, "approve")
    assert world.case(1).reviewed_at is not None
    stage.others_reviewed_and_approved(tehran(1400, 2, 10, 11))
    world.sweep(stage.at(1400, 2, 16, 0, 5))
    assert world.state(1) == "ranked"

    # --- the public ranking, filtered by region, shows the office with its rank
    office = world.row(1).office.code
    ranked = stage.standing(office)
    public = _context(browser, stage).new_page()
    public.on("console", lambda m: console.append(m.text) if m.type == "error" else None)
    public.goto("/ranking")
    assert public.locator("table.ranking tbody tr").count() == 18
    _shoot(public, "ranking")
    public.select_option("select[name=region]", "1")
    public.get_by_role("button", name="نمایش").click()
    public.wait_for_url("**region=1**")
    rows = public.locator("table.ranking tbody tr")
    assert rows.count() == 2
    ours = rows.filter(has=public.locator(f'a[href^="/ranking/offices/{office}?"]'))
    cells = ours.locator("td").all_inner_texts()
    assert cells[0] == _fa(ranked["position_national"])
    assert cells[1] == _fa(ranked["position_regional"])
    assert ranked["position_regional"] in (1, 2)
    ours.get_by_role("link").click()
    public.wait_for_url(f"**/ranking/offices/{office}**")
    assert "می‌تواند تا" in public.locator("main").inner_text()  # the appeal window is open
    public.context.close()

    # --- the office appeals within its 7 days
    stage.at(1400, 2, 17, 10)
    _back_at_my_case(page, stage)
    assert _says_rank(page.locator("main").inner_text(), ranked["position_national"])
    page.get_by_role("link", name="اعتراض به رتبه").click()
    page.wait_for_url("**/my/appeal")
    page.check("input[name='dispute.staff_count']")
    page.fill("#text", "تعداد پرسنل دفتر هفت نفر است؛ فهرست بیمه پیوست است.")
    assert _submit(page, "/my/appeal") == 303
    assert world.state(1) == "appealed"

    # --- the supervisor decides the appeal with a reason, correcting the staff count
    # on the decide form; the office sees its final rank
    stage.at(1400, 2, 19, 10)
    _open_from_queue(sup, 1)
    assert "اعتراض" in sup.locator("main .state").inner_text()
    sup.fill("#decide-staff_count", "7")
    sup.fill("#decide-text", "فهرست بیمه پذیرفته شد.")
    _act(sup, 1, "decide")
    assert world.state(1) == "final"
    assert world.row(1).declaration["staff_count"] == 7
    sup.context.close()
    final = stage.standing(office)
    assert final["state"] == "final" and final["final_total"] > ranked["total"]
    _back_at_my_case(page, stage)
    main = page.locator("main").inner_text()
    assert "قطعی" in page.locator("main .state").inner_text()
    assert _says_rank(main, final["position_national"])
    assert "رأی اعتراض" in page.locator("ol.timeline").inner_text()

    # --- the administrator's timeline of the case, its chain sound
    admin = _staff(browser, stage, console)
    _sign_in(admin, "admin", PASSWORD)
    shown = admin.goto("/admin/cases/1/timeline")
    assert shown is not None and shown.status == 200
    assert "سالم است" in admin.locator("section.chain").inner_text()
    assert "رأی اعتراض" in admin.locator("ol.vtimeline").inner_text()
    _shoot(admin, "case-timeline")
    admin.context.close()

    # --- another region's supervisor opening the case's page gets "not found"
    other = _staff(browser, stage, console)
    _sign_in(other, "sup2", PASSWORD)
    answer = other.goto("/cases/1")
    assert answer is not None and answer.status == 404
    assert "not found" in other.locator("main").inner_text()
    other.context.close()

    # nothing the pages did was blocked by their own Content-Security-Policy
    assert not [m for m in console if "Content Security Policy" in m], console
    context.close()


# --- accessibility --------------------------------------------------------------------

_RUN_AXE = """async () => {
    const result = await axe.run(document, {resultTypes: ['violations']});
    return result.violations.map(v => ({
        id: v.id, impact: v.impact, help: v.help,
        nodes: v.nodes.slice(0, 5).map(n => n.target.join(' ')),
    }));
}"""


def _audit(page: Page, name: str, found: dict[str, list[dict[str, Any]]]) -> None:
    """Run axe-core on the page as it is now; its violations go in ``found[name]``."""
    page.add_script_tag(path=str(AXE))
    found[name] = page.evaluate(_RUN_AXE)


def test_the_main_pages_have_no_serious_accessibility_violations(
    browser: Browser, stage: Stage
) -> None:
    if not AXE.exists():
        _unavailable("axe-core is not installed: npm ci --prefix tests/web/axe")
    world = stage.world
    # bypass_csp only here, and only so that axe-core can be injected:
    # add_script_tag(path=...) puts the script inline, which the pages' CSP
    # (script-src 'self') rightly blocks. The flow test above runs under the real CSP.
    context = _context(browser, stage, bypass_csp=True)
    page = context.new_page()
    found: dict[str, list[dict[str, Any]]] = {}

    page.goto("/login")
    _audit(page, "login", found)
    page.goto("/activate")
    _audit(page, "activate", found)
    activate_account(stage.db, stage.national_id, FIRST_PASSWORD, tehran(1400, 1, 10, 9))
    _sign_in(page, stage.national_id, FIRST_PASSWORD)
    _audit(page, "my case (declaring)", found)
    page.goto("/password")
    _audit(page, "password", found)
    page.goto("/my/declare")
    page.fill("#field-office_space", "۶۴")
    page.fill("#field-staff_count", "چهار")
    assert _submit(page, "/my/declare") == 422
    _audit(page, "declare form with an error", found)

    world.act("declare", 1, tehran(1400, 1, 21, 9))
    stage.others_declare()
    world.sweep(stage.at(1400, 2, 6, 0, 5))
    world.act("approve", 1, tehran(1400, 2, 10, 11))
    stage.others_reviewed_and_approved(tehran(1400, 2, 10, 11))
    world.sweep(stage.at(1400, 2, 16, 0, 5))
    stage.at(1400, 2, 17, 10)

    page.goto("/ranking")
    _audit(page, "ranking", found)
    page.set_viewport_size({"width": 390, "height": 844})  # a phone: the table scrolls
    page.reload()
    _audit(page, "ranking on a phone", found)
    page.set_viewport_size({"width": 1280, "height": 900})
    page.goto("/ranking?region=1")
    _audit(page, "ranking of region 1", found)
    page.goto(f"/ranking/offices/{world.row(1).office.code}")
    _audit(page, "office standing", found)
    _sign_in(page, stage.national_id, FIRST_PASSWORD)  # a new session, days later
    _audit(page, "my case (ranked, with its timeline)", found)
    page.goto("/my/appeal")
    _audit(page, "appeal form", found)
    context.close()

    blocking = {
        name: [v for v in violations if v["impact"] in BLOCKING]
        for name, violations in found.items()
    }
    assert not any(blocking.values()), {k: v for k, v in blocking.items() if v}
    lesser = {
        name: [v["id"] for v in violations] for name, violations in found.items() if violations
    }
    if lesser:
        warnings.warn(f"axe-core, moderate or minor: {lesser}", stacklevel=1)
