"""An office's self-service: its case (state, running deadlines with their Jalali date
and time left, the timeline in plain Persian) and the forms of the actions open to it
now (declare, correct, appeal), generated from the campaign's rubric and the action's
rule. A refusal comes back at the field it names."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from mohlat.errors import MohlatError
from mohlat.views import CaseDetailView
from mohlat.web.pages.common import Portal, Visitor, open_actions
from mohlat.web.persian import OFFICE_FORMS_FA
from mohlat.web.problems import status_of
from mohlat.workflow.definition import ACTIONS, Input, Role

__all__ = ["router", "time_left_fa"]


#: the office actions that have a form, and what the form is called
FORMS = OFFICE_FORMS_FA


def time_left_fa(due: datetime | None, now: datetime) -> str:
    """How long until ``due``, in Persian words and digits (or that it has passed)."""
    from mohlat.calendars import to_persian_digits

    if due is None:
        return "–"
    seconds = int((due - now).total_seconds())
    if seconds <= 0:
        return "گذشته"
    days, rest = divmod(seconds, 86400)
    hours, rest = divmod(rest, 3600)
    minutes = rest // 60
    parts = [f"{days} روز"] if days else []
    if hours:
        parts.append(f"{hours} ساعت")
    if not days:
        parts.append(f"{minutes} دقیقه")
    return to_persian_digits(" و ".join(parts))


def router(portal: Portal) -> APIRouter:
    """The office pages' routes."""
    routes = APIRouter()

    def own_case(visitor: Visitor) -> CaseDetailView:
        listed = portal.run("case.list", visitor, limit=1)
        if not listed:
            from mohlat.errors import CaseNotFound

            raise CaseNotFound("your office's case")
        detail: CaseDetailView = portal.run("case.show", visitor, ref=str(listed[0].id))
        return detail

    signed_in_office = portal.signed_in

    @routes.get("/my")
    def my_case(request: Request) -> Response:
        visitor = signed_in_office(request)
        if isinstance(visitor, Response):
            return visitor
        try:
            detail = own_case(visitor)
        except MohlatError as error:
            return portal.refused(request, visitor, error)
        now = portal.now()
        return portal.page(
            request, visitor, "my.html", detail=detail, now=now,
            left=[time_left_fa(d.due_at, now) for d in detail.deadlines],
            actions=open_actions(detail.case.state, Role.OFFICE, FORMS), forms=FORMS,
        )  # fmt: skip

    @routes.get("/my/{action}")
    def action_form(request: Request, action: str) -> Response:
        visitor = signed_in_office(request)
        if isinstance(visitor, Response):
            return visitor
        if action not in FORMS:
            return portal.redirect("/my")
        try:
            detail = own_case(visitor)
            return _form_page(portal, request, visitor, action, detail, {}, {})
        except MohlatError as error:
            return portal.refused(request, visitor, error)

    @routes.post("/my/{action}")
    async def take_action(request: Request, action: str) -> Response:
        visitor = signed_in_office(request)
        if isinstance(visitor, Response):
            return visitor
        if action not in FORMS:
            return portal.redirect("/my")
        given: dict[str, str] = {}
        try:
            given = await portal.form(request, visitor)
            detail = own_case(visitor)
        except MohlatError as error:
            return portal.refused(request, visitor, error)
        try:
            portal.run(f"case.{action}", visitor, case=str(detail.case.id),
                       if_version=given.get("version"), **_inputs(action, given))  # fmt: skip
        except MohlatError as error:
            field = getattr(error, "field", None) or "form"
            return _form_page(portal, request, visitor, action, detail, given,
                              {field: str(error)}, status=status_of(error))  # fmt: skip
        return portal.redirect("/my")

    return routes


def _inputs(action: str, given: dict[str, str]) -> dict[str, Any]:
    """The action's inputs from the form's fields, as its rule names them."""
    rule = ACTIONS[action]
    found: dict[str, Any] = {}
    if rule.inputs & {Input.DECLARATION, Input.FIELDS}:
        fields = {
            k.removeprefix("field."): v
            for k, v in given.items()
            if k.startswith("field.") and v.strip()
        }
        found["fields"] = fields
    if Input.TEXT in rule.inputs:
        found["text"] = given.get("text")
    if Input.DISPUTES in rule.inputs:
        found["disputes"] = [k.removeprefix("dispute.") for k in given if k.startswith("dispute.")]
    return found


def _form_page(
    portal: Portal,
    request: Request,
    visitor: Visitor,
    action: str,
    detail: CaseDetailView,
    given: dict[str, str],
    errors: dict[str, str],
    status: int = 200,
) -> HTMLResponse:
    form = portal.run("campaign.form", visitor, code=detail.case.campaign)
    declared = detail.case.declaration
    values = {
        f.code: given.get(f"field.{f.code}", str(declared.get(f.code, ""))) for f in form.fields
    }
    referral = next(
        (e.payload.get("text") or e.payload.get("reason") for e in reversed(detail.events)
         if e.action == "refer"),
        None,
    )  # fmt: skip
    return portal.page(
        request, visitor, "action.html", status, action=action, title=FORMS[action],
        rule=ACTIONS[action], form=form, values=values, errors=errors, given=given,
        detail=detail, referral=referral, Input=Input,
    )  # fmt: skip
