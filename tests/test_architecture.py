"""The layering, checked by machines: the import-linter contracts of pyproject.toml
hold, and each one fails when a forbidden import is added to a copy of the package."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).parent.parent
LINT_IMPORTS = Path(sys.executable).parent / "lint-imports"

pytestmark = pytest.mark.skipif(not LINT_IMPORTS.exists(), reason="import-linter not installed")


def _lint(root: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(root)}
    return subprocess.run(
        [str(LINT_IMPORTS), "--no-cache", "--config", str(root / "pyproject.toml")],
        capture_output=True,
        text=True,
        cwd=root,
        env=env,
        check=False,
    )


@pytest.fixture
def copy(tmp_path: Path) -> Path:
    shutil.copytree(ROOT / "mohlat", tmp_path / "mohlat", ignore=shutil.ignore_patterns("*.pyc"))
    shutil.copy(ROOT / "pyproject.toml", tmp_path / "pyproject.toml")
    return tmp_path


def test_the_contracts_hold(copy: Path) -> None:
    result = _lint(copy)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "0 broken" in result.stdout


@pytest.mark.parametrize(
    ("module", "line", "contract"),
    [
        ("workflow/engine.py", "import sqlalchemy", "The pure core"),
        ("scoring/score.py", "from mohlat.clock import SystemClock", "The pure core"),
        ("services/sweep.py", "from mohlat.store._dialect import among_ids", "Private modules"),
        ("cli.py", "from mohlat.store import queries", "The front ends"),
        ("commands/reading.py", "import sqlmodel", "The front ends"),
        ("demo.py", "from mohlat.store import Database", "The front ends"),
        ("views.py", "from mohlat.services import cases", "What front ends show"),
    ],
    ids=[
        "core-sqlalchemy",
        "core-clock",
        "private-store",
        "cli-store",
        "commands-sqlmodel",
        "demo-store",
        "views-services",
    ],
)
def test_a_forbidden_import_breaks_its_contract(
    copy: Path, module: str, line: str, contract: str
) -> None:
    path = copy / "mohlat" / module
    path.write_text(path.read_text(encoding="utf-8") + f"\n{line}  # noqa\n", encoding="utf-8")
    result = _lint(copy)
    assert result.returncode == 1, result.stdout + result.stderr
    broken = result.stdout.split("Broken contracts", 1)[-1]
    assert contract in broken
