"""The published ranking: the table, its CSV and JSON exports, eligibility for new
services, and the explanation of one case's score (Resolution 289).

Everything here reads within the actor's remit, as :mod:`mohlat.services.access`
says: an admin sees every case, a supervisor its region's, an office its own.
"""

from __future__ import annotations

import csv
import io
from dataclasses import asdict, dataclass, fields
from decimal import Decimal
from typing import Any, Final

from mohlat.errors import InvalidInput, Refused
from mohlat.scoring import Score, ScoreLine
from mohlat.services.access import Actor, authorize
from mohlat.services.campaigns import find_campaign
from mohlat.services.cases import resolve_case
from mohlat.services.rules import rubric_of
from mohlat.store import Database
from mohlat.store import queries as q
from mohlat.store.ranking import RankedCase, ranked_cases
from mohlat.workflow.definition import RANKED_STATES, Role, State

__all__ = [
    "CSV_COLUMNS",
    "Explanation",
    "RankingRow",
    "eligible",
    "explain",
    "ranking",
    "ranking_csv",
    "ranking_json",
]


@dataclass(frozen=True)
class RankingRow:
    """One case's line in the ranking.

    ``total`` and ``grade`` are the published figures; ``final_total`` and
    ``final_grade`` are set once the case is final. ``change`` is ``final_total -
    total`` (to the hundredth) when an appeal decision changed the total, else None.
    """

    position_national: int | None
    position_regional: int | None
    position_provincial: int | None
    case_id: int
    office_code: str
    office_name: str
    kind: str
    region: int
    province: str
    total: float | None
    grade: str | None
    final_total: float | None
    final_grade: str | None
    state: str
    change: float | None


#: the CSV header: :class:`RankingRow`'s fields, in order
CSV_COLUMNS: Final[tuple[str, ...]] = tuple(f.name for f in fields(RankingRow))

_TEXT_COLUMNS: Final[frozenset[str]] = frozenset(
    {"office_code", "office_name", "kind", "province", "grade", "final_grade", "state"}
)


def _row(found: RankedCase) -> RankingRow:
    change = None
    if found.final_total is not None and found.total is not None:
        delta = round(found.final_total - found.total, 2)
        change = delta if delta else None
    return RankingRow(
        position_national=found.position_national,
        position_regional=found.position_regional,
        position_provincial=found.position_provincial,
        case_id=found.case_id,
        office_code=found.office_code,
        office_name=found.office_name,
        kind=found.kind,
        region=found.region,
        province=found.province,
        total=found.total,
        grade=found.grade,
        final_total=found.final_total,
        final_grade=found.final_grade,
        state=found.state,
        change=change,
    )


def _remit(actor: Actor, region: int | None) -> tuple[bool, int | None, int | None]:
    """(whether anything is visible, the region to filter on, the office to filter on)."""
    if actor.role is Role.SUPERVISOR:
        if region is not None and region != actor.region:
            return False, None, None
        return True, actor.region, None
    if actor.role is Role.OFFICE:
        if actor.office_id is None:
            return False, None, None
        return True, region, actor.office_id
    return True, region, None


def ranking(
    db: Database,
    *,
    actor: Actor,
    campaign: str | None,
    region: int | None = None,
    limit: int | None = None,
) -> list[RankingRow]:
    """The campaign's ranked cases (ranked, appealed or final) by national position,
    within the actor's remit: a supervisor gets its region only (another region asked
    for gives nothing), an office its own row. Cases without a position yet come last,
    by total. The newest campaign when ``campaign`` is None."""
    authorize(actor, "case.read")
    if limit is not None and limit < 1:
        raise InvalidInput("limit", limit, "a positive number of rows")
    with db.transaction() as tx:
        found = find_campaign(tx, campaign)
        assert found.id is not None
        visible, region, office_id = _remit(actor, region)
        if not visible:
            return []
        rows = ranked_cases(
            tx,
            campaign_id=found.id,
            states=RANKED_STATES,
            region=region,
            office_id=office_id,
            limit=limit,
        )
    return [_row(r) for r in rows]


# --- exports -------------------------------------------------------------------------

#: first characters that make a spreadsheet read a cell as a formula (OWASP)
_FORMULA_STARTS: Final[tuple[str, ...]] = ("=", "+", "-", "@", "\t", "\r")


def _text_cell(value: str | None) -> str:
    if value is None:
        return ""
    return f"'{value}" if value.startswith(_FORMULA_STARTS) else value


def _number_cell(value: float | None) -> str:
    if value is None:
        return ""
    if isinstance(value, int):
        return str(value)
    text = format(Decimal(repr(round(value, 2))).normalize(), "f")
    return "0" if text == "-0" else text


def ranking_csv(rows: list[RankingRow], *, bom: bool = False) -> str:
    """The rows as CSV text (header first; UTF-8 text, with a byte order mark for Excel
    when ``bom``), safe to open in a spreadsheet.

    Text cells (codes, names, province, grades, state) that start with ``=``, ``+``,
    ``-``, ``@``, a tab or a carriage return get a leading ``'``, so no spreadsheet
    runs them as formulas (OWASP's CSV injection advice); an office named ``-5`` is
    text, and is escaped too. Numeric cells (positions, case id, region, totals,
    change) are never escaped: they are written as plain numbers, ``-`` for negatives
    only, ``.`` as the decimal point, no grouping or exponent, at most two decimals
    (``89``, ``90.2``, ``-3.5``), so spreadsheets read them as numbers. A missing
    value is an empty cell.
    """
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(CSV_COLUMNS)
    for row in rows:
        writer.writerow(
            _text_cell(value) if name in _TEXT_COLUMNS else _number_cell(value)
            for name, value in zip(CSV_COLUMNS, _values(row), strict=True)
        )
    text = out.getvalue()
    return "\ufeff" + text if bom else text


def _values(row: RankingRow) -> tuple[Any, ...]:
    return tuple(getattr(row, name) for name in CSV_COLUMNS)


def ranking_json(rows: list[RankingRow]) -> list[dict[str, Any]]:
    """The rows as JSON-ready dicts (keys as the CSV header; numbers as numbers, a
    missing value as None)."""
    return [asdict(row) for row in rows]


# --- eligibility ---------------------------------------------------------------------


def eligible(
    db: Database, *, actor: Actor, campaign: str | None, min_grade: str
) -> dict[int, list[RankingRow]]:
    """Per region, the offices eligible for new services: those whose final grade is
    ``min_grade`` or better, in the order of the campaign rubric's grades (highest
    first).

    Only final cases count: the article gives new services by the final rank, and a
    case still ``ranked`` (its appeal window open) or ``appealed`` (its decision
    pending) has none yet, so it is left out until it is final. Within the actor's
    remit; regions (ascending) with no eligible office are left out; each region's
    rows come by final total (higher first), then national position.
    :class:`InvalidInput` for a grade the rubric does not have.
    """
    authorize(actor, "case.read")
    with db.transaction() as tx:
        found = find_campaign(tx, campaign)
        assert found.id is not None
        names = [grade.name for grade in rubric_of(found).grades]
        wanted = _grade_name(min_grade, names)
        visible, region, office_id = _remit(actor, None)
        if not visible:
            return {}
        rows = ranked_cases(
            tx,
            campaign_id=found.id,
            states=(State.FINAL.value,),
            region=region,
            office_id=office_id,
            final_grades=names[: names.index(wanted) + 1],
        )
    by_region: dict[int, list[RankingRow]] = {}
    for r in sorted(
        rows,
        key=lambda r: (
            -(r.final_total or 0.0),
            r.position_national is None,
            r.position_national or 0,
            r.office_code,
        ),
    ):
        by_region.setdefault(r.region, []).append(_row(r))
    return dict(sorted(by_region.items()))


def _grade_name(given: str, names: list[str]) -> str:
    """The rubric's grade named ``given`` (spaces around and letter case do not matter)."""
    text = given.strip()
    if text in names:
        return text
    folded = [name for name in names if name.casefold() == text.casefold()]
    if len(folded) == 1:
        return folded[0]
    raise InvalidInput("min grade", given, "one of: " + ", ".join(names))


# --- explanation ---------------------------------------------------------------------


@dataclass(frozen=True)
class Explanation:
    """How a case's score is made up.

    ``lines`` are the lines of its latest scoring: they sum to ``final_total`` when an
    appeal decision changed the score, else to ``total`` (see :attr:`lines_total`).
    ``total`` and ``grade`` are the published figures; ``final_total`` and
    ``final_grade`` are set only when they differ from them.
    """

    row: q.CaseRow
    lines: tuple[ScoreLine, ...]
    total: float
    grade: str
    final_total: float | None = None
    final_grade: str | None = None
    #: not ranked yet: the score follows the inputs until the ranks are published
    provisional: bool = False

    @property
    def lines_total(self) -> float:
        """The total the lines add up to: the final one when it differs, else ``total``."""
        return self.total if self.final_total is None else self.final_total

    @property
    def change(self) -> float | None:
        """``final_total - total`` (to the hundredth) when they differ, else None."""
        if self.final_total is None:
            return None
        return round(self.final_total - self.total, 2)


def explain(db: Database, *, actor: Actor, ref: str, campaign: str | None) -> Explanation:
    """The score of the case ``ref`` (a case id, or an office code in the campaign) line
    by line, with its published and, when they differ, final figures.

    :class:`~mohlat.errors.CaseNotFound` for a case outside the actor's remit.
    A case not ranked yet has a provisional score (it follows the inputs until the
    ranks are published). A case with no declaration, or that lapsed, is
    :class:`~mohlat.errors.Refused`: its state, not the input, is why.
    """
    with db.transaction() as tx:
        row = resolve_case(tx, actor, ref, campaign=campaign)
    case = row.case
    if row.breakdown is None or case.total is None:
        why = (
            "it lapsed: nothing was declared in time"
            if case.state == State.LAPSED
            else "a case is scored when its office declares"
        )
        raise Refused(f"case {ref.strip()!r} has no score: it is in state {case.state!r}; {why}")
    score = Score.from_json(row.breakdown)
    differs = case.final_total is not None and (
        case.final_total != case.total or case.final_grade != case.grade
    )
    return Explanation(
        row=row,
        lines=score.lines,
        total=case.total,
        grade=case.grade or score.grade,
        final_total=case.final_total if differs else None,
        final_grade=case.final_grade if differs else None,
        provisional=case.state not in RANKED_STATES,
    )
