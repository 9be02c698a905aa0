"""Tests of mohlat.identity.national_id."""

from __future__ import annotations

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from mohlat.errors import InvalidInput, InvalidNationalId
from mohlat.identity.national_id import (
    is_valid_national_id,
    make_national_id,
    normalize_national_id,
    validate_national_id,
)

PERSIAN = str.maketrans("0123456789", "۰۱۲۳۴۵۶۷۸۹")
ARABIC_INDIC = str.maketrans("0123456789", "٠١٢٣٤٥٦٧٨٩")


def remainder(digits: str) -> int:
    """r = (d0*10 + d1*9 + ... + d8*2) mod 11, straight from the definition."""
    return sum(int(d) * (10 - i) for i, d in enumerate(digits[:9])) % 11


def passes_checksum(code: str) -> bool:
    """The checksum rule as the brief states it, as an oracle independent of the module."""
    r = remainder(code)
    d9 = int(code[9])
    return (r < 2 and d9 == r) or (r >= 2 and d9 == 11 - r)


digits9 = st.text(alphabet="0123456789", min_size=9, max_size=9)
prefixes = digits9.filter(lambda p: len(set(p)) > 1)


# --- known codes, computed by hand ------------------------------------------------


@pytest.mark.parametrize(
    "code",
    [
        # 0*10+4*9+9*8+9*7+3*6+7*5+0*4+8*3+9*2 = 266; 266 mod 11 = 2; 11-2 = 9
        "0499370899",
        # 0+0+1*8+2*7+3*6+4*5+5*4+6*3+7*2 = 112; 112 mod 11 = 2; check 9
        "0012345679",
        # 1*10+2*9+3*8+4*7+5*6+6*5+7*4+8*3+9*2 = 210; 210 mod 11 = 1; check 1
        "1234567891",
        # 1*10+2*9+3*8+4*7+5*6+6*5+7*4+8*3+8*2 = 208; 208 mod 11 = 10; check 11-10 = 1
        "1234567881",
        # 1*10+6*2 = 22; 22 mod 11 = 0; check 0
        "1000000060",
        # 0+0+6*8+7*7+7*6+4*5+9*4+8*3+2*2 = 223; 223 mod 11 = 3; check 8
        "0067749828",
    ],
    ids=["r2-leading-zero", "r2-tehran", "r1", "r10", "r0", "r3"],
)
def test_known_valid_codes(code: str) -> None:
    assert validate_national_id(code) == code
    assert is_valid_national_id(code)
    assert passes_checksum(code)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("۰۴۹۹۳۷۰۸۹۹", "0499370899"),
        ("٠٤٩٩٣٧٠٨٩٩", "0499370899"),
        ("۰۴۹9370٨٩٩", "0499370899"),
        ("049-937089-9", "0499370899"),
        ("049–937089–9", "0499370899"),
        ("  0499 370 899\n", "0499370899"),
        ("\u200f۰۴۹۹۳۷۰۸۹۹\u200e", "0499370899"),
        ("0499\u00a0370899", "0499370899"),
    ],
    ids=[
        "persian",
        "arabic-indic",
        "mixed-scripts",
        "dashes",
        "en-dashes",
        "spaces-newline",
        "bidi-marks",
        "no-break-space",
    ],
)
def test_other_scripts_and_separators_are_accepted(text: str, expected: str) -> None:
    assert validate_national_id(text) == expected


def test_normalize_only_normalizes() -> None:
    assert normalize_national_id(" ۱۲-۳x ") == "123x"
    assert normalize_national_id("") == ""


# --- refusals ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("0499370898", r"check digit: the last digit should be 9, not 8"),
        ("۰۴۹۹۳۷۰۸۹۰", r"should be 9, not 0"),
        ("1234567890", r"should be 1, not 0"),
        ("1000000061", r"should be 0, not 1"),
    ],
    ids=["ascii", "persian", "r1", "r0"],
)
def test_wrong_check_digit_names_the_expected_one(text: str, message: str) -> None:
    with pytest.raises(InvalidNationalId, match=message):
        validate_national_id(text)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("12345", r"has 10 digits; 5 were given$"),
        ("04993708991", r"has 10 digits; 11 were given$"),
        ("1234567", r"has 10 digits; 7 were given$"),
        ("", r"has 10 digits; none were given$"),
        (" - \u200f ", r"none were given$"),
    ],
    ids=["five", "eleven", "seven", "empty", "only-separators"],
)
def test_wrong_length_says_how_many(text: str, message: str) -> None:
    with pytest.raises(InvalidNationalId, match=message):
        validate_national_id(text)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            "12345679",
            r"8 were given; if it begins with zeros, write them: did you mean '0012345679'",
        ),
        (
            "۴۹۹۳۷۰۸۹۹",
            r"9 were given; if it begins with zeros, write them: did you mean '0499370899'",
        ),
        ("499370898", r"9 were given$"),
    ],
    ids=["eight-digits-hint", "nine-persian-hint", "nine-no-valid-padding"],
)
def test_eight_or_nine_digits_are_refused_by_default(text: str, message: str) -> None:
    with pytest.raises(InvalidNationalId, match=message):
        validate_national_id(text)


@pytest.mark.parametrize(
    ("text", "expected"),
    [("12345679", "0012345679"), ("۴۹۹۳۷۰۸۹۹", "0499370899"), ("0499370899", "0499370899")],
    ids=["eight", "nine-persian", "ten-unchanged"],
)
def test_pad_short_pads_eight_or_nine_digits(text: str, expected: str) -> None:
    assert validate_national_id(text, pad_short=True) == expected


@pytest.mark.parametrize(
    ("text", "message"),
    [("1234567", r"7 were given"), ("499370898", r"should be 9, not 8$")],
    ids=["seven-still-refused", "padded-still-checked"],
)
def test_pad_short_still_checks_the_rest(text: str, message: str) -> None:
    with pytest.raises(InvalidNationalId, match=message):
        validate_national_id(text, pad_short=True)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("04993708a9", r"has only digits; found 'a'$"),
        ("0499.370.899", r"found '\.'$"),
        ("abcdefghij", r"found 'a', 'b', 'c', 'd', 'e', …$"),
        ("०४९९३७०८९९", r"found '०', '४', '९', '३', '७', …$"),
        ("049937089²", r"found '²'$"),
    ],
    ids=["letter", "dots", "many-named-five", "devanagari-digits", "superscript"],
)
def test_non_digits_are_named(text: str, message: str) -> None:
    with pytest.raises(InvalidNationalId, match=message):
        validate_national_id(text)


@pytest.mark.parametrize("digit", "0123456789", ids=lambda d: f"{d}x10")
def test_one_digit_repeated_is_refused_though_it_passes_the_checksum(digit: str) -> None:
    code = digit * 10
    assert passes_checksum(code)
    with pytest.raises(InvalidNationalId, match=r"never one digit repeated$"):
        validate_national_id(code)
    with pytest.raises(InvalidNationalId, match=r"never one digit repeated$"):
        validate_national_id(code.translate(PERSIAN))


def test_error_keeps_field_and_text_as_given() -> None:
    with pytest.raises(InvalidNationalId) as caught:
        validate_national_id("۰۴۹۹۳۷۰۸۹۰", field="holder_national_id")
    assert caught.value.field == "holder_national_id"
    assert caught.value.value == "۰۴۹۹۳۷۰۸۹۰"
    assert str(caught.value).startswith("holder_national_id: '۰۴۹۹۳۷۰۸۹۰' is not valid; ")
    assert isinstance(caught.value, InvalidInput)
    assert isinstance(caught.value, ValueError)


@pytest.mark.parametrize(
    ("text", "valid"),
    [("0499370899", True), ("٠٤٩٩٣٧٠٨٩٩", True), ("0499370898", False), ("", False)],
    ids=["valid", "valid-arabic-indic", "bad-check-digit", "empty"],
)
def test_is_valid_national_id(text: str, valid: bool) -> None:
    assert is_valid_national_id(text) is valid


# --- make_national_id --------------------------------------------------------------


@pytest.mark.parametrize(
    ("prefix", "expected"),
    [("049937089", "0499370899"), ("۱۲۳۴۵۶۷۸۹", "1234567891"), ("100000006", "1000000060")],
    ids=["ascii", "persian", "r0"],
)
def test_make_national_id_completes_the_check_digit(prefix: str, expected: str) -> None:
    assert make_national_id(prefix) == expected


@pytest.mark.parametrize(
    ("prefix", "message"),
    [
        ("12345678", r"exactly 9 digits are needed$"),
        ("1234567890", r"exactly 9 digits are needed$"),
        ("12345678x", r"exactly 9 digits are needed$"),
        ("777777777", r"one digit repeated"),
    ],
    ids=["eight", "ten", "letter", "repeated"],
)
def test_make_national_id_refuses_bad_prefixes(prefix: str, message: str) -> None:
    with pytest.raises(InvalidInput, match=message) as caught:
        make_national_id(prefix)
    assert caught.value.field == "prefix9"


# --- properties --------------------------------------------------------------------


@given(prefixes)
def test_make_then_validate_round_trips(prefix: str) -> None:
    code = make_national_id(prefix)
    assert code[:9] == prefix
    assert validate_national_id(code) == code
    assert validate_national_id(code.translate(PERSIAN)) == code
    assert validate_national_id(code.translate(ARABIC_INDIC)) == code


@given(st.text(alphabet="0123456789", min_size=10, max_size=10))
def test_validity_matches_the_stated_rule(code: str) -> None:
    assert is_valid_national_id(code) == (passes_checksum(code) and len(set(code)) > 1)


_NEAR_MISSES = st.text(
    alphabet=st.sampled_from(list("0123456789۰۱۲۳۴۵۶۷۸۹٠١٢٣٤٥٦٧٨٩ -–\u200fx.०²")),
    max_size=14,
)


@given(st.one_of(st.text(), _NEAR_MISSES))
@example("\ud800")
@example("0" * 10_000)
def test_any_text_gives_a_code_or_invalid_national_id(text: str) -> None:
    try:
        code = validate_national_id(text)
    except InvalidNationalId as error:
        assert error.value == text
        assert str(error)
    else:
        assert len(code) == 10
        assert code.isascii()
        assert code.isdigit()
        assert passes_checksum(code)
        assert is_valid_national_id(text)


@given(prefixes, st.integers(min_value=0, max_value=9), st.integers(min_value=1, max_value=9))
def test_one_changed_digit_is_caught_unless_r_swaps_between_1_and_10(
    prefix: str, position: int, shift: int
) -> None:
    # The true property (the naive "always caught" is false): a change to d9 is always
    # caught; a change to d0..d8 always changes r, since 11 is prime and neither the weight
    # (2..10) nor the change (±1..9) is a multiple of it; but r = 1 and r = 10 share check
    # digit 1, so a change that moves r between them leaves the code valid.
    code = make_national_id(prefix)
    digit = (int(code[position]) + shift) % 10
    changed = code[:position] + str(digit) + code[position + 1 :]
    if position == 9:
        assert not is_valid_national_id(changed)
        return
    assert remainder(changed) != remainder(code)
    undetected = {remainder(code), remainder(changed)} == {1, 10} and len(set(changed)) > 1
    assert is_valid_national_id(changed) == undetected


def test_a_single_digit_typo_the_checksum_cannot_see() -> None:
    # d8: 9 -> 8 lowers s by 2, moving r from 1 to 10; both give check digit 1.
    assert remainder("1234567891") == 1
    assert remainder("1234567881") == 10
    assert is_valid_national_id("1234567891")
    assert is_valid_national_id("1234567881")
