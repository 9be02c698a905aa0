"""The command line's parameter types: whole numbers in any digits, NAME=VALUE pairs.

A whole-number option accepts Latin (0-9), Persian (۰-۹) and Arabic-Indic (٠-٩)
digits and checks its range; a bad value is one line naming the option, exit 2.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from mohlat.calendars import normalize_digits
from mohlat.errors import BAD_INPUT_EXIT, InvalidInput, MohlatError

__all__ = ["BadOption", "pairs", "whole_number"]


class BadOption(MohlatError):
    """An option's value is not acceptable: names the option, the value, what is allowed.

    Not a :class:`ValueError` (unlike :class:`~mohlat.errors.InvalidInput`, whose
    message it carries), so Typer's parser lets it reach the CLI's one error handler.
    """

    exit_code = BAD_INPUT_EXIT

    def __init__(self, option: str, value: object, allowed: str) -> None:
        self.option = option
        super().__init__(str(InvalidInput(option, value, allowed)))


def whole_number(option: str, low: int, high: int) -> Callable[[str | int], int]:
    """A parser for ``option``: a whole number from ``low`` to ``high``, in any digits."""

    def parse(value: str | int) -> int:
        if isinstance(value, int):  # a default
            return value
        text = normalize_digits(value).strip()
        body = text.removeprefix("-")
        if not (body.isascii() and body.isdigit()) or not low <= int(text) <= high:
            raise BadOption(option, value, f"a whole number from {low} to {high}")
        return int(text)

    return parse


def pairs(items: Sequence[str] | None, option: str) -> dict[str, str]:
    """``NAME=VALUE`` items as a dict; :class:`BadOption` for an item without a name."""
    found: dict[str, str] = {}
    for item in items or []:
        name, sep, value = item.partition("=")
        if not sep or not name.strip():
            raise BadOption(option, item, "NAME=VALUE")
        found[name.strip()] = value.strip()
    return found
