"""A campaign freezes its rubric: editing the rubric file later changes nothing."""

from __future__ import annotations

from pathlib import Path

from support import DECLARATION, World, tehran

from mohlat.scoring import default_rubric, load_rubric_file, score_case
from mohlat.store import Database


def test_editing_the_rubric_file_after_publication_changes_no_score(
    db: Database, tmp_path: Path
) -> None:
    path = tmp_path / "rubric.toml"
    path.write_text(default_rubric().text, encoding="utf-8")
    world = World(db).setup(rubric=load_rubric_file(path))
    case = world.case_ids[0]
    world.act("declare", case, tehran(1400, 1, 20, 10))
    world.sweep(tehran(1400, 2, 16, 0, 5))  # reviewed by nobody: ranked on its data
    published = world.case(case)
    assert world.campaign.rubric_sha256 == default_rubric().sha256

    # the regulator doubles every office-space band in the file
    path.write_text(
        default_rubric().text.replace("points = 12 }", "points = 24 }"), encoding="utf-8"
    )
    assert load_rubric_file(path).sha256 != world.campaign.rubric_sha256

    # the appeal decision re-sums with a changed input: under the frozen rubric, not the file
    world.act("appeal", case, tehran(1400, 2, 20, 10))
    world.act("decide", case, tehran(1400, 2, 25, 10), fields={"office_space": "80"})
    decided = world.case(case)
    inputs = default_rubric().validate_declaration({**DECLARATION, "office_space": "80"})
    frozen = score_case(default_rubric(), inputs, association_score=None, violations={})
    edited = score_case(load_rubric_file(path), inputs, association_score=None, violations={})
    assert frozen.total != edited.total  # the edit would have changed this score
    assert (decided.total, decided.grade) == (published.total, published.grade)
    assert (decided.final_total, decided.final_grade) == (frozen.total, frozen.grade)
    assert world.row(case).breakdown == frozen.to_json()
