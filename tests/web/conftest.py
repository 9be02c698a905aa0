"""Fixtures for the server: a served world, and it served by a real uvicorn on a free
port (for the CLI's remote mode)."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator

import pytest
import uvicorn
from served import Site, free_port
from support import tehran

from mohlat.clock import SimulatedClock
from mohlat.store import Database
from mohlat.web.limits import LoginLimits, SlidingWindow


@pytest.fixture
def site(db: Database) -> Site:
    clock = SimulatedClock(tehran(1400, 1, 20, 10))
    return Site(db, clock, LoginLimits(SlidingWindow(1000), SlidingWindow(1000)))


@pytest.fixture
def live_url(site: Site) -> Iterator[str]:
    """The site served by uvicorn on a free local port."""
    port = free_port()
    server = uvicorn.Server(
        uvicorn.Config(site.app, host="127.0.0.1", port=port, log_level="warning")
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started and time.monotonic() < deadline:
        time.sleep(0.02)
    assert server.started, "uvicorn did not start"
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    thread.join(timeout=10)
