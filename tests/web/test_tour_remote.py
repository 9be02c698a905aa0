"""The README's tour, run twice: every command in process, then every person's command
through a local ``mohlat serve``; what the two print is the same.

Only what differs between any two runs is masked: the activation code (random), the
real clock's instants (each run happens at its own time) and the time left before a
deadline. Every deadline (the end of a day, 23:59:59) and every message stays as is.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

pytestmark = [
    pytest.mark.skipif(shutil.which("bash") is None, reason="the tour is a bash script"),
    pytest.mark.skipif(
        bool(os.environ.get("MOHLAT_TEST_DB")), reason="the tour makes its own SQLite file"
    ),
]

_CODE = re.compile(r"\b[A-Z0-9]{5}-[A-Z0-9]{5}\b")
#: an instant of the real clock: any time of day but the end of one
_INSTANT = re.compile(r"\b\d{4}/\d\d/\d\d (?!23:59:59)\d\d:\d\d:\d\d\b")
_TIME_LEFT = re.compile(r"\b\d+d \d+h \d+m\b")


def _masked(text: str) -> str:
    text = _CODE.sub("CODE", text)
    text = _INSTANT.sub("INSTANT", text)
    return _TIME_LEFT.sub("TIME-LEFT", text)


def _start_tour(*flags: str) -> subprocess.Popen[str]:
    env = {**os.environ, "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}"}
    env.pop("MOHLAT_SERVER", None)
    return subprocess.Popen(
        ["bash", str(ROOT / "examples" / "tour.sh"), *flags],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def _printed(tour: subprocess.Popen[str]) -> str:
    out, err = tour.communicate(timeout=600)
    assert out.startswith("$ "), err  # (its last command fails on purpose)
    return _masked(out)


def test_the_tour_prints_the_same_through_a_server() -> None:
    direct, remote = _start_tour(), _start_tour("--remote")  # side by side: two files
    printed = _printed(direct)
    assert "declare: case 1 (P10101) is now declaring" in printed
    assert _printed(remote).splitlines() == printed.splitlines()
