"""What a piece of typed text may be: codes, user names, names and free text.

The same rules on SQLite and PostgreSQL, applied before the database sees a value:

* **Invisible characters** that copying from a right-to-left page brings along (bidi
  marks and embeddings, zero-width spaces, the byte-order mark) are removed from
  every value: two office codes that look alike are alike. The zero-width
  non-joiner, which Persian spelling needs, stays in names and text.
* **Control characters** (NUL and the rest of Unicode's Cc) are refused, but for
  line breaks and tabs in free text.
* **Digits**: Persian (۰-۹) and Arabic-Indic (٠-٩) digits become Latin ones in codes
  and user names; names and text keep what was typed.
* **Lengths** are checked against the column each value is stored in.
* **Staff user names** are case-folded (``Admin`` is ``admin``), Latin letters,
  digits and ``. _ -``, starting with a letter; a name of digits only is an office's
  national ID and reserved for it.
"""

from __future__ import annotations

import re
import unicodedata
from typing import Final

from mohlat.calendars import normalize_digits
from mohlat.errors import InvalidInput

__all__ = [
    "clean_code",
    "clean_name",
    "clean_text",
    "fold_username",
    "staff_username",
]

#: removed from every value: bidi marks, embeddings and isolates, zero-width
#: space and word joiner, the byte-order mark
_INVISIBLE: Final = dict.fromkeys(
    map(ord, "\u200b\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2060\u2066\u2067\u2068\u2069\ufeff")
)
#: also removed from codes and user names (Persian names need them)
_JOINERS: Final = dict.fromkeys(map(ord, "\u200c\u200d"))

_CODE: Final = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]*")
_USERNAME: Final = re.compile(r"[a-z][a-z0-9._-]*")
USERNAME_LENGTH: Final = range(3, 33)


def _visible(text: str) -> str:
    return unicodedata.normalize("NFC", text.translate(_INVISIBLE))


def _refuse_controls(text: str, field: str, *, allow_breaks: bool) -> None:
    allowed = {"\n", "\t", "\r"} if allow_breaks else set()
    for char in text:
        if unicodedata.category(char) == "Cc" and char not in allowed:
            raise InvalidInput(
                field, text[:40], f"text without control characters (found U+{ord(char):04X})"
            )


def clean_code(text: str, *, field: str, max_length: int = 32) -> str:
    """A code (an office's, a campaign's): Latin letters and digits (any digits typed)
    and ``. _ -``, starting with a letter or digit, at most ``max_length`` long."""
    code = normalize_digits(_visible(text).translate(_JOINERS)).strip()
    if not _CODE.fullmatch(code) or len(code) > max_length:
        raise InvalidInput(
            field,
            text,
            f"Latin letters, digits and . _ - (starting with a letter or digit), "
            f"at most {max_length} characters",
        )
    return code


def clean_name(text: str, *, field: str, max_length: int, required: bool = True) -> str:
    """A one-line name or title: blanks folded, at most ``max_length`` characters."""
    name = " ".join(_visible(text).split())
    _refuse_controls(name, field, allow_breaks=False)
    if required and not name:
        raise InvalidInput(field, text, "a name (it is empty)")
    if len(name) > max_length:
        raise InvalidInput(field, f"{name[:20]}…", f"at most {max_length} characters")
    return name


def clean_text(text: str, *, field: str, max_length: int) -> str:
    """Free text (a reason, an objection): line breaks kept, ends trimmed."""
    cleaned = _visible(text).strip()
    _refuse_controls(cleaned, field, allow_breaks=True)
    if len(cleaned) > max_length:
        raise InvalidInput(
            field, f"{cleaned[:20]}…", f"at most {max_length} characters, got {len(cleaned)}"
        )
    return cleaned


def fold_username(text: str) -> str:
    """A user name as it is looked up: digits Latin, invisible marks gone, case folded."""
    return normalize_digits(_visible(text).translate(_JOINERS)).strip().casefold()


def staff_username(text: str) -> str:
    """The user name of a new admin or supervisor, folded; refused with the rule it
    breaks."""
    name = fold_username(text)
    if name.isdigit():
        raise InvalidInput(
            "user name", text, "a name with letters: names of digits are offices' national IDs"
        )
    if not _USERNAME.fullmatch(name) or len(name) not in USERNAME_LENGTH:
        raise InvalidInput(
            "user name",
            text,
            f"{USERNAME_LENGTH.start}-{USERNAME_LENGTH.stop - 1} characters: Latin letters, "
            "digits and . _ -, starting with a letter",
        )
    return name
