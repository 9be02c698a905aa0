"""Who may do what, on which cases: the one policy every service call goes through.

:data:`POLICY` has one row per permission: who may use it (a set of roles, anyone
without a login, or only the operator of the server host) and what it covers. The
case actions' rows come from the workflow declaration
(:data:`~mohlat.workflow.definition.ACTION_ROLES`). A role's scope is fixed: an admin
sees every case, a supervisor its region's, an office its own. A case outside the
actor's scope answers "not found", so its existence does not leak.

What is public (no login): the list of campaigns and their dates, the calendar of
holidays and closures, and the ranking of a published campaign. Everything else
(case counts, cases, offices, users, anything of an unpublished campaign) needs a
login with the right role. The scheduler's sweep is the operator's: whoever can run
commands on the server host acts as the system (:data:`SYSTEM`).
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Final

from mohlat.errors import PermissionDenied
from mohlat.workflow.definition import ACTION_ROLES, Role

__all__ = [
    "POLICY",
    "SYSTEM",
    "Actor",
    "Audience",
    "Permission",
    "Scope",
    "authorize",
    "in_scope",
    "is_public",
    "may",
    "policy_markdown",
    "region_filter",
]


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


class Audience(StrEnum):
    """Who a permission is for."""

    #: anyone, without logging in
    PUBLIC = "public"
    #: a logged-in account of one of the permission's roles, within its scope
    ROLES = "roles"
    #: the operator of the server host (no login: acts as the system)
    OPERATOR = "operator"


@dataclass(frozen=True)
class Permission:
    """One row of the policy: a permission, who may use it, and what it covers."""

    name: str
    audience: Audience
    roles: frozenset[Role]
    #: what it lets one do or see, and the commands that need it
    covers: str


_A, _S, _O = Role.ADMIN, Role.SUPERVISOR, Role.OFFICE


def _row(name: str, roles: frozenset[Role] | None, covers: str) -> tuple[str, Permission]:
    return name, Permission(name, Audience.ROLES, roles or frozenset(), covers)


def _public(name: str, covers: str) -> tuple[str, Permission]:
    return name, Permission(name, Audience.PUBLIC, frozenset(), covers)


def _operator(name: str, covers: str) -> tuple[str, Permission]:
    return name, Permission(name, Audience.OPERATOR, frozenset(), f"{covers}, on the server host")


def _case_action_rows() -> list[tuple[str, Permission]]:
    return [
        _row(
            action,
            roles,
            f"`{action}` on a case in scope" if roles else "fired by the scheduler only",
        )
        for action, roles in ACTION_ROLES.items()
    ]


#: every permission, one row each
POLICY: Final[dict[str, Permission]] = dict(
    [
        _public(
            "campaign.list", "the campaigns and their dates (`campaign list`, `campaign show`)"
        ),
        _public("calendar.read", "official holidays, closures, corrections (`holiday list`)"),
        _public("ranking.published", "a published campaign's ranking (`ranking`)"),
        _row(
            "campaign.counts",
            frozenset({_A, _S}),
            "cases per region and state (`campaign show`; a supervisor: its region)",
        ),
        _row(
            "case.read",
            frozenset({_A, _S, _O}),
            "cases, timelines, scores, deadlines due, an unpublished ranking, eligibility "
            "(`case list/show`, `timeline`, `score explain`, `due`, `ranking`, `eligible`)",
        ),
        _row("reminder.read", frozenset({_A, _S}), "the reminder outbox (`reminder list`)"),
        _row(
            "office.read", frozenset({_A, _S}), "offices (`office list`; a supervisor: its region)"
        ),
        *_case_action_rows(),
        _row("campaign.create", frozenset({_A}), "`campaign create`"),
        _row("campaign.publish", frozenset({_A}), "`publish`"),
        _row("office.import", frozenset({_A}), "`office import`"),
        _row("user.add", frozenset({_A}), "`user add`"),
        _row("user.list", frozenset({_A}), "accounts and their audit trails (`user list/show`)"),
        _row("user.reset", frozenset({_A}), "`user reset` (an office: a new activation code)"),
        _row(
            "user.activation_code",
            frozenset({_A, _S}),
            "activation codes for offices' first login (`user activation-code`; a supervisor: "
            "its region)",
        ),
        _row(
            "session.list",
            frozenset({_A, _S, _O}),
            "sessions (`user sessions`; others than an admin: their own)",
        ),
        _row("session.revoke", frozenset({_A}), "`user sessions --revoke`"),
        _row("policy.set", frozenset({_A}), "the login policy (`policy set`)"),
        _row("timeline.verify", frozenset({_A}), "`verify`"),
        _row("calendar.edit", frozenset({_A}), "`holiday add/remove`"),
        _row("deadline.extend", frozenset({_A}), "`deadline extend`"),
        _operator("deadline.sweep", "applying due deadlines (`scheduler tick/run`)"),
        _operator("database.backup", "a consistent copy of the database (`backup`)"),
        _operator("database.check", "the integrity check and every timeline (`check`)"),
    ]
)


@dataclass(frozen=True)
class Actor:
    """Someone acting: who, in which role, bound to which region or office."""

    name: str
    role: Role
    region: int | None = None
    office_id: int | None = None


#: the scheduler, firing deadlines
SYSTEM = Actor(name="scheduler", role=Role.ADMIN)


#: what an action missing from the policy gets: nobody may take it
_NOBODY = Permission("", Audience.ROLES, frozenset(), "")


def _permission(action: str) -> Permission:
    return POLICY.get(action, _NOBODY)


def is_public(action: str) -> bool:
    """Whether anyone may use ``action`` without logging in."""
    return _permission(action).audience is Audience.PUBLIC


def authorize(actor: Actor | None, action: str) -> None:
    """Refuse unless ``actor`` (None: nobody logged in) may use ``action`` at all."""
    permission = _permission(action)
    if permission.audience is Audience.PUBLIC:
        return
    if actor is None:
        raise PermissionDenied("anonymous", action, "log in first")
    if permission.audience is Audience.OPERATOR:
        allowed = actor is SYSTEM
    else:
        allowed = actor.role in permission.roles
    if not allowed:
        raise PermissionDenied(actor.name, action, f"the {actor.role.value} role may not")


def may(actor: Actor | None, action: str) -> bool:
    """Whether ``actor`` may use ``action`` (as :func:`authorize`, without refusing)."""
    try:
        authorize(actor, action)
    except PermissionDenied:
        return False
    return True


def in_scope(actor: Actor, *, region: int, office_id: int) -> bool:
    """Whether a case of this region and office is within the actor's reach."""
    scope = ROLE_SCOPE[actor.role]
    if scope is Scope.ALL:
        return True
    if scope is Scope.REGION:
        return actor.region == region
    return actor.office_id == office_id


def region_filter(actor: Actor, region: int | None) -> tuple[bool, int | None]:
    """The region a region-scoped read filters on (in the query, before any limit):
    (whether anything is visible, the region; None: every region). A supervisor asking
    for another region sees nothing."""
    if ROLE_SCOPE[actor.role] is Scope.REGION:
        return region in (None, actor.region), actor.region
    return True, region


def policy_markdown() -> str:
    """The policy as a Markdown table (the README's "Who may see what"); the actions
    only the scheduler fires are left out."""
    lines = ["| permission | who | covers |", "| --- | --- | --- |"]
    for p in POLICY.values():
        if p.audience is Audience.ROLES and not p.roles:
            continue
        if p.audience is Audience.PUBLIC:
            who = "anyone, no login"
        elif p.audience is Audience.OPERATOR:
            who = "the server host's operator (acts as the system)"
        else:
            who = ", ".join(r.value for r in Role if r in p.roles)
        lines.append(f"| `{p.name}` | {who} | {p.covers} |")
    return "\n".join(lines)
