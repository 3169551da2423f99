"""Per-user recording counts, so the summary no longer scans a user's history.

Revision ID: 0003
Revises: 0002
"""

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"


def upgrade() -> None:
    op.create_table(
        "recording_counts",
        sa.Column("user_id", sa.String(512), primary_key=True),
        sa.Column("total", sa.BigInteger, nullable=False),
        sa.Column("with_audio", sa.BigInteger, nullable=False),
    )
    op.execute(
        "INSERT INTO recording_counts (user_id, total, with_audio) "
        "SELECT user_id, count(*), count(audio_file) FROM recordings GROUP BY user_id"
    )


def downgrade() -> None:
    op.drop_table("recording_counts")
