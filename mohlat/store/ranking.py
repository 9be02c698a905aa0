"""Reads for the ranking table, eligibility lists and exports: one Core query each."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, NamedTuple

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from mohlat.errors import InvalidInput
from mohlat.scoring.ranking import TIE_BREAKERS
from mohlat.store.models import Case, Office, table_of
from mohlat.views import RankingFilter
from mohlat.workflow.definition import RANKED_STATES

__all__ = [
    "RankedCase",
    "RankingFilter",
    "number_positions",
    "ranked_cases",
    "ranking_count",
    "ranking_counts",
    "ranking_page",
    "ranking_rows",
]

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


def _filtered(query: Any, wanted: RankingFilter) -> Any:
    c, o = _cases.c, _offices.c
    if wanted.region is not None:
        query = query.where(c.region == wanted.region)
    if wanted.province is not None:
        query = query.where(c.province == wanted.province)
    if wanted.kind is not None:
        query = query.where(o.kind == wanted.kind)
    if wanted.grade is not None:
        query = query.where(func.coalesce(c.final_grade, c.grade) == wanted.grade)
    if wanted.search:
        query = query.where(
            o.code.icontains(wanted.search, autoescape=True)
            | o.name.icontains(wanted.search, autoescape=True)
        )
    return query


def ranking_page(
    tx: Session,
    *,
    campaign_id: int,
    states: Sequence[str],
    wanted: RankingFilter,
    offset: int,
    limit: int,
) -> tuple[list[RankedCase], int]:
    """One page of the campaign's ranking narrowed to ``wanted``, in the order of
    :func:`ranked_cases`, and how many rows the whole of it has."""
    total = ranking_count(tx, campaign_id=campaign_id, states=states, wanted=wanted)
    rows = ranking_rows(
        tx, campaign_id=campaign_id, states=states, wanted=wanted, offset=offset, limit=limit
    )
    return rows, total


def ranking_rows(
    tx: Session,
    *,
    campaign_id: int,
    states: Sequence[str],
    wanted: RankingFilter,
    offset: int,
    limit: int,
) -> list[RankedCase]:
    """The rows of one page of :func:`ranking_page`."""
    query = _filtered(_ranking_select(campaign_id, states), wanted).offset(offset).limit(limit)
    return [RankedCase(*row) for row in tx.execute(query)]


def ranking_count(
    tx: Session, *, campaign_id: int, states: Sequence[str], wanted: RankingFilter
) -> int:
    """How many rows the campaign's ranking narrowed to ``wanted`` has."""
    c, o = _cases.c, _offices.c
    base = select(c.id).where(c.campaign_id == campaign_id, c.state.in_([str(s) for s in states]))
    if wanted.kind is not None or wanted.search:  # every case has its office: else no join
        base = base.join(_offices, o.id == c.office_id)
    query = select(func.count()).select_from(_filtered(base, wanted).subquery())
    return int(tx.execute(query).scalar_one())


def ranking_counts(
    tx: Session, *, campaign_id: int, states: Sequence[str], bin_width: float
) -> tuple[list[tuple[int, str | None, int]], list[tuple[int, int]]]:
    """The campaign's ranked cases counted per region and grade shown, and per score
    bin (the bin's number: ``floor(total / bin_width)``)."""
    c = _cases.c
    shown_grade = func.coalesce(c.final_grade, c.grade)
    shown_total = func.coalesce(c.final_total, c.total)
    ranked = (c.campaign_id == campaign_id) & c.state.in_([str(s) for s in states])
    per_grade = tx.execute(
        select(c.region, shown_grade, func.count())
        .where(ranked)
        .group_by(c.region, shown_grade)
        .order_by(c.region, shown_grade)
    ).all()
    bin_of = func.floor(shown_total / bin_width)
    per_bin = tx.execute(
        select(bin_of, func.count())
        .where(ranked, shown_total.is_not(None))
        .group_by(bin_of)
        .order_by(bin_of)
    ).all()
    return (
        [(int(r), g, int(n)) for r, g, n in per_grade],
        [(int(b), int(n)) for b, n in per_bin],
    )


def _ranking_select(campaign_id: int, states: Sequence[str]) -> Any:
    c, o = _cases.c, _offices.c
    return (
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
        .where(c.campaign_id == campaign_id, c.state.in_([str(s) for s in states]))
        .order_by(  # NULLS LAST, not "IS NULL" first: an index on the position serves it
            c.position_national.asc().nulls_last(),
            c.total.desc(),
            o.code,
            c.id,
        )
    )


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
    c = _cases.c
    query: Any = _ranking_select(campaign_id, states)
    if region is not None:
        query = query.where(c.region == region)
    if office_id is not None:
        query = query.where(c.office_id == office_id)
    if final_grades is not None:
        query = query.where(c.final_grade.in_(list(final_grades)))
    if limit is not None:
        query = query.limit(limit)
    return [RankedCase(*row) for row in tx.execute(query)]


#: the states of a ranked case, as stored
_RANKED = tuple(s.value for s in RANKED_STATES)


def number_positions(tx: Session, *, campaign_id: int, tie_breakers: Sequence[str]) -> int:
    """Number the campaign's ranked cases by their published totals: national, regional
    and provincial positions, ordered exactly as :func:`mohlat.scoring.rank` orders
    them (higher total first, then ``tie_breakers``, office code, case id); returns
    how many were numbered. One statement: the database sorts."""
    c, o = _cases.c, _offices.c
    code = o.code.collate("C") if tx.get_bind().dialect.name == "postgresql" else o.code
    terms = {
        "total": [c.total.desc()],
        "association_score": [c.association_score.desc().nulls_last()],
        "violations_count": [c.violations_count.asc()],
        "declared_at": [c.declared_at.asc().nulls_last()],
        "office_code": [code.asc()],
    }
    unknown = [name for name in tie_breakers if name not in terms]
    if unknown:
        raise InvalidInput("tie_breakers", unknown[0], "one of: " + ", ".join(TIE_BREAKERS))
    order = [
        t for name in dict.fromkeys(["total", *tie_breakers, "office_code"]) for t in terms[name]
    ]
    order.append(c.id.asc())
    national = (
        select(
            c.id.label("case_id"),
            c.region,
            c.province,
            func.row_number().over(order_by=order).label("national"),
        )
        .join(_offices, o.id == c.office_id)
        .where(c.campaign_id == campaign_id, c.state.in_(_RANKED), c.total.is_not(None))
        .subquery()
    )
    n = national.c
    # regional and provincial places follow the national order: sorting by one integer
    numbered = select(
        n.case_id,
        n.national,
        func.row_number().over(partition_by=n.region, order_by=n.national).label("regional"),
        func.row_number().over(partition_by=n.province, order_by=n.national).label("provincial"),
    ).subquery()
    result = tx.execute(
        update(_cases)
        .where(c.id == numbered.c.case_id)
        .values(
            position_national=numbered.c.national,
            position_regional=numbered.c.regional,
            position_provincial=numbered.c.provincial,
        )
    )
    return int(result.rowcount)  # type: ignore[attr-defined]
