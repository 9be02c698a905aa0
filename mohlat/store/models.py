"""The tables, as SQLModel classes. Instants are UTC; Jalali is only for display."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any, Final, cast

from sqlalchemy import (
    JSON,
    BigInteger,
    CheckConstraint,
    Column,
    Index,
    Table,
    UniqueConstraint,
    text,
)
from sqlmodel import Field, SQLModel

from mohlat.store.types import UTCDateTime
from mohlat.workflow.definition import PUBLICATION_KIND, DeadlineKind, Role, State

__all__ = [
    "CASE_STATES",
    "CLOSURE_KINDS",
    "DEADLINE_KINDS",
    "DEADLINE_STATUSES",
    "OPEN_DEADLINE_STATUSES",
    "ROLES",
    "Account",
    "AccountEvent",
    "Campaign",
    "Case",
    "CaseDetail",
    "Closure",
    "Deadline",
    "Event",
    "Office",
    "Reminder",
    "Session",
    "Setting",
    "one_of",
    "table_of",
]

# --- what the CHECK constraints allow: derived from the workflow's declaration --------

#: a case's ``state``: the declared states
CASE_STATES: Final[tuple[str, ...]] = tuple(s.value for s in State)
#: an account's ``role``
ROLES: Final[tuple[str, ...]] = tuple(r.value for r in Role)
#: a deadline's ``kind``: a state's deadline, or the campaign's publication
DEADLINE_KINDS: Final[tuple[str, ...]] = (*(k.value for k in DeadlineKind), PUBLICATION_KIND)
#: a deadline that still runs: pending (with its due instant) or paused (with time left)
OPEN_DEADLINE_STATUSES: Final[tuple[str, ...]] = ("pending", "paused")
#: a deadline's ``status``: open, or ended: it fell due (expired), its case left the
#: state (closed), or it fell due for a case no longer in a state it governs (stale)
DEADLINE_STATUSES: Final[tuple[str, ...]] = (
    *OPEN_DEADLINE_STATUSES,
    "expired",
    "closed",
    "stale",
)
#: a closure row's ``kind``: offices closed, or a day declared working despite a holiday
CLOSURE_KINDS: Final[tuple[str, ...]] = ("closure", "working_day")


def one_of(column: str, allowed: Iterable[str]) -> str:
    """SQL: ``column`` is one of the ``allowed`` values (the text of a CHECK constraint)."""
    listed = ", ".join(f"'{value}'" for value in allowed)
    return f"{column} IN ({listed})"


#: the partial index's condition: a case's open deadlines (not the campaign's own)
_OPEN_CASE_DEADLINE = f"{one_of('status', OPEN_DEADLINE_STATUSES)} AND case_id IS NOT NULL"


def table_of(model: type[SQLModel]) -> Table:
    """The Core table of a table model, for set-based statements."""
    # SQLModel sets ``__table__`` on table models at runtime but does not declare it.
    return cast(Table, model.__table__)  # type: ignore[attr-defined]


def _instant(*, nullable: bool = False, index: bool = False) -> Any:
    return Field(default=None, sa_type=UTCDateTime, nullable=nullable, index=index)


class Campaign(SQLModel, table=True):
    """One evaluation campaign (round)."""

    __tablename__ = "campaigns"

    id: int | None = Field(default=None, primary_key=True)
    code: str = Field(unique=True, max_length=64)
    title: str = Field(max_length=200)
    first_day: str = Field(max_length=10)  # Jalali yyyy/mm/dd, as given
    last_day: str = Field(max_length=10)
    opens_at: datetime = _instant()
    closes_at: datetime = _instant()
    review_closes_at: datetime = _instant()
    settings: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    rubric_text: str
    rubric_sha256: str = Field(max_length=64)
    published_at: datetime | None = _instant(nullable=True)
    created_at: datetime = _instant()
    #: how many events the campaign's cases hold, kept with every event written
    event_count: int = Field(default=0, sa_type=BigInteger)


class Office(SQLModel, table=True):
    """A counter office or rural ICT office."""

    __tablename__ = "offices"

    id: int | None = Field(default=None, primary_key=True)
    code: str = Field(unique=True, max_length=32)
    name: str = Field(max_length=200)
    kind: str = Field(max_length=16)  # pishkhan | rural_ict
    region: int = Field(index=True)
    province: str = Field(max_length=64)
    national_id: str = Field(max_length=10, index=True)
    holder_name: str = Field(default="", max_length=200)


class Account(SQLModel, table=True):
    """Someone who logs in: an admin, a region's supervisor or an office's license holder."""

    __tablename__ = "accounts"
    __table_args__ = (CheckConstraint(one_of("role", ROLES), name="ck_accounts_role"),)

    id: int | None = Field(default=None, primary_key=True)
    username: str = Field(unique=True, max_length=64)
    role: str = Field(max_length=16)
    region: int | None = None
    office_id: int | None = Field(default=None, foreign_key="offices.id", index=True)
    #: argon2id; empty when the account has no password (an office not activated yet)
    password_hash: str
    must_change_password: bool = False
    #: wrong passwords or activation codes since the last success or lock
    failed_logins: int = 0
    locked_until: datetime | None = _instant(nullable=True)
    created_at: datetime = _instant()
    #: argon2id of the pending activation code (offices only), single use
    activation_hash: str | None = None
    activation_expires_at: datetime | None = _instant(nullable=True)


class Case(SQLModel, table=True):
    """One office's file in one campaign."""

    __tablename__ = "cases"
    __table_args__ = (
        UniqueConstraint("campaign_id", "office_id"),
        Index("ix_cases_campaign_state", "campaign_id", "state"),
        #: a region's ranking page in order, its count from the index alone (issue 12)
        Index(
            "ix_cases_campaign_region_position",
            "campaign_id",
            "region",
            "position_national",
            "state",
        ),
        CheckConstraint(one_of("state", CASE_STATES), name="ck_cases_state"),
    )

    id: int | None = Field(default=None, primary_key=True)
    campaign_id: int = Field(foreign_key="campaigns.id")
    office_id: int = Field(foreign_key="offices.id")
    region: int
    province: str = Field(max_length=64)
    state: str = Field(max_length=24)
    declared_at: datetime | None = _instant(nullable=True)
    reviewed_at: datetime | None = _instant(nullable=True)
    association_score: float | None = None
    violations: dict[str, int] | None = Field(default=None, sa_column=Column(JSON))
    #: the number of violations recorded (a ranking tie-breaker), kept with ``violations``
    violations_count: int = 0
    total: float | None = None
    grade: str | None = Field(default=None, max_length=8)
    position_national: int | None = None
    position_regional: int | None = None
    position_provincial: int | None = None
    final_total: float | None = None
    final_grade: str | None = Field(default=None, max_length=8)
    escalated: bool = False
    version: int = 0
    event_count: int = 0
    last_hash: str = Field(max_length=64)


class CaseDetail(SQLModel, table=True):
    """A case's declaration and the line-by-line score worked out from it: what people
    read, kept apart from the case row that every sweep reads and rewrites."""

    __tablename__ = "case_details"

    case_id: int = Field(foreign_key="cases.id", primary_key=True)
    declaration: dict[str, Any] | None = Field(default=None, sa_column=Column(JSON))
    breakdown: dict[str, Any] | None = Field(default=None, sa_column=Column(JSON))


class Deadline(SQLModel, table=True):
    """A deadline: pending (with its due instant), paused (with its time left) or ended."""

    __tablename__ = "deadlines"
    __table_args__ = (
        Index("ix_deadlines_due", "status", "due_at"),
        # covering the situation and snapshot reads: no deadline row is read for them
        Index("ix_deadlines_case", "case_id", "status", "due_at"),
        # at most one running deadline per case and kind: a second one would be a
        # second clock on the same step
        Index(
            "uq_deadlines_open_case_kind",
            "case_id",
            "kind",
            unique=True,
            sqlite_where=text(_OPEN_CASE_DEADLINE),
            postgresql_where=text(_OPEN_CASE_DEADLINE),
        ),
        CheckConstraint(one_of("status", DEADLINE_STATUSES), name="ck_deadlines_status"),
        CheckConstraint(one_of("kind", DEADLINE_KINDS), name="ck_deadlines_kind"),
    )

    id: int | None = Field(default=None, primary_key=True)
    campaign_id: int = Field(foreign_key="campaigns.id")
    case_id: int | None = Field(default=None, foreign_key="cases.id")
    region: int | None = None
    kind: str = Field(max_length=24)
    status: str = Field(max_length=16)  # see DEADLINE_STATUSES
    due_at: datetime | None = _instant(nullable=True)
    remaining_us: int | None = Field(default=None, sa_type=BigInteger)
    #: the event that started a relative period, so a calendar change can recount it
    started_at: datetime | None = _instant(nullable=True)
    #: the extensions granted on this deadline, in order (see
    #: :mod:`mohlat.calendars.extensions`), replayed on every recount; NULL: none
    extensions: list[dict[str, Any]] | None = Field(default=None, sa_column=Column(JSON))
    opened_at: datetime = _instant()
    closed_at: datetime | None = _instant(nullable=True)


class Event(SQLModel, table=True):
    """One entry of a case's timeline; hash-chained, never updated or deleted."""

    __tablename__ = "events"
    __table_args__ = (UniqueConstraint("case_id", "seq"),)

    id: int | None = Field(default=None, primary_key=True)
    case_id: int = Field(foreign_key="cases.id")
    campaign_id: int = Field(foreign_key="campaigns.id")
    seq: int
    action: str = Field(max_length=32)
    from_state: str = Field(max_length=24)
    to_state: str = Field(max_length=24)
    logical_at: datetime = _instant()
    recorded_at: datetime = _instant()
    actor: str = Field(max_length=64)
    payload: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    prev_hash: str = Field(max_length=64)
    hash: str = Field(max_length=64)


class Closure(SQLModel, table=True):
    """Days an administrator closed offices (pollution, heat, emergencies), or a day
    declared working despite an (estimated) official holiday."""

    __tablename__ = "closures"
    __table_args__ = (CheckConstraint(one_of("kind", CLOSURE_KINDS), name="ck_closures_kind"),)

    id: int | None = Field(default=None, primary_key=True)
    kind: str = Field(default="closure", max_length=16)  # closure | working_day
    first_day: str = Field(max_length=10)
    last_day: str = Field(max_length=10)
    reason: str = Field(max_length=500)
    regions: list[int] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    provinces: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    created_at: datetime = _instant()
    created_by: str = Field(max_length=64)


class Reminder(SQLModel, table=True):
    """An outbox row: remind someone of a deadline about to fall (sent by a plug-in later)."""

    __tablename__ = "reminders"
    __table_args__ = (UniqueConstraint("deadline_id", "due_at"),)

    id: int | None = Field(default=None, primary_key=True)
    deadline_id: int = Field(foreign_key="deadlines.id")
    case_id: int = Field(foreign_key="cases.id", index=True)
    campaign_id: int = Field(foreign_key="campaigns.id")
    region: int
    kind: str = Field(max_length=24)
    #: an office holder's user name, or ``region-N`` for a region's supervisors
    recipient: str = Field(max_length=64)
    due_at: datetime = _instant()
    created_at: datetime = _instant()
    sent_at: datetime | None = _instant(nullable=True)


class AccountEvent(SQLModel, table=True):
    """An account's audit trail: locks, password changes and resets."""

    __tablename__ = "account_events"

    id: int | None = Field(default=None, primary_key=True)
    username: str = Field(max_length=64, index=True)
    action: str = Field(max_length=32)
    at: datetime = _instant()
    actor: str = Field(max_length=64)
    detail: str = Field(default="", max_length=500)


class Session(SQLModel, table=True):
    """A login's bearer token: only the SHA-256 of the token is stored, never the token.

    Open until ``expires_at`` or ``revoked_at`` (logout, a password change or reset,
    an admin's revocation). A ``restricted`` one was issued to an account that must
    change its password: it may only do that, or log out.
    """

    __tablename__ = "sessions"

    id: int | None = Field(default=None, primary_key=True)
    #: hex SHA-256 of the token; every request finds its session by it
    token_hash: str = Field(max_length=64, unique=True, index=True)
    account_id: int = Field(foreign_key="accounts.id", index=True)
    #: the account's user name, for listing without a join
    username: str = Field(max_length=64)
    created_at: datetime = _instant()
    expires_at: datetime = _instant()
    #: the last request made with it (updated at most once a minute)
    last_seen_at: datetime = _instant()
    revoked_at: datetime | None = _instant(nullable=True)
    #: the client's address, as the server saw it ("" when unknown)
    client: str = Field(default="", max_length=64)
    restricted: bool = False


class Setting(SQLModel, table=True):
    """Server configuration an admin sets (e.g. the login policy), one value per key."""

    __tablename__ = "settings"

    key: str = Field(primary_key=True, max_length=64)
    value: str = Field(max_length=200)
