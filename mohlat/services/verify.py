"""Verifying timelines: is every case as its hash-chained timeline says?

Each case's events are hash-chained (see :mod:`mohlat.workflow.timeline`) and its row
records how many events it has and the hash of the last. :func:`verify_timelines`
checks, for every case:

* the chain: an event edited, deleted, inserted or moved in the database breaks the
  chain or its head, and the first broken event is named;
* the case's row against its timeline (:mod:`mohlat.workflow.replay`): state,
  region and province (recorded on the ``open`` event of cases opened since they
  are), declaration, association score, violations, declaration instant, total and
  grade (scored again under the campaign's frozen rubric with the engine's own
  function), final total and grade, the line-by-line breakdown, the escalated flag
  and places: a decision's
  places are on its event; the places the publication gave are numbered again,
  with the ranking function, from what each case was ranked on then. The first
  field that disagrees is named. Not checked: the places of cases ranked after
  publication (they are not on the timeline);
* each pending deadline's due instant, counted again from its start, its policy,
  its extensions and today's calendar (one that cannot be derived that way, a
  resumed clock with no extension, is skipped);

and for every campaign: that its rubric's text still has its SHA-256, and that its
cases hold as many events as the campaign has counted (every write path keeps that
count in the same transaction as the events), so a wiped timeline whose case
counters were zeroed too is caught.

What it cannot see without a heads file: someone who rewrites every hash of a chain
with the public hash function *and* fixes the case's and the campaign's counters
(or who rewrites a case's row and its timeline consistently) leaves a database that
holds together. Catching that needs the chain heads kept outside the database,
signed with the chain key only the server holds (:mod:`mohlat.services.heads`):
with ``heads``, every case's chain must still run through its exported head (same
hash at that seq, no fewer events), every campaign must hold no fewer events and
keep its rubric's SHA-256, and no case exported may be missing. Events written
after the export are checked by the chain only.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from datetime import datetime

from mohlat.calendars import read_extensions
from mohlat.errors import CampaignNotFound, InvalidInput, MohlatError
from mohlat.scoring import RankEntry, Rubric, rank
from mohlat.services.access import Actor, authorize
from mohlat.services.heads import Heads, load_heads
from mohlat.services.rules import campaign_rules, rubric_of
from mohlat.store import Database, Transaction, audit
from mohlat.store import queries as q
from mohlat.views import BrokenChain, CampaignFault, VerifyReport, WrongField
from mohlat.workflow.definition import RANKED_STATES, DeadlineKind
from mohlat.workflow.engine import CampaignRules
from mohlat.workflow.replay import (
    CaseFields,
    RankInputs,
    Replayed,
    first_wrong_field,
    replay_case,
    same,
)
from mohlat.workflow.timeline import first_broken_case

__all__ = ["BrokenChain", "CampaignFault", "VerifyReport", "WrongField", "verify_timelines"]

#: cases read per transaction
_CASES_PER_PAGE = 1000

_RANKED = frozenset(s.value for s in RANKED_STATES)


@dataclass
class _Campaign:
    """What verifying one campaign's cases needs, and collects."""

    code: str
    published_at: datetime | None
    closes_at: datetime
    rules: CampaignRules | None
    #: the rubric, if its text still has its SHA-256
    rubric: Rubric | None
    events: int = 0
    #: the cases the publication ranked: what they were ranked on, and their stored
    #: places if those are still the publication's (None: a decision placed it again)
    ranked: list[tuple[RankEntry, tuple[int | None, ...] | None]] = field(default_factory=list)


def verify_timelines(
    db: Database,
    *,
    actor: Actor,
    campaign: str | None = None,
    heads: str | bytes | None = None,
    key: bytes | None = None,
) -> VerifyReport:
    """Check every case of ``campaign`` (a code; ``None``: of every campaign) and the
    campaigns themselves, as the module docstring says, and name the first fault of
    each case and campaign.

    ``heads``: a heads file's contents (see :func:`~mohlat.services.heads.export_heads`),
    checked with the chain key ``key``; refused (:class:`~mohlat.errors.InvalidInput`)
    if its signature does not hold. Only an admin may verify. The cases are read a
    page at a time, each page in its own short transaction.
    """
    authorize(actor, "timeline.verify")
    anchor: Heads | None = None
    if heads is not None:
        if key is None:
            raise InvalidInput("chain key", None, "the chain key the heads file was signed with")
        anchor = load_heads(heads, key=key)
    campaign_id: int | None = None
    with db.transaction(read_only=True) as tx:
        if campaign is not None:
            found = q.campaign_by_code(tx, code=campaign)
            if found is None:
                raise CampaignNotFound(campaign)
            campaign_id = found.id
        records = audit.campaign_records(tx)
        if campaign_id is not None:
            records = {campaign_id: records[campaign_id]}
        faults: list[CampaignFault] = []
        known = {cid: _load_campaign(tx, record, faults) for cid, record in records.items()}
    cases = events = 0
    broken: list[BrokenChain] = []
    wrong: list[WrongField] = []
    seen: set[int] = set()
    after = 0
    while True:
        with db.transaction(read_only=True) as tx:
            page = audit.chain_page(
                tx, campaign_id=campaign_id, after_case_id=after, limit=_CASES_PER_PAGE
            )
            details = audit.page_details(tx, [chain.case_id for chain in page])
        if not page:
            break
        for chain in page:
            seen.add(chain.case_id)
            events += len(chain.events)
            mine = known.get(chain.campaign_id)
            if mine is not None:
                mine.events += len(chain.events)
            fault = _chain_fault(chain, anchor)
            if fault is not None:
                broken.append(fault)
            if mine is None or chain.fields is None:
                continue
            wrong_field = _field_fault(chain, mine, details, compare=fault is None)
            if wrong_field is not None:
                wrong.append(wrong_field)
        cases += len(page)
        after = page[-1].case_id
    wrong.extend(_publication_faults(known.values()))
    wrong.sort(key=lambda f: f.case_id)
    with db.transaction(read_only=True) as tx:
        # events written while the pages were read raise both counts: what was
        # counted must lie between the campaign's count before and after
        ended = {cid: r.event_count for cid, r in audit.campaign_records(tx).items()}
    faults.extend(_count_faults(known, records, ended, anchor))
    if anchor is not None:
        broken.extend(_missing_cases(anchor, seen, campaign_id))
        broken.sort(key=lambda f: f.case_id)
    return VerifyReport(
        cases_checked=cases,
        events_checked=events,
        broken=broken,
        wrong_fields=wrong,
        campaigns=faults,
        heads_checked=anchor is not None,
    )


def _load_campaign(
    tx: Transaction, record: audit.CampaignRecord, faults: list[CampaignFault]
) -> _Campaign:
    """A campaign's rules and trusted rubric; a rubric whose text no longer has its
    SHA-256 is a fault (and its cases' scores are not worked out again)."""
    row = q.campaign_by_id(tx, campaign_id=record.campaign_id)
    assert row is not None
    digest = hashlib.sha256(record.rubric_text.encode("utf-8")).hexdigest()
    trusted = digest == record.rubric_sha256
    if not trusted:
        faults.append(
            CampaignFault(
                record.code,
                "rubric",
                f"its frozen rubric's text has SHA-256 {digest[:12]}…, "
                f"it was frozen with {record.rubric_sha256[:12]}…",
            )
        )
    rules: CampaignRules | None = None
    rubric: Rubric | None = None
    try:
        rules = campaign_rules(tx, row)
        rubric = rubric_of(row) if trusted else None
    except MohlatError as exc:
        faults.append(
            CampaignFault(record.code, "rubric", f"its frozen rubric cannot be read: {exc}")
        )
    return _Campaign(record.code, row.published_at, row.closes_at, rules, rubric)


def _chain_fault(chain: audit.StoredChain, anchor: Heads | None) -> BrokenChain | None:
    fault = first_broken_case(
        chain.events,
        event_count=chain.event_count,
        last_hash=chain.last_hash,
        campaign_id=chain.campaign_id,
    )
    if fault is not None:
        return BrokenChain(chain.case_id, chain.office_code, *fault)
    exported = anchor.cases.get(chain.case_id) if anchor is not None else None
    if exported is None or exported.event_count == 0:
        return None
    n = exported.event_count
    if len(chain.events) < n:
        why = (
            f"the heads file has {n} events, the chain only {len(chain.events)}: "
            "events were removed since the export"
        )
        return BrokenChain(chain.case_id, chain.office_code, len(chain.events) + 1, why)
    if chain.events[n - 1].hash != exported.last_hash:
        why = (
            f"its hash is not the one the heads file signed ({exported.last_hash[:12]}…): "
            "the chain was rewritten since the export"
        )
        return BrokenChain(chain.case_id, chain.office_code, n, why)
    return None


def _field_fault(
    chain: audit.StoredChain, campaign: _Campaign, details: audit.PageDetails, *, compare: bool
) -> WrongField | None:
    """The first wrong field of a case (``compare``: its chain holds), after adding it
    to the publication's ranking if it was ranked then."""
    assert chain.fields is not None
    stored = replace(
        chain.fields,
        declaration=details.declarations.get(chain.case_id),
        breakdown=details.breakdowns.get(chain.case_id),
    )
    replayed = replay_case(chain.events, rubric=campaign.rubric, published_at=campaign.published_at)
    fault: WrongField | None = None
    if compare:
        found = first_wrong_field(stored, replayed)
        if found is not None:
            fault = WrongField(chain.case_id, chain.office_code, *found)
        else:
            deadline = _deadline_fault(chain, campaign, details)
            if deadline is not None:
                fault = WrongField(chain.case_id, chain.office_code, "due_at", deadline)
    _rank_at_publication(
        chain, campaign, stored, replayed, chained=compare, trusted=compare and fault is None
    )
    return fault


def _rank_at_publication(
    chain: audit.StoredChain,
    campaign: _Campaign,
    stored: CaseFields,
    replayed: Replayed,
    *,
    chained: bool,
    trusted: bool,
) -> None:
    """Add the case to its campaign's publication ranking if it was ranked then.

    Every such case is numbered with the others, even one a decision placed again
    since (a decision renumbers nobody). A case whose chain is broken (not
    ``chained``) is numbered on what its row says (if what is left of its timeline
    says it was ranked then), and one whose timeline is empty if its row looks ranked
    by the publication, so that one tampered case does not shift the places of the
    others.
    """
    inputs = replayed.at_publication
    expected = replayed.fields
    from_row = (not chained and inputs is not None) or (
        inputs is None and expected.state is None and _looks_published(stored)
    )
    if from_row and stored.total is not None:
        inputs = RankInputs(
            stored.total, stored.association_score, stored.violations_count, stored.declared_at
        )
    if inputs is None:
        return
    entry = RankEntry(
        case_id=chain.case_id,
        total=inputs.total,
        region=expected.region if expected.region is not None else (stored.region or 0),
        province=expected.province or stored.province or "",
        association_score=inputs.association_score,
        violations_count=inputs.violations_count,
        declared_at=inputs.declared_at,
        office_code=chain.office_code,
    )
    compared = trusted and replayed.placed_by == "publication"
    campaign.ranked.append((entry, stored.positions if compared else None))


def _looks_published(stored: CaseFields) -> bool:
    """Whether a case's row looks like one the publication ranked."""
    return stored.state in _RANKED and stored.total is not None and stored.positions[0] is not None


def _deadline_fault(
    chain: audit.StoredChain, campaign: _Campaign, details: audit.PageDetails
) -> str | None:
    """Why a pending deadline's due instant is not what its derivation gives, if so."""
    rules, stored = campaign.rules, chain.fields
    if rules is None or stored is None or stored.region is None:
        return None
    for deadline in details.deadlines.get(chain.case_id, ()):
        try:
            kind = DeadlineKind(deadline.kind)
            extensions = read_extensions(deadline.extensions)
            due = rules.recount(
                kind, deadline.started_at, stored.region, stored.province or "", extensions
            )
        except (ValueError, TypeError, KeyError, AttributeError, MohlatError):
            return f"its pending {deadline.kind!r} deadline cannot be counted again"
        if due is None:
            continue
        allowed = [due]
        if kind is DeadlineKind.DECLARATION and not extensions:
            allowed.append(campaign.closes_at)  # opened on the campaign's own close
        if not any(same(deadline.due_at, a) for a in allowed):
            return (
                f"its {kind.value} deadline is due at {deadline.due_at.isoformat()} but its "
                f"start, extensions and the calendar give {due.isoformat()}"
            )
    return None


def _publication_faults(campaigns: Iterable[_Campaign]) -> list[WrongField]:
    """The cases whose stored places are not the ones the publication's ranking gives
    them, numbered again from what each was ranked on."""
    wrong: list[WrongField] = []
    for campaign in campaigns:
        if not campaign.ranked or campaign.rubric is None:
            continue
        places = rank([entry for entry, _ in campaign.ranked], campaign.rubric.tie_breakers)
        for entry, stored in campaign.ranked:
            place = places[entry.case_id]
            want = (place.national, place.regional, place.provincial)
            if stored is not None and tuple(stored) != want:
                shown = ", ".join("-" if p is None else str(p) for p in stored)
                wrong.append(
                    WrongField(
                        entry.case_id,
                        entry.office_code,
                        "positions",
                        f"positions are ({shown}) but the publication's ranking places it at "
                        f"({want[0]}, {want[1]}, {want[2]})",
                    )
                )
    return wrong


def _count_faults(
    known: dict[int, _Campaign],
    records: dict[int, audit.CampaignRecord],
    ended: dict[int, int],
    anchor: Heads | None,
) -> list[CampaignFault]:
    """The campaigns whose cases hold another number of events than they counted
    (before the pages were read, ``records``; after, ``ended``), or fewer than the
    heads file exported, or whose rubric's SHA-256 is not the one exported."""
    faults: list[CampaignFault] = []
    for campaign_id, campaign in known.items():
        record = records[campaign_id]
        after = ended.get(campaign_id, record.event_count)
        if not record.event_count <= campaign.events <= max(after, record.event_count):
            faults.append(
                CampaignFault(
                    campaign.code,
                    "event_count",
                    f"it records {record.event_count} events but its cases hold {campaign.events}",
                )
            )
        exported = anchor.campaigns.get(campaign_id) if anchor is not None else None
        if exported is None:
            continue
        if campaign.events < exported.event_count:
            faults.append(
                CampaignFault(
                    campaign.code,
                    "heads",
                    f"the heads file has {exported.event_count} events, its cases hold only "
                    f"{campaign.events}",
                )
            )
        if exported.rubric_sha256 != record.rubric_sha256:
            faults.append(
                CampaignFault(
                    campaign.code, "heads", "its rubric's SHA-256 is not the one exported"
                )
            )
    return faults


def _missing_cases(anchor: Heads, seen: set[int], campaign_id: int | None) -> list[BrokenChain]:
    missing = []
    for case_id, head in sorted(anchor.cases.items()):
        if case_id in seen or (campaign_id is not None and head.campaign_id != campaign_id):
            continue
        missing.append(
            BrokenChain(
                case_id,
                "?",
                1,
                f"the heads file has it with {head.event_count} events; it is not in the database",
            )
        )
    return missing
