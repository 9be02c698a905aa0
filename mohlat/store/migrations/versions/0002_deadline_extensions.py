"""deadlines keep the extensions granted on them

A deadline is recounted from what started it whenever the calendar changes; the
extensions granted on it are part of that derivation, so they are stored with it
and replayed on every recount (they were lost before: issue 16).

Revision ID: 0002
Revises: 0001
Create Date: 2026-12-01 20:25:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("deadlines", schema=None) as batch_op:
        batch_op.add_column(sa.Column("extensions", sa.JSON(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("deadlines", schema=None) as batch_op:
        batch_op.drop_column("extensions")
