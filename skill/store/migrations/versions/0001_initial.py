"""Recordings, the consent ledger and the audit log.

Revision ID: 0001
Revises:
"""

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None

_id = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "recordings",
        sa.Column("id", sa.String(128), primary_key=True),
        sa.Column("user_id", sa.String(512), nullable=False),
        sa.Column("person_id", sa.String(512)),
        sa.Column("device_id", sa.String(512)),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("transcript", sa.Text, nullable=False),
        sa.Column("audio_file", sa.String(256)),
        sa.Column("source", sa.String(32), nullable=False),
        sa.Column("ingested_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_recordings_user_time", "recordings", ["user_id", "recorded_at"])
    op.create_table(
        "consent_events",
        sa.Column("id", _id, primary_key=True, autoincrement=True),
        sa.Column("user_id", sa.String(512), nullable=False),
        sa.Column("purpose", sa.String(64), nullable=False),
        sa.Column("granted", sa.Boolean, nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("channel", sa.String(16), nullable=False),
        sa.Column("policy_version", sa.String(32), nullable=False),
        sa.Column("request_id", sa.String(256)),
    )
    op.create_index("ix_consent_user_purpose", "consent_events", ["user_id", "purpose", "id"])
    op.create_table(
        "audit_events",
        sa.Column("id", _id, primary_key=True, autoincrement=True),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("user_id", sa.String(512)),
        sa.Column("action", sa.String(64), nullable=False),
        sa.Column("channel", sa.String(16), nullable=False),
        sa.Column("request_id", sa.String(256)),
        sa.Column("details", sa.JSON, nullable=False),
    )
    op.create_index("ix_audit_user", "audit_events", ["user_id", "id"])


def downgrade() -> None:
    op.drop_table("audit_events")
    op.drop_table("consent_events")
    op.drop_table("recordings")
