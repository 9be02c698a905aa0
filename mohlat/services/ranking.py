"""The published ranking: the table, its CSV and JSON exports, eligibility for new
services, and the explanation of one case's score (Resolution 289).

A published campaign's ranking is public; everything else here reads within the
actor's remit, as :mod:`mohlat.services.access` says: an admin sees every case, a
supervisor its region's, an office its own.
"""

from __future__ import annotations

import csv
import io
import threading
import weakref
from collections import OrderedDict
from collections.abc import Callable
from datetime import datetime
from decimal import Decimal
from pathlib import Path
from typing import Any, Final, TypeVar, cast

from mohlat.errors import InvalidInput, OfficeNotFound, Refused
from mohlat.scoring import Score
from mohlat.services.access import Actor, authorize, region_filter
from mohlat.services.campaigns import find_campaign
from mohlat.services.cases import resolve_case
from mohlat.services.plain import case_summary
from mohlat.services.rules import rubric_of
from mohlat.store import Database, Transaction
from mohlat.store import queries as q
from mohlat.store.models import Campaign
from mohlat.store.ranking import (
    RankedCase,
    ranked_cases,
    ranking_count,
    ranking_counts,
    ranking_rows,
)
from mohlat.store.ranking import ranking_page as ranking_rows_page
from mohlat.text_rules import clean_code
from mohlat.views import (
    RANKING_COLUMNS,
    Explanation,
    GradeCount,
    OfficeStanding,
    RankingFilter,
    RankingPage,
    RankingRow,
    RankingSummary,
    ScoreBin,
    StandingLine,
    ranking_json,
)
from mohlat.workflow.definition import RANKED_STATES, Role, State

__all__ = [
    "CSV_COLUMNS",
    "Explanation",
    "RankingFilter",
    "RankingRow",
    "eligible",
    "explain",
    "office_standing",
    "ranking",
    "ranking_csv",
    "ranking_json",
    "ranking_page",
    "ranking_summary",
    "write_ranking_csv",
]


#: the CSV header: :class:`RankingRow`'s fields, in order
CSV_COLUMNS: Final[tuple[str, ...]] = RANKING_COLUMNS

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
    visible, region = region_filter(actor, region)
    if actor.role is Role.OFFICE:
        return actor.office_id is not None, region, actor.office_id
    return visible, region, None


def ranking(
    db: Database,
    *,
    actor: Actor | None,
    campaign: str | None,
    region: int | None = None,
    limit: int | None = None,
) -> list[RankingRow]:
    """The campaign's ranked cases (ranked, appealed or final) by national position.
    Cases without a position yet come last, by total. The newest campaign when
    ``campaign`` is None.

    A published campaign's ranking is public: anyone, logged in or not, gets every
    row (``region`` only filters). Before publication it needs a login, and reads
    within the actor's remit: a supervisor gets its region only (another region
    asked for gives nothing), an office its own row."""
    if limit is not None and limit < 1:
        raise InvalidInput("limit", limit, "a positive number of rows")
    with db.transaction(read_only=True) as tx:
        found, visible, region, office_id = _readable_ranking(tx, actor, campaign, region)
        assert found.id is not None
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


_T = TypeVar("_T")

_RANKED_VALUES: Final[tuple[str, ...]] = tuple(s.value for s in RANKED_STATES)

#: the width of a bin of the score distribution, in points
SCORE_BIN = 10.0


def _readable_ranking(
    tx: Transaction, actor: Actor | None, campaign: str | None, region: int | None
) -> tuple[Campaign, bool, int | None, int | None]:
    """The campaign, and what of its ranking ``actor`` may read: (anything at all, the
    region to narrow to, the office to narrow to), as :func:`ranking` says."""
    found = find_campaign(tx, campaign)
    if found.published_at is not None:
        authorize(actor, "ranking.published")
        return found, True, region, None
    authorize(actor, "case.read")
    assert actor is not None
    visible, region, office_id = _remit(actor, region)
    return found, visible, region, office_id


def ranking_page(
    db: Database,
    *,
    actor: Actor | None,
    campaign: str | None,
    wanted: RankingFilter,
    page: int = 1,
    per_page: int = 50,
) -> RankingPage:
    """One page of the ranking narrowed to ``wanted`` (public once published, as
    :func:`ranking`), and how many rows match."""
    if page < 1:
        raise InvalidInput("page", page, "a page number from 1")
    if not 1 <= per_page <= 500:
        raise InvalidInput("per_page", per_page, "from 1 to 500 rows a page")
    with db.transaction(read_only=True) as tx:
        found, visible, region, office_id = _readable_ranking(tx, actor, campaign, wanted.region)
        assert found.id is not None
        if not visible:
            return RankingPage(found.code, (), 0, page, per_page)
        if office_id is not None:  # an office before publication: its own row
            rows = ranked_cases(tx, campaign_id=found.id, states=RANKED_STATES, office_id=office_id)
            return RankingPage(found.code, tuple(_row(r) for r in rows), len(rows), 1, per_page)
        campaign_id, wanted = found.id, wanted._replace(region=region)

        def count() -> int:
            return ranking_count(tx, campaign_id=campaign_id, states=_RANKED_VALUES, wanted=wanted)

        # narrowed by the cases' own columns only, the count is the campaign's (kept);
        # an office's kind and name are the office's, so those are counted each time
        office_filter = wanted.kind is not None or bool(wanted.search)
        total = count() if office_filter else _kept(db, found, ("count", wanted), count)
        rows = ranking_rows(
            tx,
            campaign_id=campaign_id,
            states=_RANKED_VALUES,
            wanted=wanted,
            offset=(page - 1) * per_page,
            limit=per_page,
        )
    return RankingPage(found.code, tuple(_row(r) for r in rows), total, page, per_page)


def office_standing(
    db: Database, *, actor: Actor | None, campaign: str | None, office_code: str, now: datetime
) -> OfficeStanding:
    """An office's place in the ranking, its published score line by line (the rubric's
    Persian labels, no input values) and its appeal window at ``now`` (public once
    published, as :func:`ranking`). :class:`OfficeNotFound` when it is not ranked there."""
    code = clean_code(office_code, field="office")
    with db.transaction(read_only=True) as tx:
        found, visible, region, office_id = _readable_ranking(tx, actor, campaign, None)
        assert found.id is not None
        rows, _ = ranking_rows_page(
            tx,
            campaign_id=found.id,
            states=_RANKED_VALUES,
            wanted=RankingFilter(region=region, search=code),
            offset=0,
            limit=500,
        )
        ranked = next((r for r in rows if r.office_code == code), None)
        if not visible or ranked is None:
            raise OfficeNotFound(code)
        row = q.case_by_id(tx, case_id=ranked.case_id)
        assert row is not None
        if office_id is not None and row.case.office_id != office_id:
            raise OfficeNotFound(code)
        appeal = [d for d in q.case_deadlines(tx, case_id=ranked.case_id) if d.kind == "appeal"]
        rubric = rubric_of(found)
    labels = {c.code: c.label_fa for c in rubric.criteria}
    labels.update({v.code: v.label_fa for v in rubric.violations})
    labels[rubric.association.code] = rubric.association.label_fa
    lines = (
        tuple(
            StandingLine(line.code, labels.get(line.code, line.label), line.points)
            for line in Score.from_json(row.breakdown).lines
        )
        if row.breakdown
        else ()
    )
    due = appeal[-1].due_at if appeal else None
    is_open = bool(appeal) and appeal[-1].status == "pending" and due is not None and now <= due
    return OfficeStanding(found.code, _row(ranked), lines, due, is_open)


def ranking_summary(db: Database, *, actor: Actor | None, campaign: str | None) -> RankingSummary:
    """The ranking in numbers (public once published; before, within the reader's
    region): cases per region and grade, and the distribution of totals."""
    with db.transaction(read_only=True) as tx:
        found, visible, region, office_id = _readable_ranking(tx, actor, campaign, None)
        assert found.id is not None
        if not visible or office_id is not None:
            return RankingSummary(found.code, (), ())
        campaign_id = found.id
        per_grade, per_bin = _kept(
            db,
            found,
            ("summary",),
            lambda: ranking_counts(
                tx, campaign_id=campaign_id, states=_RANKED_VALUES, bin_width=SCORE_BIN
            ),
        )
    return RankingSummary(
        found.code,
        tuple(GradeCount(*row) for row in per_grade if region is None or row[0] == region),
        tuple(ScoreBin(b * SCORE_BIN, (b + 1) * SCORE_BIN, n) for b, n in per_bin)
        if region is None
        else (),
    )


#: numbers counted from campaigns' cases, by database, then by what they count and the
#: state of the campaign they were counted in (see :func:`_kept`); the last few only
_KEPT: weakref.WeakKeyDictionary[Database, OrderedDict[tuple[Any, ...], Any]] = (
    weakref.WeakKeyDictionary()
)
_KEPT_LOCK = threading.Lock()
_KEPT_AT_MOST = 256


def _kept(db: Database, campaign: Campaign, what: tuple[Any, ...], count: Callable[[], _T]) -> _T:
    """What ``count`` counts from ``campaign``'s cases (``what`` names it), counted once
    for each state of the campaign instead of on every page view.

    The state is the campaign's id, publication instant and event count. Whatever
    changes a case's state or score (a decided appeal's final grade too) writes an
    event, and every event adds to its campaign's event count in the same
    transaction: a new count means new numbers. The caller read the campaign in the
    transaction ``count`` counts in, before the cases, so what is kept under a count is
    never older than it. One process's memory: a database restored from a backup is
    served by a server started anew (as the README says), so no older state comes back.
    """
    key = (campaign.id, campaign.published_at, campaign.event_count, *what)
    with _KEPT_LOCK:
        kept = _KEPT.setdefault(db, OrderedDict())
        if key in kept:
            kept.move_to_end(key)
            return cast(_T, kept[key])
    value = count()
    with _KEPT_LOCK:
        kept[key] = value
        while len(kept) > _KEPT_AT_MOST:
            kept.popitem(last=False)
    return value


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


def write_ranking_csv(rows: list[RankingRow], path: Path) -> None:
    """Write the rows to ``path`` as :func:`ranking_csv` text, with a byte order mark
    (for Excel); :class:`InvalidInput` when the file cannot be written."""
    try:
        path.write_text(ranking_csv(rows, bom=True), encoding="utf-8", newline="")
    except OSError as exc:
        raise InvalidInput("csv", str(path), f"a writable file ({exc})") from None


def _values(row: RankingRow) -> tuple[Any, ...]:
    return tuple(getattr(row, name) for name in CSV_COLUMNS)


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
    with db.transaction(read_only=True) as tx:
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


def explain(db: Database, *, actor: Actor, ref: str, campaign: str | None) -> Explanation:
    """The score of the case ``ref`` (a case id, or an office code in the campaign) line
    by line, with its published and, when they differ, final figures.

    :class:`~mohlat.errors.CaseNotFound` for a case outside the actor's remit.
    A case not ranked yet has a provisional score (it follows the inputs until the
    ranks are published). A case with no declaration, or that lapsed, is
    :class:`~mohlat.errors.Refused`: its state, not the input, is why.
    """
    with db.transaction(read_only=True) as tx:
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
        case=case_summary(row),
        lines=score.lines,
        total=case.total,
        grade=case.grade or score.grade,
        final_total=case.final_total if differs else None,
        final_grade=case.final_grade if differs else None,
        provisional=case.state not in RANKED_STATES,
    )
