"""The public pages: no login, nothing personal. The ranking of a published campaign
(filters, search, pages), its numbers (per region and grade, the score distribution
drawn in SVG) and an office's standing with its score line by line."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from mohlat.errors import MohlatError
from mohlat.views import RankingSummary
from mohlat.web import charts
from mohlat.web.pages.common import Portal
from mohlat.web.persian import KINDS_FA

__all__ = ["router"]


def router(portal: Portal) -> APIRouter:
    """The public pages' routes."""
    routes = APIRouter()

    @routes.get("/")
    def home(request: Request) -> Response:
        return portal.redirect("/ranking")

    @routes.get("/ranking")
    def ranking(request: Request) -> HTMLResponse:
        visitor = portal.visitor(request)
        asked = {k: v for k, v in request.query_params.items() if v}
        try:
            campaigns = portal.run("campaign.list", None)
            found = portal.run(
                "ranking.page", None, campaign=asked.get("campaign"), region=asked.get("region"),
                province=asked.get("province"), kind=asked.get("kind"), grade=asked.get("grade"),
                search=asked.get("q"), page=asked.get("page"),
            )  # fmt: skip
            summary = portal.run("ranking.summary", None, campaign=found.campaign)
        except MohlatError as error:
            return portal.refused(request, visitor, error)
        asked.pop("page", None)
        return portal.page(
            request,
            visitor,
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

    @routes.get("/ranking/offices/{code}")
    def office(request: Request, code: str, campaign: str | None = None) -> HTMLResponse:
        visitor = portal.visitor(request)
        try:
            standing = portal.run("ranking.office", None, code=code, campaign=campaign)
        except MohlatError as error:
            return portal.refused(request, visitor, error)
        return portal.page(request, visitor, "office.html", standing=standing)

    return routes


def _per_region(summary: RankingSummary) -> list[tuple[int, dict[str, int], int]]:
    """Each region's counts by grade, and its total."""
    rows: dict[int, dict[str, Any]] = {}
    for count in summary.per_region:
        rows.setdefault(count.region, {})[count.grade or "–"] = count.cases
    return [(region, grades, sum(grades.values())) for region, grades in sorted(rows.items())]
