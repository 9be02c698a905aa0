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

__all__ = ["GENESIS", "NewEvent", "event_hash", "first_broken", "first_broken_case"]

#: the "previous hash" of a case's first event
GENESIS = "0" * 64


@dataclass(frozen=True)
class NewEvent:
    """One timeline event, ready to be written."""

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


def event_hash(prev_hash: str, content: Mapping[str, Any]) -> str:
    """The chain hash of an event with ``content`` that follows ``prev_hash``."""
    canonical = _CANONICAL.encode(content)
    return hashlib.sha256((prev_hash + canonical).encode()).hexdigest()


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
