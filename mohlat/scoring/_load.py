"""Reading a rubric's TOML text into its parts, refusing anything unclear.

Every refusal is an :class:`InvalidRubric` naming the source, the key at fault, the
value, what is allowed, and (best effort) the line. The schema is described in
:mod:`mohlat.scoring.rubric`.
"""

from __future__ import annotations

import math
import re
import tomllib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import NoReturn

from mohlat.errors import InvalidRubric
from mohlat.scoring._toml_lines import Path, find_line, line_of_syntax_error
from mohlat.scoring.criteria import INPUT_TYPES, Association, Criterion, Grade, InputType, Violation
from mohlat.scoring.ranking import TIE_BREAKERS
from mohlat.scoring.rules import Band, BandRule, BoolRule, ChoiceRule, LinearRule, Rule

__all__ = ["DEFAULT_TIE_BREAKERS", "RESERVED_CODES", "Parts", "parse_rubric"]

DEFAULT_TIE_BREAKERS = ("association_score", "violations_count", "declared_at", "office_code")
RESERVED_CODES = frozenset({"association", "total_cap", "total_floor"})
#: the deepest a value sits in a rubric (a band's points are five levels down)
MAX_DEPTH = 8
#: a rubric's numbers are below this (points, weights, bounds of an input)
MAX_NUMBER = 10**15
_BELOW_MAX = "a number below 10^15"
_NOT_DEEPER = f"at most {MAX_DEPTH} levels of tables and arrays"
ASSUMED = "our assumption (the article gives no figures)"

_CODE = re.compile(r"[a-z][a-z0-9_]*", re.ASCII)
_CODE_TEXT = "a code of lowercase letters, digits and _ starting with a letter"
_CRITERION_KEYS = (
    "code",
    "label",
    "label_fa",
    "input",
    "unit",
    "min",
    "max",
    "required",
    "missing_points",
    "assumption",
    "bands",
    "choices",
    "points_per_unit",
    "cap",
    "points_if_true",
    "points_if_false",
)
_RULE_KEYS = ("bands", "choices", "points_per_unit", "points_if_true")
_RULE_INPUTS: dict[str, tuple[InputType, ...]] = {
    "bands": ("int", "number"),
    "choices": ("choice",),
    "points_per_unit": ("int", "number"),
    "points_if_true": ("bool",),
}


@dataclass(frozen=True)
class Parts:
    """A rubric's parts, as read from its text."""

    name: str
    version: str
    description: str
    criteria: tuple[Criterion, ...]
    violations: tuple[Violation, ...]
    association: Association
    grades: tuple[Grade, ...]
    tie_breakers: tuple[str, ...]
    total_cap: Decimal | None
    total_floor: Decimal | None
    assumptions: tuple[tuple[str, str], ...]


class _Table:
    """One TOML table of the rubric, with typed getters that fail at the right line."""

    def __init__(self, text: str, source: str, data: Mapping[str, object], path: Path, shown: str):
        self.text = text
        self.source = source
        self.data = data
        self.path = path
        self.shown = shown

    def named(self, shown: str) -> _Table:
        """The same table, shown as ``shown`` in messages."""
        return _Table(self.text, self.source, self.data, self.path, shown)

    def fail(self, where: Path, value: object, allowed: str) -> NoReturn:
        """Refuse ``value`` at ``where`` (keys and indexes below this table)."""
        shown = self.shown
        for step in where:
            shown += f"[{step + 1}]" if isinstance(step, int) else f".{step}" if shown else step
        line = find_line(self.text, self.path + where)
        raise InvalidRubric(f"{self.source}: {shown or 'rubric'}", value, allowed, line=line)

    def has(self, key: str) -> bool:
        return key in self.data

    def keys_within(self, allowed: Iterable[str]) -> None:
        """Refuse a key not in ``allowed`` (most often a typo)."""
        known = tuple(allowed)
        for key, value in self.data.items():
            if key not in known:
                self.fail((key,), value, "no such key; known keys: " + ", ".join(known))

    def text_of(self, key: str, default: str | None = None) -> str:
        value = self.data.get(key, default)
        if not isinstance(value, str) or (default is None and not value.strip()):
            self.fail((key,), value, "a non-empty string" if default is None else "a string")
        return value

    def code(self, key: str) -> str:
        value = self.data.get(key)
        if not isinstance(value, str) or not _CODE.fullmatch(value):
            self.fail((key,), value, _CODE_TEXT)
        return value

    def number(self, key: str, default: Decimal | None = None) -> Decimal:
        """The number at ``key``; required unless a ``default`` is given."""
        bound = self.bound(key, required=default is None)
        if bound is None:
            assert default is not None
            return default
        return Decimal(str(bound))

    def optional_number(self, key: str) -> Decimal | None:
        bound = self.bound(key, required=False)
        return None if bound is None else Decimal(str(bound))

    def bound(
        self, key: str, *, required: bool = False, integer: bool = False
    ) -> int | float | None:
        value = self.data.get(key)
        if value is None:
            if not required:
                return None
            self.fail((key,), value, f"{'an integer' if integer else 'a number'} (required)")
        if integer and type(value) is not int:
            self.fail((key,), value, "an integer")
        if (
            isinstance(value, bool)
            or not isinstance(value, int | float)
            or not math.isfinite(value)
        ):
            self.fail((key,), value, "a finite number")
        return value

    def flag(self, key: str, default: bool) -> bool:
        value = self.data.get(key, default)
        if not isinstance(value, bool):
            self.fail((key,), value, "true or false")
        return value

    def assumption(self) -> str:
        """The table's ``assumption`` note: "" when absent or false."""
        value = self.data.get("assumption", False)
        if value is True:
            return ASSUMED
        if value is False or isinstance(value, str):
            return value.strip() if isinstance(value, str) else ""
        self.fail(("assumption",), value, "true, false or a note saying what is assumed")

    def table(self, key: str) -> _Table:
        """The sub-table at ``key``, which must be there."""
        value = self.data.get(key)
        if not isinstance(value, dict):
            self.fail((key,), value, f"a [{key}] table")
        return _Table(self.text, self.source, value, (*self.path, key), key)

    def optional_table(self, key: str) -> _Table | None:
        """The sub-table at ``key``, or None when there is none."""
        return self.table(key) if key in self.data else None

    def tables(self, key: str) -> list[_Table]:
        value = self.data.get(key, [])
        if not isinstance(value, list) or not all(isinstance(item, dict) for item in value):
            self.fail((key,), value, f"[[{key}]] tables")
        return [
            _Table(self.text, self.source, item, (*self.path, key, index), f"{key}[{index + 1}]")
            for index, item in enumerate(value)
        ]


def _refuse_extremes(root: _Table) -> None:
    """Refuse what no rubric has, before any value is shown (one nested thousands deep,
    or an integer of thousands of digits, cannot even be printed): nesting deeper than
    :data:`MAX_DEPTH` and numbers of :data:`MAX_NUMBER` or more (their points could
    not be rounded to hundredths)."""
    stack: list[tuple[Path, object]] = [((), root.data)]
    while stack:
        path, value = stack.pop()
        if len(path) > MAX_DEPTH:
            root.fail(path[:MAX_DEPTH], "(nested deeper)", _NOT_DEEPER)
        if isinstance(value, dict):
            stack.extend(((*path, key), item) for key, item in value.items())
        elif isinstance(value, list):
            stack.extend(((*path, index), item) for index, item in enumerate(value))
        elif isinstance(value, int) and not isinstance(value, bool) and abs(value) >= MAX_NUMBER:
            root.fail(path, "(an integer of 16 digits or more)", _BELOW_MAX)
        elif isinstance(value, float) and math.isfinite(value) and abs(value) >= MAX_NUMBER:
            root.fail(path, value, _BELOW_MAX)


def parse_rubric(text: str, source: str) -> Parts:
    """The parts of the rubric written in ``text``; :class:`InvalidRubric` if unusable."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        message = str(error)
        raise InvalidRubric(
            f"{source}: TOML syntax",
            re.sub(r"\s*\(at [^)]*\)$", "", message),
            "valid TOML (https://toml.io)",
            line=line_of_syntax_error(message, text),
        ) from None
    except (RecursionError, ValueError):
        # tomllib recurses once per nested array or inline table, and Python reads no
        # integer of over 4300 digits
        raise InvalidRubric(
            f"{source}: TOML",
            "(nested too deeply, or a number too long)",
            f"{_NOT_DEEPER}, {_BELOW_MAX}",
        ) from None
    root = _Table(text, source, data, (), "")
    _refuse_extremes(root)
    root.keys_within(
        ("rubric", "association", "total", "ranking", "criterion", "violation", "grade")
    )
    head = root.table("rubric")
    head.keys_within(("name", "version", "description"))
    assumptions: list[tuple[str, str]] = []

    criteria = tuple(_criterion(table) for table in root.tables("criterion"))
    if not criteria:
        root.fail(("criterion",), None, "at least one [[criterion]] table")
    violations = tuple(_violation(table) for table in root.tables("violation"))
    _check_codes(root, criteria, violations)
    assumptions += [(f"criterion {c.code}", c.assumption) for c in criteria if c.assumption]
    assumptions += [(f"violation {v.code}", v.assumption) for v in violations if v.assumption]

    association = _association(root.table("association"))
    if association.assumption:
        assumptions.append(("association", association.assumption))
    cap, floor, note = _total(root.optional_table("total"))
    if note:
        assumptions.append(("total", note))
    grades = _grades(root)
    assumptions += [(f"grade {g.name}", g.assumption) for g in grades if g.assumption]
    tie_breakers, note = _ranking(root.optional_table("ranking"))
    if note:
        assumptions.append(("ranking", note))
    return Parts(
        name=head.text_of("name"),
        version=head.text_of("version"),
        description=head.text_of("description", ""),
        criteria=criteria,
        violations=violations,
        association=association,
        grades=grades,
        tie_breakers=tie_breakers,
        total_cap=cap,
        total_floor=floor,
        assumptions=tuple(assumptions),
    )


def _criterion(table: _Table) -> Criterion:
    code = table.code("code")
    table = table.named(f"criterion {code!r}")
    table.keys_within(_CRITERION_KEYS)
    kind = table.data.get("input")
    if kind not in INPUT_TYPES:
        table.fail(("input",), kind, "one of: " + ", ".join(INPUT_TYPES))
    rules = [key for key in _RULE_KEYS if table.has(key)]
    if len(rules) != 1:
        table.fail(
            (rules[1],) if rules else (),
            rules or None,
            "exactly one of: bands, choices, points_per_unit, points_if_true",
        )
    if kind not in _RULE_INPUTS[rules[0]]:
        table.fail(
            (rules[0],), kind, f"{rules[0]} for input " + " or ".join(_RULE_INPUTS[rules[0]])
        )
    for key, owner in (("cap", "points_per_unit"), ("points_if_false", "points_if_true")):
        if table.has(key) and owner not in rules:
            table.fail((key,), table.data[key], f"{key} only beside {owner}")
    integer = kind == "int"
    minimum, maximum = None, None
    if kind in ("int", "number"):
        minimum = table.bound("min", integer=integer)
        maximum = table.bound("max", integer=integer)
        if minimum is not None and maximum is not None and minimum > maximum:
            table.fail(("max",), maximum, f"at least min ({minimum})")
    else:
        for key in ("min", "max"):
            if table.has(key):
                table.fail((key,), table.data[key], f"no {key}: input {kind} has no range")
    rule: Rule
    if rules[0] == "bands":
        rule = _bands(table, integer)
        first, last = rule.bands[0], rule.bands[-1]
        if minimum is not None and minimum != first.min:
            table.fail(("min",), minimum, f"{first.min}, where the first band starts (or no min)")
        if maximum is not None and last.max is not None and maximum != last.max:
            table.fail(("max",), maximum, f"{last.max}, where the last band ends (or no max)")
        if maximum is not None and last.max is None and maximum < last.min:
            table.fail(("max",), maximum, f"at least {last.min}, where the last band starts")
        minimum, maximum = first.min, maximum if last.max is None else last.max
    elif rules[0] == "choices":
        rule = _choices(table)
    elif rules[0] == "points_per_unit":
        rule = LinearRule(table.number("points_per_unit"), table.optional_number("cap"))
        minimum = 0 if minimum is None else minimum
    else:
        rule = BoolRule(table.number("points_if_true"), table.number("points_if_false", Decimal(0)))
    return Criterion(
        code=code,
        label=table.text_of("label"),
        label_fa=table.text_of("label_fa"),
        input=kind,
        rule=rule,
        unit=table.text_of("unit", ""),
        minimum=minimum,
        maximum=maximum,
        required=table.flag("required", True),
        missing_points=table.number("missing_points", Decimal(0)),
        assumption=table.assumption(),
    )


def _bands(table: _Table, integer: bool) -> BandRule:
    raw = table.data["bands"]
    if not isinstance(raw, list) or not raw or not all(isinstance(item, dict) for item in raw):
        table.fail(("bands",), raw, "a list of bands like {min = 0, max = 19, points = 0}")
    bands: list[Band] = []
    for index, item in enumerate(raw):
        band = _Table(table.text, table.source, item, (*table.path, "bands", index), "")
        band = band.named(f"{table.shown}.bands[{index + 1}]")
        band.keys_within(("min", "max", "points"))
        low = band.bound("min", required=True, integer=integer)
        assert low is not None
        high = band.bound("max", required=index < len(raw) - 1, integer=integer)
        if high is not None and (high < low if integer else high <= low):
            band.fail(("max",), high, f"{'at least' if integer else 'more than'} min ({low})")
        if bands:
            before = bands[-1].max
            assert before is not None
            start = before + 1 if integer else before
            if low != start:
                trouble = "overlap" if low < start else "leave a gap"
                band.fail(
                    ("min",),
                    low,
                    f"{start}: bands are sorted and must not {trouble}"
                    f" (the band before ends at {before})",
                )
        bands.append(Band(low, high, band.number("points")))
    return BandRule(tuple(bands))


def _choices(table: _Table) -> ChoiceRule:
    choices = table.table("choices").named(f"{table.shown}.choices")
    if not choices.data:
        table.fail(("choices",), {}, "at least one choice, like {city = 8, rural = 6}")
    for name in choices.data:
        if not _CODE.fullmatch(name):
            choices.fail((name,), name, _CODE_TEXT)
    return ChoiceRule(tuple((name, choices.number(name)) for name in choices.data))


def _violation(table: _Table) -> Violation:
    code = table.code("code")
    table = table.named(f"violation {code!r}")
    table.keys_within(("code", "label", "label_fa", "points", "max_count", "assumption"))
    points = table.number("points")
    if points >= 0:
        table.fail(("points",), table.data["points"], "a negative number (points per occurrence)")
    max_count = table.bound("max_count", integer=True)
    if max_count is not None and max_count < 1:
        table.fail(("max_count",), max_count, "a positive integer (or no max_count)")
    return Violation(
        code=code,
        label=table.text_of("label"),
        label_fa=table.text_of("label_fa"),
        points=points,
        max_count=None if max_count is None else int(max_count),
        assumption=table.assumption(),
    )


def _check_codes(
    root: _Table, criteria: tuple[Criterion, ...], violations: tuple[Violation, ...]
) -> None:
    """Refuse a code used twice among criteria and violations, or a reserved one."""
    seen: set[str] = set()
    criterion_codes = [criterion.code for criterion in criteria]
    violation_codes = [violation.code for violation in violations]
    for kind, codes in (("criterion", criterion_codes), ("violation", violation_codes)):
        for index, code in enumerate(codes):
            if code in seen or code in RESERVED_CODES:
                why = "reserved" if code in RESERVED_CODES else "already used"
                root.fail(
                    (kind, index, "code"), code, f"a code not used before ({code!r} is {why})"
                )
            seen.add(code)


def _association(table: _Table) -> Association:
    table.keys_within(("min", "max", "weight", "missing_points", "label", "label_fa", "assumption"))
    low = table.bound("min")
    high = table.bound("max")
    assert low is not None and high is not None
    if high <= low:
        table.fail(("max",), high, f"more than min ({low})")
    weight = table.number("weight", Decimal(1))
    if weight <= 0:
        table.fail(("weight",), table.data["weight"], "a positive number")
    defaults = Association(low, high, weight)
    return Association(
        minimum=low,
        maximum=high,
        weight=weight,
        missing_points=table.number("missing_points", Decimal(0)),
        label=table.text_of("label", defaults.label) or defaults.label,
        label_fa=table.text_of("label_fa", defaults.label_fa) or defaults.label_fa,
        assumption=table.assumption(),
    )


def _total(table: _Table | None) -> tuple[Decimal | None, Decimal | None, str]:
    if table is None:
        return None, None, ""
    table.keys_within(("cap", "floor", "assumption"))
    cap, floor = table.optional_number("cap"), table.optional_number("floor")
    if cap is not None and floor is not None and floor >= cap:
        table.fail(("floor",), table.data["floor"], f"less than cap ({cap})")
    return cap, floor, table.assumption()


def _grades(root: _Table) -> tuple[Grade, ...]:
    tables = root.tables("grade")
    if not tables:
        root.fail(("grade",), None, "at least one [[grade]] table")
    grades: list[Grade] = []
    for index, table in enumerate(tables):
        table.keys_within(("name", "min_total", "assumption"))
        name = table.text_of("name")
        table = table.named(f"grade {name!r}")
        if name in (grade.name for grade in grades):
            table.fail(("name",), name, "a grade name not used before")
        last = index == len(tables) - 1
        if last and table.has("min_total"):
            table.fail(
                ("min_total",),
                table.data["min_total"],
                "no min_total: the last grade takes every total below the grade above it",
            )
        min_total = None if last else table.number("min_total")
        if grades and min_total is not None:
            above = grades[-1].min_total
            assert above is not None
            if min_total >= above:
                table.fail(
                    ("min_total",),
                    table.data["min_total"],
                    f"less than {above}: grades run from the highest min_total down",
                )
        grades.append(Grade(name, min_total, table.assumption()))
    return tuple(grades)


def _ranking(table: _Table | None) -> tuple[tuple[str, ...], str]:
    if table is None:
        return DEFAULT_TIE_BREAKERS, ""
    table.keys_within(("tie_breakers", "assumption"))
    raw = table.data.get("tie_breakers", list(DEFAULT_TIE_BREAKERS))
    if not isinstance(raw, list):
        table.fail(("tie_breakers",), raw, "a list such as " + repr(list(DEFAULT_TIE_BREAKERS)))
    for index, name in enumerate(raw):
        if name not in TIE_BREAKERS:
            table.fail(("tie_breakers", index), name, "one of: " + ", ".join(TIE_BREAKERS))
        if name in raw[:index]:
            table.fail(("tie_breakers", index), name, "each tie-breaker once")
    return tuple(raw), table.assumption()
