"""a region's ranking page comes from an index

The public ranking page narrowed to a region reads its 50 rows in national order
and counts the region's ranked cases. The index on (campaign, region) becomes one
on (campaign, region, national position, state): the page walks it in order and
stops after its rows instead of sorting the whole region, and the count reads the
index alone (issue 12). It serves every query the old one served (the same first
columns), so the old one goes.

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-02 01:00:00
"""

from __future__ import annotations

from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("cases", schema=None) as batch_op:
        batch_op.create_index(
            "ix_cases_campaign_region_position",
            ["campaign_id", "region", "position_national", "state"],
            unique=False,
        )
        batch_op.drop_index("ix_cases_campaign_region")


def downgrade() -> None:
    with op.batch_alter_table("cases", schema=None) as batch_op:
        batch_op.create_index("ix_cases_campaign_region", ["campaign_id", "region"], unique=False)
        batch_op.drop_index("ix_cases_campaign_region_position")
