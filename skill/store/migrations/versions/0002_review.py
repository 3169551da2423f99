"""Human review: the queue, annotations, sampling marks, and the current-consent table.

Revision ID: 0002
Revises: 0001
"""

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"

_id = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
_unconsidered = sa.text("review_considered_at IS NULL")


def upgrade() -> None:
    with op.batch_alter_table("recordings") as batch:
        batch.add_column(sa.Column("review_considered_at", sa.DateTime(timezone=True)))
    op.create_index(
        "ix_recordings_unconsidered",
        "recordings",
        ["ingested_at", "id"],
        sqlite_where=_unconsidered,
        postgresql_where=_unconsidered,
    )
    op.create_table(
        "consent_state",
        sa.Column("user_id", sa.String(512), primary_key=True),
        sa.Column("purpose", sa.String(64), primary_key=True),
        sa.Column("granted", sa.Boolean),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
    )
    # The current state of every existing ledger: its latest row per user and purpose.
    op.execute(
        "INSERT INTO consent_state (user_id, purpose, granted, updated_at) "
        "SELECT c.user_id, c.purpose, c.granted, c.at FROM consent_events c "
        "WHERE c.id = (SELECT max(d.id) FROM consent_events d "
        "WHERE d.user_id = c.user_id AND d.purpose = c.purpose)"
    )
    op.create_table(
        "review_items",
        sa.Column("id", _id, primary_key=True, autoincrement=True),
        sa.Column(
            "recording_id",
            sa.String(128),
            sa.ForeignKey("recordings.id", ondelete="CASCADE"),
            nullable=False,
            unique=True,
        ),
        sa.Column("user_id", sa.String(512), nullable=False),
        sa.Column("state", sa.String(16), nullable=False),
        sa.Column("queued_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("reviewer", sa.String(128)),
        sa.Column("claimed_at", sa.DateTime(timezone=True)),
        sa.Column("done_at", sa.DateTime(timezone=True)),
        sqlite_autoincrement=True,
    )
    op.create_index("ix_review_items_state", "review_items", ["state", "id"])
    op.create_index("ix_review_items_user", "review_items", ["user_id"])
    op.create_table(
        "review_annotations",
        sa.Column(
            "item_id",
            _id,
            sa.ForeignKey("review_items.id", ondelete="CASCADE"),
            primary_key=True,
            autoincrement=False,
        ),
        sa.Column("reviewer", sa.String(128), nullable=False),
        sa.Column("corrected_transcript", sa.Text, nullable=False),
        sa.Column("label", sa.String(64), nullable=False),
        sa.Column("submitted_at", sa.DateTime(timezone=True), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("review_annotations")
    op.drop_table("review_items")
    op.drop_table("consent_state")
    op.drop_index("ix_recordings_unconsidered", "recordings")
    with op.batch_alter_table("recordings") as batch:
        batch.drop_column("review_considered_at")
