"""Who stands where: every case's state and office, and each office's license holder
(what a simulation that acts for everyone needs, e.g. ``mohlat demo``)."""

from __future__ import annotations

from mohlat.services.access import Actor, authorize
from mohlat.services.campaigns import find_campaign
from mohlat.store import Database
from mohlat.store import queries as q
from mohlat.views import CaseState
from mohlat.workflow.definition import Role

__all__ = ["case_states", "office_holders"]


def case_states(db: Database, *, actor: Actor, campaign: str | None) -> list[CaseState]:
    """Every case of the campaign by id: its state, region, office and whether it was
    reviewed (admins only: it spans every region)."""
    authorize(actor, "user.list")
    with db.transaction(read_only=True) as tx:
        found = find_campaign(tx, campaign)
        assert found.id is not None
        return [CaseState(*row) for row in q.case_states(tx, campaign_id=found.id)]


def office_holders(db: Database, *, actor: Actor) -> dict[int, str]:
    """Each office's license holder's user name, by office id (admins only)."""
    authorize(actor, "user.list")
    with db.transaction(read_only=True) as tx:
        accounts = q.list_accounts(tx, role=Role.OFFICE.value)
    return {a.office_id: a.username for a in accounts if a.office_id is not None}
