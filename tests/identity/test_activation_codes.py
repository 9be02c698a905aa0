"""Activation codes: random, unambiguous, grouped for reading, typed in any digits."""

from __future__ import annotations

from mohlat.identity import CODE_ALPHABET, format_code, new_activation_code, normalize_code


def test_a_code_is_ten_unambiguous_characters_in_two_groups() -> None:
    codes = {new_activation_code() for _ in range(200)}
    assert len(codes) == 200  # random, not a counter or a function of the account
    for code in codes:
        first, second = code.split("-")
        assert len(first) == len(second) == 5
        assert set(first + second) <= set(CODE_ALPHABET)
    assert not set("01OIL") & set(CODE_ALPHABET)


def test_what_a_holder_types_folds_to_the_code() -> None:
    assert normalize_code(" k7qx4 – m9trb ") == "K7QX4M9TRB"
    assert normalize_code("K۷QX۴-M٩TRB") == "K7QX4M9TRB"  # Persian and Arabic-Indic digits
    assert normalize_code("K7QX4\u200cM9TRB\u200f") == "K7QX4M9TRB"  # ZWNJ, RLM from a page
    assert format_code("k7qx4m9trb") == "K7QX4-M9TRB"
