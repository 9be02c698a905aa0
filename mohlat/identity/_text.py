"""Text folding shared by the identity modules: Persian and Arabic-Indic digits to ASCII."""

from __future__ import annotations

__all__ = ["fold_digits", "strip_separators"]

_PERSIAN_DIGITS = "۰۱۲۳۴۵۶۷۸۹"  # U+06F0..U+06F9, what a Persian keyboard types
_ARABIC_INDIC_DIGITS = "٠١٢٣٤٥٦٧٨٩"  # U+0660..U+0669, what an Arabic keyboard types
_ASCII_DIGITS = "0123456789"

# Dashes people put between groups of digits, and the invisible marks that copying
# from a right-to-left page brings along (bidi marks, ZWNJ/ZWJ, BOM).
_SEPARATORS = (
    "-\u2010\u2011\u2012\u2013\u2014\u2015\u2212"
    "\u200c\u200d\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\ufeff"
)

_FOLD_DIGITS = str.maketrans(_PERSIAN_DIGITS + _ARABIC_INDIC_DIGITS, _ASCII_DIGITS * 2)
_FOLD_AND_STRIP = str.maketrans(
    _PERSIAN_DIGITS + _ARABIC_INDIC_DIGITS, _ASCII_DIGITS * 2, _SEPARATORS
)


def fold_digits(text: str) -> str:
    """``text`` with Persian and Arabic-Indic digits replaced by ASCII digits."""
    return text.translate(_FOLD_DIGITS)


def strip_separators(text: str) -> str:
    """``text`` with digits folded to ASCII and whitespace, dashes and invisible marks removed."""
    return "".join(text.split()).translate(_FOLD_AND_STRIP)
