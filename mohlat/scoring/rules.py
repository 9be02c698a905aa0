"""How a criterion's input becomes points: bands, a choice table, a linear formula, yes/no.

Each rule is told a value its criterion has already checked (type and range) and
returns the exact points (Decimal) and a short note for the score line.
"""

from __future__ import annotations

from bisect import bisect_right
from dataclasses import dataclass, field
from decimal import Decimal

from mohlat.scoring._line import show

__all__ = ["Band", "BandRule", "BoolRule", "ChoiceRule", "LinearRule", "Rule"]


@dataclass(frozen=True)
class Band:
    """Values from ``min`` to ``max`` (both included) earn ``points``.

    ``max`` is None on an open last band ("100 and over"). For ``number`` inputs two
    neighbouring bands share their boundary, and a value on it falls in the higher band.
    """

    min: int | float
    max: int | float | None
    points: Decimal

    @property
    def text(self) -> str:
        """The band written for a person: ``20–39`` or ``100 and over``."""
        if self.max is None:
            return f"{show(self.min)} and over"
        return f"{show(self.min)}–{show(self.max)}"


@dataclass(frozen=True)
class BandRule:
    """Points by band; the bands are contiguous and sorted (checked when the rubric loads)."""

    bands: tuple[Band, ...]
    _mins: tuple[int | float, ...] = field(init=False, compare=False, repr=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_mins", tuple(band.min for band in self.bands))

    def points(self, value: int | float) -> tuple[Decimal, str]:
        """The points of the band holding ``value`` (which lies within the bands)."""
        band = self.bands[bisect_right(self._mins, value) - 1]
        return band.points, f"band {band.text}"


@dataclass(frozen=True)
class ChoiceRule:
    """Points per choice, in the rubric's order."""

    choices: tuple[tuple[str, Decimal], ...]
    _table: dict[str, Decimal] = field(init=False, compare=False, repr=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_table", dict(self.choices))

    @property
    def names(self) -> tuple[str, ...]:
        """The choices, in the rubric's order."""
        return tuple(name for name, _ in self.choices)

    def points(self, value: str) -> tuple[Decimal, str]:
        """The points of choice ``value`` (one of :attr:`names`)."""
        return self._table[value], ""


@dataclass(frozen=True)
class LinearRule:
    """``points_per_unit`` for each unit of the input, up to ``cap`` points when a cap is set."""

    points_per_unit: Decimal
    cap: Decimal | None = None

    def points(self, value: int | float) -> tuple[Decimal, str]:
        """``value × points_per_unit``, capped; the note says which."""
        raw = Decimal(value) if isinstance(value, int) else Decimal(str(value))
        raw *= self.points_per_unit
        if self.cap is not None and raw > self.cap:
            return self.cap, f"capped at {show(self.cap)}"
        return raw, f"{show(value)} × {show(self.points_per_unit)}"


@dataclass(frozen=True)
class BoolRule:
    """``if_true`` points for yes, ``if_false`` for no."""

    if_true: Decimal
    if_false: Decimal = Decimal(0)

    def points(self, value: bool) -> tuple[Decimal, str]:
        """The points for yes or no."""
        return (self.if_true if value else self.if_false), ""


Rule = BandRule | ChoiceRule | LinearRule | BoolRule
