"""How cases, counts and timelines are shown in the terminal (Rich tables)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import TYPE_CHECKING, Any

from rich import box
from rich.console import Group
from rich.table import Table
from rich.text import Text

from mohlat.calendars import format_date_long, format_instant, tehran_date

if TYPE_CHECKING:
    from mohlat.views import CaseSummary

__all__ = [
    "case_table",
    "num",
    "region_state_table",
    "score_table",
    "timeline_table",
    "use_persian_digits",
    "when",
]


_settings = {"fa": False}


def use_persian_digits(on: bool) -> None:
    """Show dates with Persian digits from now on (the CLI's ``--fa``)."""
    _settings["fa"] = on


def when(instant: datetime | None) -> str:
    """An instant as Jalali date and Tehran time, or a dash; with ``--fa``, the Persian
    month name and Persian digits (۵ اردیبهشت ۱۴۰۰ ۲۳:۵۹:۵۹)."""
    if instant is None:
        return "-"
    if not _settings["fa"]:
        return format_instant(instant)
    clock = format_instant(instant, fa=True).split(" ", 1)[1]
    return f"{format_date_long(tehran_date(instant), fa=True)} {clock}"


def num(value: float | None) -> str:
    """A score as short text."""
    return "-" if value is None else f"{value:g}"


def case_table(rows: Sequence[CaseSummary], title: str) -> Table:
    """Cases as a table."""
    table = Table(title=title, title_justify="left")
    for column in (
        "case",
        "office",
        "kind",
        "region",
        "province",
        "state",
        "total",
        "grade",
        "rank",
    ):
        table.add_column(column, justify="right" if column in ("case", "total", "rank") else "left")
    for c in rows:
        state = c.state + (" (escalated)" if c.escalated else "")
        table.add_row(
            str(c.id),
            c.office,
            c.kind,
            str(c.region),
            c.province,
            state,
            num(c.final_total if c.final_total is not None else c.total),
            c.final_grade or c.grade or "-",
            str(c.position_national) if c.position_national else "-",
        )
    return table


_SHORT = {"regional_review": "review", "correction_referral": "correction"}


def region_state_table(counts: Sequence[tuple[int, str, int]], title: str) -> Table:
    """A table of case counts: one row per region, one column per state."""
    from mohlat.workflow.definition import STATES

    table = Table(
        title=title,
        title_justify="left",
        box=box.SIMPLE_HEAD,
        pad_edge=False,
        collapse_padding=True,
    )
    table.add_column("region", justify="right")
    states = [s.value for s in STATES]
    for s in states:
        table.add_column(_SHORT.get(s, s), justify="right", min_width=len(_SHORT.get(s, s)))
    table.add_column("total", justify="right")
    grid: dict[int, dict[str, int]] = {}
    for region, state, n in counts:
        grid.setdefault(region, {})[state] = n
    totals = dict.fromkeys(states, 0)
    for region in sorted(grid):
        row = grid[region]
        for s in states:
            totals[s] += row.get(s, 0)
        table.add_row(
            str(region), *(str(row.get(s, 0) or "·") for s in states), str(sum(row.values()))
        )
    table.add_row("all", *(str(totals[s]) for s in states), str(sum(totals.values())), style="bold")
    return table


def timeline_table(events: Sequence[Any]) -> Group:
    """A case's events, one entry each: when (Tehran), what, who, and the details.

    An event applied late by the scheduler (after downtime) shows both instants:
    when it took effect and when it was recorded.
    """
    lines: list[Text] = [Text("timeline (Tehran time)", style="italic")]
    for e in events:
        head = Text(f"{e.seq:>3}  {when(e.logical_at)}  ")
        head.append(f"{e.action:<16}", style="bold")
        head.append(f" {e.from_state or '·'} → {e.to_state}  by {e.actor}")
        lines.append(head)
        details = _details(e.payload)
        if abs((e.recorded_at - e.logical_at).total_seconds()) >= 60:
            details.insert(0, f"recorded {when(e.recorded_at)} (the deadline fell due earlier)")
        for detail in details:
            lines.append(Text(f"{'':>5}{detail}", style="dim"))
    return Group(*lines)


def _details(payload: dict[str, Any]) -> list[str]:
    parts = []
    for key, value in payload.items():
        if key.endswith("_due") and isinstance(value, str):
            label = key.removesuffix("_due").replace("_", " ")
            parts.append(f"{label} deadline: {when(datetime.fromisoformat(value))}")
        elif key == "changes":
            changed = ", ".join(f"{k} {a!r} → {b!r}" for k, (a, b) in value.items())
            parts.append(f"changed: {changed}")
        elif key == "text":
            parts.append(f"“{value}”")
        elif key == "position" and isinstance(value, dict):
            before, after = value.get("before") or [], value.get("after") or []
            places = ", ".join(
                f"{scope} {b} → {a}"
                for scope, b, a in zip(
                    ("national", "region", "province"), before, after, strict=False
                )
            )
            parts.append(f"place: {places}")
        elif isinstance(value, list) and len(value) == 2:
            parts.append(f"{key.replace('_', ' ')}: {value[0]!r} → {value[1]!r}")
        else:
            parts.append(f"{key.replace('_', ' ')}: {value}")
    return parts


def score_table(lines: Sequence[Any], total: float, title: str) -> Table:
    """A score's lines (criterion, input, points, note) and their total."""
    table = Table(title=title, title_justify="left")
    for column in ("criterion", "input", "points", "note"):
        table.add_column(column, justify="right" if column == "points" else "left")
    for line in lines:
        value = "-" if line.value is None else str(line.value)
        table.add_row(line.label, value, f"{line.points:g}", line.note)
    table.add_row("total", "", f"{total:g}", "", style="bold")
    return table
