"""Ordinal ranking of scored cases: national, regional and provincial positions.

Positions are ordinal (1, 2, 3, … with no shared places): higher total first, then
the rubric's tie-breakers, then ``office_code`` and ``case_id``, so the result never
depends on the order the entries come in. Tie-breaker directions:

- ``total``: higher first (always the first key; naming it again changes nothing);
- ``association_score``: higher first, a missing score last;
- ``violations_count``: fewer first;
- ``declared_at``: earlier first, a missing time last (instants must be timezone-aware);
- ``office_code``: ascending.
"""

from __future__ import annotations

import math
from bisect import bisect_left
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime

from mohlat.errors import Duplicate, InvalidInput

__all__ = [
    "TIE_BREAKERS",
    "Position",
    "RankEntry",
    "place_within",
    "position_among",
    "positions_among",
    "rank",
    "sort_keys",
]

TIE_BREAKERS: tuple[str, ...] = (
    "total",
    "association_score",
    "violations_count",
    "declared_at",
    "office_code",
)

SortKey = tuple[float | int | str, ...]


@dataclass(frozen=True, slots=True)
class RankEntry:
    """What ranking needs to know of one scored case."""

    case_id: int
    total: float
    region: int
    province: str
    association_score: float | None
    violations_count: int
    declared_at: datetime | None
    office_code: str


@dataclass(frozen=True, slots=True)
class Position:
    """A case's places: in the country, in its region, in its province (each from 1)."""

    national: int
    regional: int
    provincial: int


Column = list[float] | list[int] | list[str]


def _association_column(entries: Sequence[RankEntry]) -> Column:
    return [math.inf if e.association_score is None else -e.association_score for e in entries]


def _declared_column(entries: Sequence[RankEntry]) -> Column:
    naive = next(
        (e.declared_at for e in entries if e.declared_at and not e.declared_at.tzinfo), None
    )
    if naive is not None:
        raise InvalidInput("declared_at", naive, "a timezone-aware instant")
    return [math.inf if e.declared_at is None else e.declared_at.timestamp() for e in entries]


# One sort-key column per tie-breaker, computed for all entries at once (fast).
_COLUMNS: dict[str, Callable[[Sequence[RankEntry]], Column]] = {
    "total": lambda entries: [-e.total for e in entries],
    "association_score": _association_column,
    "violations_count": lambda entries: [e.violations_count for e in entries],
    "declared_at": _declared_column,
    "office_code": lambda entries: [e.office_code for e in entries],
}


def sort_keys(entries: Sequence[RankEntry], tie_breakers: Sequence[str]) -> list[SortKey]:
    """The keys that order ``entries`` best first under ``tie_breakers`` (see the module
    doc); always unique when case ids are."""
    unknown = [name for name in tie_breakers if name not in _COLUMNS]
    if unknown:
        raise InvalidInput("tie_breakers", unknown[0], "one of: " + ", ".join(TIE_BREAKERS))
    names = ["total", *tie_breakers, "office_code"]
    columns = [_COLUMNS[name](entries) for name in dict.fromkeys(names)]
    columns.append([e.case_id for e in entries])
    return list(zip(*columns, strict=True))


def rank(entries: Iterable[RankEntry], tie_breakers: Sequence[str]) -> dict[int, Position]:
    """Each case's ordinal positions, by case id; case ids must be unique."""
    listed = list(entries)
    keys = sort_keys(listed, tie_breakers)
    regional: dict[int, int] = {}
    provincial: dict[str, int] = {}
    positions: dict[int, Position] = {}
    for national, index in enumerate(sorted(range(len(listed)), key=keys.__getitem__), start=1):
        entry = listed[index]
        region = regional[entry.region] = regional.get(entry.region, 0) + 1
        province = provincial[entry.province] = provincial.get(entry.province, 0) + 1
        positions[entry.case_id] = Position(national, region, province)
    if len(positions) != len(listed):
        seen: set[int] = set()
        for entry in listed:
            if entry.case_id in seen:
                raise Duplicate("case_id", entry.case_id)
            seen.add(entry.case_id)
    return positions


def position_among(
    entry: RankEntry, published: Iterable[RankEntry], tie_breakers: Sequence[str]
) -> Position:
    """The positions ``entry`` takes among an already published ranking, which is not
    renumbered: one more than the published entries that sort before it (an entry of
    the same case in ``published`` is ignored)."""
    return positions_among([entry], published, tie_breakers)[entry.case_id]


def positions_among(
    late: Sequence[RankEntry], published: Iterable[RankEntry], tie_breakers: Sequence[str]
) -> dict[int, Position]:
    """:func:`position_among` for many late entries at once, by case id: the published
    keys are sorted once and each late entry is placed by binary search."""
    late_ids = {entry.case_id for entry in late}
    others = [other for other in published if other.case_id not in late_ids]
    keys = sort_keys([*late, *others], tie_breakers)
    late_keys, other_keys = keys[: len(late)], keys[len(late) :]
    national = sorted(other_keys)
    by_region: dict[int, list[SortKey]] = {}
    by_province: dict[str, list[SortKey]] = {}
    for other, key in zip(others, other_keys, strict=True):
        by_region.setdefault(other.region, []).append(key)
        by_province.setdefault(other.province, []).append(key)
    for group in (*by_region.values(), *by_province.values()):
        group.sort()
    return {
        entry.case_id: Position(
            bisect_left(national, key) + 1,
            bisect_left(by_region.get(entry.region, []), key) + 1,
            bisect_left(by_province.get(entry.province, []), key) + 1,
        )
        for entry, key in zip(late, late_keys, strict=True)
    }


def place_within(
    moved: Sequence[RankEntry], standing: Sequence[RankEntry], tie_breakers: Sequence[str]
) -> dict[int, Position]:
    """The places of the ``moved`` entries (an appeal decision changed their totals) in
    ``standing``, the whole ranking as it now stands, with the moved entries as they
    are now: one more than the entries of ``standing`` that sort before each, so
    nobody else is renumbered. By case id; every moved case must be in ``standing``."""
    keys = sort_keys(standing, tie_breakers)
    key_of = {entry.case_id: key for entry, key in zip(standing, keys, strict=True)}
    national = sorted(keys)
    by_region: dict[int, list[SortKey]] = {}
    by_province: dict[str, list[SortKey]] = {}
    for entry, key in zip(standing, keys, strict=True):
        by_region.setdefault(entry.region, []).append(key)
        by_province.setdefault(entry.province, []).append(key)
    for group in (*by_region.values(), *by_province.values()):
        group.sort()
    places: dict[int, Position] = {}
    for entry in moved:
        key = key_of[entry.case_id]  # its own key is in each list: bisect counts the others
        places[entry.case_id] = Position(
            bisect_left(national, key) + 1,
            bisect_left(by_region[entry.region], key) + 1,
            bisect_left(by_province[entry.province], key) + 1,
        )
    return places
