"""One line of a score, and how its points are rounded and shown.

Kept apart from :mod:`mohlat.scoring.score` so that criteria can build (and
remember) their own lines; ``score`` re-exports :class:`ScoreLine`.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Context, Decimal

__all__ = ["ScoreLine", "cents", "hundredths", "show"]

_CENT = Decimal("0.01")
#: enough digits to round to hundredths any points a rubric can give (its numbers are
#: below 10**15, the values it scores below 10**18); with the default context's 28,
#: rounding raises InvalidOperation from 10**26 on
_WIDE = Context(prec=60)


@dataclass(frozen=True, slots=True)
class ScoreLine:
    """What one criterion, violation or adjustment added to the total.

    ``value`` is the input it was computed from (None when missing), ``points`` the
    points it gave, already rounded to hundredths, ``note`` how they were reached.
    """

    code: str
    label: str
    value: object
    points: float
    note: str = ""


def cents(amount: Decimal) -> Decimal:
    """``amount`` rounded to hundredths, halves away from zero."""
    return amount.quantize(_CENT, rounding=ROUND_HALF_UP, context=_WIDE)


def hundredths(amount: Decimal) -> int:
    """``amount`` in whole hundredths of a point, rounded as :func:`cents` does.

    Totals are summed in hundredths: integer sums are exact and fast, and
    ``hundredths / 100`` is the float nearest the decimal total.
    """
    return int(cents(amount).scaleb(2, context=_WIDE))


def show(number: Decimal | int | float) -> str:
    """``number`` written plainly for a note: ``10``, ``0.25``, ``-5``, never ``1E+1``."""
    if isinstance(number, bool) or not isinstance(number, Decimal):
        number = Decimal(str(number))
    text = format(number.normalize(), "f")
    return "0" if text == "-0" else text
