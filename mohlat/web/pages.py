"""The portal's pages: server-rendered HTML in Persian, right to left, from the same
operations the API serves (:mod:`mohlat.api`); nothing here decides anything.

Public pages need no login and show nothing personal: the ranking of a published
campaign (filters, search, pages), its numbers (per region and grade, the score
distribution drawn in SVG) and an office's standing with its score line by line.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from jinja2 import Environment, PackageLoader, select_autoescape

from mohlat.api.catalog import OPERATIONS
from mohlat.api.operations import Call, parse_params
from mohlat.errors import MohlatError
from mohlat.services.access import Actor
from mohlat.web import charts
from mohlat.web.persian import KINDS_FA, filters
from mohlat.web.problems import status_of

if TYPE_CHECKING:
    from mohlat.web.routes import Served

__all__ = ["pages_router", "templates"]


def templates() -> Environment:
    """The pages' templates, escaping everything they show."""
    env = Environment(
        loader=PackageLoader("mohlat.web", "templates"),
        autoescape=select_autoescape(["html", "svg"]),
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters.update(filters())
    return env


def pages_router(served: Served) -> APIRouter:
    """The portal's routes, serving with ``served``'s database and clock."""
    env = templates()
    router = APIRouter(include_in_schema=False)

    def run(name: str, actor: Actor | None, **params: Any) -> Any:
        op = OPERATIONS[name]
        given = {k: v for k, v in params.items() if v not in (None, "")}
        call = Call(served.db, actor, served.clock.now(), settings=served.settings)
        return op.run(call, parse_params(op, given))

    def page(name: str, status: int = 200, **context: Any) -> HTMLResponse:
        html = env.get_template(name).render(**context)
        return HTMLResponse(html, status_code=status)

    def refused(error: MohlatError) -> HTMLResponse:
        return page("refused.html", status_of(error), message=str(error))

    @router.get("/")
    def home() -> Response:
        return RedirectResponse("/ranking", status_code=303)

    @router.get("/ranking")
    def ranking(
        request: Request,
        campaign: str | None = None,
        region: str | None = None,
        province: str | None = None,
        kind: str | None = None,
        grade: str | None = None,
        q: str | None = None,
    ) -> HTMLResponse:
        try:
            campaigns = run("campaign.list", None)
            found = run(
                "ranking.page", None, campaign=campaign, region=region, province=province,
                kind=kind, grade=grade, search=q, page=request.query_params.get("page"),
            )  # fmt: skip
            summary = run("ranking.summary", None, campaign=found.campaign)
        except MohlatError as error:
            return refused(error)
        asked = {k: v for k, v in request.query_params.items() if k != "page" and v}
        return page(
            "ranking.html",
            campaigns=campaigns,
            found=found,
            summary=summary,
            bars=charts.bars(summary.bins),
            chart=charts,
            asked=asked,
            kinds=KINDS_FA,
            grades=sorted({g.grade for g in summary.per_region if g.grade}),
            regions=range(1, 10),
            per_region=_per_region(summary),
        )

    @router.get("/ranking/offices/{code}")
    def office(code: str, campaign: str | None = None) -> HTMLResponse:
        try:
            standing = run("ranking.office", None, code=code, campaign=campaign)
        except MohlatError as error:
            return refused(error)
        return page("office.html", standing=standing, now=served.clock.now())

    return router


def _per_region(summary: Any) -> list[tuple[int, dict[str, int], int]]:
    """Each region's counts by grade, and its total."""
    rows: dict[int, dict[str, int]] = {}
    for count in summary.per_region:
        rows.setdefault(count.region, {})[count.grade or "–"] = count.cases
    return [(region, grades, sum(grades.values())) for region, grades in sorted(rows.items())]
