"""The Iranian national code (کد ملی): reading, checking and making one.

A national code is 10 digits ``d0 … d9``; ``d9`` is a check digit. With
``s = d0·10 + d1·9 + … + d8·2`` and ``r = s mod 11``, the check digit is ``r`` when
``r < 2`` and ``11 - r`` otherwise.

Policies (each backed by a named test):

* **Input is normalized first.** Whitespace anywhere, dashes, and the invisible
  bidi/ZWNJ marks that come with text copied from a right-to-left page are removed;
  Persian (۰-۹) and Arabic-Indic (٠-٩) digits become ASCII. The normalized code is
  what the caller stores and compares.
* **Exactly 10 digits, by default.** Codes that begin with zeros (most of Tehran's
  begin with ``00``) often lose them in spreadsheets, and the civil registry's rule
  left-pads 8 or 9 digits with zeros. A person who types 9 digits, though, has as
  likely dropped a digit in the middle, and padding would then silently turn the
  typo into someone else's valid code about one time in eleven. So 8 or 9 digits
  are refused with a hint (naming the padded code when that is valid), and padding
  is opt-in with ``pad_short=True`` for bulk imports whose source is known to have
  dropped leading zeros.
* **One digit repeated ten times is refused** (``0000000000``, ``1111111111``, …):
  every such code passes the checksum, but none is issued.
* **The checksum catches most, not all, single-digit typos.** A change to ``d9`` is
  always caught, and a change to ``d0 … d8`` always changes ``r`` (11 is prime and
  no weight is a multiple of it), but ``r = 1`` and ``r = 10`` both give check digit
  1, so a typo that moves ``r`` between those two goes unnoticed (for example
  ``1234567891`` and ``1234567881`` are both valid).
"""

from __future__ import annotations

from mohlat.errors import InvalidInput, InvalidNationalId
from mohlat.identity._text import strip_separators

__all__ = [
    "is_valid_national_id",
    "make_national_id",
    "normalize_national_id",
    "validate_national_id",
]

LENGTH = 10
_ASCII_DIGITS = frozenset("0123456789")
_MAX_CHARS_NAMED = 5


def normalize_national_id(text: str) -> str:
    """``text`` without whitespace, dashes or invisible marks, its digits in ASCII.

    Nothing is checked: the result may still be no national code at all.
    """
    return strip_separators(text)


def _check_digit(prefix9: str) -> int:
    """The check digit that completes nine ASCII digits into a national code."""
    remainder = sum(int(digit) * (LENGTH - i) for i, digit in enumerate(prefix9)) % 11
    return remainder if remainder < 2 else 11 - remainder


def validate_national_id(text: str, *, field: str = "national_id", pad_short: bool = False) -> str:
    """The normalized 10-digit national code written in ``text``.

    Raises :class:`~mohlat.errors.InvalidNationalId` naming ``field``, the text as given
    and the reason: characters other than digits, a length other than 10 (8 or 9 digits
    are left-padded with zeros only when ``pad_short`` is true), one digit repeated, or
    a wrong check digit (naming the one expected).
    """
    code = normalize_national_id(text)
    if not code:
        raise InvalidNationalId(field, text, f"a national ID has {LENGTH} digits; none were given")
    strangers = list(dict.fromkeys(ch for ch in code if ch not in _ASCII_DIGITS))
    if strangers:
        named = ", ".join(repr(ch) for ch in strangers[:_MAX_CHARS_NAMED])
        more = ", …" if len(strangers) > _MAX_CHARS_NAMED else ""
        raise InvalidNationalId(field, text, f"a national ID has only digits; found {named}{more}")
    if len(code) in (8, 9):
        padded = code.rjust(LENGTH, "0")
        if pad_short:
            code = padded
        else:
            hint = (
                f"; if it begins with zeros, write them: did you mean {padded!r}?"
                if is_valid_national_id(padded)
                else ""
            )
            raise InvalidNationalId(
                field, text, f"a national ID has {LENGTH} digits; {len(code)} were given{hint}"
            )
    if len(code) != LENGTH:
        raise InvalidNationalId(
            field, text, f"a national ID has {LENGTH} digits; {len(code)} were given"
        )
    if len(set(code)) == 1:
        raise InvalidNationalId(field, text, "a national ID is never one digit repeated")
    expected = _check_digit(code[:-1])
    if int(code[-1]) != expected:
        raise InvalidNationalId(
            field, text, f"wrong check digit: the last digit should be {expected}, not {code[-1]}"
        )
    return code


def is_valid_national_id(text: str) -> bool:
    """Whether ``text`` is a valid national code by :func:`validate_national_id`'s default rules."""
    try:
        validate_national_id(text)
    except InvalidNationalId:
        return False
    return True


def make_national_id(prefix9: str) -> str:
    """The valid national code that begins with the nine digits ``prefix9``.

    Raises :class:`~mohlat.errors.InvalidInput` (field ``prefix9``) unless ``prefix9`` is
    nine digits (normalized as by :func:`normalize_national_id`) and not one digit
    repeated: a repeated digit always completes to a code that is refused.
    """
    prefix = normalize_national_id(prefix9)
    if len(prefix) != LENGTH - 1 or not set(prefix) <= _ASCII_DIGITS:
        raise InvalidInput("prefix9", prefix9, f"exactly {LENGTH - 1} digits are needed")
    if len(set(prefix)) == 1:
        raise InvalidInput(
            "prefix9", prefix9, "one digit repeated completes to a code that is refused"
        )
    return prefix + str(_check_digit(prefix))
