"""The load generator of ``bench_rush.py``: N concurrent HTTP clients (asyncio, one
``httpx.AsyncClient`` and so one keep-alive connection each), in a process of its own.

Not a benchmark itself: ``bench_rush.py`` starts it with ``python _rush_load.py`` and
talks to it over its standard input and output, one JSON document a line. The first
line it reads is the set-up (the server's URL, the password, each client's offices,
the case ids the floor reads); then one command a line, each answered by one line:

``{"phase": "login"}``
    every client logs each of its offices in (``POST /api/v1/session``), one after
    the other; the tokens stay here.
``{"phase": "floor", "start": T, "stop": T}``
    from ``start`` to ``stop`` (``time.monotonic()``: the same clock in every process
    on Linux), each client reads random cases from the bare floor endpoint, one
    request after the other.
``{"phase": "rush", "start": T, "stop": T}``
    each client declares for its offices in turn (``POST /api/v1/actions/declare``,
    ``{"fields": …}``, the office's own case), a different declaration each time.
``{"phase": "quit"}``

Each answer lists every request: when it was sent and answered (monotonic seconds),
its status, and for a declaration the office, what the server answered (the
accepted declaration, or the refusal's detail), and this process's CPU seconds.
"""

from __future__ import annotations

import asyncio
import json
import random
import sys
import time
from typing import Any

import httpx

API = "/api/v1"
LOCATIONS = ("city_centre", "city", "suburb", "rural")


def fields_for(n: int) -> dict[str, str]:
    """The ``n``-th declaration a client sends: every field differs from the last one's."""
    return {
        "office_space": str(20 + n % 5000),
        "staff_count": str(1 + n % 9),
        "location": LOCATIONS[n % 4],
        "holder_years": str(n % 41),
        "opening_hours": str(30 + n % 100),
    }


def record(sent: float, done: float, answer: httpx.Response | BaseException) -> dict[str, Any]:
    if isinstance(answer, BaseException):
        return {"sent": sent, "done": done, "status": 0, "error": repr(answer)[:200]}
    return {"sent": sent, "done": done, "status": answer.status_code}


async def wait_until(instant: float) -> None:
    delay = instant - time.monotonic()
    if delay > 0:
        await asyncio.sleep(delay)


class Client:
    """One person at a keyboard: a connection and the sessions of a few offices."""

    def __init__(self, base: str, usernames: list[str], seed: int) -> None:
        self.http = httpx.AsyncClient(
            base_url=base,
            timeout=httpx.Timeout(120.0),
            limits=httpx.Limits(max_connections=1, max_keepalive_connections=1),
        )
        self.usernames = usernames
        self.tokens: list[str] = []
        self.random = random.Random(seed)
        self.sent = 0

    async def call(self, method: str, url: str, **kw: Any) -> tuple[Any, dict[str, Any]]:
        sent = time.monotonic()
        try:
            answer: httpx.Response | BaseException = await self.http.request(method, url, **kw)
        except httpx.HTTPError as exc:
            answer = exc
        return answer, record(sent, time.monotonic(), answer)

    async def login(self, password: str) -> list[dict[str, Any]]:
        done = []
        for username in self.usernames:
            body = {"username": username, "password": password}
            answer, rec = await self.call("POST", f"{API}/session", json=body)
            if rec["status"] == 201:
                self.tokens.append(answer.json()["token"])
            else:
                rec["detail"] = answer.text[:300] if isinstance(answer, httpx.Response) else ""
            done.append(rec)
        return done

    async def floor(self, case_ids: list[int], start: float, stop: float) -> list[dict[str, Any]]:
        done = []
        await wait_until(start)
        while time.monotonic() < stop:
            case_id = self.random.choice(case_ids)
            answer, rec = await self.call("GET", f"/bench/floor/{case_id}")
            if rec["status"] != 200 and isinstance(answer, httpx.Response):
                rec["detail"] = answer.text[:300]
            done.append(rec)
        return done

    async def rush(self, start: float, stop: float) -> list[dict[str, Any]]:
        done = []
        await wait_until(start)
        turn = self.random.randrange(len(self.tokens))
        while time.monotonic() < stop:
            turn = (turn + 1) % len(self.tokens)
            self.sent += 1
            headers = {"Authorization": f"Bearer {self.tokens[turn]}"}
            body = {"fields": fields_for(self.sent * 7 + turn)}
            answer, rec = await self.call(
                "POST", f"{API}/actions/declare", json=body, headers=headers
            )
            rec["office"] = self.usernames[turn]
            if isinstance(answer, httpx.Response):
                if rec["status"] == 200:
                    shown = answer.json()
                    rec["case"] = shown["id"]
                    rec["declaration"] = shown["declaration"]
                    rec["state"] = shown["state"]
                else:
                    rec["detail"] = answer.text[:300]
            done.append(rec)
        return done


async def main() -> None:
    loop = asyncio.get_running_loop()

    async def read() -> Any:
        line = await loop.run_in_executor(None, sys.stdin.readline)
        return json.loads(line) if line else {"phase": "quit"}

    setup = await read()
    clients = [Client(setup["base"], names, seed=k) for k, names in enumerate(setup["clients"])]
    case_ids = setup["case_ids"]
    while True:
        command = await read()
        phase = command["phase"]
        if phase == "quit":
            break
        cpu = time.process_time()
        if phase == "login":
            jobs = [c.login(setup["password"]) for c in clients]
        elif phase == "floor":
            jobs = [c.floor(case_ids, command["start"], command["stop"]) for c in clients]
        elif phase == "rush":
            jobs = [c.rush(command["start"], command["stop"]) for c in clients]
        else:
            raise SystemExit(f"unknown phase {phase!r}")
        results = await asyncio.gather(*jobs)
        answer = {
            "phase": phase,
            "requests": [r for one in results for r in one],
            "cpu": time.process_time() - cpu,
        }
        sys.stdout.write(json.dumps(answer) + "\n")
        sys.stdout.flush()
    await asyncio.gather(*(c.http.aclose() for c in clients))


if __name__ == "__main__":
    asyncio.run(main())
