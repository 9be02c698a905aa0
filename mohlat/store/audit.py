"""Reading timelines back as stored, to verify their hash chains and the case rows
they must account for.

Cases are read in pages by case id (keyset pagination), each page in one statement,
so a case's row and its events come from one snapshot and memory stays bounded
however many cases there are; a page's declarations and pending deadlines are one
more statement each (:func:`page_details`).
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import String, Text, cast, select, type_coerce
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import Session

from mohlat.store._dialect import among_ids
from mohlat.store.models import Campaign, Case, CaseDetail, Deadline, Event, Office, table_of
from mohlat.store.types import UTCDateTime
from mohlat.workflow.replay import CaseFields
from mohlat.workflow.timeline import NewEvent

__all__ = [
    "UNREADABLE_INSTANT",
    "CampaignRecord",
    "PageDetails",
    "PendingDeadline",
    "StoredChain",
    "campaign_records",
    "chain_page",
    "head_page",
    "page_details",
]

_campaigns = table_of(Campaign)
_cases = table_of(Case)
_details = table_of(CaseDetail)
_deadlines = table_of(Deadline)
_events = table_of(Event)
_offices = table_of(Office)

#: what an instant that cannot be read back is taken to be; no event has it, so the
#: event's hash cannot match
UNREADABLE_INSTANT = datetime.min.replace(tzinfo=UTC)

_INSTANT = UTCDateTime()


@dataclass(frozen=True)
class StoredChain:
    """One case's timeline as stored, with what the case's row records of it."""

    case_id: int
    campaign_id: int
    office_code: str
    #: how many events the case's row says it has
    event_count: int
    #: the hash the case's row says its last event has
    last_hash: str
    #: the case's event rows, by (seq, id)
    events: list[NewEvent]
    #: the case's state-bearing fields as its row holds them (its declaration: see
    #: :func:`page_details`)
    fields: CaseFields | None = None


def chain_page(
    tx: Session, *, campaign_id: int | None, after_case_id: int = 0, limit: int = 1000
) -> list[StoredChain]:
    """The stored timelines of up to ``limit`` cases with ids above ``after_case_id``.

    Cases come by id, of one campaign or (``campaign_id=None``) of all. Each event is
    read as written, whatever its ``campaign_id`` column says. A value that cannot be
    read back (SQLite columns accept any text) is kept so that its event's hash cannot
    match: a payload that is not JSON as its raw text, an instant as
    :data:`UNREADABLE_INSTANT`.
    """
    c, e, o = _cases.c, _events.c, _offices.c
    page = select(c.id).where(c.id > after_case_id).order_by(c.id).limit(limit)
    if campaign_id is not None:
        page = page.where(c.campaign_id == campaign_id)
    ids = page.subquery("page")
    query = (
        select(
            c.id,
            c.campaign_id,
            o.code,
            c.event_count,
            c.last_hash,
            *_FIELD_COLUMNS,
            e.id,
            e.campaign_id,
            e.seq,
            e.action,
            e.from_state,
            e.to_state,
            type_coerce(e.logical_at, String),
            type_coerce(e.recorded_at, String),
            e.actor,
            cast(e.payload, Text),
            e.prev_hash,
            e.hash,
        )
        .select_from(
            ids.join(_cases, c.id == ids.c.id)
            .join(_offices, o.id == c.office_id)
            .outerjoin(_events, e.case_id == c.id)
        )
        .order_by(c.id, e.seq, e.id)
    )
    dialect = tx.get_bind().dialect
    chains: list[StoredChain] = []
    width = 5 + len(_FIELD_COLUMNS)
    for row in tx.execute(query):
        if not chains or chains[-1].case_id != row[0]:
            fields = _fields(row[5:width], dialect)
            chains.append(StoredChain(row[0], row[1], row[2], row[3], row[4], [], fields))
        if row[width] is not None:
            chains[-1].events.append(_event(row[0], row[width + 1 :], dialect))
    return chains


_c = _cases.c
#: the case columns read back as :class:`CaseFields` (declaration apart)
_FIELD_COLUMNS = (
    _c.state,
    _c.region,
    _c.province,
    _c.association_score,
    cast(_c.violations, Text),
    _c.violations_count,
    type_coerce(_c.declared_at, String),
    _c.total,
    _c.grade,
    _c.final_total,
    _c.final_grade,
    _c.escalated,
    _c.position_national,
    _c.position_regional,
    _c.position_provincial,
)


def _fields(row: Sequence[Any], dialect: Dialect) -> CaseFields:
    (
        state,
        region,
        province,
        association,
        violations,
        count,
        declared_at,
        total,
        grade,
        final_total,
        final_grade,
        escalated,
        national,
        regional,
        provincial,
    ) = row
    return CaseFields(
        state=state,
        region=region,
        province=province,
        declaration=None,
        association_score=association,
        violations=_payload(violations),
        violations_count=count,
        declared_at=None if declared_at is None else _instant(declared_at, dialect),
        total=total,
        grade=grade,
        final_total=final_total,
        final_grade=final_grade,
        breakdown=None,
        escalated=bool(escalated),
        positions=(national, regional, provincial),
    )


@dataclass(frozen=True)
class PendingDeadline:
    """A pending deadline of a case, with what it is derived from."""

    kind: str
    #: an instant that cannot be read back is :data:`UNREADABLE_INSTANT`
    due_at: datetime
    started_at: datetime | None
    #: as stored: a list of extensions, or what could not be read as JSON
    extensions: Any


@dataclass(frozen=True)
class PageDetails:
    """The declarations, breakdowns and pending deadlines of a page of cases, by case id."""

    declarations: dict[int, Any]
    breakdowns: dict[int, Any]
    deadlines: dict[int, list[PendingDeadline]]


def page_details(tx: Session, case_ids: Sequence[int]) -> PageDetails:
    """The declarations, breakdowns and pending deadlines of these cases: one statement
    for the details, one for the deadlines."""
    if not case_ids:
        return PageDetails({}, {}, {})
    d, dl = _details.c, _deadlines.c
    declarations: dict[int, Any] = {}
    breakdowns: dict[int, Any] = {}
    details = select(d.case_id, cast(d.declaration, Text), cast(d.breakdown, Text)).where(
        among_ids(d.case_id, case_ids)
    )
    for case_id, declaration, breakdown in tx.execute(details):
        declarations[case_id] = _payload(declaration)
        breakdowns[case_id] = _payload(breakdown)
    deadlines: dict[int, list[PendingDeadline]] = {}
    rows = tx.execute(
        select(
            dl.case_id,
            dl.kind,
            type_coerce(dl.due_at, String),
            type_coerce(dl.started_at, String),
            cast(dl.extensions, Text),
        )
        .where(among_ids(dl.case_id, case_ids), dl.status == "pending")
        .order_by(dl.case_id, dl.id)
    )
    dialect = tx.get_bind().dialect
    for case_id, kind, due_at, started_at, extensions in rows:
        if due_at is not None:
            deadlines.setdefault(case_id, []).append(
                PendingDeadline(
                    kind,
                    _instant(due_at, dialect),
                    None if started_at is None else _instant(started_at, dialect),
                    _payload(extensions),
                )
            )
    return PageDetails(declarations, breakdowns, deadlines)


@dataclass(frozen=True)
class CampaignRecord:
    """What a campaign's row records for verification."""

    campaign_id: int
    code: str
    event_count: int
    rubric_text: str
    rubric_sha256: str


def campaign_records(tx: Session) -> dict[int, CampaignRecord]:
    """Every campaign's event count and frozen rubric, by campaign id."""
    k = _campaigns.c
    query = select(k.id, k.code, k.event_count, k.rubric_text, k.rubric_sha256)
    return {row[0]: CampaignRecord(*row) for row in tx.execute(query)}


def head_page(
    tx: Session, *, after_case_id: int = 0, limit: int = 10_000
) -> list[tuple[int, int, int, str]]:
    """(case id, campaign id, event count, last hash) of up to ``limit`` cases with ids
    above ``after_case_id``, by id: what a heads file records."""
    query = (
        select(_c.id, _c.campaign_id, _c.event_count, _c.last_hash)
        .where(_c.id > after_case_id)
        .order_by(_c.id)
        .limit(limit)
    )
    return [(row[0], row[1], row[2], row[3]) for row in tx.execute(query)]


def _event(case_id: int, row: Sequence[Any], dialect: Dialect) -> NewEvent:
    campaign_id, seq, action, source, dest, logical, recorded, actor, payload, prev, digest = row
    return NewEvent(
        case_id=case_id,
        campaign_id=campaign_id,
        seq=seq,
        action=action,
        from_state=source,
        to_state=dest,
        logical_at=_instant(logical, dialect),
        recorded_at=_instant(recorded, dialect),
        actor=actor,
        payload=_payload(payload),
        prev_hash=prev,
        hash=digest,
    )


def _instant(raw: Any, dialect: Dialect) -> datetime:
    try:
        value = _INSTANT.process_result_value(raw, dialect)
    except (TypeError, ValueError):
        return UNREADABLE_INSTANT
    return value if value is not None else UNREADABLE_INSTANT


def _payload(raw: str | None) -> Any:
    if raw is None:
        return None
    try:
        return json.loads(raw)
    except ValueError:
        return raw
