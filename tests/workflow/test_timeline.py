"""The hash chain's bulk hasher gives exactly the hashes of the one-event path."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from hypothesis import given
from hypothesis import strategies as st

from mohlat.workflow.timeline import (
    GENESIS,
    EventHasher,
    NewEvent,
    canonical,
    event_hash,
    first_broken,
)

texts = st.text(max_size=30)
instants = st.datetimes(
    min_value=datetime(2000, 1, 1), max_value=datetime(2100, 1, 1), timezones=st.just(UTC)
)
payloads = st.dictionaries(
    texts,
    st.one_of(st.none(), st.booleans(), st.integers(), st.floats(allow_nan=False), texts),
    max_size=5,
)


@given(
    action=texts,
    from_state=texts,
    to_state=texts,
    logical_at=instants,
    recorded_at=instants,
    actor=texts,
    case_id=st.integers(min_value=1, max_value=10**9),
    seq=st.integers(min_value=1, max_value=10**6),
    payload=payloads,
)
def test_bulk_hasher_agrees_with_the_one_event_hash(
    action: str,
    from_state: str,
    to_state: str,
    logical_at: datetime,
    recorded_at: datetime,
    actor: str,
    case_id: int,
    seq: int,
    payload: dict[str, object],
) -> None:
    event = NewEvent.chained(
        case_id=case_id,
        campaign_id=1,
        seq=seq,
        action=action,
        from_state=from_state,
        to_state=to_state,
        logical_at=logical_at,
        recorded_at=recorded_at,
        actor=actor,
        payload=payload,
        prev_hash=GENESIS,
    )
    hasher = EventHasher(action, from_state, to_state, logical_at, recorded_at, actor)
    assert hasher(GENESIS, case_id, seq, canonical(payload)) == event.hash
    assert event.hash == event_hash(GENESIS, event.content())


def test_a_name_holding_the_hashers_markers_falls_back_to_the_full_encoding() -> None:
    at = datetime(2021, 5, 5, tzinfo=UTC)
    tricky = "\x00seq\x00"  # the marker the hasher uses for the seq
    hasher = EventHasher("publish", "regional_review", "ranked", at, at, tricky)
    first = NewEvent.chained(
        case_id=7,
        campaign_id=1,
        seq=1,
        action="publish",
        from_state="regional_review",
        to_state="ranked",
        logical_at=at,
        recorded_at=at,
        actor=tricky,
        payload={"total": 61.5},
        prev_hash=GENESIS,
    )
    assert hasher(GENESIS, 7, 1, canonical({"total": 61.5})) == first.hash
    assert first_broken([first]) is None


def test_the_bulk_hasher_chains_each_case_to_its_own_previous_hash() -> None:
    at = datetime(2021, 5, 5, tzinfo=UTC)
    hasher = EventHasher("publish", "regional_review", "ranked", at, at + timedelta(hours=1), "s")
    one = hasher("a" * 64, 1, 4, "{}")
    other_head = hasher("b" * 64, 1, 4, "{}")
    other_case = hasher("a" * 64, 2, 4, "{}")
    assert len({one, other_head, other_case}) == 3
