"""The state diagram is drawn from the declaration, and the README's copy is current."""

from __future__ import annotations

from pathlib import Path

import pytest

from mohlat.workflow.definition import TRANSITIONS, State
from mohlat.workflow.diagram import END, START, main, mermaid, readme_diagram, with_diagram

README = Path(__file__).resolve().parents[2] / "README.md"


def test_the_readme_shows_the_diagram_of_the_current_declaration() -> None:
    """Fails when the declaration changed and the README was not redrawn:
    run `python -m mohlat.workflow.diagram --readme README.md`."""
    assert readme_diagram(README.read_text(encoding="utf-8")) == mermaid()


def test_each_transition_is_an_arrow_with_its_trigger_and_guard() -> None:
    lines = mermaid().splitlines()
    assert lines[:2] == ["stateDiagram-v2", "    [*] --> declaring"]
    assert "    declaring --> lapsed: close_window [not declared] (automatic)" in lines
    assert "    ranked --> appealed: appeal [published]" in lines
    assert "    appealed --> appealed: escalate (automatic)" in lines  # internal: a self-loop
    assert lines[-2:] == ["    final --> [*]", "    lapsed --> [*]"]
    assert len([line for line in lines if ": " in line]) == len(TRANSITIONS)


def test_a_changed_declaration_draws_a_different_diagram() -> None:
    rows = [
        {**t, "dest": State.FINAL} if t["trigger"] == "close_review" else t for t in TRANSITIONS
    ]
    drawn = mermaid(rows)
    assert drawn != mermaid()
    assert "    regional_review --> final: close_review (automatic)" in drawn.splitlines()


def test_the_readme_section_is_replaced_between_its_markers() -> None:
    text = f"intro\n{START}\nold\n{END}\nrest\n"
    redrawn = with_diagram(text, "stateDiagram-v2\n")
    assert redrawn == f"intro\n{START}\n```mermaid\nstateDiagram-v2\n```\n{END}\nrest\n"
    assert readme_diagram(redrawn) == "stateDiagram-v2\n"
    assert readme_diagram("no markers") is None
    with pytest.raises(ValueError, match="no <!-- workflow-diagram:start -->"):
        with_diagram("no markers", "x")


def test_the_command_prints_or_rewrites_the_readme(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    main([])
    assert capsys.readouterr().out == mermaid()
    readme = tmp_path / "README.md"
    readme.write_text(f"# x\n{START}\n{END}\n", encoding="utf-8")
    main(["--readme", str(readme)])
    assert readme_diagram(readme.read_text(encoding="utf-8")) == mermaid()
