"""What the services return, as plain data, and its JSON shapes: defined once here.

Every front end (the CLI today, an HTTP API next) gets these frozen dataclasses from
:mod:`mohlat.services` and turns them into tables or JSON; the ``*_json`` functions
are the JSON shapes, so two front ends cannot drift apart. Nothing here touches the
database or reads the clock.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field, fields
from datetime import datetime
from typing import Any, Final, NamedTuple

from mohlat.scoring import ScoreLine

__all__ = [
    "RANKING_COLUMNS",
    "AccountEventView",
    "AccountView",
    "BrokenChain",
    "CampaignFault",
    "CampaignOverview",
    "CampaignView",
    "CaseDetailView",
    "CaseState",
    "CaseSummary",
    "ClosureView",
    "DeadlineView",
    "DeclarationForm",
    "DueSoon",
    "EventView",
    "Explanation",
    "FormField",
    "GradeCount",
    "HolidayCalendar",
    "ImportReport",
    "IssuedCode",
    "IssuedSession",
    "LoginPolicy",
    "Moved",
    "OfficeStanding",
    "OfficeView",
    "OfficialHoliday",
    "RankingFilter",
    "RankingPage",
    "RankingRow",
    "RankingSummary",
    "RegionCount",
    "ReminderView",
    "RowError",
    "ScoreBin",
    "SessionView",
    "StandingLine",
    "VerifyReport",
    "WrongField",
    "campaign_json",
    "campaign_overview_json",
    "case_detail_json",
    "case_json",
    "eligible_json",
    "event_json",
    "explanation_json",
    "holidays_json",
    "plain",
    "ranking_json",
]


def plain(view: Any) -> dict[str, Any]:
    """A view's fields as a JSON-ready dict (for the views whose JSON is their fields)."""
    return asdict(view)


# --- campaigns -----------------------------------------------------------------------


@dataclass(frozen=True)
class CampaignView:
    """A campaign: its code, windows and publication (public)."""

    code: str
    title: str
    first_day: str
    last_day: str
    opens_at: datetime
    closes_at: datetime
    review_closes_at: datetime
    published_at: datetime | None
    settings: dict[str, Any]
    rubric_sha256: str


class RegionCount(NamedTuple):
    """How many of a region's cases stand in a state."""

    region: int
    state: str
    cases: int


@dataclass(frozen=True)
class CampaignOverview:
    """A campaign and, for those who may see them, its case counts per region and state."""

    campaign: CampaignView
    #: None when the reader may not see case counts (nobody logged in, or an office)
    counts: tuple[RegionCount, ...] | None


def campaign_json(c: CampaignView) -> dict[str, Any]:
    """A campaign as JSON."""
    return plain(c)


def campaign_overview_json(o: CampaignOverview) -> dict[str, Any]:
    """A campaign with its case counts (``cases`` only for those who may see them)."""
    data = campaign_json(o.campaign)
    if o.counts is not None:
        data["cases"] = [{"region": r, "state": s, "count": n} for r, s, n in o.counts]
    return data


@dataclass(frozen=True)
class FormField:
    """One field of a campaign's declaration, as its rubric asks for it."""

    code: str
    label: str
    label_fa: str
    #: int, number, choice or bool
    input: str
    unit: str
    minimum: float | None
    maximum: float | None
    choices: tuple[str, ...]
    required: bool
    #: what a valid value is (the same words as the error a wrong one gets)
    allowed: str
    #: a violation's points per occurrence (negative); None for the other fields
    points: float | None = None


@dataclass(frozen=True)
class DeclarationForm:
    """The fields an office declares in a campaign, in the rubric's order, and what a
    region records besides: the violations (counts of occurrences) and the provincial
    association's score."""

    campaign: str
    fields: tuple[FormField, ...]
    #: the violations the region may record, each a count, in the rubric's order
    violations: tuple[FormField, ...] = ()
    #: the provincial association's score (its code is the one its errors name)
    association: FormField | None = None


# --- offices, accounts, reminders, the calendar ------------------------------------


@dataclass(frozen=True)
class OfficeView:
    """An office and its license holder."""

    id: int
    code: str
    name: str
    kind: str
    region: int
    province: str
    national_id: str
    holder_name: str


@dataclass(frozen=True)
class AccountView:
    """An account, without its password."""

    username: str
    role: str
    region: int | None
    office_id: int | None
    must_change_password: bool
    locked_until: datetime | None


@dataclass(frozen=True)
class AccountEventView:
    """One entry of an account's audit trail."""

    id: int
    username: str
    action: str
    at: datetime
    actor: str
    detail: str


@dataclass(frozen=True)
class ReminderView:
    """A reminder queued for a sender to deliver."""

    id: int
    deadline_id: int
    case_id: int
    campaign_id: int
    region: int
    kind: str
    recipient: str
    due_at: datetime
    created_at: datetime
    sent_at: datetime | None


@dataclass(frozen=True)
class SessionView:
    """A session opened through the server (its token is never shown)."""

    id: int
    username: str
    created_at: datetime
    expires_at: datetime
    last_seen_at: datetime
    client: str
    revoked_at: datetime | None


@dataclass(frozen=True)
class DueSoon:
    """One deadline about to fall."""

    case_id: int
    office_code: str
    region: int
    kind: str
    due_at: datetime


@dataclass(frozen=True)
class OfficialHoliday:
    """An official holiday (from the ``holidays`` package)."""

    date: str
    name: str


@dataclass(frozen=True)
class ClosureView:
    """A closure or working-day correction an administrator recorded."""

    id: int
    kind: str
    first_day: str
    last_day: str
    reason: str
    regions: list[int]
    provinces: list[str]
    created_at: datetime
    created_by: str


@dataclass(frozen=True)
class HolidayCalendar:
    """A Jalali year's official holidays and every closure and correction (public)."""

    year: int
    official: tuple[OfficialHoliday, ...]
    closures: tuple[ClosureView, ...]


def holidays_json(h: HolidayCalendar) -> dict[str, Any]:
    """The holiday calendar as JSON."""
    return {
        "official": [plain(d) for d in h.official],
        "closures": [plain(c) for c in h.closures],
    }


# --- results of the services' writes and checks ------------------------------------


@dataclass(frozen=True)
class Moved:
    """What a calendar change or an extension did."""

    deadlines: int
    cases: int
    closure_id: int | None = None
    #: the new due instant, for one case's extension
    due_at: datetime | None = None


@dataclass(frozen=True)
class RowError:
    """What is wrong with one CSV row."""

    line: int
    column: str
    why: str

    def __str__(self) -> str:
        return f"line {self.line}, {self.column}: {self.why}"


@dataclass
class ImportReport:
    """What an import did."""

    offices: int
    cases_opened: int
    skipped: list[RowError]


@dataclass(frozen=True)
class BrokenChain:
    """A case whose timeline does not hold, and its first broken event."""

    case_id: int
    office_code: str
    #: the first broken event's seq; for a chain cut short, the seq of the missing event
    seq: int
    #: why, as a plain sentence
    why: str

    def __str__(self) -> str:
        return f"case {self.case_id} ({self.office_code}): event #{self.seq}: {self.why}"


@dataclass(frozen=True)
class WrongField:
    """A case whose timeline holds but whose row says something else: the first field."""

    case_id: int
    office_code: str
    field: str
    why: str

    def __str__(self) -> str:
        return f"case {self.case_id} ({self.office_code}): {self.why}"


@dataclass(frozen=True)
class CampaignFault:
    """A campaign whose own record does not hold."""

    campaign: str
    #: what does not hold: "rubric", "event_count" or "heads"
    what: str
    why: str

    def __str__(self) -> str:
        return f"campaign {self.campaign}: {self.why}"


@dataclass(frozen=True)
class VerifyReport:
    """What :func:`verify_timelines` checked and found."""

    cases_checked: int
    events_checked: int
    #: the cases whose chain is broken, by case id, each once
    broken: list[BrokenChain]
    #: the cases whose chain holds but whose row disagrees with it, by case id, each once
    wrong_fields: list[WrongField] = field(default_factory=list)
    campaigns: list[CampaignFault] = field(default_factory=list)
    #: whether a heads file was checked too
    heads_checked: bool = False

    @property
    def ok(self) -> bool:
        """Whether everything checked holds."""
        return not (self.broken or self.wrong_fields or self.campaigns)

    def summary(self) -> str:
        """What was checked, in one line: "9 case(s), 52 event(s) checked"."""
        checked = f"{self.cases_checked} case(s), {self.events_checked} event(s) checked"
        return checked + (", against the heads file" if self.heads_checked else "")

    def faults(self) -> list[str]:
        """Every fault found, one line each: campaigns first, then cases by id."""
        by_case: list[BrokenChain | WrongField] = [*self.broken, *self.wrong_fields]
        by_case.sort(key=lambda f: f.case_id)
        return [str(f) for f in self.campaigns] + [str(f) for f in by_case]


@dataclass(frozen=True)
class IssuedCode:
    """A code just issued, with what a letter to the holder needs."""

    national_id: str
    office_code: str
    office_name: str
    region: int
    province: str
    code: str
    expires_at: datetime


@dataclass(frozen=True)
class LoginPolicy:
    """The lockout and activation rules in force."""

    max_failed_logins: int = 5
    lock_minutes: int = 15
    activation_days: int = 14


@dataclass(frozen=True)
class IssuedSession:
    """A session just opened: its token (shown this once) and who it stands for."""

    token: str
    username: str
    role: str
    region: int | None
    office_id: int | None
    #: the session is restricted to changing the password (and logging out)
    must_change_password: bool
    expires_at: datetime


# --- cases ---------------------------------------------------------------------------


@dataclass(frozen=True)
class CaseSummary:
    """A case with its office: state, inputs, score and places."""

    id: int
    campaign: str
    office: str
    office_name: str
    kind: str
    region: int
    province: str
    state: str
    declared_at: datetime | None
    reviewed_at: datetime | None
    association_score: float | None
    violations: dict[str, int]
    total: float | None
    grade: str | None
    position_national: int | None
    position_regional: int | None
    position_provincial: int | None
    final_total: float | None
    final_grade: str | None
    escalated: bool
    declaration: dict[str, Any]
    #: the score line by line (the final one after a decided appeal); None: not scored
    breakdown: dict[str, Any] | None
    #: how many times the case has changed: what ``--if-version`` compares
    version: int = 0


class CaseState(NamedTuple):
    """Where one case stands, in brief."""

    case_id: int
    state: str
    region: int
    office_id: int
    reviewed: bool


@dataclass(frozen=True)
class DeadlineView:
    """One of a case's deadlines."""

    kind: str
    status: str
    due_at: datetime | None
    #: a paused deadline's time left, in microseconds
    remaining_us: int | None


@dataclass(frozen=True)
class EventView:
    """One entry of a case's timeline."""

    seq: int
    action: str
    from_state: str
    to_state: str
    logical_at: datetime
    recorded_at: datetime
    actor: str
    payload: dict[str, Any]
    hash: str


@dataclass(frozen=True)
class CaseDetailView:
    """A case with its deadlines and timeline."""

    case: CaseSummary
    deadlines: tuple[DeadlineView, ...]
    events: tuple[EventView, ...]


def case_json(c: CaseSummary) -> dict[str, Any]:
    """A case as JSON (without its score breakdown)."""
    data = plain(c)
    del data["breakdown"]
    return data


def event_json(e: EventView) -> dict[str, Any]:
    """A timeline event as JSON."""
    return {
        "seq": e.seq,
        "action": e.action,
        "from": e.from_state,
        "to": e.to_state,
        "logical_at": e.logical_at,
        "recorded_at": e.recorded_at,
        "actor": e.actor,
        "payload": e.payload,
        "hash": e.hash,
    }


def case_detail_json(view: CaseDetailView, *, time_left: list[str]) -> dict[str, Any]:
    """A case with its deadlines (each with the ``time_left`` shown) and timeline."""
    return {
        **case_json(view.case),
        "deadlines": [
            {"kind": d.kind, "status": d.status, "due_at": d.due_at, "time_left": left}
            for d, left in zip(view.deadlines, time_left, strict=True)
        ],
        "breakdown": view.case.breakdown,
        "timeline": [event_json(e) for e in view.events],
    }


# --- the ranking and scores ----------------------------------------------------------


@dataclass(frozen=True)
class RankingRow:
    """One case's line in the ranking.

    ``total`` and ``grade`` are the published figures; ``final_total`` and
    ``final_grade`` are set once the case is final. ``change`` is ``final_total -
    total`` (to the hundredth) when an appeal decision changed the total, else None.
    """

    position_national: int | None
    position_regional: int | None
    position_provincial: int | None
    case_id: int
    office_code: str
    office_name: str
    kind: str
    region: int
    province: str
    total: float | None
    grade: str | None
    final_total: float | None
    final_grade: str | None
    state: str
    change: float | None


#: the ranking's columns (its CSV header and JSON keys): :class:`RankingRow`'s fields
RANKING_COLUMNS: Final[tuple[str, ...]] = tuple(f.name for f in fields(RankingRow))


class RankingFilter(NamedTuple):
    """What a ranking page is narrowed to (None: anything)."""

    region: int | None = None
    province: str | None = None
    kind: str | None = None
    #: the grade shown: the final one once there is one, else the published one
    grade: str | None = None
    #: part of an office code or name
    search: str | None = None


@dataclass(frozen=True)
class RankingPage:
    """One page of a campaign's ranking, narrowed by filters."""

    campaign: str
    rows: tuple[RankingRow, ...]
    #: how many rows the whole narrowed ranking has
    total: int
    page: int
    per_page: int

    @property
    def pages(self) -> int:
        """How many pages the narrowed ranking has (at least 1)."""
        return max(1, -(-self.total // self.per_page))


class GradeCount(NamedTuple):
    """How many of a region's ranked cases have a grade (the final one once known)."""

    region: int
    grade: str | None
    cases: int


class ScoreBin(NamedTuple):
    """How many ranked cases have a total from ``low`` up to (not including) ``high``."""

    low: float
    high: float
    cases: int


class StandingLine(NamedTuple):
    """One line of a published score, as the public sees it (no input values)."""

    code: str
    label_fa: str
    points: float


@dataclass(frozen=True)
class OfficeStanding:
    """An office's place in a campaign's ranking, its score line by line and its appeal
    window: what its public page shows (nothing personal, no declaration)."""

    campaign: str
    row: RankingRow
    lines: tuple[StandingLine, ...]
    #: when the office's appeal window closes (None: it has none, or not yet)
    appeal_due: datetime | None
    #: whether that window is still open
    appeal_open: bool


@dataclass(frozen=True)
class RankingSummary:
    """A campaign's ranking in numbers: cases per region and grade, and the totals'
    distribution."""

    campaign: str
    per_region: tuple[GradeCount, ...]
    bins: tuple[ScoreBin, ...]


def ranking_json(rows: list[RankingRow]) -> list[dict[str, Any]]:
    """The rows as JSON-ready dicts (keys as the CSV header; numbers as numbers, a
    missing value as None)."""
    return [asdict(row) for row in rows]


def eligible_json(per_region: dict[int, list[RankingRow]]) -> dict[str, list[dict[str, Any]]]:
    """The eligible offices per region as JSON (regions as keys)."""
    return {str(region): ranking_json(rows) for region, rows in per_region.items()}


@dataclass(frozen=True)
class Explanation:
    """How a case's score is made up.

    ``lines`` are the lines of its latest scoring: they sum to ``final_total`` when an
    appeal decision changed the score, else to ``total`` (see :attr:`lines_total`).
    ``total`` and ``grade`` are the published figures; ``final_total`` and
    ``final_grade`` are set only when they differ from them.
    """

    case: CaseSummary
    lines: tuple[ScoreLine, ...]
    total: float
    grade: str
    final_total: float | None = None
    final_grade: str | None = None
    #: not ranked yet: the score follows the inputs until the ranks are published
    provisional: bool = False

    @property
    def lines_total(self) -> float:
        """The total the lines add up to: the final one when it differs, else ``total``."""
        return self.total if self.final_total is None else self.final_total

    @property
    def change(self) -> float | None:
        """``final_total - total`` (to the hundredth) when they differ, else None."""
        if self.final_total is None:
            return None
        return round(self.final_total - self.total, 2)


def explanation_json(found: Explanation) -> dict[str, Any]:
    """A score's explanation as JSON."""
    return {
        "case": found.case.id,
        "total": found.total,
        "grade": found.grade,
        "final_total": found.final_total,
        "final_grade": found.final_grade,
        "provisional": found.provisional,
        "lines": [
            {
                "code": line.code,
                "label": line.label,
                "value": line.value,
                "points": line.points,
                "note": line.note,
            }
            for line in found.lines
        ],
    }
