"""Benchmark: the deadline rush, N offices declaring through the HTTP API in the last
ten minutes of the declaration window, on PostgreSQL.

What is measured
    THE DATABASE GIVEN WITH --db IS EMPTIED: every mohlat table in it is dropped and
    made again. A fresh database gets N offices through the real importer and the
    article's campaign (declarations 1400/01/17..1400/02/05, closing at 23:59:59
    Tehran on 1400/02/05), which opens N cases. SET-UP SHORTCUT, not the product
    path: every office account is activated by one Core UPDATE writing the password
    hash (one hash for all, made by ``mohlat.identity.hash_password`` with cheap
    argon2 costs, ``configure(time_cost=1, memory_cost=8, parallelism=1)`` as the
    tests use; the server verifies the logins with them too) and clearing the
    activation code, as ``activate`` would.

    The server is the product's application, ``create_app(db, clock=RushClock, …)``
    (login limits loosened: every client comes from 127.0.0.1), served by
    ``uvicorn.Server`` in a thread of this process (h11, no access log), with one
    route added for the floor. The clock is the script's own, injected, and no
    request or setting moves it: it stands still at 23:49:59.999999 while the
    clients log in and during the floor, then maps real time onto the last ten
    simulated minutes (``--rush-seconds`` real seconds for 600 simulated ones) and
    runs on past the close for ``--after-seconds``. The sweep runs in this process
    with the same clock (``mohlat.scheduler.tick``, as ``mohlat serve --scheduler``
    would): once before the clients log in (the scheduler has been running all
    along) and as soon as the simulated time has passed the close.

    The clients are another process (``_rush_load.py``: asyncio, one
    ``httpx.AsyncClient`` and so one connection each). On two cores, a load
    generator in the server's process would share its interpreter lock and slow the
    server down by its own work; in its own process it takes the other core's time
    only (its CPU is printed). Each of C clients holds the sessions of N/C offices,
    all logged in (``POST /api/v1/session``) before anything is timed, and sends one
    request after the other, for its offices in turn.

    1. The floor: a bare route of the same server reading one case by id in one
       read-only transaction (``Database.transaction``, the ORM, no login), driven
       by the same clients for ``--rush-seconds`` in all: half before the rush and
       half after it, so that a change in what else the machine runs meanwhile
       weighs on both sides alike.
    2. The rush: each client declares and re-declares (``POST
       /api/v1/actions/declare`` with ``{"fields": …}``: the office's own case), a
       different declaration each time, until ``--after-seconds`` past the close.

    Throughput counts the requests answered within each phase's ``--rush-seconds``
    (for the rush: up to the close); the latencies are of the requests sent then.
    Each phase's CPU is measured too: this process (the server), the load
    generator, PostgreSQL's processes for the database, the whole machine.
    Target: declarations at no less than half the floor's requests per second.

    Checks (each must be 0; the script exits 1 otherwise): server errors (5xx, or no
    answer at all); accepted declarations missing after the close (each case's last
    accepted declaration must be what the database holds, the case no longer
    "declaring", and the timeline must hold one ``declare`` event per accepted
    request); declarations accepted after the close (``declare`` events whose
    logical time is past 23:59:59.999999 Tehran, or a 200 to a request sent after
    the close); and declarations sent after the close answered otherwise than 409.
    What the refusals said is counted too.

How to run (from the repo root; the database must exist, and it is emptied)
    python benchmarks/bench_rush.py --db postgresql+psycopg://postgres@127.0.0.1:5432/mohlat_rush
    … --profile   # also: where the server's threads spend the rush (sampled stacks)
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

import anyio.to_thread
import uvicorn
from _world import analyze, build, fresh_database, print_table
from fastapi import FastAPI
from sqlalchemy import create_engine, event, func, select, text, update
from sqlalchemy.engine import make_url
from sqlmodel import col

from mohlat.identity import configure, hash_password
from mohlat.scheduler import tick
from mohlat.store import Database
from mohlat.store import queries as q
from mohlat.store.models import Account, Case, CaseDetail, Event, table_of
from mohlat.web.app import create_app
from mohlat.web.limits import LoginLimits, SlidingWindow

HERE = Path(__file__).resolve().parent
PASSWORD = "rush-pass-1400"
ACCOUNTS = table_of(Account)
#: the share of the floor's throughput the declarations should reach at least
TARGET_RATIO = 0.5
#: simulated seconds of the rush before the close
RUSH_SIMULATED = 600.0


class RushClock:
    """The benchmark's clock: at ``start`` until the real instant given to
    :meth:`begin`, then ``speed`` simulated seconds a real second. It only reads the
    monotonic clock, so every thread may ask it."""

    def __init__(self, start: datetime, speed: float) -> None:
        self.start = start
        self.speed = speed
        self._t0: float | None = None

    def begin(self, t0: float) -> None:
        """Start moving at the monotonic instant ``t0``."""
        self._t0 = t0

    def now(self) -> datetime:
        if self._t0 is None:
            return self.start
        elapsed = max(0.0, time.monotonic() - self._t0)
        return self.start + timedelta(seconds=elapsed * self.speed)


# --- the world ---------------------------------------------------------------------


def activate_all(db: Database, setup: dict[str, float]) -> None:
    """SET-UP SHORTCUT: every office account gets the password ``PASSWORD`` (one hash
    for all) and loses its activation code, in one UPDATE, as ``activate`` sets them."""
    t0 = time.perf_counter()
    hashed = hash_password(PASSWORD)
    with db.transaction() as tx:
        tx.execute(
            update(ACCOUNTS)
            .where(ACCOUNTS.c.role == "office")
            .values(
                password_hash=hashed,
                activation_hash=None,
                activation_expires_at=None,
                must_change_password=False,
                failed_logins=0,
                locked_until=None,
            )
        )
    setup["activate the accounts (one UPDATE)"] = time.perf_counter() - t0


def case_of_office(db: Database, campaign_id: int) -> dict[str, int]:
    """Each office account's user name, with its case."""
    with db.transaction(read_only=True) as tx:
        accounts = {a.office_id: a.username for a in q.list_accounts(tx, role="office")}
        return {
            accounts[office_id]: case_id
            for case_id, _s, _r, office_id, _x in q.case_states(tx, campaign_id=campaign_id)
        }


# --- the server --------------------------------------------------------------------


def add_floor_route(app: FastAPI, db: Database) -> None:
    """The floor: a bare route reading one case by id (no login, one transaction)."""

    @app.get("/bench/floor/{case_id}")
    def floor(case_id: int) -> dict[str, Any]:
        with db.transaction(read_only=True) as tx:
            case = tx.execute(select(Case).where(col(Case.id) == case_id)).scalar_one()
        return {"id": case.id, "state": case.state, "version": case.version}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def start_server(app: FastAPI, threads: int | None) -> tuple[uvicorn.Server, threading.Thread, str]:
    """``app`` served by uvicorn in a thread of this process; its URL."""
    port = free_port()
    config = uvicorn.Config(
        app,
        host="127.0.0.1",
        port=port,
        log_level="warning",
        access_log=False,
        timeout_keep_alive=600,  # the clients keep their connection between phases
        backlog=4096,
    )
    server = uvicorn.Server(config)

    async def serve() -> None:
        if threads is not None:  # the threads sync routes run in (anyio's default: 40)
            anyio.to_thread.current_default_thread_limiter().total_tokens = threads
        await server.serve()

    thread = threading.Thread(target=asyncio.run, args=(serve(),), name="uvicorn", daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        if time.monotonic() > deadline:
            raise SystemExit("uvicorn did not start")
        time.sleep(0.02)
    return server, thread, f"http://127.0.0.1:{port}"


def sweep_at_close(
    db: Database, clock: RushClock, closes_at: datetime, close_mono: float, out: dict[str, Any]
) -> None:
    """Sweep as soon as the simulated time has passed the close (with the same clock)."""
    delay = close_mono - time.monotonic()
    if delay > 0:
        time.sleep(delay)
    while clock.now() <= closes_at:
        time.sleep(0.001)
    out["delay"] = time.monotonic() - close_mono
    t0 = time.perf_counter()
    out["report"] = tick(db, clock=clock)
    out["seconds"] = time.perf_counter() - t0


# --- the clients -------------------------------------------------------------------


class Load:
    """The load generator, a process of its own (``_rush_load.py``)."""

    def __init__(self, setup: dict[str, Any]) -> None:
        self.proc = subprocess.Popen(
            [sys.executable, str(HERE / "_rush_load.py")],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        self.send(setup)

    def send(self, command: dict[str, Any]) -> None:
        assert self.proc.stdin is not None
        self.proc.stdin.write(json.dumps(command) + "\n")
        self.proc.stdin.flush()

    def run(self, command: dict[str, Any]) -> dict[str, Any]:
        """Run one phase; what the clients did."""
        self.send(command)
        assert self.proc.stdout is not None
        line = self.proc.stdout.readline()
        if not line:
            raise SystemExit(f"the load generator ended (exit {self.proc.wait()})")
        answer: dict[str, Any] = json.loads(line)
        return answer

    def close(self) -> None:
        self.send({"phase": "quit"})
        self.proc.wait(timeout=60)


# --- what it cost ------------------------------------------------------------------


class Usage:
    """What one phase cost: CPU of this process (the server: all its threads), of the
    PostgreSQL processes of the database (from /proc; a process that ended during
    the phase is not counted) and of the whole machine (other jobs too), and the
    connections the server's engine opened."""

    #: connections the server's engine opened so far (counted by an event hook)
    connections = 0

    def __init__(self, database: str) -> None:
        self.database = database
        self.connected = Usage.connections
        self.wall = time.monotonic()
        self.cpu = time.process_time()
        self.machine = _machine()
        self.postgres = self._postgres()

    def _postgres(self) -> dict[int, float]:
        """CPU seconds of each PostgreSQL process serving the database, by process id."""
        found = {}
        ticks = os.sysconf("SC_CLK_TCK")
        for entry in os.listdir("/proc"):
            if not entry.isdigit():
                continue
            try:
                with open(f"/proc/{entry}/cmdline", "rb") as f:
                    title = f.read().replace(b"\0", b" ").decode(errors="replace")
                if not title.startswith("postgres:") or f" {self.database} " not in title:
                    continue
                with open(f"/proc/{entry}/stat") as f:
                    fields = f.read().rsplit(")", 1)[1].split()
            except OSError:
                continue
            found[int(entry)] = (int(fields[11]) + int(fields[12])) / ticks
        return found

    def done(self) -> dict[str, float]:
        """Cores busy on average over the phase (and its seconds, its connections)."""
        wall = time.monotonic() - self.wall
        busy, total = _machine()
        postgres = sum(cpu - self.postgres.get(pid, 0.0) for pid, cpu in self._postgres().items())
        return {
            "wall": wall,
            "connections": Usage.connections - self.connected,
            "server": (time.process_time() - self.cpu) / wall,
            "postgres": postgres / wall,
            "machine": (busy - self.machine[0]) / (total - self.machine[1]) * (os.cpu_count() or 1),
        }


def _machine() -> tuple[float, float]:
    """The machine's busy and total CPU time so far (/proc/stat, in ticks)."""
    with open("/proc/stat") as f:
        values = [float(v) for v in f.readline().split()[1:]]
    idle = values[3] + values[4]
    return sum(values) - idle, sum(values)


class Waits(threading.Thread):
    """Samples PostgreSQL's view of the database's sessions every 0.1 s, on a
    connection of its own: how many run a statement, and how many of those wait for
    a lock (a row another transaction holds)."""

    def __init__(self, url: str, database: str) -> None:
        super().__init__(name="waits", daemon=True)
        self.engine = create_engine(url, isolation_level="AUTOCOMMIT", pool_size=1)
        self.database = database
        self.stop = threading.Event()
        self.samples: list[tuple[int, int]] = []

    def run(self) -> None:
        query = text(
            "SELECT count(*) FILTER (WHERE state = 'active'),"
            " count(*) FILTER (WHERE state = 'active' AND wait_event_type = 'Lock')"
            " FROM pg_stat_activity WHERE datname = :db AND pid <> pg_backend_pid()"
        )
        with self.engine.connect() as conn:
            while not self.stop.wait(0.1):
                active, locked = conn.execute(query, {"db": self.database}).one()
                self.samples.append((int(active), int(locked)))
        self.engine.dispose()


def mean(samples: list[tuple[int, int]], k: int) -> float:
    """The mean of the ``k``-th figure of :class:`Waits` samples."""
    return sum(s[k] for s in samples) / (len(samples) or 1)


class Sampler(threading.Thread):
    """Samples the stacks of the server's route threads every 5 ms: where they spend
    their time (running, or waiting for the interpreter lock, a pooled connection,
    PostgreSQL or a row lock)."""

    def __init__(self) -> None:
        super().__init__(name="sampler", daemon=True)
        self.stop = threading.Event()
        self.innermost: Counter[str] = Counter()
        self.cumulative: Counter[str] = Counter()
        self.samples = 0

    def run(self) -> None:
        while not self.stop.wait(0.005):
            names = {t.ident: t.name for t in threading.enumerate()}
            for ident, frame in sys._current_frames().items():
                if names.get(ident, "").startswith("AnyIO worker"):
                    self._count(frame)

    def _count(self, frame: Any) -> None:
        self.samples += 1
        seen = set()
        f = frame
        while f is not None:
            code = f.f_code
            where = f"{_short(code.co_filename)}:{code.co_firstlineno} {code.co_name}"
            if f is frame:
                self.innermost[f"{where} (line {f.f_lineno})"] += 1
            if where not in seen:
                self.cumulative[where] += 1
                seen.add(where)
            f = f.f_back

    def report(self, top: int = 40) -> None:
        print(f"\nsampled stacks of the server's route threads during the rush: {self.samples:,}")
        print("  by function, cumulative (share of the threads' wall time):")
        for where, n in self.cumulative.most_common(top):
            print(f"    {n / self.samples:6.1%}  {where}")
        print("  by innermost frame:")
        for where, n in self.innermost.most_common(top // 2):
            print(f"    {n / self.samples:6.1%}  {where}")


def _short(path: str) -> str:
    if "/mohlat/" in path:
        return "mohlat/" + path.split("/mohlat/", 1)[1]
    for marker in ("site-packages/", "/lib/python"):
        if marker in path:
            return path.split(marker, 1)[1]
    return path


# --- figures -----------------------------------------------------------------------


def floor_phase(load: Load, url: str, database: str, seconds: float) -> dict[str, Any]:
    """The clients on the floor route for ``seconds``: their requests, those answered
    in time, and what it cost."""
    start = time.monotonic() + 1.0
    stop = start + seconds
    usage, waits = Usage(database), Waits(url, database)
    waits.start()
    done = load.run({"phase": "floor", "start": start, "stop": stop})
    waits.stop.set()
    waits.join()
    requests = done["requests"]
    return {
        "requests": requests,
        "done": [r for r in requests if r["done"] <= stop],
        "usage": usage.done(),
        "waits": waits,
        "cpu": done["cpu"],
    }


def merged(usages: list[dict[str, float]]) -> dict[str, float]:
    """Phases' :meth:`Usage.done` as one: cores weighted by each phase's seconds."""
    wall = sum(u["wall"] for u in usages)
    both = {k: sum(u[k] * u["wall"] for u in usages) / wall for k in usages[0]}
    both["wall"] = wall
    both["connections"] = sum(u["connections"] for u in usages)
    return both


def percentile(values: list[float], p: float) -> float:
    """The ``p``-th percentile (nearest rank)."""
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(p / 100 * len(ordered)) - 1))]


def latencies_ms(requests: list[dict[str, Any]]) -> list[float]:
    return [(r["done"] - r["sent"]) * 1000 for r in requests]


def refusal(r: dict[str, Any]) -> str:
    """What a refusal said, in short."""
    detail = r.get("detail", "")
    with contextlib.suppress(ValueError, KeyError, TypeError):
        detail = json.loads(detail)["detail"]
    if "deadline passed" in detail:
        return f"{r['status']} the declaration deadline passed"
    if "is not allowed in state" in detail:
        state = detail.split("is not allowed in state ", 1)[1].split(";")[0]
        return f"{r['status']} not allowed in state {state}"
    return f"{r['status']} {detail[:60]}"


def cores(a: dict[str, float], b: dict[str, float], key: str) -> str:
    return f"{a[key]:5.2f} | {b[key]:5.2f}"


def per_request_ms(usage: dict[str, float], key: str, requests: int) -> float:
    return usage[key] * usage["wall"] / max(1, requests) * 1000


def main() -> None:
    parser = argparse.ArgumentParser(
        description=(__doc__ or "").split("\n\n")[0],
        epilog="The database given with --db is EMPTIED: every mohlat table is dropped.",
    )
    parser.add_argument("--db", required=True, help="PostgreSQL URL of a database to EMPTY")
    parser.add_argument("--offices", type=int, default=2000, help="offices, hence cases")
    parser.add_argument("--clients", type=int, default=200, help="concurrent HTTP clients")
    parser.add_argument(
        "--rush-seconds", type=float, default=24.0,
        help="real seconds the last ten simulated minutes take (and the floor)",
    )  # fmt: skip
    parser.add_argument(
        "--after-seconds", type=float, default=4.0, help="real seconds of declaring past the close"
    )
    parser.add_argument(
        "--threads", type=int, default=None,
        help="threads the server runs its routes in (default: anyio's, 40)",
    )  # fmt: skip
    parser.add_argument(
        "--profile", action="store_true", help="sample the server's threads during the rush"
    )
    args = parser.parse_args()
    if not args.db.startswith("postgresql"):
        parser.error("--db must be a PostgreSQL URL (the rush is about concurrent writers)")
    if args.offices < args.clients:
        parser.error("at least one office per client")
    configure(time_cost=1, memory_cost=8, parallelism=1)  # cheap argon2, as the tests
    with tempfile.TemporaryDirectory(prefix="mohlat-bench-") as tmp:
        sys.exit(run(args, Path(tmp)))


def run(args: argparse.Namespace, tmp: Path) -> int:
    load_average = os.getloadavg()[0]
    setup: dict[str, float] = {}
    db = fresh_database(args.db, tmp)
    database = str(make_url(db.url).database)

    @event.listens_for(db.engine, "connect")
    def _count(*_args: Any) -> None:
        Usage.connections += 1

    campaign = build(db, args.offices, setup)
    activate_all(db, setup)
    analyze(db, setup)
    case_of = case_of_office(db, campaign.id)
    closes_at = campaign.closes_at

    speed = RUSH_SIMULATED / args.rush_seconds
    clock = RushClock(closes_at - timedelta(seconds=RUSH_SIMULATED), speed)
    limits = LoginLimits(SlidingWindow(10**9), SlidingWindow(10**9))
    app = create_app(db, clock=clock, settings={}, limits=limits)
    add_floor_route(app, db)
    server, server_thread, base = start_server(app, args.threads)

    t0 = time.perf_counter()
    tick(db, clock=clock)  # the scheduler has been running all along
    setup["sweep before the rush (reminders)"] = time.perf_counter() - t0

    usernames = sorted(case_of)
    load = Load(
        {
            "base": base,
            "password": PASSWORD,
            "clients": [usernames[k :: args.clients] for k in range(args.clients)],
            "case_ids": sorted(case_of.values()),
        }
    )
    t0 = time.perf_counter()
    logins = load.run({"phase": "login"})["requests"]
    setup[f"log {len(logins):,} offices in (HTTP, {args.clients} clients)"] = (
        time.perf_counter() - t0
    )
    analyze(db, setup)

    # 1. the floor, first half (the second comes after the rush: both see the machine
    # as it was around the rush, whatever else runs on it)
    half = args.rush_seconds / 2
    floors = [floor_phase(load, db.url, database, half)]

    # 2. the rush
    t0 = time.monotonic() + 1.0
    close_mono = t0 + args.rush_seconds
    end = close_mono + args.after_seconds
    clock.begin(t0)
    sweeps: dict[str, Any] = {}
    sweeper = threading.Thread(
        target=sweep_at_close, args=(db, clock, closes_at, close_mono, sweeps), daemon=True
    )
    sweeper.start()
    sampler = Sampler() if args.profile else None
    rush_waits = Waits(db.url, database)
    timers = [threading.Timer(max(0.0, t0 - time.monotonic()), rush_waits.start)]
    timers.append(threading.Timer(max(0.0, close_mono - time.monotonic()), rush_waits.stop.set))
    if sampler:
        timers.append(threading.Timer(max(0.0, t0 - time.monotonic()), sampler.start))
        timers.append(threading.Timer(max(0.0, close_mono - time.monotonic()), sampler.stop.set))
    for timer in timers:
        timer.start()
    usage = Usage(database)
    rush_run = load.run({"phase": "rush", "start": t0, "stop": end})
    rush_usage = usage.done()
    sweeper.join()
    last = tick(db, clock=clock)
    floors.append(floor_phase(load, db.url, database, half))  # the floor, second half
    load.close()
    server.should_exit = True
    server_thread.join(timeout=30)

    rush_all = rush_run["requests"]
    before = [r for r in rush_all if r["sent"] < close_mono]
    in_window = [r for r in before if r["done"] <= close_mono]
    after = [r for r in rush_all if r["sent"] >= close_mono]

    # the checks
    floor_all = [r for f in floors for r in f["requests"]]
    floor_usage = merged([f["usage"] for f in floors])
    floor_waits = [sample for f in floors for sample in f["waits"].samples]
    everything = logins + floor_all + rush_all
    failures = [r for r in everything if r["status"] >= 500 or r["status"] == 0]
    accepted = [r for r in rush_all if r["status"] == 200]
    last_accepted: dict[str, dict[str, Any]] = {}
    for r in sorted(accepted, key=lambda r: r["done"]):
        last_accepted[r["office"]] = r
    details, cases, events = table_of(CaseDetail), table_of(Case), table_of(Event)
    with db.transaction(read_only=True) as tx:
        stored = {i: d for i, d in tx.execute(select(details.c.case_id, details.c.declaration))}
        states = {i: s for i, s in tx.execute(select(cases.c.id, cases.c.state))}
        declare_events = tx.execute(
            select(func.count()).select_from(events).where(events.c.action == "declare")
        ).scalar_one()
        late_events = tx.execute(
            select(func.count())
            .select_from(events)
            .where(events.c.action == "declare", events.c.logical_at > closes_at)
        ).scalar_one()
    db.dispose()
    wrong_data = sum(1 for o, r in last_accepted.items() if stored[case_of[o]] != r["declaration"])
    still_declaring = sum(1 for o in last_accepted if states[case_of[o]] == "declaring")
    unmatched = abs(declare_events - len(accepted))
    missing = wrong_data + still_declaring + unmatched
    late = late_events + sum(1 for r in after if r["status"] == 200)
    after_statuses = Counter(r["status"] for r in after)
    not_409 = sum(n for s, n in after_statuses.items() if s != 409)
    said = Counter(refusal(r) for r in after if r["status"] != 200)

    halves = [len(f["done"]) / half for f in floors]
    floor_rps = sum(len(f["done"]) for f in floors) / args.rush_seconds
    declare_rps = len(in_window) / args.rush_seconds
    ratio = declare_rps / floor_rps
    floor_ms, declare_ms = latencies_ms(floor_all), latencies_ms(before)
    report = sweeps.get("report")

    print(
        f"\nmohlat deadline-rush benchmark: postgresql, {args.offices:,} offices, "
        f"{args.clients} clients, the last {RUSH_SIMULATED / 60:g} simulated minutes in "
        f"{args.rush_seconds:g} s ({speed:g}x), then {args.after_seconds:g} s past the close"
    )
    print(f"load average (1 min) when it started: {load_average:.2f}")
    print_table(
        "set-up (not timed as the benchmark), seconds",
        [*setup.items(), ("total set-up", sum(setup.values()))],
    )
    print_table(
        f"throughput, requests per second (answered within the {args.rush_seconds:g} s)",
        [
            ("floor: GET one case by id (bare route)", floor_rps),
            (
                f"  {half:g} s before the rush | {half:g} s after",
                f"{halves[0]:.1f} | {halves[1]:.1f}",
            ),
            ("declare: POST /actions/declare", declare_rps),
            ("declare / floor", ratio),
            (
                f"target: declare >= {TARGET_RATIO:g} x floor",
                "met" if ratio >= TARGET_RATIO else "NOT MET",
            ),
        ],
    )
    print_table(
        "latency, ms (floor | declare)",
        [
            (f"p{p}", f"{percentile(floor_ms, p):8.1f} | {percentile(declare_ms, p):8.1f}")
            for p in (50, 95, 99)
        ]
        + [("max", f"{max(floor_ms):8.1f} | {max(declare_ms):8.1f}")],
    )
    client_cpu = {
        "floor": sum(f["cpu"] for f in floors) / floor_usage["wall"],
        "rush": rush_run["cpu"] / rush_usage["wall"],
    }
    print_table(
        "CPU, cores busy on average (floor | rush; the machine has 2)",
        [
            ("server process (uvicorn, app, sweep)", cores(floor_usage, rush_usage, "server")),
            ("load generator process", f"{client_cpu['floor']:5.2f} | {client_cpu['rush']:5.2f}"),
            (f"PostgreSQL processes of {database!r}", cores(floor_usage, rush_usage, "postgres")),
            ("whole machine (other jobs too)", cores(floor_usage, rush_usage, "machine")),
        ],
    )
    n_floor, n_rush = len(floor_all), len(rush_all)
    print_table(
        "per request (floor | rush: the declarations, and the sweep's share)",
        [
            (
                "server CPU, ms",
                f"{per_request_ms(floor_usage, 'server', n_floor):5.2f} | "
                f"{per_request_ms(rush_usage, 'server', n_rush):5.2f}",
            ),
            (
                "  floor / declare (the ratio if server CPU bounds both)",
                per_request_ms(floor_usage, "server", n_floor)
                / per_request_ms(rush_usage, "server", n_rush),
            ),
            (
                "PostgreSQL CPU, ms",
                f"{per_request_ms(floor_usage, 'postgres', n_floor):5.2f} | "
                f"{per_request_ms(rush_usage, 'postgres', n_rush):5.2f}",
            ),
            (
                "database connections the server opened",
                f"{floor_usage['connections']:5.0f} | {rush_usage['connections']:5.0f}",
            ),
            (
                "PostgreSQL sessions running a statement (mean)",
                f"{mean(floor_waits, 0):5.1f} | {mean(rush_waits.samples, 0):5.1f}",
            ),
            (
                "  of them waiting for a row lock (mean)",
                f"{mean(floor_waits, 1):5.1f} | {mean(rush_waits.samples, 1):5.1f}",
            ),
        ],
    )
    print_table(
        "the rush",
        [
            ("declarations sent before the close", len(before)),
            ("  accepted (200)", sum(1 for r in before if r["status"] == 200)),
            (
                "  refused: sent before, handled after the close",
                sum(1 for r in before if r["status"] == 409),
            ),
            *[
                (f"    {k}", n)
                for k, n in Counter(refusal(r) for r in before if r["status"] == 409).most_common()
            ],
            ("offices with an accepted declaration", len(last_accepted)),
            ("declarations sent after the close", len(after)),
            *[(f"  answered {s}", n) for s, n in sorted(after_statuses.items())],
            *[(f"  refused: {k}", n) for k, n in said.most_common()],
            (
                "  refused naming the deadline",
                sum(n for k, n in said.items() if "deadline passed" in k),
            ),
            ("sweep: started after the close, real ms", sweeps["delay"] * 1000),
            ("sweep: seconds", sweeps["seconds"]),
            ("sweep: events written", report.total if report else 0),
            ("sweep after the load: events written", last.total),
            *[
                (f"cases {s} after the close", n)
                for s, n in sorted(Counter(states.values()).items())
            ],
        ],
    )
    print_table(
        "checks (each must be 0)",
        [
            ("server errors (5xx or no answer)", len(failures)),
            ("accepted declarations missing after the close", missing),
            ("  last accepted data not what the database holds", wrong_data),
            ("  cases with an accepted declaration still declaring", still_declaring),
            (
                f"  declare events ({declare_events:,}) vs accepted ({len(accepted):,})",
                unmatched,
            ),
            ("declarations accepted after 23:59:59", late),
            ("declarations sent after the close not answered 409", not_409),
        ],
    )
    failed = bool(failures or missing or late or not_409)
    print("\nchecks:", "FAILED" if failed else "passed")
    for r in failures[:3]:
        print("  e.g.", r["status"], r.get("error") or r.get("detail"))
    if sampler:
        sampler.report()
    return 1 if failed else 0


if __name__ == "__main__":
    main()
