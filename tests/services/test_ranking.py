"""The ranking of a campaign: the table, its exports, eligibility and score explanations.

The world's nine offices (one per region) plus three imported ones with names that
test the exports: a formula, a negative number, and Persian text. Their totals, under
the default rubric (office space 100 m² = 15, 4 staff = 8, city = 8, a point per year
of the holder's activity, twice the association's score):

=========  ======  =====  =========  =====
office     region  years  assoc.     total
=========  ======  =====  =========  =====
P00001     1       10     20         81 A
P00003     3       9      20         80 A
X0003      3       9      16         72 B
P00002     2       4      18         71 B
X0002      3       1      19         70 B
X0001      1       6      15         67 B
P00005     5       7      12         62 B
P00008     8       3      10         54 C
P00006     6       0      5          41 C
P00007     7       5      -          36 D
P00004     4       2      -          33 D
P00009     9       (declares nothing: lapsed)
=========  ======  =====  =========  =====
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from importlib import resources
from typing import Any

import pytest
from sqlalchemy import update
from support import DECLARATION, World, tehran

from mohlat.errors import CaseNotFound, InvalidInput, PermissionDenied, Refused
from mohlat.identity import make_national_id
from mohlat.scoring import load_rubric
from mohlat.services.access import Actor
from mohlat.services.cases import ActionRequest, act_many
from mohlat.services.offices import import_offices, office_rows
from mohlat.services.ranking import (
    CSV_COLUMNS,
    RankingFilter,
    RankingRow,
    eligible,
    explain,
    ranking,
    ranking_csv,
    ranking_json,
    ranking_page,
    ranking_summary,
)
from mohlat.store import Database
from mohlat.store import queries as q
from mohlat.store.models import Case, table_of
from mohlat.store.ranking import ranking_count, ranking_counts
from mohlat.workflow.definition import Role

FORMULA = '=HYPERLINK("http://x")'
PERSIAN = "دفتر پیشخوان شماره ۱۲"


def default_rubric_text() -> str:
    return resources.files("mohlat.scoring").joinpath("default_rubric.toml").read_text("utf-8")


EXTRA_OFFICES = [
    ("X0001", FORMULA, 1, "province-1"),
    ("X0002", "-5", 3, "province-3"),
    ("X0003", PERSIAN, 3, "تهران"),
]

#: office code -> (holder's years of activity, association score or None)
SPECS: dict[str, tuple[int, int | None]] = {
    "P00001": (10, 20),
    "P00002": (4, 18),
    "P00003": (9, 20),
    "P00004": (2, None),
    "P00005": (7, 12),
    "P00006": (0, 5),
    "P00007": (5, None),
    "P00008": (3, 10),
    "X0001": (6, 15),
    "X0002": (1, 19),
    "X0003": (9, 16),
}

ORDER = [
    "P00001",
    "P00003",
    "X0003",
    "P00002",
    "X0002",
    "X0001",
    "P00005",
    "P00008",
    "P00006",
    "P00007",
    "P00004",
]
TOTALS = [81, 80, 72, 71, 70, 67, 62, 54, 41, 36, 33]
GRADES = ["A", "A", "B", "B", "B", "B", "B", "C", "C", "D", "D"]

NUMBER_COLUMNS = {
    "position_national",
    "position_regional",
    "position_provincial",
    "case_id",
    "region",
    "total",
    "final_total",
    "change",
}


@dataclass
class Published:
    """The world, its campaign published, and each office's case id by code."""

    world: World
    case_of: dict[str, int]

    def office(self, code: str) -> Actor:
        return self.world.office_actors[self.case_of[code]]

    def by_code(self, rows: list[RankingRow]) -> dict[str, RankingRow]:
        return {row.office_code: row for row in rows}


@pytest.fixture
def published(world: World) -> Published:
    extra = [
        {
            "code": code,
            "name": name,
            "kind": "pishkhan",
            "region": region,
            "province": province,
            "national_id": make_national_id(f"{200000000 + i:09d}"),
            "holder_name": "",
        }
        for i, (code, name, region, province) in enumerate(EXTRA_OFFICES)
    ]
    import_offices(world.db, actor=world.admin, text=office_rows(extra), now=tehran(1400, 1, 15))
    case_of: dict[str, int] = {}
    with world.db.transaction() as tx:
        assert world.campaign.id is not None
        accounts = {a.office_id: a.username for a in q.list_accounts(tx, role="office")}
        for row in q.list_cases(tx, campaign_id=world.campaign.id):
            assert row.case.id is not None
            case_of[row.office.code] = row.case.id
            world.region_of[row.case.id] = row.case.region
            world.office_actors[row.case.id] = Actor(
                accounts[row.office.id], Role.OFFICE, office_id=row.office.id
            )
    for code, (years, _) in SPECS.items():
        fields = {**DECLARATION, "office_space": "100", "holder_years": str(years)}
        world.act("declare", case_of[code], tehran(1400, 1, 20, 10), fields=fields)
    world.sweep(tehran(1400, 2, 6, 0, 5))
    for code, (_, association) in SPECS.items():
        if association is not None:
            world.act(
                "review", case_of[code], tehran(1400, 2, 8), association_score=str(association)
            )
    world.sweep(tehran(1400, 2, 16, 0, 5))  # review closes, ranks are published
    return Published(world, case_of)


@pytest.fixture
def finished(published: Published) -> Published:
    """P00002's appeal raises it (7 staff: +2), X0001's lowers it (a suburb: -2),
    P00008's is never decided; the others become final when their appeal time ends."""
    world, case_of = published.world, published.case_of
    for code in ("P00002", "X0001", "P00008"):
        world.act("appeal", case_of[code], tehran(1400, 2, 20, 10))
    world.act("decide", case_of["P00002"], tehran(1400, 2, 25, 10), fields={"staff_count": "7"})
    world.act("decide", case_of["X0001"], tehran(1400, 2, 25, 10), fields={"location": "suburb"})
    world.sweep(tehran(1400, 3, 30))
    return published


# --- the table -----------------------------------------------------------------------


def test_the_ranking_lists_ranked_cases_by_national_position(published: Published) -> None:
    rows = ranking(published.world.db, actor=World.admin, campaign=None)
    assert [r.office_code for r in rows] == ORDER  # the lapsed P00009 has no place
    assert [r.position_national for r in rows] == list(range(1, 12))
    assert [r.total for r in rows] == TOTALS
    assert [r.grade for r in rows] == GRADES
    assert {(r.state, r.final_total, r.final_grade, r.change) for r in rows} == {
        ("ranked", None, None, None)
    }
    region_3 = [r for r in rows if r.region == 3]
    assert [(r.office_code, r.position_regional, r.position_provincial) for r in region_3] == [
        ("P00003", 1, 1),
        ("X0003", 2, 1),
        ("X0002", 3, 2),  # X0003 is alone in its province
    ]


def test_the_ranking_takes_a_limit_and_a_campaign_code(published: Published) -> None:
    rows = ranking(published.world.db, actor=World.admin, campaign="1400-2", limit=3)
    assert [r.office_code for r in rows] == ORDER[:3]
    with pytest.raises(InvalidInput, match="limit: 0 is not valid"):
        ranking(published.world.db, actor=World.admin, campaign=None, limit=0)


def test_a_published_ranking_is_public_and_a_region_only_filters_it(
    published: Published,
) -> None:
    db = published.world.db
    everyone = ranking(db, actor=World.admin, campaign=None)
    for reader in (None, published.world.supervisor(3), published.office("X0002")):
        assert ranking(db, actor=reader, campaign=None) == everyone
        region_3 = ranking(db, actor=reader, campaign=None, region=3)
        assert [r.office_code for r in region_3] == ["P00003", "X0003", "X0002"]


def test_an_unpublished_ranking_needs_a_login_and_reads_within_the_remit(world: World) -> None:
    with pytest.raises(PermissionDenied, match="log in first"):
        ranking(world.db, actor=None, campaign=None)
    assert ranking(world.db, actor=world.supervisor(3), campaign=None, region=4) == []
    assert ranking(world.db, actor=World.admin, campaign=None) == []


# --- exports -------------------------------------------------------------------------


def _read(text: str) -> list[dict[str, str]]:
    header, *body = csv.reader(io.StringIO(text, newline=""))
    assert tuple(header) == CSV_COLUMNS
    return [dict(zip(header, line, strict=True)) for line in body]


def test_the_csv_escapes_formulas_in_office_names(published: Published) -> None:
    rows = ranking(published.world.db, actor=World.admin, campaign=None)
    cells = {line["office_code"]: line for line in _read(ranking_csv(rows))}
    assert cells["X0001"]["office_name"] == "'" + FORMULA
    assert cells["X0002"]["office_name"] == "'-5"  # a number as text is still text
    assert cells["X0003"]["office_name"] == PERSIAN
    assert cells["X0003"]["province"] == "تهران"
    assert cells["P00001"]["office_name"] == "Office 1"
    assert all(
        not v.startswith(("=", "+", "-", "@", "\t", "\r"))
        for line in cells.values()
        for v in line.values()
    )


def test_the_csv_round_trips_with_numbers_intact(finished: Published) -> None:
    rows = ranking(finished.world.db, actor=World.admin, campaign=None)
    lines = _read(ranking_csv(rows))
    assert len(lines) == len(rows) == 11
    for row, line in zip(ranking_json(rows), lines, strict=True):
        for name in CSV_COLUMNS:
            value, cell = row[name], line[name]
            if value is None:
                assert cell == "", name
            elif name in NUMBER_COLUMNS:
                assert float(cell) == value, name
                assert type(value) is not int or cell == str(value), name
            else:
                assert cell.removeprefix("'") == value, name
    assert lines[ORDER.index("X0001")]["change"] == "-2"  # a negative number, not escaped
    assert lines[ORDER.index("P00002")]["final_total"] == "73"


def test_the_csv_can_start_with_a_byte_order_mark_for_excel(published: Published) -> None:
    rows = ranking(published.world.db, actor=World.admin, campaign=None)
    text = ranking_csv(rows, bom=True)
    assert text.startswith("\ufeffposition_national,")
    assert text.encode("utf-8").decode("utf-8-sig") == ranking_csv(rows)
    assert ranking_csv([]) == ",".join(CSV_COLUMNS) + "\r\n"


def test_the_json_export_keeps_numbers_and_missing_values(finished: Published) -> None:
    rows = ranking(finished.world.db, actor=World.admin, campaign=None)
    data = {d["office_code"]: d for d in ranking_json(rows)}
    assert data["P00002"]["total"] == 71 and data["P00002"]["change"] == 2
    assert data["P00008"]["final_total"] is None and data["P00008"]["state"] == "appealed"
    assert set(data["P00001"]) == set(CSV_COLUMNS)


# --- appeals -------------------------------------------------------------------------


def test_a_decided_appeal_shows_its_change(finished: Published) -> None:
    rows = finished.by_code(ranking(finished.world.db, actor=World.admin, campaign=None))
    raised, lowered = rows["P00002"], rows["X0001"]
    assert (raised.total, raised.final_total, raised.final_grade, raised.change) == (71, 73, "B", 2)
    assert (lowered.total, lowered.final_total, lowered.change) == (67, 65, -2)
    # 73 passes X0003's 72: P00002 takes 3rd place; nobody else is renumbered
    assert (raised.position_national, rows["X0003"].position_national) == (3, 3)
    assert rows["P00001"].position_national == 1 and rows["X0002"].position_national == 5
    decided = finished.world.events(finished.case_of["P00002"])[-1]
    assert decided.action == "decide"
    assert decided.payload["position"] == {
        "before": [4, 1, 1],
        "after": [3, raised.position_regional, raised.position_provincial],
    }
    assert lowered.position_national == 6  # 65 is still behind 70 and ahead of 62
    undecided = rows["P00008"]
    assert (undecided.state, undecided.final_total, undecided.change) == ("appealed", None, None)
    others = [r for code, r in rows.items() if code not in ("P00002", "X0001", "P00008")]
    assert {r.state for r in others} == {"final"}
    assert all(r.final_total == r.total and r.change is None for r in others)


def test_a_case_without_a_position_comes_last(published: Published) -> None:
    world, cases = published.world, table_of(Case)
    with world.db.transaction() as tx:
        tx.execute(
            update(cases)
            .where(cases.c.id == published.case_of["P00001"])
            .values(position_national=None)
        )
    rows = ranking(world.db, actor=World.admin, campaign=None)
    assert [r.office_code for r in rows] == [*ORDER[1:], "P00001"]
    region_1 = [
        ranking_page(
            world.db, actor=None, campaign=None, wanted=RankingFilter(region=1), page=n, per_page=1
        )
        for n in (1, 2)
    ]
    assert [[r.office_code for r in page.rows] for page in region_1] == [["X0001"], ["P00001"]]


def test_the_numbers_are_counted_once_and_follow_a_decided_appeal(
    published: Published, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The summary and a page's count are the same for every visitor until the campaign
    changes: counted once, then kept; an appeal decided to a lower grade (P00003's
    suburb: 80 A -> 78 B) changes them at the next view."""
    import mohlat.services.ranking as ranked

    world, counted = published.world, []
    for counts in (ranking_count, ranking_counts):

        def counting(*args: object, _counts: Any = counts, **kw: object) -> Any:
            counted.append(_counts.__name__)
            return _counts(*args, **kw)

        monkeypatch.setattr(ranked, counts.__name__, counting)

    def numbers() -> tuple[dict[str, int], dict[float, int], int]:
        summary = ranking_summary(world.db, actor=None, campaign=None)
        a_in_3 = ranking_page(
            world.db, actor=None, campaign=None, wanted=RankingFilter(region=3, grade="A")
        )
        grades = {str(g.grade): g.cases for g in summary.per_region if g.region == 3}
        return grades, {b.low: b.cases for b in summary.bins if b.cases}, a_in_3.total

    before = numbers()
    assert before == ({"A": 1, "B": 2}, {30: 2, 40: 1, 50: 1, 60: 2, 70: 3, 80: 2}, 1)
    assert counted == ["ranking_counts", "ranking_count"]
    assert numbers() == before and numbers() == before
    assert len(counted) == 2  # kept: nothing counted again
    for _ in range(2):  # narrowed by the offices' names: counted each time
        found = ranking_page(world.db, actor=None, campaign=None, wanted=RankingFilter(search="X"))
        assert found.total == 3
    assert counted[2:] == ["ranking_count", "ranking_count"]
    case = published.case_of["P00003"]
    world.act("appeal", case, tehran(1400, 2, 20, 10))
    world.act("decide", case, tehran(1400, 2, 25, 10), fields={"location": "suburb"})
    after = numbers()
    assert after == ({"B": 3}, {30: 2, 40: 1, 50: 1, 60: 2, 70: 4, 80: 1}, 0)
    assert len(counted) == 6


def test_decisions_taken_together_each_see_the_others_new_totals(
    published: Published,
) -> None:
    world, case_of = published.world, published.case_of
    for code in ("P00002", "X0001"):
        world.act("appeal", case_of[code], tehran(1400, 2, 20, 10))
    requests = [
        ActionRequest(world.supervisor(2), "P00002", fields={"staff_count": "7"}, text="ok"),
        ActionRequest(world.supervisor(1), "X0001", fields={"location": "suburb"}, text="ok"),
    ]
    done, refused = act_many(world.db, "decide", requests, now=tehran(1400, 2, 25, 10))
    assert (done, refused) == (2, [])
    rows = published.by_code(ranking(world.db, actor=World.admin, campaign=None))
    # here the same places as the decisions taken one at a time (test above)
    assert (rows["P00002"].position_national, rows["X0001"].position_national) == (3, 6)
    last = world.events(case_of["P00002"])[-1]
    assert last.payload["position"]["before"][0] == 4
    assert last.payload["position"]["after"][0] == 3


# --- eligibility ---------------------------------------------------------------------


def _codes(found: dict[int, list[RankingRow]]) -> dict[int, list[str]]:
    return {region: [r.office_code for r in rows] for region, rows in found.items()}


def test_eligibility_lists_final_cases_of_the_grade_or_better_per_region(
    finished: Published,
) -> None:
    db = finished.world.db
    assert _codes(eligible(db, actor=World.admin, campaign=None, min_grade="B")) == {
        1: ["P00001", "X0001"],
        2: ["P00002"],
        3: ["P00003", "X0003", "X0002"],
        5: ["P00005"],
    }
    # C adds P00006; P00008 (54, C) is still appealed, so not final: left out
    by_c = _codes(eligible(db, actor=World.admin, campaign=None, min_grade=" c "))
    assert by_c[6] == ["P00006"] and 8 not in by_c
    assert _codes(eligible(db, actor=World.admin, campaign=None, min_grade="A")) == {
        1: ["P00001"],
        3: ["P00003"],
    }
    assert _codes(
        eligible(db, actor=finished.world.supervisor(3), campaign=None, min_grade="B")
    ) == {3: ["P00003", "X0003", "X0002"]}


def test_eligibility_waits_for_final_ranks(published: Published) -> None:
    assert eligible(published.world.db, actor=World.admin, campaign=None, min_grade="D") == {}


def test_eligibility_refuses_a_grade_the_rubric_does_not_have(published: Published) -> None:
    with pytest.raises(InvalidInput, match=r"min grade: 'E' is not valid; one of: A, B, C, D$"):
        eligible(published.world.db, actor=World.admin, campaign=None, min_grade="E")


# --- explanations --------------------------------------------------------------------


def test_the_lines_of_an_explanation_sum_to_the_total(published: Published) -> None:
    found = explain(
        published.world.db, actor=published.office("P00001"), ref="P00001", campaign=None
    )
    assert (found.total, found.grade, found.final_total, found.change) == (81, "A", None, None)
    assert round(sum(line.points for line in found.lines), 2) == found.lines_total == 81
    assert {line.code: line.points for line in found.lines} == {
        "office_space": 15,
        "staff_count": 8,
        "location": 8,
        "holder_years": 10,
        "opening_hours": 0,
        "services_offered": 0,
        "association": 40,
    }


def test_an_explanation_after_a_decided_appeal_gives_the_final_figures(
    finished: Published,
) -> None:
    found = explain(
        finished.world.db, actor=World.admin, ref=str(finished.case_of["P00002"]), campaign=None
    )
    assert (found.total, found.final_total, found.final_grade, found.change) == (71, 73, "B", 2)
    assert round(sum(line.points for line in found.lines), 2) == found.lines_total == 73
    unchanged = explain(finished.world.db, actor=World.admin, ref="P00001", campaign=None)
    assert (unchanged.case.state, unchanged.final_total) == ("final", None)


def test_an_explanation_outside_the_remit_is_not_found(published: Published) -> None:
    db, case = published.world.db, str(published.case_of["P00003"])
    with pytest.raises(CaseNotFound, match=f"case '{case}' not found"):
        explain(db, actor=published.world.supervisor(4), ref=case, campaign=None)
    with pytest.raises(CaseNotFound):
        explain(db, actor=published.office("P00001"), ref="P00003", campaign=None)
    assert explain(db, actor=published.world.supervisor(3), ref=case, campaign=None).total == 80


def test_a_case_not_ranked_yet_has_a_provisional_score_that_follows_its_inputs(
    world: World,
) -> None:
    case, silent = world.case_ids[0], world.case_ids[1]
    with pytest.raises(Refused, match=f"case '{silent}' has no score: it is in state 'declar"):
        explain(world.db, actor=World.admin, ref=str(silent), campaign=None)
    world.act("declare", case, tehran(1400, 1, 20, 10))
    declared = explain(world.db, actor=World.admin, ref=str(case), campaign=None)
    assert declared.provisional and declared.total == world.case(case).total
    world.sweep(tehran(1400, 2, 6, 0, 5))
    world.act("review", case, tehran(1400, 2, 8), association_score="20")
    reviewed = explain(world.db, actor=World.admin, ref=str(case), campaign=None)
    assert reviewed.provisional and reviewed.total == declared.total + 40  # weight 2
    assert {line.code: line.points for line in reviewed.lines}["association"] == 40


def test_a_lapsed_case_has_no_explanation(world: World) -> None:
    world.sweep(tehran(1400, 2, 6, 0, 5))
    with pytest.raises(Refused, match="in state 'lapsed'; it lapsed"):
        explain(world.db, actor=World.admin, ref=str(world.case_ids[1]), campaign=None)


def test_an_explanation_says_where_the_total_was_capped(db: Database) -> None:
    # the default rubric capped at 90: full marks (100) are capped, 90 itself is not
    text = default_rubric_text().replace("\ncap = 100\n", "\ncap = 90\n")
    world = World(db).setup(offices=2, rubric=load_rubric(text, source="cap 90"))
    best = {
        "office_space": "100",
        "staff_count": "7",
        "location": "city_centre",
        "holder_years": "10",
        "opening_hours": "50",
        "services_offered": "50",
    }
    for case in world.case_ids:
        world.act("declare", case, tehran(1400, 1, 20, 10), fields=best)
    world.sweep(tehran(1400, 2, 6, 0, 5))
    full, at_cap = world.case_ids
    world.act("review", full, tehran(1400, 2, 7, 10), association_score="20")
    world.act("review", at_cap, tehran(1400, 2, 7, 10), association_score="15")

    capped = explain(db, actor=World.admin, ref=str(full), campaign=None)
    assert (capped.total, capped.lines[-1].note, capped.lines[-1].points) == (
        90,
        "capped at 90",
        -10,
    )
    exact = explain(db, actor=World.admin, ref=str(at_cap), campaign=None)
    assert exact.total == 90
    assert [line.code for line in exact.lines][-1] == "association"
