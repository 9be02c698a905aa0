"""office accounts are activated with a code; the login policy is server configuration

An office account's first password is set with a one-time activation code its region
issues (stored hashed, expiring), no longer the national ID; the lockout limits
live in a ``settings`` table an admin sets, no longer in the caller's environment.
Office accounts that had no password yet keep none: they need a code.

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-01 21:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
import sqlmodel.sql.sqltypes
from alembic import op

import mohlat.store.types

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "settings",
        sa.Column("key", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("value", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.PrimaryKeyConstraint("key"),
    )
    with op.batch_alter_table("accounts", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("activation_hash", sqlmodel.sql.sqltypes.AutoString(), nullable=True)
        )
        batch_op.add_column(
            sa.Column(
                "activation_expires_at",
                mohlat.store.types.UTCDateTime(timezone=True),
                nullable=True,
            )
        )


def downgrade() -> None:
    with op.batch_alter_table("accounts", schema=None) as batch_op:
        batch_op.drop_column("activation_expires_at")
        batch_op.drop_column("activation_hash")
    op.drop_table("settings")
