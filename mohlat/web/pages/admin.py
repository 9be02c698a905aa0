"""The administrator's pages: the campaign's dashboard (cases per state and region,
deadlines falling in the next three days, overdue appeal decisions, reminders
queued), a case's timeline drawn as a vertical line with what each event changed and
whether the case's hash chain holds, and the forms that close days and extend
windows, showing how many deadlines moved.

A closure's or an extension's effect is shown once it is made: the services have no
dry run yet (issue 15), so nothing here previews it."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Final

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from mohlat.calendars import to_persian_digits
from mohlat.errors import MohlatError
from mohlat.views import (
    CampaignOverview,
    CaseDetailView,
    CaseSummary,
    DeclarationForm,
    DueSoon,
    EventView,
    Moved,
    VerifyReport,
)
from mohlat.web.pages.common import Portal, Visitor, error_field
from mohlat.web.persian import DEADLINES_FA, PAYLOAD_FA, WINDOWS_FA, fa_number, fa_when, fa_yes_no
from mohlat.web.problems import status_of
from mohlat.workflow.definition import STATES

__all__ = ["ChainStatus", "Change", "DueGroup", "ShownEvent", "router", "shown_events"]

#: the reminders counted on the dashboard at most (more are shown as "more than")
REMINDERS_COUNTED: Final = 1000
#: the overdue appeal decisions listed at most
OVERDUE_LISTED: Final = 200
#: the span of the dashboard's deadlines "falling soon"
SOON: Final = "3d"
#: the names the services give the fields the calendar forms call otherwise
_CLOSURE_ALIASES: Final = {"region": "regions", "province": "provinces"}


@dataclass(frozen=True)
class DueGroup:
    """The deadlines of one kind in one region falling soon."""

    kind: str
    region: int
    deadlines: int
    first: datetime
    last: datetime


@dataclass(frozen=True)
class Change:
    """One value an event changed: what it was and what it became."""

    label: str
    before: str
    after: str


@dataclass(frozen=True)
class ShownEvent:
    """A timeline event as the timeline page draws it."""

    event: EventView
    changes: tuple[Change, ...]
    #: the texts it carries (a reason, an objection) and its other facts, labelled
    texts: tuple[tuple[str, str], ...]
    notes: tuple[tuple[str, str], ...]
    #: the chain's first broken event is this one
    broken: bool = False


@dataclass(frozen=True)
class ChainStatus:
    """What verifying the case's campaign found about the case."""

    #: None: it could not be verified (``refusal`` says why)
    holds: bool | None
    faults: tuple[str, ...] = ()
    campaign_faults: tuple[str, ...] = ()
    checked: str = ""
    broken_seq: int | None = None
    refusal: str = ""


def router(portal: Portal) -> APIRouter:
    """The administrator's pages' routes."""
    routes = APIRouter()

    @routes.get("/admin")
    def dashboard(request: Request) -> Response:
        visitor = portal.signed_in(request)
        if isinstance(visitor, Response):
            return visitor
        try:
            return _dashboard(portal, request, visitor, request.query_params.get("campaign"))
        except MohlatError as error:
            return portal.refused(request, visitor, error)

    @routes.get("/admin/cases/{ref}/timeline")
    def timeline(request: Request, ref: str) -> Response:
        visitor = portal.signed_in(request)
        if isinstance(visitor, Response):
            return visitor
        try:
            return _timeline(portal, request, visitor, ref, request.query_params.get("campaign"))
        except MohlatError as error:
            return portal.refused(request, visitor, error)

    @routes.get("/admin/calendar")
    def calendar_page(request: Request) -> Response:
        visitor = portal.signed_in(request)
        if isinstance(visitor, Response):
            return visitor
        try:
            return _calendar(portal, request, visitor)
        except MohlatError as error:
            return portal.refused(request, visitor, error)

    @routes.post("/admin/calendar/{change}")
    async def change_calendar(request: Request, change: str) -> Response:
        visitor = portal.signed_in(request)
        if isinstance(visitor, Response):
            return visitor
        if change not in ("closure", "extension"):
            return portal.redirect("/admin/calendar")
        try:
            given = await portal.form(request, visitor)
        except MohlatError as error:
            return portal.refused(request, visitor, error)
        try:
            if change == "closure":
                moved: Moved = portal.run("calendar.add", visitor, **_closure(given))
            else:
                moved = portal.run("deadline.extend", visitor, **_extension(given))
        except MohlatError as error:
            aliases = _CLOSURE_ALIASES if change == "closure" else {}
            errors = {f"{change}-{error_field(error, aliases)}": str(error)}
            try:
                return _calendar(portal, request, visitor, errors=errors, posted=change,
                                 given=given, status=status_of(error))  # fmt: skip
            except MohlatError as unseen:
                return portal.refused(request, visitor, unseen)
        return _calendar(portal, request, visitor, moved=moved, posted=change)

    return routes


# --- the dashboard -------------------------------------------------------------------


def _dashboard(
    portal: Portal, request: Request, visitor: Visitor, campaign: str | None
) -> HTMLResponse:
    overview: CampaignOverview = portal.run("campaign.show", visitor, code=campaign)
    code = overview.campaign.code
    soon: list[DueSoon] = portal.run("due", visitor, campaign=code, within=SOON)
    overdue: list[CaseSummary] = portal.run(
        "case.list", visitor, campaign=code, overdue=True, limit=OVERDUE_LISTED
    )
    reminders = portal.run("reminder.list", visitor, limit=REMINDERS_COUNTED)
    per_region: dict[int, dict[str, int]] = defaultdict(dict)
    for region, state, cases in overview.counts or ():
        per_region[region][state] = cases
    states = [s.value for s in STATES]
    totals = {s: sum(row.get(s, 0) for row in per_region.values()) for s in states}
    return portal.page(
        request, visitor, "admin.html", overview=overview, campaigns=portal.run(
            "campaign.list", visitor), states=states,
        per_region=sorted(per_region.items()), totals=totals, soon=len(soon),
        groups=_grouped(soon), overdue=overdue, more_overdue=len(overdue) >= OVERDUE_LISTED,
        reminders=len(reminders),
        more_reminders=len(reminders) >= REMINDERS_COUNTED, now=portal.now(),
    )  # fmt: skip


def _grouped(soon: list[DueSoon]) -> list[DueGroup]:
    """The deadlines falling soon, per kind and region, the earliest group first."""
    groups: dict[tuple[str, int], list[datetime]] = defaultdict(list)
    for d in soon:
        groups[(d.kind, d.region)].append(d.due_at)
    found = [DueGroup(k, r, len(at), min(at), max(at)) for (k, r), at in groups.items()]
    return sorted(found, key=lambda g: (g.first, g.kind, g.region))


# --- a case's timeline -------------------------------------------------------------


def _timeline(
    portal: Portal, request: Request, visitor: Visitor, ref: str, campaign: str | None
) -> HTMLResponse:
    detail: CaseDetailView = portal.run("case.show", visitor, ref=ref, campaign=campaign)
    form: DeclarationForm = portal.run("campaign.form", visitor, code=detail.case.campaign)
    chain = _chain_status(portal, visitor, detail)
    labels = {f.code: f.label_fa for f in form.fields}
    violations = {v.code: v.label_fa for v in form.violations}
    if form.association is not None:
        labels["association_score"] = form.association.label_fa
    return portal.page(
        request, visitor, "admin_timeline.html", detail=detail, c=detail.case, chain=chain,
        events=shown_events(detail.events, labels, violations, broken_seq=chain.broken_seq),
    )  # fmt: skip


def _chain_status(portal: Portal, visitor: Visitor, detail: CaseDetailView) -> ChainStatus:
    """Whether the case's chain holds, from verifying its campaign (the services verify
    a campaign at a time): the case is sound unless it is among the faults."""
    try:
        report: VerifyReport = portal.run("verify", visitor, campaign=detail.case.campaign)
    except MohlatError as error:
        return ChainStatus(None, refusal=str(error))
    case_id = detail.case.id
    broken = [b for b in report.broken if b.case_id == case_id]
    wrong = [w for w in report.wrong_fields if w.case_id == case_id]
    return ChainStatus(
        not (broken or wrong),
        faults=tuple(str(f) for f in (*broken, *wrong)),
        campaign_faults=tuple(str(f) for f in report.campaigns),
        checked=report.summary(),
        broken_seq=broken[0].seq if broken else None,
    )


def _text(value: Any) -> str:
    """A value of a payload as the page shows it (Persian digits; a dash for nothing)."""
    if value is None or value == "":
        return "–"
    if isinstance(value, bool):
        return fa_yes_no(value)
    if isinstance(value, int | float):
        return fa_number(value)
    if isinstance(value, list | tuple):
        return "، ".join(_text(v) for v in value)
    if isinstance(value, dict):
        return "، ".join(f"{k}: {_text(v)}" for k, v in value.items())
    return to_persian_digits(str(value))


def _when(text: Any) -> str:
    try:
        return fa_when(datetime.fromisoformat(str(text)))
    except ValueError:
        return _text(text)


def shown_events(
    events: tuple[EventView, ...],
    labels: dict[str, str],
    violations: dict[str, str],
    *,
    broken_seq: int | None = None,
) -> list[ShownEvent]:
    """Each event with what it changed (before and after), its texts and its other
    facts, named in Persian (``labels``: the declaration's fields; ``violations``:
    the rubric's violations)."""
    return [_shown(e, labels, violations, broken=e.seq == broken_seq) for e in events]


def _shown(
    e: EventView, labels: dict[str, str], violations: dict[str, str], *, broken: bool
) -> ShownEvent:
    payload = dict(e.payload)
    changes: list[Change] = []
    for code, (before, after) in dict(payload.pop("changes", {})).items():
        changes.append(Change(labels.get(str(code), str(code)), _text(before), _text(after)))
    if "association_score" in payload:
        before, after = payload.pop("association_score")
        named = labels.get("association_score", PAYLOAD_FA["association_score"])
        changes.append(Change(named, _text(before), _text(after)))
    if "violations" in payload:
        before, after = payload.pop("violations")
        for code in sorted(set(before) | set(after)):
            if before.get(code) != after.get(code):
                named = f"{PAYLOAD_FA['violations']}: {violations.get(code, code)}"
                changes.append(Change(named, _text(before.get(code, 0)), _text(after.get(code, 0))))
    if "before" in payload:
        before = payload.pop("before")
        for key, final in (("total", "final_total"), ("grade", "final_grade")):
            changes.append(
                Change(PAYLOAD_FA[key], _text(before.get(key)), _text(payload.pop(final, None)))
            )
    if "position" in payload:
        places = payload.pop("position")
        changes.append(Change(PAYLOAD_FA["position"], _text(places.get("before")),
                              _text(places.get("after"))))  # fmt: skip
    if "from" in payload and "to" in payload:
        kind = str(payload.pop("deadline", ""))
        changes.append(Change(DEADLINES_FA.get(kind, kind or PAYLOAD_FA["deadline"]),
                              _text(payload.pop("from")), _text(payload.pop("to"))))  # fmt: skip
    texts = tuple(
        (PAYLOAD_FA[key], str(payload.pop(key))) for key in ("reason", "text") if key in payload
    )
    if "disputes" in payload:
        payload["disputes"] = [labels.get(c, c) for c in payload["disputes"]]
    notes = tuple(
        (key, _when(value) if key.endswith("_due") else _text(value))
        for key, value in sorted(payload.items())
    )
    return ShownEvent(e, tuple(changes), texts, notes, broken)


# --- closures and extensions ---------------------------------------------------------


def _listed(text: str | None) -> list[str]:
    """A list typed in one field: separated by commas (Latin or Persian)."""
    return [p.strip() for p in (text or "").replace("،", ",").split(",") if p.strip()]


def _closure(given: dict[str, str]) -> dict[str, Any]:
    return {
        "first_day": given.get("first_day"),
        "last_day": given.get("last_day"),
        "reason": given.get("reason", ""),
        "regions": [k.removeprefix("region.") for k in given if k.startswith("region.")],
        "provinces": _listed(given.get("provinces")),
        "working_day": "working_day" in given,
    }


def _extension(given: dict[str, str]) -> dict[str, Any]:
    from mohlat.calendars import normalize_digits

    days = normalize_digits(given.get("days", "")).strip()
    return {
        "reason": given.get("reason", ""),
        "case": given.get("case"),
        "campaign": given.get("campaign"),
        "window": given.get("window"),
        "region": given.get("region"),
        "to": given.get("to"),
        "days": days,
    }


def _calendar(
    portal: Portal,
    request: Request,
    visitor: Visitor,
    *,
    errors: dict[str, str] | None = None,
    posted: str | None = None,
    given: dict[str, str] | None = None,
    moved: Moved | None = None,
    status: int = 200,
) -> HTMLResponse:
    from mohlat.calendars import tehran_date

    year = tehran_date(portal.now()).year
    holidays = portal.run("calendar.read", visitor, year=year)
    kept = given if given is not None else {}
    return portal.page(
        request, visitor, "admin_calendar.html", status, holidays=holidays, errors=errors or {},
        posted=posted, moved=moved, campaigns=portal.run("campaign.list", visitor),
        closure=kept if posted == "closure" else {},
        extension=kept if posted == "extension" else {}, windows=WINDOWS_FA, regions=range(1, 10),
    )  # fmt: skip
