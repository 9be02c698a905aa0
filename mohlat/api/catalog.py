"""Every operation: importing this module fills :data:`~mohlat.api.operations.OPERATIONS`."""

from __future__ import annotations

from mohlat.api import calendar, campaigns, cases, people
from mohlat.api.operations import OPERATIONS, Operation

__all__ = ["OPERATIONS", "find", "operations_markdown"]

_LOADED = (calendar, campaigns, cases, people)


def find(name: str) -> Operation:
    """The operation called ``name``."""
    return OPERATIONS[name]


_WHO = {
    "required": "a login",
    "optional": "anyone (more with a login)",
    "none": "anyone",
    "password_change": "a login, even one that must change its password",
}


def operations_markdown(prefix: str = "/api/v1") -> str:
    """Every operation as a Markdown table (the README's API section)."""
    lines = ["| method and path | operation | who | what |", "| --- | --- | --- | --- |"]
    for op in sorted(OPERATIONS.values(), key=lambda o: (o.path, o.method)):
        lines.append(
            f"| `{op.method} {prefix}{op.path}` | `{op.name}` | {_WHO[op.login.value]} "
            f"| {op.summary} |"
        )
    return "\n".join(lines)
