"""Reads for the ranking table, eligibility lists and exports: one Core query each."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, NamedTuple

from sqlalchemy import select
from sqlalchemy.orm import Session

from mohlat.store.models import Case, Office, table_of

__all__ = ["RankedCase", "ranked_cases"]

_cases = table_of(Case)
_offices = table_of(Office)


class RankedCase(NamedTuple):
    """One scored case with its office, as the ranking shows it."""

    case_id: int
    state: str
    position_national: int | None
    position_regional: int | None
    position_provincial: int | None
    total: float | None
    grade: str | None
    final_total: float | None
    final_grade: str | None
    office_code: str
    office_name: str
    kind: str
    region: int
    province: str


def ranked_cases(
    tx: Session,
    *,
    campaign_id: int,
    states: Sequence[str],
    region: int | None = None,
    office_id: int | None = None,
    final_grades: Sequence[str] | None = None,
    limit: int | None = None,
) -> list[RankedCase]:
    """The campaign's cases in ``states`` (optionally of one region, of one office, with a
    final grade among ``final_grades``), by national position; cases without a position
    come last, by total (higher first), then by office code."""
    c, o = _cases.c, _offices.c
    query: Any = (
        select(
            c.id,
            c.state,
            c.position_national,
            c.position_regional,
            c.position_provincial,
            c.total,
            c.grade,
            c.final_total,
            c.final_grade,
            o.code,
            o.name,
            o.kind,
            c.region,
            c.province,
        )
        .join(_offices, o.id == c.office_id)
        .where(c.campaign_id == campaign_id, c.state.in_(list(states)))
        .order_by(
            c.position_national.is_(None),
            c.position_national,
            c.total.desc(),
            o.code,
            c.id,
        )
    )
    if region is not None:
        query = query.where(c.region == region)
    if office_id is not None:
        query = query.where(c.office_id == office_id)
    if final_grades is not None:
        query = query.where(c.final_grade.in_(list(final_grades)))
    if limit is not None:
        query = query.limit(limit)
    return [RankedCase(*row) for row in tx.execute(query)]
