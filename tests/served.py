"""What the server's tests share: a served world (the app on a test database with a
simulated clock, an in-process client) and reading problem documents."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import uvicorn
from fastapi.testclient import TestClient
from support import World, activate_account, tehran

from mohlat.clock import SimulatedClock
from mohlat.services.accounts import add_user
from mohlat.store import Database
from mohlat.web.app import create_app
from mohlat.web.limits import LoginLimits
from mohlat.workflow.definition import Role

PASSWORD = "good-pass-123"
API = "/api/v1"


class Site:
    """A served world: the database, its people, the clock, a client."""

    def __init__(self, db: Database, clock: SimulatedClock, limits: LoginLimits) -> None:
        self.db = db
        self.clock = clock
        self.world = World(db).setup()
        at = tehran(1400, 1, 10, 9)
        add_user(db, actor=None, username="admin", password=PASSWORD, role=Role.ADMIN,
                 region=None, now=at)  # fmt: skip
        for region in (1, 2):
            add_user(db, actor=None, username=f"sup{region}", password=PASSWORD,
                     role=Role.SUPERVISOR, region=region, now=at)  # fmt: skip
        self.office = self.world.office_actors[1].name
        self.other_office = self.world.office_actors[2].name
        for case in (1, 2):
            activate_account(db, self.world.office_actors[case].name, PASSWORD, at)
        self.app = create_app(db, clock=clock, settings={}, limits=limits)
        self.http = TestClient(self.app)

    def token(self, username: str, password: str = PASSWORD) -> str:
        answer = self.http.post(f"{API}/session", json={"username": username, "password": password})
        assert answer.status_code == 201, answer.text
        return str(answer.json()["token"])

    def as_(self, username: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token(username)}"}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextmanager
def served_live(app: Any) -> Iterator[str]:
    """``app`` served by uvicorn in a thread on a free local port: its URL."""
    port = free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started and time.monotonic() < deadline:
        time.sleep(0.02)
    assert server.started, "uvicorn did not start"
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)


def problem(answer: Any) -> dict[str, Any]:
    """The problem document of a refusal (checked to be one)."""
    assert answer.headers["content-type"].startswith("application/problem+json"), answer.text
    body: dict[str, Any] = answer.json()
    assert body["status"] == answer.status_code
    assert body["detail"]
    return body
