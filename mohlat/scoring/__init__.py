"""Scoring and ranking of counter offices under Resolution 289 (pure: no I/O but
reading rubric files, no clock, no database).

- :mod:`~mohlat.scoring.rubric`: the rubric, read from TOML and checked;
- :mod:`~mohlat.scoring.score`: one case's score, line by line;
- :mod:`~mohlat.scoring.ranking`: ordinal positions, national, regional, provincial.
"""

from __future__ import annotations

from mohlat.scoring.criteria import Field
from mohlat.scoring.ranking import (
    TIE_BREAKERS,
    Position,
    RankEntry,
    place_within,
    position_among,
    positions_among,
    rank,
)
from mohlat.scoring.rubric import (
    Rubric,
    default_rubric,
    load_rubric,
    load_rubric_file,
    read_rubric_text,
)
from mohlat.scoring.score import Score, ScoreLine, score_case

__all__ = [
    "TIE_BREAKERS",
    "Field",
    "Position",
    "RankEntry",
    "Rubric",
    "Score",
    "ScoreLine",
    "default_rubric",
    "load_rubric",
    "load_rubric_file",
    "place_within",
    "position_among",
    "positions_among",
    "rank",
    "read_rubric_text",
    "score_case",
]
