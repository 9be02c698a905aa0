"""What a case's row must say, worked out again from its timeline: the pure half of
``verify``.

Every state-bearing field of a case follows from its events and its campaign's
frozen rubric: the state is the last event's, the region and province are the ones
its ``open`` event recorded, the scoring inputs are the ones the events' payloads
changed them to, the scores are those inputs scored again with the same function
the engine uses, the final score is the decision's, ``escalated`` is whether an
escalation happened, and a decision's places are on its event.
:func:`replay_case` works them out; :func:`first_wrong_field` compares them with
the stored row and names the first field that disagrees.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, fields
from datetime import datetime
from typing import Any

from mohlat.errors import MohlatError
from mohlat.scoring import Rubric, score_case
from mohlat.workflow.definition import RANKED_STATES, State
from mohlat.workflow.engine import PROVISIONAL_SCORE_STATES
from mohlat.workflow.timeline import NewEvent, canonical

__all__ = ["CaseFields", "RankInputs", "Replayed", "first_wrong_field", "replay_case"]

_PROVISIONAL = frozenset(s.value for s in PROVISIONAL_SCORE_STATES)
_RANKED = frozenset(s.value for s in RANKED_STATES)
#: payload keys of an event that changed (or re-scored) a case's scoring inputs
_SCORED_BY = ("total", "changes", "association_score", "violations")


@dataclass(frozen=True, slots=True)
class CaseFields:
    """A case's state-bearing fields, as stored or as its timeline says."""

    state: str | None
    region: int | None
    province: str | None
    declaration: Mapping[str, Any] | None
    association_score: float | None
    violations: Mapping[str, int] | None
    violations_count: int
    declared_at: datetime | None
    total: float | None
    grade: str | None
    final_total: float | None
    final_grade: str | None
    #: the line-by-line score people read: the last one worked out (JSON data)
    breakdown: Mapping[str, Any] | None
    escalated: bool
    #: national, regional, provincial
    positions: tuple[int | None, ...]


@dataclass(frozen=True, slots=True)
class RankInputs:
    """What the publication ranked a case on, as it stood then."""

    total: float
    association_score: float | None
    violations_count: int
    declared_at: datetime | None


@dataclass(slots=True)
class Replayed:
    """What a case's timeline says of it."""

    fields: CaseFields
    #: where its places come from: "decision" (on the timeline, in ``fields``),
    #: "publication" (numbered with the campaign's other cases ranked then), "late"
    #: (placed after publication: not on the timeline, not checked) or "none"
    placed_by: str
    #: for a case ranked by the publication, what it was ranked on
    at_publication: RankInputs | None = None
    #: why the scores could not be worked out again, if they could not
    unscored: str | None = None
    #: the region and province are not on its ``open`` event (an older timeline)
    unknown_place: bool = False


@dataclass(slots=True)
class _Inputs:
    declaration: dict[str, Any] = field(default_factory=dict)
    association_score: float | None = None
    violations: dict[str, int] = field(default_factory=dict)
    declared_at: datetime | None = None

    def apply(self, event: NewEvent) -> None:
        payload = event.payload if isinstance(event.payload, Mapping) else {}
        for code, change in (payload.get("changes") or {}).items():
            after = change[1] if isinstance(change, list) and len(change) == 2 else None
            if after is None:
                self.declaration.pop(code, None)
            else:
                self.declaration[code] = after
        association = payload.get("association_score")
        if isinstance(association, list) and len(association) == 2:
            self.association_score = association[1]
        violations = payload.get("violations")
        if isinstance(violations, list) and len(violations) == 2:
            self.violations = dict(violations[1] or {})
        if event.action == "declare":
            self.declared_at = event.logical_at

    @property
    def violations_count(self) -> int:
        return sum(self.violations.values())


def _score(rubric: Rubric, inputs: _Inputs) -> tuple[float, str, dict[str, Any]]:
    score = score_case(
        rubric,
        inputs.declaration,
        association_score=inputs.association_score,
        violations=inputs.violations,
    )
    # as the store keeps it: JSON data
    breakdown: dict[str, Any] = json.loads(canonical(score.to_json()))
    return score.total, score.grade, breakdown


def replay_case(
    events: Iterable[NewEvent], *, rubric: Rubric | None, published_at: datetime | None
) -> Replayed:
    """What a case's row must hold after ``events`` (its timeline, in order), scored
    under ``rubric`` (None: the scores are not worked out), in a campaign published at
    ``published_at`` (if it is)."""
    replay = _Replay(rubric)
    for event in events:
        if published_at is not None and replay.then is None and event.logical_at > published_at:
            replay.then = replay.standing()
        replay.step(event)
    if published_at is not None and replay.then is None:
        replay.then = replay.standing()
    return replay.result(published=published_at is not None)


@dataclass(slots=True)
class _Standing:
    """A case as it stood at an instant: what ranking it then needs."""

    state: str | None
    total: float | None
    inputs: _Inputs


@dataclass(slots=True)
class _Replay:
    """A case's fields, event by event."""

    rubric: Rubric | None
    inputs: _Inputs = field(default_factory=_Inputs)
    state: str | None = None
    region: int | None = None
    province: str | None = None
    unknown_place: bool = True
    total: float | None = None
    grade: str | None = None
    final: tuple[float | None, str | None] | None = None
    breakdown: dict[str, Any] | None = None
    escalated: bool = False
    decided: tuple[int | None, ...] | None = None
    #: the case as it stood at publication
    then: _Standing | None = None
    unscored: str | None = None

    def standing(self) -> _Standing:
        return _Standing(self.state, self.total, _copy(self.inputs))

    def step(self, event: NewEvent) -> None:
        payload = event.payload if isinstance(event.payload, Mapping) else {}
        self.inputs.apply(event)
        if event.action == "open" and "region" in payload:
            self.region, self.province = payload["region"], payload.get("province")
            self.unknown_place = False
        if event.action == "escalate":
            self.escalated = True
        if self.rubric is not None:
            try:
                self._score(event, payload, self.rubric)
            except MohlatError as exc:
                self.unscored = str(exc)
        place = payload.get("position")
        if isinstance(place, Mapping) and isinstance(place.get("after"), list):
            self.decided = tuple(place["after"])
        self.state = event.to_state

    def _score(self, event: NewEvent, payload: Mapping[str, Any], rubric: Rubric) -> None:
        """The engine's scoring rule: a case is scored whenever its inputs change before
        it is ranked; the move to final re-sums it if it changed inputs, else keeps the
        published score."""
        if event.from_state in _PROVISIONAL and any(k in payload for k in _SCORED_BY):
            self.total, self.grade, self.breakdown = _score(rubric, self.inputs)
        if event.to_state == State.FINAL.value:
            if "final_total" in payload:
                final_total, final_grade, self.breakdown = _score(rubric, self.inputs)
                self.final = (final_total, final_grade)
            else:
                self.final = (self.total, self.grade)

    def result(self, *, published: bool) -> Replayed:
        then = self.then
        rank_inputs = None
        if then is not None and then.state in _RANKED and then.total is not None:
            rank_inputs = RankInputs(
                then.total,
                then.inputs.association_score,
                then.inputs.violations_count,
                then.inputs.declared_at,
            )
        if self.decided is not None:
            placed_by = "decision"
        elif rank_inputs is not None:
            placed_by = "publication"
        elif self.state in _RANKED and published:
            placed_by = "late"
        else:
            placed_by = "none"
        positions = self.decided if self.decided is not None else (None, None, None)
        fields = CaseFields(
            state=self.state,
            region=self.region,
            province=self.province,
            declaration=self.inputs.declaration,
            association_score=self.inputs.association_score,
            violations=self.inputs.violations,
            violations_count=self.inputs.violations_count,
            declared_at=self.inputs.declared_at,
            total=self.total,
            grade=self.grade,
            final_total=self.final[0] if self.final else None,
            final_grade=self.final[1] if self.final else None,
            breakdown=self.breakdown,
            escalated=self.escalated,
            positions=positions,
        )
        unscored = self.unscored if self.rubric is not None else "no trusted rubric"
        return Replayed(
            fields, placed_by, rank_inputs, unscored=unscored, unknown_place=self.unknown_place
        )


def _copy(inputs: _Inputs) -> _Inputs:
    return _Inputs(
        dict(inputs.declaration),
        inputs.association_score,
        dict(inputs.violations),
        inputs.declared_at,
    )


#: how each field's expected value is introduced in a report
_SOURCE = {
    "state": "its timeline ends in",
    "region": "its open event records",
    "province": "its open event records",
    "declaration": "its timeline's changes give",
    "association_score": "its timeline records",
    "violations": "its timeline records",
    "violations_count": "its timeline's violations add up to",
    "declared_at": "its last declare event is at",
    "total": "re-scored under the campaign's frozen rubric it is",
    "grade": "re-scored under the campaign's frozen rubric it is",
    "final_total": "its timeline's final score is",
    "final_grade": "its timeline's final grade is",
    "breakdown": "re-scored under the campaign's frozen rubric it is",
    "escalated": "its timeline says",
    "positions": "its decision event placed it at",
}


_FIELD_NAMES = tuple(f.name for f in fields(CaseFields))
_SCORES = frozenset({"total", "grade", "final_total", "final_grade", "breakdown"})


def _breakdown_differs(
    have: Mapping[str, Any] | None, want: Mapping[str, Any] | None
) -> str | None:
    """Why a stored breakdown is not the re-scored one, naming its first differing
    line; None if they agree."""
    if have == want:
        return None
    if not isinstance(have, Mapping) or not isinstance(want, Mapping):
        return f"breakdown is {_shown(have)} but {_SOURCE['breakdown']} {_shown(want)}"
    for key in ("total", "grade"):
        if not same(have.get(key), want.get(key)):
            return (
                f"breakdown {key} is {_shown(have.get(key))} but "
                f"{_SOURCE['breakdown']} {_shown(want.get(key))}"
            )
    lines_have = {
        line.get("code"): line for line in have.get("lines") or [] if isinstance(line, dict)
    }
    for line in want.get("lines") or []:
        mine = lines_have.get(line["code"])
        if mine != line:
            shown = "missing" if mine is None else f"{mine.get('points')!r} points"
            return (
                f"breakdown line {line['code']!r} is {shown} but {_SOURCE['breakdown']} "
                f"{line['points']!r} points"
            )
    return "breakdown has lines that re-scoring under the campaign's frozen rubric does not give"


def first_wrong_field(stored: CaseFields, replayed: Replayed) -> tuple[str, str] | None:
    """The first field (in :class:`CaseFields` order) where ``stored`` disagrees with
    what the timeline says, and why, as (field, sentence); None if all agree.

    Skipped: the region and province of an older timeline that does not record them,
    the scores when the rubric could not score the inputs again, and the places
    unless a decision recorded them (publication places are checked campaign-wide)
    or the case was never ranked.
    """
    expected = replayed.fields
    for name in _FIELD_NAMES:
        if name in ("region", "province") and replayed.unknown_place:
            continue
        if name in _SCORES and replayed.unscored:
            continue
        if name == "breakdown":
            why = _breakdown_differs(stored.breakdown, expected.breakdown)
            if why is not None:
                return name, why
            continue
        if name == "positions" and (
            replayed.placed_by not in ("decision", "none")
            or (replayed.unscored and replayed.placed_by != "decision")
        ):
            continue
        have, want = getattr(stored, name), getattr(expected, name)
        if name in ("declaration", "violations"):
            if have is not None and not isinstance(have, Mapping):
                return name, f"{name} cannot be read: {_shown(have)}"
            have, want = dict(have or {}), dict(want or {})
            if have != want:
                key = sorted(k for k in set(have) | set(want) if have.get(k) != want.get(k))[0]
                return name, (
                    f"{name} field {key!r} is {have.get(key)!r} but "
                    f"{_SOURCE[name]} {want.get(key)!r}"
                )
            continue
        if not same(have, want):
            if name == "state" and want is None:
                return name, f"state is {have!r} but its timeline is empty"
            if name == "positions" and replayed.placed_by == "none":
                return name, f"positions are {_shown(have)} but it was never ranked"
            if name == "escalated":
                says = "it escalated" if want else "it never escalated"
                return name, f"escalated is {have!r} but {_SOURCE[name]} {says}"
            verb = "are" if name == "positions" else "is"
            return name, f"{name} {verb} {_shown(have)} but {_SOURCE[name]} {_shown(want)}"
    return None


def same(have: object, want: object) -> bool:
    """Whether a stored value is the expected one (numbers to within rounding)."""
    if isinstance(have, bool) or isinstance(want, bool):
        return have == want
    if isinstance(have, int | float) and isinstance(want, int | float):
        return abs(have - want) <= 1e-9
    if isinstance(have, tuple) and isinstance(want, tuple):
        return len(have) == len(want) and all(same(a, b) for a, b in zip(have, want, strict=True))
    return have == want


def _shown(value: object) -> str:
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, tuple):
        return "(" + ", ".join("-" if v is None else str(v) for v in value) + ")"
    return repr(value)
