"""The rules typed text must follow, and the services that apply them."""

from __future__ import annotations

import pytest
from support import World, tehran

from mohlat.errors import Duplicate, InvalidInput
from mohlat.text_rules import clean_code, clean_name, clean_text, fold_username, staff_username


@pytest.mark.parametrize(
    ("typed", "code"),
    [("P00001", "P00001"), ("\u200fP00001", "P00001"), ("P۰۰۰۰۱", "P00001"), (" 1400-2 ", "1400-2"),
     ("۱۴۰۰-۲", "1400-2"), ("P0\u200b0001\ufeff", "P00001")],
    ids=["plain", "rtl-mark", "persian-digits", "blanks", "persian-campaign", "zero-width"],
)  # fmt: skip
def test_codes_that_look_alike_are_alike(typed: str, code: str) -> None:
    assert clean_code(typed, field="code") == code


@pytest.mark.parametrize("typed", ["", " ", "P 1", "P\x00", "دفتر", "-P1", "P" * 33])
def test_a_code_of_anything_else_is_refused(typed: str) -> None:
    with pytest.raises(InvalidInput, match="Latin letters, digits"):
        clean_code(typed, field="code")


def test_names_keep_persian_spelling_and_lose_invisible_marks() -> None:
    assert clean_name("  دفتر\u200cپیشخوان   مرکزی\u200f ", field="name", max_length=50) == (
        "دفتر\u200cپیشخوان مرکزی"
    )
    with pytest.raises(InvalidInput, match="control characters"):
        clean_name("office\x00", field="name", max_length=50)
    with pytest.raises(InvalidInput, match="at most 5 characters"):
        clean_name("office", field="name", max_length=5)
    with pytest.raises(InvalidInput, match="it is empty"):
        clean_name("\u200f ", field="name", max_length=5)


def test_free_text_keeps_its_lines_and_refuses_nul() -> None:
    assert clean_text(" first\nsecond ", field="reason", max_length=50) == "first\nsecond"
    with pytest.raises(InvalidInput, match="U\\+0000"):
        clean_text("a\x00b", field="reason", max_length=50)


@pytest.mark.parametrize(
    ("typed", "message"),
    [("", "3-32 characters"), (" ", "3-32 characters"), ("۰۰۱۲۳۴۵۶۷۹", "national IDs"),
     ("0012345679", "national IDs"), ("ab", "3-32 characters"), ("sup 3", "3-32 characters"),
     ("1sup", "starting with a letter"), ("مدیر", "Latin letters")],
    ids=["empty", "blank", "persian-national-id", "national-id", "short", "inner-blank",
         "digit-first", "persian"],
)  # fmt: skip
def test_staff_user_names_are_refused_with_the_rule(typed: str, message: str) -> None:
    with pytest.raises(InvalidInput, match=message):
        staff_username(typed)


def test_staff_user_names_are_case_folded() -> None:
    assert staff_username("ADMIN") == "admin" == fold_username("Admin\u200f")


def test_admin_and_ADMIN_are_one_account(world: World) -> None:
    from mohlat.services.accounts import add_user, login
    from mohlat.workflow.definition import Role

    at = tehran(1400, 1, 10, 9)
    add_user(world.db, actor=World.admin, username="Sup3", password="sup-pass-33",
             role=Role.SUPERVISOR, region=3, now=at)  # fmt: skip
    with pytest.raises(Duplicate):
        add_user(world.db, actor=World.admin, username="SUP3", password="sup-pass-33",
                 role=Role.SUPERVISOR, region=3, now=at)  # fmt: skip
    assert login(world.db, username="sUp3", password="sup-pass-33", now=at).name == "sup3"


def test_an_office_code_with_a_bidi_mark_is_the_same_office(world: World) -> None:
    from mohlat.identity import make_national_id
    from mohlat.services.offices import InvalidCsv, import_offices

    text = (
        "code,name,kind,region,province,national_id\n"
        f"\u200fP00001,Twin,pishkhan,1,province-1,{make_national_id('777123456')}\n"
    )
    with pytest.raises(InvalidCsv, match="line 2, code: office 'P00001' exists already"):
        import_offices(world.db, actor=World.admin, text=text, now=tehran(1400, 1, 10))


def test_an_existing_national_id_is_reported_at_its_line(world: World) -> None:
    from mohlat.services.offices import InvalidCsv, import_offices

    holder = world.office_actors[world.case_ids[0]].name
    text = (
        f"code,name,kind,region,province,national_id\nP09001,New,pishkhan,1,province-1,{holder}\n"
    )
    with pytest.raises(InvalidCsv, match=f"line 2, national_id: '{holder}' already has"):
        import_offices(world.db, actor=World.admin, text=text, now=tehran(1400, 1, 10))


def test_unknown_csv_columns_are_refused_not_dropped(world: World) -> None:
    from mohlat.services.offices import import_offices

    text = "code,name,kind,region,province,national_id,phone\n"
    with pytest.raises(InvalidInput, match="unknown: phone"):
        import_offices(world.db, actor=World.admin, text=text, now=tehran(1400, 1, 10))


def test_a_closure_for_a_province_no_office_is_in_is_refused(world: World) -> None:
    from mohlat.services.deadlines import add_closure

    with pytest.raises(InvalidInput, match="province: 'Atlantis' is not valid; a province of"):
        add_closure(world.db, actor=World.admin, now=tehran(1400, 1, 10), first_day="1400/02/01",
                    last_day=None, reason="storm", provinces=["Atlantis"])  # fmt: skip


def test_a_campaign_code_in_persian_digits_finds_the_campaign(world: World) -> None:
    from mohlat.services.campaigns import campaign_overview, create_campaign

    assert campaign_overview(world.db, actor=World.admin, code="۱۴۰۰-۲").campaign.code == "1400-2"
    with pytest.raises(Duplicate):
        create_campaign(world.db, actor=World.admin, now=tehran(1400, 1, 10), code="۱۴۰۰-۲",
                        title="again", first_day="1400/03/01", last_day="1400/03/20")  # fmt: skip


def test_a_reason_with_a_nul_byte_is_refused_before_the_database(world: World) -> None:
    from mohlat.services.deadlines import add_closure

    with pytest.raises(InvalidInput, match="control characters"):
        add_closure(world.db, actor=World.admin, now=tehran(1400, 1, 10), first_day="1400/02/01",
                    last_day=None, reason="air\x00pollution")  # fmt: skip
