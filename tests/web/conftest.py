"""Fixtures for the server: a served world, and it served by a real uvicorn on a free
port (for the CLI's remote mode)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from served import Site, served_live
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
    with served_live(site.app) as url:
        yield url
