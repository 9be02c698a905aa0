"""The operations on cases: reading them and the actions people take on them.

One operation per action a person may take, generated from the workflow's
declaration (:data:`~mohlat.workflow.definition.ACTIONS`): its parameters are the
inputs the action's rule accepts, so adding an input to a rule adds it to the API and
the CLI at once. Checking them stays :func:`mohlat.services.cases.act`'s.
"""

from __future__ import annotations

from typing import Any

from pydantic import Field, StrictFloat, StrictInt, StrictStr, create_model

from mohlat.api.operations import Call, Params, operation
from mohlat.calendars import normalize_digits
from mohlat.views import CaseDetailView, CaseSummary, Explanation
from mohlat.workflow.definition import ACTIONS, Input

__all__ = ["ACTION_PARAMS", "INPUT_PARAMS"]

#: a declaration input's value: text (any digits) or a number (not a boolean: JSON's
#: ``true`` is refused rather than read as 1)
Value = StrictStr | StrictInt | StrictFloat

Case = Field(default=None, description="Case id or office code (an office: its own if left out).")
Campaign = Field(default=None, description="Campaign code (default: the newest).")


class CaseRef(Params):
    ref: str = Field(description="Case id, or the office code in the campaign.", max_length=64)
    campaign: str | None = Field(default=None, max_length=64)


class CaseQuery(Params):
    campaign: str | None = Field(default=None, max_length=64)
    state: str | None = Field(default=None, max_length=64)
    region: int | None = Field(default=None, ge=1, le=9)
    overdue: bool = False
    limit: int = Field(default=50, ge=1, le=1_000_000)


@operation("case.list", "GET", "/cases", params=CaseQuery, result=list[CaseSummary])
def list_cases(call: Call, p: CaseQuery) -> list[CaseSummary]:
    """The cases the caller may see (a supervisor: its region's; an office: its own)."""
    from mohlat.services.cases import list_cases as listed

    return listed(
        call.db,
        actor=call.who,
        campaign=p.campaign,
        state=p.state,
        region=p.region,
        overdue=p.overdue,
        limit=p.limit,
    )


@operation("case.show", "GET", "/cases/{ref}", params=CaseRef, result=CaseDetailView)
def show_case(call: Call, p: CaseRef) -> CaseDetailView:
    """A case: its data, score, deadlines and timeline."""
    from mohlat.services.cases import show_case as shown

    return shown(call.db, actor=call.who, ref=normalize_digits(p.ref), campaign=p.campaign)


@operation("score.explain", "GET", "/cases/{ref}/score", params=CaseRef, result=Explanation)
def explain_score(call: Call, p: CaseRef) -> Explanation:
    """A case's score, line by line."""
    from mohlat.services.ranking import explain

    return explain(call.db, actor=call.who, ref=normalize_digits(p.ref), campaign=p.campaign)


#: the parameter each input of an action rule becomes: (name, type, default)
_INPUT_FIELDS: dict[Input, tuple[str, Any, Any]] = {
    Input.DECLARATION: ("fields", dict[str, Value], Field(default_factory=dict)),
    Input.FIELDS: ("fields", dict[str, Value], Field(default_factory=dict)),
    Input.ASSOCIATION_SCORE: ("association_score", Value | None, None),
    Input.VIOLATIONS: ("violations", dict[str, Value], Field(default_factory=dict)),
    Input.DISPUTES: ("disputes", list[str], Field(default_factory=list)),
    Input.TEXT: ("text", str | None, None),
}


#: the name of the parameter each input of an action rule is sent as
INPUT_PARAMS: dict[Input, str] = {i: name for i, (name, _, _) in _INPUT_FIELDS.items()}


def _action_params(action: str) -> type[Params]:
    """The parameters of ``action``: the case, the campaign, the version it must still
    be at, and the inputs its rule accepts."""
    inputs = {
        name: (kind, default)
        for i in sorted(ACTIONS[action].inputs)
        for name, kind, default in [_INPUT_FIELDS[i]]
    }
    model: type[Params] = create_model(  # type: ignore[call-overload]
        f"{action.capitalize()}Params",
        __base__=Params,
        case=(str | None, Field(default=None, max_length=64)),
        campaign=(str | None, Field(default=None, max_length=64)),
        if_version=(int | None, Field(default=None, ge=0, le=2**31)),
        **inputs,
    )
    return model


#: each action a person may take: its parameters
ACTION_PARAMS: dict[str, type[Params]] = {
    action: _action_params(action) for action, rule in ACTIONS.items() if not rule.by_scheduler_only
}


def _register_action(action: str, params: type[Params]) -> None:
    def run(call: Call, p: Any) -> CaseSummary:
        from mohlat.services.cases import act, own_case_ref
        from mohlat.services.plain import case_summary

        actor = call.who
        ref = normalize_digits(p.case) if p.case else own_case_ref(call.db, actor, p.campaign)
        given = p.model_dump()
        row = act(
            call.db,
            actor=actor,
            action=action,
            ref=ref,
            now=call.now,
            campaign=p.campaign,
            fields=given.get("fields") or None,
            association_score=given.get("association_score"),
            violations=given.get("violations") or None,
            text=given.get("text"),
            disputes=tuple(given.get("disputes", ())),
            if_version=p.if_version,
        )
        return case_summary(row)

    run.__doc__ = f"Take the action {action!r} on a case (the caller's, or the one named)."
    operation(f"case.{action}", "POST", f"/actions/{action}", params=params, result=CaseSummary)(
        run
    )


for _action, _params in ACTION_PARAMS.items():
    _register_action(_action, _params)
