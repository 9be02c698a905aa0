"""The reminder outbox: one row per deadline about to fall, written set-based."""

from __future__ import annotations

import typing
from collections.abc import Collection
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import CursorResult, String, and_, case, cast, exists, insert, literal, select
from sqlalchemy.orm import Session
from sqlmodel import col

from mohlat.store.models import Account, Case, Deadline, Office, Reminder, table_of

__all__ = ["due_within", "list_reminders", "write_reminders"]

_cases = table_of(Case)
_deadlines = table_of(Deadline)
_reminders = table_of(Reminder)
_accounts = table_of(Account)
_offices = table_of(Office)


def write_reminders(
    tx: Session, *, campaign_id: int, now: datetime, lead: timedelta, office_kinds: Collection[str]
) -> int:
    """Queue a reminder for each pending deadline of the campaign due within ``lead`` of
    ``now`` that has none yet for its current due instant; returns how many."""
    d, c, a = _deadlines.c, _cases.c, _accounts.c
    holder = (
        select(a.username)
        .where(a.office_id == c.office_id, a.role == "office")
        .limit(1)
        .scalar_subquery()
    )
    recipient = case(
        (d.kind.in_(list(office_kinds)), holder),
        else_=literal("region-") + cast(c.region, String),
    )
    already = exists().where(_reminders.c.deadline_id == d.id, _reminders.c.due_at == d.due_at)
    chosen = (
        select(
            d.id,
            d.case_id,
            d.campaign_id,
            c.region,
            d.kind,
            recipient,
            d.due_at,
            literal(now, type_=_reminders.c.created_at.type),
        )
        .join(_cases, c.id == d.case_id)
        .where(
            d.campaign_id == campaign_id,
            d.status == "pending",
            d.due_at > now,
            d.due_at <= now + lead,
            ~already,
        )
    )
    result = tx.execute(
        insert(_reminders).from_select(
            [
                "deadline_id",
                "case_id",
                "campaign_id",
                "region",
                "kind",
                "recipient",
                "due_at",
                "created_at",
            ],
            chosen,
        ),
        # psycopg closes an INSERT … SELECT cursor at once; keep its row count
        execution_options={"preserve_rowcount": True},
    )
    # Session.execute is typed as returning a Result; for an INSERT it is a CursorResult
    return int(typing.cast(CursorResult[Any], result).rowcount or 0)


def list_reminders(
    tx: Session, *, unsent_only: bool, region: int | None, limit: int | None
) -> list[Reminder]:
    """Reminders in the outbox, oldest first."""
    query = select(Reminder).order_by(col(Reminder.id))
    if unsent_only:
        query = query.where(col(Reminder.sent_at).is_(None))
    if region is not None:
        query = query.where(col(Reminder.region) == region)
    if limit is not None:
        query = query.limit(limit)
    return list(tx.execute(query).scalars())


def due_within(
    tx: Session,
    *,
    campaign_id: int,
    now: datetime,
    until: datetime,
    region: int | None,
    office_id: int | None,
) -> list[tuple[Any, ...]]:
    """(case id, office code, region, kind, due) of pending deadlines falling due between
    ``now`` and ``until``, earliest first."""
    d, c, o = _deadlines.c, _cases.c, _offices.c
    query = (
        select(d.case_id, o.code, c.region, d.kind, d.due_at)
        .join(_cases, c.id == d.case_id)
        .join(_offices, o.id == c.office_id)
        .where(
            and_(
                d.campaign_id == campaign_id,
                d.status == "pending",
                d.due_at > now,
                d.due_at <= until,
            )
        )
        .order_by(d.due_at, d.case_id)
    )
    if region is not None:
        query = query.where(c.region == region)
    if office_id is not None:
        query = query.where(c.office_id == office_id)
    return [tuple(r) for r in tx.execute(query)]
