"""The region's pages (a supervisor's, and an admin's): the queue of the cases waiting
on the region, earliest running deadline first, and a case page with the case's data,
score lines, deadlines and timeline and the forms of the region's actions open in its
state (review, refer, approve, decide), generated from each action's rule and the
campaign's rubric. A refusal comes back at the field it names; a case outside the
visitor's remit is "not found", as the services say."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any, Final
from urllib.parse import quote

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from mohlat.errors import MohlatError, Refused
from mohlat.views import CaseDetailView, CaseSummary, DeadlineView, DeclarationForm, Explanation
from mohlat.web.pages.common import Portal, Visitor, error_field, open_actions
from mohlat.web.pages.office import time_left_fa
from mohlat.web.persian import STAFF_FORMS_FA, TEXT_LABELS_FA
from mohlat.web.problems import status_of
from mohlat.workflow.definition import ACTIONS, STATE_DEADLINES, Input, State

__all__ = ["QueueRow", "queue", "router"]

#: the states of the cases the queue lists: waiting on the region, or on the office
#: the region referred them to
QUEUE_STATES: Final = (State.REGIONAL_REVIEW, State.CORRECTION_REFERRAL, State.APPEALED)
#: the rows the queue shows: the cases with the earliest deadlines
QUEUE_SIZE: Final = 50
#: the cases read per state before they are ordered by deadline
LISTED: Final = 1000
#: how far ahead the running deadlines are looked up (the longest span "due" takes)
AHEAD: Final = "366d"
#: the names a service gives a field that the forms call otherwise
_ALIASES: Final = {"reason": "text", "association_score": "association"}


@dataclass(frozen=True)
class QueueRow:
    """One case of the queue and its running deadline."""

    case: CaseSummary
    #: the deadline's kind and due instant (None: the case has none)
    kind: str | None
    due_at: datetime | None
    left: str
    #: its deadline has passed (an escalated appeal decision among them)
    overdue: bool


def queue(portal: Portal, visitor: Visitor, campaign: str | None) -> tuple[list[QueueRow], int]:
    """The visitor's queue (at most :data:`QUEUE_SIZE` rows) and how many cases wait.

    One ``case.list`` per state and one ``due`` for every running deadline in the
    visitor's remit; only a case whose deadline has already passed (an escalated
    appeal, a review the sweep has not closed yet) is read with ``case.show``."""
    waiting: list[CaseSummary] = [
        c
        for s in QUEUE_STATES
        for c in portal.run("case.list", visitor, campaign=campaign, state=s.value, limit=LISTED)
    ]
    coming: dict[int, dict[str, datetime]] = {}
    for d in portal.run("due", visitor, campaign=campaign, within=AHEAD):
        coming.setdefault(d.case_id, {}).setdefault(d.kind, d.due_at)
    now = portal.now()
    found: list[tuple[CaseSummary, str | None, datetime | None]] = []
    passed: list[CaseSummary] = []
    for c in waiting:
        kind, due_at = _running(c.state, coming.get(c.id, {}))
        if due_at is None:
            passed.append(c)
        else:
            found.append((c, kind, due_at))
    for c in passed[:QUEUE_SIZE]:
        detail: CaseDetailView = portal.run("case.show", visitor, ref=str(c.id))
        kind, due_at = _state_deadline(c.state, detail.deadlines)
        found.append((c, kind, due_at))
    found.sort(key=lambda r: (r[2] is None, r[2] or now, r[0].id))
    rows = [
        QueueRow(c, kind, due_at, time_left_fa(due_at, now),
                 c.escalated or (due_at is not None and due_at <= now))
        for c, kind, due_at in found[:QUEUE_SIZE]
    ]  # fmt: skip
    return rows, len(waiting)


def _running(state: str, pending: dict[str, datetime]) -> tuple[str | None, datetime | None]:
    """The deadline the state carries among a case's pending ones (else the earliest)."""
    rule = STATE_DEADLINES.get(State(state))
    if rule is not None and rule.kind.value in pending:
        return rule.kind.value, pending[rule.kind.value]
    if pending:
        kind = min(pending, key=lambda k: pending[k])
        return kind, pending[kind]
    return None, None


def _state_deadline(
    state: str, deadlines: tuple[DeadlineView, ...]
) -> tuple[str | None, datetime | None]:
    """The last deadline of the kind the state carries (it may have passed)."""
    rule = STATE_DEADLINES.get(State(state))
    mine = [d for d in deadlines if rule is not None and d.kind == rule.kind.value]
    if not mine:
        return None, None
    return mine[-1].kind, mine[-1].due_at


def router(portal: Portal) -> APIRouter:
    """The region's pages' routes."""
    routes = APIRouter()

    @routes.get("/queue")
    def queue_page(request: Request) -> Response:
        visitor = portal.signed_in(request)
        if isinstance(visitor, Response):
            return visitor
        campaign = request.query_params.get("campaign") or None
        try:
            rows, waiting = queue(portal, visitor, campaign)
        except MohlatError as error:
            return portal.refused(request, visitor, error)
        return portal.page(request, visitor, "queue.html", rows=rows, waiting=waiting,
                           shown=QUEUE_SIZE)  # fmt: skip

    @routes.get("/cases/{ref}")
    def case_page(request: Request, ref: str) -> Response:
        visitor = portal.signed_in(request)
        if isinstance(visitor, Response):
            return visitor
        done = request.query_params.get("done")
        try:
            return _case_page(portal, request, visitor, ref, request.query_params.get("campaign"),
                              done=done if done in STAFF_FORMS_FA else None)  # fmt: skip
        except MohlatError as error:
            return portal.refused(request, visitor, error)

    @routes.post("/cases/{ref}/{action}")
    async def take_action(request: Request, ref: str, action: str) -> Response:
        visitor = portal.signed_in(request)
        if isinstance(visitor, Response):
            return visitor
        if action not in STAFF_FORMS_FA:
            return portal.redirect(f"/cases/{quote(ref, safe='')}")
        try:
            given = await portal.form(request, visitor)
        except MohlatError as error:
            return portal.refused(request, visitor, error)
        try:
            done: CaseSummary = portal.run(
                f"case.{action}", visitor, case=ref, if_version=given.get("version"),
                **_inputs(action, given),
            )  # fmt: skip
        except MohlatError as error:
            errors = {f"{action}-{error_field(error, _ALIASES)}": str(error)}
            try:
                return _case_page(portal, request, visitor, ref, None, errors=errors,
                                  posted=action, given=given, status=status_of(error))  # fmt: skip
            except MohlatError as unseen:
                return portal.refused(request, visitor, unseen)
        return portal.redirect(f"/cases/{done.id}?done={action}")

    return routes


def _inputs(action: str, given: dict[str, str]) -> dict[str, Any]:
    """The action's inputs from the form's fields, as its rule names them (blank ones
    left out)."""
    inputs = ACTIONS[action].inputs
    found: dict[str, Any] = {}
    if inputs & {Input.DECLARATION, Input.FIELDS}:
        found["fields"] = _prefixed(given, "field.")
    if Input.ASSOCIATION_SCORE in inputs:
        found["association_score"] = given.get("association_score")
    if Input.VIOLATIONS in inputs:
        found["violations"] = _prefixed(given, "violation.")
    if Input.TEXT in inputs:
        found["text"] = given.get("text")
    return found


def _prefixed(given: dict[str, str], prefix: str) -> dict[str, str]:
    return {
        k.removeprefix(prefix): v for k, v in given.items() if k.startswith(prefix) and v.strip()
    }


def _shown(value: object) -> str:
    """A value as a form field holds it (15.0 as 15)."""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return "" if value is None else str(value)


def _values(
    action: str, detail: CaseDetailView, form: DeclarationForm, given: dict[str, str] | None
) -> dict[str, str]:
    """What an action's form shows: what was posted, else what the case holds."""
    case = detail.case
    held = {f"field.{f.code}": _shown(case.declaration.get(f.code)) for f in form.fields}
    held.update(
        {f"violation.{v.code}": _shown(case.violations.get(v.code)) for v in form.violations}
    )
    held["association_score"] = _shown(case.association_score)
    held["text"] = ""
    return {**held, **given} if given is not None else held


def _rendered(action: str, form: DeclarationForm) -> set[str]:
    """The names of the fields an action's form shows (an error naming another is shown
    above the form)."""
    inputs = ACTIONS[action].inputs
    names = {"form"}
    if inputs & {Input.DECLARATION, Input.FIELDS}:
        names.update(f.code for f in form.fields)
    if Input.ASSOCIATION_SCORE in inputs and form.association is not None:
        names.add(form.association.code)
    if Input.VIOLATIONS in inputs:
        names.update(v.code for v in form.violations)
    if Input.TEXT in inputs:
        names.add("text")
    return names


def _at_fields(errors: dict[str, str], form: DeclarationForm) -> dict[str, str]:
    """The errors keyed ``action-field``, each at a field its form shows."""
    placed = {}
    for key, message in errors.items():
        action, _, field = key.partition("-")
        placed[f"{action}-{field if field in _rendered(action, form) else 'form'}"] = message
    return placed


def _case_page(
    portal: Portal,
    request: Request,
    visitor: Visitor,
    ref: str,
    campaign: str | None,
    *,
    errors: dict[str, str] | None = None,
    posted: str | None = None,
    given: dict[str, str] | None = None,
    status: int = 200,
    done: str | None = None,
) -> HTMLResponse:
    detail: CaseDetailView = portal.run("case.show", visitor, ref=ref, campaign=campaign)
    case = detail.case
    form: DeclarationForm = portal.run("campaign.form", visitor, code=case.campaign)
    score: Explanation | None
    try:
        score = portal.run("score.explain", visitor, ref=str(case.id))
    except Refused:  # not scored: nothing declared
        score = None
    assert visitor.actor is not None
    actions = open_actions(case.state, visitor.actor.role, STAFF_FORMS_FA)
    now = portal.now()
    labels = {f.code: f.label_fa for f in (*form.fields, *form.violations)}
    if form.association is not None:
        labels[form.association.code] = form.association.label_fa
    return portal.page(
        request, visitor, "staff_case.html", status, detail=detail, c=case, form=form,
        score=score, labels=labels, now=now,
        left=[time_left_fa(d.due_at, now) for d in detail.deadlines],
        actions=actions, titles=STAFF_FORMS_FA, text_labels=TEXT_LABELS_FA, rules=ACTIONS,
        values={a: _values(a, detail, form, given if a == posted else None) for a in actions},
        errors=_at_fields(errors or {}, form), posted=posted, done=done, Input=Input,
    )  # fmt: skip
