"""The score distribution as bars to draw in SVG (the template draws them; no chart
library and nothing from a CDN)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from mohlat.views import ScoreBin

__all__ = ["Bar", "bars"]

#: the drawing's size, in SVG units
WIDTH, HEIGHT, BASELINE = 600, 220, 190


@dataclass(frozen=True)
class Bar:
    """One bar: where it stands and what it says."""

    x: float
    y: float
    width: float
    height: float
    low: float
    high: float
    cases: int


def bars(bins: Sequence[ScoreBin], *, best: float = 100.0, step: float = 10.0) -> list[Bar]:
    """The bars of ``bins`` from 0 to ``best`` points (empty bins drawn flat), the
    tallest one reaching the top."""
    count = max(1, round(best / step))
    by_low = {round(b.low / step): b.cases for b in bins}
    tallest = max([*by_low.values(), 1])
    slot = WIDTH / count
    drawn = []
    for i in range(count):
        cases = by_low.get(i, 0) + (by_low.get(count, 0) if i == count - 1 else 0)
        height = (BASELINE - 10) * cases / tallest
        drawn.append(
            Bar(
                # right to left: the lowest scores on the right, as Persian reads
                x=WIDTH - (i + 1) * slot + 4,
                y=BASELINE - height,
                width=slot - 8,
                height=height,
                low=i * step,
                high=(i + 1) * step,
                cases=cases,
            )
        )
    return drawn
