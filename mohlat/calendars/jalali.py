"""Jalali dates and Tehran wall time: reading, writing, and the bounds of a day.

Instants are timezone-aware UTC ``datetime``s; days are ``persiantools``
:class:`JalaliDate`s; a day means a calendar day in Tehran (Asia/Tehran). Nothing
here reads the clock.

Tehran kept daylight saving time (+04:30 from 1 Farvardin 24:00 to 30 Shahrivar
24:00) until 1401 and abolished it in 2022: from 1402 it is +03:30 all year. The
time zone database is pendulum's, so historic offsets come with it.
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta, tzinfo
from typing import Final

import pendulum
from persiantools.jdatetime import MAXYEAR, MINYEAR, JalaliDate

from mohlat.errors import InvalidDate

__all__ = [
    "TEHRAN",
    "JalaliDate",
    "end_of_day",
    "ensure_utc",
    "format_date",
    "format_date_long",
    "format_instant",
    "from_gregorian",
    "jalali_date",
    "month_name",
    "normalize_digits",
    "parse_jalali_date",
    "parse_jalali_datetime",
    "read_whole_number",
    "start_of_day",
    "tehran_date",
    "to_gregorian",
    "to_persian_digits",
]

TEHRAN: Final[tzinfo] = pendulum.timezone("Asia/Tehran")

MONTHS_EN: Final = (
    "Farvardin",
    "Ordibehesht",
    "Khordad",
    "Tir",
    "Mordad",
    "Shahrivar",
    "Mehr",
    "Aban",
    "Azar",
    "Dey",
    "Bahman",
    "Esfand",
)
MONTHS_FA: Final = (
    "فروردین",
    "اردیبهشت",
    "خرداد",
    "تیر",
    "مرداد",
    "شهریور",
    "مهر",
    "آبان",
    "آذر",
    "دی",
    "بهمن",
    "اسفند",
)


def ensure_utc(instant: datetime) -> datetime:
    """``instant`` as timezone-aware UTC; a naive datetime is refused."""
    if instant.tzinfo is None:
        raise ValueError(f"naive datetime {instant!r}: instants must be timezone-aware")
    return instant.astimezone(UTC)


# --- digits -----------------------------------------------------------------------

_PERSIAN_DIGITS: Final = "۰۱۲۳۴۵۶۷۸۹"
_ARABIC_DIGITS: Final = "٠١٢٣٤٥٦٧٨٩"
_TO_ASCII: Final = str.maketrans(_PERSIAN_DIGITS + _ARABIC_DIGITS, "0123456789" * 2)
_TO_PERSIAN: Final = str.maketrans("0123456789" + _ARABIC_DIGITS, _PERSIAN_DIGITS * 2)


def normalize_digits(text: str) -> str:
    """``text`` with Persian (۰-۹) and Arabic-Indic (٠-٩) digits as ASCII; all else unchanged."""
    return text.translate(_TO_ASCII)


#: the most digits a whole number typed by a person may have (fits a 64-bit integer)
MAX_DIGITS: Final = 18


def read_whole_number(text: str) -> int | None:
    """The whole number ``text`` writes in Latin, Persian or Arabic-Indic digits
    (surrounding blanks allowed), or None: other characters, other digits (``²``,
    Devanagari), a sign, or more than :data:`MAX_DIGITS` digits."""
    body = normalize_digits(text).strip()
    if not body or len(body) > MAX_DIGITS or not (body.isascii() and body.isdigit()):
        return None
    return int(body)


def to_persian_digits(text: str) -> str:
    """``text`` with ASCII and Arabic-Indic digits written as Persian digits (۰-۹)."""
    return text.translate(_TO_PERSIAN)


# --- days -------------------------------------------------------------------------


def jalali_date(year: int, month: int, day: int, *, field: str = "date") -> JalaliDate:
    """The Jalali date ``year/month/day``; refused with the precise reason if it does not exist.

    Months 1-6 have 31 days, months 7-11 have 30, Esfand has 29, or 30 in a leap
    year: ``1400/07/31`` is refused ("Mehr 1400 has 30 days"), ``1403/12/30``
    exists and ``1404/12/30`` does not ("1404 is not a leap year: Esfand has 29
    days"). Leap years are persiantools' (the astronomical calendar).
    """
    text = f"{year:04d}/{month:02d}/{day:02d}"
    if not MINYEAR <= year <= MAXYEAR:
        raise InvalidDate(field, text, f"year must be {MINYEAR}..{MAXYEAR}")
    if not 1 <= month <= 12:
        raise InvalidDate(field, text, "month must be 1..12")
    length = JalaliDate.days_in_month(month, year)
    if day < 1:
        raise InvalidDate(field, text, "day must be at least 1")
    if day > length:
        if month == 12 and day == 30:
            reason = f"{year} is not a leap year: Esfand has 29 days"
        else:
            reason = f"{MONTHS_EN[month - 1]} {year} has {length} days"
        raise InvalidDate(field, text, reason)
    return JalaliDate(year, month, day)  # type: ignore[no-untyped-call]


def from_gregorian(day: date) -> JalaliDate:
    """The Jalali date of the Gregorian ``day`` (not of a ``datetime``: see :func:`tehran_date`)."""
    if isinstance(day, datetime):
        raise TypeError(f"a date is needed, not the datetime {day!r}: use tehran_date()")
    return JalaliDate(day)  # type: ignore[no-untyped-call]


def to_gregorian(day: JalaliDate) -> date:
    """The Gregorian date of the Jalali ``day``."""
    return day.to_gregorian()


def tehran_date(instant: datetime) -> JalaliDate:
    """The Jalali day in Tehran that contains the aware ``instant``."""
    return from_gregorian(ensure_utc(instant).astimezone(TEHRAN).date())


def start_of_day(day: JalaliDate) -> datetime:
    """The first instant of ``day`` in Tehran, as aware UTC.

    That is 00:00 Tehran. When the clocks jumped forward at midnight (the first day
    of daylight saving, e.g. 2 Farvardin 1400) 00:00 did not exist and the day began
    at 01:00 +04:30, which is what this returns.
    """
    g = to_gregorian(day)
    # fold=0 reads a wall time in a gap with the offset before the jump, which gives
    # exactly the instant of the jump.
    return datetime(g.year, g.month, g.day, tzinfo=TEHRAN).astimezone(UTC)


def end_of_day(day: JalaliDate) -> datetime:
    """The last instant of ``day`` in Tehran (the next day's start minus 1 µs), as aware UTC.

    E.g. ``end_of_day(1400/02/05)`` is 2021-04-25 19:29:59.999999 UTC (Tehran was
    at +04:30 then); ``end_of_day(1403/02/05)`` is 2024-04-24 20:29:59.999999 UTC.
    """
    return start_of_day(day + timedelta(days=1)) - timedelta(microseconds=1)


# --- writing ----------------------------------------------------------------------


def month_name(month: int, *, fa: bool = False) -> str:
    """The name of Jalali ``month`` (1..12): ``Ordibehesht``, or with ``fa`` ``اردیبهشت``."""
    if not 1 <= month <= 12:
        raise InvalidDate("month", month, "month must be 1..12")
    return (MONTHS_FA if fa else MONTHS_EN)[month - 1]


def format_date(day: JalaliDate, *, fa: bool = False) -> str:
    """``day`` as ``1400/02/05``; with ``fa`` in Persian digits, ``۱۴۰۰/۰۲/۰۵``."""
    text = f"{day.year:04d}/{day.month:02d}/{day.day:02d}"
    return to_persian_digits(text) if fa else text


def format_date_long(day: JalaliDate, *, fa: bool = False) -> str:
    """``day`` as ``5 Ordibehesht 1400``; with ``fa`` as ``۵ اردیبهشت ۱۴۰۰``."""
    text = f"{day.day} {month_name(day.month, fa=fa)} {day.year}"
    return to_persian_digits(text) if fa else text


def format_instant(instant: datetime, *, fa: bool = False, seconds: bool = True) -> str:
    """The Tehran wall time of the aware ``instant``: ``1400/02/05 23:59:59``.

    With ``seconds=False`` it stops at the minute (``1400/02/05 23:59``), with ``fa``
    the digits are Persian. Fractions of a second are dropped, never rounded up, so
    the end of a day still reads as that day. In the repeated hour when daylight
    saving ended the text does not say which of the two occurrences it was.
    """
    local = ensure_utc(instant).astimezone(TEHRAN)
    clock = f"{local:%H:%M:%S}" if seconds else f"{local:%H:%M}"
    text = f"{format_date(from_gregorian(local.date()))} {clock}"
    return to_persian_digits(text) if fa else text


# --- reading ----------------------------------------------------------------------

_ACCEPTED_DATES: Final = (
    "expected a Jalali date such as 1400/01/17, 1400-1-17 or 17 فروردین 1400 "
    "(ASCII, Persian or Arabic-Indic digits)"
)
_ACCEPTED_TIMES: Final = (
    "expected a Jalali date, optionally followed by a Tehran time HH:MM or HH:MM:SS, "
    "such as 1400/02/05 23:59"
)
_NUMERIC: Final = re.compile(r"([0-9]+)([/-])([0-9]+)\2([0-9]+)")
_LONG: Final = re.compile(r"([0-9]{1,2})\s+(\D+?)\s+([0-9]+)")
_TIME: Final = re.compile(r"([0-9]{1,2}):([0-9]{2})(?::([0-9]{2}))?")

# Spelling variants folded away before a month name is looked up.
_FOLD: Final = str.maketrans(
    {
        "ي": "ی",
        "ى": "ی",
        "ك": "ک",
        "آ": "ا",
        "أ": "ا",
        "إ": "ا",
        "\u200c": None,  # zero-width non-joiner
        "\u200d": None,  # zero-width joiner
        "\u0640": None,  # tatweel
        " ": None,
        **{chr(c): None for c in range(0x064B, 0x0660)},  # harakat
        "\u0670": None,  # superscript alef
    }
)


def _fold(name: str) -> str:
    key = name.translate(_FOLD).casefold()
    return key.removesuffix("ماه") or key


_MONTH_KEYS: Final[dict[str, int]] = {
    **{_fold(n): i for i, n in enumerate(MONTHS_FA, start=1)},
    **{_fold(n): i for i, n in enumerate(MONTHS_EN, start=1)},
    _fold("امرداد"): 5,
    "amordad": 5,
    "dei": 10,
}


def _clean(text: str) -> str:
    return " ".join(normalize_digits(text).split())


#: the Jalali years a date typed by a person may fall in (1921-2122)
PLAUSIBLE_YEARS: Final = range(1300, 1501)


def _plausible(year: int, original: str, field: str) -> None:
    """Refuse a year no date of this product falls in, most often a Gregorian one."""
    if year in PLAUSIBLE_YEARS:
        return
    hint = ""
    if 1900 <= year <= 2100:
        hint = f" (is this a Gregorian date? {year} is Jalali {year - 622}/{year - 621})"
    raise InvalidDate(
        field,
        original,
        f"a Jalali year from {PLAUSIBLE_YEARS.start} to {PLAUSIBLE_YEARS.stop - 1}{hint}",
    )


def _read_date(text: str, original: str, field: str) -> JalaliDate:
    if m := _NUMERIC.fullmatch(text):
        year_s, _, month_s, day_s = m.groups()
        if len(year_s) != 4:
            hint = "write the year first" if len(day_s) == 4 else "write the year with 4 digits"
            raise InvalidDate(field, original, f"{hint}, e.g. 1400/01/17")
        _plausible(int(year_s), original, field)
        return jalali_date(int(year_s), int(month_s), int(day_s), field=field)
    if m := _LONG.fullmatch(text):
        day_s, name, year_s = m.groups()
        month = _MONTH_KEYS.get(_fold(name))
        if month is None:
            known = "months are Farvardin..Esfand (فروردین..اسفند)"
            raise InvalidDate(field, original, f"unknown month {name!r}; {known}")
        if len(year_s) != 4:
            raise InvalidDate(field, original, "write the year with 4 digits, e.g. 17 فروردین 1400")
        _plausible(int(year_s), original, field)
        return jalali_date(int(year_s), month, int(day_s), field=field)
    raise InvalidDate(field, original, _ACCEPTED_DATES)


def parse_jalali_date(text: str, *, field: str = "date") -> JalaliDate:
    """The Jalali date written in ``text``; refused with :class:`InvalidDate` saying why.

    Accepted: ``1400/01/17``, ``1400-1-17`` (year first, with 4 digits), and
    ``17 فروردین 1400`` (also ``17 فروردین ماه 1400`` or ``17 Farvardin 1400``), in
    ASCII, Persian or Arabic-Indic digits, with surrounding blanks. Month names are
    matched across common spellings (ی/ي, ک/ك, آ/ا, with or without ZWNJ). A date
    that does not exist is refused with the rule it breaks (see :func:`jalali_date`):
    ``1404/12/30`` because 1404 is not a leap year; a year outside 1300..1500 is
    refused as implausible (``2026-11-22`` asks "is this a Gregorian date?").
    """
    return _read_date(_clean(text), text, field)


def parse_jalali_datetime(text: str, *, field: str = "time") -> datetime:
    """The instant written in ``text`` as Tehran wall time, returned as aware UTC.

    ``text`` is a date as :func:`parse_jalali_date` reads it, optionally followed by
    ``HH:MM`` or ``HH:MM:SS``. A bare date means the start of that day
    (:func:`start_of_day`). Daylight saving (Tehran until 1401):

    * a wall time that never happened, because the clocks jumped forward over it
      (``1400/01/02 00:30``: 00:00 became 01:00), is refused and the reason says so;
    * a wall time that happened twice, because the clocks went back
      (``1400/06/30 23:30``), means the first occurrence, still on daylight saving
      time (+04:30).
    """
    cleaned = _clean(text)
    date_part, _, time_part = cleaned.rpartition(" ")
    m = _TIME.fullmatch(time_part) if date_part else None
    if m is None:
        try:
            return start_of_day(_read_date(cleaned, text, field))
        except InvalidDate as e:
            if e.allowed == _ACCEPTED_DATES:
                raise InvalidDate(field, text, _ACCEPTED_TIMES) from None
            raise
    day = _read_date(date_part, text, field)
    hour, minute, second = (int(g) if g else 0 for g in m.groups())
    for unit, value, top in (("hour", hour, 23), ("minute", minute, 59), ("second", second, 59)):
        if value > top:
            raise InvalidDate(field, text, f"{unit} must be 0..{top}")
    g = to_gregorian(day)
    wall = datetime(g.year, g.month, g.day, hour, minute, second)
    instant = wall.replace(tzinfo=TEHRAN).astimezone(UTC)
    if instant.astimezone(TEHRAN).replace(tzinfo=None) != wall:
        raise InvalidDate(field, text, _gap_reason(wall, day))
    return instant


def _gap_reason(wall: datetime, day: JalaliDate) -> str:
    """Why the wall time ``wall`` (in a spring-forward gap) does not exist in Tehran."""
    # Reading the wall time with either offset brackets the jump; find it to the second.
    late = wall.replace(tzinfo=TEHRAN).astimezone(UTC)
    early = wall.replace(tzinfo=TEHRAN, fold=1).astimezone(UTC)
    low, high = min(early, late), max(early, late)
    before = low.astimezone(TEHRAN).utcoffset()
    while high - low > timedelta(seconds=1):
        middle = low + (high - low) / 2
        if middle.astimezone(TEHRAN).utcoffset() == before:
            low = middle
        else:
            high = middle
    jump = high.replace(microsecond=0)
    old = (jump - timedelta(seconds=1)).astimezone(TEHRAN) + timedelta(seconds=1)
    new = jump.astimezone(TEHRAN)
    return (
        f"{wall:%H:%M:%S} did not exist in Tehran on {format_date(day)}: "
        f"the clocks jumped from {old:%H:%M} to {new:%H:%M} for daylight saving"
    )
