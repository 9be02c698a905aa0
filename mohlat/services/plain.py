"""Store rows turned into the plain views of :mod:`mohlat.views` (what services return)."""

from __future__ import annotations

from mohlat.store import queries as q
from mohlat.store.models import (
    Account,
    AccountEvent,
    Campaign,
    Closure,
    Deadline,
    Event,
    Office,
    Reminder,
)
from mohlat.views import (
    AccountEventView,
    AccountView,
    CampaignView,
    CaseSummary,
    ClosureView,
    DeadlineView,
    EventView,
    OfficeView,
    ReminderView,
)

__all__ = [
    "account_event_view",
    "account_view",
    "campaign_view",
    "case_summary",
    "closure_view",
    "deadline_view",
    "event_view",
    "office_view",
    "reminder_view",
]


def campaign_view(c: Campaign) -> CampaignView:
    """A campaign row as a view."""
    return CampaignView(
        code=c.code,
        title=c.title,
        first_day=c.first_day,
        last_day=c.last_day,
        opens_at=c.opens_at,
        closes_at=c.closes_at,
        review_closes_at=c.review_closes_at,
        published_at=c.published_at,
        settings=dict(c.settings),
        rubric_sha256=c.rubric_sha256,
    )


def office_view(o: Office) -> OfficeView:
    """An office row as a view."""
    assert o.id is not None
    return OfficeView(
        id=o.id,
        code=o.code,
        name=o.name,
        kind=o.kind,
        region=o.region,
        province=o.province,
        national_id=o.national_id,
        holder_name=o.holder_name,
    )


def account_view(a: Account) -> AccountView:
    """An account row as a view (no password hash)."""
    return AccountView(
        username=a.username,
        role=a.role,
        region=a.region,
        office_id=a.office_id,
        must_change_password=a.must_change_password,
        locked_until=a.locked_until,
    )


def account_event_view(e: AccountEvent) -> AccountEventView:
    """An audit trail row as a view."""
    assert e.id is not None
    return AccountEventView(
        id=e.id, username=e.username, action=e.action, at=e.at, actor=e.actor, detail=e.detail
    )


def reminder_view(r: Reminder) -> ReminderView:
    """A reminder row as a view."""
    assert r.id is not None
    return ReminderView(
        id=r.id,
        deadline_id=r.deadline_id,
        case_id=r.case_id,
        campaign_id=r.campaign_id,
        region=r.region,
        kind=r.kind,
        recipient=r.recipient,
        due_at=r.due_at,
        created_at=r.created_at,
        sent_at=r.sent_at,
    )


def closure_view(c: Closure) -> ClosureView:
    """A closure row as a view."""
    assert c.id is not None
    return ClosureView(
        id=c.id,
        kind=c.kind,
        first_day=c.first_day,
        last_day=c.last_day,
        reason=c.reason,
        regions=list(c.regions),
        provinces=list(c.provinces),
        created_at=c.created_at,
        created_by=c.created_by,
    )


def case_summary(row: q.CaseRow) -> CaseSummary:
    """A case row (with its office) as a view."""
    c, o = row.case, row.office
    assert c.id is not None
    return CaseSummary(
        id=c.id,
        campaign=row.campaign_code,
        office=o.code,
        office_name=o.name,
        kind=o.kind,
        region=c.region,
        province=c.province,
        state=c.state,
        declared_at=c.declared_at,
        reviewed_at=c.reviewed_at,
        association_score=c.association_score,
        violations=dict(c.violations or {}),
        total=c.total,
        grade=c.grade,
        position_national=c.position_national,
        position_regional=c.position_regional,
        position_provincial=c.position_provincial,
        final_total=c.final_total,
        final_grade=c.final_grade,
        escalated=c.escalated,
        declaration=dict(row.declaration or {}),
        breakdown=row.breakdown,
        version=c.version,
    )


def deadline_view(d: Deadline) -> DeadlineView:
    """A deadline row as a view."""
    return DeadlineView(kind=d.kind, status=d.status, due_at=d.due_at, remaining_us=d.remaining_us)


def event_view(e: Event) -> EventView:
    """A timeline event row as a view."""
    return EventView(
        seq=e.seq,
        action=e.action,
        from_state=e.from_state,
        to_state=e.to_state,
        logical_at=e.logical_at,
        recorded_at=e.recorded_at,
        actor=e.actor,
        payload=dict(e.payload),
        hash=e.hash,
    )
