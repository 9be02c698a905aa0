"""What every page shares: the templates, running an operation as the person signed
in, the session cookie and the form token (CSRF).

The session cookie holds the same opaque token the API's bearer tokens are (one
session table, one lockout, one expiry): HttpOnly, SameSite=Lax, Secure when the
page was asked for over HTTPS. Every form carries a token that must equal the
``mohlat_form`` cookie (double submit), and a form posted without it is refused.
"""

from __future__ import annotations

import secrets
from collections.abc import Collection
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from fastapi import Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from jinja2 import Environment, PackageLoader, select_autoescape

from mohlat.api.catalog import OPERATIONS
from mohlat.api.operations import Call, parse_params
from mohlat.errors import MohlatError, PermissionDenied
from mohlat.services.access import Actor
from mohlat.web.persian import filters
from mohlat.web.problems import status_of
from mohlat.workflow.definition import ACTIONS, Role, State
from mohlat.workflow.rulebook import manual_actions_from

if TYPE_CHECKING:
    from mohlat.web.routes import Served

__all__ = ["FORM_COOKIE", "SESSION_COOKIE", "FormRefused", "Portal", "Visitor", "error_field"]

SESSION_COOKIE = "mohlat_session"
FORM_COOKIE = "mohlat_form"


def error_field(error: MohlatError, aliases: dict[str, str] | None = None) -> str:
    """The form field an error names, as the pages name their fields ("first day" is
    ``first_day``, "regions.0" is ``regions``; ``aliases``: the service's name for a
    field a form calls otherwise), or "form" when it names none."""
    named = getattr(error, "field", None)
    if not isinstance(named, str) or not named:
        return "form"
    field = named.split(".", 1)[0].strip().replace(" ", "_")
    return (aliases or {}).get(field, field)


def open_actions(state: str, role: Role, forms: Collection[str]) -> list[str]:
    """The actions among ``forms`` (those a page has a form for) that ``role`` may take
    in ``state``, as the workflow's declaration says."""
    return [
        a
        for a in manual_actions_from(State(state))
        if a in forms and role in (ACTIONS[a].roles or ())
    ]


class FormRefused(PermissionDenied):
    """A form came without the token of the page it was on (a forged request)."""

    def __init__(self) -> None:
        super().__init__("visitor", "form", "the form's token is missing or wrong: reload the page")


@dataclass(frozen=True)
class Visitor:
    """Who asks for a page: the signed-in actor (or None), the session's token, and
    the form token to put in its forms."""

    actor: Actor | None
    token: str | None
    form_token: str
    must_change_password: bool = False


class Portal:
    """The pages' access to the application."""

    def __init__(self, served: Served) -> None:
        self.served = served
        self.env = Environment(
            loader=PackageLoader("mohlat.web", "templates"),
            autoescape=select_autoescape(["html", "svg"]),
            trim_blocks=True,
            lstrip_blocks=True,
        )
        self.env.filters.update(filters())

    def now(self) -> Any:
        """The server's clock's now."""
        return self.served.clock.now()

    def run(self, name: str, visitor: Visitor | None, **params: Any) -> Any:
        """Run the operation ``name`` as the visitor, with ``params`` (blank ones left out)."""
        op = OPERATIONS[name]
        given = {k: v for k, v in params.items() if v not in (None, "")}
        actor = visitor.actor if visitor is not None else None
        call = Call(
            self.served.db,
            actor,
            self.now(),
            settings=self.served.settings,
            token=visitor.token if visitor is not None else None,
        )
        return op.run(call, parse_params(op, given))

    def visitor(self, request: Request) -> Visitor:
        """Who asks: the actor the session cookie stands for (None: nobody; a closed or
        expired session counts as nobody)."""
        from mohlat.errors import AuthenticationFailed, PasswordChangeRequired
        from mohlat.services.sessions import session_actor

        form_token = request.cookies.get(FORM_COOKIE) or secrets.token_urlsafe(24)
        token = request.cookies.get(SESSION_COOKIE)
        if not token:
            return Visitor(None, None, form_token)
        try:
            actor = session_actor(self.served.db, token=token, now=self.now())
        except PasswordChangeRequired:
            actor = session_actor(
                self.served.db, token=token, now=self.now(), changing_password=True
            )
            return Visitor(actor, token, form_token, must_change_password=True)
        except AuthenticationFailed:
            return Visitor(None, None, form_token)
        return Visitor(actor, token, form_token)

    def signed_in(self, request: Request) -> Visitor | Response:
        """The visitor, or where to go first: signing in, or changing the password."""
        visitor = self.visitor(request)
        if visitor.actor is None:
            return self.redirect("/login")
        if visitor.must_change_password:
            return self.redirect("/password")
        return visitor

    async def form(self, request: Request, visitor: Visitor) -> dict[str, str]:
        """The posted form's fields, refused unless it carries the visitor's form token."""
        data = await request.form()
        sent = str(data.get("form_token", ""))
        cookie = request.cookies.get(FORM_COOKIE, "")
        if not cookie or not secrets.compare_digest(sent, cookie):
            raise FormRefused()
        return {k: str(v) for k, v in data.items() if k != "form_token"}

    def page(
        self, request: Request, visitor: Visitor, template: str, status: int = 200, **context: Any
    ) -> HTMLResponse:
        """The template rendered for the visitor (with its form token set as a cookie)."""
        html = self.env.get_template(template).render(visitor=visitor, **context)
        response = HTMLResponse(html, status_code=status)
        self._keep_form_token(request, response, visitor.form_token)
        return response

    def refused(self, request: Request, visitor: Visitor, error: MohlatError) -> HTMLResponse:
        """The page saying why something was refused (404 for what is not there or not
        the visitor's)."""
        return self.page(request, visitor, "refused.html", status_of(error), message=str(error))

    def redirect(self, to: str) -> RedirectResponse:
        """Go to ``to`` after a form (see other)."""
        return RedirectResponse(to, status_code=303)

    def sign_in(self, request: Request, response: Response, token: str) -> None:
        """Keep the session ``token`` in the visitor's browser."""
        response.set_cookie(
            SESSION_COOKIE,
            token,
            httponly=True,
            samesite="lax",
            secure=request.url.scheme == "https",
            path="/",
        )

    def sign_out(self, response: Response) -> None:
        """Forget the session in the browser."""
        response.delete_cookie(SESSION_COOKIE, path="/")

    @staticmethod
    def _keep_form_token(request: Request, response: Response, token: str) -> None:
        if request.cookies.get(FORM_COOKIE) != token:
            response.set_cookie(
                FORM_COOKIE,
                token,
                httponly=True,
                samesite="strict",
                secure=request.url.scheme == "https",
                path="/",
            )
