"""Loading what the planner needs of a campaign: its rules, its calendars, its rubric."""

from __future__ import annotations

from datetime import date, datetime
from functools import lru_cache

from mohlat.calendars import Closure, WorkCalendar, parse_jalali_date
from mohlat.scoring import Rubric, load_rubric
from mohlat.store import Transaction
from mohlat.store import queries as q
from mohlat.store.models import Campaign
from mohlat.workflow.engine import CampaignRules
from mohlat.workflow.settings import CampaignSettings

__all__ = ["CalendarBook", "campaign_rules", "rubric_of"]


class CalendarBook:
    """The working calendars of every office scope, built once from the database."""

    def __init__(
        self,
        closures: tuple[Closure, ...],
        years: range,
        working_days: frozenset[date] = frozenset(),
    ) -> None:
        self._national = WorkCalendar.official(years, closures=closures, working_days=working_days)
        self._scoped: dict[tuple[int | None, str | None], WorkCalendar] = {}

    @classmethod
    def load(cls, tx: Transaction, *, years: range) -> CalendarBook:
        """The calendars with every closure and working-day correction on record."""
        rows = q.list_closures(tx)
        closures = tuple(
            Closure(
                first_day=parse_jalali_date(c.first_day),
                last_day=parse_jalali_date(c.last_day),
                reason=c.reason,
                regions=frozenset(c.regions),
                provinces=frozenset(c.provinces),
            )
            for c in rows
            if c.kind == "closure"
        )
        working = frozenset(
            day
            for c in rows
            if c.kind == "working_day"
            for day in Closure(
                parse_jalali_date(c.first_day), parse_jalali_date(c.last_day), c.reason
            ).days()
        )
        return cls(closures, years, working)

    @property
    def national(self) -> WorkCalendar:
        """The calendar with national closures only."""
        return self.for_scope(None, None)

    def for_scope(self, region: int | None, province: str | None) -> WorkCalendar:
        """The calendar of an office in ``region`` and ``province``."""
        key = (region, province)
        found = self._scoped.get(key)
        if found is None:
            found = self._national.for_scope(region, province)
            self._scoped[key] = found
        return found


def years_of(campaign: Campaign) -> range:
    """The Jalali years whose calendars a campaign's deadlines may touch."""
    first = int(campaign.first_day[:4])
    return range(first - 1, first + 3)


@lru_cache(maxsize=32)
def _rubric(text: str) -> Rubric:
    return load_rubric(text, source="campaign rubric")


def rubric_of(campaign: Campaign) -> Rubric:
    """The rubric frozen in the campaign."""
    return _rubric(campaign.rubric_text)


def campaign_rules(
    tx: Transaction,
    campaign: Campaign,
    *,
    calendars: CalendarBook | None = None,
    published_at: datetime | None = None,
) -> CampaignRules:
    """The planner's view of ``campaign`` (optionally as if published at ``published_at``)."""
    book = calendars or CalendarBook.load(tx, years=years_of(campaign))
    assert campaign.id is not None
    return CampaignRules(
        campaign_id=campaign.id,
        opens_at=campaign.opens_at,
        closes_at=campaign.closes_at,
        last_day=parse_jalali_date(campaign.last_day),
        published_at=published_at or campaign.published_at,
        settings=CampaignSettings.from_json(campaign.settings),
        rubric=rubric_of(campaign),
        calendar_for=book.for_scope,
    )
