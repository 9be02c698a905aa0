"""Campaign settings: the counting policy of each period, with DOMAIN.md's defaults."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict, dataclass, field, replace
from typing import Any

from mohlat.calendars import PeriodPolicy
from mohlat.errors import InvalidInput
from mohlat.workflow.definition import DeadlineKind

__all__ = ["DEFAULT_PERIODS", "CampaignSettings"]

#: Relative periods: the start day is not counted, a last day that is not a working
#: day rolls to the end of the next working day (DOMAIN.md, "Policies").
DEFAULT_PERIODS: Mapping[DeadlineKind, PeriodPolicy] = {
    DeadlineKind.REVIEW: PeriodPolicy(days=10),
    DeadlineKind.CORRECTION: PeriodPolicy(days=5),
    DeadlineKind.APPEAL: PeriodPolicy(days=7),
    DeadlineKind.APPEAL_DECISION: PeriodPolicy(days=10),
}


@dataclass(frozen=True)
class CampaignSettings:
    """How a campaign counts its deadlines."""

    periods: Mapping[DeadlineKind, PeriodPolicy] = field(
        default_factory=lambda: dict(DEFAULT_PERIODS)
    )
    #: whether a declaration window whose last day is not a working day runs on
    #: to the end of the next working day (off: a window given by dates is exact)
    declaration_roll_forward: bool = False
    #: how long before a deadline its reminder is queued (0: no reminders)
    reminder_lead_hours: int = 48

    def policy(self, kind: DeadlineKind) -> PeriodPolicy:
        """The counting policy of a relative period."""
        return self.periods[kind]

    def with_days(self, kind: DeadlineKind, days: int) -> CampaignSettings:
        """These settings with ``kind`` lasting ``days``."""
        periods = dict(self.periods)
        periods[kind] = replace(periods[kind], days=days)
        return replace(self, periods=periods)

    def to_json(self) -> dict[str, Any]:
        """A JSON-ready form, stored with the campaign."""
        return {
            "periods": {k.value: asdict(p) for k, p in self.periods.items()},
            "declaration_roll_forward": self.declaration_roll_forward,
            "reminder_lead_hours": self.reminder_lead_hours,
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> CampaignSettings:
        """Settings read back from :meth:`to_json`; unknown period kinds are refused."""
        periods = dict(DEFAULT_PERIODS)
        for name, raw in dict(data.get("periods", {})).items():
            try:
                kind = DeadlineKind(name)
            except ValueError:
                allowed = ", ".join(k.value for k in DEFAULT_PERIODS)
                raise InvalidInput("period", name, f"one of: {allowed}") from None
            periods[kind] = PeriodPolicy(**raw)
        return cls(
            periods=periods,
            declaration_roll_forward=bool(data.get("declaration_roll_forward", False)),
            reminder_lead_hours=int(data.get("reminder_lead_hours", 48)),
        )
