"""The parts of a rubric: criteria, violations, the association score, grades.

Each part checks the values given for it (raising :class:`InvalidInput` that names
the field, the value and what is allowed) and turns a checked value into a
:class:`ScoreLine`. Lines depend only on the value, so each part remembers the
lines it has made (up to :data:`MEMO_SIZE` values): scoring 100,000 cases mostly
looks lines up. Points come with the line in whole hundredths, which score sums.

Values are accepted as the CLI passes them too: strings, with Persian or
Arabic-Indic digits. Blank strings and None mean "not given".
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import ClassVar, Literal

from mohlat.errors import InvalidInput
from mohlat.scoring._digits import parse_decimal_text, parse_int_text
from mohlat.scoring._line import ScoreLine, hundredths, show
from mohlat.scoring.rules import ChoiceRule, Rule

__all__ = [
    "INPUT_TYPES",
    "MEMO_SIZE",
    "Association",
    "Criterion",
    "Field",
    "Grade",
    "InputType",
    "Value",
    "Violation",
]

InputType = Literal["int", "number", "choice", "bool"]
INPUT_TYPES: tuple[InputType, ...] = ("int", "number", "choice", "bool")
Value = int | float | str | bool
MEMO_SIZE = 4096

_YES = frozenset({"true", "yes", "y", "1", "بله", "آری", "دارد"})
_NO = frozenset({"false", "no", "n", "0", "خیر", "نه", "ندارد"})
_Memo = dict[object, tuple[ScoreLine, int]]
_FAST_TYPE: dict[str, type] = {"int": int, "number": float, "choice": str, "bool": bool}


def _memo() -> _Memo:
    return {}


def _range_text(kind: str, minimum: int | float | None, maximum: int | float | None) -> str:
    if minimum is not None and maximum is not None:
        return f"{kind} from {show(minimum)} to {show(maximum)}"
    if minimum is not None:
        return f"{kind} of at least {show(minimum)}"
    if maximum is not None:
        return f"{kind} of at most {show(maximum)}"
    return kind


#: numbers from here on are refused (a typo: nobody declares a quintillion of
#: anything), so that their points can always be rounded to hundredths
MAX_MAGNITUDE = 10**18


def _read_int(value: object) -> int | None:
    """``value`` as an int if it is one (or an integral float, or digits) smaller than
    :data:`MAX_MAGNITUDE`; else None."""
    parsed: int | None = None
    if type(value) is int:
        parsed = value
    elif isinstance(value, float) and value.is_integer():
        parsed = int(value)
    elif isinstance(value, str):
        parsed = parse_int_text(value)
    return parsed if parsed is not None and abs(parsed) < MAX_MAGNITUDE else None


def _read_number(value: object) -> float | None:
    """``value`` as a float if it is a number or a number's digits smaller than
    :data:`MAX_MAGNITUDE` (so finite); else None."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        # compared before converting: an int too large for a float is refused, not raised
        if not abs(value) < MAX_MAGNITUDE:
            return None
        number = float(value)
    elif isinstance(value, str):
        parsed = parse_decimal_text(value)
        if parsed is None:
            return None
        number = parsed
    else:
        return None
    return number if abs(number) < MAX_MAGNITUDE else None


def _is_blank(value: object) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _within(value: int | float, minimum: int | float | None, maximum: int | float | None) -> bool:
    return (minimum is None or value >= minimum) and (maximum is None or value <= maximum)


@dataclass(frozen=True)
class Criterion:
    """One evaluation criterion the office declares, and how it scores.

    ``assumption`` is empty when the article names the criterion and its figures;
    otherwise it says what is our assumption (the article gives no point values).
    """

    code: str
    label: str
    label_fa: str
    input: InputType
    rule: Rule
    unit: str = ""
    minimum: int | float | None = None
    maximum: int | float | None = None
    required: bool = True
    missing_points: Decimal = Decimal(0)
    assumption: str = ""
    _memo: _Memo = field(default_factory=_memo, init=False, compare=False, repr=False)

    @property
    def choices(self) -> tuple[str, ...]:
        """The allowed choices of a ``choice`` criterion (empty otherwise)."""
        return self.rule.names if isinstance(self.rule, ChoiceRule) else ()

    @property
    def allowed(self) -> str:
        """What a valid value is, for error messages and help texts."""
        unit = f" ({self.unit})" if self.unit else ""
        if self.input == "int":
            return _range_text("an integer", self.minimum, self.maximum) + unit
        if self.input == "number":
            return _range_text("a number", self.minimum, self.maximum) + unit
        if self.input == "choice":
            return "one of: " + ", ".join(self.choices)
        return "yes or no (true/false, 1/0, بله/خیر)"

    def parse(self, value: object) -> Value | None:
        """``value`` checked and normalized (int, float, choice name or bool); None if blank."""
        if _is_blank(value):
            return None
        parsed: Value | None
        if self.input == "int":
            parsed = _read_int(value)
        elif self.input == "number":
            parsed = _read_number(value)
        elif self.input == "choice":
            parsed = value.strip().lower() if isinstance(value, str) else None
            if parsed not in self.choices:
                parsed = None
        else:
            parsed = _read_bool(value)
        if parsed is None or (
            not isinstance(parsed, bool | str) and not _within(parsed, self.minimum, self.maximum)
        ):
            raise InvalidInput(self.code, value, self.allowed)
        return parsed

    def line(self, value: object) -> tuple[ScoreLine, int]:
        """The score line for ``value`` (None when missing) and its points in hundredths."""
        if value is not None and type(value) is not _FAST_TYPE[self.input]:
            value = self.parse(value)
        found = self._memo.get(value)
        if found is not None:
            return found
        if value is None:
            points, note = self.missing_points, f"missing: counts {show(self.missing_points)}"
        else:
            value = self.parse(value)
            assert value is not None
            # parse() made ``value`` the type the rule of this input type takes
            points, note = self.rule.points(value)  # type: ignore[arg-type]
        return _remember(self._memo, value, (self.code, self.label, note), points)


def _remember(
    memo: _Memo, value: object, what: tuple[str, str, str], points: Decimal
) -> tuple[ScoreLine, int]:
    """The line (code, label, note) for ``value`` earning ``points`` (rounded to hundredths),
    with the points in hundredths; remembered for ``value``."""
    code, label, note = what
    whole = hundredths(points)
    made = ScoreLine(code, label, value, whole / 100, note), whole
    if len(memo) < MEMO_SIZE:
        memo[value] = made
    return made


def _read_bool(value: object) -> bool | None:
    if isinstance(value, bool):
        return value
    if type(value) is int and value in (0, 1):
        return bool(value)
    if isinstance(value, str):
        word = value.strip().lower()
        if word in _YES:
            return True
        if word in _NO:
            return False
    return None


#: the most occurrences of one violation a region may record when the rubric sets no
#: limit (a count is stored as a whole number; no office has thousands)
MAX_OCCURRENCES = 1000


@dataclass(frozen=True)
class Violation:
    """A violation found by the region: ``points`` (negative) per occurrence, at most
    ``max_count`` occurrences (:data:`MAX_OCCURRENCES` when the rubric sets none)."""

    code: str
    label: str
    label_fa: str
    points: Decimal
    max_count: int | None = None
    assumption: str = ""
    _memo: _Memo = field(default_factory=_memo, init=False, compare=False, repr=False)

    @property
    def allowed(self) -> str:
        """What a valid count is, for error messages and help texts."""
        return _range_text("a whole number of occurrences", 0, self.limit)

    @property
    def limit(self) -> int:
        """The most occurrences that may be recorded."""
        return self.max_count if self.max_count is not None else MAX_OCCURRENCES

    def parse(self, count: object) -> int:
        """``count`` checked and normalized; blank counts as 0."""
        if _is_blank(count):
            return 0
        parsed = _read_int(count)
        if parsed is None or not _within(parsed, 0, self.limit):
            raise InvalidInput(self.code, count, self.allowed)
        return parsed

    def line(self, count: object) -> tuple[ScoreLine, int]:
        """The score line for ``count`` occurrences and its points in hundredths."""
        found = self._memo.get(count) if type(count) is int else None
        if found is not None:
            return found
        count = self.parse(count)
        note = f"{count} × {show(self.points)}"
        return _remember(self._memo, count, (self.code, self.label, note), self.points * count)


@dataclass(frozen=True)
class Association:
    """The provincial association's score, recorded by the region: from ``minimum`` to
    ``maximum``, counting ``weight`` points per unit; a missing score counts
    ``missing_points``."""

    code: ClassVar[str] = "association"

    minimum: int | float
    maximum: int | float
    weight: Decimal
    missing_points: Decimal = Decimal(0)
    label: str = "Provincial association score"
    label_fa: str = "امتیاز ارزیابی انجمن استانی"
    assumption: str = ""
    _memo: _Memo = field(default_factory=_memo, init=False, compare=False, repr=False)

    @property
    def allowed(self) -> str:
        """What a valid association score is."""
        return _range_text("a number", self.minimum, self.maximum)

    def parse(self, value: object) -> float | None:
        """``value`` checked and normalized to a float; None if blank."""
        if _is_blank(value):
            return None
        parsed = _read_number(value)
        if parsed is None or not _within(parsed, self.minimum, self.maximum):
            raise InvalidInput(self.code, value, self.allowed)
        return parsed

    def line(self, value: object) -> tuple[ScoreLine, int]:
        """The score line for association score ``value`` (None when missing) and its
        points in hundredths."""
        if value is not None and type(value) is not float:
            value = self.parse(value)
        found = self._memo.get(value)
        if found is not None:
            return found
        if value is None:
            points, note = self.missing_points, f"missing: counts {show(self.missing_points)}"
        else:
            value = self.parse(value)
            assert value is not None
            points, note = Decimal(str(value)) * self.weight, f"{show(value)} × {show(self.weight)}"
        return _remember(self._memo, value, (self.code, self.label, note), points)


@dataclass(frozen=True)
class Grade:
    """A grade band: totals of at least ``min_total`` (None on the lowest grade, which
    takes every total below the grade above it)."""

    name: str
    min_total: Decimal | None
    assumption: str = ""


@dataclass(frozen=True)
class Field:
    """One declaration input, as help texts and data generators need it."""

    code: str
    input: InputType
    label: str
    label_fa: str
    unit: str
    required: bool
    minimum: int | float | None
    maximum: int | float | None
    choices: tuple[str, ...]
    allowed: str

    @classmethod
    def of(cls, criterion: Criterion) -> Field:
        """The field that ``criterion`` asks the office to fill in."""
        return cls(
            code=criterion.code,
            input=criterion.input,
            label=criterion.label,
            label_fa=criterion.label_fa,
            unit=criterion.unit,
            required=criterion.required,
            minimum=criterion.minimum,
            maximum=criterion.maximum,
            choices=criterion.choices,
            allowed=criterion.allowed,
        )
