"""Reading timelines back as stored, to verify their hash chains.

Cases are read in pages by case id (keyset pagination), each page in one statement,
so a case's row and its events come from one snapshot and memory stays bounded
however many cases there are.
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

from mohlat.store.models import Case, Event, Office, table_of
from mohlat.store.types import UTCDateTime
from mohlat.workflow.timeline import NewEvent

__all__ = ["UNREADABLE_INSTANT", "StoredChain", "chain_page"]

_cases = table_of(Case)
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
    for row in tx.execute(query):
        if not chains or chains[-1].case_id != row[0]:
            chains.append(StoredChain(row[0], row[1], row[2], row[3], row[4], events=[]))
        if row[5] is not None:
            chains[-1].events.append(_event(row[0], row[6:], dialect))
    return chains


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
