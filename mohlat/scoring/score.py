"""Scoring one case: the rubric's criteria summed, the association score weighted,
violations subtracted, the total capped.

Points are worked out exactly (Decimal), each line's rounded to hundredths (halves
away from zero), and the lines are summed in whole hundredths: the total is the exact
sum of the lines, so anyone re-adding the lines of an appeal gets the total. When the
total is capped or floored (at the rubric's cap or floor, to the hundredth), a
``total_cap``/``total_floor`` line carries the adjustment, so that stays true.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from mohlat.errors import InvalidInput
from mohlat.scoring._line import ScoreLine, show
from mohlat.scoring.rubric import Rubric

__all__ = ["Score", "ScoreLine", "score_case"]


@dataclass(frozen=True, slots=True)
class Score:
    """A case's total (rounded to hundredths), the lines it is the sum of, and its grade."""

    total: float
    lines: tuple[ScoreLine, ...]
    grade: str

    def to_json(self) -> dict[str, object]:
        """The score as JSON-ready data (what the store keeps and appeals show)."""
        return {
            "total": self.total,
            "grade": self.grade,
            "lines": [
                {
                    "code": line.code,
                    "label": line.label,
                    "value": line.value,
                    "points": line.points,
                    "note": line.note,
                }
                for line in self.lines
            ],
        }

    @classmethod
    def from_json(cls, data: Mapping[str, object]) -> Score:
        """The score that :meth:`to_json` wrote as ``data``."""
        try:
            lines = data["lines"]
            assert isinstance(lines, list)
            return cls(
                total=float(data["total"]),  # type: ignore[arg-type]
                grade=str(data["grade"]),
                lines=tuple(
                    ScoreLine(
                        code=str(line["code"]),
                        label=str(line["label"]),
                        value=line["value"],
                        points=float(line["points"]),
                        note=str(line.get("note", "")),
                    )
                    for line in lines
                ),
            )
        except (KeyError, TypeError, ValueError, AssertionError):
            raise InvalidInput("score", data, "a score as Score.to_json writes it") from None


def score_case(
    rubric: Rubric,
    declaration: Mapping[str, object],
    *,
    association_score: float | None,
    violations: Mapping[str, int],
) -> Score:
    """The score of one case under ``rubric``.

    ``declaration`` maps criterion codes to inputs, best as
    :meth:`Rubric.validate_declaration` returns them (raw strings are checked here
    too); a missing or None input counts the criterion's ``missing_points``, noted.
    A missing association score counts the rubric's ``missing_points``. Each
    violation counts its points per occurrence; violations that did not occur get no
    line. :class:`InvalidInput` for an unknown code or a value the rubric refuses.
    """
    if not declaration.keys() <= rubric.criterion_codes:
        rubric.check_known(declaration)
    lines: list[ScoreLine] = []
    total = 0  # in hundredths of a point
    get = declaration.get
    for criterion in rubric.criteria:
        line, points = criterion.line(get(criterion.code))
        lines.append(line)
        total += points
    line, points = rubric.association.line(association_score)
    lines.append(line)
    total += points
    if violations:
        if not violations.keys() <= rubric.violation_codes:
            rubric.validate_violations(violations)
        for violation in rubric.violations:
            count = violations.get(violation.code)
            if count:
                line, points = violation.line(count)
                if points:
                    lines.append(line)
                    total += points
    cap, floor = rubric.cap_hundredths, rubric.floor_hundredths
    if cap is not None and total > cap:
        lines.append(_limit_line("total_cap", "Total cap", total, cap, "capped at"))
        total = cap
    elif floor is not None and total < floor:
        lines.append(_limit_line("total_floor", "Total floor", total, floor, "floored at"))
        total = floor
    return Score(total / 100, tuple(lines), rubric.grade_for_hundredths(total))


def _limit_line(code: str, label: str, total: int, limit: int, how: str) -> ScoreLine:
    """The line that brings ``total`` to ``limit`` (both in hundredths)."""
    return ScoreLine(code, label, total / 100, (limit - total) / 100, f"{how} {show(limit / 100)}")
