"""Activation codes: the one-time secret that lets a license holder set a first password.

A code is 10 characters drawn at random (:mod:`secrets`) from an alphabet without the
look-alikes 0/O, 1/I/L, printed in two groups of five (``K7QX4-M9TRB``) so that it
can be read over the phone. What a holder types is folded before it is compared:
Persian and Arabic-Indic digits become ASCII, letters upper case, and spaces, dashes
and invisible marks go. Codes are stored hashed, like passwords.
"""

from __future__ import annotations

import secrets
import unicodedata

from mohlat.identity._text import strip_separators

__all__ = ["CODE_ALPHABET", "CODE_LENGTH", "format_code", "new_activation_code", "normalize_code"]

#: digits and capital letters a reader cannot confuse with one another
CODE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
CODE_LENGTH = 10
_GROUP = 5


def new_activation_code() -> str:
    """A fresh random activation code, grouped for reading (``XXXXX-XXXXX``)."""
    return format_code("".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH)))


def format_code(code: str) -> str:
    """``code`` (normalized) in groups of five joined by dashes."""
    plain = normalize_code(code)
    return "-".join(plain[i : i + _GROUP] for i in range(0, len(plain), _GROUP))


def normalize_code(typed: str) -> str:
    """The code as typed, in the one spelling it is hashed in: ASCII digits, capital
    letters, no spaces, dashes or invisible marks. Nothing is checked."""
    return strip_separators(unicodedata.normalize("NFKC", typed)).upper()
