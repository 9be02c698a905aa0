"""A person's actions on one case, and reading cases within the actor's remit."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from functools import partial
from typing import Any

from mohlat.calendars import format_instant, read_whole_number
from mohlat.errors import (
    CaseNotFound,
    DeadlinePassed,
    InvalidInput,
    MohlatError,
    StaleVersion,
    TransitionNotAllowed,
)
from mohlat.scoring import Position, RankEntry
from mohlat.services.access import Actor, authorize, in_scope, region_filter
from mohlat.services.campaigns import find_campaign
from mohlat.services.moves import assign_late_positions, place_among_ranked
from mohlat.services.plain import case_summary, deadline_view, event_view
from mohlat.services.rules import campaign_rules
from mohlat.store import Database, Transaction
from mohlat.store import queries as q
from mohlat.store.snapshots import load_snapshots
from mohlat.store.writes import apply_plan
from mohlat.text_rules import clean_text
from mohlat.views import CaseDetailView, CaseSummary
from mohlat.workflow.definition import (
    ACTIONS,
    MAX_TEXT,
    STATE_DEADLINES,
    ActionRule,
    Input,
    Role,
    State,
)
from mohlat.workflow.engine import CampaignRules, Plan, plan_move
from mohlat.workflow.rulebook import possible_destinations, source_states

__all__ = [
    "MAX_TEXT",
    "ActionRequest",
    "act",
    "act_many",
    "check_request",
    "list_cases",
    "resolve_case",
    "show_case",
]


def resolve_case(
    tx: Transaction, actor: Actor, ref: str, *, campaign: str | None, action: str = "case.read"
) -> q.CaseRow:
    """The case named by ``ref`` (a case id, or an office code in the campaign), if the
    actor may take ``action`` on it; otherwise ``CaseNotFound``."""
    (found,) = resolve_cases(tx, [(actor, ref)], campaign=campaign, action=action)
    if isinstance(found, MohlatError):
        raise found
    return found


def resolve_cases(
    tx: Transaction,
    wanted: Sequence[tuple[Actor, str]],
    *,
    campaign: str | None,
    action: str,
    lock: bool = False,
) -> list[q.CaseRow | MohlatError]:
    """Many cases at once, each named by (actor, ref) as in :func:`resolve_case`, in two
    queries: for each, its row or why it is refused. ``lock``: the rows are locked
    until the transaction ends, for an action that computes new values from them."""
    refs = [ref.strip() for _, ref in wanted]
    numbers = [read_whole_number(r) for r in refs]
    # a number past the largest row id names no case (PostgreSQL would refuse it)
    ids = sorted({n for n in numbers if n is not None and n <= q.MAX_ROW_ID})
    codes = sorted({r for r, n in zip(refs, numbers, strict=True) if n is None})
    campaign_id = find_campaign(tx, campaign).id if codes else None
    rows = q.case_rows(tx, case_ids=ids, campaign_id=campaign_id, office_codes=codes, lock=lock)
    by_id = {row.case.id: row for row in rows}
    by_code = {row.office.code: row for row in rows if row.case.campaign_id == campaign_id}
    results: list[q.CaseRow | MohlatError] = []
    for (actor, _), ref, number in zip(wanted, refs, numbers, strict=True):
        row = by_id.get(number) if number is not None else by_code.get(ref)
        if row is None or not in_scope(actor, region=row.case.region, office_id=row.case.office_id):
            results.append(CaseNotFound(ref))  # the same answer either way: no leak
            continue
        try:
            authorize(actor, action)
        except MohlatError as exc:
            results.append(exc)
            continue
        results.append(row)
    return results


def own_case_ref(db: Database, actor: Actor, campaign: str | None) -> str:
    """An office's own case in the campaign (offices need not name it)."""
    if actor.role is not Role.OFFICE or actor.office_id is None:
        raise InvalidInput("case", None, "a case id or office code")
    with db.transaction(read_only=True) as tx:
        found = find_campaign(tx, campaign)
        assert found.id is not None
        case_id = q.case_id_for_office(tx, campaign_id=found.id, office_id=actor.office_id)
    if case_id is None:
        raise CaseNotFound(f"your office's case in {found.code!r}")
    return str(case_id)


@dataclass(frozen=True)
class ActionRequest:
    """One person's action on one case, for :func:`act_many`."""

    actor: Actor
    ref: str
    fields: Mapping[str, Any] | None = None
    association_score: object = None
    violations: Mapping[str, object] | None = None
    text: str | None = None
    #: for an appeal: the declaration fields whose evaluation the office disputes
    disputes: tuple[str, ...] = ()
    #: the case's version as the person saw it (a page, a `case show`): the action is
    #: refused if the case has changed since
    if_version: int | None = None


def act(
    db: Database,
    *,
    actor: Actor,
    action: str,
    ref: str,
    now: datetime,
    campaign: str | None = None,
    fields: Mapping[str, Any] | None = None,
    association_score: object = None,
    violations: Mapping[str, object] | None = None,
    text: str | None = None,
    disputes: tuple[str, ...] = (),
    if_version: int | None = None,
) -> q.CaseRow:
    """Take ``action`` on a case as ``actor`` at ``now``; refused with a specific error.

    What the action accepts and requires is its rule in
    :data:`~mohlat.workflow.definition.ACTIONS`. ``fields`` are declaration inputs
    (the whole declaration, or the changed fields), checked against the campaign's
    rubric. ``text`` is the reason, objection or note; it goes on the timeline.
    ``if_version``: refused with :class:`~mohlat.errors.StaleVersion` unless the case
    is still at that version.
    """
    request = ActionRequest(
        actor, ref, fields, association_score, violations, text, disputes, if_version
    )
    with db.transaction() as tx:
        done, refused = _act_in(tx, action, [request], now=now, campaign=campaign)
        if refused:
            raise refused[0][1]
        fresh = q.case_by_id(tx, case_id=done[0])
        assert fresh is not None
        return fresh


def act_many(
    db: Database,
    action: str,
    requests: Sequence[ActionRequest],
    *,
    now: datetime,
    campaign: str | None = None,
    batch_size: int = 1000,
) -> tuple[int, list[tuple[ActionRequest, MohlatError]]]:
    """Take the same action on many cases, one transaction per batch.

    Each request is checked as :func:`act` checks it (its inputs, its reason, the
    length of its text). Returns how many were done, and each refused request with
    its reason; a refused request writes nothing, the others in its batch still land.
    """
    done = 0
    refused: list[tuple[ActionRequest, MohlatError]] = []
    for start in range(0, len(requests), batch_size):
        batch = requests[start : start + batch_size]
        with db.transaction() as tx:
            ids, bad = _act_in(tx, action, batch, now=now, campaign=campaign)
        done += len(ids)
        refused.extend(bad)
    return done, refused


#: a request's inputs, by what each is in an action rule
_GIVEN: dict[Input, Callable[[ActionRequest], object]] = {
    Input.FIELDS: lambda r: r.fields or None,
    Input.ASSOCIATION_SCORE: lambda r: r.association_score,
    Input.VIOLATIONS: lambda r: r.violations or None,
    Input.DISPUTES: lambda r: list(r.disputes) or None,
    Input.TEXT: lambda r: r.text if (r.text or "").strip() else None,
}


def check_request(action: str, request: ActionRequest) -> None:
    """Refuse a request that gives ``action`` an input its rule does not accept, lacks
    a required reason, or has too long a text."""
    rule = ACTIONS.get(action)
    if rule is None:
        return  # refused as an unknown action when it is authorized
    accepted = set(rule.inputs)
    if Input.DECLARATION in accepted:
        accepted.add(Input.FIELDS)
    for given, value_of in _GIVEN.items():
        value = value_of(request)
        if value is not None and given not in accepted:
            raise InvalidInput(given.label, value, _only_with(given))
    _check_text(action, rule, request.text)


def _only_with(given: Input) -> str:
    takers = sorted(
        a
        for a, rule in ACTIONS.items()
        if given in rule.inputs or (given is Input.FIELDS and Input.DECLARATION in rule.inputs)
    )
    return f"only with: {', '.join(takers)}"


def _check_text(action: str, rule: ActionRule, text: str | None) -> None:
    if text is not None:
        clean_text(text, field="text", max_length=rule.max_text)
    if rule.reason_required and not (text or "").strip():
        raise InvalidInput("reason", text or "", f"a written reason is required for {action!r}")


def _act_in(
    tx: Transaction,
    action: str,
    requests: Sequence[ActionRequest],
    *,
    now: datetime,
    campaign: str | None,
) -> tuple[list[int], list[tuple[ActionRequest, MohlatError]]]:
    refused: list[tuple[ActionRequest, MohlatError]] = []
    checked: list[ActionRequest] = []
    for request in requests:
        try:
            check_request(action, request)
        except MohlatError as exc:
            refused.append((request, exc))
        else:
            checked.append(request)
    rows: dict[int, tuple[ActionRequest, q.CaseRow]] = {}
    # the rows are read locked: the new values are computed from what is written over
    resolved = resolve_cases(
        tx, [(r.actor, r.ref) for r in checked], campaign=campaign, action=action, lock=True
    )
    finalizes = State.FINAL in possible_destinations(action)
    for request, found in zip(checked, resolved, strict=True):
        if isinstance(found, MohlatError):
            refused.append((request, found))
        elif request.if_version is not None and found.case.version != request.if_version:
            refused.append(
                (request, StaleVersion(request.ref, request.if_version, found.case.version))
            )
        elif found.case.id in rows:
            refused.append((request, InvalidInput("case", request.ref, "each case once a batch")))
        else:
            assert found.case.id is not None
            rows[found.case.id] = (request, found)
    snapshots = load_snapshots(tx, list(rows), with_data=True)
    plan = Plan()
    rules_of: dict[int, CampaignRules] = {}
    decided: list[_Decided] = []
    for snapshot in snapshots:
        request, row = rows[snapshot.case_id]
        rules = rules_of.get(row.case.campaign_id)
        if rules is None:
            campaign_row = q.campaign_by_id(tx, campaign_id=row.case.campaign_id)
            assert campaign_row is not None
            rules = rules_of[row.case.campaign_id] = campaign_rules(tx, campaign_row)
        try:
            values, payload = _values(ACTIONS[action], request, row, rules, finalizes=finalizes)
            planned = partial(
                plan_move,
                snapshot,
                action,
                rules=rules,
                at=now,
                recorded_at=now,
                actor=request.actor.name,
            )
            one = planned(values=values, payload=payload)
        except TransitionNotAllowed as exc:
            refused.append((request, _deadline_behind(tx, action, snapshot.case_id) or exc))
            continue
        except MohlatError as exc:
            refused.append((request, exc))
            continue
        if finalizes:
            decided.append(_Decided(row, rules, one, values, payload, planned))
        else:
            plan.extend(one)
    # decided cases take their final places, all of a campaign's at once: planned again
    for decision, (values, payload) in zip(decided, _final_places(tx, decided), strict=True):
        plan.extend(decision.plan_again(values=values, payload=payload))
    apply_plan(tx, plan)
    for rules in rules_of.values():
        if rules.is_published(now):
            assign_late_positions(tx, rules=rules)
    return [u.case_id for u in plan.updates], refused


def _deadline_behind(tx: Transaction, action: str, case_id: int) -> DeadlinePassed | None:
    """Why an action is not allowed in the case's state when that is because the
    deadline it had to beat passed and the scheduler has moved the case on: the same
    refusal as when the scheduler had not yet run."""
    kinds = {
        STATE_DEADLINES[s].kind.value: STATE_DEADLINES[s].kind
        for s in source_states(action)
        if s in STATE_DEADLINES
    }
    expired = [
        d
        for d in q.case_deadlines(tx, case_id=case_id)
        if d.kind in kinds and d.status == "expired" and d.due_at is not None
    ]
    if not expired:
        return None
    last = max(expired, key=lambda d: d.due_at or d.opened_at)
    assert last.due_at is not None
    return DeadlinePassed(action, kinds[last.kind].label, format_instant(last.due_at))


def _values(
    rule: ActionRule,
    request: ActionRequest,
    row: q.CaseRow,
    rules: CampaignRules,
    *,
    finalizes: bool,
) -> tuple[dict[str, Any], dict[str, Any]]:
    """The case fields ``request`` sets and what goes on the timeline, validated against
    the campaign's rubric (the request's inputs are the ones ``rule`` accepts).
    ``finalizes``: the action makes the case final (the score before it is recorded)."""
    rubric = rules.rubric
    whole = Input.DECLARATION in rule.inputs
    values: dict[str, Any] = {}
    payload: dict[str, Any] = {}
    if request.text and request.text.strip():
        payload["text"] = request.text.strip()
    old_declaration = dict(row.declaration or {})
    if request.fields:
        if whole:
            declaration = rubric.validate_declaration(request.fields)
        else:
            declaration = {
                **old_declaration,
                **rubric.validate_declaration(request.fields, partial=True),
            }
        values["declaration"] = declaration
        diff = _diff(old_declaration, declaration)
        if diff:
            payload["changes"] = diff
    elif whole:
        raise InvalidInput(
            "declaration", {}, "the declaration's fields (every one the rubric asks for)"
        )
    if request.association_score is not None:
        score = rubric.validate_association_score(request.association_score)
        values["association_score"] = score
        if score != row.case.association_score:
            payload["association_score"] = [row.case.association_score, score]
    if request.violations:
        merged = {**(row.case.violations or {}), **rubric.validate_violations(request.violations)}
        values["violations"] = {k: v for k, v in merged.items() if v}
        payload["violations"] = [row.case.violations or {}, values["violations"]]
    if request.disputes:
        payload["disputes"] = sorted({rubric.criterion(code).code for code in request.disputes})
    if finalizes:
        payload["before"] = {"total": row.case.total, "grade": row.case.grade}
    return values, payload


@dataclass(frozen=True)
class _Decided:
    """An appeal decision planned without its final place yet."""

    row: q.CaseRow
    rules: CampaignRules
    plan: Plan
    values: dict[str, Any]
    payload: dict[str, Any]
    #: ``plan_move`` for this case, waiting for the values and payload
    plan_again: Callable[..., Plan]


def _final_places(
    tx: Transaction, decided: Sequence[_Decided]
) -> list[tuple[dict[str, Any], dict[str, Any]]]:
    """Each decision's values and payload with the case's final places: placed by its
    final total among the campaign's other ranked cases as they stand (none is
    renumbered), the places before and after on the timeline. One read of each
    campaign's ranking, however many decisions."""
    entries: dict[int, RankEntry] = {}
    for d in decided:
        case, planned = d.row.case, d.plan.updates[0].values
        assert case.id is not None
        entries[case.id] = RankEntry(
            case_id=case.id,
            total=planned["final_total"],
            region=case.region,
            province=case.province,
            association_score=planned.get("association_score", case.association_score),
            violations_count=planned.get("violations_count", case.violations_count),
            declared_at=case.declared_at,
            office_code=d.row.office.code,
        )
    places: dict[int, Position] = {}
    for campaign_id, rules in {d.rules.campaign_id: d.rules for d in decided}.items():
        mine = [
            e
            for e, d in zip(entries.values(), decided, strict=True)
            if d.rules.campaign_id == campaign_id
        ]
        places.update(place_among_ranked(tx, rules=rules, entries=mine))
    result = []
    for d in decided:
        case = d.row.case
        assert case.id is not None
        after = places[case.id]
        before = [case.position_national, case.position_regional, case.position_provincial]
        values = {
            **d.values,
            "position_national": after.national,
            "position_regional": after.regional,
            "position_provincial": after.provincial,
        }
        position = {"before": before, "after": [after.national, after.regional, after.provincial]}
        result.append((values, {**d.payload, "position": position}))
    return result


def _diff(before: Mapping[str, Any], after: Mapping[str, Any]) -> dict[str, list[Any]]:
    return {
        k: [before.get(k), after.get(k)]
        for k in sorted(set(before) | set(after))
        if before.get(k) != after.get(k)
    }


def show_case(db: Database, *, actor: Actor, ref: str, campaign: str | None) -> CaseDetailView:
    """A case with its deadlines and timeline."""
    with db.transaction(read_only=True) as tx:
        row = resolve_case(tx, actor, ref, campaign=campaign)
        assert row.case.id is not None
        deadlines = q.case_deadlines(tx, case_id=row.case.id)
        events = q.case_events(tx, case_id=row.case.id)
    return CaseDetailView(
        case_summary(row),
        tuple(deadline_view(d) for d in deadlines),
        tuple(event_view(e) for e in events),
    )


def list_cases(
    db: Database,
    *,
    actor: Actor,
    campaign: str | None,
    state: str | None = None,
    region: int | None = None,
    overdue: bool = False,
    limit: int | None = 50,
) -> list[CaseSummary]:
    """Cases within the actor's remit, filtered (the remit is part of the query, so
    ``limit`` counts only the cases the actor may see)."""
    authorize(actor, "case.read")
    if state is not None and state not in {s.value for s in State}:
        raise InvalidInput("state", state, "one of: " + ", ".join(s.value for s in State))
    if limit is not None and limit < 1:
        raise InvalidInput("limit", limit, "a positive number of rows")
    visible, region = region_filter(actor, region)
    if not visible:
        return []
    office_id = actor.office_id if actor.role is Role.OFFICE else None
    with db.transaction(read_only=True) as tx:
        found = find_campaign(tx, campaign)
        assert found.id is not None
        rows = q.list_cases(
            tx,
            campaign_id=found.id,
            region=region,
            office_id=office_id,
            state=State.APPEALED.value if overdue else state,
            escalated=True if overdue else None,
            limit=limit,
        )
    return [case_summary(r) for r in rows]
