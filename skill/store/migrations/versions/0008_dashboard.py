"""Dashboard: server-side browser sessions, pending link codes (as HMACs), and wrong-code
attempts per user.

Revision ID: 0008
Revises: 0007
"""

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"

_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "dashboard_sessions",
        sa.Column("id", _ID, primary_key=True, autoincrement=True),
        sa.Column("token_hash", sa.String(64), nullable=False, unique=True),
        sa.Column("csrf_token", sa.String(64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("seen_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("user_id", sa.String(512)),
        sa.Column("person_id", sa.String(512)),
        sa.Column("linked_at", sa.DateTime(timezone=True)),
        sa.Column("timezone", sa.String(64)),
        sqlite_autoincrement=True,
    )
    op.create_index("ix_dashboard_sessions_user", "dashboard_sessions", ["user_id"])
    op.create_index("ix_dashboard_sessions_seen", "dashboard_sessions", ["seen_at"])
    op.create_table(
        "dashboard_link_codes",
        sa.Column("code_hash", sa.String(64), primary_key=True),
        sa.Column(
            "session_id",
            _ID,
            sa.ForeignKey("dashboard_sessions.id", ondelete="CASCADE"),
            nullable=False,
            unique=True,
        ),
        sa.Column("nonce", sa.String(32), nullable=False),
        sa.Column("secret_id", sa.String(16), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_dashboard_link_codes_expiry", "dashboard_link_codes", ["expires_at"])
    op.create_table(
        "dashboard_link_failures",
        sa.Column("id", _ID, primary_key=True, autoincrement=True),
        sa.Column("user_id", sa.String(512), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_dashboard_link_failures_user", "dashboard_link_failures", ["user_id", "at"])


def downgrade() -> None:
    op.drop_table("dashboard_link_failures")
    op.drop_table("dashboard_link_codes")
    op.drop_table("dashboard_sessions")
