"""Lifecycle: retention choices, pending account deletions, maintenance leases, and an index
on recording time for the sweep.

Revision ID: 0007
Revises: 0006
"""

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"


def upgrade() -> None:
    op.create_table(
        "retention_choices",
        sa.Column("user_id", sa.String(512), primary_key=True),
        sa.Column("person_key", sa.String(512), primary_key=True),
        sa.Column("period", sa.String(16), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_table(
        "pending_account_deletions",
        sa.Column("user_id", sa.String(512), primary_key=True),
        sa.Column("requested_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("reason", sa.String(32), nullable=False),
    )
    op.create_table(
        "maintenance_leases",
        sa.Column("name", sa.String(64), primary_key=True),
        sa.Column("holder", sa.String(128), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_recordings_time", "recordings", ["recorded_at"])


def downgrade() -> None:
    op.drop_index("ix_recordings_time", "recordings")
    op.drop_table("maintenance_leases")
    op.drop_table("pending_account_deletions")
    op.drop_table("retention_choices")
