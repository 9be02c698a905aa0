"""The rubric: Resolution 289's criteria, violations and grades, read from TOML.

A rubric is a TOML file; a campaign freezes a copy of its text and the text's
SHA-256, and ``load_rubric(rubric.text)`` gives back an equal rubric. The schema::

    [rubric]        name, version (strings), description
    [association]   min, max (the provincial association's scale), weight (points per
                    unit), missing_points (what a missing score counts), label, label_fa
    [total]         optional cap and floor of the total
    [ranking]       tie_breakers: ordered, from total, association_score,
                    violations_count, declared_at, office_code
    [[criterion]]   code, label, label_fa, input (int | number | choice | bool), unit,
                    min, max, required (default true), missing_points (default 0), and
                    exactly one points rule:
                      bands = [{min = 0, max = 19, points = 0}, {min = 20, points = 4}]
                          (sorted, contiguous, both ends included; the last may omit max)
                      choices = {city_centre = 10, city = 8}
                      points_per_unit = 1, cap = 10 (optional cap on the points)
                      points_if_true = 3, points_if_false = 0
    [[violation]]   code, label, label_fa, points (negative, per occurrence), max_count
    [[grade]]       name, min_total; highest first; the last has no min_total and takes
                    every total below the grade above it

Any table may say ``assumption = true`` or ``assumption = "why"`` to mark figures
that are ours rather than the article's. ``min`` of an ``int``/``number`` input
with a linear rule defaults to 0; a banded input's range is its bands' span.
"""

from __future__ import annotations

import functools
import hashlib
import math
import os
import pathlib
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from importlib import resources

from mohlat.errors import InvalidInput, InvalidRubric
from mohlat.scoring._line import hundredths
from mohlat.scoring._load import parse_rubric
from mohlat.scoring.criteria import Association, Criterion, Field, Grade, Violation

__all__ = ["Rubric", "default_rubric", "load_rubric", "load_rubric_file", "read_rubric_text"]

DEFAULT_RUBRIC = "default_rubric.toml"


@dataclass(frozen=True)
class Rubric:
    """A loaded rubric. Build it with :func:`load_rubric`; two rubrics are equal when
    their texts (and so all their parts) are."""

    name: str
    version: str
    text: str = field(repr=False)
    sha256: str
    criteria: tuple[Criterion, ...]
    violations: tuple[Violation, ...]
    association: Association
    grades: tuple[Grade, ...]
    tie_breakers: tuple[str, ...]
    total_cap: Decimal | None = None
    total_floor: Decimal | None = None
    description: str = ""
    assumptions: tuple[tuple[str, str], ...] = ()
    source: str = field(default="<rubric>", compare=False)
    criterion_codes: frozenset[str] = field(init=False, compare=False, repr=False)
    violation_codes: frozenset[str] = field(init=False, compare=False, repr=False)
    # the total's cap and floor and each grade's lowest total, in hundredths of a point
    cap_hundredths: int | None = field(init=False, compare=False, repr=False)
    floor_hundredths: int | None = field(init=False, compare=False, repr=False)
    _grade_floors: tuple[tuple[int | None, str], ...] = field(init=False, compare=False, repr=False)

    def __post_init__(self) -> None:
        def set_(name: str, value: object) -> None:
            object.__setattr__(self, name, value)

        set_("criterion_codes", frozenset(c.code for c in self.criteria))
        set_("violation_codes", frozenset(v.code for v in self.violations))
        set_("cap_hundredths", None if self.total_cap is None else hundredths(self.total_cap))
        set_("floor_hundredths", None if self.total_floor is None else hundredths(self.total_floor))
        set_(
            "_grade_floors",
            tuple(
                (None if g.min_total is None else math.ceil(g.min_total.scaleb(2)), g.name)
                for g in self.grades
            ),
        )

    def to_text(self) -> str:
        """The exact text the rubric was read from (what a campaign freezes)."""
        return self.text

    def criterion(self, code: str) -> Criterion:
        """The criterion with ``code``."""
        for criterion in self.criteria:
            if criterion.code == code:
                return criterion
        raise InvalidInput("criterion", code, "one of: " + ", ".join(self._codes(self.criteria)))

    def violation(self, code: str) -> Violation:
        """The violation with ``code``."""
        for violation in self.violations:
            if violation.code == code:
                return violation
        raise InvalidInput("violation", code, "one of: " + ", ".join(self._codes(self.violations)))

    def fields(self) -> tuple[Field, ...]:
        """The inputs an office declares, in the rubric's order."""
        return tuple(Field.of(criterion) for criterion in self.criteria)

    def validate_declaration(
        self, data: Mapping[str, object], *, partial: bool = False
    ) -> dict[str, object]:
        """An office's declared inputs checked and normalized, in the rubric's order.

        Strings are read as the CLI passes them (Persian digits too). A blank or None
        value is "not given": an error for a required criterion unless ``partial`` (a
        region editing some fields), where it is kept as None to clear the field.
        """
        self.check_known(data)
        normalized: dict[str, object] = {}
        for criterion in self.criteria:
            value = criterion.parse(data.get(criterion.code))
            if value is not None or (partial and criterion.code in data):
                normalized[criterion.code] = value
            elif criterion.required and not partial:
                raise InvalidInput(
                    criterion.code, data.get(criterion.code), "required: " + criterion.allowed
                )
        return normalized

    def check_known(self, data: Mapping[str, object]) -> None:
        """Refuse a declared field that is not a criterion of this rubric."""
        unknown = data.keys() - self.criterion_codes
        if unknown:
            field_name = min(unknown)
            criteria = ", ".join(self._codes(self.criteria))
            if not field_name.strip():  # no name to blame: the declaration is at fault
                raise InvalidInput(
                    "declaration", field_name, f"fields named by their criterion: {criteria}"
                )
            raise InvalidInput(
                field_name,
                data[field_name],
                f"not a criterion of rubric {self.name!r} {self.version}; criteria: {criteria}",
            )

    def validate_violations(self, data: Mapping[str, object]) -> dict[str, int]:
        """Violation counts checked and normalized, in the rubric's order (blank counts 0)."""
        unknown = data.keys() - self.violation_codes
        if unknown:
            code = min(unknown)
            violations = ", ".join(self._codes(self.violations))
            if not code.strip():  # no name to blame: the counts are at fault
                raise InvalidInput("violations", code, f"counts named by their code: {violations}")
            raise InvalidInput(code, data[code], f"a violation of this rubric: {violations}")
        return {v.code: v.parse(data[v.code]) for v in self.violations if v.code in data}

    def validate_association_score(self, value: object) -> float | None:
        """The association score checked and normalized; None when not given."""
        return self.association.parse(value)

    def grade_for(self, total: float | Decimal) -> str:
        """The grade of ``total`` (decimal exact: 80.1 is at least 80.1)."""
        exact = total if isinstance(total, Decimal) else Decimal(repr(float(total)))
        for grade in self.grades:
            if grade.min_total is None or exact >= grade.min_total:
                return grade.name
        raise AssertionError("the last grade has no min_total")  # checked when loaded

    def grade_for_hundredths(self, total: int) -> str:
        """The grade of a total given in whole hundredths of a point (as score sums)."""
        for lowest, name in self._grade_floors:
            if lowest is None or total >= lowest:
                return name
        raise AssertionError("the last grade has no min_total")  # checked when loaded

    @staticmethod
    def _codes(parts: tuple[Criterion, ...] | tuple[Violation, ...]) -> list[str]:
        return [part.code for part in parts]


def load_rubric(text: str, *, source: str = "<rubric>") -> Rubric:
    """The rubric written in ``text``; :class:`InvalidRubric` names the line at fault."""
    parts = parse_rubric(text, source)
    return Rubric(
        name=parts.name,
        version=parts.version,
        text=text,
        sha256=hashlib.sha256(text.encode("utf-8")).hexdigest(),
        criteria=parts.criteria,
        violations=parts.violations,
        association=parts.association,
        grades=parts.grades,
        tie_breakers=parts.tie_breakers,
        total_cap=parts.total_cap,
        total_floor=parts.total_floor,
        description=parts.description,
        assumptions=parts.assumptions,
        source=source,
    )


def read_rubric_text(path: str | os.PathLike[str]) -> str:
    """The text of the UTF-8 rubric file at ``path`` (not yet checked as a rubric)."""
    try:
        data = pathlib.Path(path).read_bytes()
    except OSError as error:
        raise InvalidRubric(
            str(path), error.strerror or str(error), "a readable rubric file"
        ) from None
    return _decode(data, str(path))


def load_rubric_file(path: str | os.PathLike[str]) -> Rubric:
    """The rubric in the UTF-8 file at ``path``."""
    return load_rubric(read_rubric_text(path), source=str(path))


@functools.cache
def default_rubric() -> Rubric:
    """The rubric shipped with mohlat (``mohlat/scoring/default_rubric.toml``)."""
    data = resources.files("mohlat.scoring").joinpath(DEFAULT_RUBRIC).read_bytes()
    return load_rubric(_decode(data, DEFAULT_RUBRIC), source=DEFAULT_RUBRIC)


def _decode(data: bytes, source: str) -> str:
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise InvalidRubric(source, data[error.start : error.end], "UTF-8 text") from None
