"""Verifying timelines: is every case's hash chain as the product wrote it?

Each case's events are hash-chained (see :mod:`mohlat.workflow.timeline`) and its row
records how many events it has and the hash of the last. An event edited, deleted,
inserted or moved in the database breaks the chain or its head, and
:func:`verify_timelines` names the first broken event of each such case.

What it cannot see: someone who rewrites every hash from the edit onwards *and* the
case's ``event_count`` and ``last_hash`` leaves a chain that holds. Catching that needs
the heads kept outside the database.
"""

from __future__ import annotations

from dataclasses import dataclass

from mohlat.errors import CampaignNotFound
from mohlat.services.access import Actor, authorize
from mohlat.store import Database, audit
from mohlat.store import queries as q
from mohlat.workflow.timeline import first_broken_case

__all__ = ["BrokenChain", "VerifyReport", "verify_timelines"]

#: cases read per transaction
_CASES_PER_PAGE = 1000


@dataclass(frozen=True)
class BrokenChain:
    """A case whose timeline does not hold, and its first broken event."""

    case_id: int
    office_code: str
    #: the first broken event's seq; for a chain cut short, the seq of the missing event
    seq: int
    #: why, as a plain sentence
    why: str


@dataclass(frozen=True)
class VerifyReport:
    """What :func:`verify_timelines` checked and found."""

    cases_checked: int
    events_checked: int
    #: the cases whose chain is broken, by case id, each once
    broken: list[BrokenChain]

    @property
    def ok(self) -> bool:
        """Whether every chain checked holds."""
        return not self.broken


def verify_timelines(db: Database, *, actor: Actor, campaign: str | None = None) -> VerifyReport:
    """Check the hash chain of every case of ``campaign`` (a code; ``None``: of every
    campaign) and name the first broken event of each case whose chain does not hold.

    Only an admin may verify. The cases are read a page at a time, each page in its
    own short transaction.
    """
    authorize(actor, "timeline.verify")
    campaign_id: int | None = None
    if campaign is not None:
        with db.transaction() as tx:
            found = q.campaign_by_code(tx, code=campaign)
        if found is None:
            raise CampaignNotFound(campaign)
        campaign_id = found.id
    cases = events = 0
    broken: list[BrokenChain] = []
    after = 0
    while True:
        with db.transaction() as tx:
            page = audit.chain_page(
                tx, campaign_id=campaign_id, after_case_id=after, limit=_CASES_PER_PAGE
            )
        if not page:
            break
        for chain in page:
            fault = first_broken_case(
                chain.events,
                event_count=chain.event_count,
                last_hash=chain.last_hash,
                campaign_id=chain.campaign_id,
            )
            if fault is not None:
                broken.append(BrokenChain(chain.case_id, chain.office_code, *fault))
            events += len(chain.events)
        cases += len(page)
        after = page[-1].case_id
    return VerifyReport(cases_checked=cases, events_checked=events, broken=broken)
