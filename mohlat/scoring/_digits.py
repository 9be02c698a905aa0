"""Reading numbers typed by people: Persian and Arabic-Indic digits included.

The CLI and the web forms pass strings. An office may type ``۱۲۰`` (Persian digits),
``١٢٠`` (Arabic-Indic digits) or ``120``; all mean 120. The Persian decimal separator
``٫`` is read as a decimal point. Nothing else is accepted: no thousands separators,
no exponents, no ``inf``/``nan``, no digits of other scripts.
"""

from __future__ import annotations

import re

__all__ = ["parse_decimal_text", "parse_int_text", "to_ascii_digits"]

_TO_ASCII = str.maketrans(
    "۰۱۲۳۴۵۶۷۸۹٠١٢٣٤٥٦٧٨٩٫−",
    "01234567890123456789.-",
)
#: the most digits a typed integer may have (more are no count or size anyone
#: declares, and Python refuses to read integers of over 4300 digits)
MAX_DIGITS = 18
_INT = re.compile(rf"[+-]?[0-9]{{1,{MAX_DIGITS}}}", re.ASCII)
_DECIMAL = re.compile(r"[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)", re.ASCII)


def to_ascii_digits(text: str) -> str:
    """``text`` with Persian/Arabic-Indic digits, the Persian decimal separator and the
    minus sign replaced by their ASCII forms, and surrounding blanks removed."""
    return text.translate(_TO_ASCII).strip()


def parse_int_text(text: str) -> int | None:
    """The integer written in ``text``, or None if it is not a plain integer."""
    ascii_text = to_ascii_digits(text)
    return int(ascii_text) if _INT.fullmatch(ascii_text) else None


def parse_decimal_text(text: str) -> float | None:
    """The number written in ``text`` (integer or decimal), or None if it is not one."""
    ascii_text = to_ascii_digits(text)
    return float(ascii_text) if _DECIMAL.fullmatch(ascii_text) else None
