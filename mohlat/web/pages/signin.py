"""Signing in and out: an office with its holder's national ID (the first time with
the activation code its region gave it), staff with their user name; a password that
must change is changed before anything else. The same sessions, lockout and login
limits as the API."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from mohlat.errors import InvalidInput, MohlatError
from mohlat.web.pages.common import Portal, Visitor
from mohlat.workflow.definition import Role

__all__ = ["home_of", "router"]


#: where each role starts after signing in
HOMES = {Role.OFFICE: "/my", Role.SUPERVISOR: "/queue", Role.ADMIN: "/admin"}


def home_of(visitor: Visitor) -> str:
    """Where a signed-in visitor starts."""
    if visitor.actor is None:
        return "/login"
    if visitor.must_change_password:
        return "/password"
    return HOMES[visitor.actor.role]


def router(portal: Portal) -> APIRouter:
    """The sign-in pages' routes."""
    routes = APIRouter()

    @routes.get("/login")
    def login_page(request: Request) -> Response:
        visitor = portal.visitor(request)
        if visitor.actor is not None:
            return portal.redirect(home_of(visitor))
        return portal.page(request, visitor, "login.html", errors={}, given={})

    @routes.post("/login")
    async def login(request: Request) -> Response:
        visitor = portal.visitor(request)
        given: dict[str, str] = {}
        try:
            given = await portal.form(request, visitor)
            client = request.client.host if request.client else ""
            username = given.get("username", "")
            portal.served.limits.check(address=client, username=username)
            issued = portal.run(
                "session.open", None, username=username, password=given.get("password", "")
            )
        except MohlatError as error:
            return _again(portal, request, visitor, "login.html", error, given)
        response = portal.redirect(
            "/password" if issued.must_change_password else HOMES[Role(issued.role)]
        )
        portal.sign_in(request, response, issued.token)
        return response

    @routes.post("/logout")
    async def logout(request: Request) -> Response:
        visitor = portal.visitor(request)
        try:
            await portal.form(request, visitor)
        except MohlatError as error:
            return portal.refused(request, visitor, error)
        if visitor.token:
            portal.run("session.close", visitor)
        response = portal.redirect("/ranking")
        portal.sign_out(response)
        return response

    @routes.get("/activate")
    def activate_page(request: Request) -> Response:
        visitor = portal.visitor(request)
        return portal.page(request, visitor, "activate.html", errors={}, given={})

    @routes.post("/activate")
    async def activate(request: Request) -> Response:
        visitor = portal.visitor(request)
        given: dict[str, str] = {}
        try:
            given = await portal.form(request, visitor)
            _same_twice(given)
            client = request.client.host if request.client else ""
            portal.served.limits.check(address=client, username=given.get("username", ""))
            portal.run(
                "session.activate", None, username=given.get("username"),
                code=given.get("code"), new_password=given.get("new_password"),
            )  # fmt: skip
        except MohlatError as error:
            return _again(portal, request, visitor, "activate.html", error, given)
        return portal.page(request, visitor, "login.html", errors={}, given={},
                           notice="حساب فعال شد؛ با گذرواژهٔ تازه وارد شوید.")  # fmt: skip

    @routes.get("/password")
    def password_page(request: Request) -> Response:
        visitor = portal.visitor(request)
        if visitor.actor is None:
            return portal.redirect("/login")
        return portal.page(request, visitor, "password.html", errors={}, given={})

    @routes.post("/password")
    async def password(request: Request) -> Response:
        visitor = portal.visitor(request)
        if visitor.actor is None:
            return portal.redirect("/login")
        given: dict[str, str] = {}
        try:
            given = await portal.form(request, visitor)
            _same_twice(given)
            portal.run("session.password", visitor, new_password=given.get("new_password"))
        except MohlatError as error:
            return _again(portal, request, visitor, "password.html", error, given)
        response = portal.page(request, Visitor(None, None, visitor.form_token), "login.html",
                               errors={}, given={},
                               notice="گذرواژه تغییر کرد؛ دوباره وارد شوید.")  # fmt: skip
        portal.sign_out(response)
        return response

    return routes


def _same_twice(given: dict[str, str]) -> None:
    if given.get("new_password") != given.get("confirm"):
        raise InvalidInput("confirm", "(hidden)", "the same new password twice")


def _again(
    portal: Portal,
    request: Request,
    visitor: Visitor,
    template: str,
    error: MohlatError,
    given: dict[str, str],
) -> HTMLResponse:
    """The form again, with the error at its field (or above the form)."""
    from mohlat.web.problems import status_of

    field = getattr(error, "field", None) or "form"
    shown = {k: v for k, v in given.items() if "password" not in k and k not in ("code", "confirm")}
    return portal.page(request, visitor, template, status_of(error),
                       errors={field: str(error)}, given=shown)  # fmt: skip
