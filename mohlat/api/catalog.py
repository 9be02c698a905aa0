"""Every operation: importing this module fills :data:`~mohlat.api.operations.OPERATIONS`."""

from __future__ import annotations

from mohlat.api import calendar, campaigns, cases, people
from mohlat.api.operations import OPERATIONS, Operation

__all__ = ["OPERATIONS", "find"]

_LOADED = (calendar, campaigns, cases, people)


def find(name: str) -> Operation:
    """The operation called ``name``."""
    return OPERATIONS[name]
