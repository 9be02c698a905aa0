"""the schema keeps the workflow's invariants

At most one pending or paused deadline per case and kind (a partial unique index;
the campaign's own deadlines, with no case, are not concerned), and CHECK
constraints: a case's state, a deadline's status and kind, an account's role and a
closure's kind are among the values the workflow declares.

The allowed values are written out here, as they stood at this revision: a
migration must build the same schema whatever later code declares. A later
change to the declared values needs a migration of its own (the schema test
compares the migrated schema with the models).

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-01 21:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None

_CASE_STATES = (
    "declaring",
    "regional_review",
    "correction_referral",
    "ranked",
    "appealed",
    "final",
    "lapsed",
)
_DEADLINE_STATUSES = ("pending", "paused", "expired", "closed", "stale")
_DEADLINE_KINDS = (
    "declaration",
    "review",
    "correction",
    "appeal",
    "appeal_decision",
    "publication",
)
_ROLES = ("admin", "supervisor", "office")
_CLOSURE_KINDS = ("closure", "working_day")

_OPEN_CASE_DEADLINE = "status IN ('pending', 'paused') AND case_id IS NOT NULL"


def _one_of(column: str, allowed: tuple[str, ...]) -> str:
    return f"{column} IN ({', '.join(repr(value) for value in allowed)})"


_CHECKS = (
    ("cases", "ck_cases_state", _one_of("state", _CASE_STATES)),
    ("deadlines", "ck_deadlines_status", _one_of("status", _DEADLINE_STATUSES)),
    ("deadlines", "ck_deadlines_kind", _one_of("kind", _DEADLINE_KINDS)),
    ("accounts", "ck_accounts_role", _one_of("role", _ROLES)),
    ("closures", "ck_closures_kind", _one_of("kind", _CLOSURE_KINDS)),
)


def upgrade() -> None:
    for table, name, condition in _CHECKS:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.create_check_constraint(name, condition)
    with op.batch_alter_table("deadlines", schema=None) as batch_op:
        batch_op.create_index(
            "uq_deadlines_open_case_kind",
            ["case_id", "kind"],
            unique=True,
            sqlite_where=sa.text(_OPEN_CASE_DEADLINE),
            postgresql_where=sa.text(_OPEN_CASE_DEADLINE),
        )


def downgrade() -> None:
    with op.batch_alter_table("deadlines", schema=None) as batch_op:
        batch_op.drop_index("uq_deadlines_open_case_kind")
    for table, name, _condition in reversed(_CHECKS):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_constraint(name, type_="check")
