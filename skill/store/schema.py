"""The SQL schema, as SQLAlchemy Core tables shared by SQLite and PostgreSQL.

Migrations in ``skill/store/migrations`` create exactly these tables; a test
checks the two agree.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Column,
    DateTime,
    Dialect,
    Float,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    TypeDecorator,
    text,
)

metadata = MetaData()


class UTCDateTime(TypeDecorator[datetime]):
    """Timezone-aware UTC datetimes on every backend.

    SQLite has no time zone type, so values are stored as naive UTC text, which
    sorts correctly; PostgreSQL gets ``timestamptz``. Reads are always aware UTC.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> Any:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given where an aware one is required")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def bind_processor(self, dialect: Dialect) -> Any:
        if dialect.name != "sqlite":
            return super().bind_processor(dialect)

        # One step instead of two (decorator, then SQLite's DATETIME formatting): bulk
        # ingest binds two of these per row. Same text format SQLAlchemy stores.
        def process(value: datetime | None) -> str | None:
            if value is None:
                return None
            if value.tzinfo is None:
                raise ValueError("naive datetime given where an aware one is required")
            return value.astimezone(UTC).replace(tzinfo=None).isoformat(" ", "microseconds")

        return process

    def process_result_value(self, value: Any, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        assert isinstance(value, datetime)
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


# BigInteger keys autoincrement as INTEGER PRIMARY KEY on SQLite.
Id = BigInteger().with_variant(Integer(), "sqlite")

recordings = Table(
    "recordings",
    metadata,
    Column("id", String(128), primary_key=True),
    Column("user_id", String(512), nullable=False),
    Column("person_id", String(512)),
    Column("device_id", String(512)),
    Column("recorded_at", UTCDateTime(), nullable=False),
    # Sealed: AES-256-GCM under the data key ``key_id`` names, as base64 text. Plaintext only
    # in rows from before encryption (``key_id`` NULL), until ``db upgrade`` seals them.
    Column("transcript", Text, nullable=False),
    # The sealed audio file in the audio store (its name is the key id).
    Column("audio_file", String(256)),
    Column("source", String(32), nullable=False),
    Column("ingested_at", UTCDateTime(), nullable=False),
    Column("review_considered_at", UTCDateTime()),
    # The recording's data key in the key store; destroying it deletes the content.
    Column("key_id", String(32)),
    Index("ix_recordings_user_time", "user_id", "recorded_at"),
    Index("ix_recordings_user_person_time", "user_id", "person_id", "recorded_at"),
    # The retention sweep finds what is older than a cutoff without reading the rest.
    Index("ix_recordings_time", "recorded_at"),
    Index("ix_recordings_key", "key_id", unique=True),
    Index(
        "ix_recordings_unconsidered",
        "ingested_at",
        "id",
        # PostgreSQL's copy of this clause is added by `add_postgresql_options`.
        sqlite_where=text("review_considered_at IS NULL"),
    ),
)


def add_postgresql_options() -> None:
    """Name the PostgreSQL-only parts of the schema (the partial index's WHERE).

    Not written into the tables above: a ``postgresql_*`` argument makes SQLAlchemy import
    its whole PostgreSQL dialect (tens of milliseconds) in every process, a SQLite Lambda cold
    start included. ``open_engine`` calls this for a PostgreSQL URL, before any DDL or
    comparison could need it; calling it again changes nothing.
    """
    index = next(i for i in recordings.indexes if i.name == "ix_recordings_unconsidered")
    if "postgresql_where" not in index.dialect_kwargs:
        index.dialect_kwargs["postgresql_where"] = text("review_considered_at IS NULL")

consent_events = Table(
    "consent_events",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("user_id", String(512), nullable=False),
    # The recognised speaker the decision is for; NULL: the whole account.
    Column("person_id", String(512)),
    Column("purpose", String(64), nullable=False),
    Column("granted", Boolean, nullable=False),
    Column("at", UTCDateTime(), nullable=False),
    Column("channel", String(16), nullable=False),
    Column("policy_version", String(32), nullable=False),
    Column("request_id", String(256)),
    Index("ix_consent_user_purpose", "user_id", "purpose", "id"),
)

NO_PERSON = ""
"""``person_key`` of rows about the account as a whole (or recordings of no recognised
speaker): a primary key column cannot be NULL."""

recording_counts = Table(
    "recording_counts",
    metadata,
    Column("user_id", String(512), primary_key=True),
    # The recordings' person_id; NO_PERSON for recordings without one.
    Column("person_key", String(512), primary_key=True),
    Column("total", BigInteger, nullable=False),
    Column("with_audio", BigInteger, nullable=False),
)
"""Totals per user and speaker, changed in the same transaction as every ingest and
deletion, so that "what data do you keep" costs the same for a user with a million
recordings as with ten (the account's total is the sum of a few rows)."""

consent_state = Table(
    "consent_state",
    metadata,
    Column("user_id", String(512), primary_key=True),
    # The person the decisions are for; NO_PERSON: the account (every speaker).
    Column("person_key", String(512), primary_key=True),
    Column("purpose", String(64), primary_key=True),
    # NULL: no decision yet, the deployment's policy default applies.
    Column("granted", Boolean),
    Column("updated_at", UTCDateTime(), nullable=False),
    # The ledger id of the latest decision, and of the latest withdrawal: a person's grant
    # counts only when it is later than the account's latest withdrawal.
    Column("decided_seq", BigInteger),
    Column("withdrawn_seq", BigInteger),
)
"""The latest ledger row per user and purpose, kept in the same transaction as the ledger.

Besides a one-row lookup, its rows are what consent changes, review sampling and
review hand-outs lock, so that a withdrawal and a hand-out never interleave."""

review_items = Table(
    "review_items",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column(
        "recording_id",
        String(128),
        ForeignKey("recordings.id", ondelete="CASCADE"),
        nullable=False,
        unique=True,
    ),
    Column("user_id", String(512), nullable=False),
    # The recording's person_id: a person's withdrawal purges exactly their items.
    Column("person_id", String(512)),
    Column("state", String(16), nullable=False),
    Column("queued_at", UTCDateTime(), nullable=False),
    Column("reviewer", String(128)),
    Column("claimed_at", UTCDateTime()),
    Column("done_at", UTCDateTime()),
    Index("ix_review_items_state", "state", "id"),
    Index("ix_review_items_user", "user_id"),
    # Never reuse a purged item's id on SQLite: a late submit must not land on a new item.
    sqlite_autoincrement=True,
)

review_annotations = Table(
    "review_annotations",
    metadata,
    Column(
        "item_id",
        Id,
        ForeignKey("review_items.id", ondelete="CASCADE"),
        primary_key=True,
        autoincrement=False,
    ),
    Column("reviewer", String(128), nullable=False),
    # Sealed under the recording's data key (``key_id``), like its transcript.
    Column("corrected_transcript", Text, nullable=False),
    Column("label", String(64), nullable=False),
    Column("submitted_at", UTCDateTime(), nullable=False),
    Column("key_id", String(32)),
)

storage_meta = Table(
    "storage_meta",
    metadata,
    Column("name", String(64), primary_key=True),
    Column("value", String(256), nullable=False),
)
"""Facts about this data database: its own id, the id of the key store it belongs to, and
whether rows from before encryption still wait to be sealed."""

audit_events = Table(
    "audit_events",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("at", UTCDateTime(), nullable=False),
    Column("user_id", String(512)),
    Column("action", String(64), nullable=False),
    Column("channel", String(16), nullable=False),
    Column("request_id", String(256)),
    Column("details", JSON, nullable=False),
    Index("ix_audit_user", "user_id", "id"),
)

api_keys = Table(
    "api_keys",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    # What audit entries name the key by; unique for ever (a revoked key keeps its row).
    Column("name", String(64), nullable=False, unique=True),
    # The public part of the key, to find its row; the secret is only in ``secret_hash``.
    Column("key_id", String(32), nullable=False, unique=True),
    Column("secret_hash", String(64), nullable=False),
    Column("scopes", String(128), nullable=False),
    Column("rate_per_minute", Integer, nullable=False),
    Column("created_at", UTCDateTime(), nullable=False),
    Column("revoked_at", UTCDateTime()),
    sqlite_autoincrement=True,
)
"""HTTP API keys: a hash of each secret, never the secret itself."""

api_rate_limits = Table(
    "api_rate_limits",
    metadata,
    Column(
        "api_key_id",
        Id,
        ForeignKey("api_keys.id", ondelete="CASCADE"),
        primary_key=True,
        autoincrement=False,
    ),
    Column("tokens", Float, nullable=False),
    Column("updated_at", UTCDateTime(), nullable=False),
)
"""One token bucket per API key, in the database so every gunicorn worker (and host) shares
it; each request takes a token in a short transaction that locks the key's row."""

retention_choices = Table(
    "retention_choices",
    metadata,
    Column("user_id", String(512), primary_key=True),
    # The person the choice is for; NO_PERSON: the account (every speaker).
    Column("person_key", String(512), primary_key=True),
    # 3_MONTHS, 18_MONTHS, 36_MONTHS or UNTIL_DELETED ("don't save" is a consent, not a period).
    Column("period", String(16), nullable=False),
    Column("updated_at", UTCDateTime(), nullable=False),
)
"""How long recordings are kept, as the account or a person chose; no row: the deployment's
default. For a person's recordings the shortest applicable choice wins."""

pending_account_deletions = Table(
    "pending_account_deletions",
    metadata,
    Column("user_id", String(512), primary_key=True),
    Column("requested_at", UTCDateTime(), nullable=False),
    Column("reason", String(32), nullable=False),
)
"""Accounts whose data must go (the skill was disabled and Alexa will not give the person this
user id again), recorded before the event is acknowledged; the sweep finishes any deletion a
crash interrupted."""

maintenance_leases = Table(
    "maintenance_leases",
    metadata,
    Column("name", String(64), primary_key=True),
    Column("holder", String(128), nullable=False),
    Column("expires_at", UTCDateTime(), nullable=False),
)
"""Who runs a periodic job (the retention sweep) now: one process at a time, taken over when
its lease expires (a process that died)."""

dashboard_sessions = Table(
    "dashboard_sessions",
    metadata,
    # The public handle audit entries name a session by; never the cookie.
    Column("id", Id, primary_key=True, autoincrement=True),
    # SHA-256 of the cookie's random value: a copy of the table opens no session.
    Column("token_hash", String(64), nullable=False, unique=True),
    # What every state-changing form must carry (compared in constant time).
    Column("csrf_token", String(64), nullable=False),
    Column("created_at", UTCDateTime(), nullable=False),
    Column("seen_at", UTCDateTime(), nullable=False),
    # Who the browser was linked to by voice; NULL while it waits for its code to be said.
    Column("user_id", String(512)),
    Column("person_id", String(512)),
    Column("linked_at", UTCDateTime()),
    # The linking device's time zone: the dashboard's local dates and times.
    Column("timezone", String(64)),
    Index("ix_dashboard_sessions_user", "user_id"),
    Index("ix_dashboard_sessions_seen", "seen_at"),
    sqlite_autoincrement=True,
)
"""Dashboard sessions, server-side: the browser holds only a random id (cookie), so ending a
session here ends it in every worker at once."""

dashboard_link_codes = Table(
    "dashboard_link_codes",
    metadata,
    # HMAC-SHA256 of the code under a secret derived from the master key (never the code).
    Column("code_hash", String(64), primary_key=True),
    Column(
        "session_id",
        Id,
        ForeignKey("dashboard_sessions.id", ondelete="CASCADE"),
        nullable=False,
        unique=True,
    ),
    # The code is derived from the browser's cookie and this nonce, so the page that shows
    # it can show it again without the code being stored.
    Column("nonce", String(32), nullable=False),
    # The master key the secret was derived from (its public id).
    Column("secret_id", String(16), nullable=False),
    Column("created_at", UTCDateTime(), nullable=False),
    Column("expires_at", UTCDateTime(), nullable=False),
    Index("ix_dashboard_link_codes_expiry", "expires_at"),
)
"""One pending link code per waiting browser; a code is deleted when it is used."""

dashboard_link_failures = Table(
    "dashboard_link_failures",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("user_id", String(512), nullable=False),
    Column("at", UTCDateTime(), nullable=False),
    Index("ix_dashboard_link_failures_user", "user_id", "at"),
)
"""Wrong or expired codes said to the skill, per Alexa user: past a few in a window, the
skill stops looking codes up for that user (a limit every worker and Lambda shares)."""
