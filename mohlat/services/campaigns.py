"""Campaigns: creating one (and opening a case for every office), publishing its ranks."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from mohlat.calendars import (
    Extension,
    parse_jalali_date,
    period_end,
    read_extensions,
    window_close,
    window_open,
)
from mohlat.errors import CampaignNotFound, InvalidInput, Refused
from mohlat.scoring import Rubric, default_rubric
from mohlat.services.access import Actor, authorize, may, region_filter
from mohlat.services.moves import Publication, publish_in
from mohlat.services.plain import campaign_view
from mohlat.services.rules import CalendarBook, campaign_rules, rubric_of
from mohlat.store import Database, Transaction
from mohlat.store import queries as q
from mohlat.store.models import Campaign
from mohlat.store.writes import apply_plan
from mohlat.text_rules import clean_code, clean_name
from mohlat.views import (
    CampaignOverview,
    CampaignView,
    DeclarationForm,
    FormField,
    RegionCount,
)
from mohlat.workflow.definition import PUBLICATION_KIND, DeadlineKind, State
from mohlat.workflow.engine import CaseUpdate, DeadlineChange, Plan
from mohlat.workflow.settings import CampaignSettings
from mohlat.workflow.timeline import GENESIS, NewEvent

__all__ = [
    "campaign_overview",
    "campaign_settings",
    "campaigns",
    "create_campaign",
    "find_campaign",
    "open_cases",
    "publish",
]

OFFICE_KINDS = ("pishkhan", "rural_ict")


def campaign_settings(
    *, review_days: int, correction_days: int, appeal_days: int, decision_days: int
) -> CampaignSettings:
    """The default settings with these periods (in working days)."""
    settings = CampaignSettings()
    for kind, days in (
        (DeadlineKind.REVIEW, review_days),
        (DeadlineKind.CORRECTION, correction_days),
        (DeadlineKind.APPEAL, appeal_days),
        (DeadlineKind.APPEAL_DECISION, decision_days),
    ):
        settings = settings.with_days(kind, days)
    return settings


def find_campaign(tx: Transaction, code: str | None) -> Campaign:
    """The campaign with ``code``, or the newest one when no code is given."""
    if code:
        found = q.campaign_by_code(tx, code=clean_code(code, field="campaign", max_length=64))
        if found is None:
            raise CampaignNotFound(code)
        return found
    campaigns = q.list_campaigns(tx)
    if not campaigns:
        raise CampaignNotFound("(none yet: create one with `mohlat campaign create`)")
    return campaigns[0]


def create_campaign(
    db: Database,
    *,
    actor: Actor,
    now: datetime,
    code: str,
    title: str,
    first_day: str,
    last_day: str,
    settings: CampaignSettings | None = None,
    rubric: Rubric | None = None,
) -> Campaign:
    """Create a campaign with its declaration window and open a case for every office.

    The window includes both days (Tehran time); the review window, and with it
    publication, ends ``review`` days after the window closes. The rubric is frozen
    into the campaign (its text and SHA-256).
    """
    authorize(actor, "campaign.create")
    if not code.strip():
        raise InvalidInput("code", code, "a non-empty campaign code, e.g. 1400-2")
    code = clean_code(code, field="code", max_length=64)
    title = clean_name(title, field="title", max_length=200, required=False)
    first = parse_jalali_date(first_day, field="first day")
    last = parse_jalali_date(last_day, field="last day")
    if last < first:
        raise InvalidInput("last day", last_day, f"a day on or after the first day {first_day}")
    settings = settings or CampaignSettings()
    rubric = rubric or default_rubric()
    with db.transaction() as tx:
        if q.campaign_by_code(tx, code=code) is not None:
            from mohlat.errors import Duplicate

            raise Duplicate("campaign", code)
        book = CalendarBook.load(tx, years=range(first.year - 1, first.year + 3))
        closes_at = window_close(
            last, book.national, roll_forward=settings.declaration_roll_forward
        )
        review_closes_at = period_end(
            closes_at, settings.policy(DeadlineKind.REVIEW), book.national
        )
        campaign = q.add(
            tx,
            Campaign(
                code=code.strip(),
                title=title,
                first_day=first.strftime("%Y/%m/%d"),
                last_day=last.strftime("%Y/%m/%d"),
                opens_at=window_open(first),
                closes_at=closes_at,
                review_closes_at=review_closes_at,
                settings=settings.to_json(),
                rubric_text=rubric.text,
                rubric_sha256=rubric.sha256,
                created_at=now,
            ),
        )
        assert campaign.id is not None
        q.open_campaign_deadline(
            tx,
            campaign_id=campaign.id,
            kind=PUBLICATION_KIND,
            due_at=review_closes_at,
            started_at=closes_at,
            at=now,
        )
        open_cases(tx, campaign, now=now, actor=actor.name)
    return campaign


def open_cases(tx: Transaction, campaign: Campaign, *, now: datetime, actor: str) -> int:
    """Open a case (state declaring, its declaration deadline pending) for every office
    that has none in the campaign, if its window has not closed yet."""
    assert campaign.id is not None
    if now > campaign.closes_at:
        return 0
    offices = q.office_ids_without_case(tx, campaign_id=campaign.id, kinds=OFFICE_KINDS)
    if not offices:
        return 0
    case_ids = q.insert_cases_for(
        tx,
        rows=[
            {
                "campaign_id": campaign.id,
                "office_id": oid,
                "region": region,
                "province": province,
                "state": State.DECLARING.value,
                "last_hash": GENESIS,
                "version": 0,
                "event_count": 0,
            }
            for oid, region, province in offices
        ],
    )
    plan = Plan()
    declaration_due = campaign.closes_at.isoformat()
    granted = _declaration_extensions(tx, campaign.id)
    rules = campaign_rules(tx, campaign) if granted else None
    extended: list[tuple[int, str, list[dict[str, Any]]]] = []
    for case_id, (_oid, region, province) in zip(case_ids, offices, strict=True):
        due = campaign.closes_at
        own = [e for e in granted if e.region in (None, region)]
        if own and rules is not None:
            kind = DeadlineKind.DECLARATION
            due = rules.recount(kind, None, region, province, own) or due
            extended.append((case_id, kind.value, [e.to_json() for e in own]))
        event = NewEvent.chained(
            case_id=case_id,
            campaign_id=campaign.id,
            seq=1,
            action="open",
            from_state="",
            to_state=State.DECLARING.value,
            logical_at=now,
            recorded_at=now,
            actor=actor,
            # the office's region and province as the case starts with them: verify
            # checks the case's row against them (the region decides who reviews it)
            payload={
                "declaration_due": declaration_due,
                "region": region,
                "province": province,
            },
            prev_hash=GENESIS,
        )
        digest = event.hash
        plan.events.append(event)
        plan.updates.append(
            CaseUpdate(case_id, 0, {"version": 1, "event_count": 1, "last_hash": digest})
        )
        plan.deadlines.append(
            DeadlineChange(
                "open",
                case_id,
                campaign.id,
                region,
                DeadlineKind.DECLARATION,
                now,
                due_at=due,
            )
        )
    apply_plan(tx, plan)
    q.set_deadline_extensions(tx, rows=extended)
    return len(case_ids)


def _declaration_extensions(tx: Transaction, campaign_id: int) -> list[Extension]:
    """The extensions of the campaign's declaration window (every region's and one
    region's) on its own record, which a case opened later in the window gets too."""
    own = q.campaign_deadline(tx, campaign_id=campaign_id, kind=PUBLICATION_KIND)
    stored = read_extensions(own.extensions if own is not None else None)
    return [e for e in stored if e.window == DeadlineKind.DECLARATION.value]


def publish(
    db: Database,
    *,
    actor: Actor,
    now: datetime,
    code: str | None,
    progress: Callable[[int, int], None] | None = None,
) -> Publication:
    """Publish a campaign's ranks now, before its review window closes.

    Allowed once every case is reviewed: none still declaring, none out for
    correction, every case under review approved.
    """
    authorize(actor, "campaign.publish")
    with db.transaction() as tx:
        campaign = find_campaign(tx, code)
        assert campaign.id is not None
        if campaign.published_at is not None:
            raise Refused(f"campaign {campaign.code!r} was published already")
        blocking = {
            "still declaring": q.count_cases(tx, campaign_id=campaign.id, state=State.DECLARING),
            "out for correction": q.count_cases(
                tx, campaign_id=campaign.id, state=State.CORRECTION_REFERRAL
            ),
            "under review, not approved": q.count_cases(
                tx, campaign_id=campaign.id, state=State.REGIONAL_REVIEW, reviewed=False
            ),
        }
        waiting = [f"{n} {what}" for what, n in blocking.items() if n]
        if waiting:
            raise Refused(
                f"campaign {campaign.code!r} cannot be published before every case "
                f"is reviewed: {', '.join(waiting)}"
            )
        rules = campaign_rules(tx, campaign, published_at=now)
        return publish_in(
            tx, rules=rules, at=now, recorded_at=now, actor=actor.name, progress=progress
        )


def declaration_form(db: Database, *, actor: Actor | None, campaign: str | None) -> DeclarationForm:
    """The fields an office declares in ``campaign``, and the violations and association
    score its region records (public: the rubric is)."""
    authorize(actor, "campaign.list")
    with db.transaction(read_only=True) as tx:
        found = find_campaign(tx, campaign)
    rubric = rubric_of(found)
    association = rubric.association
    return DeclarationForm(
        found.code,
        tuple(
            FormField(
                code=c.code,
                label=c.label,
                label_fa=c.label_fa,
                input=str(c.input),
                unit=c.unit,
                minimum=None if c.minimum is None else float(c.minimum),
                maximum=None if c.maximum is None else float(c.maximum),
                choices=c.choices,
                required=c.required,
                allowed=c.allowed,
            )
            for c in rubric.criteria
        ),
        violations=tuple(
            FormField(
                code=v.code,
                label=v.label,
                label_fa=v.label_fa,
                input="int",
                unit="",
                minimum=0,
                maximum=float(v.limit),
                choices=(),
                required=False,
                allowed=v.allowed,
                points=float(v.points),
            )
            for v in rubric.violations
        ),
        association=FormField(
            code=association.code,
            label=association.label,
            label_fa=association.label_fa,
            input="number",
            unit="",
            minimum=float(association.minimum),
            maximum=float(association.maximum),
            choices=(),
            required=False,
            allowed=association.allowed,
        ),
    )


def campaigns(db: Database, *, actor: Actor | None = None) -> list[CampaignView]:
    """Every campaign and its dates, newest first (public)."""

    authorize(actor, "campaign.list")
    with db.transaction(read_only=True) as tx:
        return [campaign_view(c) for c in q.list_campaigns(tx)]


def campaign_overview(db: Database, *, actor: Actor | None, code: str | None) -> CampaignOverview:
    """A campaign (public) and, for an admin or a supervisor, how many cases stand in
    each state per region (a supervisor: its own region's)."""

    authorize(actor, "campaign.list")
    with db.transaction(read_only=True) as tx:
        campaign = find_campaign(tx, code)
        assert campaign.id is not None
        counts = None
        if actor is not None and may(actor, "campaign.counts"):
            _, region = region_filter(actor, None)
            counts = tuple(
                RegionCount(*row)
                for row in q.case_counts(tx, campaign_id=campaign.id, region=region)
            )
    return CampaignOverview(campaign_view(campaign), counts)
