"""bearer-token sessions for the HTTP server

A login opens a session whose token the client sends with every request; only
the token's SHA-256 is stored (a unique index: each request finds its session by
it), with its account, when it expires, when it was last used, and when it was
closed. A session issued to an account that must change its password is
restricted to that (issue 11).

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-02 10:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
import sqlmodel.sql.sqltypes
from alembic import op

import mohlat.store.types

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "sessions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("token_hash", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("account_id", sa.Integer(), nullable=False),
        sa.Column("username", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("created_at", mohlat.store.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("expires_at", mohlat.store.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("last_seen_at", mohlat.store.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("revoked_at", mohlat.store.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("client", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("restricted", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(["account_id"], ["accounts.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("sessions", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_sessions_token_hash"), ["token_hash"], unique=True)
        batch_op.create_index(batch_op.f("ix_sessions_account_id"), ["account_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("sessions", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_sessions_account_id"))
        batch_op.drop_index(batch_op.f("ix_sessions_token_hash"))
    op.drop_table("sessions")
