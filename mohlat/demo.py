"""``mohlat demo``: one whole campaign, driven by a simulated clock.

Everything runs through the real services and the real sweep on a fresh SQLite
file of the demo's own. Only the clock is simulated: the demo owns a
:class:`~mohlat.clock.SimulatedClock` and says so; the product's commands always use
the system clock. The scenario follows the article: declarations from 17 Farvardin
to 5 Ordibehesht 1400, 10 days of regional review with 5-day correction referrals,
ranks published when the review window closes, 7 days to appeal, 10 days to decide.
"""

from __future__ import annotations

import random
import time
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from mohlat.calendars import (
    JalaliDate,
    end_of_day,
    format_instant,
    jalali_date,
    start_of_day,
    tehran_date,
)
from mohlat.clock import SimulatedClock
from mohlat.display import num, region_state_table, timeline_table
from mohlat.errors import InvalidInput
from mohlat.identity import make_national_id
from mohlat.scoring import default_rubric
from mohlat.services.access import SYSTEM, Actor
from mohlat.services.cases import ActionRequest, act_many
from mohlat.services.sweep import sweep
from mohlat.views import CaseState
from mohlat.workflow.definition import Role, State

if TYPE_CHECKING:
    from mohlat.services import Database

__all__ = ["run_demo"]

CAMPAIGN = "1400-2"
#: who the demo reads as: the admin
ADMIN = Actor("admin", Role.ADMIN)
#: the demo database's admin account (a throwaway database: the password is no secret)
DEMO_ADMIN = ("admin", "demo-admin-pass")
PROVINCES = {
    1: ["Tehran", "Qom"],
    2: ["Isfahan", "Yazd"],
    3: ["Khorasan Razavi", "Semnan"],
    4: ["Fars", "Bushehr"],
    5: ["East Azerbaijan", "Ardabil"],
    6: ["Khuzestan", "Ilam"],
    7: ["Kerman", "Hormozgan"],
    8: ["Mazandaran", "Golestan"],
    9: ["Kermanshah", "Kurdistan"],
}
#: the scheduler is "down" on these days; the sweep after them catches up
DOWNTIME = (jalali_date(1400, 2, 23), jalali_date(1400, 2, 26))
#: an air-pollution closure of region 1's offices (Tehran and Qom), announced ahead
CLOSURE_ANNOUNCED = jalali_date(1400, 2, 9)
CLOSED_DAYS = (jalali_date(1400, 2, 12), jalali_date(1400, 2, 13))
#: the self-declaration window of the article
WINDOW = (jalali_date(1400, 1, 17), jalali_date(1400, 2, 5))


@dataclass
class Tally:
    """What happened, for the summary."""

    done: Counter[str] = field(default_factory=Counter)
    refused: Counter[str] = field(default_factory=Counter)
    examples: dict[str, str] = field(default_factory=dict)
    sweeps: list[str] = field(default_factory=list)


def run_demo(*, path: Path, offices: int, seed: int, console: Console, force: bool = False) -> None:
    """Run the demo campaign with ``offices`` synthetic offices on a fresh SQLite file.

    The file is replaced only if an earlier demo made it (or with ``force``): any other
    existing file is refused, so a real database is never lost to a demo.
    """
    from mohlat.services import is_demo_database, prepare_database
    from mohlat.services.accounts import add_user
    from mohlat.services.campaigns import create_campaign
    from mohlat.services.offices import import_offices, office_rows

    started = time.perf_counter()
    if path.exists() and not force and not is_demo_database(path):
        raise InvalidInput(
            "--db",
            str(path),
            "a new file or an earlier demo's (this one is not a demo database: "
            "choose another path, or add --force to replace it)",
        )
    for suffix in ("", "-wal", "-shm"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)
    db = prepare_database(f"sqlite:///{path}", demo=True)
    clock = SimulatedClock(start_of_day(jalali_date(1400, 1, 10)) + timedelta(hours=9))
    console.print(
        f"[bold]mohlat demo[/] · database {path} · {offices} offices · seed {seed}", markup=True
    )
    console.print(
        "[yellow]simulated clock[/]: the demo moves its own clock through the "
        "campaign; the product's commands always use the real one.",
        markup=True,
    )

    rng = random.Random(seed)
    add_user(
        db,
        actor=None,
        username="admin",
        password=DEMO_ADMIN[1],
        role=Role.ADMIN,
        region=None,
        now=clock.now(),
    )
    import_offices(db, actor=ADMIN, text=office_rows(_offices(offices, rng)), now=clock.now())
    campaign = create_campaign(
        db,
        actor=ADMIN,
        now=clock.now(),
        code=CAMPAIGN,
        title="Evaluation phase 2, 1400",
        first_day="1400/01/17",
        last_day="1400/02/05",
    )
    console.print(
        f"campaign {CAMPAIGN}: declarations {format_instant(campaign.opens_at)} → "
        f"{format_instant(campaign.closes_at)}, review until "
        f"{format_instant(campaign.review_closes_at)} (Tehran time)"
    )

    sim = _Simulation(db, clock, seed, Tally())
    sim.load_people()
    days = _days(jalali_date(1400, 1, 17), jalali_date(1400, 3, 25))
    with Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=console,
        transient=True,
        disable=offices < 5000,
    ) as progress:
        task = progress.add_task("simulating", total=len(days))
        for day in days:
            progress.update(task, description=f"simulating {day.strftime('%Y/%m/%d')}")
            sim.run_day(day)
            progress.advance(task)
    clock.set(end_of_day(days[-1]))
    sim.sweep_now()
    _report(db, sim.tally, console, started, story=sim.story())


def _days(first: JalaliDate, last: JalaliDate) -> list[JalaliDate]:
    days = []
    day = first
    while day <= last:
        days.append(day)
        day = day + timedelta(days=1)
    return days


def _offices(count: int, rng: random.Random) -> list[dict[str, object]]:
    rows = []
    for i in range(1, count + 1):
        region = (i - 1) % 9 + 1
        kind = "rural_ict" if i % 4 == 0 else "pishkhan"
        prefix = f"{(i * 7919 + 100_000_000) % 999_999_999:09d}"
        if len(set(prefix)) == 1:
            prefix = prefix[:-1] + str((int(prefix[-1]) + 1) % 10)
        rows.append(
            {
                "code": f"{'R' if kind == 'rural_ict' else 'P'}{i:06d}",
                "name": f"{'Rural ICT' if kind == 'rural_ict' else 'Counter office'} {i}",
                "kind": kind,
                "region": region,
                "province": rng.choice(PROVINCES[region]),
                "national_id": make_national_id(prefix),
                "holder_name": f"Holder {i}",
            }
        )
    return rows


class _Simulation:
    """Offices and supervisors acting day by day, each with a fate drawn from the seed."""

    def __init__(self, db: Database, clock: SimulatedClock, seed: int, tally: Tally) -> None:
        self.db = db
        self.clock = clock
        self.seed = seed
        self.tally = tally
        self.rubric = default_rubric()
        self.offices: dict[int, Actor] = {}
        self.supervisors = {
            r: Actor(f"supervisor-{r}", Role.SUPERVISOR, region=r) for r in range(1, 10)
        }
        self.region_of: dict[int, int] = {}
        self.reviewed_on: dict[int, JalaliDate] = {}
        self.referred_on: dict[int, JalaliDate] = {}
        self.ranked_on: dict[int, JalaliDate] = {}
        self.appealed_on: dict[int, JalaliDate] = {}
        self.declaring_on: dict[JalaliDate, list[tuple[int, int]]] = {}
        self.silent: set[int] = set()

    def story(self) -> int | None:
        """A case worth reading whole: referred and corrected, then appealed, if any."""
        both = sorted(set(self.referred_on) & set(self.appealed_on))
        either = both or sorted(self.appealed_on) or sorted(self.referred_on)
        return either[0] if either else None

    def fate(self, case_id: int, salt: str) -> random.Random:
        """The seeded dice of one case for one decision."""
        return random.Random(f"{self.seed}:{case_id}:{salt}")

    def load_people(self) -> None:
        from mohlat.services.roster import office_holders

        holders = office_holders(self.db, actor=ADMIN)
        for case_id, _state, region, office_id, _rev in self.cases():
            self.offices[case_id] = Actor(holders[office_id], Role.OFFICE, office_id=office_id)
            self.region_of[case_id] = region
            dice = self.fate(case_id, "when")
            if dice.random() >= 0.12:  # 12% never declare in time: they lapse
                day = WINDOW[0] + timedelta(days=dice.randrange((WINDOW[1] - WINDOW[0]).days + 1))
                self.declaring_on.setdefault(day, []).append((case_id, dice.randrange(8, 20)))
            else:
                self.silent.add(case_id)

    def cases(self) -> list[CaseState]:
        from mohlat.services.roster import case_states

        return case_states(self.db, actor=ADMIN, campaign=CAMPAIGN)

    def at(self, day: JalaliDate, hour: int, minute: int = 0, second: int = 0) -> datetime:
        instant = start_of_day(day) + timedelta(hours=hour, minutes=minute, seconds=second)
        self.clock.set(max(instant, self.clock.now()))
        return self.clock.now()

    def sweep_now(self) -> None:
        report = sweep(self.db, now=self.clock.now(), actor=SYSTEM.name)
        if report.total or report.published:
            moves = Counter[str]()
            for (action, _src, dst), n in report.moves.items():
                moves[f"{action} → {dst}"] += n
            text = ", ".join(f"{n} {a}" for a, n in sorted(moves.items()))
            if report.published:
                text += f"; ranks of {', '.join(report.published)} published"
            self.tally.sweeps.append(
                f"{format_instant(self.clock.now(), seconds=False)}  sweep: {text}"
            )

    def do(self, action: str, requests: list[ActionRequest], label: str | None = None) -> None:
        if not requests:
            return
        done, refused = act_many(self.db, action, requests, now=self.clock.now(), campaign=CAMPAIGN)
        self.tally.done[label or action] += done
        for _request, error in refused:
            self.tally.refused[label or action] += 1
            self.tally.examples.setdefault(label or action, str(error))

    def run_day(self, day: JalaliDate) -> None:
        if day == WINDOW[1] + timedelta(days=1):
            self.too_late_to_declare(day)  # before the scheduler's first sweep of the day
        published = self.published_on()
        if published is not None and day == published + timedelta(days=8):
            self.too_late_to_appeal(day)
        if not DOWNTIME[0] <= day <= DOWNTIME[1]:
            self.at(day, 0, 5)
            self.sweep_now()
        if day == CLOSURE_ANNOUNCED:
            self.close_offices()
        cases = self.cases()
        self.declarations(day, cases)
        self.corrections(day, cases)
        self.appeals(day, cases)
        self.reviews(day, cases)
        self.decisions(day, cases)

    # --- offices ---------------------------------------------------------------------

    def declarations(self, day: JalaliDate, cases: list[CaseState]) -> None:
        if not WINDOW[0] <= day <= WINDOW[1]:
            return
        by_hour: dict[int, list[ActionRequest]] = {}
        for case_id, hour in self.declaring_on.get(day, []):
            by_hour.setdefault(hour, []).append(
                self._declaration(case_id, self.fate(case_id, "declare"))
            )
        for hour in sorted(by_hour):
            self.at(day, hour)
            self.do("declare", by_hour[hour])
        if day == WINDOW[1]:  # the last second of the window still counts
            last = max(self.offices)
            self.at(day, 23, 59, 59)
            self.do(
                "declare",
                [self._declaration(last, self.fate(last, "declare"))],
                "declare at 23:59:59 of the last day",
            )

    def close_offices(self) -> None:
        """The admin closes region 1's offices for two days: deadlines there move."""
        from mohlat.services.deadlines import add_closure

        self.at(CLOSURE_ANNOUNCED, 8)
        moved = add_closure(
            self.db,
            actor=ADMIN,
            now=self.clock.now(),
            first_day=CLOSED_DAYS[0].strftime("%Y/%m/%d"),
            last_day=CLOSED_DAYS[1].strftime("%Y/%m/%d"),
            reason="air pollution",
            regions=[1],
        )
        days = "–".join(day.strftime("%Y/%m/%d") for day in CLOSED_DAYS)
        self.tally.done[f"closure of region 1 on {days}: deadlines moved"] += moved.deadlines

    def too_late_to_declare(self, day: JalaliDate) -> None:
        """Offices that never declared try at 00:00:00 after the window, before any sweep."""
        late = [
            self._declaration(case_id, self.fate(case_id, "declare"))
            for case_id in sorted(self.silent)
            if case_id % 3 == 0
        ]
        self.at(day, 0, 0, 0)
        self.do("declare", late, "declare at 00:00:00 the day after the window")

    def _declaration(self, case_id: int, dice: random.Random) -> ActionRequest:
        fields = {
            "office_space": dice.randrange(15, 160),
            "staff_count": dice.randrange(1, 9),
            "location": dice.choice(["city_centre", "city", "suburb", "rural"]),
            "holder_years": dice.randrange(0, 20),
            "opening_hours": dice.randrange(30, 60),
            "services_offered": dice.randrange(10, 80),
        }
        return ActionRequest(
            self.offices[case_id], str(case_id), fields={k: str(v) for k, v in fields.items()}
        )

    def corrections(self, day: JalaliDate, cases: list[CaseState]) -> None:
        requests = []
        for case_id, state, *_ in cases:
            if state != State.CORRECTION_REFERRAL.value or case_id not in self.referred_on:
                continue
            dice = self.fate(case_id, "correct")
            if dice.random() < 0.3:
                continue  # ignores the referral: its 5 days run out
            if self.referred_on[case_id] + timedelta(days=dice.randrange(1, 5)) == day:
                requests.append(
                    ActionRequest(
                        self.offices[case_id],
                        str(case_id),
                        fields={"staff_count": str(dice.randrange(1, 6))},
                        text="corrected staff count, insurance list attached",
                    )
                )
        self.at(day, 10)
        self.do("correct", requests)

    def appeals(self, day: JalaliDate, cases: list[CaseState]) -> None:
        requests = []
        for case_id, state, *_ in cases:
            if state != State.RANKED.value:
                continue
            ranked = self.ranked_on.setdefault(case_id, day - timedelta(days=1))
            dice = self.fate(case_id, "appeal")
            if dice.random() < 0.08 and ranked + timedelta(days=dice.randrange(1, 7)) == day:
                requests.append(
                    ActionRequest(
                        self.offices[case_id],
                        str(case_id),
                        text="we have 7 staff, not as evaluated; the insurance list is attached",
                    )
                )
        self.at(day, 11)
        self.do("appeal", requests)
        for request in requests:
            self.appealed_on[int(request.ref)] = day

    def too_late_to_appeal(self, day: JalaliDate) -> None:
        """A few offices object at 00:00:00 after their 7 days, before any sweep."""
        late = [
            ActionRequest(self.offices[case_id], str(case_id), text="we object to the rank")
            for case_id, state, *_ in self.cases()
            if state == State.RANKED.value and self.fate(case_id, "appeal").random() > 0.97
        ]
        self.at(day, 0, 0, 0)
        self.do("appeal", late, "appeal at 00:00:00 after its 7 days")

    # --- regions ---------------------------------------------------------------------

    def published_on(self) -> JalaliDate | None:
        from mohlat.services.campaigns import campaign_overview

        published = campaign_overview(self.db, actor=None, code=CAMPAIGN).campaign.published_at
        return tehran_date(published) if published else None

    def reviews(self, day: JalaliDate, cases: list[CaseState]) -> None:
        if day < jalali_date(1400, 2, 6):
            return
        review, refer, approve = [], [], []
        for case_id, state, region, _office, reviewed in cases:
            if state != State.REGIONAL_REVIEW.value or reviewed:
                continue
            supervisor = self.supervisors[region]
            dice = self.fate(
                case_id, f"review{len(self.referred_on) if case_id in self.referred_on else ''}"
            )
            if case_id not in self.reviewed_on:
                if day != jalali_date(1400, 2, 6) + timedelta(days=dice.randrange(0, 5)):
                    continue
                self.reviewed_on[case_id] = day
                violations = {}
                if dice.random() < 0.07:
                    violations[
                        dice.choice(["overcharging", "unapproved_move", "no_accessibility"])
                    ] = "1"
                review.append(
                    ActionRequest(
                        supervisor,
                        str(case_id),
                        association_score=str(dice.randrange(6, 21)),
                        violations=violations,
                    )
                )
                if dice.random() < 0.12 and case_id not in self.referred_on:
                    refer.append(
                        ActionRequest(
                            supervisor,
                            str(case_id),
                            text="staff count does not match the insurance list",
                        )
                    )
                    self.referred_on[case_id] = day
                continue
            if dice.random() < 0.06:
                continue  # never approved: its review time runs out
            approve.append(ActionRequest(supervisor, str(case_id)))
        self.at(day, 12)
        self.do("review", review)
        self.at(day, 13)
        self.do("refer", refer)
        self.at(day, 15)
        self.do("approve", approve)

    def decisions(self, day: JalaliDate, cases: list[CaseState]) -> None:
        requests = []
        for case_id, state, region, *_ in cases:
            if state != State.APPEALED.value or case_id not in self.appealed_on:
                continue
            dice = self.fate(case_id, "decide")
            if dice.random() < 0.2:
                continue  # the region misses its 10 days: escalated
            if self.appealed_on[case_id] + timedelta(days=dice.randrange(2, 9)) == day:
                accepted = dice.random() < 0.5
                requests.append(
                    ActionRequest(
                        self.supervisors[region],
                        str(case_id),
                        fields={"staff_count": "7"} if accepted else None,
                        text="the insurance list confirms 7 staff"
                        if accepted
                        else "documents confirm the evaluation",
                    )
                )
        self.at(day, 16)
        self.do("decide", requests)


def _report(
    db: Database, tally: Tally, console: Console, started: float, *, story: int | None
) -> None:
    from mohlat.services.campaigns import campaign_overview
    from mohlat.services.cases import show_case
    from mohlat.services.ranking import ranking as ranking_rows

    console.print()
    console.print(
        "[bold]what the scheduler did[/] (sweeps that moved something; it was down "
        f"{DOWNTIME[0].strftime('%Y/%m/%d')}–{DOWNTIME[1].strftime('%Y/%m/%d')} "
        "and caught up after)",
        markup=True,
    )
    for line in tally.sweeps:
        console.print(f"  {line}")
    console.print()
    console.print("[bold]what people did[/]", markup=True)
    for action in sorted(set(tally.done) | set(tally.refused)):
        line = f"  {action}: {tally.done[action]} done"
        if tally.refused[action]:
            line += f", {tally.refused[action]} refused — e.g. {tally.examples[action]}"
        console.print(line)
    counts = campaign_overview(db, actor=ADMIN, code=CAMPAIGN).counts
    top = ranking_rows(db, actor=ADMIN, campaign=CAMPAIGN, limit=10)
    console.print()
    console.print(region_state_table(counts or (), f"cases of {CAMPAIGN} per region and state"))
    ranking = Table(title="top of the national ranking", title_justify="left")
    for column in ("rank", "office", "region", "province", "total", "grade", "final"):
        ranking.add_column(column, justify="right" if column in ("rank", "total") else "left")
    for r in top:
        ranking.add_row(
            str(r.position_national),
            r.office_code,
            str(r.region),
            r.province,
            num(r.total),
            r.grade or "-",
            f"{r.final_total:g} ({r.final_grade})" if r.final_total is not None else "-",
        )
    console.print(ranking)
    if story is not None:
        view = show_case(db, actor=ADMIN, ref=str(story), campaign=CAMPAIGN)
        story_case = view.case
        console.print(
            f"[bold]case {story_case.id}[/] ({story_case.office}, region {story_case.region}):"
            " its whole timeline",
            markup=True,
        )
        console.print(timeline_table(view.events))
    path = db.url.removeprefix("sqlite:///")
    console.print(f"demo finished in {time.perf_counter() - started:.1f} s")
    console.print(
        f"explore it: export MOHLAT_DB={path} MOHLAT_USER={DEMO_ADMIN[0]} "
        f"MOHLAT_PASSWORD={DEMO_ADMIN[1]}; mohlat ranking --limit 5"
    )
