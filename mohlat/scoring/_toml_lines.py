"""Finding the line of a key, table or array element in TOML text.

:mod:`tomllib` returns plain dicts without positions, so a rubric error found after
parsing is pointed at its line by looking for it in the text. This is best effort:
it understands ``[table]``, ``[[array-of-tables]]`` (with ``[table.sub]`` headers),
``key = value`` lines and elements of inline arrays and inline tables, which is how
rubrics are written; when the exact place cannot be found it falls back to the
enclosing table's line, or None.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

__all__ = ["Path", "find_line", "line_of_syntax_error"]

Path = tuple[str | int, ...]

_HEADER = re.compile(r"\s*(\[\[?)\s*([^\[\]#]+?)\s*\]\]?\s*(?:#.*)?$")
_SYNTAX_AT = re.compile(r"\(at line (\d+), column \d+\)")
_BLANK = " \t\r\n"
_CLOSERS = ",]}\n#"


@dataclass(frozen=True)
class _Header:
    index: int  # 0-based line index
    name: str
    array: bool


def line_of_syntax_error(message: str, text: str) -> int | None:
    """The line a :class:`tomllib.TOMLDecodeError` message names ("at end of document"
    is the last line)."""
    found = _SYNTAX_AT.search(message)
    if found:
        return int(found.group(1))
    if "at end of document" in message:
        return max(1, len(text.splitlines()))
    return None


def find_line(text: str, path: Path) -> int | None:
    """The 1-based line where ``path`` is written, e.g. ``("criterion", 2, "bands", 1)``
    is the second band of the third ``[[criterion]]``; None if it cannot be found."""
    lines = text.splitlines(keepends=True)
    headers = [_header(i, line) for i, line in enumerate(lines)]
    found_headers = [h for h in headers if h is not None]
    section: _Header | None = None
    rest = path
    if path and isinstance(path[0], str):
        if len(path) > 1 and isinstance(path[1], int):
            same = [h for h in found_headers if h.array and h.name == path[0]]
            if path[1] < len(same):
                section, rest = same[path[1]], path[2:]
        else:
            same = [h for h in found_headers if not h.array and h.name == path[0]]
            if same:
                section, rest = same[0], path[1:]
    if section is None and rest is path and path and isinstance(path[0], str):
        # a table that is not written as a header: look for ``name = ...`` at the top
        first = found_headers[0].index if found_headers else len(lines)
        return _find_key(lines, 0, first, path) or None
    if section is None:
        return None
    end = next(
        (
            h.index
            for h in found_headers
            if h.index > section.index and not h.name.startswith(section.name + ".")
        ),
        len(lines),
    )
    if not rest:
        return section.index + 1
    key = rest[0]
    if isinstance(key, str):
        for h in found_headers:
            if section.index < h.index < end and h.name == f"{section.name}.{key}":
                return h.index + 1
    return _find_key(lines, section.index + 1, end, rest) or section.index + 1


def _header(index: int, line: str) -> _Header | None:
    match = _HEADER.match(line)
    if match is None:
        return None
    name = ".".join(part.strip().strip("\"'") for part in match.group(2).split("."))
    return _Header(index, name, match.group(1) == "[[")


def _find_key(lines: list[str], begin: int, end: int, path: Path) -> int:
    """Line of ``path[0] = …`` between ``begin`` and ``end``, descending into its value
    for the rest of ``path``; 0 if the key is not there."""
    key = path[0]
    if not isinstance(key, str):
        return 0
    pattern = re.compile(rf"\s*(?:{re.escape(key)}|\"{re.escape(key)}\"|'{re.escape(key)}')\s*=")
    for index in range(begin, end):
        match = pattern.match(lines[index])
        if match is None:
            continue
        if len(path) == 1:
            return index + 1
        text = "".join(lines)
        start = sum(len(line) for line in lines[:index]) + match.end()
        return text.count("\n", 0, _descend(text, start, path[1:])) + 1
    return 0


def _skip_blank(text: str, pos: int) -> int:
    while pos < len(text):
        if text[pos] in _BLANK:
            pos += 1
        elif text[pos] == "#":
            newline = text.find("\n", pos)
            pos = len(text) if newline < 0 else newline
        else:
            break
    return pos


def _skip_string(text: str, pos: int) -> int:
    quote = text[pos]
    if text.startswith(quote * 3, pos):
        end = text.find(quote * 3, pos + 3)
        return len(text) if end < 0 else end + 3
    pos += 1
    while pos < len(text) and text[pos] not in (quote, "\n"):
        pos += 2 if quote == '"' and text[pos] == "\\" else 1
    return pos + 1


def _skip_value(text: str, pos: int) -> int:
    """Position just after the value starting at ``pos``."""
    if pos >= len(text):
        return pos
    if text[pos] in "\"'":
        return _skip_string(text, pos)
    if text[pos] in "[{":
        depth = 0
        while pos < len(text):
            char = text[pos]
            if char in "\"'":
                pos = _skip_string(text, pos)
                continue
            if char == "#":
                pos = _skip_blank(text, pos)
                continue
            pos += 1
            if char in "[{":
                depth += 1
            elif char in "]}":
                depth -= 1
                if depth == 0:
                    break
        return pos
    while pos < len(text) and text[pos] not in _CLOSERS:
        pos += 1
    return pos


def _next_item(text: str, pos: int) -> int:
    """Position of the next item of an inline array or table, past the comma."""
    pos = _skip_blank(text, pos)
    return _skip_blank(text, pos + 1) if text[pos : pos + 1] == "," else pos


def _descend(text: str, pos: int, path: Path) -> int:
    """Position of the element ``path`` names inside the value starting near ``pos``;
    as deep as it can be found."""
    pos = _skip_blank(text, pos)
    if not path or pos >= len(text):
        return pos
    step, opener = path[0], text[pos]
    if opener == "[" and isinstance(step, int):
        at, index = _skip_blank(text, pos + 1), 0
        while at < len(text) and text[at] != "]":
            if index == step:
                return _descend(text, at, path[1:])
            after = _next_item(text, _skip_value(text, at))
            if after <= at:
                break
            at, index = after, index + 1
    elif opener == "{" and isinstance(step, str):
        at = _skip_blank(text, pos + 1)
        while at < len(text) and text[at] != "}":
            equals = text.find("=", at)
            if equals < 0:
                break
            if text[at:equals].strip().strip("\"'") == step:
                return _descend(text, equals + 1, path[1:])
            after = _next_item(text, _skip_value(text, _skip_blank(text, equals + 1)))
            if after <= at:
                break
            at = after
    return pos
