"""Numbers written in characters that look like digits are refused as input, not crashed on."""

from __future__ import annotations

import pytest
from support import World

from mohlat.calendars import read_whole_number
from mohlat.errors import CaseNotFound, InvalidInput
from mohlat.services.cases import show_case
from mohlat.services.due import parse_span


@pytest.mark.parametrize(
    ("text", "number"),
    [("42", 42), ("۴۲", 42), ("٤٢", 42), (" 7 ", 7), ("²", None), ("४२", None), ("-3", None),
     ("1" * 19, None), ("", None), ("4 2", None)],
    ids=["latin", "persian", "arabic-indic", "blanks", "superscript", "devanagari", "sign",
         "too-long", "empty", "inner-blank"],
)  # fmt: skip
def test_whole_numbers_in_the_three_digit_sets_only(text: str, number: int | None) -> None:
    assert read_whole_number(text) == number


@pytest.mark.parametrize("ref", ["²", "1" * 26, "४", "9" * 18], ids=["super", "26", "deva", "18"])
def test_a_case_named_by_odd_digits_is_not_found(world: World, ref: str) -> None:
    with pytest.raises(CaseNotFound):
        show_case(world.db, actor=World.admin, ref=ref, campaign="1400-2")


@pytest.mark.parametrize("span", ["99999999999d", "²d", "0d", "367d", "d", ""])
def test_a_span_out_of_range_or_in_odd_digits_is_refused(span: str) -> None:
    with pytest.raises(InvalidInput, match="within"):
        parse_span(span)


def test_a_span_in_persian_digits_is_read() -> None:
    assert parse_span("۳d").days == 3
