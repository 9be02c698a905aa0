"""Reads and small writes, as keyword-only functions of a transaction.

Bulk paths use SQLAlchemy Core; single rows use the SQLModel classes.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from functools import cache
from typing import Any, TypeVar

from sqlalchemy import (
    ColumnElement,
    and_,
    bindparam,
    case,
    delete,
    func,
    insert,
    or_,
    select,
    update,
)
from sqlalchemy.orm import Session
from sqlmodel import SQLModel, col

from mohlat.store._bulk import executemany
from mohlat.store._dialect import among_ids
from mohlat.store.models import (
    Account,
    AccountEvent,
    Campaign,
    Case,
    CaseDetail,
    Closure,
    Deadline,
    Event,
    Office,
    Setting,
    table_of,
)
from mohlat.store.models import Session as LoginSession
from mohlat.store.types import UTCDateTime
from mohlat.workflow.definition import RANKED_STATES

__all__ = [
    "CaseRow",
    "FailedLogin",
    "account_by_username",
    "add",
    "campaign_by_code",
    "case_by_id",
    "case_counts",
    "case_deadlines",
    "case_events",
    "case_rows",
    "claim_activation",
    "count_cases",
    "count_failed_login",
    "insert_cases_for",
    "insert_offices",
    "list_accounts",
    "list_campaigns",
    "list_cases",
    "list_closures",
    "list_offices",
    "list_sessions",
    "lock_account",
    "office_accounts",
    "open_campaign_deadline",
    "put_setting",
    "rank_entries",
    "reset_failed_logins",
    "revoke_account_sessions",
    "revoke_session",
    "session_with_account",
    "set_activation_codes",
    "set_campaign_published",
    "set_positions",
    "settings",
    "touch_session",
    "unranked_positions",
    "update_account",
]

_cases = table_of(Case)
_details = table_of(CaseDetail)
_offices = table_of(Office)
_deadlines = table_of(Deadline)
_events = table_of(Event)
_campaigns = table_of(Campaign)
_accounts = table_of(Account)
_sessions = table_of(LoginSession)

_Row = TypeVar("_Row", bound=SQLModel)

#: the largest id a row can have (the id columns are 32-bit integers on PostgreSQL)
MAX_ROW_ID = 2**31 - 1


def add(tx: Session, row: _Row) -> _Row:
    """Insert one model row and return it with its id."""
    tx.add(row)
    tx.flush()
    return row


# --- campaigns -----------------------------------------------------------------------


def campaign_by_code(tx: Session, *, code: str) -> Campaign | None:
    """The campaign with this code."""
    return tx.execute(select(Campaign).where(col(Campaign.code) == code)).scalar_one_or_none()


def campaign_by_id(tx: Session, *, campaign_id: int) -> Campaign | None:
    """The campaign with this id."""
    return tx.get(Campaign, campaign_id)


def list_campaigns(tx: Session) -> list[Campaign]:
    """Every campaign, newest first."""
    return list(tx.execute(select(Campaign).order_by(col(Campaign.id).desc())).scalars())


def set_campaign_published(tx: Session, *, campaign_id: int, at: datetime) -> None:
    """Mark the campaign's ranks published at ``at``."""
    tx.execute(update(_campaigns).where(_campaigns.c.id == campaign_id).values(published_at=at))


def open_campaign_deadline(
    tx: Session,
    *,
    campaign_id: int,
    kind: str,
    due_at: datetime,
    started_at: datetime,
    at: datetime,
) -> None:
    """Open the campaign's own deadline of ``kind``."""
    tx.execute(
        insert(_deadlines).values(
            campaign_id=campaign_id,
            case_id=None,
            region=None,
            kind=kind,
            status="pending",
            due_at=due_at,
            started_at=started_at,
            opened_at=at,
        )
    )


def campaign_deadline(tx: Session, *, campaign_id: int, kind: str) -> Deadline | None:
    """The campaign's own pending deadline of ``kind``."""
    return tx.execute(
        select(Deadline).where(
            col(Deadline.campaign_id) == campaign_id,
            col(Deadline.case_id).is_(None),
            col(Deadline.kind) == kind,
            col(Deadline.status) == "pending",
        )
    ).scalar_one_or_none()


def move_campaign_deadline(
    tx: Session,
    *,
    deadline_id: int,
    due_at: datetime,
    started_at: datetime | None = None,
    extensions: list[dict[str, Any]] | None = None,
) -> None:
    """Set the due instant (and the start and the extensions, if given) of one of a
    campaign's own deadlines."""
    values: dict[str, Any] = {"due_at": due_at}
    if started_at is not None:
        values["started_at"] = started_at
    if extensions is not None:
        values["extensions"] = extensions
    tx.execute(update(_deadlines).where(_deadlines.c.id == deadline_id).values(**values))


def set_campaign_window(
    tx: Session, *, campaign_id: int, closes_at: datetime, review_closes_at: datetime
) -> None:
    """Record when a campaign's declaration window and its review window close."""
    tx.execute(
        update(_campaigns)
        .where(_campaigns.c.id == campaign_id)
        .values(closes_at=closes_at, review_closes_at=review_closes_at)
    )


@dataclass(frozen=True, slots=True)
class PendingDeadline:
    """A case's pending deadline with what it is derived from."""

    case_id: int
    kind: str
    region: int
    province: str
    started_at: datetime | None
    due_at: datetime
    #: the extensions granted on it, as stored (None: none)
    extensions: list[dict[str, Any]] | None


def pending_deadlines(
    tx: Session,
    *,
    campaign_id: int,
    after: datetime,
    kind: str | None = None,
    region: int | None = None,
    case_ids: Sequence[int] | None = None,
) -> list[PendingDeadline]:
    """The campaign's pending case deadlines that fall due after ``after``, by case."""
    d, c = _deadlines.c, _cases.c
    query = (
        select(d.case_id, d.kind, c.region, c.province, d.started_at, d.due_at, d.extensions)
        .join(_cases, c.id == d.case_id)
        .where(d.campaign_id == campaign_id, d.status == "pending", d.due_at > after)
        .order_by(d.case_id)
    )
    if kind is not None:
        query = query.where(d.kind == kind)
    if region is not None:
        query = query.where(c.region == region)
    if case_ids is not None:
        query = query.where(d.case_id.in_(list(case_ids)))
    return [PendingDeadline(*row) for row in tx.execute(query)]


def set_deadline_extensions(
    tx: Session, *, rows: Sequence[tuple[int, str, list[dict[str, Any]]]]
) -> None:
    """Record the extensions of cases' pending deadlines: (case id, kind, extensions)."""
    if not rows:
        return
    d = _deadlines.c
    tx.connection().execute(
        update(_deadlines)
        .where(d.case_id == bindparam("_case"), d.kind == bindparam("_kind"), d.status == "pending")
        .values(extensions=bindparam("_ext", type_=d.extensions.type)),
        [{"_case": case, "_kind": kind, "_ext": ext} for case, kind, ext in rows],
    )


def close_campaign_deadline(
    tx: Session, *, campaign_id: int, kind: str, status: str, at: datetime
) -> None:
    """Close the campaign's pending deadline of ``kind``."""
    d = _deadlines.c
    tx.execute(
        update(_deadlines)
        .where(
            d.campaign_id == campaign_id, d.case_id.is_(None), d.kind == kind, d.status == "pending"
        )
        .values(status=status, closed_at=at)
    )


# --- offices -------------------------------------------------------------------------


def insert_offices(tx: Session, *, rows: Sequence[dict[str, Any]]) -> None:
    """Insert many offices in one statement."""
    if rows:
        tx.execute(insert(_offices), list(rows))


def office_codes(tx: Session, *, codes: Iterable[str]) -> set[str]:
    """Which of ``codes`` exist already."""
    wanted = list(codes)
    found: set[str] = set()
    for i in range(0, len(wanted), 5000):
        chunk = wanted[i : i + 5000]
        found.update(
            tx.execute(select(_offices.c.code).where(_offices.c.code.in_(chunk))).scalars()
        )
    return found


def office_provinces(tx: Session) -> list[str]:
    """Every province an office is in."""
    return [r[0] for r in tx.execute(select(_offices.c.province).distinct())]


def list_offices(tx: Session, *, region: int | None, limit: int | None) -> list[Office]:
    """Offices by code, in one region or all."""
    query = select(Office).order_by(col(Office.code))
    if region is not None:
        query = query.where(col(Office.region) == region)
    if limit is not None:
        query = query.limit(limit)
    return list(tx.execute(query).scalars())


def office_ids_without_case(
    tx: Session, *, campaign_id: int, kinds: Sequence[str] | None = None
) -> list[tuple[int, int, str]]:
    """(office id, region, province) of offices that have no case in the campaign yet."""
    o = _offices.c
    has_case = select(_cases.c.office_id).where(_cases.c.campaign_id == campaign_id)
    query = select(o.id, o.region, o.province).where(o.id.not_in(has_case)).order_by(o.id)
    if kinds:
        query = query.where(o.kind.in_(list(kinds)))
    return [(r[0], r[1], r[2]) for r in tx.execute(query)]


def insert_cases_for(tx: Session, *, rows: Sequence[dict[str, Any]]) -> list[int]:
    """Insert cases (one dict each) and return their ids in the same order."""
    if not rows:
        return []
    result = tx.execute(
        insert(_cases).returning(_cases.c.id, sort_by_parameter_order=True), list(rows)
    )
    ids = [r[0] for r in result]
    for start in range(0, len(ids), 5000):
        chunk = ids[start : start + 5000]
        tx.execute(
            insert(_details).from_select(
                ["case_id"], select(_cases.c.id).where(among_ids(_cases.c.id, chunk))
            )
        )
    return ids


# --- cases ---------------------------------------------------------------------------


@dataclass(frozen=True)
class CaseRow:
    """A case with its office, for display and access checks."""

    case: Case
    office: Office
    campaign_code: str
    detail: CaseDetail | None = None

    @property
    def declaration(self) -> dict[str, Any] | None:
        """The case's declaration, as the rubric validated it."""
        return self.detail.declaration if self.detail else None

    @property
    def breakdown(self) -> dict[str, Any] | None:
        """The case's score, line by line (the final one after a decided appeal)."""
        return self.detail.breakdown if self.detail else None


def _case_rows(tx: Session, query: Any) -> list[CaseRow]:
    return [CaseRow(r[0], r[1], r[2], r[3]) for r in tx.execute(query)]


@cache  # statements are immutable: built once, narrowed by each caller's .where()
def _case_query() -> Any:
    return (
        select(Case, Office, col(Campaign.code), CaseDetail)
        .join(Office, col(Office.id) == col(Case.office_id))
        .join(Campaign, col(Campaign.id) == col(Case.campaign_id))
        .outerjoin(CaseDetail, col(CaseDetail.case_id) == col(Case.id))
    )


def case_by_id(tx: Session, *, case_id: int) -> CaseRow | None:
    """The case with this id."""
    rows = _case_rows(tx, _case_query().where(col(Case.id) == case_id))
    return rows[0] if rows else None


def case_rows(
    tx: Session,
    *,
    case_ids: Sequence[int] = (),
    campaign_id: int | None = None,
    office_codes: Sequence[str] = (),
    lock: bool = False,
) -> list[CaseRow]:
    """The cases with these ids, and those of the offices with these codes in the campaign.

    ``lock`` takes the cases' row locks where the database has them (PostgreSQL), in
    id order, then reads the rows, so that what an action computes from them (the
    case and its declaration) is what it writes over; SQLite's writing transaction
    holds the whole database already."""
    if lock and tx.get_bind().dialect.name == "postgresql":
        return _locked_case_rows(
            tx, case_ids=case_ids, campaign_id=campaign_id, office_codes=office_codes
        )
    found: list[CaseRow] = []
    for i in range(0, len(case_ids), 5000):
        found += _case_rows(tx, _case_query().where(col(Case.id).in_(case_ids[i : i + 5000])))
    if office_codes and campaign_id is not None:
        for i in range(0, len(office_codes), 5000):
            found += _case_rows(
                tx,
                _case_query().where(
                    col(Case.campaign_id) == campaign_id,
                    col(Office.code).in_(office_codes[i : i + 5000]),
                ),
            )
    return found


def _locked_case_rows(
    tx: Session, *, case_ids: Sequence[int], campaign_id: int | None, office_codes: Sequence[str]
) -> list[CaseRow]:
    """:func:`case_rows` with the row locks: the ids (the offices' codes resolved to
    ids first), locked in id order, then the rows read by a statement that sees what
    was committed while it waited for the locks."""
    wanted = set(case_ids)
    if office_codes and campaign_id is not None:
        for i in range(0, len(office_codes), 5000):
            wanted.update(
                tx.execute(
                    select(_cases.c.id)
                    .join(_offices, _offices.c.id == _cases.c.office_id)
                    .where(
                        _cases.c.campaign_id == campaign_id,
                        _offices.c.code.in_(office_codes[i : i + 5000]),
                    )
                ).scalars()
            )
    ids = sorted(wanted)
    locked: list[CaseRow] = []
    for i in range(0, len(ids), 5000):
        chunk = ids[i : i + 5000]
        tx.execute(
            select(_cases.c.id)
            .where(_cases.c.id.in_(chunk))
            .order_by(_cases.c.id)
            .with_for_update()
        )
        # a new statement sees what was committed while it waited for the locks
        fresh = _case_query().where(col(Case.id).in_(chunk))
        locked += _case_rows(tx, fresh.execution_options(populate_existing=True))
    return locked


def case_id_for_office(tx: Session, *, campaign_id: int, office_id: int) -> int | None:
    """The id of the office's case in the campaign."""
    return tx.execute(
        select(_cases.c.id).where(
            _cases.c.campaign_id == campaign_id, _cases.c.office_id == office_id
        )
    ).scalar()


def list_cases(
    tx: Session,
    *,
    campaign_id: int,
    region: int | None = None,
    office_id: int | None = None,
    state: str | None = None,
    escalated: bool | None = None,
    order_by_position: bool = False,
    limit: int | None = None,
) -> list[CaseRow]:
    """Cases of a campaign, filtered."""
    query = _case_query().where(col(Case.campaign_id) == campaign_id)
    if region is not None:
        query = query.where(col(Case.region) == region)
    if office_id is not None:
        query = query.where(col(Case.office_id) == office_id)
    if state is not None:
        query = query.where(col(Case.state) == state)
    if escalated is not None:
        query = query.where(col(Case.escalated) == escalated)
    if order_by_position:
        position = col(Case.position_national)
        query = query.where(position.is_not(None)).order_by(position)
    else:
        query = query.order_by(col(Case.id))
    if limit is not None:
        query = query.limit(limit)
    return _case_rows(tx, query)


def count_cases(
    tx: Session, *, campaign_id: int, state: str | None = None, reviewed: bool | None = None
) -> int:
    """How many cases of the campaign (in ``state``, reviewed or not)."""
    c = _cases.c
    query = select(func.count()).select_from(_cases).where(c.campaign_id == campaign_id)
    if state is not None:
        query = query.where(c.state == state)
    if reviewed is not None:
        query = query.where(c.reviewed_at.is_not(None) if reviewed else c.reviewed_at.is_(None))
    return int(tx.execute(query).scalar() or 0)


def case_counts(
    tx: Session, *, campaign_id: int, region: int | None = None
) -> list[tuple[int, str, int]]:
    """(region, state, count) for the campaign."""
    c = _cases.c
    query = (
        select(c.region, c.state, func.count())
        .where(c.campaign_id == campaign_id)
        .group_by(c.region, c.state)
        .order_by(c.region, c.state)
    )
    if region is not None:
        query = query.where(c.region == region)
    return [(r[0], r[1], r[2]) for r in tx.execute(query)]


def in_state(
    *,
    campaign_id: int,
    state: str,
    reviewed: bool | None = None,
    without_deadline: bool = False,
    deadline_due_by: datetime | None = None,
) -> ColumnElement[bool]:
    """The campaign's cases in ``state``: optionally only the reviewed (or not) ones,
    those with no open deadline, or those whose pending deadline is due by
    ``deadline_due_by``."""
    c, d = _cases.c, _deadlines.c
    conditions = [c.campaign_id == campaign_id, c.state == state]
    if reviewed is not None:
        conditions.append(c.reviewed_at.is_not(None) if reviewed else c.reviewed_at.is_(None))
    if without_deadline:
        open_ = select(d.case_id).where(
            d.campaign_id == campaign_id, d.status == "pending", d.case_id.is_not(None)
        )
        conditions.append(c.id.not_in(open_))
    if deadline_due_by is not None:
        due = select(d.case_id).where(
            d.campaign_id == campaign_id,
            d.status == "pending",
            d.case_id.is_not(None),
            d.due_at <= deadline_due_by,
        )
        conditions.append(c.id.in_(due))
    return and_(*conditions)


def case_events(tx: Session, *, case_id: int) -> list[Event]:
    """The case's timeline, in order."""
    query = select(Event).where(col(Event.case_id) == case_id).order_by(col(Event.seq))
    return list(tx.execute(query).scalars())


def case_deadlines(tx: Session, *, case_id: int) -> list[Deadline]:
    """Every deadline the case has had, oldest first."""
    query = select(Deadline).where(col(Deadline.case_id) == case_id).order_by(col(Deadline.id))
    return list(tx.execute(query).scalars())


# --- ranking -------------------------------------------------------------------------


#: the states of a ranked case (it has, or is about to get, its positions), as stored
_RANKED_STATES = tuple(s.value for s in RANKED_STATES)


def rank_entries(tx: Session, *, campaign_id: int) -> list[tuple[Any, ...]]:
    """(case id, total, region, province, association score, violations count, declared
    at, office code) of the campaign's ranked cases; the total is the final one where
    an appeal decision set it."""
    c, o = _cases.c, _offices.c
    query = (
        select(
            c.id,
            func.coalesce(c.final_total, c.total),
            c.region,
            c.province,
            c.association_score,
            c.violations_count,
            c.declared_at,
            o.code,
        )
        .join(_offices, o.id == c.office_id)
        .where(c.campaign_id == campaign_id, c.total.is_not(None), c.state.in_(_RANKED_STATES))
    )
    return [tuple(r) for r in tx.execute(query)]


def unranked_positions(tx: Session, *, campaign_id: int) -> list[int]:
    """Ids of the campaign's ranked cases that have no position yet."""
    c = _cases.c
    return list(
        tx.execute(
            select(c.id)
            .where(
                c.campaign_id == campaign_id,
                c.state.in_(_RANKED_STATES),
                c.position_national.is_(None),
            )
            .order_by(c.id)
        ).scalars()
    )


def set_positions(tx: Session, *, positions: Sequence[tuple[int, int, int, int]]) -> None:
    """Write (case id, national, regional, provincial) positions in one statement."""
    if not positions:
        return
    c = _cases.c
    executemany(
        tx.connection(),
        update(_cases)
        .where(c.id == bindparam("_id"))
        .values(
            position_national=bindparam("_n"),
            position_regional=bindparam("_r"),
            position_provincial=bindparam("_p"),
        ),
        [{"_id": i, "_n": n, "_r": r, "_p": p} for i, n, r, p in positions],
    )


# --- accounts ------------------------------------------------------------------------


def account_by_username(tx: Session, *, username: str) -> Account | None:
    """The account with this user name."""
    query = select(Account).where(col(Account.username) == username)
    return tx.execute(query).scalar_one_or_none()


def list_accounts(
    tx: Session, *, role: str | None = None, limit: int | None = None
) -> list[Account]:
    """Accounts by user name."""
    query = select(Account).order_by(col(Account.username))
    if role:
        query = query.where(col(Account.role) == role)
    if limit:
        query = query.limit(limit)
    return list(tx.execute(query).scalars())


def update_account(tx: Session, *, account_id: int, **values: Any) -> None:
    """Set fields of one account."""
    tx.execute(update(_accounts).where(_accounts.c.id == account_id).values(**values))


def insert_accounts(tx: Session, *, rows: Sequence[dict[str, Any]]) -> None:
    """Insert many accounts in one statement."""
    if rows:
        tx.execute(insert(_accounts), list(rows))


def _unlocked(now: datetime) -> ColumnElement[bool]:
    c = _accounts.c
    return or_(c.locked_until.is_(None), c.locked_until <= bindparam("_now", now, UTCDateTime()))


@dataclass(frozen=True)
class FailedLogin:
    """What counting one more failed login left: the count, and the lock if it locked."""

    failed_logins: int
    locked_until: datetime | None


def count_failed_login(
    tx: Session, *, account_id: int, limit: int, lock_until: datetime, now: datetime
) -> FailedLogin | None:
    """Count one failed login in a single statement, atomic on SQLite and PostgreSQL:
    the failure that reaches ``limit`` locks the account until ``lock_until`` and
    starts the count again. None when the account is locked already (nothing counted).
    """
    c = _accounts.c
    reaches = c.failed_logins + 1 >= limit
    statement = (
        update(_accounts)
        .where(c.id == account_id, _unlocked(now))
        .values(
            failed_logins=case((reaches, 0), else_=c.failed_logins + 1),
            locked_until=case((reaches, bindparam("_until", lock_until, UTCDateTime()))),
        )
        .returning(c.failed_logins, c.locked_until)
    )
    row = tx.execute(statement).one_or_none()
    return None if row is None else FailedLogin(row[0], row[1])


def reset_failed_logins(tx: Session, *, account_id: int, now: datetime) -> bool:
    """After a successful login: the count back to 0 and an expired lock cleared.

    False (nothing written) when the account is locked, even if it was locked by a
    failure counted a moment ago by someone else.
    """
    c = _accounts.c
    statement = (
        update(_accounts)
        .where(c.id == account_id, _unlocked(now))
        .values(failed_logins=0, locked_until=None)
        .returning(c.id)
    )
    return tx.execute(statement).one_or_none() is not None


def claim_activation(
    tx: Session, *, account_id: int, activation_hash: str, password_hash: str, now: datetime
) -> bool:
    """Use up the activation code whose hash is ``activation_hash``: set the password,
    clear the code, the count and the must-change flag. False (nothing written) when
    that code is no longer pending (used or replaced meanwhile) or the account is locked.
    """
    c = _accounts.c
    statement = (
        update(_accounts)
        .where(c.id == account_id, c.activation_hash == activation_hash, _unlocked(now))
        .values(
            password_hash=password_hash,
            activation_hash=None,
            activation_expires_at=None,
            must_change_password=False,
            failed_logins=0,
            locked_until=None,
        )
        .returning(c.id)
    )
    return tx.execute(statement).one_or_none() is not None


def office_accounts(
    tx: Session, *, region: int | None = None, usernames: Sequence[str] | None = None
) -> list[tuple[Account, Office]]:
    """Office accounts with their offices, by user name: of one region, or these names."""
    query = (
        select(Account, Office)
        .join(Office, col(Office.id) == col(Account.office_id))
        .where(col(Account.role) == "office")
        .order_by(col(Account.username))
    )
    if region is not None:
        query = query.where(col(Office.region) == region)
    if usernames is not None:
        query = query.where(col(Account.username).in_(list(usernames)))
    return [(a, o) for a, o in tx.execute(query).all()]


def set_activation_codes(
    tx: Session, *, codes: Sequence[tuple[int, str, datetime]], clear_password: bool = False
) -> None:
    """Store pending activation codes: (account id, code hash, expiry) rows; with
    ``clear_password`` the accounts' passwords are removed too."""
    c = _accounts.c
    values: dict[str, Any] = {
        "activation_hash": bindparam("_hash"),
        "activation_expires_at": bindparam("_expires", type_=UTCDateTime()),
    }
    if clear_password:
        values.update(password_hash="", must_change_password=False)
    if codes:
        tx.connection().execute(
            update(_accounts).where(c.id == bindparam("_id")).values(**values),
            [{"_id": i, "_hash": h, "_expires": e} for i, h, e in codes],
        )


def lock_account(tx: Session, *, account_id: int) -> Account | None:
    """The account with this id, read afresh with its row locked until the transaction
    ends where the database has row locks (PostgreSQL); SQLite's writing transaction
    holds the whole database already."""
    query = select(Account).where(col(Account.id) == account_id).with_for_update()
    return tx.execute(query.execution_options(populate_existing=True)).scalar_one_or_none()


# --- sessions ------------------------------------------------------------------------


def prune_sessions(tx: Session, *, ended_before: datetime) -> int:
    """Forget the sessions that expired or were closed before ``ended_before``; how many."""
    query = delete(LoginSession).where(
        or_(
            col(LoginSession.expires_at) < ended_before,
            col(LoginSession.revoked_at) < ended_before,
        )
    )
    return int(tx.execute(query).rowcount or 0)  # type: ignore[attr-defined]


def session_with_account(tx: Session, *, token_hash: str) -> tuple[LoginSession, Account] | None:
    """The session whose token hashes to ``token_hash``, with its account: one indexed
    read (it is on every request)."""
    query = (
        select(LoginSession, Account)
        .join(Account, col(Account.id) == col(LoginSession.account_id))
        .where(col(LoginSession.token_hash) == token_hash)
    )
    row = tx.execute(query).one_or_none()
    return None if row is None else (row[0], row[1])


def touch_session(tx: Session, *, session_id: int, now: datetime, seen_before: datetime) -> None:
    """Record a request made with the session at ``now`` if its last recorded use is
    before ``seen_before`` (so a busy session costs no write on each request)."""
    s = _sessions.c
    tx.execute(
        update(_sessions)
        .where(s.id == session_id, s.last_seen_at < seen_before)
        .values(last_seen_at=now)
    )


def revoke_session(tx: Session, *, token_hash: str, now: datetime) -> None:
    """Close the session whose token hashes to ``token_hash`` (nothing if there is none
    or it is closed already)."""
    s = _sessions.c
    tx.execute(
        update(_sessions)
        .where(s.token_hash == token_hash, s.revoked_at.is_(None))
        .values(revoked_at=now)
    )


def revoke_account_sessions(tx: Session, *, account_id: int, now: datetime) -> int:
    """Close every session of the account still open at ``now``; how many there were."""
    s = _sessions.c
    statement = (
        update(_sessions)
        .where(s.account_id == account_id, s.revoked_at.is_(None), s.expires_at > now)
        .values(revoked_at=now)
        .returning(s.id)
    )
    return len(tx.execute(statement).all())


def list_sessions(
    tx: Session, *, account_id: int | None = None, open_at: datetime | None = None
) -> list[LoginSession]:
    """Sessions, newest first: of one account or all; only those open at ``open_at``
    (neither closed nor expired) unless it is None."""
    query = select(LoginSession).order_by(
        col(LoginSession.created_at).desc(), col(LoginSession.id).desc()
    )
    if account_id is not None:
        query = query.where(col(LoginSession.account_id) == account_id)
    if open_at is not None:
        query = query.where(
            col(LoginSession.revoked_at).is_(None), col(LoginSession.expires_at) > open_at
        )
    return list(tx.execute(query).scalars())


# --- settings ------------------------------------------------------------------------


def settings(tx: Session) -> dict[str, str]:
    """Every server setting an admin has set, by key."""
    return {s.key: s.value for s in tx.execute(select(Setting)).scalars()}


def put_setting(tx: Session, *, key: str, value: str) -> None:
    """Set one server setting."""
    tx.merge(Setting(key=key, value=value))


def pending_due(tx: Session, *, now: datetime) -> tuple[int, datetime | None]:
    """How many pending deadlines are due at ``now`` (a sweep has yet to apply them),
    and the earliest of them."""
    earliest = func.min(col(Deadline.due_at), type_=UTCDateTime())
    query = select(func.count(), earliest).where(
        col(Deadline.status) == "pending", col(Deadline.due_at) <= now
    )
    count, first = tx.execute(query).one()
    return int(count), first


# --- closures ------------------------------------------------------------------------


def list_closures(tx: Session) -> list[Closure]:
    """Every closure and working-day correction an administrator recorded."""
    query = select(Closure).order_by(col(Closure.first_day), col(Closure.id))
    return list(tx.execute(query).scalars())


def delete_closure(tx: Session, *, closure_id: int) -> Closure | None:
    """Remove a closure; returns it, or None if there was none with this id."""
    found = tx.get(Closure, closure_id)
    if found is not None:
        tx.delete(found)
        tx.flush()
    return found


def case_states(tx: Session, *, campaign_id: int) -> list[tuple[int, str, int, int, bool]]:
    """(case id, state, region, office id, reviewed) of every case of the campaign."""
    c = _cases.c
    query = (
        select(c.id, c.state, c.region, c.office_id, c.reviewed_at.is_not(None))
        .where(c.campaign_id == campaign_id)
        .order_by(c.id)
    )
    return [(r[0], r[1], r[2], r[3], bool(r[4])) for r in tx.execute(query)]


def account_events(tx: Session, *, username: str) -> list[AccountEvent]:
    """An account's audit trail, oldest first."""
    query = (
        select(AccountEvent)
        .where(col(AccountEvent.username) == username)
        .order_by(col(AccountEvent.id))
    )
    return list(tx.execute(query).scalars())
