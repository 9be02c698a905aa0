"""Finding a key's line in TOML text, for rubric errors (best effort, but these must work)."""

from __future__ import annotations

import pytest

from mohlat.scoring._toml_lines import Path, find_line, line_of_syntax_error

TEXT = """\
# a comment with [brackets] and key = "value"
[rubric]
name = "x, {y}"

[[criterion]]
code = "a"

[[criterion]]
code = "b"   # the second
bands = [
    { min = 0, max = 9, points = 1 },  # a "quoted, {tricky}" comment
    { label = "a, }b", min = 10,
      points = 2 },
]

[criterion.choices]
city = 8

[ranking]
tie_breakers = ["total",
  "office_code"]
"""


@pytest.mark.parametrize(
    ("path", "line"),
    [
        (("rubric",), 2),
        (("rubric", "name"), 3),
        (("rubric", "missing"), 2),
        (("criterion", 0, "code"), 6),
        (("criterion", 1, "code"), 9),
        (("criterion", 1, "bands"), 10),
        (("criterion", 1, "bands", 0), 11),
        (("criterion", 1, "bands", 1, "min"), 12),
        (("criterion", 1, "bands", 1, "points"), 13),
        (("criterion", 1, "choices"), 16),
        (("criterion", 2, "code"), None),
        (("ranking", "tie_breakers", 1), 21),
        (("nowhere",), None),
    ],
    ids=[
        "table",
        "key",
        "missing-key-gives-table",
        "first-array-table",
        "second-array-table",
        "inline-array",
        "inline-array-element",
        "key-in-inline-table",
        "key-on-continued-line",
        "sub-table-header",
        "no-such-array-table",
        "array-element-on-next-line",
        "no-such-table",
    ],
)
def test_find_line(path: Path, line: int | None) -> None:
    assert find_line(TEXT, path) == line


def test_inline_array_of_tables_at_the_top() -> None:
    text = 'criterion = [\n  { code = "a" },\n  { code = "b", input = "x" },\n]\n[rubric]\n'
    assert find_line(text, ("criterion", 1, "input")) == 3


@pytest.mark.parametrize(
    ("message", "line"),
    [
        ("Invalid value (at line 7, column 3)", 7),
        ("Unterminated string (at end of document)", 3),
        ("something else", None),
    ],
    ids=["line", "end-of-document", "unknown"],
)
def test_line_of_syntax_error(message: str, line: int | None) -> None:
    assert line_of_syntax_error(message, "a\nb\nc\n") == line
