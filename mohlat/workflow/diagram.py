"""The workflow's state diagram, drawn from the declaration as mermaid text.

:func:`mermaid` turns the transitions of :mod:`mohlat.workflow.definition` into a
``stateDiagram-v2``: one arrow per row (an internal transition is a self-loop), its
label the trigger, its guard in brackets, ``(automatic)`` for an action no person
takes. The README carries it between :data:`START` and :data:`END`; a test checks
it is current. Regenerate with ``python -m mohlat.workflow.diagram --readme README.md``
(without ``--readme`` it prints the diagram).
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

from mohlat.workflow.definition import (
    ACTIONS,
    STATES,
    TERMINAL_STATES,
    TRANSITIONS,
    ActionRule,
    State,
)

__all__ = ["END", "START", "mermaid", "readme_diagram", "with_diagram"]

#: the markers around the diagram in the README
START = "<!-- workflow-diagram:start -->"
END = "<!-- workflow-diagram:end -->"


def mermaid(
    transitions: Iterable[Mapping[str, Any]] = TRANSITIONS,
    actions: Mapping[str, ActionRule] = ACTIONS,
    *,
    initial: State = State.DECLARING,
    terminal: Iterable[State] = TERMINAL_STATES,
) -> str:
    """The declared workflow as a mermaid ``stateDiagram-v2``, one arrow per transition."""
    lines = ["stateDiagram-v2", f"    [*] --> {initial.value}"]
    for row in transitions:
        source = State(row["source"])
        dest = State(row["dest"]) if row.get("dest") is not None else source
        lines.append(f"    {source.value} --> {dest.value}: {_label(row, actions)}")
    ends = set(terminal)
    lines.extend(f"    {state.value} --> [*]" for state in STATES if state in ends)
    return "\n".join(lines) + "\n"


def _label(row: Mapping[str, Any], actions: Mapping[str, ActionRule]) -> str:
    trigger = str(row["trigger"])
    guards = [*_names(row.get("conditions")), *(f"not {g}" for g in _names(row.get("unless")))]
    label = trigger + (f" [{' and '.join(guards)}]" if guards else "")
    rule = actions.get(trigger)
    return label + (" (automatic)" if rule is not None and rule.by_scheduler_only else "")


def _names(guards: str | Sequence[str] | None) -> list[str]:
    if guards is None:
        return []
    return [guards] if isinstance(guards, str) else list(guards)


def _block(diagram: str) -> str:
    return f"{START}\n```mermaid\n{diagram}```\n{END}"


def readme_diagram(readme: str) -> str | None:
    """The diagram between the README's markers, or None if it has none."""
    start, end = readme.find(START), readme.find(END)
    if start < 0 or end < start:
        return None
    block = readme[start : end + len(END)]
    prefix, suffix = f"{START}\n```mermaid\n", f"```\n{END}"
    if not (block.startswith(prefix) and block.endswith(suffix)):
        return None
    return block[len(prefix) : -len(suffix)]


def with_diagram(readme: str, diagram: str) -> str:
    """``readme`` with the text between its markers replaced by ``diagram``."""
    start, end = readme.find(START), readme.find(END)
    if start < 0 or end < start:
        raise ValueError(f"the README has no {START} … {END} section")
    return readme[:start] + _block(diagram) + readme[end + len(END) :]


def main(argv: Sequence[str] | None = None) -> None:
    """Print the diagram, or write it into a README's marked section."""
    parser = argparse.ArgumentParser(prog="python -m mohlat.workflow.diagram")
    parser.add_argument("--readme", type=Path, help="rewrite this README's diagram section")
    args = parser.parse_args(argv)
    diagram = mermaid()
    if args.readme is None:
        sys.stdout.write(diagram)
        return
    text = args.readme.read_text(encoding="utf-8")
    args.readme.write_text(with_diagram(text, diagram), encoding="utf-8")


if __name__ == "__main__":
    main()
