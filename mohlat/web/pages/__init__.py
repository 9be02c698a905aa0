"""The portal's pages (server-rendered HTML in Persian, right to left), one module per
audience: the public (:mod:`.public`), signing in (:mod:`.signin`), an office's
self-service (:mod:`.office`), the region's queue and case pages (:mod:`.staff`), the
administrator's dashboard, timelines and calendar (:mod:`.admin`). Each page runs the
API's operations; what a page may do is the services' to decide."""

from __future__ import annotations

from typing import TYPE_CHECKING

from fastapi import APIRouter

from mohlat.web.pages import admin, office, public, signin, staff
from mohlat.web.pages.common import Portal

if TYPE_CHECKING:
    from mohlat.web.routes import Served

__all__ = ["pages_router"]


def pages_router(served: Served) -> APIRouter:
    """Every page, serving with ``served``'s database and clock."""
    portal = Portal(served)
    router = APIRouter(include_in_schema=False)
    for module in (public, signin, office, staff, admin):
        router.include_router(module.router(portal))
    return router
