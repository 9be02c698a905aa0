"""The server: ``mohlat serve``'s ASGI application.

It alone holds the database and the chain key. Its API (``/api/v1``) is generated
from the operations (:mod:`mohlat.web.routes`); refusals are problem documents
(:mod:`mohlat.web.problems`); ``/healthz`` says the process is up and ``/readyz``
whether it can serve. The clock is injected: the product passes the system clock,
a benchmark or a test its own; no request, setting or variable moves it.
"""

from __future__ import annotations

import os
from collections.abc import AsyncIterator, Mapping
from contextlib import asynccontextmanager
from typing import TYPE_CHECKING, Any

from fastapi import FastAPI
from fastapi.responses import JSONResponse
from fastapi.staticfiles import StaticFiles

from mohlat import __version__
from mohlat.api.remote import API_PREFIX
from mohlat.clock import Clock, SystemClock
from mohlat.web import problems, security
from mohlat.web.limits import LoginLimits
from mohlat.web.pages import pages_router
from mohlat.web.routes import Served, api_router

if TYPE_CHECKING:
    from mohlat.services import Database

__all__ = ["app_from_environment", "create_app"]

DESCRIPTION = """\
The evaluation and ranking of Iran's government service counter offices and rural ICT
offices, with the Jalali-calendar deadlines enforced by the server.

Log in with `POST /api/v1/session` (an office: its holder's national ID) and send the
token it returns as `Authorization: Bearer TOKEN`. Every refusal is a problem document
(RFC 9457) with the message the CLI prints, the CLI's `exit_code`, and for bad input
the `field` at fault and what is `allowed`.
"""


def create_app(
    db: Database,
    *,
    clock: Clock | None = None,
    settings: Mapping[str, str] | None = None,
    limits: LoginLimits | None = None,
    root_path: str = "",
    sweep_every: float | None = None,
) -> FastAPI:
    """The application serving ``db`` with ``clock`` (default: the system clock).
    ``settings``: the server's own settings (default: its environment), where the
    chain key file is named; ``sweep_every``: also run the scheduler in this process,
    a sweep every so many seconds."""
    served = Served(
        db=db,
        clock=clock or SystemClock(),
        settings=dict(os.environ if settings is None else settings),
        limits=limits or LoginLimits(),
    )

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        if sweep_every is None:
            yield
            return
        from mohlat.scheduler import start_in_background

        scheduler = start_in_background(db, interval_seconds=sweep_every, clock=served.clock)
        try:
            yield
        finally:
            scheduler.shutdown(wait=True)

    app = FastAPI(
        lifespan=lifespan,
        title="mohlat",
        version=__version__,
        description=DESCRIPTION,
        root_path=root_path,
        docs_url="/api/docs",
        redoc_url=None,
    )
    app.state.served = served
    problems.install(app)
    security.install(app)
    app.include_router(api_router(served), prefix=API_PREFIX)
    app.include_router(pages_router(served))
    app.mount("/static", StaticFiles(packages=[("mohlat.web", "static")]), name="static")

    @app.get("/healthz", tags=["health"], summary="The process is up")
    def healthz() -> dict[str, str]:
        return {"status": "ok"}

    @app.get(
        "/readyz",
        tags=["health"],
        summary="The database is reachable, its schema current; the sweep's lag",
        responses={503: {"description": "Not ready"}},
    )
    def readyz() -> JSONResponse:
        from dataclasses import asdict

        from mohlat.services.health import readiness

        found = readiness(served.db, now=served.clock.now())
        body: dict[str, Any] = asdict(found)
        body["last_sweep_at"] = found.last_sweep_at.isoformat() if found.last_sweep_at else None
        return JSONResponse(body, status_code=200 if found.ready else 503)

    return app


def app_from_environment() -> FastAPI:
    """The application for ``$MOHLAT_DB`` with the system clock: uvicorn's factory for
    ``mohlat serve --workers N`` (``$MOHLAT_SWEEP_EVERY``: seconds between sweeps, when
    the server runs the scheduler)."""
    from mohlat.services import open_database

    every = os.environ.get("MOHLAT_SWEEP_EVERY")
    return create_app(
        open_database(os.environ.get("MOHLAT_DB")), sweep_every=float(every) if every else None
    )
