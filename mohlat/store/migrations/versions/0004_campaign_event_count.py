"""campaigns count the events their cases hold

A wiped timeline whose cases' counters were zeroed too leaves every chain that is
left holding; the campaign's own count, kept in the same transaction as every
event written, still says how many there were (issue 10). Existing campaigns are
counted from their events.

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-01 21:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("campaigns", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("event_count", sa.BigInteger(), nullable=False, server_default="0")
        )
    op.execute(
        "UPDATE campaigns SET event_count = (SELECT count(*) FROM events"
        " JOIN cases ON cases.id = events.case_id WHERE cases.campaign_id = campaigns.id)"
    )
    with op.batch_alter_table("campaigns", schema=None) as batch_op:
        batch_op.alter_column("event_count", server_default=None)


def downgrade() -> None:
    with op.batch_alter_table("campaigns", schema=None) as batch_op:
        batch_op.drop_column("event_count")
