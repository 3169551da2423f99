"""Sealed content: each recording names its data key; the database records its key store.

Existing rows keep their plaintext until the process that opens the database next (or
``privacy-skill db upgrade``) seals them under new data keys and removes the plaintext; the
``plaintext_pending`` mark tells it to.

Revision ID: 0004
Revises: 0003
"""

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"


def upgrade() -> None:
    with op.batch_alter_table("recordings") as batch:
        batch.add_column(sa.Column("key_id", sa.String(32)))
    op.create_index("ix_recordings_key", "recordings", ["key_id"], unique=True)
    with op.batch_alter_table("review_annotations") as batch:
        batch.add_column(sa.Column("key_id", sa.String(32)))
    op.create_table(
        "storage_meta",
        sa.Column("name", sa.String(64), primary_key=True),
        sa.Column("value", sa.String(256), nullable=False),
    )
    op.execute(
        "INSERT INTO storage_meta (name, value) SELECT 'plaintext_pending', '1' "
        "WHERE EXISTS (SELECT 1 FROM recordings) OR EXISTS (SELECT 1 FROM review_annotations)"
    )


def downgrade() -> None:
    op.drop_table("storage_meta")
    with op.batch_alter_table("review_annotations") as batch:
        batch.drop_column("key_id")
    op.drop_index("ix_recordings_key", "recordings")
    with op.batch_alter_table("recordings") as batch:
        batch.drop_column("key_id")
