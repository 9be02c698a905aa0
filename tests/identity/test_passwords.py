"""Tests of mohlat.identity.passwords (cheap argon2 costs: see conftest.py)."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from mohlat.errors import InvalidInput
from mohlat.identity.passwords import (
    MAX_PASSWORD_LENGTH,
    MIN_PASSWORD_LENGTH,
    check_new_password,
    configure,
    hash_password,
    needs_rehash,
    verify_password,
)

# hash_password("0499370899") with the library defaults (m=65536, t=3, p=4).
DEFAULT_COST_HASH = (
    "$argon2id$v=19$m=65536,t=3,p=4$f1FgRFMoV9nvPkXr2+fCBQ"
    "$OQXUpUVLSsEA4WOYrncnMWAmBskLVN8Y8eJlB0oRBbs"
)
# argon2i (not id) of "secret-pass" with m=8, t=1, p=1.
ARGON2I_HASH = (
    "$argon2i$v=19$m=8,t=1,p=1$L9Rttn93e0NBqvXXJmDOgg$8RnonB2WteMAKZfaQauK/Y7lVGErzHRXnm3N+V5e+yg"
)


# --- hashing -----------------------------------------------------------------------


def test_hash_then_verify_round_trips() -> None:
    stored = hash_password("correct horse battery")
    assert stored.startswith("$argon2id$")
    assert verify_password(stored, "correct horse battery")


def test_each_hash_has_its_own_salt() -> None:
    assert hash_password("correct horse battery") != hash_password("correct horse battery")


@pytest.mark.parametrize(
    "attempt",
    ["correct horse batterY", "correct horse battery ", "", "correct horse"],
    ids=["case", "trailing-space", "empty", "prefix"],
)
def test_wrong_password_is_false(attempt: str) -> None:
    assert verify_password(hash_password("correct horse battery"), attempt) is False


@pytest.mark.parametrize(
    ("stored_as", "typed"),
    [
        ("0499370899", "۰۴۹۹۳۷۰۸۹۹"),
        ("0499370899", "٠٤٩٩٣٧٠٨٩٩"),
        ("caf\u00e9-latte", "cafe\u0301-latte"),
        ("password", "ｐａｓｓｗｏｒｄ"),
    ],
    ids=["persian-digits", "arabic-indic-digits", "nfc-vs-nfd", "fullwidth"],
)
def test_the_same_text_typed_differently_verifies(stored_as: str, typed: str) -> None:
    assert verify_password(hash_password(stored_as), typed)
    assert verify_password(hash_password(typed), stored_as)


@pytest.mark.parametrize(
    "stored",
    [
        "",
        "x",
        "$argon2id$",
        "$argon2id$v=19$m=8,t=1,p=1$",
        "$argon2id$v=19$m=a,t=1,p=1$aaaa$bbbb",
        "$argon2id$v=19$m=8,t=1,p=1$c2FsdHNhbHQ$",
        "é$argon2id$",
        "$2b$12$R9h/cIPz0gi.URNNX3kh2OPST9/PgBkqquzi.Ss7KIUgO2t0jWMUW",
        DEFAULT_COST_HASH[:-5],
    ],
    ids=[
        "empty",
        "garbage",
        "header-only",
        "no-salt",
        "bad-number",
        "no-digest",
        "non-ascii",
        "bcrypt",
        "truncated",
    ],
)
def test_malformed_hash_is_false_never_an_error(stored: str) -> None:
    assert verify_password(stored, "0499370899") is False
    assert needs_rehash(stored) is True


def test_unencodable_password_is_false_at_login_and_refused_when_hashed() -> None:
    assert verify_password(hash_password("0499370899"), "\ud800") is False
    with pytest.raises(InvalidInput, match=r"'<hidden>' is not valid; .*UTF-8"):
        hash_password("abc\udcff")


def test_a_hash_made_with_other_costs_still_verifies() -> None:
    assert verify_password(DEFAULT_COST_HASH, "0499370899")
    assert verify_password(ARGON2I_HASH, "secret-pass")


# --- needs_rehash and configure ----------------------------------------------------


def test_needs_rehash_follows_the_configured_costs() -> None:
    cheap = hash_password("correct horse battery")
    assert needs_rehash(cheap) is False
    assert needs_rehash(DEFAULT_COST_HASH) is True
    assert needs_rehash(ARGON2I_HASH) is True
    configure()  # back to the library defaults; the fixture sets cheap costs again after
    assert needs_rehash(cheap) is True
    assert needs_rehash(DEFAULT_COST_HASH) is False


def test_configure_changes_the_costs_of_new_hashes() -> None:
    configure(time_cost=2, memory_cost=16, parallelism=2)
    assert "$m=16,t=2,p=2$" in hash_password("correct horse battery")


@pytest.mark.parametrize(
    "costs",
    [
        {"time_cost": 0},
        {"parallelism": 0},
        {"memory_cost": 8, "parallelism": 2},
    ],
    ids=["no-passes", "no-lanes", "too-little-memory"],
)
def test_configure_refuses_costs_argon2_cannot_use(costs: dict[str, int]) -> None:
    before = hash_password("correct horse battery")
    with pytest.raises(ValueError, match=r"argon2 needs time_cost >= 1"):
        configure(**costs)
    assert needs_rehash(before) is False  # the hasher in use did not change


# --- the policy for a new password -------------------------------------------------


@pytest.mark.parametrize(
    ("new", "national_id", "username", "message"),
    [
        ("Ab3$xyz", None, "ali", r"at least 8 characters$"),
        ("۱۲۳۴۵۶۷", None, "ali", r"at least 8 characters$"),
        ("Ab3$xyz!" * 40, None, "ali", r"at most 256 characters$"),
        ("zzzzzzzz", None, "ali", r"one character repeated$"),
        ("۷۷۷۷7777", None, "ali", r"one character repeated$"),
        ("0499370899", "0499370899", "0499370899", r"must not be the national ID$"),
        ("۰۴۹۹۳۷۰۸۹۹", "0499370899", "holder", r"must not be the national ID$"),
        ("0499370899", "۰۴۹۹۳۷۰۸۹۹", "holder", r"must not be the national ID$"),
        ("049-937089-9", "0499370899", "holder", r"must not be the national ID$"),
        ("Ali.Rezaei", None, "ali.rezaei", r"must not be the user name$"),
        ("ali.rezaei", "0499370899", "ALI.REZAEI", r"must not be the user name$"),
        ("pass\udcffword", None, "ali", r"UTF-8"),
    ],
    ids=[
        "short",
        "short-persian",
        "too-long",
        "one-character",
        "one-digit-two-scripts",
        "initial-password",
        "national-id-in-persian",
        "national-id-stored-in-persian",
        "national-id-with-dashes",
        "user-name-other-case",
        "user-name-upper",
        "lone-surrogate",
    ],
)
def test_new_password_refused(
    new: str, national_id: str | None, username: str, message: str
) -> None:
    with pytest.raises(InvalidInput, match=message) as caught:
        check_new_password(new, national_id=national_id, username=username)
    assert caught.value.field == "password"
    assert caught.value.value == "<hidden>"
    assert new not in str(caught.value)


@pytest.mark.parametrize(
    ("new", "national_id", "username"),
    [
        ("abcdefg1", "0499370899", "0499370899"),
        ("x" * (MAX_PASSWORD_LENGTH - 1) + "y", "0499370899", "holder"),
        ("0499370899", None, "region3.admin"),
        ("04993708990", "0499370899", "0499370899"),
        ("رمز عبور تازه", "0499370899", "0499370899"),
    ],
    ids=["exactly-minimum", "exactly-maximum", "digits-for-staff", "id-plus-digit", "persian"],
)
def test_new_password_accepted(new: str, national_id: str | None, username: str) -> None:
    assert len(new) >= MIN_PASSWORD_LENGTH
    check_new_password(new, national_id=national_id, username=username)


@given(st.text(max_size=300), st.text(max_size=12), st.one_of(st.none(), st.text(max_size=12)))
def test_policy_raises_only_invalid_input_and_never_shows_the_password(
    new: str, username: str, national_id: str | None
) -> None:
    try:
        check_new_password(new, national_id=national_id, username=username)
    except InvalidInput as error:
        assert type(error) is InvalidInput
        assert error.value == "<hidden>"
        assert str(error).startswith("password: '<hidden>' is not valid; a password ")


@given(st.text(max_size=40))  # st.text() leaves out lone surrogates
def test_any_password_round_trips(password: str) -> None:
    assert verify_password(hash_password(password), password)
