"""The operations on campaigns, offices, the ranking and the timelines' verification."""

from __future__ import annotations

from dataclasses import dataclass

from pydantic import Field

from mohlat.api.operations import Call, Login, Params, operation
from mohlat.views import (
    CampaignOverview,
    CampaignView,
    DeclarationForm,
    ImportReport,
    OfficeStanding,
    OfficeView,
    RankingFilter,
    RankingPage,
    RankingRow,
    RankingSummary,
    VerifyReport,
)

__all__ = ["HeadsText", "Published"]

Code = Field(default=None, max_length=64, description="Campaign code (default: the newest).")


@dataclass(frozen=True)
class Published:
    """What publishing a campaign did."""

    positions: int


@dataclass(frozen=True)
class HeadsText:
    """A signed heads file's contents."""

    text: str


class NoParams(Params):
    pass


class CampaignCode(Params):
    code: str | None = Code


class CampaignParam(Params):
    campaign: str | None = Code


@operation(
    "campaign.list", "GET", "/campaigns", params=NoParams, result=list[CampaignView],
    login=Login.OPTIONAL,
)  # fmt: skip
def list_campaigns(call: Call, p: NoParams) -> list[CampaignView]:
    """The campaigns, newest first (public)."""
    from mohlat.services.campaigns import campaigns

    return campaigns(call.db, actor=call.actor)


@operation(
    "campaign.show", "GET", "/campaign", params=CampaignCode, result=CampaignOverview,
    login=Login.OPTIONAL,
)  # fmt: skip
def show_campaign(call: Call, p: CampaignCode) -> CampaignOverview:
    """A campaign's windows (public) and, for an admin or a supervisor, its case counts."""
    from mohlat.services.campaigns import campaign_overview

    return campaign_overview(call.db, actor=call.actor, code=p.code)


@operation(
    "campaign.form", "GET", "/campaign/form", params=CampaignCode, result=DeclarationForm,
    login=Login.OPTIONAL,
)  # fmt: skip
def declaration_form(call: Call, p: CampaignCode) -> DeclarationForm:
    """The fields an office declares in a campaign (labels, units, ranges, choices), and
    the violations and association score its region records."""
    from mohlat.services.campaigns import declaration_form as form

    return form(call.db, actor=call.actor, campaign=p.code)


class NewCampaign(Params):
    code: str = Field(max_length=64)
    first_day: str = Field(max_length=32, description="First day of self-declaration (Jalali).")
    last_day: str = Field(max_length=32, description="Its last day (Jalali), included.")
    title: str = Field(default="", max_length=200)
    review_days: int = Field(default=10, ge=1, le=365)
    correction_days: int = Field(default=5, ge=1, le=365)
    appeal_days: int = Field(default=7, ge=1, le=365)
    decision_days: int = Field(default=10, ge=1, le=365)
    rubric: str | None = Field(
        default=None, max_length=1_000_000, description="A rubric's TOML (default: built in)."
    )
    rubric_source: str = Field(default="<rubric>", max_length=200)


@operation(
    "campaign.create", "POST", "/campaigns", params=NewCampaign, result=CampaignView, status=201
)
def create_campaign(call: Call, p: NewCampaign) -> CampaignView:
    """Create a campaign and open a case for every office."""
    from mohlat.scoring import load_rubric
    from mohlat.services.campaigns import campaign_settings
    from mohlat.services.campaigns import create_campaign as created
    from mohlat.services.plain import campaign_view

    settings = campaign_settings(
        review_days=p.review_days,
        correction_days=p.correction_days,
        appeal_days=p.appeal_days,
        decision_days=p.decision_days,
    )
    rubric = load_rubric(p.rubric, source=p.rubric_source) if p.rubric is not None else None
    campaign = created(
        call.db,
        actor=call.who,
        now=call.now,
        code=p.code,
        title=p.title or p.code,
        first_day=p.first_day,
        last_day=p.last_day,
        settings=settings,
        rubric=rubric,
    )
    return campaign_view(campaign)


@operation("campaign.publish", "POST", "/campaign/publish", params=CampaignParam, result=Published)
def publish(call: Call, p: CampaignParam) -> Published:
    """Publish a campaign's ranks before its review window closes."""
    from mohlat.services.campaigns import publish as published

    return Published(published(call.db, actor=call.who, now=call.now, code=p.campaign).positions)


class OfficeRows(Params):
    text: str = Field(max_length=50_000_000, description="The CSV, as text.")
    skip_invalid: bool = False


@operation("office.import", "POST", "/offices/import", params=OfficeRows, result=ImportReport)
def import_offices(call: Call, p: OfficeRows) -> ImportReport:
    """Import offices (and their holders' accounts) from CSV: all or nothing."""
    from mohlat.services.offices import import_offices as imported

    return imported(call.db, actor=call.who, text=p.text, now=call.now, skip_invalid=p.skip_invalid)


class OfficeQuery(Params):
    region: int | None = Field(default=None, ge=1, le=9)
    limit: int = Field(default=50, ge=1, le=1_000_000)


@operation("office.list", "GET", "/offices", params=OfficeQuery, result=list[OfficeView])
def list_offices(call: Call, p: OfficeQuery) -> list[OfficeView]:
    """Offices (an admin: all; a supervisor: its region's)."""
    from mohlat.services.offices import list_offices as listed

    return listed(call.db, actor=call.who, region=p.region, limit=p.limit)


class RankingQuery(Params):
    campaign: str | None = Code
    region: int | None = Field(default=None, ge=1, le=9)
    limit: int | None = Field(default=None, ge=1, le=1_000_000)


@operation(
    "ranking", "GET", "/ranking", params=RankingQuery, result=list[RankingRow],
    login=Login.OPTIONAL,
)  # fmt: skip
def ranking(call: Call, p: RankingQuery) -> list[RankingRow]:
    """A campaign's ranking: public once published."""
    from mohlat.services.ranking import ranking as ranked

    return ranked(call.db, actor=call.actor, campaign=p.campaign, region=p.region, limit=p.limit)


class RankingPageQuery(Params):
    campaign: str | None = Code
    region: int | None = Field(default=None, ge=1, le=9)
    province: str | None = Field(default=None, max_length=64)
    kind: str | None = Field(default=None, max_length=32)
    grade: str | None = Field(default=None, max_length=16, description="The grade shown.")
    search: str | None = Field(default=None, max_length=64, description="Part of a code or name.")
    page: int = Field(default=1, ge=1, le=100_000)
    per_page: int = Field(default=50, ge=1, le=500)


@operation(
    "ranking.page", "GET", "/ranking/page", params=RankingPageQuery, result=RankingPage,
    login=Login.OPTIONAL,
)  # fmt: skip
def ranking_page(call: Call, p: RankingPageQuery) -> RankingPage:
    """One page of a campaign's ranking, narrowed by region, province, kind, grade or a
    search (public once published)."""
    from mohlat.calendars import normalize_digits
    from mohlat.services.ranking import ranking_page as paged

    search = normalize_digits(p.search).strip() if p.search else None
    wanted = RankingFilter(p.region, p.province, p.kind, p.grade, search or None)
    return paged(
        call.db, actor=call.actor, campaign=p.campaign, wanted=wanted, page=p.page,
        per_page=p.per_page,
    )  # fmt: skip


@operation(
    "ranking.summary", "GET", "/ranking/summary", params=CampaignParam, result=RankingSummary,
    login=Login.OPTIONAL,
)  # fmt: skip
def ranking_summary(call: Call, p: CampaignParam) -> RankingSummary:
    """A campaign's ranking in numbers: cases per region and grade, the totals'
    distribution (public once published)."""
    from mohlat.services.ranking import ranking_summary as summary

    return summary(call.db, actor=call.actor, campaign=p.campaign)


class StandingQuery(Params):
    code: str = Field(max_length=64, description="The office's code.")
    campaign: str | None = Code


@operation(
    "ranking.office", "GET", "/ranking/offices/{code}", params=StandingQuery,
    result=OfficeStanding, login=Login.OPTIONAL,
)  # fmt: skip
def office_standing(call: Call, p: StandingQuery) -> OfficeStanding:
    """An office's place in the ranking, its score line by line and its appeal window
    (public once published)."""
    from mohlat.services.ranking import office_standing as standing

    return standing(
        call.db, actor=call.actor, campaign=p.campaign, office_code=p.code, now=call.now
    )


class EligibleQuery(Params):
    min_grade: str = Field(max_length=16)
    campaign: str | None = Code


@operation("eligible", "GET", "/eligible", params=EligibleQuery, result=dict[int, list[RankingRow]])
def eligible(call: Call, p: EligibleQuery) -> dict[int, list[RankingRow]]:
    """Per region, the offices whose final rank qualifies them for new services."""
    from mohlat.services.ranking import eligible as qualified

    return qualified(call.db, actor=call.who, campaign=p.campaign, min_grade=p.min_grade)


class VerifyParams(Params):
    campaign: str | None = Field(default=None, max_length=64)
    heads: str | None = Field(
        default=None, max_length=200_000_000, description="A heads file's contents."
    )


@operation("verify", "POST", "/verify", params=VerifyParams, result=VerifyReport)
def verify(call: Call, p: VerifyParams) -> VerifyReport:
    """Check every timeline and what is worked out from it (and a heads file, with the
    server's chain key)."""
    from mohlat.services.heads import chain_key
    from mohlat.services.verify import verify_timelines

    key = chain_key(call.settings) if p.heads is not None else None
    return verify_timelines(call.db, actor=call.who, campaign=p.campaign, heads=p.heads, key=key)


@operation("heads.export", "POST", "/heads", params=NoParams, result=HeadsText)
def export_heads(call: Call, p: NoParams) -> HeadsText:
    """Every chain head, signed with the server's chain key."""
    from mohlat.services.heads import chain_key
    from mohlat.services.heads import export_heads as exported

    return HeadsText(exported(call.db, actor=call.who, key=chain_key(call.settings)))
