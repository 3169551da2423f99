"""Households: consent and counts per recognised person, and queue items that know theirs.

- ``consent_events.person_id``: the person a decision is for (NULL: the whole account).
- ``consent_state`` is keyed by (user, person_key, purpose), ``person_key`` '' for the account,
  and records the ledger ids of the latest decision and the latest withdrawal.
- ``recording_counts`` is keyed by (user, person_key): the account's total is their sum.
- ``review_items.person_id``, copied from the recordings.

Revision ID: 0006
Revises: 0005
"""

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"


def upgrade() -> None:
    with op.batch_alter_table("consent_events") as batch:
        batch.add_column(sa.Column("person_id", sa.String(512)))

    op.create_table(
        "consent_state_v6",
        sa.Column("user_id", sa.String(512), primary_key=True),
        sa.Column("person_key", sa.String(512), primary_key=True),
        sa.Column("purpose", sa.String(64), primary_key=True),
        sa.Column("granted", sa.Boolean),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("decided_seq", sa.BigInteger),
        sa.Column("withdrawn_seq", sa.BigInteger),
    )
    op.execute(
        "INSERT INTO consent_state_v6 "
        "(user_id, person_key, purpose, granted, updated_at, decided_seq, withdrawn_seq) "
        "SELECT s.user_id, '', s.purpose, s.granted, s.updated_at, "
        "(SELECT max(e.id) FROM consent_events e "
        " WHERE e.user_id = s.user_id AND e.purpose = s.purpose), "
        "(SELECT max(e.id) FROM consent_events e "
        " WHERE e.user_id = s.user_id AND e.purpose = s.purpose AND e.granted = false) "
        "FROM consent_state s"
    )
    op.drop_table("consent_state")
    op.rename_table("consent_state_v6", "consent_state")

    op.create_table(
        "recording_counts_v6",
        sa.Column("user_id", sa.String(512), primary_key=True),
        sa.Column("person_key", sa.String(512), primary_key=True),
        sa.Column("total", sa.BigInteger, nullable=False),
        sa.Column("with_audio", sa.BigInteger, nullable=False),
    )
    op.execute(
        "INSERT INTO recording_counts_v6 (user_id, person_key, total, with_audio) "
        "SELECT user_id, COALESCE(person_id, ''), count(*), count(audio_file) "
        "FROM recordings GROUP BY user_id, COALESCE(person_id, '')"
    )
    op.drop_table("recording_counts")
    op.rename_table("recording_counts_v6", "recording_counts")

    with op.batch_alter_table("review_items") as batch:
        batch.add_column(sa.Column("person_id", sa.String(512)))
    op.execute(
        "UPDATE review_items SET person_id = "
        "(SELECT r.person_id FROM recordings r WHERE r.id = review_items.recording_id)"
    )
    op.create_index(
        "ix_recordings_user_person_time", "recordings", ["user_id", "person_id", "recorded_at"]
    )


def downgrade() -> None:
    op.drop_index("ix_recordings_user_person_time", "recordings")
    with op.batch_alter_table("review_items") as batch:
        batch.drop_column("person_id")
    op.create_table(
        "recording_counts_v5",
        sa.Column("user_id", sa.String(512), primary_key=True),
        sa.Column("total", sa.BigInteger, nullable=False),
        sa.Column("with_audio", sa.BigInteger, nullable=False),
    )
    op.execute(
        "INSERT INTO recording_counts_v5 (user_id, total, with_audio) "
        "SELECT user_id, sum(total), sum(with_audio) FROM recording_counts GROUP BY user_id"
    )
    op.drop_table("recording_counts")
    op.rename_table("recording_counts_v5", "recording_counts")
    op.create_table(
        "consent_state_v5",
        sa.Column("user_id", sa.String(512), primary_key=True),
        sa.Column("purpose", sa.String(64), primary_key=True),
        sa.Column("granted", sa.Boolean),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.execute(
        "INSERT INTO consent_state_v5 (user_id, purpose, granted, updated_at) "
        "SELECT user_id, purpose, granted, updated_at FROM consent_state WHERE person_key = ''"
    )
    op.drop_table("consent_state")
    op.rename_table("consent_state_v5", "consent_state")
    with op.batch_alter_table("consent_events") as batch:
        batch.drop_column("person_id")
