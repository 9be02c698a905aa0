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


@pytest.mark.parametrize(
    ("call", "field"),
    [
        ("user", "user name"),
        ("office", "name"),
        ("campaign", "code"),
        ("reason", "reason"),
        ("nul-reason", "reason"),
    ],
    ids=["user-name-too-long", "office-name-too-long", "campaign-code-too-long",
         "reason-too-long", "nul-in-reason"],
)  # fmt: skip
def test_over_long_and_nul_values_are_refused_before_the_database(
    world: World, call: str, field: str
) -> None:
    """The same answer on SQLite (which would store them) and PostgreSQL (which would
    fail with a DataError)."""
    from support import tehran

    from mohlat.identity import make_national_id
    from mohlat.services.accounts import add_user
    from mohlat.services.campaigns import create_campaign
    from mohlat.services.deadlines import add_closure
    from mohlat.services.offices import InvalidCsv, import_offices
    from mohlat.workflow.definition import Role

    at = tehran(1400, 1, 10)
    with pytest.raises(InvalidInput, match=field):
        if call == "user":
            add_user(world.db, actor=World.admin, username="s" * 70, password="sup-pass-99",
                     role=Role.SUPERVISOR, region=1, now=at)  # fmt: skip
        elif call == "office":
            holder = make_national_id("313131313")
            text = (
                "code,name,kind,region,province,national_id\n"
                f"P07777,{'n' * 300},pishkhan,1,province-1,{holder}\n"
            )
            try:
                import_offices(world.db, actor=World.admin, text=text, now=at)
            except InvalidCsv as exc:
                assert "line 2, name" in str(exc)
                raise InvalidInput("name", "…", str(exc)) from None
        elif call == "campaign":
            create_campaign(world.db, actor=World.admin, now=at, code="c" * 80, title="t",
                            first_day="1400/03/01", last_day="1400/03/10")  # fmt: skip
        else:
            reason = "air\x00pollution" if call == "nul-reason" else "r" * 600
            add_closure(world.db, actor=World.admin, now=at, first_day="1400/02/01",
                        last_day=None, reason=reason)  # fmt: skip
