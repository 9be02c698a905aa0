"""Who may do what, on which cases: the one policy every service call goes through.

The roles allowed to fire each case action come from the workflow declaration
(:data:`~mohlat.workflow.definition.ACTION_ROLES`); the other actions are listed
in :data:`ADMIN_ACTIONS` and :data:`READ_ACTIONS`. A role's scope is fixed: an admin
sees every case, a supervisor its region's, an office its own. A case outside the
actor's scope answers "not found", so its existence does not leak.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Final

from mohlat.errors import PermissionDenied
from mohlat.workflow.definition import ACTION_ROLES, Role

__all__ = ["SYSTEM", "Actor", "Scope", "authorize", "in_scope"]


class Scope(StrEnum):
    """Which cases a role reaches."""

    ALL = "all"
    REGION = "region"
    OWN_OFFICE = "own_office"


ROLE_SCOPE: Final[dict[Role, Scope]] = {
    Role.ADMIN: Scope.ALL,
    Role.SUPERVISOR: Scope.REGION,
    Role.OFFICE: Scope.OWN_OFFICE,
}

_A, _S, _O = Role.ADMIN, Role.SUPERVISOR, Role.OFFICE

#: actions outside a case's workflow: who may take them
ADMIN_ACTIONS: Final[dict[str, frozenset[Role]]] = {
    "campaign.create": frozenset({_A}),
    "campaign.publish": frozenset({_A}),
    "office.import": frozenset({_A}),
    "user.add": frozenset({_A}),
    "user.list": frozenset({_A}),
    "user.reset": frozenset({_A}),
    "user.activation_code": frozenset({_A, _S}),
    "policy.set": frozenset({_A}),
    "timeline.verify": frozenset({_A}),
    "calendar.edit": frozenset({_A}),
    "deadline.extend": frozenset({_A}),
}

#: reading: everybody, within their scope
READ_ACTIONS: Final[dict[str, frozenset[Role]]] = {
    "case.read": frozenset({_A, _S, _O}),
    "office.read": frozenset({_A, _S}),
}


@dataclass(frozen=True)
class Actor:
    """Someone acting: who, in which role, bound to which region or office."""

    name: str
    role: Role
    region: int | None = None
    office_id: int | None = None


#: the scheduler, firing deadlines
SYSTEM = Actor(name="scheduler", role=Role.ADMIN)


def _roles_for(action: str) -> frozenset[Role]:
    if action in ACTION_ROLES:
        return ACTION_ROLES[action] or frozenset()
    return ADMIN_ACTIONS.get(action) or READ_ACTIONS.get(action) or frozenset()


def authorize(actor: Actor, action: str) -> None:
    """Refuse unless the actor's role may take ``action`` at all."""
    if actor.role not in _roles_for(action):
        raise PermissionDenied(actor.name, action, f"the {actor.role.value} role may not")


def in_scope(actor: Actor, *, region: int, office_id: int) -> bool:
    """Whether a case of this region and office is within the actor's reach."""
    scope = ROLE_SCOPE[actor.role]
    if scope is Scope.ALL:
        return True
    if scope is Scope.REGION:
        return actor.region == region
    return actor.office_id == office_id
