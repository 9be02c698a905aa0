"""Timeline events and their hash chain.

Each case's events form a chain: an event's hash covers its own content and the
hash of the event before it, so an edited, deleted, inserted or reordered row is
detectable (:func:`first_broken`). Nothing in the product updates or deletes an
event.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

__all__ = [
    "GENESIS",
    "EventHasher",
    "NewEvent",
    "canonical",
    "event_hash",
    "first_broken",
    "first_broken_case",
]

#: the "previous hash" of a case's first event
GENESIS = "0" * 64


@dataclass(slots=True)
class NewEvent:
    """One timeline event, ready to be written (treat as immutable: its hash covers it)."""

    case_id: int
    campaign_id: int
    seq: int
    action: str
    from_state: str
    to_state: str
    #: when it took effect: the action's instant, or the instant a deadline fell due
    logical_at: datetime
    #: when it was written down
    recorded_at: datetime
    actor: str
    payload: Mapping[str, Any] = field(default_factory=dict)
    prev_hash: str = GENESIS
    hash: str = ""
    #: the payload's canonical JSON, when the planner already encoded it
    payload_json: str | None = None

    def content(self) -> dict[str, Any]:
        """The fields the hash covers."""
        return _content(
            self.case_id,
            self.seq,
            self.action,
            self.from_state,
            self.to_state,
            self.logical_at,
            self.recorded_at,
            self.actor,
            self.payload,
        )

    @classmethod
    def chained(
        cls,
        *,
        case_id: int,
        campaign_id: int,
        seq: int,
        action: str,
        from_state: str,
        to_state: str,
        logical_at: datetime,
        recorded_at: datetime,
        actor: str,
        payload: Mapping[str, Any],
        prev_hash: str,
    ) -> NewEvent:
        """A new event linked to ``prev_hash``, with its own hash."""
        content = _content(
            case_id, seq, action, from_state, to_state, logical_at, recorded_at, actor, payload
        )
        return cls(
            case_id,
            campaign_id,
            seq,
            action,
            from_state,
            to_state,
            logical_at,
            recorded_at,
            actor,
            payload,
            prev_hash,
            event_hash(prev_hash, content),
        )


def _content(
    case_id: int,
    seq: int,
    action: str,
    from_state: str,
    to_state: str,
    logical_at: datetime,
    recorded_at: datetime,
    actor: str,
    payload: Mapping[str, Any],
) -> dict[str, Any]:
    return {
        "case_id": case_id,
        "seq": seq,
        "action": action,
        "from": from_state,
        "to": to_state,
        "logical_at": logical_at.isoformat(),
        "recorded_at": recorded_at.isoformat(),
        "actor": actor,
        "payload": payload,
    }


#: the canonical JSON of hashed content (one encoder: json.dumps would build one a call)
_CANONICAL = json.JSONEncoder(
    sort_keys=True, ensure_ascii=False, separators=(",", ":"), default=str
)


def canonical(value: Any) -> str:
    """``value`` as the canonical JSON that hashes cover (sorted keys, no spaces)."""
    return _CANONICAL.encode(value)


def event_hash(prev_hash: str, content: Mapping[str, Any]) -> str:
    """The chain hash of an event with ``content`` that follows ``prev_hash``."""
    return hashlib.sha256((prev_hash + _CANONICAL.encode(content)).encode()).hexdigest()


def _split_in_order(text: str, tokens: list[str]) -> list[str] | None:
    """``text`` cut at each token, if each occurs exactly once and in this order."""
    pieces: list[str] = []
    rest = text
    for token in tokens:
        if text.count(token) != 1 or token not in rest:
            return None
        piece, rest = rest.split(token)
        pieces.append(piece)
    return [*pieces, rest]


class EventHasher:
    """Chain hashes for many events that share their action, states, instants and actor
    (a bulk move): the same as :func:`event_hash`, with the shared part encoded once.

    The shared text comes from the canonical encoder itself, with markers where the
    case id, payload and seq go; if the markers cannot be found unambiguously (they
    contain NUL, which no real value does), every event is encoded in full instead.
    """

    __slots__ = (
        "_pieces",
        "action",
        "actor",
        "from_state",
        "logical_at",
        "recorded_at",
        "to_state",
    )

    _MARKS = ("\x00case_id\x00", "\x00payload\x00", "\x00seq\x00")

    def __init__(
        self,
        action: str,
        from_state: str,
        to_state: str,
        logical_at: datetime,
        recorded_at: datetime,
        actor: str,
    ) -> None:
        self.action, self.from_state, self.to_state = action, from_state, to_state
        self.logical_at, self.recorded_at, self.actor = logical_at, recorded_at, actor
        marked = _CANONICAL.encode(
            _content(
                self._MARKS[0],  # type: ignore[arg-type]
                self._MARKS[2],  # type: ignore[arg-type]
                action,
                from_state,
                to_state,
                logical_at,
                recorded_at,
                actor,
                self._MARKS[1],  # type: ignore[arg-type]
            )
        )
        self._pieces: list[str] | None = _split_in_order(
            marked, [_CANONICAL.encode(m) for m in self._MARKS]
        )

    @property
    def shareable(self) -> bool:
        """Whether the shared text could be found (see :attr:`pieces`)."""
        return self._pieces is not None

    @property
    def pieces(self) -> tuple[str, str, str, str]:
        """The canonical text around the per-event parts: an event's hashed text is
        ``prev_hash + head + case_id + middle + payload_json + before_seq + seq + tail``."""
        if self._pieces is None:
            raise ValueError("this batch's events cannot share their encoding")
        head, middle, before_seq, tail = self._pieces
        return head, middle, before_seq, tail

    def __call__(self, prev_hash: str, case_id: int, seq: int, payload_json: str) -> str:
        """The chain hash of this batch's event for ``case_id`` with ``seq`` and the
        payload whose canonical JSON is ``payload_json``."""
        pieces = self._pieces
        if pieces is None:
            content = _content(
                case_id,
                seq,
                self.action,
                self.from_state,
                self.to_state,
                self.logical_at,
                self.recorded_at,
                self.actor,
                json.loads(payload_json),
            )
            return event_hash(prev_hash, content)
        head, middle, before_seq, tail = pieces
        text = f"{prev_hash}{head}{case_id}{middle}{payload_json}{before_seq}{seq}{tail}"
        return hashlib.sha256(text.encode()).hexdigest()


def first_broken(events: Iterable[NewEvent]) -> tuple[int, str] | None:
    """The (seq, why) of the first event of one case whose chain does not hold, if any.

    ``events`` are one case's events in the order of their ``seq``.
    """
    prev = GENESIS
    expected_seq = 1
    for event in events:
        if event.seq != expected_seq:
            return event.seq, f"expected event #{expected_seq} here, found #{event.seq}"
        if event.prev_hash != prev:
            return event.seq, "its link to the previous event does not match"
        if event_hash(prev, event.content()) != event.hash:
            return event.seq, "its content does not match its hash"
        prev = event.hash
        expected_seq += 1
    return None


def first_broken_case(
    events: Iterable[NewEvent], *, event_count: int, last_hash: str, campaign_id: int | None = None
) -> tuple[int, str] | None:
    """The (seq, why) of the first fault of one case's stored timeline, if any.

    As :func:`first_broken`, and the chain must also end where the case's row says it
    does: ``event_count`` events with ``last_hash`` at their head, so a deleted last
    event or an appended one is found even when every link holds. With ``campaign_id``,
    each event must also name the case's campaign (a column the hash does not cover).
    A missing last event is reported at the seq it should have, an extra one at the
    first seq beyond the count, a head that does not match at the last event (seq 0
    when there is none).
    """
    checked = list(events)
    if campaign_id is not None:
        for i, event in enumerate(checked):
            if event.campaign_id != campaign_id:
                broken = first_broken(checked[:i])
                if broken is not None:
                    return broken
                why = f"it names campaign #{event.campaign_id}, its case is in #{campaign_id}"
                return event.seq, why
    broken = first_broken(checked)
    if broken is not None:
        return broken
    found, recorded = len(checked), _events(event_count)
    if found < event_count:
        if not found:
            return 1, f"the case records {recorded} but none is stored"
        return found + 1, f"the chain ends at event #{found} but the case records {recorded}"
    if found > event_count:
        return event_count + 1, f"the case records {recorded} but the chain goes on to #{found}"
    if (checked[-1].hash if checked else GENESIS) != last_hash:
        return found, "the chain's last hash does not match the case's"
    return None


def _events(n: int) -> str:
    return f"{n} event" if n == 1 else f"{n} events"
